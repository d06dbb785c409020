"""Callback push: the API tells the app when a task ends, so the waiting edit wakes at once.

Each edit gets its own unguessable callback URL, ``/qwen-callback/<nonce>.<hmac>``,
passed to the API at create time (the task id is not known yet). A callback
is only a hint: it wakes the watcher, which re-queries the task by id and never
trusts the body. Polling stays the fallback. When the user gave a callback
URL of their own, the API calls the app and the app forwards the payload
there, with the provider's timeout and retries.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from qwen_ui.secrets import Secret

__all__ = ["CallbackHub", "CALLBACK_PREFIX"]

log = logging.getLogger("qwen_ui.callbacks")
CALLBACK_PREFIX = "/qwen-callback"
FORWARD_TIMEOUT_S = 10.0
FORWARD_BACKOFF_S = (1.0, 2.0, 4.0)


@dataclass
class _Waiter:
    wake: asyncio.Event
    loop: asyncio.AbstractEventLoop
    forward_to: str | None = None
    forward_started: bool = False
    created: float = field(default_factory=time.monotonic)


@dataclass
class CallbackHub:
    key: Secret
    public_base_url: str
    http: httpx.AsyncClient | None = None
    _waiters: dict[str, _Waiter] = field(default_factory=dict)
    _jobs: set[asyncio.Task[None]] = field(default_factory=set)

    def _sign(self, nonce: str) -> str:
        return hmac.new(self.key.reveal().encode(), f"callback:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]

    def register(self, forward_to: str | None = None) -> tuple[str, str, asyncio.Event]:
        """A fresh callback URL for one edit: (url, nonce, event set when it is called)."""
        self._forget_stale()
        nonce = secrets.token_urlsafe(16)
        waiter = _Waiter(asyncio.Event(), asyncio.get_running_loop(), forward_to)
        self._waiters[nonce] = waiter
        url = f"{self.public_base_url.rstrip('/')}{CALLBACK_PREFIX}/{nonce}.{self._sign(nonce)}"
        return url, nonce, waiter.wake

    def release(self, nonce: str) -> None:
        """The edit is over. A waiter whose payload is still owed to the user's URL stays until it comes."""
        waiter = self._waiters.get(nonce)
        if waiter is not None and not (waiter.forward_to and not waiter.forward_started):
            del self._waiters[nonce]

    def _forget_stale(self, max_age_s: float = 6 * 3600) -> None:
        now = time.monotonic()
        for nonce in [n for n, w in self._waiters.items() if now - w.created > max_age_s]:
            del self._waiters[nonce]

    def _waiter_for(self, token: str) -> _Waiter | None:
        nonce, _, signature = token.partition(".")
        if not nonce or not hmac.compare_digest(signature.encode(), self._sign(nonce).encode()):
            return None
        return self._waiters.get(nonce)

    async def _forward(self, waiter: _Waiter, body: bytes) -> None:
        """Deliver the provider's payload to the user's own URL: 10 s timeout, retries after 1/2/4 s."""
        assert waiter.forward_to is not None and self.http is not None
        for delay in (0.0, *FORWARD_BACKOFF_S):
            await asyncio.sleep(delay)
            try:
                response = await self.http.post(
                    waiter.forward_to, content=body, headers={"Content-Type": "application/json"}, timeout=FORWARD_TIMEOUT_S
                )
                if response.is_success:
                    return
            except httpx.HTTPError:
                pass
        log.warning("could not forward a callback to the user's URL after retries")

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.post(CALLBACK_PREFIX + "/{token}", include_in_schema=False)
        async def task_callback(token: str, request: Request) -> Response:
            waiter = self._waiter_for(token)
            if waiter is None:
                return Response(status_code=404)
            body = await request.body()
            waiter.loop.call_soon_threadsafe(waiter.wake.set)
            if waiter.forward_to and not waiter.forward_started and self.http is not None:
                waiter.forward_started = True  # the provider may call more than once: forward once
                job = asyncio.create_task(self._forward(waiter, body))
                self._jobs.add(job)
                job.add_done_callback(self._jobs.discard)
            return Response(status_code=204)

        return router
