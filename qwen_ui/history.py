"""Edit history per browser, on disk: survives reloads and restarts, never shared.

A browser is known by an unguessable id kept in its own storage; the app keeps
``<history dir>/<browser id>/<entry id>.json`` plus a copy of the entry's input
images. An entry is written ``running`` the moment its task is created (so a
reloaded page can re-attach) and completed when the results are saved.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["HistoryEntry", "HistoryStore", "new_browser_id", "valid_browser_id"]

log = logging.getLogger("qwen_ui.history")
_BROWSER_ID = re.compile(r"^[0-9a-f]{32}$")
_ENTRY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
_INPUT_EXT = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/bmp": "bmp", "image/tiff": "tiff"}


def new_browser_id() -> str:
    return secrets.token_hex(16)


def valid_browser_id(value: object) -> bool:
    return isinstance(value, str) and bool(_BROWSER_ID.fullmatch(value))


@dataclass(frozen=True)
class HistoryEntry:
    id: str  # the task id
    created_at: float
    status: Literal["running", "done"]
    recipe: dict[str, Any]
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    from_cache: bool = False
    usage: dict[str, Any] = field(default_factory=dict)

    @property
    def caption(self) -> str:
        prompt = self.recipe.get("prompt", "")
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.created_at))
        state = " · running" if self.status == "running" else " · from cache" if self.from_cache else ""
        return f"{when}{state} · {prompt[:60]}"


class HistoryStore:
    def __init__(self, directory: Path, *, max_entries: int = 200) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.directory = directory
        self.max_entries = max_entries

    def _folder(self, browser_id: str) -> Path:
        if not valid_browser_id(browser_id):
            raise ValueError("not a browser id")
        return self.directory / browser_id

    def _path(self, browser_id: str, entry_id: str) -> Path:
        if not _ENTRY_ID.fullmatch(entry_id):
            raise ValueError("not an entry id")
        return self._folder(browser_id) / f"{entry_id}.json"

    def start(self, browser_id: str, entry_id: str, recipe: dict[str, Any], inputs: list[tuple[bytes, str]]) -> HistoryEntry:
        """Record a created task with copies of its inputs ((bytes, content type) in slot order)."""
        folder = self._folder(browser_id)
        folder.mkdir(exist_ok=True, mode=0o700)
        paths = []
        for index, (data, content_type) in enumerate(inputs, start=1):
            path = folder / f"{entry_id}-input{index}.{_INPUT_EXT.get(content_type, 'png')}"
            path.write_bytes(data)
            paths.append(str(path))
        entry = HistoryEntry(entry_id, time.time(), "running", recipe, tuple(paths))
        self._write(browser_id, entry)
        return entry

    def finish(self, browser_id: str, entry_id: str, outputs: list[str], *, from_cache: bool, usage: dict[str, Any]) -> None:
        entry = self.get(browser_id, entry_id)
        if entry is None:
            return
        done = HistoryEntry(entry.id, entry.created_at, "done", entry.recipe, entry.inputs, tuple(outputs), from_cache, usage)
        self._write(browser_id, done)
        self._trim(browser_id)

    def _write(self, browser_id: str, entry: HistoryEntry) -> None:
        path = self._path(browser_id, entry.id)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(entry), handle)
        os.replace(tmp, path)

    def get(self, browser_id: str, entry_id: str) -> HistoryEntry | None:
        try:
            data = json.loads(self._path(browser_id, entry_id).read_text())
            return HistoryEntry(**{**data, "inputs": tuple(data["inputs"]), "outputs": tuple(data["outputs"])})
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def list(self, browser_id: str) -> list[HistoryEntry]:
        """Newest first; an unknown or malformed browser id has no history."""
        if not valid_browser_id(browser_id):
            return []
        folder = self._folder(browser_id)
        if not folder.is_dir():
            return []
        entries = [self.get(browser_id, path.stem) for path in folder.glob("*.json")]
        return sorted((e for e in entries if e is not None), key=lambda e: e.created_at, reverse=True)

    def delete(self, browser_id: str, entry_id: str) -> None:
        entry = self.get(browser_id, entry_id)
        if entry is None:
            return
        for name in entry.inputs:
            Path(name).unlink(missing_ok=True)
        self._path(browser_id, entry_id).unlink(missing_ok=True)

    def _trim(self, browser_id: str) -> None:
        for old in self.list(browser_id)[self.max_entries :]:
            self.delete(browser_id, old.id)
