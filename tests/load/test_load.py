"""Bounded load test (loopback only, stops by itself): 100 concurrent sessions × 3 edits against a
simulator with 2 s tasks. Run it with:  .venv/bin/python -m pytest -m load -s
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from PIL import Image

from qwen_ui.serving import free_port
from tests.test_startup import ROOT, app_env

pytestmark = pytest.mark.load
SESSIONS, EDITS_PER_SESSION, TASK_SECONDS = 100, 3, 2.0
KEY = "sk-load-test-key"


def wait_up(url: str, path: str = "/") -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + path, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not start")


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[str, str, psutil.Process]]:
    sim_port, app_port = free_port(), free_port()
    sim = subprocess.Popen(
        [sys.executable, "-m", "qwen_ui.simulator", "--port", str(sim_port), "--api-key", KEY, "--task-seconds", str(TASK_SECONDS)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sim_url = f"http://127.0.0.1:{sim_port}"
    env = app_env(
        tmp_path,
        EVOLINK_API_KEY=KEY,
        EVOLINK_BASE_URL=sim_url,
        EVOLINK_FILES_URL=sim_url,
        GRADIO_SERVER_PORT=str(app_port),
        QWEN_UI_MAX_CONCURRENT_EDITS="200",
        QWEN_UI_QUEUE_MAX_SIZE="1000",
    )
    app = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    app_url = f"http://127.0.0.1:{app_port}"
    try:
        wait_up(sim_url, "/_simulator/stats")
        wait_up(app_url)
        yield app_url, sim_url, psutil.Process(app.pid)
    finally:
        for process in (app, sim):
            process.terminate()
            process.wait(timeout=15)


async def one_edit(http: httpx.AsyncClient, app_url: str, image: dict[str, Any], prompt: str) -> tuple[bool, float, str]:
    started = time.monotonic()
    data = [image, None, None, prompt, "", 1, "auto", 0, True, True, False, ""]
    event_id = (await http.post(f"{app_url}/gradio_api/call/edit", json={"data": data})).json()["event_id"]
    kind = ""
    async with http.stream("GET", f"{app_url}/gradio_api/call/edit/{event_id}") as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                payload = json.loads(line.split(":", 1)[1])
                ok = kind == "complete" and len(payload[0]) == 1 and str(payload[2]).startswith("Done")
                return ok, time.monotonic() - started, "" if ok else str(payload)[:200]
    return False, time.monotonic() - started, "stream ended without a result"


async def session(http: httpx.AsyncClient, app_url: str, image: dict[str, Any], number: int) -> list[tuple[bool, float, str]]:
    return [await one_edit(http, app_url, image, f"session {number} edit {i}") for i in range(EDITS_PER_SESSION)]


def test_100_sessions_doing_3_edits_each(stack: tuple[str, str, psutil.Process], tmp_path: Path) -> None:
    app_url, sim_url, app_process = stack
    picture = tmp_path / "load.png"
    Image.new("RGB", (640, 480), "olive").save(picture)
    with picture.open("rb") as handle:
        uploaded = httpx.post(f"{app_url}/gradio_api/upload", files={"files": ("load.png", handle, "image/png")}).json()[0]
    image = {"path": uploaded, "meta": {"_type": "gradio.FileData"}, "orig_name": "load.png"}
    peak_rss = [app_process.memory_info().rss]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak_rss.append(app_process.memory_info().rss)
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cpu_before = sum(app_process.cpu_times()[:2])

    async def run_all() -> list[list[tuple[bool, float, str]]]:
        limits = httpx.Limits(max_connections=SESSIONS * 2, max_keepalive_connections=SESSIONS * 2)
        async with httpx.AsyncClient(timeout=httpx.Timeout(120.0), limits=limits) as http:
            return await asyncio.wait_for(asyncio.gather(*(session(http, app_url, image, n) for n in range(SESSIONS))), timeout=300)

    started = time.monotonic()
    results = [edit for per_session in asyncio.run(run_all()) for edit in per_session]
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    cpu = sum(app_process.cpu_times()[:2]) - cpu_before
    stats = httpx.get(f"{sim_url}/_simulator/stats").json()
    times = sorted(t for _, t, _ in results)
    errors = [why for ok, _, why in results if not ok]
    print(
        f"\nload: {SESSIONS} sessions x {EDITS_PER_SESSION} edits, {TASK_SECONDS:g} s tasks | wall {wall:.1f} s | "
        f"edit p50 {statistics.median(times):.2f} s p95 {times[int(len(times) * 0.95) - 1]:.2f} s max {times[-1]:.2f} s | "
        f"errors {len(errors)} | creates {stats['creates']} | polls {stats['gets']} | app CPU {cpu:.1f} s | peak RSS {max(peak_rss) / 2**20:.0f} MB"
    )
    assert errors == []
    assert len(results) == SESSIONS * EDITS_PER_SESSION
    assert stats["creates"] == SESSIONS * EDITS_PER_SESSION
