"""Fault matrix: the remote API fails in the usual ways; through the app's /edit endpoint the user
gets a result or a plain sentence, earlier results stay, and the create count never exceeds one per click."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from gradio_client import Client

from qwen_ui.api.retry import PollPolicy
from qwen_ui.runtime import Runtime
from qwen_ui.serving import ServerThread, free_port
from tests.apphelpers import app_error, connect, edit, running_app, submit_edit
from tests.conftest import TEST_KEY
from tests.helpers import SimulatorControl
from tests.test_startup import ROOT, app_env


@pytest.fixture(scope="module")
def app(simulator_server: ServerThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime]]:
    with running_app(simulator_server.url, tmp_path_factory.mktemp("faults"), QWEN_UI_HTTP_TIMEOUT_S="1") as (url, runtime):
        runtime.service.resolver = lambda host: ["93.184.215.14"]  # no DNS here; the names used below are public
        runtime.client.poll = PollPolicy(outage_tolerance_s=2.0)
        yield url, runtime


@pytest.fixture
def gradio(app: tuple[str, Runtime], tmp_path: Path) -> Iterator[Client]:
    app[1].cache.clear()
    client = connect(app[0], tmp_path / "dl")
    yield client
    client.close()


@pytest.fixture
def earlier(gradio: Client, sim: SimulatorControl, picture: Path) -> tuple[Any, ...]:
    """A finished edit made before the fault: it must survive whatever happens next."""
    result = edit(gradio, [picture], seed=1, prompt="earlier edit")
    sim.reset()
    return result


def assert_earlier_intact(gradio: Client, sim: SimulatorControl, picture: Path, earlier: tuple[Any, ...]) -> None:
    assert all(Path(item["image"]).exists() for item in earlier[0])
    before = sim.creates
    again = edit(gradio, [picture], seed=1, prompt="earlier edit")
    assert "from cache" in again[2] and sim.creates == before


SUCCEEDS = [
    ("5xx-burst-on-polls", {"target": "get", "kind": "status", "status": 503, "count": 5}),
    ("429-retry-after-on-create", {"target": "create", "kind": "status", "status": 429, "retry_after": "1"}),
    ("429-retry-after-on-polls", {"target": "get", "kind": "status", "status": 429, "retry_after": "1", "count": 2}),
    ("connection-reset-mid-poll", {"target": "get", "kind": "drop", "phase": "after", "count": 2}),
    ("malformed-json-on-polls", {"target": "get", "kind": "malformed", "phase": "after", "count": 2}),
    ("slow-result-download", {"target": "download", "kind": "delay", "delay_s": 0.8}),
    ("5xx-on-result-download", {"target": "download", "kind": "status", "status": 502, "count": 2}),
]


@pytest.mark.parametrize("rule", [r for _, r in SUCCEEDS], ids=[name for name, _ in SUCCEEDS])
def test_transient_faults_are_ridden_out_and_the_edit_is_made_once(
    gradio: Client, sim: SimulatorControl, picture: Path, earlier: tuple[Any, ...], rule: dict[str, Any]
) -> None:
    sim.fault(**rule)
    result = edit(gradio, [picture], seed=2)
    assert result[2].startswith("Done") and len(result[0]) == 1
    assert sim.creates == 1
    assert_earlier_intact(gradio, sim, picture, earlier)


FAILS = [
    ("read-timeout-on-create", {"target": "create", "kind": "hang", "phase": "after", "delay_s": 2.5}, "not sent again", 1),
    ("connection-reset-on-create", {"target": "create", "kind": "drop", "phase": "after"}, "not sent again", 1),
    ("5xx-on-create", {"target": "create", "kind": "status", "status": 500, "phase": "after"}, "not sent again", 1),
    ("long-429-on-create", {"target": "create", "kind": "status", "status": 429, "retry_after": "3600"}, "Try again in 3600 s", 0),
    ("402-on-create", {"target": "create", "kind": "status", "status": 402, "message": "Insufficient balance"}, "run out of credits", 0),
    ("401-on-create", {"target": "create", "kind": "status", "status": 401}, "API key is missing or not valid", 0),
    ("unknown-status", {"target": "get", "kind": "unknown_status", "phase": "after", "count": 50}, "unknown task status", 1),
    ("result-expired", {"target": "download", "kind": "status", "status": 404, "count": 10}, "expired", 1),
]


@pytest.mark.parametrize(("rule", "said", "creates"), [r[1:] for r in FAILS], ids=[r[0] for r in FAILS])
def test_lasting_faults_end_in_a_plain_sentence_without_a_second_create(
    gradio: Client, sim: SimulatorControl, picture: Path, earlier: tuple[Any, ...], rule: dict[str, Any], said: str, creates: int
) -> None:
    sim.fault(**rule)
    assert said in app_error(gradio, [picture], seed=3)
    assert sim.creates == creates
    sim.reset()
    assert_earlier_intact(gradio, sim, picture, earlier)


def test_a_failed_task_shows_the_reason_and_is_not_recreated(
    gradio: Client, sim: SimulatorControl, picture: Path, earlier: tuple[Any, ...]
) -> None:
    sim.configure(fail_next_task="Prompt rejected by the safety filter.")
    assert "safety filter" in app_error(gradio, [picture], seed=4)
    assert sim.creates == 1
    assert_earlier_intact(gradio, sim, picture, earlier)


@pytest.fixture
def flaky_receiver() -> Iterator[tuple[ServerThread, list[int]]]:
    statuses: list[int] = []
    app = FastAPI()

    @app.post("/hook")
    async def hook(request: Request) -> JSONResponse:
        await request.json()
        statuses.append(503 if len(statuses) < 2 else 200)
        return JSONResponse({}, status_code=statuses[-1])

    server = ServerThread(app).start()
    yield server, statuses
    server.stop()


def test_a_user_callback_is_retried_until_accepted(
    gradio: Client, sim: SimulatorControl, picture: Path, flaky_receiver: tuple[ServerThread, list[int]]
) -> None:
    server, statuses = flaky_receiver
    sim.configure(callback_override_url=f"{server.url}/hook")
    result = edit(gradio, [picture], seed=5, callback_url="https://hooks.example.com/qwen")
    assert result[2].startswith("Done")
    deadline = time.monotonic() + 5
    while len(statuses) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert statuses == [503, 503, 200] and sim.creates == 1


def test_a_restart_mid_task_picks_the_task_up_again_and_keeps_its_result(
    simulator_server: ServerThread, sim: SimulatorControl, picture: Path, tmp_path: Path
) -> None:
    sim.configure(task_seconds=2.0)
    data_dir = tmp_path / "restart"
    port = free_port()
    env = app_env(
        tmp_path,
        EVOLINK_API_KEY=TEST_KEY,
        EVOLINK_BASE_URL=simulator_server.url,
        EVOLINK_FILES_URL=simulator_server.url,
        QWEN_UI_DATA_DIR=str(data_dir),
        GRADIO_SERVER_PORT=str(port),
    )
    process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = wait_for_app(f"http://127.0.0.1:{port}", tmp_path / "dl1")
        submit_edit(client, [picture], prompt="survive a restart", seed=77)
        deadline = time.monotonic() + 15
        while not list((data_dir / "inflight").glob("*.json")) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert list((data_dir / "inflight").glob("*.json")), "the task was not recorded when it was created"
    finally:
        process.kill()  # the app dies while the task runs
        process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while sim.stats()["active"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list((data_dir / "inflight").glob("*.json")), "with the app down, nobody has saved the result yet"

    with running_app(simulator_server.url, data_dir) as (url, _):
        deadline = time.monotonic() + 15
        while list((data_dir / "inflight").glob("*.json")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not list((data_dir / "inflight").glob("*.json")), "the task was not picked up again"
        again = edit(connect(url, tmp_path / "dl2"), [picture], seed=77, prompt="survive a restart")
    assert "from cache" in again[2] and sim.creates == 1


def wait_for_app(url: str, downloads: Path) -> Client:
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return connect(url, downloads)
        except httpx.HTTPError:
            assert time.monotonic() < deadline, "app did not start"
            time.sleep(0.1)


def test_a_cancelled_wait_still_keeps_the_result(gradio: Client, sim: SimulatorControl, picture: Path, app: tuple[str, Runtime]) -> None:
    sim.configure(task_seconds=1.5)
    job = submit_edit(gradio, [picture], prompt="cancel me", seed=88)
    deadline = time.monotonic() + 10
    while sim.creates == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    job.cancel()
    time.sleep(2.5)
    again = edit(gradio, [picture], seed=88, prompt="cancel me")
    assert "from cache" in again[2] and sim.creates == 1
