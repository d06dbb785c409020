"""History, re-attach, results reused as inputs, before/after — in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_page import EXAMPLES, fill_slot

pytestmark = pytest.mark.browser


def run_edit(page: Any, prompt: str) -> None:
    page.locator("#prompt textarea").fill(prompt)
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.locator("#status")).to_contain_text("Done", timeout=30_000)


def test_history_survives_a_reload_and_restores_inputs_and_settings(page: Any) -> None:
    fill_slot(page, 1, EXAMPLES / "bird.png")
    run_edit(page, "Paint the bird red")
    page.reload()
    page.locator("#edit").wait_for()
    expect(page.locator("#history img").first).to_be_visible(timeout=10_000)
    page.locator("#prompt textarea").fill("")
    page.locator("#history img").first.click()
    page.locator("#history-restore").click()
    expect(page.locator("#prompt textarea")).to_have_value("Paint the bird red", timeout=10_000)
    expect(page.locator("#image1 img")).to_be_visible()
    page.locator("#use-as-3").click()  # the picked entry's output becomes the next edit's Image 3
    expect(page.locator("#image3 img")).to_be_visible(timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "history-restored.png"), full_page=True)


def test_a_result_can_become_the_next_input_and_be_compared(page: Any) -> None:
    fill_slot(page, 1, EXAMPLES / "mug.png")
    run_edit(page, "Make the mug green")
    page.locator("#gallery img").first.click()
    page.locator("#use-as-2").click()
    expect(page.locator("#image2 img")).to_be_visible(timeout=10_000)
    expect(page.locator("#compare img").first).to_be_visible(timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "chained-and-compare.png"), full_page=True)


def test_a_reload_mid_edit_re_attaches_and_shows_the_results(page: Any) -> None:
    fill_slot(page, 1, EXAMPLES / "landscape.png")
    page.locator("#prompt textarea").fill("Add a rainbow")
    page.get_by_role("button", name="Edit", exact=True).click()
    expect(page.locator("#status")).to_contain_text("task-unified-", timeout=15_000)
    page.reload()
    page.locator("#edit").wait_for()
    expect(page.locator("#status")).to_contain_text("Re-attached", timeout=15_000)
    expect(page.locator("#status")).to_contain_text("finished", timeout=30_000)
    expect(page.locator("#gallery img").first).to_be_visible()
    expect(page.locator("#history img").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "reattached.png"), full_page=True)
