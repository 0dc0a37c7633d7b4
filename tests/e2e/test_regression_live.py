"""Regression in a real Chromium: a ``?task=regression`` link opens a
regression run, Play trains it, the map carries the diverging value scale and the loss
metric moves; there is no accuracy metric; a click on a point traces it."""

from __future__ import annotations

import pytest
from pagekit import (
    CHARTS_JS,
    SETTLE,
    metric,
    no_exception,
    open_app,
    set_playing,
    shoot_and_pause,
    updates,
    wait_frame_above,
    wait_updates_above,
)
from playwright.sync_api import Page, expect

from devtools.local_server import POINT_JS

pytestmark = pytest.mark.browser

# the map's colour bar: the trace that carries it, as Plotly drew it
SCALE_JS = (f"(() => {{ const t = {CHARTS_JS}[0].data.find(t => t.name === 'scale'); "
            "return t && {cmin: t.marker.cmin, cmax: t.marker.cmax, "
            "show: t.marker.showscale, stops: t.marker.colorscale.length}; })()")


def test_a_regression_link_trains_with_the_value_scale_and_no_accuracy(page: Page, app_url,
                                                                       shot):
    open_app(page, app_url + "/?task=regression")
    try:
        no_exception(page)
        expect(page.get_by_role("radio", name="regression")).to_be_checked()
        expect(page.get_by_role("combobox", name="Dataset")).to_have_value("plane")
        for label in ("Train acc", "Test acc"):
            expect(metric(page, label)).to_have_count(0)
        assert page.evaluate(SCALE_JS) == {"cmin": -1, "cmax": 1, "show": True, "stops": 5}
        # the colour bar is drawn: Plotly renders it as a .colorbar group on the map
        expect(page.locator(".st-key-regions .colorbar")).to_have_count(1)
        before = metric(page, "Train loss").inner_text()
        set_playing(page, True)
        wait_updates_above(page, 30)
        frame = wait_frame_above(page, 0, 30)
        assert frame > 30
        set_playing(page, False)
        page.wait_for_timeout(SETTLE * 1000)
        assert updates(page) > 30
        after = metric(page, "Train loss").inner_text()
        assert float(after) < float(before), (before, after)
        # the curves have the loss panel only
        axes = page.evaluate(f"Object.keys({CHARTS_JS}[1].layout).filter(k => "
                             "k.startsWith('yaxis'))")
        assert axes == ["yaxis"], axes
        # a click on a training point traces it: its target, ŷ and its loss ½(ŷ − y)²
        point = page.evaluate(POINT_JS)
        page.mouse.click(point["px"], point["py"])
        expect(page.get_by_text("target y =")).to_be_visible()
        expect(page.get_by_text("its loss ½(ŷ − y)²", exact=False)).to_be_visible()
        no_exception(page)
    finally:
        shoot_and_pause(page, shot, "regression-live")
