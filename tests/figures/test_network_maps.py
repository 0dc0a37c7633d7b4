"""Neuron thumbnails: the network diagram's small maps and one node's map large.
The oracle is the network's own forward pass over the grid, mapped through the colour scale
written out here (plotly.js interpolates a colorscale linearly in RGB between its stops)."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from playground import figures as F
from playground.engine.datasets import grid_axes, grid_points
from playground.engine.model import MLP
from playground.figures.common import DIVERGING, PALETTE
from playground.figures.network_maps import (
    THUMB_LEVELS,
    class_scale,
    layer_scale,
    node_map_figure,
    node_title,
)

VIRIDIS_ENDS = ((68, 1, 84), (253, 231, 37))          # plotly.js's Viridis at 0 and 1


def decode(uri):
    """A data-URI PNG as (palette indices (h, w), RGB (h, w, 3))."""
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.mode == "P"
    pal = np.array(image.getpalette()[:3 * 256], dtype=np.uint8).reshape(-1, 3)
    idx = np.array(image)
    return idx, pal[idx]


def rgb(hex_color):
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def scale_rgb(stops, t):
    """The colour of a colorscale [[pos, "#rrggbb"], ...] at t (array), as plotly.js."""
    pos = [p for p, _ in stops]
    cols = np.array([rgb(c) for _, c in stops])
    return np.stack([np.interp(t, pos, cols[:, i]) for i in range(3)], axis=-1)


def oracle_levels(values, lo, hi, levels=THUMB_LEVELS):
    return np.rint(np.clip((values - lo) / (hi - lo), 0, 1) * levels).astype(int)


def node_images(fig):
    return {im.name: im.source for im in fig.layout.images}


@pytest.fixture(scope="module")
def setup():
    xs, ys = grid_axes(np.array([[-1.0, -1.0], [1.0, 1.0]]), resolution=100, margin=0.05)
    net = MLP([2, 6, 20, 3], activation="tanh", seed=3)
    ws = net.forward(grid_points(xs, ys))
    layers = [ws.A[0], ws.A[1], ws.A[2], ws.P]
    maps = [np.asarray(a).reshape(len(ys), len(xs), -1) for a in layers]
    fig = F.network_figure(net.layer_sizes, net.weights, net.biases, max_units=16,
                           maps=maps, activation="tanh")
    return xs, ys, net, maps, fig


def test_every_drawn_node_has_a_thumbnail(setup):
    *_, fig = setup
    images = node_images(fig)
    # 2 inputs, 6 units, 15 of 20 units (+ "+5 more", no map), 3 outputs
    expected = (["x1", "x2"] + [f"h1.{u}" for u in range(1, 7)] +
                [f"h2.{u}" for u in range(1, 16)] + ["out0", "out1", "out2"])
    assert list(images) == expected
    assert fig.layout.meta["thumbnails"] == len(expected)
    nodes = [t for t in fig.data if t.meta is not None]
    assert [t.meta["layer"] for t in nodes] == [0, 1, 2, 3]
    assert list(nodes[2].customdata) == list(range(15)) + [-1]    # "+5 more": no unit
    assert list(nodes[0].text) == ["x₁", "x₂"]
    # every thumbnail sits on its node, in node order
    centres = [(float(x), float(y)) for t in nodes for x, y, u in zip(t.x, t.y, t.customdata)
               if u >= 0]
    assert [(im.x, im.y) for im in fig.layout.images] == centres
    assert F.network_figure([2, 3, 2], [np.ones((2, 3)), np.ones((3, 2))],
                            [np.zeros(3), np.zeros(2)]).layout.images == ()


def test_hidden_thumbnails_are_the_activation_on_the_layers_shared_scale(setup):
    xs, ys, net, maps, fig = setup
    images = node_images(fig)
    k = max(1, 100 // 32)
    # tanh: the activation's own range, [-1, 1], blue (−1) – white (0) – red (1)
    for l, n_shown in ((1, 6), (2, 15)):
        for u in range(n_shown):
            idx, colors = decode(images[f"h{l}.{u + 1}"])
            expected = oracle_levels(maps[l][::k, ::k, u][::-1], -1.0, 1.0)
            assert idx.shape == (34, 34)
            assert np.array_equal(idx, expected)
            want = scale_rgb(DIVERGING, expected / THUMB_LEVELS)
            assert np.abs(colors - want).max() <= 0.5 + 1e-9


def test_relu_layer_shares_one_range_so_a_weak_unit_looks_weak():
    xs = ys = np.linspace(-1, 1, 40)
    P = grid_points(xs, ys)
    strong = np.maximum(0, 3 * P[:, 0])                 # up to 3
    weak = np.maximum(0, 0.5 * P[:, 1])                 # up to 0.5: a sixth of the range
    hidden = np.stack([strong, weak], axis=1)
    maps = [P.reshape(40, 40, 2), hidden.reshape(40, 40, 2),
            np.full((40, 40, 2), 0.5)]
    fig = F.network_figure([2, 2, 2], [np.ones((2, 2))] * 2, [np.zeros(2)] * 2, maps=maps,
                           activation="relu")
    images = node_images(fig)
    weak_idx, weak_rgb = decode(images["h1.2"])
    strong_idx, strong_rgb = decode(images["h1.1"])
    assert strong_idx.max() == THUMB_LEVELS
    k = max(1, 40 // 32)
    assert np.array_equal(weak_idx, oracle_levels(hidden[:, 1].reshape(40, 40)[::k, ::k][::-1],
                                                  0.0, 3.0))
    assert weak_idx.max() == round(0.5 / 3 * THUMB_LEVELS)
    assert tuple(strong_rgb[strong_idx == 0][0]) == VIRIDIS_ENDS[0]     # 0: dark
    assert tuple(strong_rgb[strong_idx == THUMB_LEVELS][0]) == VIRIDIS_ENDS[1]
    # inputs: ±m with m the largest |x| of the layer (both inputs share it)
    x_idx, _ = decode(images["x1"])
    assert np.array_equal(x_idx, oracle_levels(P[:, 0].reshape(40, 40)[::k, ::k][::-1],
                                               -1.0, 1.0))
    # the hover states each layer's range
    hidden_nodes = next(t for t in fig.data if t.meta and t.meta["layer"] == 1)
    assert "map: 0 (purple) … 3 (yellow)" in hidden_nodes.hovertext[0]


def test_output_thumbnails_are_the_class_probability_white_to_the_class_colour(setup):
    xs, ys, net, maps, fig = setup
    images = node_images(fig)
    k = max(1, 100 // 32)
    for c in range(3):
        idx, colors = decode(images[f"out{c}"])
        p = net.predict_proba(grid_points(xs, ys))[:, c].reshape(len(ys), len(xs))
        expected = oracle_levels(p[::k, ::k][::-1], 0.0, 1.0)
        assert np.array_equal(idx, expected)
        want = scale_rgb([[0, "#ffffff"], [1, PALETTE[c]]], expected / THUMB_LEVELS)
        assert np.abs(colors - want).max() <= 0.5 + 1e-9


def test_regression_output_is_a_value_on_a_symmetric_scale():
    xs = ys = np.linspace(-1, 1, 30)
    P = grid_points(xs, ys)
    out = (P[:, 0] + 2 * P[:, 1])[:, None]              # from -3 to 3
    maps = [P.reshape(30, 30, 2), np.tanh(P).reshape(30, 30, 2), out.reshape(30, 30, 1)]
    fig = F.network_figure([2, 2, 1], [np.ones((2, 2)), np.ones((2, 1))],
                           [np.zeros(2), np.zeros(1)], maps=maps, activation="tanh",
                           output="value")
    idx, _ = decode(node_images(fig)["out0"])
    assert np.array_equal(idx, oracle_levels(out.reshape(30, 30)[::-1], -3.0, 3.0))
    assert layer_scale("value", out) == (-3.0, 3.0, DIVERGING)


def test_selected_node_is_ringed(setup):
    xs, ys, net, maps, _ = setup
    fig = F.network_figure(net.layer_sizes, net.weights, net.biases, maps=maps,
                           activation="tanh", selected=(1, 2))
    ring = next(t for t in fig.data if t.name == "selected")
    h1 = next(t for t in fig.data if t.meta and t.meta["layer"] == 1)
    assert (ring.x[0], ring.y[0]) == (1.0, h1.y[2])


def test_one_nodes_map_large_keeps_the_points_and_says_what_it_is(setup, data):
    xs, ys, net, maps, _ = setup
    X_tr, y_tr, X_te, y_te = data
    values = maps[1][..., 2].ravel()
    title = node_title(1, 2, 4)
    assert title == "Hidden layer 1, unit 3 — activation"
    fig = node_map_figure(xs, ys, values, lo=-1.0, hi=1.0, colorscale=DIVERGING, title=title,
                          X_train=X_tr, y_train=y_tr, X_test=X_te, y_test=y_te)
    assert fig.layout.title.text == title
    idx, colors = decode(fig.layout.images[0].source)
    expected = oracle_levels(maps[1][..., 2][::-1], -1.0, 1.0, levels=254)
    assert np.array_equal(idx, expected)
    assert np.abs(colors - scale_rgb(DIVERGING, expected / 254)).max() <= 0.5 + 1e-9
    # the decision map's points, with its trace ids (the browser keeps them)
    regions = F.decision_region_figure(xs, ys, np.full((len(ys) * len(xs), 3), 1 / 3), X_tr,
                                       y_tr, X_te, y_te, image=True, hover_detail=False)
    points = [t for t in regions.data if t.type == "scatter"]
    mine = [t for t in fig.data if t.type == "scatter" and t.name not in (None,)][:len(points)]
    assert [(t.uid, t.name, len(t.x)) for t in mine] == [(t.uid, t.name, len(t.x))
                                                       for t in points]
    bar = next(t for t in fig.data if t.uid == "scale")
    assert (bar.marker.cmin, bar.marker.cmax, bar.marker.showscale) == (-1.0, 1.0, True)
    prob = node_map_figure(xs, ys, np.linspace(0, 1, len(values)), lo=0.0, hi=1.0,
                           colorscale=class_scale(PALETTE[1]), title=node_title(
                               3, 1, 4, class_names=["a", "<b>b</b>"]))
    assert prob.layout.title.text == "Output &lt;b&gt;b&lt;/b&gt; — its probability"
    _, top = decode(prob.layout.images[0].source)
    assert tuple(top[0, -1]) == tuple(rgb(PALETTE[1]))       # p = 1: the class's colour


def test_a_diverged_layer_still_draws():
    xs = ys = np.linspace(-1, 1, 10)
    P = grid_points(xs, ys)
    hidden = np.maximum(0, P.copy())
    hidden[0, 0], hidden[1, 1] = np.nan, np.inf
    maps = [P.reshape(10, 10, 2), hidden.reshape(10, 10, 2), np.full((10, 10, 2), np.nan)]
    fig = F.network_figure([2, 2, 2], [np.ones((2, 2))] * 2, [np.zeros(2)] * 2, maps=maps,
                           activation="relu")
    idx, _ = decode(node_images(fig)["h1.1"])
    # the finite values' range: [0, 1]; NaN is drawn as the bottom of the range
    assert np.array_equal(idx[::-1][1:, :], oracle_levels(hidden[:, 0].reshape(10, 10)[1:],
                                                          0.0, 1.0))
    assert idx[::-1][0, 0] == 0
    assert (decode(node_images(fig)["out0"])[0] == 0).all()


def test_feature_nodes_show_each_features_value_on_the_inputs_shared_scale():
    from playground import FEATURE_LABELS
    features = ("x1sq", "x2sq", "x1x2", "sinx1")
    net = MLP([4, 5, 1], features=features, task="regression", seed=2)
    xs = ys = np.linspace(-1.05, 1.05, 64)
    ws = net.forward(grid_points(xs, ys))
    maps = [np.asarray(a).reshape(64, 64, -1) for a in (ws.A[0], ws.A[1], ws.P)]
    fig = F.network_figure(net.layer_sizes, net.weights, net.biases, maps=maps,
                           activation="relu", output="value",
                           input_labels=[FEATURE_LABELS[f] for f in features])
    inputs = next(t for t in fig.data if t.meta and t.meta["layer"] == 0)
    assert list(inputs.text) == ["x₁²", "x₂²", "x₁x₂", "sin(x₁)"]
    images = node_images(fig)
    k = 2                                               # 64 // 32
    P = grid_points(xs, ys)
    raw = {"x1sq": P[:, 0] ** 2, "x2sq": P[:, 1] ** 2, "x1x2": P[:, 0] * P[:, 1],
           "sinx1": np.sin(P[:, 0])}
    m = max(np.abs(v).max() for v in raw.values())     # 1.05²: one range for the layer
    for u, f in enumerate(features):
        idx, _ = decode(images[f"x{u + 1}"])
        want = oracle_levels(raw[f].reshape(64, 64)[::k, ::k][::-1], -m, m)
        assert np.abs(idx - want).max() <= 1            # the network computes in float32
    # the regression output: the predicted value, ±its largest |value|
    out = net.predict(P).reshape(64, 64)
    idx, _ = decode(images["out0"])
    m_out = np.abs(out).max()
    assert np.abs(idx - oracle_levels(out[::k, ::k][::-1], -m_out, m_out)).max() <= 1
