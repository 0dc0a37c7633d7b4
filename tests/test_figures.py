"""Figures: real networks and real forward passes in, checked Plotly figures out."""

import json

import numpy as np
import pytest

from playground import figures as F
from playground.model import MLP

SIZES = [2, 16, 8, 3]
EVIL = ["<b>x</b>", '<a href="http://evil">y</a>', "%{x} 'q'"]
EVIL_ESCAPED = ["&lt;b&gt;x&lt;/b&gt;", "&lt;a href=&#34;http://evil&#34;&gt;y&lt;/a&gt;",
                "&#37;{x} &#39;q&#39;"]


# -- fixtures ----------------------------------------------------------------------------------
def _spiral(n_per_class=100, n_classes=3, seed=0):
    """CS231n's spiral (as in conftest.py; module-scoped fixtures cannot use its fixture)."""
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes), n_per_class)
    t = (np.linspace(0, 4, n_per_class)[None, :] + 4 * np.arange(n_classes)[:, None]).ravel()
    t += rng.standard_normal(t.size) * 0.2
    return np.c_[r * np.sin(t), r * np.cos(t)], y


@pytest.fixture(scope="module")
def data():
    X, y = _spiral()
    rng = np.random.default_rng(3)
    order = rng.permutation(len(X))
    train, test = order[:240], order[240:]
    return X[train], y[train], X[test], y[test]


@pytest.fixture(scope="module")
def net():
    return MLP(SIZES, activation="tanh", seed=1)


@pytest.fixture(scope="module")
def grid(data, net):
    X = data[0]
    xs, ys = F.grid_axes(X, resolution=40)
    ws = net.forward(F.grid_points(xs, ys))
    return xs, ys, ws


def _history(n=50, test=True, seed=0):
    rng = np.random.default_rng(seed)
    nan = np.full(n, np.nan)
    return {"step": np.arange(n, dtype=float) * 10, "train_loss": rng.random(n) + 0.1,
            "test_loss": rng.random(n) + 0.1 if test else nan,
            "train_acc": rng.random(n), "test_acc": rng.random(n) if test else nan,
            "grad_norm1": rng.random(n) * 1e-3, "grad_norm2": rng.random(n) * 1e-2,
            "grad_norm3": rng.random(n)}


def _strings(obj):
    """Every string anywhere in a figure's dict (names, hover, annotations, titles, text)."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, np.ndarray) and obj.dtype == object:
        for v in obj.ravel():
            yield from _strings(v)


def _of_type(fig, kind):
    return [t for t in fig.data if t.type == kind]


@pytest.fixture(scope="module")
def all_figures(data, net, grid):
    X, y, Xt, yt = data
    xs, ys, ws = grid
    _, grads = net.loss_and_grads(X, y)
    h = _history()
    return {
        "decision": F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt, class_names=EVIL,
                                             title=EVIL[0]),
        "loss": F.loss_figure(h, pinned=[{"label": EVIL[1], "history": _history(seed=1)}],
                              batch_loss=(h["step"], h["train_loss"])),
        "grads": F.gradient_heatmaps_figure(grads),
        "params": F.gradient_heatmaps_figure(list(zip(net.weights, net.biases)),
                                             names=("W", "b")),
        "grad_norm": F.grad_norm_figure(h),
        "hidden": F.hidden_units_figure(xs, ys, ws.A[1:], layer_names=EVIL[:2],
                                        selected=(1, 2)),
        "unit": F.unit_map_figure(xs, ys, ws.A[1][:, 0], title=EVIL[0], X=X, y=y),
        "network": F.network_figure(SIZES, net.weights, net.biases, class_names=EVIL),
        "data": F.data_figure(X, y, class_names=EVIL),
    }


# -- helpers -----------------------------------------------------------------------------------
def test_axes_with_tick_labels_never_measure_them_to_hide_overflow(all_figures):
    """plotly.js's default ticklabeloverflow hides labels past the chart by measuring every
    label after each redraw (a forced page layout each); the figures opt out."""
    checked = set()
    for name, fig in all_figures.items():
        layout = fig.to_plotly_json()["layout"]
        axes = {k: v for k, v in layout.items() if k.startswith(("xaxis", "yaxis"))}
        for key, axis in axes.items():
            if axis.get("showticklabels", True):
                assert axis.get("ticklabeloverflow") == "allow", (name, key)
                checked.add(name)
    assert {"decision", "loss", "grad_norm", "unit", "data"} <= checked


def test_palette_is_okabe_ito_first_and_distinct():
    assert F.PALETTE[:8] == ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                             "#D55E00", "#F0E442", "#000000")
    assert len(F.PALETTE) == 10 and len(set(F.PALETTE)) == 10
    assert F.class_colors(3) == list(F.PALETTE[:3])
    assert F.class_colors(12)[10:] == [F.PALETTE[0], F.PALETTE[1]]


@pytest.mark.parametrize("raw, escaped", zip(EVIL, EVIL_ESCAPED))
def test_safe_text_makes_markup_literal(raw, escaped):
    assert F.safe_text(raw) == escaped
    assert "<" not in F.safe_text(raw) and "%{" not in F.safe_text(raw)
    assert F.safe_text(3) == "3"


def test_grid_covers_unit_square_plus_margin_and_the_data():
    xs, ys = F.grid_axes(np.array([[0.0, 0.0], [0.5, 0.2]]), resolution=50)
    assert len(xs) == len(ys) == 50
    assert xs[0] == pytest.approx(-1.3) and xs[-1] == pytest.approx(1.3)
    xs, ys = F.grid_axes(np.array([[-3.0, 0.0], [1.0, 4.0]]), resolution=10, margin=0.0)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == pytest.approx((-3, 1, -1, 4))


def test_grid_points_are_row_major_like_a_heatmap():
    xs, ys = np.linspace(0, 1, 5), np.linspace(10, 12, 3)
    P = F.grid_points(xs, ys)
    assert P.shape == (15, 2)
    img = P.reshape(len(ys), len(xs), 2)
    assert np.array_equal(img[2, 4], [xs[4], ys[2]])
    assert np.array_equal(img[1, :, 0], xs) and np.all(img[1, :, 1] == ys[1])


# -- decision regions --------------------------------------------------------------------------
def test_decision_map_is_one_uint8_heatmap_with_class_bands(data, grid):
    X, y, Xt, yt = data
    xs, ys, ws = grid
    fig = F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt)
    (heat,) = _of_type(fig, "heatmap")
    assert heat.z.dtype == np.uint8 and heat.z.shape == (len(ys), len(xs))
    probs = ws.P.reshape(len(ys), len(xs), 3)
    assert np.array_equal(heat.z // F.BANDS, probs.argmax(-1))
    assert heat.zmin == -0.5 and heat.zmax == 3 * F.BANDS - 0.5 and heat.showscale is False
    assert heat.customdata.shape == (len(ys), len(xs), 2)
    # the 3-D probability layout gives the same picture
    fig3 = F.decision_region_figure(xs, ys, probs, X, y)
    assert np.array_equal(fig3.data[0].z, heat.z)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert tuple(fig.layout.xaxis.range) == pytest.approx((xs[0], xs[-1]))


def test_decision_confidence_bands_run_from_pale_to_saturated():
    k = 3
    probs = np.array([[1 / 3, 1 / 3, 1 / 3], [0, 0, 1], [0.6, 0.3, 0.1]])
    codes, conf = F.decision_codes(probs)
    assert list(codes) == [0, 2 * F.BANDS + F.BANDS - 1, 3]   # band of (0.6-1/3)/(2/3) = 0.4
    assert list(conf) == [33, 100, 60]
    scale = F._decision_colorscale(k)
    stops = [s[0] for s in scale]
    assert stops == sorted(stops) and stops[0] == 0 and stops[-1] == 1
    assert len(scale) == k * F.BANDS + 2


def test_decision_map_as_image_shows_the_heatmaps_colours_cell_for_cell(data, grid):
    import base64
    import io

    from PIL import Image

    X, y, Xt, yt = data
    xs, ys, ws = grid
    heat_fig = F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt)
    fig = F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt, hover_detail=False, image=True)
    assert not _of_type(fig, "heatmap")                  # playing: the image only
    (img,) = fig.layout.images
    png = base64.b64decode(img.source.removeprefix("data:image/png;base64,"))
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert pixels.shape == (len(ys), len(xs), 3)
    # top row of the image = largest y; each pixel has its code's colour in the colorscale
    codes = np.asarray(heat_fig.data[0].z, dtype=np.uint8)
    assert np.array_equal(pixels, F.decision_colors(3)[codes[::-1]])
    scale = dict((round(p * 3 * F.BANDS - 0.5), c) for p, c in F._decision_colorscale(3)[1:-1])
    assert [scale[c] for c in (0, 9, 23)] == [
        "#{:02x}{:02x}{:02x}".format(*F.decision_colors(3)[c]) for c in (0, 9, 23)]
    # the image covers the cells (centres xs, ys) edge to edge, in data coordinates
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    assert (img.xref, img.yref, img.sizing, img.layer) == ("x", "y", "stretch", "below")
    assert img.x == pytest.approx(xs[0] - dx / 2) and img.y == pytest.approx(ys[-1] + dy / 2)
    assert img.sizex == pytest.approx(xs[-1] - xs[0] + dx)
    assert img.sizey == pytest.approx(ys[-1] - ys[0] + dy)
    heat_z = json.loads(heat_fig.to_json())["data"][0]["z"]["bdata"]
    assert len(img.source) < len(heat_z) / 2            # 100×100: ~1 kB against ~13 kB
    # same points as the heatmap version, with stable uids
    assert [t.name for t in fig.data] == [t.name for t in heat_fig.data[1:]]
    assert [t.uid for t in fig.data] == [f"points{i}" for i in range(len(fig.data))]
    assert fig.layout.xaxis.ticks == heat_fig.layout.xaxis.ticks == "outside"


def test_decision_map_as_image_keeps_the_hover_detail_in_an_invisible_heatmap(data, grid):
    X, y, Xt, yt = data
    xs, ys, ws = grid
    fig = F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt, image=True)
    (heat,) = _of_type(fig, "heatmap")
    assert heat.opacity == 0 and heat.uid == "prediction"
    assert heat.customdata.shape == (len(ys), len(xs), 2)
    assert "predicted class" in heat.hovertemplate
    assert fig.data[-1] is heat                          # after the points: their indices stay


def test_decision_points_per_class_in_palette_colours(data, grid):
    X, y, Xt, yt = data
    xs, ys, ws = grid
    fig = F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt, class_names=["a", "b", "c"])
    train = [t for t in _of_type(fig, "scatter") if not t.name.endswith("(test)")]
    test = [t for t in _of_type(fig, "scatter") if t.name.endswith("(test)")]
    assert [t.name for t in train] == ["a", "b", "c"]
    assert [t.name for t in test] == ["a (test)", "b (test)", "c (test)"]
    assert [t.marker.color for t in train] == list(F.PALETTE[:3])
    assert [t.marker.line.color for t in test] == list(F.PALETTE[:3])
    assert all(t.marker.color == "white" for t in test)
    assert [len(t.x) for t in train] == [int(np.sum(y == c)) for c in range(3)]
    assert [len(t.x) for t in test] == [int(np.sum(yt == c)) for c in range(3)]
    no_test = F.decision_region_figure(xs, ys, ws.P, X, y)
    assert len(no_test.data) == 4


def test_decision_payload_at_default_size_is_small():
    rng = np.random.default_rng(0)
    X, y = rng.uniform(-1, 1, (300, 2)), rng.integers(0, 3, 300)
    xs, ys = F.grid_axes(X)
    assert len(xs) == len(ys) == 100
    P = MLP([2, 100, 3]).predict_proba(F.grid_points(xs, ys))
    fig = F.decision_region_figure(xs, ys, P, X, y)
    assert F.figure_payload_bytes(fig) < 60_000
    lean = F.decision_region_figure(xs, ys, P, X, y, hover_detail=False)
    assert F.figure_payload_bytes(lean) < 30_000
    # no default template (it would add kB per frame): the empty one "none" stands for
    assert json.loads(fig.to_json())["layout"]["template"] == {}


# -- training curves ---------------------------------------------------------------------------
def test_loss_figure_traces_styles_and_axes():
    fig = F.loss_figure(_history())
    assert len(fig.data) == 4                        # train/test × loss/accuracy
    assert {t.yaxis for t in fig.data} == {"y", "y2"}
    assert fig.layout.xaxis.title.text == "Update"
    assert fig.layout.yaxis2.tickformat == ".0%" and tuple(fig.layout.yaxis2.range)[0] == 0
    assert fig.layout.yaxis.type == "linear"
    assert F.loss_figure(_history(), log_y=True).layout.yaxis.type == "log"
    # both panels share the one x axis: nothing uses a second one
    assert all(t.xaxis in (None, "x") for t in fig.data)
    assert len(F.loss_figure(_history(test=False)).data) == 2
    h = _history()
    with_batch = F.loss_figure(h, batch_loss=(h["step"], h["train_loss"]))
    assert len(with_batch.data) == 5 and with_batch.data[0].name == "batch loss"


def test_pinned_runs_add_two_dashed_traces_each():
    h = _history()
    runs = [{"label": f"run {i}", "history": _history(seed=i, test=i % 2 == 0)}
            for i in range(5)]
    counts = [len(F.loss_figure(h, pinned=runs[:n]).data) for n in range(6)]
    assert counts == [4, 6, 8, 10, 12, 12]               # at most 4 pinned runs
    fig = F.loss_figure(h, pinned=runs[:4])
    pinned = fig.data[4:]
    assert all(t.line.dash == "dash" for t in pinned)
    colours = {t.line.color for t in pinned}
    assert len(colours) == 4 and not colours & set(F.PALETTE)
    assert [t.name for t in pinned if t.showlegend is not False] == [
        "run 0", "run 1", "run 2", "run 3"]
    escaped = F.loss_figure(h, pinned=[{"label": EVIL[0], "history": h}])
    assert escaped.data[-1].name == EVIL_ESCAPED[0]


def test_long_histories_are_thinned_keeping_the_last_point():
    h = _history(n=2001)
    fig = F.loss_figure(h, max_points=500)
    assert all(len(t.x) <= 502 for t in fig.data)
    assert fig.data[0].x[-1] == h["step"][-1]
    assert len(F.loss_figure(h, max_points=None).data[0].x) == 2001


def test_grad_norm_one_log_line_per_layer():
    fig = F.grad_norm_figure(_history())
    assert [t.name for t in fig.data] == ["layer 1", "layer 2", "layer 3"]
    assert fig.layout.yaxis.type == "log"
    assert F.grad_norm_figure(_history(), log_y=False).layout.yaxis.type == "linear"
    h = _history()
    h["grad_norm1"][0] = 0.0                     # before the first update: a gap, not a spike
    assert np.isnan(F.grad_norm_figure(h).data[0].y[0])
    assert F.grad_norm_figure(h, log_y=False).data[0].y[0] == 0


# -- weights and gradients ---------------------------------------------------------------------
def test_gradient_panels_titles_and_symmetric_ranges(all_figures, net, data):
    fig = all_figures["grads"]
    titles = [a.text for a in fig.layout.annotations if not a.text.startswith("±")]
    assert titles == ["dW1 · 2×16", "db1 · 16", "dW2 · 16×8", "db2 · 8", "dW3 · 8×3",
                      "db3 · 3"]
    X, y = data[:2]
    _, grads = net.loss_and_grads(X, y)
    heats = _of_type(fig, "heatmap")
    assert len(heats) == 6
    for heat, arr in zip(heats, (a for pair in grads for a in pair)):
        assert heat.zmin == -heat.zmax and heat.zmid == 0
        assert heat.zmax == pytest.approx(np.abs(arr).max(), rel=1e-6)
        assert heat.z.dtype == np.float32
    # the longer side runs along x: W1 (2×16) as is, W2 (16×8) and W3 (8×3) transposed
    assert heats[0].z.shape == (2, 16)
    assert heats[2].z.shape == (8, 16) and heats[4].z.shape == (3, 8)
    assert heats[1].z.shape == (1, 16)
    params = all_figures["params"]
    assert params.layout.annotations[0].text == "W1 · 2×16"


def test_all_zero_panel_gets_a_tiny_symmetric_range():
    fig = F.gradient_heatmaps_figure([(np.zeros((2, 4)), np.zeros(4))])
    assert all(t.zmax == 1e-12 and t.zmin == -1e-12 for t in fig.data)
    tall = F.gradient_heatmaps_figure([(np.ones((2, 4)), np.ones(4))] * 5)
    assert tall.layout.height > F.gradient_heatmaps_figure([(np.ones((2, 4)),
                                                              np.ones(4))]).layout.height


# -- hidden units ------------------------------------------------------------------------------
def test_hidden_units_one_uint8_tile_per_unit(all_figures, grid):
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
    assert fig.layout.annotations[0].text == EVIL_ESCAPED[0]
    capped = F.hidden_units_figure(xs, ys, ws.A[1:], max_units=5)
    assert len(_of_type(capped, "heatmap")) == 5 + 5
    # a 100×100 grid is subsampled to 34×34 per tile
    big_x, big_y = F.grid_axes(np.zeros((1, 2)))
    acts = MLP([2, 40, 3]).hidden_activations(F.grid_points(big_x, big_y))
    big = F.hidden_units_figure(big_x, big_y, acts)
    assert len(_of_type(big, "heatmap")) == 32 and big.data[0].z.shape == (34, 34)


def test_unit_map_heatmap_with_colorbar_and_points(all_figures, grid, data):
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


# -- network -----------------------------------------------------------------------------------
def test_network_counts_small_net(all_figures, net):
    fig = all_figures["network"]
    assert fig.layout.meta["links"] == 2 * 16 + 16 * 8 + 8 * 3
    assert fig.layout.meta["nodes"] == 2 + 16 + 8 + 3
    links = [t for t in fig.data if t.mode == "lines"]
    assert 1 <= len(links) <= 8
    # NaN-separated segments: 3 points per link
    assert sum(len(t.x) for t in links) == 3 * fig.layout.meta["links"]
    output = fig.data[-1]
    assert list(output.text) == EVIL_ESCAPED
    assert list(output.marker.line.color) == list(F.PALETTE[:3])
    assert np.allclose(output.marker.color, net.biases[-1])         # output biases shown
    assert all("bias" in h for h in output.hovertext)


def test_network_folds_wide_layers_into_a_more_node():
    net = MLP([2, 100, 3], seed=0)
    fig = F.network_figure(net.layer_sizes, net.weights, net.biases, max_units=16)
    assert fig.layout.meta["nodes"] == 2 + 16 + 3
    assert fig.layout.meta["links"] == 2 * 15 + 15 * 3
    hidden = fig.data[-2]
    assert hidden.text[-1] == "+85 more"
    assert list(fig.layout.meta["shown"]) == [2, 16, 3]
    wide_in = F.network_figure([40, 5, 2], [np.ones((40, 5)), -np.ones((5, 2))],
                               [np.zeros(5), np.zeros(2)], max_units=10)
    assert wide_in.layout.meta["links"] == 9 * 5 + 5 * 2
    signs = {t.line.color.startswith("rgba(178") for t in wide_in.data if t.mode == "lines"}
    assert signs == {True, False}                    # both signs drawn, in their own traces


# -- data --------------------------------------------------------------------------------------
def test_data_figure_uses_palette(data):
    X, y = data[:2]
    fig = F.data_figure(X, y)
    assert [t.marker.color for t in fig.data] == list(F.PALETTE[:3])
    assert [t.name for t in fig.data] == ["class 0", "class 1", "class 2"]
    assert sum(len(t.x) for t in fig.data) == len(X)


# -- every figure ------------------------------------------------------------------------------
def test_every_figure_is_lean_keeps_zoom_and_serialises(all_figures):
    for name, fig in all_figures.items():
        assert fig.layout.uirevision == F.UIREVISION, name
        assert fig.layout.template.layout.to_plotly_json() == {}, name
        assert F.figure_payload_bytes(fig) == len(fig.to_json()) > 0
        assert '"bdata"' in fig.to_json(), name       # arrays travel as typed arrays


def test_untrusted_names_never_appear_raw(all_figures):
    for name, fig in all_figures.items():
        texts = list(_strings(fig.to_plotly_json()))
        for raw in EVIL:
            assert not any(raw in s for s in texts), (name, raw)
    decision = all_figures["decision"]
    names = [t.name for t in _of_type(decision, "scatter")]
    assert names[:3] == EVIL_ESCAPED and names[3] == EVIL_ESCAPED[0] + " (test)"
    assert decision.layout.title.text == EVIL_ESCAPED[0]
    assert [t.name for t in all_figures["data"].data] == EVIL_ESCAPED
