"""Neuron thumbnails in a real Chromium: the Network view's diagram draws a map on
every node; hovering a node puts its map on the main map until the mouse leaves, a click
holds it until a second click or "Back to the decision map"."""

from __future__ import annotations

import pytest
from pagekit import (
    click_button,
    no_exception,
    open_app,
    set_playing,
    shoot_and_pause,
    updates,
    wait_updates_above,
)
from playwright.sync_api import Page, expect

from devtools.local_server import NODE_JS

pytestmark = pytest.mark.browser

NETWORK = ".st-key-network div.live-plotly"
# the main map's title ("" for the decision regions) and its background image's name
MAP_JS = """() => {
  const div = document.querySelector('.st-key-regions div.live-plotly');
  const title = div.layout.title ? div.layout.title.text || "" : "";
  return [title, (div.layout.images || []).map(im => im.name).join(",")];
}"""
REGIONS = ["", "prediction"]
IMAGE_JS = """() => document.querySelector('.st-key-regions div.live-plotly').layout.images[0]
  .source"""


def main_map(page: Page):
    return page.evaluate(MAP_JS)


def wait_map(page: Page, title: str, image: str):
    page.wait_for_function(f"(() => {{ const m = ({MAP_JS})(); "
                           f"return m[0] === {title!r} && m[1] === {image!r}; }})()")


def node(page: Page, layer: int, unit: int):
    return page.evaluate(NODE_JS, [layer, unit])


def click_node(page: Page, at):
    """Point at the node, then click, as a hand does: Plotly picks what a click hits from its
    last hover, which it computes at most every 50 ms (a move and a click in the same instant
    can click the node the mouse came from)."""
    page.mouse.move(at["px"], at["py"])
    page.wait_for_timeout(300)
    page.mouse.click(at["px"], at["py"])


def test_hover_and_click_a_node_show_its_map_on_the_main_map(page: Page, app_url, shot):
    open_app(page, app_url.rstrip("/") + "/?units=8")
    page.locator(".st-key-w_view").get_by_text("Network", exact=True).click()
    page.wait_for_function(f"document.querySelector({NETWORK!r})?.layout?.images?.length === 13")
    diagram = page.locator(NETWORK)
    diagram.scroll_into_view_if_needed()
    assert main_map(page) == REGIONS

    # hover: the node's map replaces the regions; the mouse leaves: back
    h3 = node(page, 1, 2)
    page.mouse.move(h3["px"], h3["py"])
    wait_map(page, "Hidden layer 1, unit 3 — activation", "node map")
    shot(page, "node-hovered")
    page.mouse.move(h3["px"] + 400, h3["py"] + 300)      # off the diagram
    wait_map(page, *REGIONS)

    # click: held while the mouse is elsewhere, released by a second click
    out = node(page, 2, 1)
    click_node(page, out)
    wait_map(page, "Output class 1 — its probability", "node map")
    page.mouse.move(out["px"] + 400, out["py"] + 300)
    page.wait_for_timeout(800)
    assert main_map(page)[0] == "Output class 1 — its probability"
    out = node(page, 2, 1)
    click_node(page, out)
    wait_map(page, *REGIONS)

    # click, then the page's button; the next hover is shown again (the hold ended)
    x1 = node(page, 0, 0)
    click_node(page, x1)
    wait_map(page, "Input x₁ — its value over the plane", "node map")
    page.mouse.move(x1["px"] + 400, x1["py"] + 300)
    click_button(page, "Back to the decision map")
    wait_map(page, *REGIONS)
    expect(page.get_by_role("button", name="Back to the decision map")).to_be_disabled()
    h1 = node(page, 1, 0)
    page.mouse.move(h1["px"], h1["py"])
    wait_map(page, "Hidden layer 1, unit 1 — activation", "node map")

    # held while playing: the node's map follows training
    click_node(page, h1)
    page.mouse.move(h1["px"] + 400, h1["py"] + 300)
    image = page.evaluate(IMAGE_JS)
    set_playing(page, True)
    wait_updates_above(page, updates(page) + 30)
    page.wait_for_function(f"({IMAGE_JS})() !== {image!r}")
    assert main_map(page)[0] == "Hidden layer 1, unit 1 — activation"
    shoot_and_pause(page, shot, "node-held-playing")
    no_exception(page)
