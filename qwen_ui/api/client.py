"""A thin async client for the qwen-image-edit-plus task API.

One pooled ``httpx.AsyncClient`` per process is passed in. Reads (task
queries, result downloads, file uploads) are retried with capped, jittered
backoff; the paid create call is resent only when the request provably never
reached the server (a connect failure) or the server refused it with a short
429. Everything else on create surfaces as :class:`UnknownOutcome` or the
mapped error: one click never pays twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from qwen_ui.api.events import TaskEvent, event_for
from qwen_ui.api.retry import RETRYABLE_STATUS, PollPolicy, RetryPolicy, retry_after_s
from qwen_ui.api.schema import CreateRequest, Task, parse_error_body, parse_task
from qwen_ui.errors import (
    ApiError,
    ApiTimeout,
    AuthenticationError,
    BadRequest,
    ConnectionFailed,
    InputError,
    InsufficientCredits,
    PayloadTooLarge,
    PermissionDenied,
    ProtocolError,
    RateLimited,
    ResultUnavailable,
    ServerError,
    TaskNotFound,
    UnknownOutcome,
)
from qwen_ui.netguard import Resolver, check_public_url, system_resolver
from qwen_ui.secrets import Secret

__all__ = ["QwenClient", "UploadedFile", "make_http_client", "error_from_response"]

log = logging.getLogger("qwen_ui.api")
RequestKind = Literal["create", "read", "upload", "download"]
Sleep = Callable[[float], Awaitable[None]]
UPLOAD_PATH = "/api/v1/files/upload/stream"


def make_http_client(read_timeout_s: float = 30.0) -> httpx.AsyncClient:
    """The process-wide pooled client: per-phase timeouts, no redirects."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(connect=5.0, read=read_timeout_s, write=30.0, pool=5.0),
        limits=httpx.Limits(max_connections=512, max_keepalive_connections=64),
        follow_redirects=False,
        headers={"User-Agent": "qwen-edit-studio/1.0"},
    )


@dataclass(frozen=True)
class UploadedFile:
    url: str
    expires_at: str | None


_STATUS_ERRORS: dict[int, tuple[type[ApiError], str]] = {
    400: (BadRequest, "The API refused the request"),
    401: (AuthenticationError, "The API key is missing or not valid; check EVOLINK_API_KEY"),
    402: (InsufficientCredits, "The account has run out of credits; top up, then send the same edit again"),
    403: (PermissionDenied, "This API key is not allowed to use this model or resource"),
    404: (TaskNotFound, "The API does not know this task"),
    413: (PayloadTooLarge, "The request or file is too large for the API"),
    429: (RateLimited, "The API is rate limiting this key"),
}


def error_from_response(response: httpx.Response, *, task_id: str | None = None) -> ApiError:
    """Map an error response to its exception; the provider's own message is kept."""
    status = response.status_code
    code, provider_message = parse_error_body(response.text)
    cls, summary = _STATUS_ERRORS.get(status, (ServerError, f"The API had a problem (HTTP {status})"))
    if status < 400 or (status < 500 and status not in _STATUS_ERRORS):
        cls = ApiError
    message = f"{summary}: {provider_message}" if provider_message else f"{summary}."
    if cls is RateLimited:
        wait = retry_after_s(response)
        if wait is not None:
            message += f" Try again in {wait:.0f} s."
        return RateLimited(message, retry_after_s=wait, status=status, code=code, task_id=task_id)
    return cls(message, status=status, code=code, task_id=task_id)


class QwenClient:
    """create · get · watch · upload_file · download against one API deployment."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_key: Secret,
        base_url: str,
        files_url: str,
        retry: RetryPolicy | None = None,
        poll: PollPolicy | None = None,
        max_download_bytes: int = 40 * 1024 * 1024,
        sleep: Sleep = asyncio.sleep,
        resolver: Resolver = system_resolver,
    ) -> None:
        self._http = http
        self._api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.files_url = files_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.poll = poll or PollPolicy()
        self.max_download_bytes = max_download_bytes
        self._sleep = sleep
        self._resolver = resolver
        self._trusted_hosts = {_host_port(self.base_url), _host_port(self.files_url)}

    def __repr__(self) -> str:
        return f"QwenClient(base_url={self.base_url!r}, api_key={self._api_key!r})"

    def with_key(self, api_key: Secret) -> QwenClient:
        """The same client (same pool) speaking with another key, e.g. one a user pasted."""
        clone = object.__new__(QwenClient)
        clone.__dict__.update(self.__dict__)
        clone._api_key = api_key
        return clone

    # -- the four API operations -------------------------------------------------

    async def create(self, request: CreateRequest) -> Task:
        """Start a task. Never resent unless it surely did not arrive (see module doc)."""
        response = await self._request("POST", f"{self.base_url}/v1/images/generations", kind="create", json=request.to_json())
        try:
            return parse_task(response.json())
        except (ValueError, ProtocolError):
            raise UnknownOutcome(
                "The API accepted the edit but its answer was unreadable, so the task id is unknown; "
                "it may be running and charged. Check your task list before trying again."
            ) from None

    async def get(self, task_id: str) -> Task:
        """Query a task; malformed answers are retried like transient errors."""
        url = f"{self.base_url}/v1/tasks/{task_id}"
        for attempt in range(1, self.retry.attempts + 1):
            response = await self._request("GET", url, kind="read", task_id=task_id)
            try:
                return parse_task(response.json())
            except (ValueError, ProtocolError) as exc:
                if attempt == self.retry.attempts:
                    if isinstance(exc, ProtocolError):
                        raise
                    raise ProtocolError("The API's task answer was not valid JSON.", task_id=task_id) from None
                log.warning("malformed task answer for %s (attempt %d)", task_id, attempt)
                await self._sleep(self.retry.backoff_s(attempt))
        raise AssertionError("unreachable")

    async def watch(
        self,
        task_id: str,
        *,
        first: Task | None = None,
        wake: asyncio.Event | None = None,
    ) -> AsyncIterator[TaskEvent]:
        """Yield an event on every status or progress change until the task ends.

        Polls adaptively (:class:`PollPolicy`); ``wake`` (set by a callback)
        triggers an immediate poll. Past the deadline it raises ApiTimeout with
        the task id, so the caller can re-attach later.
        """
        started = time.monotonic()
        estimated = first.estimated_time_s if first else None
        last_seen: tuple[str, int] | None = None
        interval: float | None = None
        failing_since: float | None = None
        task = first
        while True:
            if task is not None:
                estimated = task.estimated_time_s or estimated
                if (task.status, task.progress) != last_seen:
                    last_seen = (task.status, task.progress)
                    yield event_for(task)
                if task.terminal:
                    return
            elapsed = time.monotonic() - started
            if elapsed > self.poll.deadline_s:
                raise ApiTimeout(
                    f"The task is still running after {elapsed / 60:.0f} minutes; it was not re-created. Its id is {task_id}.",
                    task_id=task_id,
                )
            interval = self.poll.next_interval_s(interval, elapsed, estimated)
            await self._pause(interval, wake)
            try:
                task = await self.get(task_id)
                failing_since = None
            except _TRANSIENT as exc:
                # get() already retried; keep watching through an outage, up to a limit.
                failing_since = failing_since or time.monotonic()
                if time.monotonic() - failing_since > self.poll.outage_tolerance_s:
                    raise
                log.warning("poll of %s failed (%s); still watching", task_id, type(exc).__name__)
                task = None

    async def upload_file(self, data: bytes, filename: str, content_type: str) -> UploadedFile:
        """Host one input on the provider's file service; the URL lives about 72 h."""
        files = {"file": (filename, data, content_type)}
        response = await self._request("POST", f"{self.files_url}{UPLOAD_PATH}", kind="upload", files=files)
        try:
            body = response.json()
            info = body["data"]
            url = info["file_url"]
        except (ValueError, KeyError, TypeError):
            raise ProtocolError("The file service's answer had no file URL.") from None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ProtocolError("The file service returned an unusable file URL.")
        return UploadedFile(url=url, expires_at=info.get("expires_at"))

    async def download(self, url: str) -> bytes:
        """Fetch one result at once (links die after 24 h). The key is never sent.

        A result link is fetched only from the configured API hosts or from a
        public https address (checked after DNS resolution); redirects are not
        followed, so a forged link cannot reach inside the network.
        """
        await self._check_result_url(url)
        response = await self._request("GET", url, kind="download")
        return response.content

    async def _check_result_url(self, url: str) -> None:
        try:
            if _host_port(url) in self._trusted_hosts:
                return
            await asyncio.to_thread(check_public_url, url, field="result link", resolver=self._resolver)
        except (InputError, httpx.InvalidURL, ValueError):
            raise ResultUnavailable("The API returned a result link the app will not fetch (not a public https address).") from None

    # -- transport ---------------------------------------------------------------

    async def _pause(self, seconds: float, wake: asyncio.Event | None) -> None:
        if wake is None:
            await self._sleep(seconds)
            return
        try:
            await asyncio.wait_for(wake.wait(), timeout=seconds)
        except TimeoutError:
            pass
        wake.clear()

    def _headers(self, kind: RequestKind) -> dict[str, str]:
        if kind == "download":
            return {}
        return {"Authorization": f"Bearer {self._api_key.reveal()}"}

    async def _request(self, method: str, url: str, *, kind: RequestKind, task_id: str | None = None, **kwargs: Any) -> httpx.Response:
        where = httpx.URL(url).copy_with(query=None)
        for attempt in range(1, self.retry.attempts + 1):
            last = attempt == self.retry.attempts
            try:
                response = await self._send(method, url, kind=kind, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
                # The request never left: safe to resend, even a create.
                if last:
                    raise ConnectionFailed(f"Could not connect to {where.host}; check the network and try again.") from None
                await self._sleep(self.retry.backoff_s(attempt))
                continue
            except httpx.TimeoutException:
                if kind == "create":
                    raise UnknownOutcome(_CREATE_UNKNOWN + " (the API did not answer in time)") from None
                if last:
                    raise ApiTimeout(f"{where.host} did not answer in time.", task_id=task_id) from None
                await self._sleep(self.retry.backoff_s(attempt))
                continue
            except (httpx.TransportError, httpx.DecodingError):
                if kind == "create":
                    raise UnknownOutcome(_CREATE_UNKNOWN + " (the connection broke)") from None
                if last:
                    raise ConnectionFailed(f"The connection to {where.host} kept breaking.", task_id=task_id) from None
                await self._sleep(self.retry.backoff_s(attempt))
                continue
            log.info("%s %s -> %d", method, where, response.status_code)
            if response.is_success:
                return response
            error = self._error_for(response, kind=kind, task_id=task_id)
            wait = retry_after_s(response)
            if last or not self._should_retry(response.status_code, kind, wait):
                raise error
            await self._sleep(self.retry.backoff_s(attempt, wait))
        raise AssertionError("unreachable")

    async def _send(self, method: str, url: str, *, kind: RequestKind, **kwargs: Any) -> httpx.Response:
        if kind != "download":
            return await self._http.request(method, url, headers=self._headers(kind), **kwargs)
        async with self._http.stream(method, url) as response:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_download_bytes:
                    raise ResultUnavailable(f"A result file is larger than {self.max_download_bytes // 2**20} MB; refused.")
                chunks.append(chunk)
            return httpx.Response(response.status_code, headers=response.headers, content=b"".join(chunks), request=response.request)

    def _should_retry(self, status: int, kind: RequestKind, wait: float | None) -> bool:
        if kind == "create":
            # A 429 is a refusal before any work: resend only after a short, stated wait.
            return status == 429 and wait is not None and wait <= self.retry.create_retry_after_cap_s
        return status in RETRYABLE_STATUS

    def _error_for(self, response: httpx.Response, *, kind: RequestKind, task_id: str | None) -> ApiError:
        if kind == "download":
            if response.is_redirect:
                return ResultUnavailable(
                    "A result link redirected elsewhere; redirects are not followed.", status=response.status_code, task_id=task_id
                )
            if response.status_code in (403, 404, 410):
                return ResultUnavailable(
                    "A result link has expired or is gone (the provider keeps results 24 h).", status=response.status_code, task_id=task_id
                )
            return ResultUnavailable(
                f"A result could not be downloaded (HTTP {response.status_code}).", status=response.status_code, task_id=task_id
            )
        error = error_from_response(response, task_id=task_id)
        if kind == "create" and response.status_code >= 500:
            return UnknownOutcome(f"{_CREATE_UNKNOWN} ({error.message})", status=response.status_code, code=error.code)
        return error


_TRANSIENT = (ServerError, RateLimited, ConnectionFailed, ApiTimeout, ProtocolError)


def _host_port(url: str) -> tuple[str, int | None]:
    parsed = httpx.URL(url)
    return parsed.host.lower(), parsed.port


_CREATE_UNKNOWN = (
    "The edit request may or may not have reached the API, so it was not sent again to avoid paying twice. "
    "Check your task list, then try again if no task was started"
)
