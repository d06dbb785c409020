"""``python app.py`` on a fresh start: page served quickly, simulator banner, bad settings named."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qwen_ui.serving import free_port

ROOT = Path(__file__).resolve().parents[1]


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVOLINK_", "QWEN_UI_"))}
    # A dead proxy: any outbound call at start-up would fail (the app must not make one).
    env.update(
        {
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "HTTP_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
            "QWEN_UI_DATA_DIR": str(tmp_path / "data"),
        }
    )
    env.update(extra)
    return env


@pytest.fixture
def running_app(tmp_path: Path) -> Iterator[tuple[str, float, subprocess.Popen[bytes]]]:
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=app_env(tmp_path, GRADIO_SERVER_PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        while time.monotonic() - started < 30:
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url, time.monotonic() - started, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_page_is_served_within_10_seconds_with_no_network(running_app: tuple[str, float, subprocess.Popen[bytes]]) -> None:
    url, elapsed, _ = running_app
    assert httpx.get(url).status_code == 200
    assert elapsed < 10, f"first page after {elapsed:.1f} s"


def test_simulator_mode_is_labelled_on_the_page(running_app: tuple[str, float, subprocess.Popen[bytes]]) -> None:
    url, _, _ = running_app
    config = httpx.get(f"{url}/config").text
    assert "Local simulator" in config and "EVOLINK_API_KEY" in config


def test_the_edit_endpoint_is_published_with_keyword_parameters(running_app: tuple[str, float, subprocess.Popen[bytes]]) -> None:
    url, _, _ = running_app
    info = httpx.get(f"{url}/gradio_api/info").json()
    names = [p["parameter_name"] for p in info["named_endpoints"]["/edit"]["parameters"]]
    assert names == [
        "image1",
        "image2",
        "image3",
        "prompt",
        "negative_prompt",
        "n",
        "size",
        "seed",
        "randomize_seed",
        "prompt_extend",
        "watermark",
        "callback_url",
    ]


def test_an_invalid_setting_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=app_env(tmp_path, GRADIO_SERVER_PORT="not-a-port"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "GRADIO_SERVER_PORT" in result.stderr


def test_the_edit_endpoint_documents_its_parameters(running_app: tuple[str, float, subprocess.Popen[bytes]]) -> None:
    url, _, _ = running_app
    endpoint = httpx.get(f"{url}/gradio_api/info").json()["named_endpoints"]["/edit"]
    for parameter in endpoint["parameters"]:
        assert f"{parameter['parameter_name']}:" in endpoint["description"]
    assert "each side 512–2048; only with n = 1" in endpoint["description"]
