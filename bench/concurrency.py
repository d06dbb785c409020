"""Many edits at once in one app process: each edit's time as a ratio to the simulator's task time,
polls sent, app CPU seconds and peak RSS. Baseline in the same run: the same app with Gradio's
default queue settings (one edit at a time per event).

    .venv/bin/python bench/concurrency.py [--edits 100] [--baseline-edits 10] [--task-seconds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
from common import app, median, p95, picture, simulator


async def one_edit(http: httpx.AsyncClient, url: str, image: dict[str, Any], n: int) -> float:
    started = time.monotonic()
    data = [image, None, None, f"concurrency {n}", "", 1, "auto", 0, True, True, False, ""]
    event_id = (await http.post(f"{url}/gradio_api/call/edit", json={"data": data})).json()["event_id"]
    async with http.stream("GET", f"{url}/gradio_api/call/edit/{event_id}") as stream:
        kind = ""
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                if kind == "error" or not str(json.loads(line[5:])[2]).startswith("Done"):
                    raise RuntimeError(line[:200])
                return time.monotonic() - started
    raise RuntimeError("no result")


def measure(url: str, process: Any, sim_url: str, edits: int, image_path: Path) -> dict[str, float]:
    with image_path.open("rb") as handle:
        uploaded = httpx.post(f"{url}/gradio_api/upload", files={"files": ("in.png", handle, "image/png")}).json()[0]
    image = {"path": uploaded, "meta": {"_type": "gradio.FileData"}}
    proc = psutil.Process(process.pid)
    peak = [proc.memory_info().rss]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak.append(proc.memory_info().rss)
            time.sleep(0.2)

    threading.Thread(target=sample, daemon=True).start()
    gets_before = httpx.get(f"{sim_url}/_simulator/stats").json()["gets"]
    cpu_before = sum(proc.cpu_times()[:2])

    async def run() -> list[float]:
        async with httpx.AsyncClient(timeout=httpx.Timeout(600.0), limits=httpx.Limits(max_connections=edits * 2)) as http:
            return await asyncio.gather(*(one_edit(http, url, image, n) for n in range(edits)))

    times = asyncio.run(run())
    stop.set()
    stats = httpx.get(f"{sim_url}/_simulator/stats").json()
    lags = stats["completion_lag_s"][-edits:]
    created = stats["created_unix"][-edits:]
    return {
        "create_spread_s": created[-1] - created[0],
        "sim_lag_p50": median(lags) if lags else 0.0,
        "sim_lag_p95": p95(lags) if lags else 0.0,
        "p50": median(times),
        "p95": p95(times),
        "cpu": sum(proc.cpu_times()[:2]) - cpu_before,
        "rss_mb": max(peak) / 2**20,
        "polls": httpx.get(f"{sim_url}/_simulator/stats").json()["gets"] - gets_before,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--baseline-edits", type=int, default=10)
    parser.add_argument("--task-seconds", type=float, default=2.0)
    args = parser.parse_args()
    image = picture(Path(tempfile.mkdtemp()) / "in.png")
    with simulator(args.task_seconds) as sim_url:
        with app(sim_url, QWEN_UI_MAX_CONCURRENT_EDITS="256", QWEN_UI_QUEUE_MAX_SIZE="1000") as (url, process):
            ours = measure(url, process, sim_url, args.edits, image)
        with app(sim_url, QWEN_UI_MAX_CONCURRENT_EDITS="1", QWEN_UI_QUEUE_MAX_SIZE="1000") as (url, process):
            base = measure(url, process, sim_url, args.baseline_edits, image)
    t = args.task_seconds
    print(f"concurrent edits, one app process, {t:g} s simulated tasks")
    print(
        f"  app ({args.edits} at once): p50 {ours['p50'] / t:.2f}x  p95 {ours['p95'] / t:.2f}x task time | polls {ours['polls']:.0f} | CPU {ours['cpu']:.1f} s | peak RSS {ours['rss_mb']:.0f} MB"
    )
    print(
        f"  the simulator itself finished tasks late by p50 {ours['sim_lag_p50']:.2f} s, p95 {ours['sim_lag_p95']:.2f} s (its CPU is shared with the app); creates spread over {ours['create_spread_s']:.2f} s"
    )
    print(
        f"  baseline, Gradio default concurrency 1 ({args.baseline_edits} at once): p50 {base['p50'] / t:.2f}x  p95 {base['p95'] / t:.2f}x task time | CPU {base['cpu']:.1f} s"
    )


if __name__ == "__main__":
    main()
