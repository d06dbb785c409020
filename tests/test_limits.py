"""Abuse control: per-visitor edits per minute and edits at once, with a clear message; off by default."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwen_ui.config import load_settings
from qwen_ui.errors import QuotaExceeded
from qwen_ui.limits import EditLimiter
from qwen_ui.serving import ServerThread
from tests.apphelpers import app_error, connect, edit, running_app, submit_edit
from tests.helpers import SimulatorControl


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limits_are_off_for_the_internal_tool_and_on_for_a_space() -> None:
    internal = load_settings({})
    space = load_settings({"SPACE_HOST": "someone-qwen.hf.space"})
    assert (internal.edits_per_minute, internal.edits_at_once) == (0, 0)
    assert space.edits_per_minute > 0 and space.edits_at_once > 0


def test_the_per_minute_limit_says_when_to_try_again() -> None:
    clock = Clock()
    limiter = EditLimiter(per_minute=2, at_once=0, clock=clock)
    for _ in range(2):
        with limiter.hold(["ip:1.2.3.4"]):
            pass
    clock.now += 20
    with pytest.raises(QuotaExceeded, match="try again in 40 s"), limiter.hold(["ip:1.2.3.4"]):
        pass
    with limiter.hold(["ip:5.6.7.8"]):  # another visitor is not affected
        pass
    clock.now += 41
    with limiter.hold(["ip:1.2.3.4"]):
        pass


def test_a_visitor_is_known_by_address_and_by_session() -> None:
    limiter = EditLimiter(per_minute=0, at_once=1)
    with limiter.hold(["session:a", "ip:1.2.3.4"]):
        with pytest.raises(QuotaExceeded, match="already have 1 edit"), limiter.hold(["session:b", "ip:1.2.3.4"]):
            pass
    with limiter.hold(["session:b", "ip:1.2.3.4"]):
        pass


@pytest.fixture(scope="module")
def limited_app(simulator_server: ServerThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    limits = {"QWEN_UI_EDITS_PER_MINUTE": "3", "QWEN_UI_EDITS_AT_ONCE": "1"}
    with running_app(simulator_server.url, tmp_path_factory.mktemp("limits"), **limits) as (url, _):
        yield url


def test_a_second_edit_at_once_from_the_same_visitor_is_refused(
    limited_app: str, sim: SimulatorControl, picture: Path, tmp_path: Path
) -> None:
    sim.configure(task_seconds=1.5)
    first, second = connect(limited_app, tmp_path / "a"), connect(limited_app, tmp_path / "b")
    job = submit_edit(first, [picture], prompt="one", seed=1)
    deadline = time.monotonic() + 10
    while sim.creates == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "already have 1 edit(s) running" in app_error(second, [picture], seed=2)
    assert job.result()[2].startswith("Done")
    assert sim.creates == 1


def test_the_fourth_edit_in_a_minute_is_refused(limited_app: str, sim: SimulatorControl, picture: Path, tmp_path: Path) -> None:
    client = connect(limited_app, tmp_path / "c")
    made, refusal = 0, ""
    for seed in range(10, 14):  # earlier tests of this module may already have used some of the three
        try:
            edit(client, [picture], seed=seed)
            made += 1
        except Exception as exc:
            refusal = str(exc)
            break
    assert made <= 3 and "3 edits per minute per visitor; try again in" in refusal
    assert sim.creates == made
