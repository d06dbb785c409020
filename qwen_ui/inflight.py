"""Tasks that were created but whose results are not yet saved, kept on disk.

A record is written the moment the provider accepts a task and removed once
its results are in the cache (or the task failed). After a restart, a closed
tab or a cancelled wait, the app picks each record up again by its task id:
nothing paid for is lost and nothing is created twice. Pasted keys are never
written here, so such tasks cannot be resumed after a restart.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from qwen_ui.cache import CacheKey

__all__ = ["InflightRecord", "InflightStore"]

log = logging.getLogger("qwen_ui.inflight")
_TASK_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


@dataclass(frozen=True)
class InflightRecord:
    task_id: str
    key: CacheKey
    request: dict[str, Any]  # the create body as sent
    created_at: float
    resumable: bool = True  # False when the task was paid with a pasted key
    owner: str | None = None  # the browser whose history shows this task

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "key": asdict(self.key)})

    @classmethod
    def from_json(cls, text: str) -> InflightRecord:
        data = json.loads(text)
        key = data.pop("key")
        key["input_sha256"] = tuple(key["input_sha256"])
        return cls(key=CacheKey(**key), **data)


class InflightStore:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.directory = directory

    def _path(self, task_id: str) -> Path:
        if not _TASK_ID_RE.fullmatch(task_id):
            raise ValueError("unexpected task id form")
        return self.directory / f"{task_id}.json"

    def add(self, record: InflightRecord) -> None:
        """Write atomically: a crash leaves the old file or the new one, never half of one."""
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            handle.write(record.to_json())
        os.replace(tmp, self._path(record.task_id))

    def remove(self, task_id: str) -> None:
        self._path(task_id).unlink(missing_ok=True)

    def all(self) -> list[InflightRecord]:
        records = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                records.append(InflightRecord.from_json(path.read_text()))
            except (ValueError, TypeError, KeyError) as exc:
                log.warning("dropping unreadable in-flight record %s (%s)", path.name, exc)
                path.unlink(missing_ok=True)
        return records
