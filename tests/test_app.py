"""The page's edit endpoint driven through gradio_client, against the simulator (real HTTP both sides)."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client
from PIL import Image

from qwen_ui.runtime import Runtime
from qwen_ui.serving import ServerThread, free_port
from tests.apphelpers import app_error, connect, edit, running_app, submit_edit
from tests.helpers import SimulatorControl


@pytest.fixture(scope="module")
def app(simulator_server: ServerThread, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Runtime]]:
    with running_app(simulator_server.url, tmp_path_factory.mktemp("app")) as (url, runtime):
        yield url, runtime


@pytest.fixture
def gradio(app: tuple[str, Runtime], tmp_path: Path) -> Iterator[Client]:
    app[1].cache.clear()  # each test starts with nothing cached
    client = connect(app[0], tmp_path / "downloads")
    yield client
    client.close()


@pytest.fixture
def pictures(tmp_path: Path) -> list[Path]:
    paths = []
    for i, (size, color) in enumerate((((640, 480), "red"), ((500, 500), "green"), ((480, 720), "blue")), start=1):
        path = tmp_path / f"in{i}.png"
        Image.new("RGB", size, color).save(path)
        paths.append(path)
    return paths


def result_images(result: tuple[Any, ...]) -> list[Image.Image]:
    return [Image.open(item["image"]) for item in result[0]]


@pytest.mark.parametrize("count", [1, 2, 3])
def test_an_edit_with_1_2_or_3_images_returns_a_result(gradio: Client, sim: SimulatorControl, pictures: list[Path], count: int) -> None:
    result = edit(gradio, pictures[:count])
    images = result_images(result)
    assert len(images) == 1 and images[0].format == "PNG"
    assert result[1] == 1234 and result[2].startswith("Done")
    assert sim.creates == 1


def test_output_follows_the_last_image_aspect(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    width, height = result_images(edit(gradio, pictures[:3]))[0].size
    assert abs(width / height - 480 / 720) < 0.05


def test_n_4_returns_4_downloadable_images_and_a_zip(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    result = edit(gradio, pictures[:1], n=4)
    assert len(result_images(result)) == 4
    with zipfile.ZipFile(result[3]) as archive:
        names = archive.namelist()
    assert sum(n.endswith(".png") for n in names) == 4 and sum(n.endswith(".json") for n in names) == 4


def test_an_explicit_size_is_honoured(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    assert result_images(edit(gradio, pictures[:1], size="1024x1536"))[0].size == (1024, 1536)


def test_a_random_seed_is_drawn_and_returned(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    first, second = edit(gradio, pictures[:1], randomize_seed=True), edit(gradio, pictures[:1], randomize_seed=True)
    assert 0 <= first[1] <= 2**31 - 1 and first[1] != second[1]
    assert sim.creates == 2


def test_a_repeat_with_the_same_explicit_seed_is_served_from_cache(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    first = edit(gradio, pictures[:2], seed=777)
    again = edit(gradio, pictures[:2], seed=777)
    assert sim.creates == 1
    assert "from cache" in again[2] and "from cache" in again[4]
    assert [Image.open(i["image"]).tobytes() for i in again[0]] == [Image.open(i["image"]).tobytes() for i in first[0]]


def test_a_random_seed_run_can_be_repeated_from_cache_with_its_seed(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    seed = edit(gradio, pictures[:1], randomize_seed=True)[1]
    assert "from cache" in edit(gradio, pictures[:1], seed=seed)[2]
    assert sim.creates == 1


def test_changing_one_pixel_of_one_image_misses_the_cache(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    edit(gradio, pictures[:2], seed=555)
    image = Image.open(pictures[1])
    image.putpixel((10, 10), (0, 0, 0))
    image.save(pictures[1])
    assert "from cache" not in edit(gradio, pictures[:2], seed=555)[2]
    assert sim.creates == 2


def test_swapping_slot_order_misses_the_cache(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    edit(gradio, [pictures[0], pictures[1]], seed=556)
    assert "from cache" not in edit(gradio, [pictures[1], pictures[0]], seed=556)[2]
    assert sim.creates == 2


@pytest.mark.parametrize(
    "change",
    [
        {"prompt": "make it a pencil sketch"},
        {"negative_prompt": "blurry"},
        {"watermark": True},
        {"prompt_extend": False},
        {"n": 2},
        {"size": "1024x1024"},
    ],
)
def test_changing_a_keyed_parameter_misses_the_cache(
    gradio: Client, sim: SimulatorControl, pictures: list[Path], change: dict[str, Any]
) -> None:
    edit(gradio, pictures[:1], seed=900)
    assert "from cache" not in edit(gradio, pictures[:1], seed=900, **change)[2]
    assert sim.creates == 2


def test_size_with_n_above_one_is_refused_naming_the_field_and_nothing_is_sent(
    gradio: Client, sim: SimulatorControl, pictures: list[Path]
) -> None:
    assert "size can only be set when n is 1" in app_error(gradio, pictures[:1], n=2, size="1024x1024")
    assert sim.creates == 0 and sim.stats()["uploads"] == 0


def test_no_image_is_refused(gradio: Client, sim: SimulatorControl) -> None:
    assert "Add at least one image" in app_error(gradio, [])


def test_a_non_image_is_refused_naming_its_slot(gradio: Client, sim: SimulatorControl, pictures: list[Path], tmp_path: Path) -> None:
    fake = tmp_path / "notes.png"
    fake.write_text("this is not a picture")
    message = app_error(gradio, [pictures[0], fake])
    assert "Image 2" in message and sim.creates == 0


def test_out_of_credit_is_its_own_sentence(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    sim.fault(target="create", kind="status", status=402, message="Insufficient balance")
    assert "run out of credits" in app_error(gradio, pictures[:1], seed=1)


def test_rate_limit_says_when_to_retry(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    sim.fault(target="create", kind="status", status=429, retry_after="120")
    assert "Try again in 120 s" in app_error(gradio, pictures[:1], seed=2)
    assert sim.creates == 0


def test_a_failed_task_shows_the_providers_reason(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    sim.configure(fail_next_task="Input image rejected by the moderation system.")
    message = app_error(gradio, pictures[:1], seed=3)
    assert "moderation system" in message and "task-unified-" in message


def test_a_bad_key_is_its_own_sentence(simulator_server: ServerThread, sim: SimulatorControl, pictures: list[Path], tmp_path: Path) -> None:
    with running_app(simulator_server.url, tmp_path / "badkey", key="sk-not-the-right-key") as (url, _):
        message = app_error(connect(url, tmp_path / "dl"), pictures[:1])
    assert "API key is missing or not valid" in message and "sk-not-the-right-key" not in message


def test_results_survive_on_disk_not_as_provider_links(
    gradio: Client, sim: SimulatorControl, pictures: list[Path], app: tuple[str, Runtime]
) -> None:
    result = edit(gradio, pictures[:1], seed=4242)
    stored = list(app[1].results_dir.rglob("*.png"))
    assert stored and all(Image.open(io.BytesIO(p.read_bytes())).format == "PNG" for p in stored)
    assert "/results/" not in str(result)


def test_the_readme_gradio_client_snippet_works(
    app: tuple[str, Runtime], sim: SimulatorControl, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    snippet = readme.split("<!-- snippet: gradio_client -->", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    exec(compile(snippet.replace("http://127.0.0.1:7860", app[0]), "README.md", "exec"), {})  # noqa: S102
    assert "\nDone: 1 image(s)" in capsys.readouterr().out
    assert sim.creates == 1


def test_self_hosting_serves_inputs_from_the_apps_own_signed_route(
    simulator_server: ServerThread, sim: SimulatorControl, pictures: list[Path], tmp_path: Path
) -> None:
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    settings = {"QWEN_UI_IMAGE_HOST": "self", "QWEN_UI_PUBLIC_URL": public, "GRADIO_SERVER_PORT": str(port)}
    with running_app(simulator_server.url, tmp_path / "self", **settings) as (url, runtime):
        assert runtime.settings.image_host == "self"
        result = edit(connect(url, tmp_path / "dl"), pictures[:2])
    assert result[2].startswith("Done")
    assert sim.stats()["uploads"] == 0  # the simulator fetched the inputs from the app, not its file service
    assert len(list((tmp_path / "self" / "share").iterdir())) == 2


def test_one_users_slow_task_does_not_hold_up_another(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    sim.configure(task_seconds=3)
    jobs = [submit_edit(gradio, [pictures[i]], prompt=f"edit {i}", seed=i) for i in range(3)]
    running_together = 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(job.done() for job in jobs):
        running_together = max(running_together, sim.stats()["active"])
        time.sleep(0.1)
    assert running_together == 3
    assert all(job.result()[2].startswith("Done") for job in jobs)


def test_two_identical_edits_at_once_share_one_task(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    sim.configure(task_seconds=1.5)
    first = submit_edit(gradio, [pictures[0]], prompt="same", seed=4321)
    deadline = time.monotonic() + 10
    while sim.creates == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    second = submit_edit(gradio, [pictures[0]], prompt="same", seed=4321)
    results = [first.result(), second.result()]
    assert sim.creates == 1
    assert all(r[2].startswith("Done") for r in results)
    assert "charged once" in results[1][4]


def test_each_result_png_carries_its_recipe(gradio: Client, sim: SimulatorControl, pictures: list[Path]) -> None:
    from qwen_ui.recipe import read_recipe

    result = edit(gradio, pictures[:2], seed=2024, n=2, prompt="recipe check")
    recipes = [read_recipe(Path(item["image"]).read_bytes()) for item in result[0]]
    assert [r["index"] for r in recipes] == [1, 2]  # type: ignore[index]
    assert all(r["seed"] == 2024 and r["prompt"] == "recipe check" and len(r["input_sha256"]) == 2 for r in recipes)  # type: ignore[index]
