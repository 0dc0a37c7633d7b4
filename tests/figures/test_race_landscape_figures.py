"""The race's curves and small maps, and the loss landscape's contours."""

import json

import numpy as np
import pytest

from playground import figures as F
from playground.figures.common import UIREVISION


def test_race_curves_are_drawn_against_the_chosen_clock(make_history):
    hs = [make_history(seed=i) for i in range(3)]
    for clock, title in F.X_AXES.items():
        fig = F.race_curves_figure(hs, ["a", "b", "<b>c</b>"], x=clock, target=0.95)
        assert len(fig.data) == 6 and fig.layout.xaxis.title.text == title
        for i, h in enumerate(hs):
            loss, acc = fig.data[2 * i], fig.data[2 * i + 1]
            np.testing.assert_allclose(loss.x, h[clock].astype(np.float32))
            np.testing.assert_allclose(acc.y, h["train_acc"].astype(np.float32))
            assert (loss.yaxis, acc.yaxis) == ("y", "y2")
            assert loss.line.color == acc.line.color
        assert fig.data[4].name == "&lt;b&gt;c&lt;/b&gt;"              # user text is inert
        assert fig.layout.shapes[0].y0 == 0.95 and fig.layout.uirevision == UIREVISION
    with pytest.raises(ValueError):
        F.race_curves_figure(hs, ["a"] * 3, x="minutes")


def test_race_maps_put_one_panel_per_runner_side_by_side(data, grid):
    X, y = data[0], data[1]
    xs, ys, ws = grid
    for n in (2, 3, 4):
        fig = F.race_maps_figure(xs, ys, [ws.P] * n, [f"<b>r{i}</b>" for i in range(n)], X, y)
        layout = json.loads(fig.to_json())["layout"]
        images = layout["images"]
        assert len(images) == n and len(fig.data) == 3 * n + 1     # 3 classes, the titles
        # left to right on one pair of axes, not overlapping, all the same size
        assert all(a["x"] + a["sizex"] < b["x"] for a, b in zip(images, images[1:]))
        assert len({(im["sizex"], im["sizey"], im["y"]) for im in images}) == 1
        assert "xaxis2" not in layout
        # each panel's points lie on its own image
        for i in range(n):
            im = images[i]
            for t in fig.data[3 * i:3 * i + 3]:
                assert im["x"] <= min(t.x) and max(t.x) <= im["x"] + im["sizex"]
        titles = fig.data[-1]
        assert list(titles.text) == [f"&lt;b&gt;r{i}&lt;/b&gt;" for i in range(n)]


def test_the_landscape_contours_the_log_loss_and_marks_the_path():
    a = np.linspace(-1, 1, 5)
    b = np.linspace(-2, 2, 5)
    L = np.exp(a[None, :] ** 2 + b[:, None] ** 2)
    L[0, 0] = np.inf                                  # an overflowed corner
    fig = F.landscape_figure(a, b, L, (np.array([0.5, 0.2, 0.0]), np.array([1.0, 0.4, 0.0])),
                             titles=("PC 1", "PC 2"))
    contour, path, current = fig.data
    assert contour.type == "contour"
    finite = np.isfinite(L)
    np.testing.assert_allclose(np.asarray(contour.z)[finite], np.log10(L[finite]), rtol=1e-6)
    assert np.asarray(contour.z)[0, 0] == pytest.approx(np.log10(L[finite].max()), rel=1e-6)
    np.testing.assert_allclose(np.asarray(contour.customdata)[finite], L[finite], rtol=1e-6)
    assert path.mode == "lines+markers" and list(path.x) == pytest.approx([0.5, 0.2, 0.0])
    assert list(current.x) == [0.0] and current.marker.symbol == "star"
    assert fig.layout.xaxis.title.text == "PC 1" and list(fig.layout.yaxis.range) == [-2, 2]
    ticks = fig.data[0].colorbar.ticktext
    assert ticks and all(float(t) > 0 for t in ticks)
    # a flat slice still draws
    assert F.landscape_figure(a, b, np.ones((5, 5))).data[0].type == "contour"
