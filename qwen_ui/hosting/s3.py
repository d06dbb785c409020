"""Hosting in any S3-compatible bucket through presigned GET URLs (boto3 is an optional extra)."""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

from qwen_ui.errors import HostingError
from qwen_ui.hosting.base import HostedImage
from qwen_ui.images import PreparedImage

__all__ = ["S3Host"]


class S3Host:
    name = "s3"

    def __init__(
        self,
        *,
        bucket: str,
        ttl_s: int,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        prefix: str = "qwen-ui/inputs/",
        client: Any = None,
    ) -> None:
        if client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise HostingError("S3 hosting needs boto3: pip install -r requirements-s3.txt") from None
            # SigV4: SigV2 presigned URLs ignore the 7-day cap and are deprecated.
            client = boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=Config(signature_version="s3v4"))
        self._s3 = client
        self.bucket = bucket
        self.ttl_s = min(ttl_s, 7 * 86400)  # SigV4 presigned URLs live at most 7 days
        self.prefix = prefix

    def _upload(self, image: PreparedImage) -> HostedImage:
        key = f"{self.prefix}{secrets.token_urlsafe(16)}.{image.extension}"
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=image.data, ContentType=image.content_type)
        url = self._s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.ttl_s)
        return HostedImage(url=url, expires_at=time.time() + self.ttl_s)

    async def host(self, image: PreparedImage) -> HostedImage:
        try:
            return await asyncio.to_thread(self._upload, image)
        except HostingError:
            raise
        except Exception as exc:
            raise HostingError(f"The image could not be stored in the S3 bucket ({type(exc).__name__}).") from None
