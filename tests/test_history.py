"""History per browser: isolated, durable, and written by the service as tasks start and finish."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwen_ui.history import HistoryStore, new_browser_id, valid_browser_id
from tests.helpers import image_bytes

RECIPE = {"prompt": "make it blue", "seed": 1, "size": "auto", "n": 1}


@pytest.fixture
def store(tmp_path: Path) -> HistoryStore:
    return HistoryStore(tmp_path / "history", max_entries=3)


def test_two_browsers_never_see_each_others_history(store: HistoryStore) -> None:
    alice, bob = new_browser_id(), new_browser_id()
    store.start(alice, "task-a", RECIPE, [(image_bytes(), "image/png")])
    store.finish(alice, "task-a", ["/r/a.png"], from_cache=False, usage={})
    assert [e.id for e in store.list(alice)] == ["task-a"]
    assert store.list(bob) == [] and store.get(bob, "task-a") is None
    store.delete(bob, "task-a")
    assert [e.id for e in store.list(alice)] == ["task-a"]


@pytest.mark.parametrize("browser_id", ["", "../../etc", "A" * 32, "0" * 31, None, "0" * 32 + "/x"])
def test_a_malformed_browser_id_has_no_history_and_cannot_write(store: HistoryStore, browser_id: object) -> None:
    assert not valid_browser_id(browser_id)
    assert store.list(browser_id) == []  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        store.start(browser_id, "task-x", RECIPE, [])  # type: ignore[arg-type]


def test_entries_are_newest_first_running_then_done_and_trimmed(store: HistoryStore) -> None:
    browser = new_browser_id()
    for n in range(4):
        store.start(browser, f"task-{n}", {**RECIPE, "seed": n}, [(image_bytes(), "image/png")])
        store.finish(browser, f"task-{n}", [f"/r/{n}.png"], from_cache=False, usage={})
    store.start(browser, "task-run", RECIPE, [])
    entries = store.list(browser)
    assert entries[0].id == "task-run" and entries[0].status == "running"
    assert [e.id for e in entries[1:]] == ["task-3", "task-2", "task-1"]  # kept to max_entries done entries


def test_history_survives_a_new_store_on_the_same_directory(tmp_path: Path) -> None:
    browser = new_browser_id()
    HistoryStore(tmp_path / "h").start(browser, "task-1", RECIPE, [(image_bytes(), "image/png")])
    entry = HistoryStore(tmp_path / "h").get(browser, "task-1")
    assert entry is not None and Path(entry.inputs[0]).read_bytes() == image_bytes()


def test_history_files_may_be_served_wherever_the_data_dir_is(tmp_path: Path) -> None:
    from qwen_ui.config import load_settings
    from qwen_ui.runtime import build_runtime
    from qwen_ui.ui import launch_options

    runtime = build_runtime(load_settings({"EVOLINK_API_KEY": "k", "QWEN_UI_DATA_DIR": str(tmp_path / "data")}))
    try:
        allowed = launch_options(runtime)["allowed_paths"]
        assert str(runtime.history.directory) in allowed and str(runtime.results_dir) in allowed
    finally:
        runtime.close()
