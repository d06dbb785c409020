"""Task life cycle of the simulator: fetch inputs, render, progress, finish, call back."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import random
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from PIL import Image

from qwen_ui.api.schema import LIMITS, CreateRequest, parse_size
from qwen_ui.simulator.render import render_outputs

__all__ = ["SimTask", "TaskEngine", "Counters", "new_task_id"]

log = logging.getLogger("qwen_ui.simulator")
_ACCEPTED_FORMATS = {"JPEG", "PNG", "BMP", "WEBP", "TIFF", "MPO"}
CREDITS_PER_IMAGE = 0.5


def new_task_id(created: int) -> str:
    """The provider's form: ``task-unified-<unix time>-<8 lowercase letters/digits>``."""
    suffix = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))
    return f"task-unified-{created}-{suffix}"


@dataclass
class Counters:
    creates: int = 0
    gets: int = 0
    uploads: int = 0
    downloads: int = 0
    callbacks_attempted: int = 0
    callbacks_delivered: int = 0


@dataclass
class SimTask:
    id: str
    created: int
    request: CreateRequest
    duration_s: float
    started: float = field(default_factory=time.monotonic)
    seed: int = 0
    final_status: str | None = None
    error: dict[str, str] | None = None
    outputs: list[bytes] = field(default_factory=list)
    finished_at: float | None = None
    completed_unix: float | None = None  # wall clock, for benchmarks measuring what comes after
    created_unix: float = field(default_factory=time.time)

    def status_progress(self, now: float) -> tuple[str, int]:
        if self.final_status is not None:
            return self.final_status, 100 if self.final_status == "completed" else self._progress(now)
        elapsed = now - self.started
        if elapsed < min(0.5, self.duration_s * 0.1):
            return "pending", 0
        return "processing", self._progress(now)

    def _progress(self, now: float) -> int:
        if self.duration_s <= 0:
            return 99
        return max(1, min(99, int(100 * (now - self.started) / self.duration_s)))

    def to_json(self, result_urls: list[str]) -> dict[str, Any]:
        status, progress = self.status_progress(time.monotonic())
        body: dict[str, Any] = {
            "created": self.created,
            "id": self.id,
            "model": self.request.model,
            "object": "image.generation.task",
            "progress": progress,
            "status": status,
            "task_info": {"can_cancel": status == "pending"},
            "type": "image",
            "usage": {"credits_reserved": CREDITS_PER_IMAGE * self.request.n},
        }
        if status in ("pending", "processing"):
            body["task_info"]["estimated_time"] = max(1, round(self.duration_s - (time.monotonic() - self.started)))
        if status == "completed":
            body["results"] = result_urls
            body["usage"]["credits_used"] = CREDITS_PER_IMAGE * len(self.outputs)
        if status == "failed" and self.error:
            body["error"] = self.error
        return body


class TaskEngine:
    """Runs each task in the background; GETs read its state."""

    def __init__(self, *, failure_rate: float, fetch_timeout_s: float = 20.0, rng: random.Random | None = None) -> None:
        self.tasks: dict[str, SimTask] = {}
        self.failure_rate = failure_rate
        self.fetch_timeout_s = fetch_timeout_s
        self.counters = Counters()
        self.fail_next: list[str] = []
        self._rng = rng or random.Random()
        self._running: set[asyncio.Task[None]] = set()

    def start(self, task: SimTask, http: httpx.AsyncClient, on_done: Any) -> None:
        self.tasks[task.id] = task
        job = asyncio.create_task(self._run(task, http, on_done))
        self._running.add(job)
        job.add_done_callback(self._running.discard)

    async def _run(self, task: SimTask, http: httpx.AsyncClient, on_done: Any) -> None:
        try:
            images, digest = await self._fetch_inputs(task, http)
            if images is not None:
                size = parse_size(task.request.size) if task.request.size else None
                task.outputs = await asyncio.to_thread(
                    render_outputs,
                    images,
                    input_digest=digest,
                    prompt=task.request.prompt,
                    seed=task.seed,
                    n=task.request.n,
                    size=size,
                    watermark=task.request.watermark,
                )
                await asyncio.sleep(max(0.0, task.started + task.duration_s - time.monotonic()))
                if self.fail_next:
                    self._fail(task, "content_policy_violation", self.fail_next.pop(0))
                elif self._rng.random() < self.failure_rate:
                    self._fail(task, "generation_failed", "Simulated generation failure (failure rate knob).")
                else:
                    task.finished_at = time.monotonic()
                    task.completed_unix = time.time()
                    task.final_status = "completed"
        except Exception as exc:  # any bug here must still end the task, as the provider would
            log.exception("simulated task %s crashed", task.id)
            self._fail(task, "internal_error", f"Simulator error: {type(exc).__name__}")
        await on_done(task)

    def _fail(self, task: SimTask, code: str, message: str) -> None:
        task.error = {"code": code, "message": message}
        task.final_status = "failed"
        task.finished_at = time.monotonic()

    async def _fetch_inputs(self, task: SimTask, http: httpx.AsyncClient) -> tuple[list[Image.Image] | None, str]:
        """Download every image URL like the real service; a bad one fails the task."""
        images: list[Image.Image] = []
        digest = hashlib.sha256()
        for i, url in enumerate(task.request.image_urls, start=1):
            try:
                response = await http.get(url, timeout=self.fetch_timeout_s)
            except httpx.HTTPError as exc:
                self._fail(task, "image_download_failed", f"Could not download image_urls[{i}]: {type(exc).__name__}.")
                return None, ""
            if response.status_code != 200:
                self._fail(task, "image_download_failed", f"Could not download image_urls[{i}]: HTTP {response.status_code}.")
                return None, ""
            problem = _image_problem(response.content)
            if isinstance(problem, str):
                self._fail(task, "invalid_image", f"image_urls[{i}] {problem}")
                return None, ""
            images.append(problem)
            digest.update(hashlib.sha256(response.content).digest())
        return images, digest.hexdigest()


def _image_problem(data: bytes) -> Image.Image | str:
    if len(data) > LIMITS.input_max_bytes:
        return "is larger than 10 MB."
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception:
        return "is not an image the service can read."
    if image.format not in _ACCEPTED_FORMATS:
        return f"has unsupported format {image.format}; use jpg, png, bmp, webp or tiff."
    lo, hi = LIMITS.input_min_px, LIMITS.input_max_px
    if not (lo <= image.width <= hi and lo <= image.height <= hi):
        return f"is {image.width}x{image.height}; width and height must be within {lo}-{hi} pixels."
    return image
