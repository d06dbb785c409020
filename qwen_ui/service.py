"""The edit use case: prepare → host → create → watch → download → cache.

Only this module knows the order of the steps. Its adapters (API client,
image host, result cache) are passed in, so tests aim them at the simulator
and a temporary directory. Progress comes out as typed events; failures as
the exceptions of :mod:`qwen_ui.errors`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import random
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from qwen_ui.api.client import QwenClient
from qwen_ui.api.events import Done, Failed, Queued, Running
from qwen_ui.api.schema import LIMITS, MODEL, CreateRequest, Task
from qwen_ui.cache import CachedRun, CacheKey, ResultCache
from qwen_ui.callbacks import CallbackHub
from qwen_ui.errors import ApiTimeout, InputError, QwenUIError, ResultUnavailable, TaskFailed, TaskNotFound
from qwen_ui.history import HistoryStore
from qwen_ui.hosting.base import ImageHost
from qwen_ui.images import PreparedImage, prepare_image
from qwen_ui.inflight import InflightRecord, InflightStore
from qwen_ui.netguard import Resolver, check_public_url, system_resolver
from qwen_ui.recipe import embed_recipe, recipe_for

__all__ = ["EditService", "EditRequest", "EditResult", "Stage", "TaskStarted", "TaskProgress", "Finished", "EditEvent"]

log = logging.getLogger("qwen_ui.service")
StageName = Literal["preparing", "uploading", "creating", "downloading"]


@dataclass(frozen=True)
class EditRequest:
    """One click of Edit: the filled slots in order, and the parameters."""

    images: Sequence[tuple[str, bytes]]  # (slot label, file bytes), in slot order
    prompt: str
    negative_prompt: str | None = None
    n: int = 1
    size: str | None = None
    seed: int | None = None  # None: the app draws one (and says which)
    prompt_extend: bool = True
    watermark: bool = False
    callback_url: str | None = None
    owner: str | None = None  # the browser whose history gets this edit


@dataclass(frozen=True)
class EditResult:
    paths: tuple[Path, ...]
    seed: int
    task_id: str
    from_cache: bool
    usage: dict[str, Any]
    request: CreateRequest
    key: CacheKey  # everything that determined the output (the recipe)
    notices: tuple[str, ...] = ()
    elapsed_s: float = 0.0


@dataclass(frozen=True)
class Stage:
    name: StageName
    message: str
    fraction: float | None = None


@dataclass(frozen=True)
class TaskStarted:
    task_id: str
    usage: dict[str, Any]
    estimated_s: float | None


@dataclass(frozen=True)
class TaskProgress:
    task_id: str
    status: str
    progress: int
    eta_s: float | None


@dataclass(frozen=True)
class Finished:
    result: EditResult


EditEvent = Stage | TaskStarted | TaskProgress | Finished


@dataclass
class EditService:
    client: QwenClient
    host: ImageHost
    cache: ResultCache
    results_dir: Path
    inflight: InflightStore
    callbacks: CallbackHub | None = None  # set when the app has a public URL the API can call
    history: HistoryStore | None = None
    max_upload_bytes: int = 20 * 1024 * 1024
    resolver: Resolver = system_resolver
    _rng: random.Random = field(default_factory=random.SystemRandom)
    _background: set[asyncio.Task[bool]] = field(default_factory=set)
    # Edits being paid for right now, by cache key: an identical explicit-seed request joins one.
    _leaders: dict[str, asyncio.Future[tuple[str, tuple[Path, ...], dict[str, Any]]]] = field(default_factory=dict)

    async def run(
        self, request: EditRequest, *, client: QwenClient | None = None, host: ImageHost | None = None, resumable: bool = True
    ) -> AsyncIterator[EditEvent]:
        """Carry out one edit, yielding progress; raises a QwenUIError on failure.

        ``resumable=False`` (a pasted key) keeps the task out of the on-disk
        record, since the key that pays for it is never written down.
        """
        started = time.monotonic()
        client = client or self.client
        host = host or self.host
        seed = request.seed if request.seed is not None else self._rng.randrange(LIMITS.seed_max + 1)
        draft = self._check(request, seed)
        if draft.callback_url:
            # The provider refuses internal callbacks; check the resolved addresses before paying.
            await asyncio.to_thread(check_public_url, draft.callback_url, field="callback_url", resolver=self.resolver)
        yield Stage("preparing", f"Preparing {len(request.images)} image(s)…", 0.0)
        prepared = await asyncio.gather(
            *(asyncio.to_thread(prepare_image, data, slot=slot, max_bytes=self.max_upload_bytes) for slot, data in request.images)
        )
        notices = (*draft.notices, *(note for image in prepared for note in image.notes))
        key = _cache_key(draft, seed, prepared)
        if request.seed is not None:
            cached = await asyncio.to_thread(self.cache.get, key)
            if cached is not None:
                paths = await asyncio.to_thread(self._write_outputs, cached.task_id, cached.images, key)
                await asyncio.to_thread(self._remember_reuse, request.owner, cached.task_id, key, prepared, paths, cached.usage)
                elapsed = time.monotonic() - started
                yield Finished(EditResult(paths, seed, cached.task_id, True, cached.usage, draft, key, notices, elapsed))
                return
        digest = key.digest()
        if request.seed is not None and digest in self._leaders:
            yield Stage("creating", "The same edit is already running: joining it (no second charge)…", None)
            task_id, paths, usage = await asyncio.shield(self._leaders[digest])
            await asyncio.to_thread(self._remember_reuse, request.owner, task_id, key, prepared, paths, usage)
            notices = (*notices, "Joined an identical edit that was already running: charged once.")
            yield Finished(EditResult(paths, seed, task_id, True, usage, draft, key, notices, time.monotonic() - started))
            return
        leader: asyncio.Future[tuple[str, tuple[Path, ...], dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self._leaders[digest] = leader
        try:
            async for event in self._paid_run(client, host, prepared, draft, key, notices, started, resumable, request.owner):
                if isinstance(event, Finished):
                    leader.set_result((event.result.task_id, event.result.paths, event.result.usage))
                yield event
        except BaseException as exc:
            if not leader.done():
                joined = (
                    exc if isinstance(exc, QwenUIError) else ApiTimeout("The identical edit this one joined did not finish; try again.")
                )
                leader.set_exception(joined)
                leader.exception()  # followers re-raise it; nobody else must
            raise
        finally:
            del self._leaders[digest]

    async def _paid_run(
        self,
        client: QwenClient,
        host: ImageHost,
        prepared: Sequence[PreparedImage],
        draft: CreateRequest,
        key: CacheKey,
        notices: tuple[str, ...],
        started: float,
        resumable: bool,
        owner: str | None,
    ) -> AsyncIterator[EditEvent]:
        """Host the inputs, create the (paid) task, follow it, keep its results."""
        urls = []
        for i, image in enumerate(prepared, start=1):
            yield Stage("uploading", f"Uploading image {i} of {len(prepared)}…", (i - 1) / len(prepared))
            urls.append((await host.host(image)).url)
        task_request = dataclasses.replace(draft, image_urls=tuple(urls))
        wake, nonce = None, None
        if self.callbacks is not None:
            # The API takes one callback URL: ours, which forwards to the user's if they gave one.
            own_url, nonce, wake = self.callbacks.register(forward_to=draft.callback_url)
            task_request = dataclasses.replace(task_request, callback_url=own_url)
        yield Stage("creating", "Creating the task…", None)
        try:
            task = await client.create(task_request)
        except BaseException:
            if nonce:
                self.callbacks.release(nonce)  # type: ignore[union-attr]
            raise
        record = InflightRecord(task.id, key, task_request.to_json(), time.time(), resumable, owner)
        await asyncio.to_thread(self.inflight.add, record)
        if owner and self.history:
            inputs = [(p.data, p.content_type) for p in prepared]
            await asyncio.to_thread(self.history.start, owner, task.id, recipe_for(key, task.id, 0), inputs)
        yield TaskStarted(task.id, task.usage, task.estimated_time_s)
        try:
            final = task
            async for event in self._follow(client, record, task, wake):
                if isinstance(event, TaskProgress):
                    yield event
                else:
                    final = event
            yield Stage("downloading", "Downloading results…", 1.0)
            paths, usage = await self._finish(client, record, final)
        except (asyncio.CancelledError, GeneratorExit):
            # The user stopped waiting, not paying: finish in the background so the result is kept.
            self._adopt(client, record)
            raise
        finally:
            if nonce:
                self.callbacks.release(nonce)  # type: ignore[union-attr]
        elapsed = time.monotonic() - started
        yield Finished(EditResult(paths, key.seed, task.id, False, usage or task.usage, task_request, key, notices, elapsed))

    async def _follow(
        self, client: QwenClient, record: InflightRecord, task: Task, wake: asyncio.Event | None = None
    ) -> AsyncIterator[TaskProgress | Task]:
        """Progress events, then the completed task; a failed task is forgotten and raises TaskFailed."""
        async for event in client.watch(task.id, first=task, wake=wake):
            if isinstance(event, (Queued, Running)):
                yield TaskProgress(task.id, event.task.status, event.task.progress, event.task.estimated_time_s)
            elif isinstance(event, Failed):
                await asyncio.to_thread(self._forget, record)
                raise TaskFailed(
                    f"The provider could not make this edit: {event.reason}",
                    task_id=task.id,
                    code=event.task.error.code if event.task.error else None,
                )
            elif isinstance(event, Done):
                yield event.task

    async def _finish(self, client: QwenClient, record: InflightRecord, final: Task) -> tuple[tuple[Path, ...], dict[str, Any]]:
        """Download at once (links die after 24 h), cache, write files, forget the record."""
        images = await self._download(client, final.results, final.id)
        run = CachedRun(final.id, record.key.seed, images, final.usage, time.time())
        await asyncio.to_thread(self.cache.put, record.key, run)
        paths = await asyncio.to_thread(self._write_outputs, final.id, images, record.key)
        if record.owner and self.history:
            await asyncio.to_thread(
                self.history.finish, record.owner, final.id, [str(p) for p in paths], from_cache=False, usage=final.usage
            )
        await asyncio.to_thread(self.inflight.remove, final.id)
        return paths, final.usage

    async def resume(self, record: InflightRecord, client: QwenClient | None = None) -> bool:
        """Follow a recorded task to its end and keep its results; True when they were saved."""
        client = client or self.client
        try:
            final = await client.get(record.task_id)
            async for event in self._follow(client, record, final):
                if isinstance(event, Task):
                    final = event
            await self._finish(client, record, final)
            log.info("resumed task %s: results saved", record.task_id)
            return True
        except (TaskFailed, TaskNotFound, ResultUnavailable) as exc:
            log.warning("resumed task %s ended without results: %s", record.task_id, type(exc).__name__)
            await asyncio.to_thread(self._forget, record)
        except QwenUIError as exc:
            log.warning("could not resume task %s yet: %s", record.task_id, type(exc).__name__)
        return False

    async def resume_pending(self) -> int:
        """Pick up every recorded task (at start-up); returns how many were saved."""
        records = [r for r in await asyncio.to_thread(self.inflight.all) if r.resumable]
        results = await asyncio.gather(*(self.resume(record) for record in records))
        return sum(results)

    def _adopt(self, client: QwenClient, record: InflightRecord) -> None:
        job = asyncio.get_running_loop().create_task(self.resume(record, client))
        self._background.add(job)
        job.add_done_callback(self._background.discard)

    def _check(self, request: EditRequest, seed: int) -> CreateRequest:
        """All parameter checks before any image work or any spend."""
        if not request.images:
            raise InputError("image1", "Add at least one image (Image 1, 2 or 3) to edit.")
        if len(request.images) > LIMITS.images_max:
            raise InputError("images", f"{len(request.images)} images were given; the API takes at most {LIMITS.images_max}.")
        placeholders = [f"https://placeholder.invalid/{i}.png" for i in range(len(request.images))]
        return CreateRequest.build(
            prompt=request.prompt,
            image_urls=placeholders,
            n=request.n,
            negative_prompt=request.negative_prompt or None,
            size=request.size,
            seed=seed,
            prompt_extend=request.prompt_extend,
            watermark=request.watermark,
            callback_url=request.callback_url or None,
        )

    async def _download(self, client: QwenClient, urls: Sequence[str], task_id: str) -> tuple[bytes, ...]:
        if not urls:
            raise ResultUnavailable("The task finished but the provider listed no result images.", task_id=task_id)
        images = await asyncio.gather(*(client.download(url) for url in urls))
        for data in images:
            try:
                with Image.open(io.BytesIO(data)) as probe:
                    probe.verify()
            except Exception:
                raise ResultUnavailable("The provider sent a result that is not a readable image.", task_id=task_id) from None
        return tuple(images)

    def _remember_reuse(
        self,
        owner: str | None,
        task_id: str,
        key: CacheKey,
        prepared: Sequence[PreparedImage],
        paths: Sequence[Path],
        usage: dict[str, Any],
    ) -> None:
        """A result served without a new task (cache hit, joined edit) still lands in the browser's history."""
        if not owner or self.history is None:
            return
        entry_id = f"{task_id}.reuse{time.time_ns()}"
        self.history.start(owner, entry_id, recipe_for(key, task_id, 0), [(p.data, p.content_type) for p in prepared])
        self.history.finish(owner, entry_id, [str(p) for p in paths], from_cache=True, usage=usage)

    def _forget(self, record: InflightRecord) -> None:
        """A task that ended without results: drop its on-disk record and its running history entry."""
        self.inflight.remove(record.task_id)
        if record.owner and self.history is not None:
            self.history.delete(record.owner, record.task_id)

    def _write_outputs(self, task_id: str, images: Sequence[bytes], key: CacheKey) -> tuple[Path, ...]:
        """Result files for the page, each PNG carrying its recipe (pixels untouched)."""
        folder = self.results_dir / task_id
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for index, data in enumerate(images, start=1):
            path = folder / f"{task_id}-{index}.png"
            if not path.exists():
                path.write_bytes(embed_recipe(data, recipe_for(key, task_id, index)))
            paths.append(path)
        return tuple(paths)


def _cache_key(request: CreateRequest, seed: int, prepared: Sequence[PreparedImage]) -> CacheKey:
    return CacheKey(
        MODEL,
        request.prompt,
        request.negative_prompt,
        seed,
        request.n,
        request.size,
        request.prompt_extend,
        request.watermark,
        tuple(p.sha256 for p in prepared),
    )
