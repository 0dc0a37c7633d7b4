"""Weights and gradients as heatmaps: one honest colour scale, the math's orientation."""

import json

import numpy as np
import pytest

from playground import figures as F
from playground.figures.common import sci_text


def _of_type(fig, kind):
    return [t for t in fig.data if t.type == kind]


def _dead_pairs(seed=0):
    """Gradients of a network killed by a huge learning rate: layer 1's are ~1e-9, layer 2's
    ~1e-1 (as seen in the app after lr 10)."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(2, 100)) * 1e-9, rng.normal(size=100) * 1e-9),
            (rng.normal(size=(100, 3)) * 1e-1, rng.normal(size=3) * 1e-1)]


def test_shared_scale_is_one_symmetric_range_over_every_panel(all_figures, net, data):
    fig = all_figures["grads"]
    X, y = data[:2]
    _, grads = net.loss_and_grads(X, y)
    arrays = [a for pair in grads for a in pair]
    m = max(float(np.abs(a).max()) for a in arrays)
    heats = _of_type(fig, "heatmap")
    assert len(heats) == 2 * len(grads)
    for heat, arr in zip(heats, arrays):
        assert heat.zmin == pytest.approx(-m) and heat.zmax == pytest.approx(m)
        assert heat.zmid == 0 and heat.z.dtype == np.float32
        np.testing.assert_array_equal(heat.z, np.asarray(arr, np.float32).reshape(heat.z.shape))
    # one colour bar, for the one scale, labelled at its ends and its middle
    bars = [h.colorbar for h in heats if h.showscale]
    assert len(bars) == 1
    assert list(bars[0].tickvals) == pytest.approx([-m, 0.0, m])
    assert bars[0].ticktext[1] == "0" and bars[0].ticktext[2] == f"+{sci_text(m)}"


def test_per_layer_scale_gives_each_layer_its_own_range():
    pairs = _dead_pairs()
    fig = F.gradient_heatmaps_figure(pairs, shared_scale=False)
    heats = _of_type(fig, "heatmap")
    for l, (w, b) in enumerate(pairs):
        m = max(np.abs(w).max(), np.abs(b).max())
        for heat in heats[2 * l:2 * l + 2]:
            assert heat.zmax == pytest.approx(m, rel=1e-6) and heat.zmin == -heat.zmax
    assert not any(h.showscale for h in heats)           # no shared scale, no colour bar
    # the layer's range is written in its title instead
    assert fig.layout.annotations[0].text.split("colours ±")[1].endswith("×10⁻⁹")
    assert fig.layout.annotations[1].text.split("colours ±")[1].startswith("0.")


def test_a_dead_layer_is_near_white_on_the_shared_scale():
    fig = F.gradient_heatmaps_figure(_dead_pairs())
    dW1, db1, dW2, _ = _of_type(fig, "heatmap")
    for tiny in (dW1, db1):
        assert np.abs(tiny.z).max() / tiny.zmax < 1e-6     # colour fraction ≈ 0.5: white
    assert np.abs(dW2.z).max() / dW2.zmax > 0.5            # the live layer keeps its contrast
    # the title still gives the tiny layer's real size, readably
    assert "max |dW1| = " in fig.layout.annotations[0].text
    assert "×10⁻⁹" in fig.layout.annotations[0].text


def test_matrices_in_the_maths_orientation_with_fan_in_and_fan_out_axes():
    pairs = _dead_pairs()
    fig = F.gradient_heatmaps_figure(pairs, names=("W", "b"))
    W1, b1, W2, b2 = _of_type(fig, "heatmap")
    assert W1.z.shape == (2, 100) and W2.z.shape == (100, 3)      # never transposed
    assert b1.z.shape == (1, 100) and b2.z.shape == (1, 3)
    lay = fig.layout
    assert lay.yaxis.title.text == "inputs (fan_in)"
    assert lay.xaxis.title.text == "units of layer 1 (fan_out)"
    assert lay.yaxis2.title.text == "units of layer 1 (fan_in)"
    assert lay.xaxis2.title.text == "classes (fan_out)"
    # the strip sits on its matrix's axes, under the rows, and spans the same columns
    assert (W1.xaxis, W1.yaxis) == (b1.xaxis, b1.yaxis) == ("x", "y")
    assert b1.y0 > 2 + 0.5 and tuple(lay.xaxis.range) == (0.5, 100.5)
    assert list(lay.yaxis.ticktext)[-1] == "b1"
    # pixel heights: the 100×3 matrix is tall and narrow, the 2×100 one short and wide
    plot_px = lay.height - lay.margin.t - lay.margin.b
    h1 = (lay.yaxis.domain[1] - lay.yaxis.domain[0]) * plot_px
    h2 = (lay.yaxis2.domain[1] - lay.yaxis2.domain[0]) * plot_px
    assert h2 > 2.5 * h1
    assert lay.xaxis.domain[1] == 1.0 and lay.xaxis2.domain[1] < 0.3
    titles = [a.text for a in lay.annotations]
    assert titles[0].startswith("<b>W1</b> · 2×100") and titles[1].startswith("<b>W2</b> · 100×3")


def test_all_zero_weights_are_uniform_white_not_a_division_by_zero():
    fig = F.gradient_heatmaps_figure([(np.zeros((2, 4)), np.zeros(4)),
                                      (np.zeros((4, 3)), np.zeros(3))])
    for t in fig.data:
        assert t.zmax > 0 and t.zmin == -t.zmax and t.zmid == 0
        assert not np.abs(t.z).any()                      # 0 is the middle of the scale
    json.loads(fig.to_json())                             # no NaN or inf in the figure
    tall = F.gradient_heatmaps_figure([(np.ones((2, 4)), np.ones(4))] * 5)
    assert tall.layout.height > F.gradient_heatmaps_figure([(np.ones((2, 4)),
                                                              np.ones(4))]).layout.height


def test_a_nan_does_not_blank_the_scale():
    w = np.ones((2, 3))
    w[0, 0] = np.nan
    fig = F.gradient_heatmaps_figure([(w, np.full(3, -2.0))])
    assert all(t.zmax == 2.0 for t in fig.data)
