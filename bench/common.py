"""Shared by the benchmarks: start the simulator and the app as real processes on loopback."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qwen_ui.serving import free_port  # noqa: E402

KEY = "sk-bench-key"


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVOLINK_", "QWEN_UI_"))}
    env.update({"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", "NO_PROXY": "127.0.0.1,localhost"})
    env.update(extra)
    return env


def wait_up(url: str, timeout_s: float = 30) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return time.monotonic() - started
        except httpx.HTTPError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def simulator(task_seconds: float, *extra: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "qwen_ui.simulator", "--port", str(port), "--api-key", KEY, "--task-seconds", str(task_seconds), *extra],
        cwd=ROOT,
        env=base_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(f"{url}/_simulator/stats")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextmanager
def app(simulator_url: str, *, public: bool = False, **settings: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``public=True``: the app's own loopback address is its public URL, so the API can call it back."""
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="qwen-bench-")
    if public:
        settings["QWEN_UI_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    env = base_env(
        EVOLINK_API_KEY=KEY,
        EVOLINK_BASE_URL=simulator_url,
        EVOLINK_FILES_URL=simulator_url,
        GRADIO_SERVER_PORT=str(port),
        QWEN_UI_DATA_DIR=data_dir,
        **settings,
    )
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_up(url)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=15)


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def picture(path: Path, size: tuple[int, int] = (640, 480), color: str = "teal") -> Path:
    from PIL import Image

    Image.new("RGB", size, color).save(path)
    return path
