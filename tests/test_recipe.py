"""The recipe travels inside each result PNG and brings the settings back."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from qwen_ui.cache import CacheKey
from qwen_ui.recipe import embed_recipe, read_recipe, recipe_for
from qwen_ui.ui import text
from qwen_ui.ui.handlers import restore_from_png
from tests.helpers import image_bytes

KEY = CacheKey("qwen-image-edit-plus", "把背景换成海边 and add a boat", "blurry", 77, 1, "1024x1536", False, True, ("a" * 64, "b" * 64))


def test_the_recipe_round_trips_and_the_pixels_are_untouched() -> None:
    png = image_bytes((640, 480))
    saved = embed_recipe(png, recipe_for(KEY, "task-unified-1-abcdefgh", 1))
    recipe = read_recipe(saved)
    assert recipe is not None
    assert recipe["prompt"] == KEY.prompt and recipe["seed"] == 77 and recipe["size"] == "1024x1536"
    assert recipe["prompt_extend"] is False and recipe["watermark"] is True and recipe["input_sha256"] == list(KEY.input_sha256)
    assert Image.open(io.BytesIO(saved)).tobytes() == Image.open(io.BytesIO(png)).tobytes()


def test_files_without_a_recipe_give_none() -> None:
    assert read_recipe(image_bytes()) is None
    assert read_recipe(image_bytes(fmt="JPEG")) is None
    assert read_recipe(b"not an image") is None
    assert embed_recipe(b"not a png", {"prompt": "x"}) == b"not a png"


def test_dropping_a_result_png_restores_every_setting(tmp_path: Path) -> None:
    path = tmp_path / "result.png"
    path.write_bytes(embed_recipe(image_bytes(), recipe_for(KEY, "task-unified-1-abcdefgh", 1)))
    prompt, negative, n, choice, width, height, seed, randomize, extend, watermark, message = restore_from_png(str(path))
    assert (prompt, negative, n, choice, width, height, seed, randomize, extend, watermark) == (
        KEY.prompt,
        "blurry",
        1,
        "1024x1536",
        1024,
        1536,
        77,
        False,
        False,
        True,
    )
    assert "task-unified-1-abcdefgh" in message


def test_a_png_without_a_recipe_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "plain.png"
    path.write_bytes(image_bytes())
    *fields, message = restore_from_png(str(path))
    assert message == text.RECIPE_MISSING
    assert all(field == {"__type__": "update"} for field in fields)
