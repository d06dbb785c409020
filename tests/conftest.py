"""Shared fixtures: one simulator per run on a free loopback port, isolated state per test."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
# Gradio reads this at several moments (upload, cache checks): one value for the whole run.
os.environ["GRADIO_TEMP_DIR"] = tempfile.mkdtemp(prefix="qwen-ui-tests-gradio-")

from qwen_ui.api.client import QwenClient, make_http_client  # noqa: E402
from qwen_ui.api.retry import RetryPolicy  # noqa: E402
from qwen_ui.secrets import Secret  # noqa: E402
from qwen_ui.serving import ServerThread  # noqa: E402
from qwen_ui.simulator.app import SimulatorConfig, create_simulator_app  # noqa: E402
from tests.helpers import SimulatorControl, image_bytes  # noqa: E402

# A recognisable key: tests grep for it wherever it must never appear.
TEST_KEY = "sk-canary-7f3c2a9e41d04b8c"
FAST_RETRY = RetryPolicy(attempts=4, base_s=0.01, cap_s=0.05, retry_after_cap_s=2.0, create_retry_after_cap_s=2.0)


@pytest.fixture(scope="session")
def simulator_server() -> Iterator[ServerThread]:
    config = SimulatorConfig(api_key=TEST_KEY, task_seconds=0.4, allow_local_callbacks=True, callback_backoff_s=(0.1, 0.2, 0.4))
    server = ServerThread(create_simulator_app(config)).start()
    yield server
    server.stop()


@pytest.fixture
def sim(simulator_server: ServerThread) -> SimulatorControl:
    control = SimulatorControl(simulator_server.url, TEST_KEY)
    control.reset()
    return control


@pytest.fixture
async def client(sim: SimulatorControl) -> AsyncIterator[QwenClient]:
    async with make_http_client() as http:
        yield QwenClient(http, api_key=Secret(TEST_KEY), base_url=sim.url, files_url=sim.url, retry=FAST_RETRY)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's keys or writes outside its temp dir."""
    for name in list(os.environ):
        if name.startswith(("EVOLINK_", "QWEN_UI_")) or name in ("SPACE_HOST",):
            monkeypatch.delenv(name, raising=False)
    logging.getLogger("qwen_ui").setLevel(logging.DEBUG)


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    """A valid 640×480 PNG input on disk."""
    path = tmp_path / "in.png"
    path.write_bytes(image_bytes((640, 480)))
    return path
