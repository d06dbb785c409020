"""Fault knobs: queued rules that bend the next matching requests.

A rule targets one kind of request (create, get, upload, download, any) and
acts ``before`` the handler runs (nothing happens server-side) or ``after``
it (the work is done, e.g. a task is created and counted, but the answer is
spoiled). Rules are consumed in order, ``count`` requests each.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = ["FaultRule", "FaultPlan", "FaultMiddleware", "target_of"]

Target = Literal["create", "get", "upload", "download", "any"]
Kind = Literal["status", "hang", "drop", "malformed", "unknown_status", "delay", "redirect"]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class FaultRule(BaseModel):
    target: Target
    kind: Kind
    phase: Literal["before", "after"] = "before"
    count: int = Field(1, ge=1)
    status: int = Field(503, ge=400, le=599)
    retry_after: str | None = None
    delay_s: float = Field(0.0, ge=0.0, le=600.0)
    message: str | None = None


def target_of(method: str, path: str) -> Target | None:
    if method == "POST" and path == "/v1/images/generations":
        return "create"
    if method == "GET" and path.startswith("/v1/tasks/"):
        return "get"
    if method == "POST" and path.startswith("/api/v1/files/"):
        return "upload"
    if method == "GET" and path.startswith("/results/"):
        return "download"
    return None


class FaultPlan:
    """Thread-safe queue of rules (tests add rules from another thread)."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rules: list[FaultRule]) -> None:
        with self._lock:
            self._rules.extend(rule.model_copy() for rule in rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.model_dump() for rule in self._rules]

    def take(self, target: Target) -> FaultRule | None:
        with self._lock:
            for i, rule in enumerate(self._rules):
                if rule.target in (target, "any"):
                    taken = rule.model_copy()
                    rule.count -= 1
                    if rule.count == 0:
                        del self._rules[i]
                    return taken
        return None


def _error_json(rule: FaultRule) -> bytes:
    code = {429: "rate_limit_exceeded", 402: "insufficient_quota", 401: "unauthorized"}.get(rule.status, "server_error")
    message = rule.message or f"Simulated fault: HTTP {rule.status}"
    return json.dumps({"error": {"code": code, "message": message, "type": "api_error"}}).encode()


class FaultMiddleware:
    """Pure ASGI middleware applying the :class:`FaultPlan` to matching requests."""

    def __init__(self, app: ASGIApp, plan: FaultPlan) -> None:
        self.app = app
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]) -> None:
        target = target_of(scope.get("method", ""), scope.get("path", "")) if scope["type"] == "http" else None
        rule = self.plan.take(target) if target else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        if rule.phase == "before":
            await self._before(rule, scope, receive, send)
            return
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self.app(scope, receive, capture)
        status = next((m["status"] for m in captured if m["type"] == "http.response.start"), 200)
        headers = next((m.get("headers", []) for m in captured if m["type"] == "http.response.start"), [])
        body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
        await self._spoil(rule, status, headers, body, send)

    async def _before(
        self, rule: FaultRule, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
    ) -> None:
        if rule.kind in ("hang", "delay"):
            await asyncio.sleep(rule.delay_s)
            await self.app(scope, receive, send)
        elif rule.kind == "status":
            await _send(send, rule.status, _error_json(rule), _retry_headers(rule))
        elif rule.kind == "drop":
            await _send_partial(send, b'{"id": "task-')
        elif rule.kind == "redirect":
            await _send(send, 302, b"", [(b"location", (rule.message or "http://169.254.169.254/latest/meta-data/").encode())])
        else:  # malformed / unknown_status before the handler: an unreadable answer
            await _send(send, 200, b'{"id": "task-unified-', [])

    async def _spoil(
        self, rule: FaultRule, status: int, headers: list[Any], body: bytes, send: Callable[[Message], Awaitable[None]]
    ) -> None:
        if rule.kind == "status":
            await _send(send, rule.status, _error_json(rule), _retry_headers(rule))
        elif rule.kind in ("hang", "delay"):
            await asyncio.sleep(rule.delay_s)
            await _send(send, status, body, [h for h in headers if h[0].lower() != b"content-length"])
        elif rule.kind == "drop":
            await _send_partial(send, body)
        elif rule.kind == "malformed":
            await _send(send, 200, body[: max(1, len(body) // 2)], [])
        else:  # unknown_status
            try:
                data = json.loads(body)
                data["status"] = "queued"
                body = json.dumps(data).encode()
            except ValueError:
                pass
            await _send(send, status, body, [])


def _retry_headers(rule: FaultRule) -> list[tuple[bytes, bytes]]:
    return [(b"retry-after", rule.retry_after.encode())] if rule.retry_after is not None else []


async def _send(send: Callable[[Message], Awaitable[None]], status: int, body: bytes, headers: list[Any]) -> None:
    base = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    extra = [h for h in headers if h[0].lower() not in (b"content-type", b"content-length")]
    await send({"type": "http.response.start", "status": status, "headers": base + extra})
    await send({"type": "http.response.body", "body": body})


async def _send_partial(send: Callable[[Message], Awaitable[None]], body: bytes) -> None:
    """Promise a full body, send half, then break the connection."""
    declared = max(len(body), 2) + 64
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(declared).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
    raise ConnectionAbortedError("simulated dropped connection")
