"""Event handlers: widget values in, one service call, widget updates out.

No URLs, status codes or retry rules here; the service and its adapters own
those. The ``edit`` handler is also the public API endpoint ``/edit``, so its
parameter names are the API's keyword names.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import gradio as gr

from qwen_ui.api.client import QwenClient
from qwen_ui.errors import QwenUIError
from qwen_ui.history import valid_browser_id
from qwen_ui.hosting.base import ImageHost
from qwen_ui.limits import EditLimiter
from qwen_ui.recipe import read_recipe
from qwen_ui.secrets import Secret
from qwen_ui.service import EditRequest, EditService, Finished, Stage, TaskProgress, TaskStarted
from qwen_ui.ui import text
from qwen_ui.ui.present import auto_size_note, describe_error, describe_result, settings_values, write_zip

__all__ = ["EditHandlers", "size_controls", "swap", "remember_key", "restore_from_png", "pick_result", "use_result"]

log = logging.getLogger("qwen_ui.ui")


def _read_slots(*paths: str | None) -> list[tuple[str, bytes]]:
    slots = []
    for index, path in enumerate(paths, start=1):
        if path:
            slots.append((f"Image {index}", Path(path).read_bytes()))
    return slots


def _size_param(size: str | None) -> str | None:
    value = (size or "").strip().lower()
    return None if value in ("", "auto") else value


def _seed_param(seed: float | int | None, randomize_seed: bool) -> int | None:
    if randomize_seed or seed is None:
        return None
    if isinstance(seed, float) and seed.is_integer():
        return int(seed)
    return seed  # type: ignore[return-value]  # the schema names the field if it is not whole


def _progress_text(event: TaskProgress) -> str:
    if event.status == "pending":
        return f"Queued at the provider (task `{event.task_id}`)…"
    eta = f" · about {event.eta_s:.0f} s left" if event.eta_s else ""
    return f"Processing {event.progress}%{eta} (task `{event.task_id}`)"


KeyRoute = Callable[[Secret], tuple[QwenClient, ImageHost]]


class EditHandlers:
    def __init__(self, service: EditService, route_user_key: KeyRoute, limiter: EditLimiter) -> None:
        self.service = service
        self.route_user_key = route_user_key
        self.limiter = limiter

    async def edit(
        self,
        image1: str | None,
        image2: str | None = None,
        image3: str | None = None,
        prompt: str = "",
        negative_prompt: str | None = None,
        n: float = 1,
        size: str | None = "auto",
        seed: float | None = None,
        randomize_seed: bool = True,
        prompt_extend: bool = True,
        watermark: bool = False,
        callback_url: str | None = None,
        user_key: Secret | None = None,
        browser_id: str | None = None,
        request: gr.Request | None = None,
        progress: gr.Progress = gr.Progress(),
    ) -> Any:
        """Edit 1–3 images with qwen-image-edit-plus.

        Args:
            image1: Image 1 (jpg, png, webp, bmp, tiff or gif; any slot may be empty, at least one must be filled).
            image2: Image 2, referred to as "Image 2" in the prompt.
            image3: Image 3; with size "auto" the output follows the aspect of the last image given.
            prompt: What to change, up to 2000 tokens.
            negative_prompt: What to avoid; only the first 500 characters are used.
            n: Number of images to make, 1 to 6.
            size: "auto" (≈1 MP at the last image's aspect) or "WxH" with each side 512–2048; only with n = 1.
            seed: Seed 0–2147483647, used when randomize_seed is false; a repeat with the same seed and inputs comes from the cache.
            randomize_seed: Draw a new seed (returned in the result).
            prompt_extend: Let the provider rewrite the prompt (better for short prompts, less reproducible).
            watermark: Add a "Qwen-Image" mark bottom-right.
            callback_url: Optional public https URL that receives the finished task.

        Returns:
            The result images, the seed used, a status message, a ZIP of all results with a JSON recipe per image, and a summary of the settings used.
        """
        try:
            edit_request = EditRequest(
                images=await asyncio.to_thread(_read_slots, image1, image2, image3),
                prompt=prompt,
                negative_prompt=negative_prompt or None,
                n=int(n) if isinstance(n, float) and n.is_integer() else n,  # type: ignore[arg-type]
                size=_size_param(size),
                seed=_seed_param(seed, randomize_seed),
                prompt_extend=bool(prompt_extend),
                watermark=bool(watermark),
                callback_url=(callback_url or "").strip() or None,
                owner=browser_id if valid_browser_id(browser_id) else None,
            )
            route: dict[str, Any] = {}
            if user_key:
                client, host = self.route_user_key(user_key)
                route = {"client": client, "host": host, "resumable": False}
            with self.limiter.hold(_visitors(request)):
                async for update in self._updates(edit_request, route, progress):
                    yield update
        except QwenUIError as exc:
            message = describe_error(exc)
            log.info("edit refused: %s", type(exc).__name__)
            raise gr.Error(message, print_exception=False, title="Edit not done") from None
        except asyncio.CancelledError:
            log.info("edit cancelled by the user")
            raise

    async def _updates(self, edit_request: EditRequest, route: dict[str, Any], progress: gr.Progress) -> AsyncIterator[tuple[Any, ...]]:
        """Service events → (gallery, seed, status, zip, details) updates.

        Every event moves the progress bar on the gallery (cheap). The status
        line is rewritten only when the task changes phase (created, queued,
        processing): each such yield makes Gradio rebuild the four skipped
        output components, which was most of the app's CPU under load.
        """
        shown = ""
        async for event in self.service.run(edit_request, **route):
            if isinstance(event, Finished):
                result = event.result
                # The caption doubles as the image's alt text: say what it shows.
                shown = result.request.prompt if len(result.request.prompt) <= 80 else result.request.prompt[:77] + "…"
                gallery = [
                    (str(path), f"{shown} ({i}/{len(result.paths)}, seed {result.seed})") for i, path in enumerate(result.paths, start=1)
                ]
                source = "from cache — no API call" if result.from_cache else f"in {result.elapsed_s:.1f} s"
                status = f"Done: {len(result.paths)} image(s) {source}."
                archive = await asyncio.to_thread(write_zip, result)
                yield gallery, result.seed, status, str(archive), describe_result(result)
                return
            if isinstance(event, Stage):
                progress(event.fraction, desc=event.message)
                continue
            if isinstance(event, TaskStarted):
                progress(0.0, desc="Task created")
                phase, message = "created", f"Task `{event.task_id}` created."
            else:
                message = _progress_text(event)
                progress(event.progress / 100, desc=message.split(" (")[0])
                phase = event.status
            if phase != shown:
                shown = phase
                yield gr.skip(), gr.skip(), message, gr.skip(), gr.skip()


def _visitors(request: gr.Request | None) -> list[str]:
    """Who is asking: the client address (proxies trusted via FORWARDED_ALLOW_IPS) and the page session."""
    if request is None:
        return []
    visitors = [f"session:{request.session_hash}"] if request.session_hash else []
    if request.client is not None and request.client.host:
        visitors.append(f"ip:{request.client.host}")
    return visitors


def remember_key(key_text: str | None) -> tuple[Secret | None, str, str]:
    """Keep a pasted key in this tab's server-side state only; the box is emptied at once."""
    key = (key_text or "").strip()
    if not key:
        return None, "", text.KEY_FORGOTTEN
    if len(key) > 256 or any(ch.isspace() for ch in key):
        return None, "", text.KEY_INVALID
    return Secret(key), "", text.KEY_IN_USE


def restore_from_png(path: str | None) -> tuple[Any, ...]:
    """Fill the settings from a result PNG's recipe: (prompt, negative, n, size choice, width, height,
    seed, randomize, prompt_extend, watermark, message)."""
    keep = (gr.skip(),) * 10
    if not path:
        return (*keep, "")
    recipe = read_recipe(Path(path).read_bytes())
    if recipe is None:
        return (*keep, text.RECIPE_MISSING)
    restored = text.RECIPE_RESTORED.format(task=recipe.get("task_id") or "?", index=recipe.get("index") or "?")
    return (*settings_values(recipe), restored)


def pick_result(
    gallery: list[Any] | None, image1: str | None, image2: str | None, image3: str | None, event: gr.SelectData
) -> tuple[Any, Any]:
    """Remember the clicked result and compare it with the last input (its aspect rules the output)."""
    index = event.index if isinstance(event.index, int) else -1
    if not gallery or not 0 <= index < len(gallery):
        return None, gr.skip()
    item = gallery[index]
    path = item[0] if isinstance(item, (list, tuple)) else item
    before = next((p for p in (image3, image2, image1) if p), None)
    return path, (before, path) if before else gr.skip()


def use_result(path: str | None) -> tuple[Any, str]:
    if not path:
        return gr.skip(), text.PICK_RESULT_FIRST
    return path, "Result placed in the slot: describe the next change and press Edit."


def swap(first: str | None, second: str | None) -> tuple[str | None, str | None]:
    return second, first


def size_controls(
    n: float, choice: str, width: float | None, height: float | None, image1: str | None, image2: str | None, image3: str | None
) -> tuple[Any, Any, str, str]:
    """Keep the size widgets honest: (dropdown, custom row, size sent, note)."""
    auto_note = auto_size_note([image1, image2, image3])
    if int(n or 1) > 1:
        return (
            gr.update(value=text.SIZE_AUTO, interactive=False),
            gr.update(visible=False),
            "auto",
            f"{text.SIZE_ONLY_WITH_ONE} {auto_note}",
        )
    dropdown = gr.update(interactive=True)
    if choice == text.SIZE_CUSTOM:
        w, h = int(width or 0), int(height or 0)
        if not (512 <= w <= 2048 and 512 <= h <= 2048):
            return dropdown, gr.update(visible=True), "auto", "Custom width and height must each be 512–2048 px; Auto is used until then."
        return dropdown, gr.update(visible=True), f"{w}x{h}", f"Output will be **{w}x{h}**."
    if choice in text.SIZE_PRESETS:
        return dropdown, gr.update(visible=False), choice, f"Output will be **{choice}**."
    return dropdown, gr.update(visible=False), "auto", auto_note
