"""The page's widgets, arranged; no reactions here (see handlers and page)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

import gradio as gr

from qwen_ui.api.schema import LIMITS
from qwen_ui.ui import text

__all__ = ["Widgets", "build_widgets", "CSS", "ImageSlot", "CountSlider", "SeedNumber"]

CSS = """
#sim-banner {background: #fff4d6; border: 1px solid #e0b44c; border-radius: 8px; padding: 6px 12px;}
#sim-banner p {margin: 0; color: #5c4300;}
.hint p {font-size: 0.85em; opacity: 0.8; margin: 0;}
#status {min-height: 2.5em;}
"""


class ImageSlot(gr.Image):
    """An image input that hands the uploaded file to our own gate untouched.

    ``gr.Image`` opens every upload with all of Pillow's plugins before the
    handler runs, so a bad file fails with Gradio's generic error instead of
    our sentence naming the slot (and unvetted parsers see it first).
    """

    is_template = True  # render with the stock Image front end

    def preprocess(self, payload: Any) -> str | None:
        return str(payload.path) if payload is not None and payload.path else None


class SchemaOnce:
    """Compute a component's API schema once per class.

    Gradio 6.31 rebuilds every output that gets a ``gr.skip()`` and regenerates
    its pydantic JSON schema each time; under load that was most of the app's
    CPU. The schema depends only on the class, so it is kept per class.
    """

    _schemas: ClassVar[dict[tuple[type, str], Any]] = {}

    def get_block_name(self) -> str:
        """The stock front end of the Gradio class this extends (not this mixin's name)."""
        return _gradio_base(type(self)).__name__.lower()

    def get_block_class(self) -> str:
        return _gradio_base(type(self)).__name__.lower()

    def _schema(self, kind: str) -> Any:
        key = (type(self), kind)
        if key not in SchemaOnce._schemas:
            SchemaOnce._schemas[key] = getattr(super(), kind)()
        return copy.deepcopy(SchemaOnce._schemas[key])

    def api_info(self) -> Any:
        return self._schema("api_info")

    def api_info_as_input(self) -> Any:
        return self._schema("api_info_as_input")

    def api_info_as_output(self) -> Any:
        return self._schema("api_info_as_output")


def _gradio_base(cls: type) -> type:
    return next(c for c in cls.__mro__ if c.__module__.startswith("gradio.components."))


class ResultGallery(SchemaOnce, gr.Gallery):
    pass


class ResultFile(SchemaOnce, gr.File):
    pass


class CountSlider(gr.Slider):
    """A slider whose out-of-range API values reach the schema, which names the field."""

    is_template = True

    def preprocess(self, payload: float) -> float:
        return payload


class SeedNumber(SchemaOnce, gr.Number):
    """A number box whose out-of-range API values reach the schema, which names the field."""

    def preprocess(self, payload: float | None) -> float | None:
        return payload


@dataclass(frozen=True)
class Widgets:
    image1: ImageSlot
    image2: ImageSlot
    image3: ImageSlot
    swap_12: gr.Button
    swap_23: gr.Button
    clear_all: gr.Button
    prompt: gr.Textbox
    prompt_hint: gr.Markdown
    negative_prompt: gr.Textbox
    negative_hint: gr.Markdown
    n: CountSlider
    size_choice: gr.Dropdown
    custom_row: gr.Row
    custom_width: gr.Number
    custom_height: gr.Number
    size: gr.Textbox
    size_note: gr.Markdown
    seed: SeedNumber
    randomize_seed: gr.Checkbox
    prompt_extend: gr.Checkbox
    watermark: gr.Checkbox
    callback_url: gr.Textbox
    key_box: gr.Textbox
    use_key: gr.Button
    forget_key: gr.Button
    key_status: gr.Markdown
    user_key: gr.State
    restore_png: gr.File
    edit: gr.Button
    cancel: gr.Button
    status: gr.Markdown
    gallery: ResultGallery
    download_zip: ResultFile
    details: gr.Markdown
    rerun_plain: gr.Button
    use_as: tuple[gr.Button, gr.Button, gr.Button]
    compare: gr.ImageSlider
    history: gr.Gallery
    history_restore: gr.Button
    history_delete: gr.Button
    browser_store: gr.BrowserState
    browser_id: gr.State
    history_ids: gr.State
    selected_entry: gr.State
    selected_output: gr.State

    @property
    def slots(self) -> list[ImageSlot]:
        return [self.image1, self.image2, self.image3]

    @property
    def settings(self) -> list[Any]:
        """Every setting a recipe restores, in ``present.settings_values`` order."""
        return [
            self.prompt,
            self.negative_prompt,
            self.n,
            self.size_choice,
            self.custom_width,
            self.custom_height,
            self.seed,
            self.randomize_seed,
            self.prompt_extend,
            self.watermark,
        ]


def _slot(number: int) -> ImageSlot:
    return ImageSlot(
        label=text.t(f"SLOT_{number}"),
        type="filepath",
        image_mode=None,
        sources=["upload", "clipboard"],
        height=220,
        elem_id=f"image{number}",
    )


def build_widgets(*, simulated: bool) -> Widgets:
    """Lay out the page inside the current ``gr.Blocks`` context."""
    gr.Markdown(text.t("HEADER"))
    if simulated:
        gr.Markdown(text.t("SIMULATOR_BANNER"), elem_id="sim-banner")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=320):
            with gr.Row():
                image1, image2, image3 = _slot(1), _slot(2), _slot(3)
            with gr.Row():
                swap_12 = gr.Button(text.t("SWAP_12"), size="sm", variant="secondary")
                swap_23 = gr.Button(text.t("SWAP_23"), size="sm", variant="secondary")
                clear_all = gr.Button(text.t("CLEAR_ALL"), size="sm", variant="secondary")
            gr.Markdown(text.t("SLOT_NOTE"), elem_classes="hint")
            prompt = gr.Textbox(
                label=text.t("PROMPT_LABEL"), placeholder=text.t("PROMPT_PLACEHOLDER"), lines=1, max_lines=6, elem_id="prompt"
            )
            prompt_hint = gr.Markdown(f"≈ 0 / {LIMITS.prompt_max_tokens} tokens", elem_classes="hint")
            negative_prompt = gr.Textbox(
                label=text.t("NEGATIVE_LABEL"), placeholder=text.t("NEGATIVE_PLACEHOLDER"), lines=1, max_lines=4, elem_id="negative-prompt"
            )
            negative_hint = gr.Markdown(f"0 / {LIMITS.negative_prompt_max_chars} characters", elem_classes="hint")
            with gr.Row():
                n = CountSlider(LIMITS.n_min, LIMITS.n_max, value=1, step=1, label=text.t("N_LABEL"), elem_id="n")
                size_choice = gr.Dropdown(
                    [text.SIZE_AUTO, *text.SIZE_PRESETS, text.SIZE_CUSTOM],
                    value=text.SIZE_AUTO,
                    label=text.t("SIZE_LABEL"),
                    elem_id="size-choice",
                )
            with gr.Row(visible=False) as custom_row:
                custom_width = gr.Number(1024, label=text.t("WIDTH_LABEL"), minimum=512, maximum=2048, precision=0)
                custom_height = gr.Number(1024, label=text.t("HEIGHT_LABEL"), minimum=512, maximum=2048, precision=0)
            size = gr.Textbox("auto", label=text.t("SIZE_SENT_LABEL"), interactive=False, max_lines=1, elem_id="size")
            size_note = gr.Markdown("Auto: ≈1 MP at the aspect of the last image.", elem_classes="hint")
            with gr.Row():
                seed = SeedNumber(
                    0, label=text.t("SEED_LABEL"), minimum=LIMITS.seed_min, maximum=LIMITS.seed_max, precision=0, elem_id="seed"
                )
                randomize_seed = gr.Checkbox(True, label=text.t("RANDOMIZE_LABEL"))
            with gr.Row():
                prompt_extend = gr.Checkbox(True, label=text.t("PROMPT_EXTEND_LABEL"), info=text.t("PROMPT_EXTEND_INFO"))
                watermark = gr.Checkbox(False, label=text.t("WATERMARK_LABEL"))
            with gr.Accordion(text.t("ADVANCED_LABEL"), open=False):
                callback_url = gr.Textbox(
                    label=text.t("CALLBACK_LABEL"), placeholder="https://your-domain.example/webhooks/qwen", max_lines=1
                )
                key_box = gr.Textbox(
                    label=text.t("KEY_LABEL"), info=text.t("KEY_INFO"), type="password", value="", max_lines=1, elem_id="user-key"
                )
                with gr.Row():
                    use_key = gr.Button(text.t("KEY_USE"), size="sm", variant="secondary")
                    forget_key = gr.Button(text.t("KEY_FORGET"), size="sm", variant="secondary")
                key_status = gr.Markdown(text.KEY_FORGOTTEN, elem_classes="hint", elem_id="key-status")
                user_key = gr.State(None)
            restore_png = gr.File(label=text.t("RESTORE_LABEL"), file_types=[".png"], type="filepath", height=90, elem_id="restore-png")
            with gr.Row():
                edit = gr.Button(text.t("EDIT_BUTTON"), variant="primary", elem_id="edit")
                cancel = gr.Button(text.t("CANCEL_BUTTON"), variant="stop", elem_id="cancel")
        with gr.Column(scale=2, min_width=320):
            status = gr.Markdown(text.STATUS_IDLE, label=text.t("STATUS_LABEL"), elem_id="status")
            gallery = ResultGallery(
                label=text.t("GALLERY_LABEL"),
                columns=2,
                height=460,
                format="png",
                buttons=["download", "fullscreen"],
                elem_id="gallery",
                interactive=False,
            )
            download_zip = ResultFile(label=text.t("ZIP_LABEL"), interactive=False, elem_id="download-zip")
            details = gr.Markdown(label=text.t("DETAILS_LABEL"), elem_id="details")
            rerun_plain = gr.Button(text.t("RERUN_PLAIN"), size="sm", variant="secondary", elem_id="rerun-plain")
            with gr.Row():
                use_as = tuple(gr.Button(text.t(f"USE_AS_{i}"), size="sm", variant="secondary", elem_id=f"use-as-{i}") for i in (1, 2, 3))
            compare = gr.ImageSlider(label=text.t("COMPARE_LABEL"), type="filepath", interactive=False, elem_id="compare")
            history = gr.Gallery(
                label=text.t("HISTORY_LABEL"),
                columns=4,
                rows=2,
                height=240,
                object_fit="cover",
                allow_preview=False,
                format="png",
                interactive=False,
                elem_id="history",
            )
            with gr.Row():
                history_restore = gr.Button(text.t("HISTORY_RESTORE"), size="sm", variant="secondary", elem_id="history-restore")
                history_delete = gr.Button(text.t("HISTORY_DELETE"), size="sm", variant="stop", elem_id="history-delete")
    # An unguessable per-browser id in the browser's own storage (never shared between visitors),
    # mirrored into session state so it never shows up as an API parameter.
    browser_store = gr.BrowserState(None, storage_key="qwen-edit-studio-browser")
    browser_id, history_ids, selected_entry, selected_output = gr.State(None), gr.State([]), gr.State(None), gr.State(None)
    return Widgets(
        image1,
        image2,
        image3,
        swap_12,
        swap_23,
        clear_all,
        prompt,
        prompt_hint,
        negative_prompt,
        negative_hint,
        n,
        size_choice,
        custom_row,
        custom_width,
        custom_height,
        size,
        size_note,
        seed,
        randomize_seed,
        prompt_extend,
        watermark,
        callback_url,
        key_box,
        use_key,
        forget_key,
        key_status,
        user_key,
        restore_png,
        edit,
        cancel,
        status,
        gallery,
        download_zip,
        details,
        rerun_plain,
        use_as,  # type: ignore[arg-type]
        compare,
        history,
        history_restore,
        history_delete,
        browser_store,
        browser_id,
        history_ids,
        selected_entry,
        selected_output,
    )
