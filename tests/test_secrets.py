"""Canary keys through success and failure paths: neither the server key nor a pasted key may appear
in logs, pages, API answers, error messages, cache and result files, or the ZIP."""

from __future__ import annotations

import logging
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from qwen_ui.config import load_settings
from qwen_ui.limits import EditLimiter
from qwen_ui.runtime import Runtime, build_runtime
from qwen_ui.secrets import Secret
from qwen_ui.serving import ServerThread
from qwen_ui.ui.handlers import EditHandlers, remember_key
from tests.apphelpers import app_error, connect, edit, running_app
from tests.conftest import TEST_KEY
from tests.helpers import SimulatorControl

PASTED_KEY = "sk-paste-5d1e0c7b9a2f4e61"


@pytest.fixture(scope="module")
def app(simulator_server: ServerThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime, Path]]:
    data_dir = tmp_path_factory.mktemp("secrets")
    with running_app(simulator_server.url, data_dir) as (url, runtime):
        yield url, runtime, data_dir


def files_containing(root: Path, needle: str) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if needle.encode() in data:
                found.append(path)
            if path.suffix == ".zip":
                with zipfile.ZipFile(path) as archive:
                    if any(needle.encode() in archive.read(name) for name in archive.namelist()):
                        found.append(path)
    return found


async def test_a_pasted_key_is_used_for_the_session_and_never_kept(
    simulator_server: ServerThread, sim: SimulatorControl, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "data"
    env = {
        "EVOLINK_API_KEY": TEST_KEY,
        "EVOLINK_BASE_URL": simulator_server.url,
        "EVOLINK_FILES_URL": simulator_server.url,
        "QWEN_UI_DATA_DIR": str(data_dir),
    }
    runtime = build_runtime(load_settings(env))  # its own pooled client, bound to this test's event loop
    key, box, status = remember_key(f"  {PASTED_KEY} ")
    assert isinstance(key, Secret) and box == "" and PASTED_KEY not in status
    picture = tmp_path / "in.png"
    Image.new("RGB", (600, 400), "navy").save(picture)
    handlers = EditHandlers(runtime.service, runtime.for_user_key, EditLimiter(per_minute=0, at_once=0))
    messages = []
    try:
        async for _ in handlers.edit(str(picture), None, None, "x", "", 1, "auto", 5, False, True, False, "", key):
            pass
    except Exception as exc:  # the simulator only knows the server key: the pasted one is refused
        messages.append(str(exc))
    assert messages and "API key is missing or not valid" in messages[0]
    assert PASTED_KEY not in messages[0] and PASTED_KEY not in repr(key)
    assert not [r.getMessage() for r in caplog.records if PASTED_KEY in r.getMessage()]
    assert files_containing(data_dir, PASTED_KEY) == []
    assert not list((data_dir / "inflight").glob("*.json"))
    await runtime.http.aclose()
    runtime.close()


def test_the_server_key_never_leaks(
    app: tuple[str, Runtime, Path], sim: SimulatorControl, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url, runtime, data_dir = app
    picture = tmp_path / "in.png"
    Image.new("RGB", (600, 400), "teal").save(picture)
    client = connect(url, tmp_path / "dl")
    seen: list[Any] = [edit(client, [picture], seed=10), edit(client, [picture], seed=10)]  # a run and a cache hit
    for rule in ({"status": 401}, {"status": 402}, {"status": 429, "retry_after": "60"}, {"status": 500, "phase": "after"}):
        sim.fault(target="create", kind="status", **rule)
        seen.append(app_error(client, [picture], seed=11))
        sim.reset()
    sim.fault(target="create", kind="malformed", phase="after")
    seen.append(app_error(client, [picture], seed=12))
    seen += [
        httpx.get(url).text,
        httpx.get(f"{url}config").text,
        httpx.get(f"{url}gradio_api/info").text,
        repr(runtime.settings),
        repr(runtime.client),
    ]
    assert not [s for s in map(str, seen) if TEST_KEY in s]
    assert not [r.getMessage() for r in caplog.records if TEST_KEY in r.getMessage()]
    assert files_containing(data_dir, TEST_KEY) == []
    assert files_containing(Path(os.environ["GRADIO_TEMP_DIR"]), TEST_KEY) == []
    assert files_containing(tmp_path, TEST_KEY) == []
