"""Turning service results and errors into words and files for the page."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import gradio as gr
from PIL import Image

from qwen_ui.api.schema import LIMITS, auto_output_size, estimate_tokens
from qwen_ui.errors import ApiError, QwenUIError, RateLimited
from qwen_ui.recipe import recipe_for
from qwen_ui.service import EditResult
from qwen_ui.ui import text

__all__ = ["size_fields", "describe_error", "describe_result", "write_zip", "prompt_hint", "negative_hint", "auto_size_note", "recipe"]


def describe_error(exc: QwenUIError) -> str:
    """One plain sentence (or two) for the status line and the toast."""
    message = str(exc).strip()
    if isinstance(exc, RateLimited) and exc.retry_after_s is None:
        message += " Wait a minute, then try again."
    if isinstance(exc, ApiError) and exc.task_id and exc.task_id not in message:
        message += f" (task {exc.task_id})"
    return message


def recipe(result: EditResult, index: int) -> dict[str, object]:
    """The ZIP's JSON sidecar: the PNG's own recipe, plus whether the run came from the cache."""
    return {**recipe_for(result.key, result.task_id, index), "from_cache": result.from_cache}


def describe_result(result: EditResult) -> str:
    request = result.request
    lines = [
        f"**Task** `{result.task_id}`" + (" · **from cache** (no API call, no charge)" if result.from_cache else ""),
        f"**Seed** {result.seed} · **n** {request.n} · **size** {request.size or 'auto'}",
        f"**Prompt rewriting** {'on' if request.prompt_extend else 'off'} · **watermark** {'on' if request.watermark else 'off'}",
    ]
    if result.usage:
        usage = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in result.usage.items())
        lines.append(f"**Credits** {usage}")
    if result.notices:
        lines.append("**Notes** " + " ".join(result.notices))
    return "\n\n".join(lines)


def write_zip(result: EditResult) -> Path:
    """All images of a run plus a JSON recipe per image."""
    folder = result.paths[0].parent
    path = folder / f"{result.task_id}-all.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for index, image_path in enumerate(result.paths, start=1):
            archive.write(image_path, image_path.name)
            archive.writestr(image_path.with_suffix(".json").name, json.dumps(recipe(result, index), indent=2, ensure_ascii=False))
    return path


def prompt_hint(prompt: str | None) -> str:
    tokens = estimate_tokens(prompt or "")
    limit = LIMITS.prompt_max_tokens
    warning = " — **too long**, shorten it" if tokens > limit else ""
    return f"≈ {tokens} / {limit} tokens{warning}"


def negative_hint(text: str | None) -> str:
    length = len(text or "")
    limit = LIMITS.negative_prompt_max_chars
    if length > limit:
        return f"{length} / {limit} characters — **only the first {limit} will be used** (the API truncates the rest)"
    return f"{length} / {limit} characters"


def auto_size_note(image_paths: list[str | None]) -> str:
    """What Auto will produce, judged from the last filled slot."""
    filled = [(i, p) for i, p in enumerate(image_paths, start=1) if p]
    if not filled:
        return "Auto: ≈1 MP at the aspect of the last image."
    slot, path = filled[-1]
    try:
        with Image.open(path) as image:
            width, height = image.size
            if image.getexif().get(0x0112) in (5, 6, 7, 8):
                width, height = height, width
    except Exception:
        return "Auto: ≈1 MP at the aspect of the last image."
    out_w, out_h = auto_output_size(width, height)
    return f"Auto: about **{out_w}x{out_h}** (aspect of Image {slot})."


def size_fields(size: str) -> tuple[str, Any, Any]:
    """(size dropdown choice, custom width, custom height) for a size string."""
    if size == "auto":
        return text.SIZE_AUTO, gr.skip(), gr.skip()
    width, height = (int(v) for v in size.split("x"))
    return (size if size in text.SIZE_PRESETS else text.SIZE_CUSTOM), width, height


def settings_values(recipe: dict[str, Any]) -> tuple[Any, ...]:
    """A recipe as values for the settings widgets, in ``Widgets.settings`` order (seed fixed)."""
    choice, width, height = size_fields(recipe.get("size") or "auto")
    return (
        recipe.get("prompt", ""),
        recipe.get("negative_prompt") or "",
        recipe.get("n") or 1,
        choice,
        width,
        height,
        recipe.get("seed"),
        False,
        bool(recipe.get("prompt_extend", True)),
        bool(recipe.get("watermark", False)),
    )
