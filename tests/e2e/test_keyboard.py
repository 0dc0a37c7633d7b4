"""The page by keyboard, in Chromium: the shortcuts (Space, → or S, E, R, P) act like a click
on their control, also while playing, and not while typing; the Keyboard help and the
buttons' tooltips name them; Tab reaches every control of the controls row with a visible
focus ring."""

from __future__ import annotations

import pytest
from pagekit import (
    metric,
    no_exception,
    open_app,
    play_switch,
    shoot_and_pause,
    wait_updates_above,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# what the focused element is, and the box its focus ring is drawn around (a switch's input
# is visually hidden: its label carries the ring)
FOCUSED_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const outer = e.closest('label') || e;
  const box = outer.getBoundingClientRect();
  // a button's own text, without its icons' ligatures ("tune", "expand_more")
  const text = outer.querySelector('[data-testid="stMarkdownContainer"]') || outer;
  const name = e.getAttribute('aria-label') || text.innerText.trim() || e.tagName;
  return {name: name.slice(0, 60), x: box.x, y: box.y, width: box.width, height: box.height};
}"""


def test_keys_step_step_an_epoch_reset_and_play(page: Page, app_url, shot):
    open_app(page, app_url)
    try:
        page.keyboard.press("ArrowRight")
        expect(metric(page, "Update")).to_have_text("1")
        page.keyboard.press("s")
        expect(metric(page, "Update")).to_have_text("2")
        page.keyboard.press("Shift+S")                       # a capital S steps as well
        expect(metric(page, "Update")).to_have_text("3")
        # full batch (the default): an epoch is one update
        page.keyboard.press("e")
        expect(metric(page, "Update")).to_have_text("4")
        expect(metric(page, "Epoch")).to_have_text("4")
        page.keyboard.press("r")
        expect(metric(page, "Update")).to_have_text("0")
        page.keyboard.press(" ")
        expect(play_switch(page)).to_be_checked()
        wait_updates_above(page, 0)
        page.keyboard.press(" ")
        expect(play_switch(page)).not_to_be_checked()
        no_exception(page)
    finally:
        shoot_and_pause(page, shot, "keyboard-steps")


def test_key_p_toggles_present_mode(page: Page, app_url, shot):
    open_app(page, app_url)
    try:
        page.keyboard.press("p")
        expect(page.get_by_role("button", name="Exit presentation")).to_be_visible()
        page.wait_for_function("location.search.includes('present=1')")
        page.keyboard.press("p")
        expect(page.get_by_role("button", name="Present", exact=True)).to_be_visible()
        page.wait_for_function("!location.search.includes('present=1')")
        no_exception(page)
    finally:
        shot(page, "keyboard-present")


def test_shortcuts_work_while_playing(page: Page, app_url, shot):
    open_app(page, app_url)
    try:
        page.keyboard.press(" ")
        expect(play_switch(page)).to_be_checked()
        before = wait_updates_above(page, 30)
        page.keyboard.press("r")                              # back to 0, and on training
        page.wait_for_function(
            "() => { const v = [...document.querySelectorAll('[data-testid=stMetric]')]"
            ".find(m => m.innerText.startsWith('Update'));"
            f" return v && +v.innerText.split('\\n').pop().replace(/,/g, '') < {before}; }}")
        wait_updates_above(page, 0)                           # on training after the reset
        page.keyboard.press(" ")
        expect(play_switch(page)).not_to_be_checked()
        no_exception(page)
    finally:
        shoot_and_pause(page, shot, "keyboard-playing")


def test_shortcuts_do_nothing_while_typing_in_a_field(page: Page, app_url, shot):
    open_app(page, app_url)
    try:
        seed = page.get_by_role("spinbutton", name="Data seed")
        seed.click()
        for key in (" ", "s", "ArrowRight", "e", "r", "p"):
            page.keyboard.press(key)
        expect(seed).to_be_focused()
        # a key did nothing to the page: one Step (by its button) is update 1, not more
        page.get_by_role("button", name="Step", exact=True).click()
        expect(metric(page, "Update")).to_have_text("1")
        expect(play_switch(page)).not_to_be_checked()
        assert "present=1" not in page.url
        expect(page.get_by_role("button", name="Present", exact=True)).to_be_visible()
        no_exception(page)
    finally:
        shot(page, "keyboard-typing")


def test_keyboard_help_and_tooltips_name_the_shortcuts(page: Page, app_url, shot):
    open_app(page, app_url)
    try:
        page.get_by_role("button", name="Keyboard").click()
        table = page.locator('[data-testid="stPopoverBody"] table')
        expect(table).to_be_visible()
        rows = [r.strip() for r in table.locator("tbody tr").all_inner_texts()]
        assert [r.split("\t")[0] for r in rows] == ["Space", "→ or S", "E", "R", "P"]
        page.keyboard.press("Escape")
        for button, keys in (("Step", "→ or S"), ("Step epoch", "E"), ("Reset", "R"),
                             ("Present", "P")):
            page.get_by_role("button", name=button, exact=True).hover()
            expect(page.get_by_role("tooltip")).to_contain_text(f"Shortcut: {keys}.")
            page.mouse.move(0, 0)
            expect(page.get_by_role("tooltip")).to_have_count(0)
    finally:
        shot(page, "keyboard-help")


def test_tab_reaches_every_control_of_the_row_with_a_visible_focus_ring(page: Page, app_url,
                                                                         shot):
    open_app(page, app_url)
    wanted = {"Play", "Step", "Step epoch", "Reset", "Draw", "Display", "Keyboard",
              "Present"}
    reached, unringed = [], []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(120):
        page.keyboard.press("Tab")
        now = page.evaluate(FOCUSED_JS)
        if now is None or (reached and now == reached[0]):
            break
        reached.append(now)
        if now["width"] == 0 or now["height"] == 0:
            continue
        pad = 6
        clip = {"x": max(now["x"] - pad, 0), "y": max(now["y"] - pad, 0),
                "width": now["width"] + 2 * pad, "height": now["height"] + 2 * pad}
        focused = page.screenshot(clip=clip)
        page.evaluate("() => { window.__was = document.activeElement; "
                      "document.activeElement.blur(); }")
        unfocused = page.screenshot(clip=clip)
        page.evaluate("() => window.__was.focus()")
        if focused == unfocused:
            unringed.append(now["name"])
    names = {r["name"] for r in reached}
    shot(page, "keyboard-tab")
    assert wanted <= names, f"not reached by Tab: {sorted(wanted - names)}"
    assert not unringed, f"no visible focus ring: {unringed}"
