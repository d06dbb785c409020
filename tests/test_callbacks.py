"""Callback push: a signed per-edit URL wakes the waiting edit at once; forged calls do nothing;
a user's own callback URL gets the provider's payload, forwarded once."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from qwen_ui.api.retry import PollPolicy
from qwen_ui.callbacks import CallbackHub
from qwen_ui.secrets import Secret
from qwen_ui.serving import ServerThread, free_port
from tests.apphelpers import connect, edit, running_app
from tests.helpers import SimulatorControl

forwarded: list[dict[str, object]] = []


def user_receiver(request: httpx.Request) -> httpx.Response:
    # The user's own https receiver lives on the internet: the one thing stood in for here.
    forwarded.append({"url": str(request.url), "body": json.loads(request.content)})
    return httpx.Response(200)


@pytest.fixture
def hub_server() -> Iterator[tuple[CallbackHub, ServerThread]]:
    port = free_port()
    hub = CallbackHub(Secret("s" * 32), f"http://127.0.0.1:{port}", httpx.AsyncClient(transport=httpx.MockTransport(user_receiver)))
    app = FastAPI()
    app.include_router(hub.router())
    server = ServerThread(app, port=port).start()
    forwarded.clear()
    yield hub, server
    server.stop()


async def post(url: str, body: dict[str, object]) -> int:
    async with httpx.AsyncClient() as http:
        return (await http.post(url, json=body)).status_code


async def test_a_signed_callback_wakes_the_waiting_edit(hub_server: tuple[CallbackHub, ServerThread]) -> None:
    hub, _ = hub_server
    url, _, wake = hub.register()
    assert await post(url, {"id": "task-unified-1-abcdefgh", "status": "completed"}) == 204
    await asyncio.wait_for(wake.wait(), timeout=2)


@pytest.mark.parametrize("spoil", ["signature", "nonce", "missing"])
async def test_a_forged_callback_is_404_and_wakes_nobody(hub_server: tuple[CallbackHub, ServerThread], spoil: str) -> None:
    hub, server = hub_server
    url, nonce, wake = hub.register()
    forged = {
        "signature": url[:-1] + ("0" if url[-1] != "0" else "1"),
        "nonce": url.replace(nonce, nonce[:-1] + ("A" if nonce[-1] != "A" else "B")),
        "missing": f"{server.url}/qwen-callback/{nonce}",
    }[spoil]
    assert await post(forged, {"id": "x", "status": "completed"}) == 404
    await asyncio.sleep(0.1)
    assert not wake.is_set()


async def test_the_users_callback_gets_the_payload_once(hub_server: tuple[CallbackHub, ServerThread]) -> None:
    hub, _ = hub_server
    url, nonce, _ = hub.register(forward_to="https://hooks.example.com/qwen")
    hub.release(nonce)  # the edit may end (by polling) before the provider calls: the forward is still owed
    payload = {"id": "task-unified-1-abcdefgh", "status": "completed", "results": ["https://cdn.example/x.png"]}
    for _ in range(3):  # the provider may deliver the same completion more than once
        assert await post(url, payload) == 204
    await asyncio.sleep(0.3)
    assert forwarded == [{"url": "https://hooks.example.com/qwen", "body": payload}]


def test_with_a_public_url_the_edit_is_woken_by_the_callback_not_by_polling(
    simulator_server: ServerThread, sim: SimulatorControl, tmp_path: Path
) -> None:
    port = free_port()
    settings = {"QWEN_UI_PUBLIC_URL": f"http://127.0.0.1:{port}", "GRADIO_SERVER_PORT": str(port)}
    picture = tmp_path / "in.png"
    Image.new("RGB", (600, 400), "gold").save(picture)
    with running_app(simulator_server.url, tmp_path / "push", **settings) as (url, runtime):
        runtime.client.poll = PollPolicy(first_s=30.0, max_s=30.0, near_finish_s=30.0)  # polling alone would take 30 s
        started = time.monotonic()
        result = edit(connect(url, tmp_path / "dl"), [picture], seed=31)
    assert result[2].startswith("Done") and time.monotonic() - started < 10
    assert sim.stats()["callbacks_delivered"] == 1 and sim.creates == 1
