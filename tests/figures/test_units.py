"""Hidden units: the small multiples and the single-unit map."""

import numpy as np

from playground import figures as F
from playground.engine.datasets import grid_axes, grid_points
from playground.engine.model import MLP


def _of_type(fig, kind):
    return [t for t in fig.data if t.type == kind]


def test_hidden_units_one_uint8_tile_per_unit(all_figures, grid, evil):
    EVIL_ESCAPED = evil[1]
    xs, ys, ws = grid
    fig = all_figures["hidden"]
    heats = _of_type(fig, "heatmap")
    assert len(heats) == 16 + 8
    assert all(h.z.dtype == np.uint8 for h in heats)
    k = max(1, len(xs) // 32)
    assert heats[0].z.shape == (len(ys[::k]), len(xs[::k]))
    (titles,) = [t for t in fig.data if t.type == "scatter"]
    assert list(titles.text[:2]) == ["h1.1", "h1.2"] and titles.text[-1] == "h2.8"
    assert len(fig.layout.shapes) == 1                  # the selected tile's outline
    assert fig.layout.annotations[0].text.startswith(EVIL_ESCAPED[0] + " · colour: ")
    capped = F.hidden_units_figure(xs, ys, ws.A[1:], max_units=5)
    assert len(_of_type(capped, "heatmap")) == 5 + 5
    # a 100×100 grid is subsampled to 34×34 per tile
    big_x, big_y = grid_axes(np.zeros((1, 2)))
    acts = MLP([2, 40, 3]).hidden_activations(grid_points(big_x, big_y))
    big = F.hidden_units_figure(big_x, big_y, acts)
    assert len(_of_type(big, "heatmap")) == 32 and big.data[0].z.shape == (34, 34)
    assert "first 32 of 40 shown" in big.layout.annotations[0].text


def _plane(n=20):
    xs = np.linspace(-1, 1, n)
    ys = np.linspace(-1, 1, n)
    return xs, ys, grid_points(xs, ys)


def test_sigmoid_tiles_use_zero_to_one_and_a_constant_unit_is_flat():
    xs, ys, P = _plane()
    # zero init + sigmoid: every unit outputs 0.5 ± 1e-7; one unit really varies
    rng = np.random.default_rng(0)
    A = 0.5 + rng.uniform(-1e-7, 1e-7, size=(len(P), 4))
    A[:, 3] = 1 / (1 + np.exp(-3 * P[:, 0]))
    fig = F.hidden_units_figure(xs, ys, [A], activation="sigmoid")
    heats = _of_type(fig, "heatmap")
    axis = fig.layout.coloraxis
    assert (axis.cmin, axis.cmax) == (0, 254)           # levels of the range [0, 1]
    for tile in heats[:3]:
        assert np.unique(tile.z).tolist() == [127]       # 0.5: the middle level, one colour
    assert heats[3].z.min() < 40 and heats[3].z.max() > 215
    assert "colour: 0 (purple) … 1 (yellow)" in fig.layout.annotations[0].text
    big = F.unit_map_figure(xs, ys, A[:, 0], title="h1.1", activation="sigmoid")
    assert (big.data[0].zmin, big.data[0].zmax) == (0.0, 1.0)


def test_relu_tiles_share_one_range_per_layer_and_a_dead_unit_is_flat_at_zero():
    xs, ys, P = _plane()
    strong = np.maximum(0, 4 * P[:, 0])                 # max 4
    weak = np.maximum(0, 0.4 * P[:, 1])                 # max 0.4: a tenth of the strong one
    dead = np.zeros(len(P))
    layer2 = np.maximum(0, 0.01 * P[:, :1])             # another layer: its own max 0.01
    fig = F.hidden_units_figure(xs, ys, [np.c_[strong, weak, dead], layer2],
                                activation="relu")
    s, w, d, other = _of_type(fig, "heatmap")
    assert s.z.max() == 254 and w.z.max() == round(254 * 0.4 / 4)   # weak looks weak
    assert not d.z.any()                                            # dead: flat at 0
    assert other.z.max() == 254                 # layer 2 is scaled to its own maximum
    assert s.coloraxis == "coloraxis" and other.coloraxis == "coloraxis2"
    # the large map of the weak unit uses its layer's range, like its tile
    big = F.unit_map_figure(xs, ys, weak, title="h1.2", activation="relu",
                            layer=np.c_[strong, weak, dead])
    assert (big.data[0].zmin, big.data[0].zmax) == (0.0, 4.0)
    assert big.data[0].z.max() == np.float32(0.4 * P[:, 1].max())   # true values, not levels


def test_tanh_and_linear_ranges_are_symmetric():
    xs, ys, P = _plane()
    A = 1e-3 * P                                        # tiny, barely-used tanh units
    tanh = F.hidden_units_figure(xs, ys, [A], activation="tanh")
    assert {int(v) for t in _of_type(tanh, "heatmap") for v in np.unique(t.z)} == {127}
    lo, hi, _ = F.units.activation_range("linear", A)
    assert (lo, hi) == (-np.abs(A).max(), np.abs(A).max())
    big = F.unit_map_figure(xs, ys, A[:, 0], title="u", activation="tanh")
    assert (big.data[0].zmin, big.data[0].zmax, big.data[0].zmid) == (-1.0, 1.0, 0)


def test_unit_map_heatmap_with_colorbar_and_points(all_figures, grid, evil):
    EVIL_ESCAPED = evil[1]
    xs, ys, _ = grid
    fig = all_figures["unit"]
    heat = fig.data[0]
    assert heat.type == "heatmap" and heat.z.shape == (len(ys), len(xs))
    assert heat.showscale is not False
    # a tanh unit goes negative: diverging scale centred on zero
    assert heat.zmid == 0 and heat.zmin == -heat.zmax
    points = _of_type(fig, "scatter")
    assert [t.marker.color for t in points] == list(F.PALETTE[:3])
    assert fig.layout.title.text == EVIL_ESCAPED[0]

