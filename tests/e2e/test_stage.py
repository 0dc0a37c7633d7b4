"""The stage as a visitor sees it at the window sizes people use: the decision map's size,
the controls on one line, Play in reach on a phone, the presentation mode."""

from __future__ import annotations

import pytest
from pagekit import (
    TIMEOUT,
    metric,
    open_app,
    play_switch,
    set_playing,
    shoot_and_pause,
)
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


# the smallest text (px) of each kind in the window, as the browser computes it
TYPE_SIZES_JS = """() => {
  const px = (els) => Math.min(...Array.from(els).map(
      e => parseFloat(getComputedStyle(e).fontSize)).filter(v => v > 0));
  const main = document.querySelector('[data-testid="stMain"]');
  return {
    buttons: px(main.querySelectorAll('[data-testid="stBaseButton-secondary"] p')),
    tabs: px(main.querySelectorAll('.st-key-w_view button p')),
    alerts: px(main.querySelectorAll('[data-testid="stAlert"] p')),
    // a chart out of view is redrawn when it comes into view (chart.js): those in view
    charts: px(Array.from(main.querySelectorAll('.live-plotly svg text')).filter(e => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight; })),
  };
}"""


def test_presentation_mode_scales_every_text_and_keeps_the_settings_in_reach(page: Page,
                                                                             app_url, shot):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, app_url + "/?lesson=dead_relu")
    try:
        normal = map_plot(page)["width"]
        page.get_by_role("button", name="Present").click()
        page.wait_for_function("location.search.includes('present=1')")
        expect(page.get_by_role("button", name="Exit presentation")).to_be_visible()
        page.wait_for_function(f"({TYPE_SIZES_JS})().charts >= 16", timeout=TIMEOUT)
        sizes = page.evaluate(TYPE_SIZES_JS)
        assert min(sizes.values()) >= 16, sizes
        # the map at least as large as without the mode (the sidebar is the same drawer)
        assert map_plot(page)["width"] >= normal - 1, (map_plot(page), normal)
        # a setting changes without leaving the mode
        sidebar = page.locator('[data-testid="stSidebar"]')
        expect(sidebar).to_be_visible()
        slider = page.get_by_role("slider", name="Learning rate")
        slider.focus()
        slider.press("ArrowLeft")
        page.wait_for_function("new URLSearchParams(location.search).get('lr') === '3'")
        assert "present=1" in page.url
        page.get_by_role("button", name="Exit presentation").click()
        page.wait_for_function("!location.search.includes('present')")
        assert page.evaluate(TYPE_SIZES_JS)["buttons"] < 16
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


# the plot areas of the map and of the curves, and the metrics row, in window coordinates
ONE_SCREEN_JS = """() => {
  const box = (sel) => { const e = document.querySelector(sel);
    if (!e) return null; const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width}; };
  return {map: box('.st-key-regions .nsewdrag'), curves: box('.st-key-curves .nsewdrag'),
          metrics: box('.st-key-metrics')};
}"""


@pytest.mark.parametrize("present", [False, True], ids=["normal", "present"])
@pytest.mark.parametrize("width, height", [(1366, 768), (1440, 900), (1920, 1080)])
def test_the_map_the_curves_and_the_metrics_share_one_screen(page: Page, app_url, shot,
                                                             width, height, present):
    page.set_viewport_size({"width": width, "height": height})
    open_app(page, app_url + ("/?present=1" if present else ""))
    try:
        page.wait_for_function(f"(() => {{ const b = ({ONE_SCREEN_JS})(); return b.map && "
                               f"b.curves && b.map.width >= 300; }})()", timeout=TIMEOUT)
        boxes = page.evaluate(ONE_SCREEN_JS)
        for name, box in boxes.items():
            assert box["top"] >= 0 and box["bottom"] <= height, (name, boxes)
            assert box["right"] <= width, (name, boxes)
        if (width, height) == (1440, 900) and not present:
            assert boxes["map"]["width"] >= 500, boxes
    finally:
        shot(page, f"one-screen-{width}x{height}{'-present' if present else ''}")


def _map_box(page: Page):
    """The map's plot area once it has stayed put for two animation frames."""
    return page.evaluate("""async () => {
      const frame = () => new Promise(r => requestAnimationFrame(r));
      const spot = () => { const r = document.querySelector('.st-key-regions .nsewdrag')
          .getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; };
      let last = spot();
      for (let still = 0; still < 2; ) {
        await frame(); const now = spot();
        still = JSON.stringify(now) === JSON.stringify(last) ? still + 1 : 0; last = now;
      }
      return last;
    }""")


def _same(a, b):
    return all(abs(x - y) <= 1 for x, y in zip(a, b))


def test_banners_leave_the_map_where_it_is(page: Page, app_url, shot):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_app(page, app_url)
    try:
        before = _map_box(page)
        page.get_by_text("Lessons", exact=True).click()
        page.get_by_role("button", name="Dead ReLUs").click()      # a lesson's banner
        expect(page.get_by_role("button", name="Close lesson")).to_be_visible()
        page.wait_for_function("location.search.includes('lesson=dead_relu')")
        assert _same(_map_box(page), before), (before, _map_box(page))
        set_playing(page, True)                          # lr 10: a stall banner comes
        expect(page.get_by_text("Training has stalled.")).to_be_visible(timeout=60_000)
        assert _same(_map_box(page), before), (before, _map_box(page))
        set_playing(page, False)
        page.get_by_role("button", name="Close lesson").click()
        expect(page.get_by_role("button", name="Close lesson")).to_have_count(0)
        assert _same(_map_box(page), before), (before, _map_box(page))
    finally:
        shoot_and_pause(page, shot, "banners")


def test_draw_mode_and_its_notice_leave_the_map_where_it_is(page: Page, app_url, shot):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_app(page, app_url)
    try:
        before = _map_box(page)
        switch = page.get_by_role("switch", name="Draw")
        page.locator("label").filter(has=switch).click()
        expect(page.get_by_role("radiogroup", name="Class")).to_be_visible()
        assert _same(_map_box(page), before), (before, _map_box(page))
        page.get_by_role("button", name="Clear").click()
        notice = page.get_by_text("Training waits for")
        expect(notice).to_be_visible()
        assert _same(_map_box(page), before), (before, _map_box(page))
        left, top, w, h = before
        for i, (fx, fy) in enumerate([(0.2, 0.2), (0.8, 0.2), (0.2, 0.8), (0.8, 0.8)]):
            page.mouse.click(left + fx * w, top + fy * h)
            expect(page.get_by_text(f"Drawing: {i + 1} of at most")).to_be_visible()
        expect(notice).to_have_count(0)                  # four points: training can start
        assert _same(_map_box(page), before), (before, _map_box(page))
    finally:
        shot(page, "draw-notice")
