"""Per-layer widths and input features in a real Chromium: set in the sidebar, they build the
network the diagram and the Math view show, and the share link rebuilds it in a new page."""

from __future__ import annotations

import pytest
from pagekit import TIMEOUT, no_exception, open_app
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

NETWORK_SHOWN_JS = """() => {
  const d = document.querySelector('.st-key-network div.live-plotly');
  return d && d.layout && d.layout.meta ? d.layout.meta.shown : null;
}"""


def set_slider(page: Page, label: str, value: int, url_part: str):
    """Move the slider labelled ``label`` to ``value`` with the keyboard, as a visitor can
    (Home first when it must go down, then one step at a time), each key's value applied by
    the server (the link then holds ``url_part`` with it) before the next key: the page
    writes the settings back into the widgets, so a key pressed while a run is still
    applying the previous one could be undone."""
    slider = page.get_by_role("slider", name=label)

    def press(key, expected):
        slider.focus()
        slider.press(key)
        expect(slider).to_have_value(str(expected))
        page.wait_for_function(f"decodeURIComponent(location.search).includes("
                               f"{url_part.format(expected)!r})", timeout=TIMEOUT)

    if value < int(slider.input_value()):
        press("Home", int(slider.get_attribute("min")))
    while (now := int(slider.input_value())) < value:
        press("ArrowRight", now + 1)


def pill(page: Page, label: str):
    return page.locator(".st-key-w_features").get_by_role("button", name=label, exact=True)


def expect_pill_on(page: Page, label: str, on: bool):
    expect(pill(page, label)).to_have_attribute("aria-pressed", "true" if on else "false")


def network_shown(page: Page):
    tab = page.locator(".st-key-w_view").get_by_role("radio", name="Network", exact=True)
    if tab.get_attribute("aria-checked") != "true":   # a click on the chosen view empties it
        tab.click()
    page.wait_for_function(f"({NETWORK_SHOWN_JS})() !== null", timeout=TIMEOUT)
    return page.evaluate(NETWORK_SHOWN_JS)


def expect_network(page: Page, sizes):
    """The diagram draws these layers' nodes, and the Math view names the same sizes."""
    page.wait_for_function(f"JSON.stringify(({NETWORK_SHOWN_JS})()) === "
                           f"JSON.stringify({list(sizes)})", timeout=TIMEOUT)
    page.locator(".st-key-w_view").get_by_text("Math", exact=True).click()
    expect(page.get_by_text(f"sizes {' → '.join(map(str, sizes))}")).to_be_visible()


def test_widths_and_features_set_in_the_sidebar_travel_in_the_link(page: Page, browser, app_url,
                                                                    shot):
    open_app(page, app_url)
    try:
        assert network_shown(page) == [2, 16, 3]          # 100 units: 15 drawn and "+85"
        set_slider(page, "Hidden layers", 2, "hidden=100,100")
        set_slider(page, "Units in layer 2", 4, "hidden=100,{}&")
        set_slider(page, "Units in layer 1", 8, "hidden={},4&")
        pill(page, "x₁²").click()
        expect_pill_on(page, "x₁²", True)
        expect(page.get_by_text("Network changed", exact=False).first).to_be_attached()
        network_shown(page)
        expect_network(page, [3, 8, 4, 3])
        page.wait_for_function("location.search.includes('hidden=8%2C4') || "
                               "location.search.includes('hidden=8,4')", timeout=TIMEOUT)
        link = page.url
        assert "x1sq" in link, link
        no_exception(page)
        shot(page, "widths_features")

        fresh = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        try:
            open_app(fresh, link)
            for label, value in (("Hidden layers", 2), ("Units in layer 1", 8),
                                 ("Units in layer 2", 4)):
                expect(fresh.get_by_role("slider", name=label)).to_have_value(str(value))
            for label, on in (("x₁", True), ("x₂", True), ("x₁²", True), ("x₂²", False)):
                expect_pill_on(fresh, label, on)
            network_shown(fresh)
            expect_network(fresh, [3, 8, 4, 3])
            expect(fresh.locator('[data-testid="stAlert"]')).to_have_count(0)  # no warnings
            no_exception(fresh)
            shot(fresh, "widths_features_link")
        finally:
            fresh.context.close()
    finally:
        shot(page, "widths_features_end")
