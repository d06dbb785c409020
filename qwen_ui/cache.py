"""On-disk result cache (diskcache), keyed by everything that determines the output.

Values are only bytes and JSON text: a pickled value is refused on read and
write (diskcache unpickles by default, CVE-2025-69872). Each image is checked
against its recorded sha256 on a hit; anything odd is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import diskcache

__all__ = ["ResultCache", "CacheKey", "CachedRun"]

log = logging.getLogger("qwen_ui.cache")
_KEY_VERSION = "v1"


class _NoPickleDisk(diskcache.Disk):
    def store(self, value: Any, read: bool, key: Any = diskcache.core.UNKNOWN) -> Any:
        if not read and not isinstance(value, (bytes, str, int, float)):
            raise TypeError("the result cache stores only bytes and text")
        return super().store(value, read, key=key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == diskcache.core.MODE_PICKLE:
            raise ValueError("refusing a pickled cache value")
        return super().fetch(mode, filename, value, read)


@dataclass(frozen=True)
class CacheKey:
    """The inputs that determine an edit's output. Never the key, never a URL."""

    model: str
    prompt: str
    negative_prompt: str | None
    seed: int
    n: int
    size: str | None
    prompt_extend: bool
    watermark: bool
    input_sha256: tuple[str, ...]  # in slot order

    def digest(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return f"{_KEY_VERSION}:{hashlib.sha256(canonical.encode()).hexdigest()}"


@dataclass(frozen=True)
class CachedRun:
    task_id: str
    seed: int
    images: tuple[bytes, ...]
    usage: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0


class ResultCache:
    def __init__(self, directory: Path, *, size_limit_bytes: int) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(directory, 0o700)
        self.directory = directory
        self._cache = diskcache.Cache(
            str(directory), size_limit=size_limit_bytes, disk=_NoPickleDisk, eviction_policy="least-recently-used"
        )

    def close(self) -> None:
        self._cache.close()

    def get(self, key: CacheKey) -> CachedRun | None:
        """The stored run, or None on a miss or any damage (damaged entries are dropped)."""
        digest = key.digest()
        try:
            raw = self._cache.get(digest)
            if raw is None:
                return None
            manifest = json.loads(raw)
            images = []
            for sha in manifest["images"]:
                data = self._cache.get(f"img:{sha}")
                if not isinstance(data, bytes) or hashlib.sha256(data).hexdigest() != sha:
                    raise ValueError(f"image {sha[:12]} missing or damaged")
                images.append(data)
            return CachedRun(
                task_id=manifest["task_id"],
                seed=manifest["seed"],
                images=tuple(images),
                usage=manifest.get("usage", {}),
                created_at=manifest.get("created_at", 0.0),
            )
        except Exception as exc:
            log.warning("cache entry %s unusable (%s); treating as a miss", digest[:15], exc)
            self._cache.delete(digest)
            return None

    def put(self, key: CacheKey, run: CachedRun) -> None:
        shas = []
        for data in run.images:
            sha = hashlib.sha256(data).hexdigest()
            self._cache.set(f"img:{sha}", data)
            shas.append(sha)
        manifest = {"task_id": run.task_id, "seed": run.seed, "images": shas, "usage": run.usage, "created_at": run.created_at}
        self._cache.set(key.digest(), json.dumps(manifest))

    def clear(self) -> None:
        self._cache.clear()

    def __len__(self) -> int:
        return len(self._cache)

    def volume_bytes(self) -> int:
        return int(self._cache.volume())
