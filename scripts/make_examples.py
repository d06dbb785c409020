"""Draw the example images shipped in examples/ (run once; the PNGs are committed)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "examples"


def mug() -> Image.Image:
    image = Image.new("RGB", (768, 576), (236, 228, 214))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 400, 768, 576), fill=(150, 105, 70))
    draw.rounded_rectangle((280, 200, 460, 420), radius=24, fill=(200, 40, 40))
    draw.ellipse((430, 250, 520, 360), outline=(200, 40, 40), width=22)
    draw.ellipse((280, 185, 460, 225), fill=(120, 20, 20))
    return image


def bird() -> Image.Image:
    image = Image.new("RGB", (640, 640), (190, 225, 250))
    draw = ImageDraw.Draw(image)
    draw.ellipse((200, 220, 440, 420), fill=(40, 90, 200))
    draw.ellipse((380, 170, 500, 290), fill=(40, 90, 200))
    draw.polygon([(495, 220), (560, 240), (495, 255)], fill=(240, 180, 30))
    draw.ellipse((440, 205, 460, 225), fill=(255, 255, 255))
    draw.polygon([(210, 320), (90, 260), (120, 360)], fill=(30, 70, 160))
    return image


def landscape() -> Image.Image:
    image = Image.new("RGB", (1024, 576), (135, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.polygon([(0, 420), (260, 180), (520, 420)], fill=(110, 120, 130))
    draw.polygon([(380, 420), (700, 140), (1024, 420)], fill=(90, 100, 115))
    draw.polygon([(640, 200), (700, 140), (760, 200)], fill=(250, 250, 250))
    draw.rectangle((0, 420, 1024, 576), fill=(80, 160, 80))
    draw.ellipse((820, 50, 920, 150), fill=(255, 220, 90))
    return image


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, make in (("mug", mug), ("bird", bird), ("landscape", landscape)):
        make().save(OUT / f"{name}.png", optimize=True)
        print(OUT / f"{name}.png")


if __name__ == "__main__":
    main()
