"""History panel handlers: per-browser list, restore, delete, use a result as input, re-attach."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import gradio as gr

from qwen_ui.history import HistoryEntry, HistoryStore, new_browser_id, valid_browser_id
from qwen_ui.service import EditService
from qwen_ui.ui import text
from qwen_ui.ui.present import settings_values

__all__ = ["HistoryHandlers"]

REATTACH_LIMIT_S = 15 * 60


def _thumbnail(entry: HistoryEntry) -> str | None:
    return (entry.outputs or entry.inputs or (None,))[0]


class HistoryHandlers:
    def __init__(self, store: HistoryStore, service: EditService) -> None:
        self.store = store
        self.service = service

    def listing(self, browser_id: str | None) -> tuple[list[tuple[str, str]], list[str]]:
        entries = [e for e in self.store.list(browser_id or "") if _thumbnail(e)]
        return [(_thumbnail(e), e.caption) for e in entries], [e.id for e in entries]  # type: ignore[misc]

    def on_load(self, stored_id: str | None) -> tuple[str, str, list[tuple[str, str]], list[str]]:
        """Give a new browser its unguessable id; show this browser's history."""
        browser_id = stored_id if valid_browser_id(stored_id) else new_browser_id()
        gallery, ids = self.listing(browser_id)
        return browser_id, browser_id, gallery, ids

    def refresh(self, browser_id: str | None) -> tuple[list[tuple[str, str]], list[str]]:
        return self.listing(browser_id)

    def select_entry(self, browser_id: str | None, ids: list[str], event: gr.SelectData) -> tuple[str | None, str | None]:
        """The picked entry, and its first output (so "Use selected result as Image N" works from history too)."""
        index = event.index if isinstance(event.index, int) else None
        entry_id = ids[index] if index is not None and 0 <= index < len(ids) else None
        entry = self.store.get(browser_id or "", entry_id) if entry_id and valid_browser_id(browser_id) else None
        return entry_id, (entry.outputs[0] if entry and entry.outputs else None)

    def restore(self, browser_id: str | None, entry_id: str | None) -> tuple[Any, ...]:
        """Inputs and every setting of an entry back into the form."""
        entry = self.store.get(browser_id or "", entry_id or "") if entry_id and valid_browser_id(browser_id) else None
        if entry is None:
            return (*(gr.skip(),) * 13, text.HISTORY_PICK_FIRST)
        slots = [*entry.inputs, None, None, None][:3]
        return (*slots, *settings_values(entry.recipe), text.HISTORY_RESTORED)

    def delete(self, browser_id: str | None, entry_id: str | None) -> tuple[Any, Any, Any, str]:
        if not entry_id or not valid_browser_id(browser_id):
            return gr.skip(), gr.skip(), gr.skip(), text.HISTORY_PICK_FIRST
        self.store.delete(browser_id, entry_id)  # type: ignore[arg-type]
        gallery, ids = self.listing(browser_id)
        return gallery, ids, None, text.HISTORY_DELETED

    async def reattach(self, browser_id: str | None) -> AsyncIterator[tuple[Any, Any, Any, Any]]:
        """After a reload: follow this browser's running tasks until their results are saved."""
        running = [e for e in self.store.list(browser_id or "") if e.status == "running"]
        if not running:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        entry = running[0]
        deadline = time.monotonic() + REATTACH_LIMIT_S
        while time.monotonic() < deadline:
            current = self.store.get(browser_id, entry.id)  # type: ignore[arg-type]
            if current is None:
                yield gr.skip(), text.REATTACH_GONE, gr.skip(), gr.skip()
                return
            if current.status == "done":
                gallery, ids = self.listing(browser_id)
                results = [(path, f"{i}/{len(current.outputs)}") for i, path in enumerate(current.outputs, start=1)]
                yield results, text.REATTACH_DONE.format(task=entry.id), gallery, ids
                return
            try:
                task = await self.service.client.get(entry.id)
                status = f"{task.status} {task.progress}%"
            except Exception:
                status = "waiting"
            yield gr.skip(), text.REATTACH_RUNNING.format(task=entry.id, status=status), gr.skip(), gr.skip()
            await asyncio.sleep(1.0)
