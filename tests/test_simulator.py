"""The simulator behaves like the real service: auth, errors, images, links, callbacks, CLI."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from PIL import Image

from qwen_ui.serving import ServerThread, free_port
from tests.conftest import TEST_KEY
from tests.helpers import SimulatorControl, image_bytes

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}


def create(sim: SimulatorControl, **body: Any) -> httpx.Response:
    payload = {"model": "qwen-image-edit-plus", "prompt": "make it blue", **body}
    if "image_urls" not in payload:
        payload["image_urls"] = [sim.upload(image_bytes())]
    return httpx.post(f"{sim.url}/v1/images/generations", json=payload, headers=AUTH)


def wait_done(sim: SimulatorControl, task_id: str, timeout_s: float = 10) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        task = httpx.get(f"{sim.url}/v1/tasks/{task_id}", headers=AUTH).json()
        if task["status"] in ("completed", "failed"):
            return task
        time.sleep(0.05)
    raise AssertionError("task did not finish")


def outputs(sim: SimulatorControl, task: dict[str, Any]) -> list[bytes]:
    return [httpx.get(url).content for url in task["results"]]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer"}, {"Authorization": "Bearer sk-wrong"}, {"Authorization": "Basic abc"}])
def test_missing_empty_or_wrong_key_is_401_with_an_error_body(sim: SimulatorControl, headers: dict[str, str]) -> None:
    response = httpx.post(f"{sim.url}/v1/images/generations", json={}, headers=headers)
    assert response.status_code == 401
    assert set(response.json()["error"]) >= {"code", "message", "type"}


def test_any_non_empty_token_is_accepted_when_no_key_is_configured() -> None:
    from qwen_ui.simulator.app import SimulatorConfig, create_simulator_app

    server = ServerThread(create_simulator_app(SimulatorConfig(api_key=None))).start()
    try:
        assert httpx.get(f"{server.url}/v1/tasks/task-unified-1-x", headers={"Authorization": "Bearer anything"}).status_code == 404
        assert httpx.get(f"{server.url}/v1/tasks/task-unified-1-x").status_code == 401
    finally:
        server.stop()


def test_invalid_field_is_400_naming_the_param(sim: SimulatorControl) -> None:
    response = create(sim, n=2, size="1024x1024")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "size" and "n is 1" in error["message"]


def test_task_ids_have_the_providers_form(sim: SimulatorControl) -> None:
    task = create(sim).json()
    assert re.fullmatch(r"task-unified-\d{10}-[a-z0-9]{8}", task["id"])
    assert task["object"] == "image.generation.task" and task["status"] == "pending"
    assert task["usage"]["credits_reserved"] > 0 and task["task_info"]["estimated_time"] >= 1


def test_progress_rises_over_the_configured_duration(sim: SimulatorControl) -> None:
    sim.configure(task_seconds=1.5)
    task_id = create(sim).json()["id"]
    seen = []
    for _ in range(12):
        seen.append(httpx.get(f"{sim.url}/v1/tasks/{task_id}", headers=AUTH).json()["progress"])
        time.sleep(0.15)
    assert seen == sorted(seen) and len(set(seen)) >= 4


def test_outputs_decode_and_have_the_requested_count(sim: SimulatorControl) -> None:
    task = wait_done(sim, create(sim, n=3, seed=1).json()["id"])
    images = [Image.open(io.BytesIO(data)) for data in outputs(sim, task)]
    assert len(images) == 3 and all(im.format == "PNG" for im in images)


def test_outputs_have_the_requested_size(sim: SimulatorControl) -> None:
    task = wait_done(sim, create(sim, size="768x1344", seed=1).json()["id"])
    assert Image.open(io.BytesIO(outputs(sim, task)[0])).size == (768, 1344)


def test_without_size_the_output_follows_the_last_inputs_aspect(sim: SimulatorControl) -> None:
    wide, tall = sim.upload(image_bytes((900, 450))), sim.upload(image_bytes((450, 900)))
    task = wait_done(sim, create(sim, image_urls=[wide, tall]).json()["id"])
    width, height = Image.open(io.BytesIO(outputs(sim, task)[0])).size
    assert height > width and 0.9e6 < width * height < 1.1e6


def test_equal_seed_and_inputs_give_identical_outputs_and_another_seed_does_not(sim: SimulatorControl) -> None:
    url = sim.upload(image_bytes())
    first = outputs(sim, wait_done(sim, create(sim, image_urls=[url], seed=11).json()["id"]))
    second = outputs(sim, wait_done(sim, create(sim, image_urls=[url], seed=11).json()["id"]))
    other = outputs(sim, wait_done(sim, create(sim, image_urls=[url], seed=12).json()["id"]))
    assert [hashlib.sha256(d).digest() for d in first] == [hashlib.sha256(d).digest() for d in second]
    assert first != other


def test_watermark_changes_the_pixels(sim: SimulatorControl) -> None:
    url = sim.upload(image_bytes())
    plain = outputs(sim, wait_done(sim, create(sim, image_urls=[url], seed=5).json()["id"]))
    marked = outputs(sim, wait_done(sim, create(sim, image_urls=[url], seed=5, watermark=True).json()["id"]))
    assert plain != marked


def test_an_unreachable_image_url_fails_the_task(sim: SimulatorControl) -> None:
    task = wait_done(sim, create(sim, image_urls=[f"http://127.0.0.1:{free_port()}/missing.png"]).json()["id"])
    assert task["status"] == "failed" and "image_urls[1]" in task["error"]["message"]


def test_a_non_image_url_fails_the_task(sim: SimulatorControl) -> None:
    task = wait_done(sim, create(sim, image_urls=[f"{sim.url}/_simulator/stats"]).json()["id"])
    assert task["status"] == "failed" and "not an image" in task["error"]["message"]


def test_a_too_small_input_fails_the_task(sim: SimulatorControl) -> None:
    task = wait_done(sim, create(sim, image_urls=[sim.upload(image_bytes((100, 100)))]).json()["id"])
    assert task["status"] == "failed" and "384" in task["error"]["message"]


def test_result_links_expire(sim: SimulatorControl) -> None:
    sim.configure(result_ttl_s=0)
    task = wait_done(sim, create(sim).json()["id"])
    assert httpx.get(task["results"][0]).status_code == 404


def test_a_tampered_result_link_is_404(sim: SimulatorControl) -> None:
    url = wait_done(sim, create(sim).json()["id"])["results"][0]
    flipped = url[:-1] + ("0" if url[-1] != "0" else "1")
    assert httpx.get(url).status_code == 200
    assert httpx.get(flipped).status_code == 404


def test_upload_refuses_a_non_image(sim: SimulatorControl) -> None:
    response = httpx.post(f"{sim.url}/api/v1/files/upload/stream", headers=AUTH, files={"file": ("a.png", b"not an image", "image/png")})
    assert response.status_code == 400


def test_create_count_counts_only_accepted_creates(sim: SimulatorControl) -> None:
    create(sim)
    create(sim, n=9)
    assert sim.creates == 1


@pytest.fixture
def receiver() -> Iterator[tuple[ServerThread, list[dict[str, Any]]]]:
    """A callback receiver that fails twice, then accepts."""
    received: list[dict[str, Any]] = []
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> JSONResponse:
        received.append(await request.json())
        return JSONResponse({}, status_code=500 if len(received) <= 2 else 200)

    server = ServerThread(app).start()
    yield server, received
    server.stop()


def test_callbacks_are_retried_after_failures_until_accepted(
    sim: SimulatorControl, receiver: tuple[ServerThread, list[dict[str, Any]]]
) -> None:
    server, received = receiver
    task_id = create(sim, callback_url=f"{server.url}/hook").json()["id"]
    wait_done(sim, task_id)
    deadline = time.monotonic() + 5
    while len(received) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(received) == 3
    assert received[-1]["id"] == task_id and received[-1]["status"] == "completed" and received[-1]["results"]
    attempts = [c for c in sim.stats()["callbacks"] if c["task_id"] == task_id]
    assert [a["status"] for a in attempts] == [500, 500, 200]


def test_the_simulator_runs_alone_and_a_plain_http_session_completes_a_task() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "qwen_ui.simulator", "--port", str(port), "--api-key", "k1", "--task-seconds", "0.3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/_simulator/stats")
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.1)
        auth = {"Authorization": "Bearer k1"}
        upload = httpx.post(
            f"{base}/api/v1/files/upload/stream", headers=auth, files={"file": ("in.png", image_bytes(), "image/png")}
        ).json()
        assert upload["success"] is True
        task = httpx.post(
            f"{base}/v1/images/generations",
            headers=auth,
            json={"model": "qwen-image-edit-plus", "prompt": "x", "image_urls": [upload["data"]["file_url"]]},
        ).json()
        for _ in range(100):
            task = httpx.get(f"{base}/v1/tasks/{task['id']}", headers=auth).json()
            if task["status"] == "completed":
                break
            time.sleep(0.05)
        png = httpx.get(task["results"][0])
        assert png.headers["content-type"] == "image/png" and Image.open(io.BytesIO(png.content)).format == "PNG"
    finally:
        process.terminate()
        process.wait(timeout=10)
