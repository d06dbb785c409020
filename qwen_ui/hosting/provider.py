"""Hosting through the provider's own file service (files live about 72 h)."""

from __future__ import annotations

import time
from datetime import datetime

from qwen_ui.api.client import QwenClient
from qwen_ui.errors import ApiError, AuthenticationError, HostingError, InsufficientCredits, PermissionDenied, RateLimited
from qwen_ui.hosting.base import HostedImage
from qwen_ui.images import PreparedImage

__all__ = ["ProviderHost"]

_DEFAULT_TTL_S = 72 * 3600


class ProviderHost:
    name = "provider"

    def __init__(self, client: QwenClient) -> None:
        self.client = client

    async def host(self, image: PreparedImage) -> HostedImage:
        try:
            uploaded = await self.client.upload_file(image.data, f"input.{image.extension}", image.content_type)
        except (AuthenticationError, InsufficientCredits, PermissionDenied, RateLimited):
            raise  # the user acts on these as on any API call: same message
        except ApiError as exc:
            raise HostingError(f"The image could not be uploaded to the provider's file service: {exc}") from None
        return HostedImage(url=uploaded.url, expires_at=_parse_expiry(uploaded.expires_at))


def _parse_expiry(value: str | None) -> float:
    if value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    return time.time() + _DEFAULT_TTL_S
