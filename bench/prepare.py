"""Preparing and hosting 3 × 3072×3072 JPEG inputs (our gate + self-hosted signed files), and the
byte-identical pass-through case. Baseline in the same run: the naive way, decoding and re-saving
every input as PNG.

    .venv/bin/python bench/prepare.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import tempfile
import time
from pathlib import Path

from common import median
from PIL import Image

from qwen_ui.hosting.selfhost import SignedFileHost
from qwen_ui.images import prepare_image
from qwen_ui.secrets import Secret


def photo(size: int, seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.effect_noise((size, size), 40).convert("RGB")
    image = Image.blend(image, Image.new("RGB", image.size, tuple(rng.randrange(256) for _ in range(3))), 0.5)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


async def ours(inputs: list[bytes], host: SignedFileHost) -> float:
    started = time.perf_counter()
    prepared = await asyncio.gather(*(asyncio.to_thread(prepare_image, data, slot=f"Image {i}") for i, data in enumerate(inputs, 1)))
    for image in prepared:
        await host.host(image)
    return time.perf_counter() - started


def naive(inputs: list[bytes], folder: Path) -> float:
    started = time.perf_counter()
    for i, data in enumerate(inputs):
        image = Image.open(io.BytesIO(data)).convert("RGB")
        image.save(folder / f"naive-{i}.png")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    host = SignedFileHost(folder / "share", key=Secret("k" * 32), public_base_url="https://example.com", ttl_s=3600)
    big = [photo(3072, seed) for seed in range(3)]
    small = [photo(1024, seed) for seed in range(3)]
    assert all(prepare_image(d).passthrough for d in big + small)
    big_ours = [asyncio.run(ours(big, host)) for _ in range(args.runs)]
    big_naive = [naive(big, folder) for _ in range(args.runs)]
    small_ours = [asyncio.run(ours(small, host)) for _ in range(args.runs)]
    huge = [photo(4000, seed) for seed in range(3)]  # needs a resize: the re-encode path
    huge_ours = [asyncio.run(ours(huge, host)) for _ in range(max(2, args.runs // 2))]
    print("prepare + host 3 inputs (median of runs)")
    print(f"  3 × 3072² JPEG, pass-through (byte-identical)  {median(big_ours):.3f} s")
    print(f"  baseline: naive decode + PNG re-save           {median(big_naive):.3f} s   ratio {median(big_ours) / median(big_naive):.3f}")
    print(f"  3 × 1024² JPEG, pass-through                   {median(small_ours):.3f} s")
    print(f"  3 × 4000² JPEG, resized to 3072 and re-encoded {median(huge_ours):.3f} s")


if __name__ == "__main__":
    main()
