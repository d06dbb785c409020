"""Keeping the API key out of reprs, logs and error messages.

The key is wrapped in :class:`Secret`, which is only unwrapped to build the
``Authorization`` header. :class:`RedactingFilter` masks anything that still
looks like a key or a signed-URL signature in log records.
"""

from __future__ import annotations

import logging
import re

__all__ = ["Secret", "RedactingFilter", "redact", "install_log_redaction"]


class Secret:
    """A string that never shows itself in ``repr``/``str``/format."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('****')" if self._value else "Secret('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret cannot be pickled")

    def __deepcopy__(self, memo: dict[int, object]) -> Secret:
        return self  # immutable; Gradio deep-copies session state


_PATTERNS = [
    re.compile(r"(Bearer\s+)[^\s'\"]+", re.IGNORECASE),
    re.compile(r"\b(sk-)[A-Za-z0-9_\-]{6,}"),
    re.compile(r"([?&](?:sig|signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&\s'\"]+", re.IGNORECASE),
]
_known_values: set[str] = set()


def redact(text: str) -> str:
    """Mask known secret values, bearer tokens, ``sk-`` keys and URL signatures."""
    for value in _known_values:
        text = text.replace(value, "****")
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1****", text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with :func:`redact` before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction(*secrets: Secret) -> None:
    """Register secret values and attach the filter to the root handlers and our loggers.

    httpx logs request lines at INFO; keep it at WARNING so URLs with signatures
    are never written out.
    """
    for secret in secrets:
        if secret and len(secret.reveal()) >= 4:
            _known_values.add(secret.reveal())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    redacting = RedactingFilter()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
    for name in ("qwen_ui", "uvicorn", "uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(redacting)
