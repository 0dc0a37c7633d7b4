"""The decision map (heatmap and image versions) and the data scatter."""

import json

import numpy as np
import pytest

from playground import figures as F
from playground.engine.datasets import grid_axes, grid_points
from playground.engine.model import MLP
from playground.figures.common import ring_colors
from playground.figures.regions import _decision_colorscale


def _of_type(fig, kind):
    return [t for t in fig.data if t.type == kind]


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
    scale = _decision_colorscale(k)
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
    scale = dict((round(p * 3 * F.BANDS - 0.5), c) for p, c in _decision_colorscale(3)[1:-1])
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
    # test points: white, ringed in the class colour darkened (3:1 on every map colour)
    assert [t.marker.line.color for t in test] == list(ring_colors(3))
    assert all(t.marker.color == "white" for t in test)
    assert [len(t.x) for t in train] == [int(np.sum(y == c)) for c in range(3)]
    assert [len(t.x) for t in test] == [int(np.sum(yt == c)) for c in range(3)]
    no_test = F.decision_region_figure(xs, ys, ws.P, X, y)
    assert len(no_test.data) == 4


def test_decision_payload_at_default_size_is_small():
    rng = np.random.default_rng(0)
    X, y = rng.uniform(-1, 1, (300, 2)), rng.integers(0, 3, 300)
    xs, ys = grid_axes(X)
    assert len(xs) == len(ys) == 100
    P = MLP([2, 100, 3]).predict_proba(grid_points(xs, ys))
    fig = F.decision_region_figure(xs, ys, P, X, y)
    assert F.figure_payload_bytes(fig) < 60_000
    lean = F.decision_region_figure(xs, ys, P, X, y, hover_detail=False)
    assert F.figure_payload_bytes(lean) < 30_000
    # no default template (it would add kB per frame): the empty one "none" stands for
    assert json.loads(fig.to_json())["layout"]["template"] == {}



def test_data_figure_uses_palette(data):
    X, y = data[:2]
    fig = F.data_figure(X, y)
    assert [t.marker.color for t in fig.data] == list(F.PALETTE[:3])
    assert [t.name for t in fig.data] == ["class 0", "class 1", "class 2"]
    assert sum(len(t.x) for t in fig.data) == len(X)



def _image_pixels(fig):
    import base64
    import io

    from PIL import Image

    (img,) = fig.layout.images
    png = base64.b64decode(img.source.removeprefix("data:image/png;base64,"))
    return img, np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_a_refined_map_is_the_argmax_of_linearly_interpolated_probabilities(data, grid):
    X, y, Xt, yt = data
    xs, ys, ws = grid
    fig = F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt, image=True, refine=True)
    img, pixels = _image_pixels(fig)
    assert pixels.shape == (2 * len(ys) - 1, 2 * len(xs) - 1, 3)
    # the oracle: interpolate each probability written out, then the class and band
    P = ws.P.reshape(len(ys), len(xs), 3).astype(np.float64)
    fine = np.zeros((2 * len(ys) - 1, 2 * len(xs) - 1, 3))
    for i in range(fine.shape[0]):
        for j in range(fine.shape[1]):
            rows = {i // 2, (i + 1) // 2}
            cols = {j // 2, (j + 1) // 2}
            fine[i, j] = np.mean([P[r, c] for r in rows for c in cols], axis=0)
    codes, _ = F.decision_codes(fine)
    expected = F.decision_colors(3)[codes[::-1]]
    # float32 against float64 interpolation: a pixel on a band's edge may differ
    assert np.mean(np.all(pixels == expected, axis=-1)) > 0.995
    plain, _ = F.decision_codes(P)
    assert np.array_equal(pixels[::-1][::2, ::2], F.decision_colors(3)[plain])
    # the finer image covers the same square: pixel centres from xs[0] to xs[-1]
    half = (xs[1] - xs[0]) / 4
    assert img.x == pytest.approx(xs[0] - half) and img.sizex == pytest.approx(
        xs[-1] - xs[0] + 2 * half)


def test_discretize_draws_each_class_in_one_colour(data, grid):
    X, y, Xt, yt = data
    xs, ys, ws = grid
    fig = F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt, image=True, discrete=True,
                                   refine=True)
    _, pixels = _image_pixels(fig)
    colours = {tuple(c) for c in pixels.reshape(-1, 3)}
    classes = set(F.decision_codes(ws.P.reshape(len(ys), len(xs), 3))[0].ravel() // F.BANDS)
    assert len(colours) == len(classes)                  # one colour per class present
    shown = F.decision_region_figure(xs, ys, ws.P, None, None, Xt, yt, image=True)
    points = [t for t in shown.data if t.type == "scatter"]
    assert points and all(t.name.endswith("(test)") for t in points)     # training hidden


@pytest.mark.parametrize("image", [False, True])
def test_a_traced_point_is_ringed_without_legend_or_hover(data, grid, image):
    X, y, Xt, yt = data
    xs, ys, ws = grid
    plain = F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt, image=image)
    fig = F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt, image=image,
                                   highlight=(X[3, 0], X[3, 1]))
    rings = [t for t in fig.data if t.name == "traced point"]
    assert len(fig.data) == len(plain.data) + 1 and len(rings) == 1
    (ring,) = rings
    assert (ring.x[0], ring.y[0]) == pytest.approx(tuple(X[3]))
    assert ring.marker.symbol == "circle-open" and ring.marker.color == "black"
    assert ring.showlegend is False and ring.hoverinfo == "skip"
    if image:          # the points keep their ids, so the ring coming and going moves nothing
        assert ring.uid == "traced"
        assert [t.uid for t in plain.data] == [t.uid for t in fig.data
                                               if t.name != "traced point"]


def test_hidden_training_points_leave_the_legend_to_the_test_points(data, grid):
    X, y, Xt, yt = data
    xs, ys, ws = grid
    fig = F.decision_region_figure(xs, ys, ws.P, None, None, Xt, yt, class_names=["a", "b", "c"])
    shown = [t.name for t in fig.data if t.type == "scatter" and t.showlegend is not False]
    assert shown == ["a (test)", "b (test)", "c (test)"]
    both = F.decision_region_figure(xs, ys, ws.P, X, y, Xt, yt, class_names=["a", "b", "c"])
    assert [t.name for t in both.data if t.type == "scatter" and t.showlegend is not False] == [
        "a", "b", "c"]
