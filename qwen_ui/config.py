"""Settings, read once from the environment into a frozen object.

Nothing else in the package reads ``os.environ``. Every invalid value fails
at start-up with a :class:`SettingsError` naming the variable.
"""

from __future__ import annotations

import os
import secrets as _secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx

from qwen_ui.secrets import Secret

__all__ = ["Settings", "SettingsError", "load_settings", "ImageHostKind"]

ImageHostKind = Literal["self", "provider", "s3"]
DEFAULT_BASE_URL = "https://api.evolink.ai"
DEFAULT_FILES_URL = "https://files-api.evolink.ai"


class SettingsError(ValueError):
    """An environment variable holds a value the app cannot use."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about its surroundings."""

    api_key: Secret = field(repr=True)
    base_url: str = DEFAULT_BASE_URL
    files_url: str = DEFAULT_FILES_URL
    cache_dir: Path = Path(tempfile.gettempdir()) / "qwen-ui" / "cache"
    data_dir: Path = Path(tempfile.gettempdir()) / "qwen-ui"
    cache_size_limit_bytes: int = 2 * 1024**3
    public_url: str | None = None
    image_host: ImageHostKind = "provider"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    signing_key: Secret = field(default_factory=lambda: Secret(_secrets.token_hex(32)))
    share_ttl_s: int = 3600
    simulator_seconds: float = 4.0
    server_name: str = "127.0.0.1"
    server_port: int = 7860
    max_upload_mb: int = 20
    http_timeout_s: float = 30.0
    mcp_server: bool = False
    edits_per_minute: int = 0
    edits_at_once: int = 0
    max_concurrent_edits: int = 64
    queue_max_size: int = 256

    @property
    def simulated(self) -> bool:
        """No key: the app runs against its built-in simulator."""
        return not self.api_key


def _url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        url = httpx.URL(raw)
    except Exception:
        raise SettingsError(name, f"{raw!r} is not a URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise SettingsError(name, f"{raw!r} must be an http(s) URL with a host")
    return raw.rstrip("/")


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float, maximum: float, integer: bool) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise SettingsError(name, f"{raw!r} is not {kind}") from None
    if not minimum <= value <= maximum:
        raise SettingsError(name, f"{value} is outside {minimum}..{maximum}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(name, f"{raw!r} is not a yes/no value (use 1 or 0)")


def _public_url(env: Mapping[str, str]) -> str | None:
    explicit = _url(env, "QWEN_UI_PUBLIC_URL", None)
    if explicit:
        return explicit
    space_host = env.get("SPACE_HOST", "").split(",")[0].strip()
    return f"https://{space_host}" if space_host else None


def _image_host(env: Mapping[str, str], public_url: str | None, simulated: bool) -> ImageHostKind:
    raw = env.get("QWEN_UI_IMAGE_HOST", "").strip().lower()
    if raw:
        if raw not in ("self", "provider", "s3"):
            raise SettingsError("QWEN_UI_IMAGE_HOST", f"{raw!r} is not one of self, provider, s3")
        if raw == "self" and not public_url:
            raise SettingsError("QWEN_UI_IMAGE_HOST", "'self' needs QWEN_UI_PUBLIC_URL (or SPACE_HOST) so the API can reach the app")
        if raw == "s3" and not env.get("QWEN_UI_S3_BUCKET"):
            raise SettingsError("QWEN_UI_IMAGE_HOST", "'s3' needs QWEN_UI_S3_BUCKET")
        return raw  # type: ignore[return-value]
    # The simulator fetches from its own file endpoint on loopback, like the provider's.
    if simulated:
        return "provider"
    return "self" if public_url else "provider"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings; raises :class:`SettingsError` naming the bad variable."""
    env = os.environ if env is None else env
    api_key = Secret(env.get("EVOLINK_API_KEY", "").strip())
    public_url = _public_url(env)
    data_dir = Path(env.get("QWEN_UI_DATA_DIR", "").strip() or Path(tempfile.gettempdir()) / "qwen-ui")
    cache_dir = Path(env.get("QWEN_UI_CACHE_DIR", "").strip() or data_dir / "cache")
    on_space = bool(env.get("SPACE_HOST", "").strip())  # a public demo: limits on by default
    signing_raw = env.get("QWEN_UI_SIGNING_KEY", "").strip()
    if signing_raw and len(signing_raw) < 16:
        raise SettingsError("QWEN_UI_SIGNING_KEY", "must be at least 16 characters")
    return Settings(
        api_key=api_key,
        base_url=_url(env, "EVOLINK_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL,
        files_url=_url(env, "EVOLINK_FILES_URL", DEFAULT_FILES_URL) or DEFAULT_FILES_URL,
        cache_dir=cache_dir,
        data_dir=data_dir,
        cache_size_limit_bytes=int(_number(env, "QWEN_UI_CACHE_SIZE_MB", 2048, minimum=16, maximum=10**7, integer=True)) * 1024**2,
        public_url=public_url,
        image_host=_image_host(env, public_url, simulated=not api_key),
        s3_bucket=env.get("QWEN_UI_S3_BUCKET", "").strip() or None,
        s3_endpoint_url=_url(env, "QWEN_UI_S3_ENDPOINT_URL", None),
        s3_region=env.get("QWEN_UI_S3_REGION", "").strip() or "us-east-1",
        signing_key=Secret(signing_raw) if signing_raw else Secret(_secrets.token_hex(32)),
        share_ttl_s=int(_number(env, "QWEN_UI_SHARE_TTL_S", 3600, minimum=60, maximum=7 * 86400, integer=True)),
        simulator_seconds=_number(env, "QWEN_UI_SIMULATOR_SECONDS", 4.0, minimum=0.0, maximum=3600.0, integer=False),
        server_name=env.get("GRADIO_SERVER_NAME", "").strip() or "127.0.0.1",
        server_port=int(_number(env, "GRADIO_SERVER_PORT", 7860, minimum=1, maximum=65535, integer=True)),
        max_upload_mb=int(_number(env, "QWEN_UI_MAX_UPLOAD_MB", 20, minimum=1, maximum=200, integer=True)),
        http_timeout_s=_number(env, "QWEN_UI_HTTP_TIMEOUT_S", 30.0, minimum=0.1, maximum=600.0, integer=False),
        mcp_server=_flag(env, "QWEN_UI_MCP_SERVER"),
        edits_per_minute=int(_number(env, "QWEN_UI_EDITS_PER_MINUTE", 6 if on_space else 0, minimum=0, maximum=10000, integer=True)),
        edits_at_once=int(_number(env, "QWEN_UI_EDITS_AT_ONCE", 2 if on_space else 0, minimum=0, maximum=10000, integer=True)),
        max_concurrent_edits=int(_number(env, "QWEN_UI_MAX_CONCURRENT_EDITS", 64, minimum=1, maximum=10000, integer=True)),
        queue_max_size=int(_number(env, "QWEN_UI_QUEUE_MAX_SIZE", 256, minimum=1, maximum=100000, integer=True)),
    )
