"""Painting data in a real Chromium (issue 17, part 1): in draw mode a click on the map adds a
point of the chosen class where it was clicked, an erase click removes the nearest point,
the network keeps training meanwhile, and the CSV export holds the painted points."""

from __future__ import annotations

import csv
import io

import pytest
from pagekit import open_app, set_playing, shoot_and_pause, updates, wait_updates_above
from playwright.sync_api import Page, expect

from devtools.local_server import POINT_JS

pytestmark = pytest.mark.browser

MAP = "document.querySelector('.st-key-regions div.live-plotly')"
# where data point (x, y) is on the screen, from the axes' ranges and the plot area's box
# (the linear map a plot draws: an oracle apart from the p2l/l2p the chart itself uses)
# Read once the map has kept its place and size for two animation frames: a notice above it
# that comes or goes moves it, and a click computed before that would land elsewhere.
PIXEL_JS = f"""async ([x, y]) => {{
  const spot = () => {{
    const div = {MAP};
    const box = div.querySelector('.nsewdrag').getBoundingClientRect();
    const [x0, x1] = div._fullLayout.xaxis.range, [y0, y1] = div._fullLayout.yaxis.range;
    // whole pixels: a mouse event's clientX/Y are whole, a fraction would be cut off
    return {{px: Math.round(box.left + (x - x0) / (x1 - x0) * box.width),
            py: Math.round(box.top + (y1 - y) / (y1 - y0) * box.height),
            unit: (x1 - x0) / box.width}};
  }};
  const frame = () => new Promise(r => requestAnimationFrame(r));
  let last = spot();
  for (let still = 0; still < 2; ) {{
    await frame();
    const now = spot();
    still = JSON.stringify(now) === JSON.stringify(last) ? still + 1 : 0;
    last = now;
  }}
  return last;
}}"""
# every data point on the map: [x, y, trace name]
POINTS_JS = f"""() => {MAP}.data
  .filter(t => t.type === 'scatter' && t.hoverinfo !== 'skip' && t.name.startsWith('class'))
  .flatMap(t => Array.from(t.x, (x, i) => [x, t.y[i], t.name]))"""


def draw_on(page: Page):
    switch = page.get_by_role("switch", name="Draw")
    page.locator("label").filter(has=switch).click()
    expect(switch).to_be_checked()
    expect(page.get_by_role("radiogroup", name="Class")).to_be_visible()


def mouse_click(page: Page, control):
    """Click a control where it is, as a mouse does: Playwright's own click first scrolls
    a control beside the map to the top of the main area, which moves the map."""
    box = control.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def points(page: Page):
    return page.evaluate(POINTS_JS)


def near(pts, x, y, tol):
    return [p for p in pts if abs(p[0] - x) <= tol and abs(p[1] - y) <= tol]


def click_at(page: Page, x, y, paused=True):
    page.locator(".st-key-regions .nsewdrag").scroll_into_view_if_needed()
    if paused:                                     # no run under way (while playing: always)
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)
    spot = page.evaluate(PIXEL_JS, [x, y])
    page.mouse.click(spot["px"], spot["py"])
    return spot["unit"]


def wait_count(page: Page, n):
    page.wait_for_function(f"({POINTS_JS})().length === {n}")


def test_a_click_adds_a_point_of_the_chosen_class_and_erase_removes_the_nearest(page: Page,
                                                                               app_url, shot):
    open_app(page, app_url)
    n = len(points(page))
    draw_on(page)
    mouse_click(page, page.get_by_role("radio", name="class 2"))
    expect(page.get_by_role("radio", name="class 2")).to_be_checked()
    unit = click_at(page, 0.85, -0.9)              # a corner the spiral leaves empty
    wait_count(page, n + 1)
    added = near(points(page), 0.85, -0.9, 1.5 * unit)   # within 1.5 px of the click
    assert len(added) == 1 and added[0][2].startswith("class 2"), added
    shot(page, "paint-added")

    # erase: a click 3 px beside a point removes that point, and only it
    mouse_click(page, page.get_by_role("radio", name="Erase"))
    expect(page.get_by_role("radio", name="Erase")).to_be_checked()
    page.wait_for_function(f"{MAP}.__latest.draw.mode === 'erase'")
    target = page.evaluate(POINT_JS)
    page.mouse.click(target["px"] + 3, target["py"])
    wait_count(page, n)
    left = points(page)
    assert not near(left, target["x"], target["y"], 1e-6)
    assert len(near(left, 0.85, -0.9, 1.5 * unit)) == 1         # the painted one stays
    # a Shift-click erases in Add mode too
    mouse_click(page, page.get_by_role("radio", name="Add"))
    expect(page.get_by_role("radio", name="Add")).to_be_checked()
    page.wait_for_function(f"{MAP}.__latest.draw.mode === 'add'")
    page.keyboard.down("Shift")
    click_at(page, 0.85, -0.9)
    page.keyboard.up("Shift")
    wait_count(page, n - 1)
    assert not near(points(page), 0.85, -0.9, 1.5 * unit)


def test_the_network_keeps_training_while_points_are_painted(page: Page, app_url, shot):
    open_app(page, app_url)
    try:
        n = len(points(page))
        set_playing(page, True)
        wait_updates_above(page, 20)
        draw_on(page)                                   # switched on while playing
        start = updates(page)
        for i, (x, y) in enumerate([(0.9, 0.9), (0.8, 0.9), (0.9, 0.8)]):
            click_at(page, x, y, paused=False)
            wait_count(page, n + i + 1)
        wait_updates_above(page, start + 60)            # training goes on, Play still on
        expect(page.get_by_role("switch", name="Play")).to_be_checked()
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        expect(page.get_by_text(f"Drawing: {n + 3:,} of at most")).to_be_visible()
    finally:
        shoot_and_pause(page, shot, "paint-playing")


def test_clear_then_paint_and_the_csv_export_holds_the_painted_points(page: Page, app_url,
                                                                     shot):
    open_app(page, app_url)
    draw_on(page)
    page.get_by_role("button", name="Clear").click()
    wait_count(page, 0)
    expect(page.get_by_text("Training waits for at least 4 points")).to_be_visible()
    painted = [(-0.5, 0.5, "class 0"), (0.5, 0.5, "class 1"), (0.5, -0.5, "class 0"),
               (-0.5, -0.5, "class 1"), (0.0, 0.75, "class 2")]
    for i, (x, y, name) in enumerate(painted):
        mouse_click(page, page.get_by_role("radio", name=name))
        expect(page.get_by_role("radio", name=name)).to_be_checked()
        unit = click_at(page, x, y)
        wait_count(page, i + 1)
    expect(page.get_by_text("Training waits")).to_have_count(0)
    before = updates(page)
    page.get_by_role("button", name="Step", exact=True).click()
    wait_updates_above(page, before)
    page.get_by_role("radio", name="Files").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Dataset (.csv)").click()
    rows = list(csv.DictReader(io.StringIO(open(info.value.path(), encoding="utf-8").read())))
    assert len(rows) == len(painted)
    for x, y, name in painted:
        match = [r for r in rows if abs(float(r["x1"]) - x) <= 1.5 * unit
                 and abs(float(r["x2"]) - y) <= 1.5 * unit]
        assert len(match) == 1 and match[0]["label"] == name, (x, y, name, rows)
    shot(page, "paint-csv")
