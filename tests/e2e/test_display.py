"""The map's Display switches in the browser: hiding test points takes
their traces off the drawn map, "Discretize" redraws the regions in one colour per class,
and both hold while the network trains."""

from __future__ import annotations

import time

import pytest
from pagekit import CHARTS_JS, open_app, set_playing, shoot_and_pause, wait_frame_above
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

TEST_TRACES_JS = (f"{CHARTS_JS}[0].data.filter(t => t.type === 'scatter' && "
                  "t.name.endsWith('(test)')).length")
IMAGE_JS = f"{CHARTS_JS}[0].layout.images[0].source"
# distinct colours in the drawn map's image, read back from the page's own <image> element
COLOURS_JS = """async () => {
  const src = document.querySelector('div.live-plotly').layout.images[0].source;
  const img = new Image(); img.src = src; await img.decode();
  const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0);
  const px = g.getImageData(0, 0, c.width, c.height).data, seen = new Set();
  for (let i = 0; i < px.length; i += 4) seen.add(px[i] + ',' + px[i + 1] + ',' + px[i + 2]);
  return seen.size;
}"""


def _switch(page: Page, name: str, on: bool):
    page.get_by_role("button", name="Display").click()
    switch = page.get_by_role("switch", name=name)
    if switch.is_checked() != on:
        page.locator("label").filter(has=switch).click()
    (expect(switch).to_be_checked if on else expect(switch).not_to_be_checked)()
    page.keyboard.press("Escape")


def _wait_colours_at_most(page: Page, n: int, timeout=30.0):
    deadline = time.monotonic() + timeout
    while (seen := page.evaluate(COLOURS_JS)) > n:
        assert time.monotonic() < deadline, f"{seen} colours on the map (wanted ≤ {n})"
        time.sleep(0.2)


def test_display_switches_act_on_the_drawn_map_while_training(page: Page, app_url, shot):
    page.set_viewport_size({"width": 1440, "height": 900})
    open_app(page, app_url)
    assert page.evaluate(TEST_TRACES_JS) == 3                      # one per class
    assert page.evaluate(COLOURS_JS) > 3                           # shaded by confidence
    _switch(page, "Test points", False)
    page.wait_for_function(f"{TEST_TRACES_JS} === 0")
    _switch(page, "Discretize", True)
    _wait_colours_at_most(page, 3)
    before = page.evaluate(IMAGE_JS)
    set_playing(page, True)
    frame = wait_frame_above(page, 0, int(page.evaluate(f"{CHARTS_JS}[0].dataset.frame")) + 3)
    assert frame and page.evaluate(TEST_TRACES_JS) == 0            # still hidden
    assert page.evaluate(COLOURS_JS) <= 3                          # still hard regions
    assert page.evaluate(IMAGE_JS) != before                       # and they moved
    shoot_and_pause(page, shot, "display-switches")
    _switch(page, "Test points", True)
    page.wait_for_function(f"{TEST_TRACES_JS} === 3")
