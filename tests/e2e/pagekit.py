"""What the browser tests share: waiting for the page, reading its metrics and charts, and
driving its controls the way a visitor does. Every wait polls text or DOM attributes."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Page, expect

from devtools.local_server import LR_STATE_JS, lr_agrees

UPLOADS = Path(__file__).resolve().parents[1] / "data" / "uploads"
TIMEOUT = 30_000  # ms, for anything that waits on a script run
SETTLE = 1.0      # s after Pause before the counters are compared

# Known, benign browser console noise to ignore. None is needed today (the page loads with an
# empty console in Chromium 156 + Streamlit 1.67); add entries only with a comment saying why.
BENIGN_CONSOLE: tuple[str, ...] = ()

expect.set_options(timeout=TIMEOUT)

CHARTS_JS = "Array.from(document.querySelectorAll('div.live-plotly'))"


# -- helpers ----------------------------------------------------------------------------------
def open_app(page: Page, url: str):
    """Load the page and wait until the metrics and both live charts have been drawn."""
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    wait_loaded(page)


def wait_loaded(page: Page):
    expect(metric(page, "Update")).to_be_visible(timeout=60_000)
    page.wait_for_function(
        f"{CHARTS_JS}.length >= 2 && {CHARTS_JS}.slice(0, 2)"
        ".every(d => d.dataset.frame !== undefined && Array.isArray(d.data))",
        timeout=60_000)


def metric(page: Page, label: str):
    """The value element of the st.metric with this exact label."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True))
    return box.locator('[data-testid="stMetricValue"]')


def updates(page: Page) -> int:
    value = metric(page, "Update")
    # while a rerun replaces the metrics row, the old one can briefly sit beside the new one
    expect(value).to_have_count(1)
    return int(value.inner_text().strip().replace(",", ""))


def chart_frame(page: Page, index: int) -> int:
    value = page.evaluate(f"{CHARTS_JS}[{index}].dataset.frame")
    return int(value)


def decision_classes(page: Page):
    """Names of the training-point traces on the decision map (one per class)."""
    return page.evaluate(
        f"{CHARTS_JS}[0].data.filter(t => t.type === 'scatter' && !t.name.endsWith('(test)'))"
        ".map(t => t.name)")


def play_switch(page: Page):
    return page.get_by_role("switch", name="Play")


def set_playing(page: Page, on: bool):
    """Click the Play toggle's label (its input is visually hidden) and wait for the state."""
    switch = play_switch(page)
    if switch.is_checked() != on:
        page.locator("label").filter(has=switch).click()
    if on:
        expect(switch).to_be_checked()
    else:
        expect(switch).not_to_be_checked()


def shoot_and_pause(page: Page, shot, name: str):
    """The end of a test that played: a screenshot, then Pause if it is still playing (so
    the shared server is not left training for the next test)."""
    shot(page, name)
    if play_switch(page).is_checked():
        set_playing(page, False)


def wait_updates_above(page: Page, n: int, timeout=TIMEOUT):
    """Poll the Update metric until it exceeds ``n``; returns its value."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = updates(page)
        if value > n:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Update stayed at {value} (wanted > {n})")
        time.sleep(0.2)


def wait_frame_above(page: Page, index: int, n: int, timeout=TIMEOUT):
    page.wait_for_function(f"+{CHARTS_JS}[{index}].dataset.frame > {n}", timeout=timeout)
    return chart_frame(page, index)


def click_button(page: Page, name: str):
    page.get_by_role("button", name=name, exact=True).click()


def choose(page: Page, label: str, option: str):
    """Pick ``option`` in the st.selectbox labelled ``label``."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def no_exception(page: Page):
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def wait_lr(page: Page, lr: str, auto: bool, timeout=TIMEOUT):
    """Wait until the page agrees on ``lr`` and ``auto`` everywhere (see lr_agrees); the
    Math view must be shown."""
    deadline = time.monotonic() + timeout / 1000
    state = None
    while time.monotonic() < deadline:
        state = page.evaluate(LR_STATE_JS)
        if lr_agrees(state, lr, auto):
            return state
        time.sleep(0.05)
    raise AssertionError(f"the page did not agree on lr={lr} auto={auto}: {state}")
