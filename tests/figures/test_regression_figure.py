"""The regression map: the predicted value on a fixed diverging scale, the points coloured by
their targets on the same scale; and the loss curves without an accuracy panel."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from playground import figures as F
from playground.engine.datasets import grid_axes
from playground.figures.regression import LEVELS, refined_values, value_codes

# The scale written out (DIVERGING's stops): the oracle the pixels are checked against.
STOPS = [(0.0, (0x21, 0x66, 0xAC)), (0.25, (0x92, 0xC5, 0xDE)), (0.5, (0xF7, 0xF7, 0xF7)),
         (0.75, (0xF4, 0xA5, 0x82)), (1.0, (0xB2, 0x18, 0x2B))]
# half a colour level of the 255-level image (the steepest stretch moves ~1.6 units per
# level) plus the rounding of the stops' interpolation
TOLERANCE = 2
SCALE = [(t, "#{:02x}{:02x}{:02x}".format(*c)) for t, c in STOPS]


def scale_at(value, vmax=1.0):
    """The colour a value must have: linear in RGB between the stops, clipped at ±vmax."""
    t = (min(max(float(value), -vmax), vmax) + vmax) / (2 * vmax)
    for (t0, c0), (t1, c1) in zip(STOPS, STOPS[1:]):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            return np.array([a + (b - a) * f for a, b in zip(c0, c1)])
    return np.array(STOPS[-1][1], dtype=float)


def pixels(fig):
    (img,) = fig.layout.images
    png = base64.b64decode(img.source.removeprefix("data:image/png;base64,"))
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def regression_data():
    """Points and targets in [-1, 1] as the regression sets have them, a grid over them and
    predicted values that overshoot the targets' range in places (up to ±1.4)."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (200, 2))
    y = np.clip((X[:, 0] + X[:, 1]) / 2 + 0.05 * rng.standard_normal(200), -1, 1)
    xs, ys = grid_axes(X, resolution=30)
    gx, gy = np.meshgrid(xs, ys)
    values = 1.4 * np.tanh(1.2 * gx - 0.8 * gy)
    return X[:160], y[:160], X[160:], y[160:], xs, ys, values


def test_every_pixel_has_the_scales_colour_at_its_grid_value(regression_data):
    X, y, Xt, yt, xs, ys, values = regression_data
    fig = F.regression_figure(xs, ys, values.ravel(), X, y, Xt, yt, image=True,
                              hover_detail=False)
    img = pixels(fig)
    assert img.shape == (len(ys), len(xs), 3)
    expected = np.array([[scale_at(v) for v in row] for row in values[::-1]])  # top = max y
    assert np.abs(img - expected).max() <= TOLERANCE
    # the ends and the middle exactly: −1 blue, 0 white, +1 red; beyond ±1 the ends
    img = pixels(F.regression_figure(xs[:3], ys[:1], [-1.0, 0.0, 1.0], None, None,
                                     image=True))
    assert img[0].tolist() == [[0x21, 0x66, 0xAC], [0xF7, 0xF7, 0xF7], [0xB2, 0x18, 0x2B]]
    assert (pixels(F.regression_figure(xs[:2], ys[:1], [-7.0, 3.0], None, None, image=True))
            == img[0, [0, 2]]).all()


def test_the_scale_is_fixed_not_rescaled_to_the_frame(regression_data):
    """A frame of small predictions is pale, not stretched to the full scale: a colour
    means one value at every update."""
    X, y, Xt, yt, xs, ys, values = regression_data
    small = values * 0.1                                   # |ŷ| ≤ 0.14
    img = pixels(F.regression_figure(xs, ys, small, X, y, image=True))
    expected = np.array([[scale_at(v) for v in row] for row in small[::-1]])
    assert np.abs(img - expected).max() <= TOLERANCE
    white = np.array(STOPS[2][1])
    assert np.abs(img - white).max() < 60                  # nowhere near the saturated ends
    fig = F.regression_figure(xs, ys, small, X, y)         # the heatmap version: same range
    (heat,) = [t for t in fig.data if t.type == "heatmap"]
    assert (heat.zmin, heat.zmax) == (-1.0, 1.0)
    assert np.allclose(heat.z, small.astype(np.float32))
    assert [tuple(s) for s in heat.colorscale] == SCALE


def test_points_are_coloured_by_their_targets_on_the_maps_scale(regression_data):
    X, y, Xt, yt, xs, ys, values = regression_data
    fig = F.regression_figure(xs, ys, values, X, y, Xt, yt, image=True)
    train, test = (next(t for t in fig.data if t.name == n) for n in ("train", "test"))
    # train: filled with the target's colour
    assert np.allclose(train.marker.color, y.astype(np.float32))
    assert np.allclose(train.x, X[:, 0]) and np.allclose(train.y, X[:, 1])
    assert (train.marker.cmin, train.marker.cmax) == (-1.0, 1.0)
    # test: white, ringed in the target's colour
    assert test.marker.color == "white"
    assert np.allclose(test.marker.line.color, yt.astype(np.float32))
    assert (test.marker.line.cmin, test.marker.line.cmax) == (-1.0, 1.0)
    # the same scale as the map: a point whose target equals the prediction under it has
    # the map's colour there
    heat = next(t for t in fig.data if t.type == "heatmap")          # the hover layer
    for scale in (train.marker.colorscale, test.marker.line.colorscale, heat.colorscale):
        assert [tuple(s) for s in scale] == SCALE
    # a colour bar names the scale, also when both point sets are hidden
    bare = F.regression_figure(xs, ys, values, None, None, image=True)
    bars = [t for t in bare.data if t.type == "scatter" and t.marker.showscale]
    assert len(bars) == 1 and (bars[0].marker.cmin, bars[0].marker.cmax) == (-1.0, 1.0)
    assert [t.name for t in bare.data if t.type == "scatter"] == ["scale"]
    assert list(bars[0].marker.colorbar.tickvals) == [-1, -0.5, 0, 0.5, 1]


def test_show_hide_hover_and_highlight_follow_the_decision_maps_conventions(regression_data):
    X, y, Xt, yt, xs, ys, values = regression_data
    only_test = F.regression_figure(xs, ys, values, None, None, Xt, yt, image=True)
    assert [t.name for t in only_test.data] == ["test", "scale", "prediction"]
    lean = F.regression_figure(xs, ys, values, X, y, Xt, yt, image=True, hover_detail=False)
    assert not [t for t in lean.data if t.type == "heatmap"]
    assert [t.uid for t in lean.data] == ["points0", "points1", "scale"]
    hover = F.regression_figure(xs, ys, values, X, y, image=True)
    heat = next(t for t in hover.data if t.type == "heatmap")
    assert heat.opacity == 0 and "predicted ŷ = %{z:.3f}" in heat.hovertemplate
    ringed = F.regression_figure(xs, ys, values, X, y, highlight=(0.25, -0.5))
    ring = next(t for t in ringed.data if t.name == "traced point")
    assert ring.hoverinfo == "skip" and ring.showlegend is False
    assert list(ring.x) == [0.25] and list(ring.y) == [-0.5]
    assert ringed.layout.yaxis.scaleanchor == "x"


def test_discretize_paints_the_sign_of_the_prediction(regression_data):
    X, y, Xt, yt, xs, ys, values = regression_data
    fig = F.regression_figure(xs, ys, values, X, y, image=True, discrete=True)
    img = pixels(fig)
    flipped = values[::-1]
    neg, pos = scale_at(-0.5), scale_at(0.5)
    assert np.abs(img[flipped < 0] - neg).max() <= TOLERANCE
    assert np.abs(img[flipped > 0] - pos).max() <= TOLERANCE
    # the hover still names the value, not the sign
    heat = next(t for t in fig.data if t.type == "heatmap")
    assert np.allclose(heat.customdata, values.astype(np.float32))
    assert "%{customdata:.3f}" in heat.hovertemplate


def test_refined_image_interpolates_the_values_between_grid_points(regression_data):
    X, y, Xt, yt, xs, ys, values = regression_data
    fig = F.regression_figure(xs, ys, values, X, y, image=True, refine=True)
    img = pixels(fig)
    assert img.shape == (2 * len(ys) - 1, 2 * len(xs) - 1, 3)
    fine = refined_values(values)
    # the grid's own values at the even pixels; between them the neighbours' mean
    assert np.allclose(fine[::2, ::2], values)
    assert np.allclose(fine[1, 0], (values[0, 0] + values[1, 0]) / 2)
    assert np.allclose(fine[1, 1], values[:2, :2].mean())
    expected = np.array([[scale_at(v) for v in row] for row in fine[::-1]])
    assert np.abs(img - expected).max() <= TOLERANCE
    (im,) = fig.layout.images
    dx = xs[1] - xs[0]
    assert im.x == pytest.approx(xs[0] - dx / 4) and im.sizex == pytest.approx(
        xs[-1] - xs[0] + dx / 2)


def test_value_codes_put_zero_on_a_level_of_its_own():
    codes = value_codes([-1.0, 0.0, 1.0, np.nan, -5.0])
    assert codes.tolist() == [0, LEVELS // 2, LEVELS - 1, LEVELS // 2, 0]


def test_loss_curves_for_regression_have_no_accuracy_panel(make_history):
    h = make_history()
    nan = np.full(len(h["step"]), np.nan)
    h = {**h, "train_acc": nan, "test_acc": nan}          # what the trainer records
    pinned = [{"label": "pinned", "history": h}]
    fig = F.loss_figure(h, pinned=pinned, batch_loss=(h["step"], h["train_loss"]),
                        accuracy=False)
    assert {t.yaxis for t in fig.data} == {"y"}
    assert [t.name for t in fig.data] == ["batch loss", "train", "test", "pinned"]
    assert "yaxis2" not in fig.to_plotly_json()["layout"]
    assert tuple(fig.layout.yaxis.domain) == (0.0, 1.0)
    assert fig.layout.xaxis.anchor == "y"
    train = next(t for t in fig.data if t.name == "train")
    assert np.allclose(train.y, h["train_loss"].astype(np.float32))
    # the classification figure keeps its two panels
    both = F.loss_figure(h)
    assert {t.yaxis for t in both.data} == {"y", "y2"}
    assert both.layout.yaxis2.title.text == "Accuracy"
