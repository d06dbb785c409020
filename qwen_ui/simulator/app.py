"""The simulator's HTTP surface: the provider's paths, auth, errors and files.

Paths: ``POST /v1/images/generations``, ``GET /v1/tasks/{id}``, the file
service's ``POST /api/v1/files/upload/stream``, uploaded files under
``/files/…``, expiring result links under ``/results/…``, and the control
surface ``/_simulator/{stats,faults,reset,config}`` for tests and benchmarks.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import logging
import random
import secrets
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from PIL import Image
from pydantic import BaseModel

from qwen_ui.api.schema import LIMITS, CreateRequest, error_body
from qwen_ui.errors import InputError
from qwen_ui.simulator.engine import SimTask, TaskEngine, new_task_id
from qwen_ui.simulator.faults import FaultMiddleware, FaultPlan, FaultRule

__all__ = ["SimulatorConfig", "create_simulator_app", "Simulator"]

log = logging.getLogger("qwen_ui.simulator")
_FILE_TYPES = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "BMP": ("image/bmp", "bmp"),
    "TIFF": ("image/tiff", "tiff"),
    "MPO": ("image/jpeg", "jpg"),
}


@dataclass
class SimulatorConfig:
    """Knobs of the simulated service (all changeable at run time via ``/_simulator/config``)."""

    api_key: str | None = None
    task_seconds: float = 4.0
    result_ttl_s: float = 24 * 3600
    file_ttl_s: float = 72 * 3600
    failure_rate: float = 0.0
    latency_s: float = 0.0
    allow_local_callbacks: bool = False
    callback_timeout_s: float = 10.0
    callback_backoff_s: tuple[float, ...] = (1.0, 2.0, 4.0)
    # Deliver every callback here instead of to callback_url (tests: a public URL is
    # validated by the app, the receiver listens on loopback).
    callback_override_url: str | None = None
    rng_seed: int | None = None


class ConfigPatch(BaseModel):
    task_seconds: float | None = None
    result_ttl_s: float | None = None
    failure_rate: float | None = None
    latency_s: float | None = None
    allow_local_callbacks: bool | None = None
    callback_override_url: str | None = None
    fail_next_task: str | None = None


@dataclass
class Simulator:
    config: SimulatorConfig
    engine: TaskEngine
    faults: FaultPlan = field(default_factory=FaultPlan)
    files: dict[str, tuple[bytes, str, float]] = field(default_factory=dict)
    signing_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    callback_log: list[dict[str, Any]] = field(default_factory=list)

    def sign(self, path: str, expires: int) -> str:
        return hmac.new(self.signing_key, f"{path}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

    def result_urls(self, base: str, task: SimTask) -> list[str]:
        expires = int((task.finished_at or time.monotonic()) - time.monotonic() + time.time() + self.config.result_ttl_s)
        urls = []
        for i in range(len(task.outputs)):
            path = f"/results/{task.id}/{i}.png"
            urls.append(f"{base}{path}?expires={expires}&sig={self.sign(path, expires)}")
        return urls


def _error(
    status: int,
    code: str,
    message: str,
    *,
    param: str | None = None,
    type_: str = "invalid_request_error",
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, type_=type_, param=param), status_code=status, headers=headers)


def create_simulator_app(config: SimulatorConfig | None = None) -> FastAPI:
    """A FastAPI app speaking the provider's protocol; ``app.state.simulator`` holds its state."""
    config = config or SimulatorConfig()
    sim = Simulator(config=config, engine=TaskEngine(failure_rate=config.failure_rate, rng=random.Random(config.rng_seed)))
    http_holder: dict[str, httpx.AsyncClient] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI):  # type: ignore[no-untyped-def]
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as http:
            http_holder["http"] = http
            yield

    app = FastAPI(title="qwen-image-edit-plus simulator", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.simulator = sim
    app.add_middleware(FaultMiddleware, plan=sim.faults)

    def http() -> httpx.AsyncClient:
        return http_holder["http"]

    def unauthorized(request: Request) -> JSONResponse | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "unauthorized", "Missing bearer token in the Authorization header.", type_="authentication_error")
        if config.api_key is not None and not hmac.compare_digest(token.strip().encode(), config.api_key.encode()):
            return _error(401, "invalid_api_key", "Invalid API key.", type_="authentication_error")
        return None

    @app.middleware("http")
    async def latency(request: Request, call_next):  # type: ignore[no-untyped-def]
        if config.latency_s and not request.url.path.startswith("/_simulator"):
            await asyncio.sleep(config.latency_s)
        return await call_next(request)

    @app.post("/v1/images/generations")
    async def create_task(request: Request) -> Response:
        if (denied := unauthorized(request)) is not None:
            return denied
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "invalid_json", "The request body is not valid JSON.")
        if not isinstance(body, dict):
            return _error(400, "invalid_json", "The request body must be a JSON object.")
        try:
            task_request = CreateRequest.build(check_callback=not config.allow_local_callbacks, **_known_fields(body))
        except InputError as exc:
            return _error(400, "invalid_parameter", str(exc), param=exc.field)
        except TypeError:
            return _error(400, "invalid_parameter", "The request has fields of the wrong type.")
        if task_request.callback_url and not task_request.callback_url.startswith(("https://", "http://")):
            return _error(400, "invalid_parameter", "callback_url must be an https URL.", param="callback_url")
        sim.engine.counters.creates += 1
        created = int(time.time())
        task = SimTask(
            id=new_task_id(created),
            created=created,
            request=task_request,
            duration_s=config.task_seconds,
            seed=task_request.seed if task_request.seed is not None else random.randrange(LIMITS.seed_max + 1),
        )
        sim.engine.start(task, http(), on_done=lambda t: deliver_callback(t, str(request.base_url).rstrip("/")))
        return JSONResponse(task.to_json([]))

    @app.get("/v1/tasks/{task_id}")
    async def get_task(task_id: str, request: Request) -> Response:
        if (denied := unauthorized(request)) is not None:
            return denied
        sim.engine.counters.gets += 1
        task = sim.engine.tasks.get(task_id)
        if task is None:
            return _error(404, "task_not_found", f"Task {task_id} not found.", type_="not_found_error")
        return JSONResponse(task.to_json(sim.result_urls(str(request.base_url).rstrip("/"), task)))

    @app.get("/results/{task_id}/{index}.png")
    async def get_result(task_id: str, index: int, expires: int = 0, sig: str = "") -> Response:
        sim.engine.counters.downloads += 1
        path = f"/results/{task_id}/{index}.png"
        task = sim.engine.tasks.get(task_id)
        valid = hmac.compare_digest(sig.encode(), sim.sign(path, expires).encode()) and expires >= time.time()
        if task is None or not valid or not 0 <= index < len(task.outputs) or task.final_status != "completed":
            return Response("Not Found", status_code=404, media_type="text/plain")
        return Response(task.outputs[index], media_type="image/png")

    @app.post("/api/v1/files/upload/stream")
    async def upload_file(request: Request, file: UploadFile) -> Response:
        if (denied := unauthorized(request)) is not None:
            return denied
        data = await file.read(LIMITS.input_max_bytes + 1)
        if len(data) > LIMITS.input_max_bytes:
            return _error(413, "file_too_large", "The file is larger than 10 MB.")
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
        except Exception:
            return _error(400, "invalid_file", "The uploaded file is not an image.", param="file")
        if kind not in _FILE_TYPES:
            return _error(400, "invalid_file", f"Unsupported image format {kind}.", param="file")
        sim.engine.counters.uploads += 1
        content_type, ext = _FILE_TYPES[kind]
        name = f"{secrets.token_urlsafe(16)}.{ext}"
        expires_at = time.time() + config.file_ttl_s
        sim.files[name] = (data, content_type, expires_at)
        iso = datetime.fromtimestamp(expires_at, tz=UTC).isoformat().replace("+00:00", "Z")
        base = str(request.base_url).rstrip("/")
        return JSONResponse(
            {
                "success": True,
                "code": 200,
                "data": {
                    "file_id": name.split(".")[0],
                    "file_name": name,
                    "file_url": f"{base}/files/{name}",
                    "mime_type": content_type,
                    "file_size": len(data),
                    "expires_at": iso,
                },
            }
        )

    @app.get("/files/{name}")
    async def get_file(name: str) -> Response:
        entry = sim.files.get(name)
        if entry is None or entry[2] < time.time():
            return Response("Not Found", status_code=404, media_type="text/plain")
        return Response(entry[0], media_type=entry[1])

    async def deliver_callback(task: SimTask, base: str) -> None:
        """POST the task JSON; 10 s timeout, retried after 1/2/4 s on non-2xx or errors."""
        url = task.request.callback_url and (config.callback_override_url or task.request.callback_url)
        if not url:
            return
        payload = task.to_json(sim.result_urls(base, task))
        delays = (0.0, *config.callback_backoff_s)
        for attempt, delay in enumerate(delays, start=1):
            await asyncio.sleep(delay)
            sim.engine.counters.callbacks_attempted += 1
            try:
                response = await http().post(url, json=payload, timeout=config.callback_timeout_s)
                status: int | None = response.status_code
            except httpx.HTTPError:
                status = None
            sim.callback_log.append({"task_id": task.id, "attempt": attempt, "status": status, "at": time.time()})
            if status is not None and 200 <= status < 300:
                sim.engine.counters.callbacks_delivered += 1
                return

    @app.get("/_simulator/stats")
    async def stats() -> dict[str, Any]:
        counters = sim.engine.counters
        return {
            **counters.__dict__,
            "tasks": len(sim.engine.tasks),
            "active": sum(1 for task in sim.engine.tasks.values() if task.final_status is None),
            "created_unix": sorted(task.created_unix for task in sim.engine.tasks.values()),
            # How late tasks finished against their nominal duration (rendering under load).
            "completion_lag_s": sorted(
                round(task.finished_at - task.started - task.duration_s, 3)
                for task in sim.engine.tasks.values()
                if task.finished_at is not None
            ),
            "pending_faults": sim.faults.pending(),
            "callbacks": sim.callback_log[-50:],
        }

    @app.get("/_simulator/tasks/{task_id}")
    async def task_times(task_id: str) -> Response:
        task = sim.engine.tasks.get(task_id)
        if task is None:
            return _error(404, "task_not_found", f"Task {task_id} not found.")
        return JSONResponse({"id": task.id, "status": task.final_status, "completed_unix": task.completed_unix})

    @app.post("/_simulator/faults")
    async def add_faults(rules: list[FaultRule]) -> dict[str, Any]:
        sim.faults.add(rules)
        return {"pending_faults": sim.faults.pending()}

    @app.post("/_simulator/reset")
    async def reset() -> dict[str, str]:
        sim.faults.clear()
        sim.engine.counters.__init__()  # type: ignore[misc]
        sim.callback_log.clear()
        sim.engine.fail_next.clear()
        return {"status": "reset"}

    @app.post("/_simulator/config")
    async def patch_config(patch: ConfigPatch) -> dict[str, Any]:
        for key, value in patch.model_dump(exclude_none=True).items():
            if key == "fail_next_task":
                sim.engine.fail_next.append(value)
            else:
                setattr(config, key, value)
        sim.engine.failure_rate = config.failure_rate
        return {k: v for k, v in config.__dict__.items() if k != "api_key"}

    return app


_FIELDS = ("model", "prompt", "image_urls", "n", "negative_prompt", "size", "seed", "prompt_extend", "watermark", "callback_url")


def _known_fields(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in _FIELDS if k in body}
