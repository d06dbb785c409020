"""Added latency: from the simulator marking a task completed to the results being available
through the app's /edit endpoint (gradio_client), with adaptive polling and with callback push.
Baseline in the same run: a naive client that polls the API every 5 s and then downloads.

    .venv/bin/python bench/latency.py [--runs 8] [--task-seconds 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx
from common import KEY, app, median, picture, simulator
from gradio_client import Client, handle_file


def app_latency(app_url: str, sim_url: str, image: Path, runs: int) -> list[float]:
    # download_files=False: measure when the server has the result, not the client's own download.
    client = Client(app_url, verbose=False, analytics_enabled=False, download_files=False)
    added = []
    for i in range(runs):
        result = client.predict(image1=handle_file(str(image)), prompt=f"latency {i}", seed=i, randomize_seed=False, api_name="/edit")
        available = time.time()
        task_id = result[4].split("`")[1]
        completed = httpx.get(f"{sim_url}/_simulator/tasks/{task_id}").json()["completed_unix"]
        added.append(available - completed)
    return added


def naive_latency(sim_url: str, image: Path, runs: int, every_s: float = 5.0) -> list[float]:
    auth = {"Authorization": f"Bearer {KEY}"}
    url = httpx.post(
        f"{sim_url}/api/v1/files/upload/stream", headers=auth, files={"file": ("in.png", image.read_bytes(), "image/png")}
    ).json()["data"]["file_url"]
    added = []
    for i in range(runs):
        task = httpx.post(
            f"{sim_url}/v1/images/generations",
            headers=auth,
            json={"model": "qwen-image-edit-plus", "prompt": f"naive {i}", "image_urls": [url], "seed": i},
        ).json()
        while task["status"] not in ("completed", "failed"):
            time.sleep(every_s)
            task = httpx.get(f"{sim_url}/v1/tasks/{task['id']}", headers=auth).json()
        for result in task["results"]:
            httpx.get(result)
        available = time.time()
        added.append(available - httpx.get(f"{sim_url}/_simulator/tasks/{task['id']}").json()["completed_unix"])
    return added


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--task-seconds", type=float, default=2.0)
    args = parser.parse_args()
    image = picture(Path(tempfile.mkdtemp()) / "in.png")
    with simulator(args.task_seconds, "--allow-local-callbacks") as sim_url:
        with app(sim_url) as (app_url, _):
            polled = app_latency(app_url, sim_url, image, args.runs)
        with app(sim_url, public=True) as (app_url, _):
            pushed = app_latency(app_url, sim_url, image, args.runs)
        naive = naive_latency(sim_url, image, max(3, args.runs // 2))
    print(f"added latency after completion, {args.task_seconds:g} s tasks")
    print(f"  app, adaptive polling (via /edit) p50 {median(polled):.3f} s  max {max(polled):.3f} s  (n={len(polled)})")
    print(f"  app, callback push    (via /edit) p50 {median(pushed):.3f} s  max {max(pushed):.3f} s  (n={len(pushed)})")
    print(f"  baseline: naive 5 s polling       p50 {median(naive):.3f} s  max {max(naive):.3f} s  (n={len(naive)})")
    print(
        f"  ratios p50: polling/baseline {median(polled) / median(naive):.2f}, push/baseline {median(pushed) / median(naive):.2f}, push/polling {median(pushed) / median(polled):.2f}"
    )


if __name__ == "__main__":
    main()
