"""Real, deterministic fake edits made with Pillow.

Equal seed, prompt and inputs give byte-identical PNGs. The output follows
the requested size, or the last input's aspect at about one megapixel, and is
plainly marked as simulated.
"""

from __future__ import annotations

import hashlib
import io
import random

from PIL import Image, ImageDraw, ImageFont, ImageOps

from qwen_ui.api.schema import auto_output_size

__all__ = ["render_outputs"]


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _base(inputs: list[Image.Image], size: tuple[int, int]) -> Image.Image:
    canvas = ImageOps.fit(inputs[-1].convert("RGB"), size, method=Image.Resampling.BILINEAR)
    thumb_h = max(48, size[1] // 6)
    x = 12
    for extra in inputs[:-1]:
        thumb = ImageOps.contain(extra.convert("RGB"), (size[0] // 3, thumb_h))
        canvas.paste(thumb, (x, 12 + thumb_h // 3))
        x += thumb.width + 8
    return canvas


def _render_one(base: Image.Image, *, rng: random.Random, prompt: str, seed: int, index: int, n: int, watermark: bool) -> bytes:
    width, height = base.size
    tint = Image.new("RGB", base.size, tuple(rng.randrange(40, 216) for _ in range(3)))
    image = Image.blend(base, tint, 0.28)
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(4):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(min(width, height) // 12, min(width, height) // 4)
        draw.ellipse((x0 - r, y0 - r, x0 + r, y0 + r), fill=(*[rng.randrange(256) for _ in range(3)], 70))
    banner = max(18, height // 22)
    draw.rectangle((0, 0, width, banner + 12), fill=(0, 0, 0, 170))
    draw.text((10, 6), f"SIMULATED · qwen-image-edit-plus · seed {seed} · {index + 1}/{n}", font=_font(banner), fill=(255, 255, 255, 255))
    caption = prompt if len(prompt) <= 90 else prompt[:87] + "..."
    small = max(14, height // 34)
    draw.rectangle((0, height - small - 16, width, height), fill=(0, 0, 0, 140))
    draw.text((10, height - small - 10), caption, font=_font(small), fill=(255, 255, 255, 255))
    if watermark:
        mark = _font(max(16, height // 28))
        text_w = draw.textlength("Qwen-Image", font=mark)
        draw.text((width - text_w - 14, height - 2 * small - 40), "Qwen-Image", font=mark, fill=(255, 255, 255, 200))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def render_outputs(
    inputs: list[Image.Image],
    *,
    input_digest: str,
    prompt: str,
    seed: int,
    n: int,
    size: tuple[int, int] | None,
    watermark: bool,
) -> list[bytes]:
    """``n`` PNGs; deterministic in (inputs, prompt, seed, size, watermark)."""
    out_size = size or auto_output_size(*inputs[-1].size)
    base = _base(inputs, out_size)
    outputs = []
    for index in range(n):
        digest = hashlib.sha256(f"{input_digest}|{prompt}|{seed}|{index}".encode()).digest()
        rng = random.Random(digest)
        outputs.append(_render_one(base, rng=rng, prompt=prompt, seed=seed, index=index, n=n, watermark=watermark))
    return outputs
