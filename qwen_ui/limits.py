"""Abuse control for public deployments: edits per minute and edits at once, per visitor.

A visitor is both their client address and their page session: either one
over its limit refuses the edit. Off (0) by default for the internal tool.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from qwen_ui.errors import QuotaExceeded

__all__ = ["EditLimiter"]


class EditLimiter:
    def __init__(self, *, per_minute: int, at_once: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.at_once = at_once
        self._clock = clock
        self._starts: dict[str, deque[float]] = defaultdict(deque)
        self._running: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.per_minute or self.at_once)

    @contextmanager
    def hold(self, visitors: Sequence[str]) -> Iterator[None]:
        """Count one edit for each identity while it runs; refuse with a sentence when over a limit."""
        if not self.enabled:
            yield
            return
        with self._lock:
            self._check(visitors)
            for visitor in visitors:
                self._starts[visitor].append(self._clock())
                self._running[visitor] += 1
        try:
            yield
        finally:
            with self._lock:
                for visitor in visitors:
                    self._running[visitor] -= 1
                    if not self._running[visitor]:
                        del self._running[visitor]

    def _check(self, visitors: Sequence[str]) -> None:
        now = self._clock()
        for visitor in visitors:
            if self.at_once and self._running.get(visitor, 0) >= self.at_once:
                raise QuotaExceeded(f"You already have {self.at_once} edit(s) running; wait for one to finish, then try again.")
            starts = self._starts[visitor]
            while starts and now - starts[0] >= 60:
                starts.popleft()
            if not starts:
                del self._starts[visitor]
                continue
            if self.per_minute and len(starts) >= self.per_minute:
                wait = 60 - (now - starts[0])
                raise QuotaExceeded(
                    f"This demo allows {self.per_minute} edits per minute per visitor; try again in {wait:.0f} s.", retry_after_s=wait
                )
