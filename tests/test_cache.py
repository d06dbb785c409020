"""The result cache: keyed by every output-determining input, bytes/JSON only, damage is a miss."""

from __future__ import annotations

import dataclasses
import pickle
import sqlite3
from pathlib import Path

import pytest

from qwen_ui.cache import CachedRun, CacheKey, ResultCache

KEY = CacheKey("qwen-image-edit-plus", "make it blue", None, 42, 1, None, True, False, ("a" * 64, "b" * 64))


@pytest.fixture
def cache(tmp_path: Path) -> ResultCache:
    return ResultCache(tmp_path / "cache", size_limit_bytes=64 * 1024**2)


def test_a_stored_run_comes_back(cache: ResultCache) -> None:
    cache.put(KEY, CachedRun("task-1", 42, (b"png-1" * 10_000, b"png-2"), {"credits_reserved": 1.0}, 1.0))
    run = cache.get(KEY)
    assert run is not None and run.images == (b"png-1" * 10_000, b"png-2") and run.usage == {"credits_reserved": 1.0}


@pytest.mark.parametrize(
    "change",
    [
        {"prompt": "make it red"},
        {"negative_prompt": "blurry"},
        {"seed": 43},
        {"n": 2},
        {"size": "1024x1024"},
        {"prompt_extend": False},
        {"watermark": True},
        {"input_sha256": ("b" * 64, "a" * 64)},
        {"input_sha256": ("a" * 64,)},
    ],
)
def test_changing_any_keyed_input_gives_another_key(change: dict[str, object]) -> None:
    assert dataclasses.replace(KEY, **change).digest() != KEY.digest()


def test_the_cache_survives_a_restart(tmp_path: Path) -> None:
    first = ResultCache(tmp_path / "c", size_limit_bytes=2**26)
    first.put(KEY, CachedRun("task-1", 42, (b"x",)))
    first.close()
    assert ResultCache(tmp_path / "c", size_limit_bytes=2**26).get(KEY) is not None


def test_a_damaged_image_is_a_miss_and_the_entry_is_dropped(cache: ResultCache) -> None:
    cache.put(KEY, CachedRun("task-1", 42, (b"good",)))
    cache._cache.set("img:" + __import__("hashlib").sha256(b"good").hexdigest(), b"evil")
    assert cache.get(KEY) is None
    assert cache.get(KEY) is None and KEY.digest() not in cache._cache


def test_a_planted_pickle_is_never_unpickled(cache: ResultCache, tmp_path: Path) -> None:
    class Boom:
        def __reduce__(self) -> tuple[object, ...]:
            return (Path.touch, (tmp_path / "pwned",))

    with sqlite3.connect(cache.directory / "cache.db") as db:
        db.execute(
            "INSERT INTO Cache (key, raw, store_time, expire_time, access_time, access_count, tag, size, mode, filename, value) VALUES (?, 1, 0, NULL, 0, 0, NULL, 0, 4, NULL, ?)",
            (KEY.digest(), sqlite3.Binary(pickle.dumps(Boom()))),
        )
    assert cache.get(KEY) is None
    assert not (tmp_path / "pwned").exists()


def test_only_bytes_and_text_can_be_stored(cache: ResultCache) -> None:
    with pytest.raises(TypeError):
        cache._cache.set("x", {"a": 1})


def test_the_cache_directory_is_private(cache: ResultCache) -> None:
    assert cache.directory.stat().st_mode & 0o777 == 0o700


def test_the_size_limit_is_enforced(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "small", size_limit_bytes=2 * 1024**2)
    for seed in range(12):
        cache.put(dataclasses.replace(KEY, seed=seed), CachedRun(f"task-{seed}", seed, (bytes([seed]) * 400_000,)))
    assert cache.volume_bytes() <= 2.5 * 1024**2
    assert cache.get(dataclasses.replace(KEY, seed=11)) is not None
