"""The image-host interface: prepared bytes in, expiring public URL out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from qwen_ui.images import PreparedImage

__all__ = ["ImageHost", "HostedImage", "DedupingHost"]


@dataclass(frozen=True)
class HostedImage:
    url: str
    expires_at: float  # unix time


class ImageHost(Protocol):
    name: str

    async def host(self, image: PreparedImage) -> HostedImage:
        """Make ``image`` fetchable by the API at a URL valid until ``expires_at``."""
        ...


class DedupingHost:
    """Never uploads the same bytes twice while their URL is still good for ``min_remaining_s``.

    Concurrent requests for the same bytes share one upload.
    """

    def __init__(self, inner: ImageHost, *, min_remaining_s: float = 900.0, clock: Callable[[], float] = time.time) -> None:
        self.inner = inner
        self.name = inner.name
        self.min_remaining_s = min_remaining_s
        self._clock = clock
        self._known: dict[str, HostedImage] = {}
        self._inflight: dict[str, asyncio.Future[HostedImage]] = {}
        self.uploads = 0

    async def host(self, image: PreparedImage) -> HostedImage:
        known = self._known.get(image.sha256)
        if known is not None and known.expires_at - self._clock() > self.min_remaining_s:
            return known
        pending = self._inflight.get(image.sha256)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[HostedImage] = asyncio.get_running_loop().create_future()
        self._inflight[image.sha256] = future
        try:
            hosted = await self.inner.host(image)
            self.uploads += 1
            self._known[image.sha256] = hosted
            future.set_result(hosted)
            return hosted
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._inflight[image.sha256]
            self._forget_expired()

    def _forget_expired(self) -> None:
        now = self._clock()
        for digest in [d for d, h in self._known.items() if h.expires_at <= now]:
            del self._known[digest]
