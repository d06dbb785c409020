"""Cache hit vs miss through the app's /edit endpoint (gradio_client), and the service's own time for a hit.

.venv/bin/python bench/cache.py [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from common import KEY, app, median, picture, simulator
from gradio_client import Client, handle_file

from qwen_ui.config import load_settings
from qwen_ui.runtime import build_runtime
from qwen_ui.service import EditRequest


def call(client: Client, image: Path, seed: int) -> float:
    started = time.perf_counter()
    client.predict(image1=handle_file(str(image)), prompt="cache bench", seed=seed, randomize_seed=False, api_name="/edit")
    return time.perf_counter() - started


async def service_hit_times(sim_url: str, image: Path, runs: int) -> list[float]:
    """Server-side time of a hit: the edit use case alone, from request to finished result."""
    runtime = build_runtime(
        load_settings(
            {"EVOLINK_API_KEY": KEY, "EVOLINK_BASE_URL": sim_url, "EVOLINK_FILES_URL": sim_url, "QWEN_UI_DATA_DIR": tempfile.mkdtemp()}
        )
    )
    request = EditRequest(images=[("Image 1", image.read_bytes())], prompt="cache bench", seed=99)
    async for _ in runtime.service.run(request):
        pass
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        async for _ in runtime.service.run(request):
            pass
        times.append(time.perf_counter() - started)
    await runtime.http.aclose()
    runtime.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    image = picture(Path(tempfile.mkdtemp()) / "in.png")
    with simulator(1.0) as sim_url:
        with app(sim_url) as (app_url, _):
            client = Client(app_url, verbose=False, analytics_enabled=False, download_files=False)
            misses = [call(client, image, seed) for seed in range(1000, 1000 + max(3, args.runs // 4))]
            call(client, image, 7)
            hits = [call(client, image, 7) for _ in range(args.runs)]
        service = asyncio.run(service_hit_times(sim_url, image, args.runs))
    print("cache through /edit (client round trip, 1 s simulated tasks)")
    print(f"  hit  p50 {median(hits) * 1000:.0f} ms   (n={len(hits)})")
    print(f"  miss p50 {median(misses) * 1000:.0f} ms   (n={len(misses)})  ← baseline")
    print(f"  ratio hit/miss p50: {median(hits) / median(misses):.3f}")
    print(f"  server time of a hit (service alone) p50 {median(service) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
