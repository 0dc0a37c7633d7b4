"""The stage as a visitor sees it at the window sizes people use: the decision map's size,
the controls on one line, Play in reach on a phone, the presentation mode."""

from __future__ import annotations

import pytest
from pagekit import TIMEOUT, metric, open_app, play_switch
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# the decision map's plot area: Plotly's drag layer covers exactly the axes' area
MAP_PLOT_JS = """() => {
  const r = document.querySelector('.st-key-regions .nsewdrag').getBoundingClientRect();
  return {width: r.width, height: r.height, top: r.top, bottom: r.bottom};
}"""


def map_plot(page: Page):
    page.wait_for_function(
        "document.querySelector('.st-key-regions .nsewdrag')?.getBoundingClientRect().width > 0")
    return page.evaluate(MAP_PLOT_JS)


@pytest.mark.parametrize("width, height, at_least", [(1440, 900, 500), (1920, 1080, 600)])
def test_the_map_fills_its_column_and_fits_the_window(page: Page, app_url, shot, width,
                                                      height, at_least):
    page.set_viewport_size({"width": width, "height": height})
    open_app(page, app_url)
    try:
        # the size is set when the figure is drawn: wait until it has settled
        page.wait_for_function(
            f"document.querySelector('.st-key-regions .nsewdrag')"
            f"?.getBoundingClientRect().width >= {at_least}", timeout=TIMEOUT)
        box = map_plot(page)
        assert box["width"] >= at_least and abs(box["width"] - box["height"]) < 2, box
        # the whole plot is in the window, with the controls and the metrics above it
        assert box["bottom"] <= height, box
        for control in (play_switch(page), page.get_by_role("button", name="Step", exact=True),
                        metric(page, "Test acc")):
            control_box = control.bounding_box()
            assert control_box and control_box["y"] + control_box["height"] <= box["top"]
        # the chosen view beside the map starts in the window too
        view = page.locator(".st-key-w_view").bounding_box()
        assert view and view["y"] + view["height"] < height and view["x"] > box["width"]
    finally:
        shot(page, f"stage-{width}x{height}")


def test_a_smaller_window_gets_a_smaller_map_never_wider_than_the_window(page: Page, app_url,
                                                                         shot):
    page.set_viewport_size({"width": 1440, "height": 700})
    open_app(page, app_url)
    box = map_plot(page)
    assert box["bottom"] <= 700 and box["width"] < 500, box
    page.set_viewport_size({"width": 1440, "height": 900})        # the window grows: so does it
    page.wait_for_function("document.querySelector('.st-key-regions .nsewdrag')"
                           ".getBoundingClientRect().width >= 500", timeout=TIMEOUT)
    shot(page, "resized")


def test_a_narrow_main_area_stacks_the_view_under_a_wide_map(page: Page, app_url, shot):
    # 800 px with the sidebar open leaves the main area ~480 px: side by side, the map got
    # ~160 px of it
    page.set_viewport_size({"width": 800, "height": 900})
    open_app(page, app_url)
    try:
        expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "false")
        page.wait_for_function("document.querySelector('.st-key-regions .nsewdrag')"
                               "?.getBoundingClientRect().width >= 330", timeout=TIMEOUT)
        box = map_plot(page)
        view = page.locator(".st-key-w_view").bounding_box()
        assert view and view["y"] >= box["bottom"], (view, box)      # under the map
        assert box["bottom"] <= 900, box
    finally:
        shot(page, "stage-800-sidebar")


def test_the_controls_stay_on_one_line_at_800_px(page: Page, app_url, shot):
    page.set_viewport_size({"width": 800, "height": 900})
    open_app(page, app_url)
    try:
        boxes = [play_switch(page).locator("xpath=ancestor::label").bounding_box()]
        for name in ("Step", "Step epoch", "Reset"):
            button = page.get_by_role("button", name=name, exact=True)
            boxes.append(button.bounding_box())
            assert button.evaluate("b => b.scrollWidth <= b.clientWidth"), f"{name} is cut"
        centres = [b["y"] + b["height"] / 2 for b in boxes]
        assert max(centres) - min(centres) < 8, boxes
        assert all(b["x"] + b["width"] <= 800 for b in boxes), boxes
    finally:
        shot(page, "controls-800")


def test_on_a_phone_play_stays_in_reach_while_the_map_is_in_view(page: Page, app_url, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    open_app(page, app_url)
    try:
        # scroll the main area until the whole map is in view
        page.evaluate("""() => {
          const main = document.querySelector('[data-testid="stMain"]');
          const map = document.querySelector('.st-key-regions .nsewdrag');
          main.scrollTop += map.getBoundingClientRect().bottom - window.innerHeight + 20;
        }""")
        box = map_plot(page)
        assert box["top"] >= 0 and box["bottom"] <= 844 and box["width"] >= 250, box
        play = play_switch(page).locator("xpath=ancestor::label")
        play_box = play.bounding_box()
        assert play_box and 0 <= play_box["y"] and play_box["y"] + play_box["height"] <= 844
        play.click()                                     # and it works from there
        expect(play_switch(page)).to_be_checked()
        play.click()
        expect(play_switch(page)).not_to_be_checked()
    finally:
        shot(page, "phone")


def test_presentation_mode_from_the_url_and_one_click(page: Page, app_url, shot):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_app(page, app_url + "/?present=1")
    try:
        expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
        expect(page.locator('[data-testid="stAlert"]')).to_have_count(0)   # not a bad setting
        big = metric(page, "Update").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        page.get_by_role("button", name="Exit presentation").click()
        expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()
        page.wait_for_function("!location.search.includes('present')")
        small = metric(page, "Update").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert big > small * 1.2, (big, small)
        page.get_by_role("button", name="Present").click()
        expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
        page.wait_for_function("location.search.includes('present=1')")
    finally:
        shot(page, "presentation")


@pytest.mark.parametrize("width", [1440, 800])
def test_plotlys_toolbar_never_covers_a_legend(page: Page, app_url, shot, width):
    page.set_viewport_size({"width": width, "height": 900})
    open_app(page, app_url)
    try:
        for chart in (".st-key-regions", ".st-key-curves"):
            plot = page.locator(f"{chart} .nsewdrag").first
            plot.scroll_into_view_if_needed()
            plot.hover(force=True)                        # the toolbar shows on hover
            bar = page.locator(f"{chart} .modebar").first
            expect(bar).to_be_visible()
            legend = page.locator(f"{chart} .legend").first.bounding_box()
            tools = bar.bounding_box()
            assert legend and tools, (chart, legend, tools)
            apart = (tools["x"] >= legend["x"] + legend["width"]
                     or legend["x"] >= tools["x"] + tools["width"]
                     or tools["y"] >= legend["y"] + legend["height"]
                     or legend["y"] >= tools["y"] + tools["height"])
            assert apart, (chart, legend, tools)
    finally:
        shot(page, f"toolbar-{width}")
