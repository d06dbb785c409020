"""Typed task events, as the watcher yields them."""

from __future__ import annotations

from dataclasses import dataclass

from qwen_ui.api.schema import Task

__all__ = ["TaskEvent", "Queued", "Running", "Done", "Failed", "event_for"]


@dataclass(frozen=True)
class Queued:
    task: Task


@dataclass(frozen=True)
class Running:
    task: Task

    @property
    def progress(self) -> int:
        return self.task.progress


@dataclass(frozen=True)
class Done:
    task: Task

    @property
    def urls(self) -> tuple[str, ...]:
        return self.task.results


@dataclass(frozen=True)
class Failed:
    task: Task

    @property
    def reason(self) -> str:
        return self.task.error.message if self.task.error else "The provider gave no reason."


TaskEvent = Queued | Running | Done | Failed


def event_for(task: Task) -> TaskEvent:
    """The one place a status string becomes an event (parse_task already refused unknown ones)."""
    if task.status == "pending":
        return Queued(task)
    if task.status == "processing":
        return Running(task)
    if task.status == "completed":
        return Done(task)
    return Failed(task)
