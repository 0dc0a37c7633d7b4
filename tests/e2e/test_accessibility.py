"""WCAG 2.2 A/AA checks of the page by axe-core in Chromium: no serious or critical
violation on the default page, in every view, in Present mode, for regression, in Draw mode
and while playing. axe.min.js comes from the npm registry at test time (see ``axe.py``);
without it the tests skip locally and fail when ``CI`` is set."""

from __future__ import annotations

import os
import re

import pytest
from axe import NO_AXE, AxeUnavailable, axe_source, blocking, describe, run_axe
from pagekit import (
    metric,
    no_exception,
    open_app,
    set_playing,
    shoot_and_pause,
    wait_updates_above,
)
from playwright.sync_api import Page, expect

from playground.app.views import VIEWS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def axe_js(chromium_path):
    try:
        return axe_source()
    except AxeUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but axe-core is unavailable. {exc}", pytrace=False)
        pytest.skip(str(exc) or NO_AXE)


def check(page: Page, axe_js, state: str):
    page.wait_for_function("document.fonts.status === 'loaded'")   # the page's type laid out
    violations = run_axe(page, axe_js)
    # every finding is printed (pytest -s), the blocking ones fail the test
    print(f"axe {state}: " + (", ".join(f"{v['id']} ({v['impact']})" for v in violations)
                              or "no violations"))
    return blocking(violations)


def test_default_page_has_no_serious_axe_violations(page: Page, app_url, axe_js, shot):
    open_app(page, app_url)
    found = check(page, axe_js, "default page")
    shot(page, "axe-default")
    assert not found, describe(found)


def test_every_view_has_no_serious_axe_violations(page: Page, app_url, axe_js, shot):
    open_app(page, app_url)
    found = {}
    for view in VIEWS:
        page.get_by_role("radiogroup", name="View").get_by_role("radio", name=view).click()
        expect(page.get_by_role("radio", name=view)).to_be_checked()
        page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
        no_exception(page)
        bad = check(page, axe_js, f"view {view}")
        if bad:
            found[view] = describe(bad)
            shot(page, f"axe-view-{view}")
    assert not found, "\n".join(f"{view}:\n{text}" for view, text in found.items())


def test_present_mode_has_no_serious_axe_violations(page: Page, app_url, axe_js, shot):
    open_app(page, f"{app_url}/?present=1")
    expect(page.get_by_role("button", name="Exit presentation")).to_be_visible()
    found = check(page, axe_js, "present mode")
    shot(page, "axe-present")
    assert not found, describe(found)


def test_regression_page_has_no_serious_axe_violations(page: Page, app_url, axe_js, shot):
    open_app(page, f"{app_url}/?task=regression")
    expect(metric(page, "Train acc")).to_have_count(0)        # the regression page is shown
    found = check(page, axe_js, "regression")
    shot(page, "axe-regression")
    assert not found, describe(found)


def test_draw_mode_has_no_serious_axe_violations(page: Page, app_url, axe_js, shot):
    open_app(page, app_url)
    switch = page.get_by_role("switch", name="Draw")
    page.locator("label").filter(has=switch).click()
    expect(page.get_by_role("radiogroup", name="Class")).to_be_visible()
    found = check(page, axe_js, "draw mode")
    shot(page, "axe-draw")
    assert not found, describe(found)


def test_playing_page_has_no_serious_axe_violations(page: Page, app_url, axe_js, shot):
    open_app(page, app_url)
    set_playing(page, True)
    try:
        before = wait_updates_above(page, 0)
        found = check(page, axe_js, "while playing")
        wait_updates_above(page, before)             # it trained on during the scan
    finally:
        shoot_and_pause(page, shot, "axe-playing")
    assert not found, describe(found)


def test_decision_map_has_a_one_line_summary_for_screen_readers(page: Page, app_url):
    open_app(page, app_url)
    summary = page.locator(".st-key-regions p.sr-only")
    expect(summary).to_have_count(1)
    expect(summary).to_have_text(re.compile(
        r"^Decision map of 3 classes: the network predicts class 0 over \d+%, class 1 over "
        r"\d+%, class 2 over \d+% of the plane\. \d+ of 240 training points and \d+ of 60 "
        r"test points lie in their own class's region\.$"))
    box = summary.bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1               # heard, not seen
