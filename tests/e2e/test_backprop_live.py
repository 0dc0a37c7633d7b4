"""The Backprop view in a real Chromium: a click on a training point of the map
opens that point's trace, which follows training while playing and stays still when paused."""

from __future__ import annotations

import time

import pytest
from pagekit import SETTLE, open_app, set_playing, shoot_and_pause, updates, wait_updates_above
from playwright.sync_api import Page, expect

from devtools.local_server import POINT_JS
from playground.figures.common import tex_number

pytestmark = pytest.mark.browser

RING_JS = """() => {
  const div = document.querySelector('.st-key-regions div.live-plotly');
  const ring = div.data.find(t => t.name === 'traced point');
  return ring ? [ring.x[0], ring.y[0]] : null;
}"""
# the TeX of the view's equations, as KaTeX keeps it beside what it drew
TEX_JS = """() => Array.from(document.querySelectorAll(
  '[data-testid="stMarkdownContainer"] annotation')).map(a => a.textContent).join(' ')"""


def view_tex(page: Page):
    return page.evaluate(TEX_JS)


def test_a_click_on_a_point_opens_its_backprop_trace(page: Page, app_url, shot):
    open_app(page, app_url)
    try:
        page.locator(".st-key-regions .nsewdrag").scroll_into_view_if_needed()
        point = page.evaluate(POINT_JS)
        page.mouse.click(point["px"], point["py"])
        expect(page.get_by_text("of the 240 training points")).to_be_visible()
        expect(page.get_by_role("heading", name="Backward")).to_be_visible()
        # the server traced the clicked point: the map rings it, the equations start from it
        page.wait_for_function(f"({RING_JS})() !== null")
        x, y = page.evaluate(RING_JS)
        assert abs(x - point["x"]) < 1e-6 and abs(y - point["y"]) < 1e-6, (x, y, point)
        tex = view_tex(page)
        assert f"x = \\begin{{pmatrix}} {tex_number(x)} & {tex_number(y)}" in tex, tex[:300]
        shot(page, "backprop-paused")

        # live while playing: the numbers move with the updates
        set_playing(page, True)
        wait_updates_above(page, updates(page) + 40)
        moving = view_tex(page)
        wait_updates_above(page, updates(page) + 40)
        assert view_tex(page) != moving
        shot(page, "backprop-playing")
        set_playing(page, False)
        time.sleep(SETTLE)
        still = view_tex(page)
        time.sleep(1.0)
        assert view_tex(page) == still                    # paused: the trace stays put
        assert page.evaluate(RING_JS) == [x, y]
    finally:
        shoot_and_pause(page, shot, "backprop")
