"""The map's Display switches: training points, test points and
"Discretize" act on the map the page draws, and the run is untouched by them."""

import base64
import io

import numpy as np
from apptest import chart_figures, new_session, page
from PIL import Image

from playground.figures import regions


def _map(at):
    return chart_figures(at)[0]


def _points(fig):
    return [t for t in fig["data"] if t["type"] == "scatter" and t.get("name") != "traced point"]


def _pixels(fig):
    src = fig["layout"]["images"][0]["source"].removeprefix("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(src))).convert("RGB"))


def _count(fig):
    """Points drawn, from the traces' base64 arrays (their x's byte length / 4: float32)."""
    total = 0
    for t in _points(fig):
        x = t["x"]
        total += len(base64.b64decode(x["bdata"])) // np.dtype(x["dtype"]).itemsize
    return total


def test_point_toggles_hide_and_show_each_set_by_its_count():
    at = new_session()
    data = page(at).pg.data
    fig = _map(at)
    assert _count(fig) == len(data.X_train) + len(data.X_test)
    at.toggle(key="w_show_test").set_value(False).run()
    fig = _map(at)
    assert _count(fig) == len(data.X_train)
    assert not any(t["name"].endswith("(test)") for t in _points(fig))
    at.toggle(key="w_show_train").set_value(False).run()
    assert _points(_map(at)) == []                          # the regions alone
    at.toggle(key="w_show_test").set_value(True).run()
    fig = _map(at)
    assert _count(fig) == len(data.X_test)
    assert all(t["name"].endswith("(test)") for t in _points(fig))


def test_discretize_draws_the_hard_regions_of_the_current_network():
    at = new_session()
    shaded = _pixels(_map(at))
    at.toggle(key="w_discrete").set_value(True).run()
    hard = _pixels(_map(at))
    grid = page(at).pg.grid()
    k = grid.probs.shape[-1]
    probs = grid.probs.reshape(len(grid.ys), len(grid.xs), k)
    # oracle: every pixel is the middle band of the class the refined probabilities pick
    classes = regions.refined_codes(probs)[::-1] // regions.BANDS
    mid = regions.decision_colors(k)[classes * regions.BANDS + regions.BANDS // 2]
    assert hard.shape == mid.shape
    assert np.array_equal(hard, mid)
    assert len({tuple(c) for c in shaded.reshape(-1, 3)}) > k      # shaded by confidence
    at.toggle(key="w_discrete").set_value(False).run()
    assert np.array_equal(_pixels(_map(at)), shaded)               # and back


def test_display_switches_do_not_touch_the_run():
    at = new_session()
    pg = page(at).pg
    before = [p.copy() for p in pg.trainer.net.params()]
    for key in ("w_show_train", "w_show_test", "w_discrete"):
        at.toggle(key=key).set_value(key == "w_discrete").run()
        assert not at.exception
    assert page(at).pg is pg and pg.trainer.updates == 0
    assert all(np.array_equal(a, b) for a, b in zip(before, pg.trainer.net.params()))
