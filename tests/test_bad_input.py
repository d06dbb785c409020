"""Bad-input matrix through /edit (the page's own handler): a specific sentence naming the field,
and nothing is uploaded or sent to the API."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client

from qwen_ui.errors import InputError
from qwen_ui.runtime import Runtime
from qwen_ui.service import EditRequest
from qwen_ui.serving import ServerThread
from tests.apphelpers import app_error, connect, edit, running_app
from tests.helpers import SimulatorControl, image_bytes


@pytest.fixture(scope="module")
def app(simulator_server: ServerThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime]]:
    with running_app(simulator_server.url, tmp_path_factory.mktemp("bad-input")) as (url, runtime):
        yield url, runtime


@pytest.fixture
def gradio(app: tuple[str, Runtime], tmp_path: Path) -> Iterator[Client]:
    client = connect(app[0], tmp_path / "dl")
    yield client
    client.close()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def good(tmp_path: Path) -> Path:
    return write(tmp_path, "good.png", image_bytes((640, 480)))


PARAMETER_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("empty prompt", {"prompt": ""}, "prompt", "prompt is empty"),
    ("prompt over the limit", {"prompt": "word " * 2100}, "prompt", "at most 2000"),
    ("n=0", {"n": 0}, "n", "between 1 and 6"),
    ("n=7", {"n": 7}, "n", "between 1 and 6"),
    ("size abc", {"size": "abc"}, "size", "1024x1536"),
    ("size 100x100", {"size": "100x100"}, "size", "512–2048"),
    ("size 4096x4096", {"size": "4096x4096"}, "size", "512–2048"),
    ("size with n=2", {"size": "1024x1024", "n": 2}, "size", "n is 1"),
    ("seed -1", {"seed": -1}, "seed", "between 0 and 2147483647"),
    ("seed 2^31", {"seed": 2**31}, "seed", "between 0 and 2147483647"),
    ("callback http", {"callback_url": "http://example.com/hook"}, "callback_url", "https://"),
    ("callback too long", {"callback_url": "https://example.com/" + "a" * 2048}, "callback_url", "2048"),
    ("callback internal", {"callback_url": "https://10.0.0.8/hook"}, "callback_url", "internal"),
    ("callback metadata", {"callback_url": "https://169.254.169.254/latest"}, "callback_url", "internal"),
]


@pytest.mark.parametrize(("params", "field", "said"), [c[1:] for c in PARAMETER_CASES], ids=[c[0] for c in PARAMETER_CASES])
def test_a_bad_parameter_is_named_and_nothing_is_sent(
    gradio: Client, sim: SimulatorControl, tmp_path: Path, params: dict[str, Any], field: str, said: str
) -> None:
    message = app_error(gradio, [good(tmp_path)], **params)
    assert field in message and said in message
    assert sim.creates == 0 and sim.stats()["uploads"] == 0


def bomb() -> bytes:
    return image_bytes((12000, 12000), color=0, mode="L")


def truncated_jpeg() -> bytes:
    return image_bytes((800, 600), fmt="JPEG")[:700]


IMAGE_CASES: list[tuple[str, str, bytes, str]] = [
    ("text renamed .png", "notes.png", b"just some text\n" * 30, "not an image"),
    ("truncated jpeg", "cut.jpg", b"", "truncated or corrupt"),
    ("decompression bomb", "bomb.png", b"", "too many pixels"),
    ("svg with script", "x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not an image"),
    ("html renamed .jpg", "page.jpg", b"<html><body>hi</body></html>", "not an image"),
    ("extreme aspect", "strip.png", b"", "long and thin"),
    ("tga", "x.tga", b"", "not an image"),
]


@pytest.mark.parametrize(("name", "data", "said"), [c[1:] for c in IMAGE_CASES], ids=[c[0] for c in IMAGE_CASES])
def test_a_bad_image_is_named_by_its_slot_and_nothing_is_sent(
    gradio: Client, sim: SimulatorControl, tmp_path: Path, name: str, data: bytes, said: str
) -> None:
    generated = {
        "cut.jpg": truncated_jpeg,
        "bomb.png": bomb,
        "strip.png": lambda: image_bytes((3072, 100)),
        "x.tga": lambda: image_bytes((500, 500), fmt="TGA"),
    }
    bad = write(tmp_path, name, generated[name]() if name in generated else data)
    message = app_error(gradio, [good(tmp_path), bad])
    assert "Image 2" in message and said in message
    assert sim.creates == 0 and sim.stats()["uploads"] == 0


def test_no_image_at_all_is_named(gradio: Client, sim: SimulatorControl) -> None:
    assert "Add at least one image" in app_error(gradio, [])
    assert sim.creates == 0


def test_a_600_character_negative_prompt_is_truncated_and_the_page_says_so(gradio: Client, sim: SimulatorControl, tmp_path: Path) -> None:
    result = edit(gradio, [good(tmp_path)], negative_prompt="n" * 600)
    assert result[2].startswith("Done") and "only the first 500 are used" in result[4]


async def test_four_images_are_refused_before_anything_is_sent(app: tuple[str, Runtime], sim: SimulatorControl) -> None:
    request = EditRequest(images=[(f"Image {i}", image_bytes()) for i in range(1, 5)], prompt="x")
    with pytest.raises(InputError, match="at most 3"):
        async for _ in app[1].service.run(request):
            pass
    assert sim.creates == 0


def test_the_matrix_has_at_least_20_cases() -> None:
    assert len(PARAMETER_CASES) + len(IMAGE_CASES) + 3 >= 20


def test_uploads_over_the_size_limit_are_refused_by_gradio(app: tuple[str, Runtime]) -> None:
    import httpx

    limit = app[1].settings.max_upload_mb * 1024 * 1024
    big = io.BytesIO(b"\0" * (limit + 1))
    response = httpx.post(f"{app[0]}gradio_api/upload", files={"files": ("big.png", big, "image/png")})
    assert response.status_code == 413
