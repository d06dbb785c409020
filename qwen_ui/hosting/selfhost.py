"""The app serves prepared inputs itself at unguessable, HMAC-signed, expiring URLs.

``/share/<name>?exp=<unix>&sig=<hex>``: the name is 128 random bits plus our
own extension; a bad name, a tampered signature, an expired link and a missing
file all get the same 404. There is no listing.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from qwen_ui.hosting.base import HostedImage
from qwen_ui.images import PreparedImage
from qwen_ui.secrets import Secret

__all__ = ["SignedFileHost", "SHARE_PREFIX"]

SHARE_PREFIX = "/share"
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.(png|jpg|webp|bmp|tiff)$")
_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "bmp": "image/bmp", "tiff": "image/tiff"}
_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Referrer-Policy": "no-referrer",
}


class SignedFileHost:
    name = "self"

    def __init__(self, directory: Path, *, key: Secret, public_base_url: str, ttl_s: int, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._key = key.reveal().encode()
        self.public_base_url = public_base_url.rstrip("/")
        self.ttl_s = ttl_s
        self._clock = clock

    def sign(self, name: str, expires: int) -> str:
        return hmac.new(self._key, f"{name}:{expires}".encode(), hashlib.sha256).hexdigest()

    async def host(self, image: PreparedImage) -> HostedImage:
        name = f"{secrets.token_urlsafe(16)}.{image.extension}"
        await asyncio.to_thread((self.directory / name).write_bytes, image.data)
        expires = int(self._clock()) + self.ttl_s
        url = f"{self.public_base_url}{SHARE_PREFIX}/{name}?exp={expires}&sig={self.sign(name, expires)}"
        return HostedImage(url=url, expires_at=float(expires))

    def resolve(self, name: str, exp: str, sig: str) -> Path | None:
        """The file a request may read, or None (one answer for every kind of refusal)."""
        if not _NAME_RE.fullmatch(name) or not exp.isdigit():
            return None
        expires = int(exp)
        if expires < self._clock() or not hmac.compare_digest(sig.encode(), self.sign(name, expires).encode()):
            return None
        path = self.directory / name
        return path if path.is_file() else None

    def sweep(self) -> int:
        """Delete files older than the link lifetime; returns how many went."""
        cutoff = self._clock() - self.ttl_s
        removed = 0
        for path in self.directory.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.api_route(SHARE_PREFIX + "/{name}", methods=["GET", "HEAD"], include_in_schema=False)
        async def shared_file(name: str, exp: str = "", sig: str = "") -> Response:
            path = self.resolve(name, exp, sig)
            if path is None:
                return Response("Not Found", status_code=404, media_type="text/plain", headers={"Cache-Control": "no-store"})
            return FileResponse(path, media_type=_TYPES[path.suffix.lstrip(".")], headers=_HEADERS)

        return router
