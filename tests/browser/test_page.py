"""A person's path through the page in a real browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.test_startup import ROOT

pytestmark = pytest.mark.browser
EXAMPLES = ROOT / "examples"


def fill_slot(page: Any, number: int, path: Path) -> None:
    page.locator(f"#image{number} input[type=file]").set_input_files(str(path))
    expect(page.locator(f"#image{number} img")).to_be_visible(timeout=10_000)


def test_two_images_a_prompt_and_edit_shows_progress_then_results_that_download(page: Any) -> None:
    expect(page.locator("#sim-banner")).to_contain_text("Local simulator")
    fill_slot(page, 1, EXAMPLES / "mug.png")
    fill_slot(page, 2, EXAMPLES / "bird.png")
    page.locator("#prompt textarea").fill("Put the bird from Image 2 on the mug from Image 1")
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Processing", timeout=15_000)
    page.screenshot(path=str(SCREENSHOTS / "progress.png"), full_page=True)
    expect(page.locator("#status")).to_contain_text("Done", timeout=30_000)
    expect(page.locator("#gallery img").first).to_be_visible()
    expect(page.locator("#gallery img").first).to_have_attribute("alt", re.compile("Put the bird from Image 2 on the mug"))
    expect(page.locator("#details")).to_contain_text("Seed")
    page.screenshot(path=str(SCREENSHOTS / "page-with-results.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#download-zip a").first.click()
    saved = Path(download.value.path())
    assert saved.stat().st_size > 1000
    seed_value = page.locator("#seed input").input_value()
    assert seed_value.isdigit()
    expect(page.locator("#details")).to_contain_text("Prompt rewriting on")
    page.locator("#rerun-plain").click()
    expect(page.locator("#details")).to_contain_text("Prompt rewriting off", timeout=30_000)
    expect(page.locator("#details")).to_contain_text(f"Seed {seed_value}")


def test_an_empty_prompt_is_explained_and_the_images_stay(page: Any) -> None:
    fill_slot(page, 1, EXAMPLES / "landscape.png")
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.get_by_test_id("toast-body").first).to_contain_text("prompt is empty", timeout=10_000)
    expect(page.locator("#image1 img")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "error-kept-inputs.png"), full_page=True)


def test_size_is_disabled_with_an_explanation_when_n_is_above_one(page: Any) -> None:
    page.locator("#n input[type=number]").fill("3")
    page.locator("#n input[type=number]").press("Enter")
    expect(page.locator("#size textarea, #size input").first).to_have_value("auto", timeout=5_000)
    expect(page.get_by_text("Size can only be chosen when n = 1")).to_be_visible(timeout=5_000)


def test_dropping_a_saved_png_restores_its_settings(page: Any, tmp_path: Path) -> None:
    from qwen_ui.cache import CacheKey
    from qwen_ui.recipe import embed_recipe, recipe_for

    key = CacheKey("qwen-image-edit-plus", "Turn the mug into glass", "", 4242, 1, "1024x1536", False, True, ("a" * 64,))
    saved = tmp_path / "result.png"
    saved.write_bytes(embed_recipe((EXAMPLES / "mug.png").read_bytes(), recipe_for(key, "task-unified-1-abcdefgh", 1)))
    page.locator("#restore-png input[type=file]").set_input_files(str(saved))
    expect(page.locator("#prompt textarea")).to_have_value("Turn the mug into glass", timeout=10_000)
    expect(page.locator("#seed input")).to_have_value("4242")
    expect(page.locator("#size textarea, #size input").first).to_have_value("1024x1536")
    expect(page.locator("#status")).to_contain_text("task-unified-1-abcdefgh")


@pytest.mark.parametrize("width", [390, 1440])
def test_the_layout_fits_a_phone_and_a_desktop_without_horizontal_scroll(browser: Any, app_url: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(app_url)
    page.locator("#edit").wait_for()
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    page.screenshot(path=str(SCREENSHOTS / f"layout-{width}px.png"), full_page=True)
    context.close()
    assert scroll_width <= inner_width


def test_the_page_is_in_chinese_when_the_browser_asks_for_chinese(browser: Any, app_url: str) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(app_url)
    expect(page.locator("#edit")).to_have_text("编辑", timeout=10_000)
    expect(page.locator("h1").first).to_contain_text("图像编辑工作室")
    expect(page.get_by_label("要修改的内容")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "page-zh.png"), full_page=True)
    context.close()


def test_every_input_has_a_visible_label_and_edit_is_reachable_by_keyboard(page: Any) -> None:
    for label in ("What to change", "Negative prompt (what to avoid)", "Seed", "Size sent to the API"):
        expect(page.get_by_label(label, exact=False).first).to_be_visible()
    page.locator("#prompt textarea").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "edit":
            break
    assert page.evaluate("document.activeElement && document.activeElement.id") == "edit"
