"""Charts readable without colour: the decision map's classes differ by marker shape, the
points' outlines and rings have 3:1 contrast against every map colour (WCAG 1.4.11), the
map's region colours stay apart for protanopia, deuteranopia and tritanopia (Machado et al.
2009, CIE76 ΔE), and the map has a one-line text summary."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from playground import Trainer, make_dataset, train_test_split
from playground import figures as F
from playground.engine.datasets import grid_axes, grid_points
from playground.engine.model import MLP
from playground.figures.colorvision import MACHADO, min_delta_e, simulate
from playground.figures.common import _hex_rgb, contrast
from playground.figures.regions import BANDS, refined_codes

DEFICIENCIES = tuple(MACHADO)
SEEN_APART = 10.0          # CIE76 ΔE: told apart at a glance


def _points(fig, test):
    return [t for t in fig.data if t.type == "scatter" and t.name.endswith("(test)") == test
            and t.name != "traced point"]


def _trained_map(dataset, n_classes, updates=600):
    X, y = make_dataset(dataset, n_samples=300, noise=0.1, n_classes=n_classes, seed=0)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, test_fraction=0.2, seed=0)
    trainer = Trainer(MLP([2, 64, n_classes], seed=0), X_tr, y_tr, X_te, y_te, lr=1.0)
    trainer.step(updates)
    xs, ys = grid_axes(X)
    probs = trainer.net.predict_proba(grid_points(xs, ys)).reshape(len(ys), len(xs), -1)
    return xs, ys, probs, (X_tr, y_tr, X_te, y_te)


def _png_pixels(fig):
    """The map's image as the browser gets it: the layout image's PNG, decoded to RGB."""
    source = fig.layout.images[0].source
    raw = base64.b64decode(source.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(raw)).convert("RGB"))


@pytest.mark.parametrize("k", range(2, 11))
def test_each_class_has_its_own_marker_shape_for_training_and_test_points(k):
    rng = np.random.default_rng(k)
    X, y = rng.uniform(-1, 1, (20 * k, 2)), np.repeat(np.arange(k), 20)
    xs, ys = grid_axes(X)
    probs = np.full((len(ys), len(xs), k), 1.0 / k)
    fig = F.decision_region_figure(xs, ys, probs, X, y, X, y)
    train, test = _points(fig, False), _points(fig, True)
    symbols = [t.marker.symbol for t in train]
    assert len(set(symbols)) == k
    assert [t.marker.symbol for t in test] == symbols        # a class keeps its shape


@pytest.mark.parametrize("k", range(2, 11))
def test_outlines_and_rings_have_3_to_1_against_every_map_colour(k):
    rng = np.random.default_rng(k)
    X, y = rng.uniform(-1, 1, (20 * k, 2)), np.repeat(np.arange(k), 20)
    xs, ys = grid_axes(X)
    fig = F.decision_region_figure(xs, ys, np.full((len(ys), len(xs), k), 1.0 / k), X, y, X, y)
    map_colours = F.decision_colors(k)                         # every code the map can show
    edges = {t.name: t.marker.line.color for t in _points(fig, False) + _points(fig, True)}
    worst = {name: min(contrast(_hex_rgb(edge), m) for m in map_colours)
             for name, edge in edges.items()}
    assert min(worst.values()) >= 3.0, worst
    for t in _points(fig, True):                               # the ring around its white fill
        assert contrast(_hex_rgb(t.marker.line.color), (255, 255, 255)) >= 3.0


def test_the_class_colours_alone_would_not_reach_3_to_1():
    # why the outlines: orange, sky blue and yellow on the map's pale bands are below 3:1
    pale = F.decision_colors(7)[0]                             # class 0's coin-toss band
    low = [c for c in F.PALETTE[:7] if contrast(_hex_rgb(c), pale) < 3.0]
    assert {"#E69F00", "#56B4E9", "#F0E442"} <= set(low)


def test_colour_vision_simulation_keeps_white_and_merges_red_and_green_for_protanopia():
    assert all(np.allclose(m.sum(axis=1), 1.0, atol=1e-3) for m in MACHADO.values())
    white = np.array([255, 255, 255])
    assert all((simulate(white, d) >= 254).all() for d in DEFICIENCIES)
    # a red and a green that a protanope cannot tell apart (found by a search over sRGB),
    # but everyone else can
    red_green = np.array([[220, 50, 40], [0, 104, 40]])
    assert min_delta_e(red_green) > 100
    assert min_delta_e(simulate(red_green, "protanopia")) < 3
    assert min_delta_e(simulate(red_green, "tritanopia")) > 100


def test_map_regions_stay_apart_under_each_colour_vision_deficiency():
    # the rendered map (its PNG) of a trained spiral: per class, the pixels of its most
    # confident band, as seen with each deficiency
    xs, ys, probs, points = _trained_map("spiral", 3)
    fig = F.decision_region_figure(xs, ys, probs, *points, image=True, refine=True)
    pixels = _png_pixels(fig)
    codes = refined_codes(probs)[::-1]                         # the PNG's top row is max y
    assert pixels.shape[:2] == codes.shape
    found = {}
    for deficiency in ("normal vision", *DEFICIENCIES):
        seen = pixels if deficiency == "normal vision" else simulate(pixels, deficiency)
        colours = []
        for c in range(3):
            region = seen[codes == c * BANDS + BANDS - 1]
            assert len(region), f"class {c} has no confident region"
            colours.append(region[0])
            assert (region == region[0]).all()                # one colour per code
        found[deficiency] = min_delta_e(np.array(colours))
    print("min ΔE76 between the 3 classes' confident regions:",
          {d: round(v, 1) for d, v in found.items()})
    assert min(found.values()) >= SEEN_APART, found


@pytest.mark.parametrize("k", range(2, 7))
def test_region_colours_of_up_to_six_classes_stay_apart(k):
    # the generated datasets have 2-6 classes: their confident region colours, per deficiency
    colours = F.decision_colors(k)[BANDS - 1::BANDS]
    hard = F.decision_colors(k)[BANDS // 2::BANDS]            # Discretize's colours
    found = {d: min_delta_e(simulate(colours, d)) for d in DEFICIENCIES}
    print(f"k={k} min ΔE76 confident:", {d: round(v, 1) for d, v in found.items()},
          "discretized:", {d: round(min_delta_e(simulate(hard, d)), 1) for d in DEFICIENCIES})
    assert min(found.values()) >= SEEN_APART, found


def test_map_summary_names_the_regions_and_the_points_in_them():
    xs = ys = np.linspace(-1, 1, 11)
    gx = np.broadcast_to(xs, (len(ys), len(xs)))
    left = (gx < 0).astype(float)                             # class 0 left of x = 0
    probs = np.stack([left * 0.9 + 0.05, (1 - left) * 0.9 + 0.05], axis=-1)
    X = np.array([[-0.8, 0.0], [-0.5, 0.5], [0.7, 0.2], [0.5, -0.5]])
    y = np.array([0, 0, 1, 0])                                # the last one is on the right
    fig = F.decision_region_figure(xs, ys, probs, X, y, X[:1], y[:1],
                                   class_names=["<b>a</b>", "b"])
    assert fig.layout.meta["summary"] == (
        "Decision map of 2 classes: the network predicts &lt;b&gt;a&lt;/b&gt; over 45%, b "
        "over 55% of the plane. 3 of 4 training points and 1 of 1 test points lie in their "
        "own class's region.")
