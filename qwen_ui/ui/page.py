"""Wire widgets to handlers and say how to launch the page."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import gradio as gr

from qwen_ui.limits import EditLimiter
from qwen_ui.runtime import Runtime
from qwen_ui.ui import text
from qwen_ui.ui.handlers import EditHandlers, pick_result, remember_key, restore_from_png, size_controls, swap, use_result
from qwen_ui.ui.history_ui import HistoryHandlers
from qwen_ui.ui.layout import CSS, Widgets, build_widgets
from qwen_ui.ui.present import negative_hint, prompt_hint

__all__ = ["build_demo", "launch_options"]

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


def _examples(w: Widgets) -> None:
    mug, bird, landscape = (str(EXAMPLES_DIR / f"{name}.png") for name in ("mug", "bird", "landscape"))
    gr.Examples(
        examples=[
            [mug, None, None, "Make the mug blue and add steam rising from it"],
            [bird, landscape, None, "Put the bird from Image 1 flying over the mountains of Image 2"],
            [mug, bird, landscape, "Place the mug from Image 1 and the bird from Image 2 in the landscape of Image 3"],
        ],
        inputs=[w.image1, w.image2, w.image3, w.prompt],
        label=text.t("EXAMPLES_LABEL"),
        cache_examples=False,
    )


# Small page reactions: answered at once, outside the queue, no progress overlay, not in the API.
QUICK: dict[str, Any] = {"queue": False, "show_progress": "hidden", "api_visibility": "private"}


def _wire_helpers(w: Widgets) -> None:
    """Hints, size logic, slot swapping, pasted key, restore from a PNG."""
    quick = QUICK
    w.prompt.change(prompt_hint, w.prompt, w.prompt_hint, **quick)
    w.negative_prompt.change(negative_hint, w.negative_prompt, w.negative_hint, **quick)
    size_inputs = [w.n, w.size_choice, w.custom_width, w.custom_height, w.image1, w.image2, w.image3]
    size_outputs = [w.size_choice, w.custom_row, w.size, w.size_note]
    gr.on(
        [w.n.change, w.size_choice.change, w.custom_width.change, w.custom_height.change, *(s.change for s in w.slots)],
        size_controls,
        size_inputs,
        size_outputs,
        **quick,
    )
    w.swap_12.click(swap, [w.image1, w.image2], [w.image1, w.image2], **quick)
    w.swap_23.click(swap, [w.image2, w.image3], [w.image2, w.image3], **quick)
    w.clear_all.click(lambda: (None, None, None), None, w.slots, **quick)
    key_outputs = [w.user_key, w.key_box, w.key_status]
    gr.on([w.use_key.click, w.key_box.submit], remember_key, w.key_box, key_outputs, **quick)
    w.forget_key.click(lambda: remember_key(None), None, key_outputs, **quick)
    w.restore_png.upload(restore_from_png, w.restore_png, [*w.settings, w.status], **quick)


def _wire_history(w: Widgets, history: HistoryHandlers) -> None:
    """Per-browser history, re-attach after reload, results reused as inputs, before/after."""
    quick = QUICK
    restored = [*w.slots, *w.settings, w.status]
    w.history.select(history.select_entry, [w.browser_id, w.history_ids], [w.selected_entry, w.selected_output], **quick)
    w.history_restore.click(history.restore, [w.browser_id, w.selected_entry], restored, **quick)
    w.history_delete.click(
        history.delete, [w.browser_id, w.selected_entry], [w.history, w.history_ids, w.selected_entry, w.status], **quick
    )
    w.gallery.select(pick_result, [w.gallery, *w.slots], [w.selected_output, w.compare], **quick)
    for slot, button in zip(w.slots, w.use_as, strict=True):
        button.click(use_result, w.selected_output, [slot, w.status], **quick)


def build_demo(runtime: Runtime) -> gr.Blocks:
    limiter = EditLimiter(per_minute=runtime.settings.edits_per_minute, at_once=runtime.settings.edits_at_once)
    handlers = EditHandlers(runtime.service, runtime.for_user_key, limiter)
    history = HistoryHandlers(runtime.history, runtime.service)
    with gr.Blocks(title=text.TITLE, analytics_enabled=False, delete_cache=(3600, 6 * 3600)) as demo:
        w = build_widgets(simulated=runtime.simulated)
        _wire_helpers(w)
        edit_inputs = [
            w.image1,
            w.image2,
            w.image3,
            w.prompt,
            w.negative_prompt,
            w.n,
            w.size,
            w.seed,
            w.randomize_seed,
            w.prompt_extend,
            w.watermark,
            w.callback_url,
            w.user_key,  # session state: not part of the public API
            w.browser_id,  # session state: whose history gets the edit
        ]
        edit_options: dict[str, Any] = {
            "inputs": edit_inputs,
            "outputs": [w.gallery, w.seed, w.status, w.download_zip, w.details],
            # Edits wait on the network, not the CPU: a limit of 1 (Gradio's default)
            # would queue every visitor behind one slow task.
            "concurrency_limit": runtime.settings.max_concurrent_edits,
            "concurrency_id": "edit",
            "show_progress": "full",
            "show_progress_on": [w.gallery],
            "trigger_mode": "once",
        }
        # The whole docstring, parameters included, is the endpoint's documentation on the API page.
        api_doc = inspect.cleandoc(EditHandlers.edit.__doc__ or "")
        edit_event = gr.on([w.edit.click, w.prompt.submit], handlers.edit, api_name="edit", api_description=api_doc, **edit_options)
        # Same seed, rewriting off: shows what the rewriter changed, reproducibly.
        rerun_event = w.rerun_plain.click(
            lambda seed: (False, seed, False), w.seed, [w.prompt_extend, w.seed, w.randomize_seed], queue=False, api_visibility="private"
        ).then(handlers.edit, api_visibility="private", **edit_options)
        for event in (edit_event, rerun_event):
            event.then(history.refresh, w.browser_id, [w.history, w.history_ids], queue=False, api_visibility="private")
        _wire_history(w, history)
        w.cancel.click(lambda: text.CANCELLED, None, w.status, cancels=[edit_event, rerun_event], queue=False, api_visibility="private")
        _examples(w)
        demo.load(
            history.on_load,
            w.browser_store,
            [w.browser_store, w.browser_id, w.history, w.history_ids],
            queue=False,
            api_visibility="private",
        ).then(
            history.reattach,
            w.browser_id,
            [w.gallery, w.status, w.history, w.history_ids],
            api_visibility="private",
            show_progress="hidden",
        )
    demo.queue(max_size=runtime.settings.queue_max_size)
    return demo


def launch_options(runtime: Runtime) -> dict[str, Any]:
    """Keyword arguments for ``demo.launch``: offline-safe, SSR off, own routes first."""
    settings = runtime.settings
    return {
        "server_name": settings.server_name,
        "server_port": settings.server_port,
        "ssr_mode": False,
        "share": False,
        "run_history": False,
        "enable_monitoring": False,
        "max_file_size": f"{settings.max_upload_mb}mb",
        "footer_links": ["api"],
        # Results and history inputs are handed back to the page; they may live outside the temp dir (/data in Docker).
        "allowed_paths": [str(runtime.results_dir), str(runtime.history.directory)],
        "blocked_paths": [str(settings.cache_dir)],
        "app_kwargs": {"routes": runtime.routes(), "lifespan": runtime.lifespan},
        "theme": gr.themes.Default(
            font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
            font_mono=["ui-monospace", "SFMono-Regular", "monospace"],
        ),
        "css": CSS,
        "i18n": text.I18N,
        # Agents can call the edit tool over MCP at /gradio_api/mcp/ when this is on.
        "mcp_server": settings.mcp_server,
    }
