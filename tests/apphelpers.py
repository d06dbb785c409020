"""Starting the app against the test simulator and calling its /edit endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file

from qwen_ui.config import load_settings
from qwen_ui.runtime import Runtime, build_runtime
from qwen_ui.serving import free_port
from qwen_ui.ui import build_demo, launch_options
from tests.conftest import FAST_RETRY, TEST_KEY


@contextmanager
def running_app(simulator_url: str, data_dir: Path, key: str = TEST_KEY, **env: str) -> Iterator[tuple[str, Runtime]]:
    """The app, in this process, talking to the test simulator; closed on exit. Yields (url, runtime)."""
    settings = load_settings(
        {
            "EVOLINK_API_KEY": key,
            "EVOLINK_BASE_URL": simulator_url,
            "EVOLINK_FILES_URL": simulator_url,
            "QWEN_UI_DATA_DIR": str(data_dir),
            "GRADIO_SERVER_PORT": str(free_port()),
            **env,
        }
    )
    runtime = build_runtime(settings)
    runtime.client.retry = FAST_RETRY
    demo = build_demo(runtime)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(runtime))
    try:
        yield url, runtime
    finally:
        demo.close()
        runtime.close()


def connect(url: str, downloads: Path) -> Client:
    """A gradio_client for the app, saving result files under ``downloads``."""
    return Client(url, verbose=False, analytics_enabled=False, download_files=str(downloads))


def edit_arguments(images: list[Path | None], **params: Any) -> dict[str, Any]:
    """Keyword arguments for /edit: the given images in slot order, defaults for the rest."""
    files = [handle_file(str(p)) if p else None for p in [*images, None, None, None][:3]]
    values: dict[str, Any] = {
        "prompt": "make it look like a watercolor",
        "negative_prompt": "",
        "n": 1,
        "size": "auto",
        "seed": 1234,
        "randomize_seed": False,
        "prompt_extend": True,
        "watermark": False,
        "callback_url": "",
    }
    values.update(params)
    return {"image1": files[0], "image2": files[1], "image3": files[2], "api_name": "/edit", **values}


def edit(gradio: Client, images: list[Path | None], **params: Any) -> tuple[Any, ...]:
    return gradio.predict(**edit_arguments(images, **params))


def submit_edit(gradio: Client, images: list[Path | None], **params: Any) -> Any:
    """Start an edit without waiting: a gradio_client Job."""
    return gradio.submit(**edit_arguments(images, **params))


def app_error(gradio: Client, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(Exception) as caught:
        edit(gradio, *args, **kwargs)
    assert type(caught.value).__name__ == "AppError"
    return str(caught.value)
