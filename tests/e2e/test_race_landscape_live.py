"""The Race and Landscape views in a real Chromium: opened while playing, their charts keep
updating (the race's curves and maps every few frames, the landscape every eighth)."""

from __future__ import annotations

import pytest
from pagekit import (
    CHARTS_JS,
    no_exception,
    open_app,
    set_playing,
    shoot_and_pause,
    wait_updates_above,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def chart_frame_of(page: Page, key: str):
    """The frame (the race's or the run's update count) the chart under ``key`` shows."""
    return page.evaluate(f"() => {{ const d = document.querySelector('.st-key-{key} "
                         f"div.live-plotly'); return d && d.dataset.frame !== undefined "
                         f"? +d.dataset.frame : null; }}")


def wait_chart_above(page: Page, key: str, n: int, timeout=30_000):
    page.wait_for_function(
        f"() => {{ const d = document.querySelector('.st-key-{key} div.live-plotly'); "
        f"return d && Array.isArray(d.data) && +d.dataset.frame > {n}; }}", timeout=timeout)
    return chart_frame_of(page, key)


@pytest.mark.parametrize("name, keys, trace", [
    ("Race", ("race_curves", "race_maps"), "scatter"),
    ("Landscape", ("landscape",), "contour"),
])
def test_a_view_opened_while_playing_keeps_updating(page: Page, app_url, shot, name, keys,
                                                    trace):
    open_app(page, app_url)
    try:
        set_playing(page, True)
        wait_updates_above(page, 0)
        page.locator(".st-key-w_view").get_by_text(name, exact=True).click()
        for key in keys:
            first = wait_chart_above(page, key, -1)
            # a chart out of view is updated once it comes into view (chart.js)
            page.locator(f".st-key-{key} div.live-plotly").scroll_into_view_if_needed()
            assert page.evaluate(f"() => document.querySelector('.st-key-{key} "
                                 f"div.live-plotly').data[0].type") == trace
            later = wait_chart_above(page, key, first)
            assert later > first
            wait_chart_above(page, key, later)                 # and again: it keeps going
        if name == "Race":
            expect(page.get_by_text("Lock step: every runner", exact=False)).to_be_visible()
        else:
            expect(page.get_by_text("What a slice can and cannot show", exact=False)
                   ).to_be_visible()
        assert page.evaluate(f"{CHARTS_JS}.length") >= 2 + len(keys)
        no_exception(page)
    finally:
        shoot_and_pause(page, shot, f"{name.lower()}_playing")
