"""The recipe of an edit, carried inside each saved PNG (an iTXt chunk) and read back.

The chunk is inserted into the provider's PNG bytes without re-encoding, so the
pixels are exactly what the API returned. Dropping such a PNG onto the page
restores the settings that made it.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from typing import Any

from PIL import Image

from qwen_ui.cache import CacheKey

__all__ = ["RECIPE_KEY", "embed_recipe", "read_recipe", "recipe_for"]

RECIPE_KEY = "qwen-edit-studio:recipe"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FIELDS = ("model", "prompt", "negative_prompt", "seed", "n", "size", "prompt_extend", "watermark", "task_id", "input_sha256", "index")


def recipe_for(key: CacheKey, task_id: str, index: int) -> dict[str, Any]:
    """Everything that determined output number ``index`` (1-based) of a task."""
    return {
        "model": key.model,
        "prompt": key.prompt,
        "negative_prompt": key.negative_prompt,
        "seed": key.seed,
        "n": key.n,
        "size": key.size or "auto",
        "prompt_extend": key.prompt_extend,
        "watermark": key.watermark,
        "task_id": task_id,
        "input_sha256": list(key.input_sha256),
        "index": index,
    }


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def embed_recipe(png: bytes, recipe: dict[str, Any]) -> bytes:
    """The same PNG with the recipe as an uncompressed UTF-8 iTXt chunk just before IEND."""
    if not png.startswith(_PNG_SIGNATURE) or len(png) < 12 or png[-8:-4] != b"IEND":
        return png  # not a plain PNG: keep it as it came
    text = json.dumps(recipe, ensure_ascii=False, sort_keys=True).encode()
    payload = RECIPE_KEY.encode("latin-1") + b"\0" + b"\0\0" + b"\0" + b"\0" + text
    return png[:-12] + _chunk(b"iTXt", payload) + png[-12:]


def read_recipe(data: bytes) -> dict[str, Any] | None:
    """The recipe of a PNG made by this app, or None (any other file, or a damaged chunk)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                return None
            raw = image.text.get(RECIPE_KEY)  # type: ignore[attr-defined]
    except Exception:
        return None
    if not raw:
        return None
    try:
        recipe = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(recipe, dict) or not isinstance(recipe.get("prompt"), str):
        return None
    return {key: recipe.get(key) for key in _FIELDS}
