"""Input preparation with generated images: prepared correctly or refused with a specific message."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from qwen_ui.errors import ImageRejected
from qwen_ui.images import prepare_image, strip_jpeg_metadata
from tests.helpers import image_bytes


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refused(data: bytes, slot: str = "Image 2") -> str:
    with pytest.raises(ImageRejected) as caught:
        prepare_image(data, slot=slot)
    assert caught.value.field == slot and slot in str(caught.value)
    return str(caught.value)


def test_a_valid_png_passes_through_byte_identical() -> None:
    data = image_bytes((800, 600))
    prepared = prepare_image(data)
    assert prepared.passthrough and prepared.data == data and prepared.content_type == "image/png"


def test_a_valid_jpeg_without_metadata_passes_through_byte_identical() -> None:
    data = image_bytes((800, 600), fmt="JPEG")
    assert prepare_image(data).data == data


def test_a_tiny_image_is_upscaled_to_384() -> None:
    prepared = prepare_image(image_bytes((100, 100)))
    assert (prepared.width, prepared.height) == (384, 384) == opened(prepared.data).size
    assert "resized" in prepared.notes[0]


def test_a_huge_image_is_downscaled_to_3072_keeping_aspect() -> None:
    prepared = prepare_image(image_bytes((5000, 2500), fmt="JPEG"))
    assert opened(prepared.data).size == (3072, 1536)


def test_a_16_bit_png_becomes_8_bit() -> None:
    image = Image.new("I;16", (500, 500))
    image.putpixel((0, 0), 65535)
    out = io.BytesIO()
    image.save(out, format="PNG")
    prepared = prepare_image(out.getvalue())
    result = opened(prepared.data)
    assert result.mode == "RGB" and result.getpixel((0, 0)) == (255, 255, 255)


def test_a_cmyk_jpeg_becomes_rgb() -> None:
    prepared = prepare_image(image_bytes((500, 500), color=(0, 255, 255, 0), mode="CMYK", fmt="JPEG"))
    assert opened(prepared.data).mode == "RGB" and prepared.content_type == "image/jpeg"


def test_an_exif_rotated_jpeg_is_turned_upright() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    data = image_bytes((600, 400), fmt="JPEG", exif=exif)
    prepared = prepare_image(data)
    result = opened(prepared.data)
    assert result.size == (400, 600) and result.getexif().get(0x0112) is None


def test_camera_metadata_is_removed_without_re_encoding() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x8825] = {1: "N"}  # GPS
    data = image_bytes((600, 400), fmt="JPEG", exif=exif)
    prepared = prepare_image(data)
    assert not opened(prepared.data).getexif()
    assert prepared.data == strip_jpeg_metadata(data) and len(prepared.data) < len(data)


def test_a_palette_png_with_transparency_becomes_rgba_png() -> None:
    image = Image.new("P", (500, 500))
    out = io.BytesIO()
    image.save(out, format="PNG", transparency=0)
    prepared = prepare_image(out.getvalue())
    assert opened(prepared.data).mode == "RGBA" and prepared.content_type == "image/png"


def test_an_animated_gif_uses_its_first_frame() -> None:
    frames = [Image.new("RGB", (500, 500), color) for color in ("red", "blue", "green")]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    prepared = prepare_image(out.getvalue())
    result = opened(prepared.data)
    assert result.format == "PNG" and result.getpixel((5, 5))[:3] == (255, 0, 0)
    assert "first frame" in prepared.notes[0]


def test_a_truncated_file_is_refused() -> None:
    assert "truncated or corrupt" in refused(image_bytes((800, 600), fmt="JPEG")[:600])


def test_a_text_file_renamed_png_is_refused() -> None:
    assert "not an image" in refused(b"hello, this is text\n" * 20)


def test_an_svg_is_refused() -> None:
    assert "not an image" in refused(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')


def test_an_empty_file_is_refused() -> None:
    assert "empty" in refused(b"")


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = image_bytes((12000, 12000), color=0, mode="L")
    assert len(bomb) < 1_000_000
    assert "too many pixels" in refused(bomb)


def test_an_extreme_aspect_ratio_is_refused() -> None:
    assert "long and thin" in refused(image_bytes((3072, 100)))


def test_an_over_size_upload_is_refused() -> None:
    with pytest.raises(ImageRejected, match="limit is 1 MB"):
        prepare_image(image_bytes((2000, 2000), fmt="BMP"), max_bytes=1024 * 1024)


def test_a_tga_is_refused_even_though_pillow_can_read_it() -> None:
    assert "not an image" in refused(image_bytes((500, 500), fmt="TGA"))
