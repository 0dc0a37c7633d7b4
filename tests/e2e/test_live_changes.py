"""Changes made while playing land, under both configurations the page runs with: the
repository's .streamlit/config.toml and the settings Streamlit Community Cloud forces over
it (runner.fastReruns=true among them). "Lands" means: the control, the model (the Math
view's η and update rule), the "Automatic:" line and the URL agree, and the run goes on."""

from __future__ import annotations

import pytest
from pagekit import (
    SETTLE,
    choose,
    click_button,
    metric,
    no_exception,
    open_app,
    play_switch,
    set_playing,
    shoot_and_pause,
    updates,
    wait_lr,
    wait_updates_above,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _math(page):
    page.get_by_text("Math", exact=True).click()              # the views' tab bar
    expect(page.locator(".katex-mathml annotation").filter(has_text=r"\eta =")).to_have_count(1)


def _still_training(page):
    before = updates(page)
    wait_updates_above(page, before)
    expect(play_switch(page)).to_be_checked()


def test_learning_rate_moves_and_auto_land_while_playing(page: Page, any_config_url, shot):
    open_app(page, any_config_url)
    try:
        _math(page)
        set_playing(page, True)
        wait_updates_above(page, 5)
        slider = page.get_by_role("slider", name="Learning rate")
        slider.focus()
        for key, lr in [("ArrowLeft", "0.3"), ("ArrowLeft", "0.1"), ("ArrowRight", "0.3"),
                        ("ArrowRight", "1"), ("ArrowRight", "3"), ("ArrowLeft", "1")]:
            slider.press(key)
            wait_lr(page, lr, auto=False)                     # a moved slider takes over
        page.locator("label").filter(has=page.get_by_role("switch", name="Auto")).click()
        wait_lr(page, "1", auto=True)                         # Auto on: the rule's rate
        slider.focus()
        slider.press("ArrowLeft")
        wait_lr(page, "0.3", auto=False)                      # and a move takes over again
        _still_training(page)
        no_exception(page)
    finally:
        shoot_and_pause(page, shot, "lr_moves")


def test_batch_mode_optimizer_and_dataset_changes_land_while_playing(page: Page,
                                                                     any_config_url, shot):
    open_app(page, any_config_url)
    try:
        _math(page)
        set_playing(page, True)
        wait_updates_above(page, 5)
        page.get_by_text("SGD", exact=True).click()           # the batch mode radio
        # the automatic rate follows the batch mode (0.1 for SGD), in every place it shows
        wait_lr(page, "0.1", auto=True)
        page.wait_for_function("new URLSearchParams(location.search).get('batch') === 'SGD'")
        expect(page.locator(".katex-mathml annotation").filter(has_text="SGD")
               .or_(page.get_by_text("240 updates per epoch"))).not_to_have_count(0)
        choose(page, "Optimizer", "adam")
        wait_lr(page, "0.01", auto=True)
        expect(page.locator(".katex-mathml annotation").filter(has_text=r"\beta_1")
               ).to_have_count(1)                              # the model's update rule
        # by the keyboard, as the list of a select box closes when the sidebar is redrawn
        box = page.get_by_role("combobox", name="Dataset")
        box.focus()
        page.keyboard.type("moons")
        page.keyboard.press("Enter")
        page.wait_for_function("new URLSearchParams(location.search).get('data') === 'moons'")
        expect(page.get_by_role("switch", name="Play")).to_be_checked()
        _still_training(page)
        no_exception(page)
    finally:
        shoot_and_pause(page, shot, "mode_optimizer_dataset")


def test_pause_stops_and_step_adds_exactly_one(page: Page, any_config_url, shot):
    open_app(page, any_config_url)
    try:
        for _ in range(3):
            set_playing(page, True)
            wait_updates_above(page, updates(page) + 3)
            set_playing(page, False)
            page.wait_for_timeout(SETTLE * 1000)              # the frame in flight lands
            stopped = updates(page)
            page.wait_for_timeout(SETTLE * 1000)
            assert updates(page) == stopped                   # nothing trains after Pause
            click_button(page, "Step")
            expect(metric(page, "Update")).to_have_text(f"{stopped + 1:,}")
        no_exception(page)
    finally:
        shoot_and_pause(page, shot, "pause_step")
