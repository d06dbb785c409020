"""When and how long to wait before trying a request again."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

import httpx

__all__ = ["RetryPolicy", "PollPolicy", "retry_after_s", "RETRYABLE_STATUS"]

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter, as the big SDKs do.

    ``create_retry_after_cap_s``: a 429 on create proves nothing was started,
    so it is waited out and resent only when the wait is this short.
    """

    attempts: int = 5
    base_s: float = 0.3
    cap_s: float = 8.0
    retry_after_cap_s: float = 30.0
    create_retry_after_cap_s: float = 10.0
    jitter: float = 0.25

    def backoff_s(self, attempt: int, retry_after: float | None = None) -> float:
        """Delay before retry number ``attempt`` (1-based)."""
        if retry_after is not None:
            return min(retry_after, self.retry_after_cap_s)
        delay = min(self.cap_s, self.base_s * 2 ** (attempt - 1))
        return delay * (1 - self.jitter * random.random())


@dataclass(frozen=True)
class PollPolicy:
    """Poll fast at first, back off, and come back fast around the estimated finish."""

    first_s: float = 0.25
    growth: float = 1.5
    max_s: float = 5.0
    near_finish_s: float = 0.25
    deadline_s: float = 15 * 60
    # How long polls may keep failing (5xx, 429, broken answers) before the watch gives up.
    outage_tolerance_s: float = 120.0

    def next_interval_s(self, previous_s: float | None, elapsed_s: float, estimated_s: float | None) -> float:
        interval = self.first_s if previous_s is None else min(self.max_s, previous_s * self.growth)
        if estimated_s is not None:
            remaining = estimated_s - elapsed_s
            if remaining <= interval:
                # About to finish: poll often, with jitter so polls do not keep landing just
                # before the completion when both clocks started together.
                return self.near_finish_s * (0.5 + random.random() / 2)
            interval = min(interval, max(self.first_s, remaining / 2))
        return interval


def retry_after_s(response: httpx.Response) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    ms = response.headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    raw = response.headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
