"""Checking and preparing input images with Pillow.

Every input goes through :func:`prepare_image` on bytes we own (never the
client's name or content type). It refuses what is not a single readable
image, applies EXIF orientation, brings the sides into the API's 384–3072 px
range, converts modes the API may not take, and removes metadata (the file
will sit at a public URL). An image that needs none of that is passed through
byte-identical.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from qwen_ui.api.schema import LIMITS
from qwen_ui.errors import ImageRejected

__all__ = ["PreparedImage", "prepare_image", "MAX_PIXELS", "strip_jpeg_metadata"]

MAX_PIXELS = 40_000_000
# Bombs are refused at open(), before any pixel is decoded.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
Image.init()  # register every plugin so formats= below can name WEBP and TIFF
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

_OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF")  # JPEG also opens MPO (phone photos)
_API_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "BMP": ("image/bmp", "bmp"),
    "TIFF": ("image/tiff", "tiff"),
}
_PASS_MODES = {"RGB", "RGBA", "L"}
_LOSSY = {"JPEG", "MPO"}


@dataclass(frozen=True)
class PreparedImage:
    """An input ready to host: its bytes, type, size and content hash."""

    data: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str
    passthrough: bool
    notes: tuple[str, ...] = ()


def prepare_image(data: bytes, *, slot: str = "Image 1", max_bytes: int = 20 * 1024 * 1024) -> PreparedImage:
    """Check and normalise one input; raise :class:`ImageRejected` with a sentence naming ``slot``."""
    if not data:
        raise ImageRejected(slot, f"{slot} is an empty file.")
    if len(data) > max_bytes:
        raise ImageRejected(slot, f"{slot} is {len(data) / 2**20:.1f} MB; the limit is {max_bytes // 2**20} MB.")
    image = original = _open(data, slot)
    notes: list[str] = []
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
        notes.append(f"{slot} is animated or has several pages; its first frame is used.")
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(slot, f"{slot} is truncated or corrupt and cannot be read.") from None
    source_format = image.format or ""
    orientation = image.getexif().get(0x0112)
    if orientation not in (None, 1):
        image = ImageOps.exif_transpose(image)
        notes.append(f"{slot} was rotated upright from its camera orientation.")
    converted = _normalise_mode(image)
    if converted is not image:
        notes.append(f"{slot} was converted from {image.mode} to {converted.mode}.")
    resized = _fit_sides(converted, slot)
    if resized is not converted:
        notes.append(
            f"{slot} was resized from {converted.width}x{converted.height} to {resized.width}x{resized.height} (the API takes 384–3072 px)."
        )
    unchanged = resized is original and getattr(original, "n_frames", 1) == 1
    if unchanged and source_format in _API_FORMATS and len(data) <= LIMITS.input_max_bytes:
        return _keep_original(data, image, source_format, notes)
    return _encode(resized, lossy_source=source_format in _LOSSY, notes=notes)


def _open(data: bytes, slot: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=_OPEN_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(
            slot, f"{slot} has too many pixels (over {MAX_PIXELS // 1_000_000} megapixels); it looks like a decompression bomb."
        ) from None
    except UnidentifiedImageError:
        raise ImageRejected(slot, f"{slot} is not an image in a supported format (JPG, PNG, WEBP, BMP, TIFF or GIF).") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRejected(slot, f"{slot} is truncated or corrupt and cannot be read.") from None
    if image.width * image.height > MAX_PIXELS:
        raise ImageRejected(slot, f"{slot} has too many pixels (over {MAX_PIXELS // 1_000_000} megapixels).")
    return image


def _normalise_mode(image: Image.Image) -> Image.Image:
    mode = image.mode
    if mode in _PASS_MODES:
        return image
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        scale = 1 / 256 if mode.startswith("I;16") or image.getextrema()[1] > 255 else 1  # type: ignore[index,operator]
        return image.convert("I").point(lambda v: v * scale).convert("L").convert("RGB")
    if mode == "F":
        return image.convert("L").convert("RGB")
    has_alpha = mode in ("LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB")


def _fit_sides(image: Image.Image, slot: str) -> Image.Image:
    lo, hi = LIMITS.input_min_px, LIMITS.input_max_px
    width, height = image.size
    scale = 1.0
    if max(width, height) > hi:
        scale = hi / max(width, height)
    elif min(width, height) < lo:
        scale = lo / min(width, height)
    if scale == 1.0:
        return image
    new_w, new_h = round(width * scale), round(height * scale)
    if max(new_w, new_h) > hi or min(new_w, new_h) < lo:
        raise ImageRejected(
            slot,
            f"{slot} is {width}x{height}: too long and thin for the API, which needs both sides within {lo}–{hi} px. Crop it closer to a 1:8 aspect or less.",
        )
    return image.resize((new_w, new_h), Image.Resampling.LANCZOS)


def _keep_original(data: bytes, image: Image.Image, source_format: str, notes: list[str]) -> PreparedImage:
    content_type, ext = _API_FORMATS[source_format]
    passthrough = True
    if source_format == "JPEG":
        stripped = strip_jpeg_metadata(data)
        if stripped != data:
            notes.append("Camera metadata (EXIF/GPS) was removed without re-encoding.")
            data, passthrough = stripped, False
    elif image.info.get("exif") or image.info.get("xmp") or image.info.get("XML:com.adobe.xmp"):
        return _encode(image, lossy_source=False, notes=[*notes, "Camera metadata (EXIF/XMP) was removed."])
    return PreparedImage(data, content_type, ext, image.width, image.height, hashlib.sha256(data).hexdigest(), passthrough, tuple(notes))


def _encode(image: Image.Image, *, lossy_source: bool, notes: list[str]) -> PreparedImage:
    alpha = image.mode in ("RGBA", "LA")
    out = io.BytesIO()
    if lossy_source and not alpha:
        image.convert("RGB").save(out, format="JPEG", quality=95)
        content_type, ext = "image/jpeg", "jpg"
    else:
        image.save(out, format="PNG", compress_level=3)
        content_type, ext = "image/png", "png"
        if out.tell() > LIMITS.input_max_bytes and not alpha:
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=95)
            content_type, ext = "image/jpeg", "jpg"
    data = out.getvalue()
    return PreparedImage(data, content_type, ext, image.width, image.height, hashlib.sha256(data).hexdigest(), False, tuple(notes))


_DROP_APP_MARKERS = {0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE}  # EXIF/XMP, APP3–13, APP15, comments; keep JFIF, ICC (APP2), Adobe (APP14)


def strip_jpeg_metadata(data: bytes) -> bytes:
    """Drop EXIF/XMP/comment segments from a baseline JPEG without touching the pixels."""
    if data[:2] != b"\xff\xd8":
        return data
    out = bytearray(b"\xff\xd8")
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return data
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[pos:]
            return bytes(out)
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > len(data):
            return data
        if marker not in _DROP_APP_MARKERS:
            out += data[pos : pos + 2 + length]
        pos += 2 + length
    return data
