"""Fixtures shared by the figure tests: a real network's forward pass over a real grid, and
every builder's figure made once per module from it (with hostile class names)."""

import numpy as np
import pytest

from playground import figures as F
from playground.engine.datasets import grid_axes, grid_points
from playground.engine.model import MLP

SIZES = [2, 16, 8, 3]
# Class names as an upload might bring them, and what safe_text must turn them into.
EVIL = ["<b>x</b>", '<a href="http://evil">y</a>', "%{x} 'q'"]
EVIL_ESCAPED = ["&lt;b&gt;x&lt;/b&gt;", "&lt;a href=&#34;http://evil&#34;&gt;y&lt;/a&gt;",
                "&#37;{x} &#39;q&#39;"]


def _spiral(n_per_class=100, n_classes=3, seed=0):
    """CS231n's spiral (as in tests/conftest.py; module-scoped fixtures cannot use its
    fixture)."""
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
    xs, ys = grid_axes(X, resolution=40)
    ws = net.forward(grid_points(xs, ys))
    return xs, ys, ws


def _history(n=50, test=True, seed=0):
    """A random history dict like the trainer's (all-NaN test series: no test set)."""
    rng = np.random.default_rng(seed)
    nan = np.full(n, np.nan)
    return {"step": np.arange(n, dtype=float) * 10, "train_loss": rng.random(n) + 0.1,
            "test_loss": rng.random(n) + 0.1 if test else nan,
            "train_acc": rng.random(n), "test_acc": rng.random(n) if test else nan,
            "grad_norm1": rng.random(n) * 1e-3, "grad_norm2": rng.random(n) * 1e-2,
            "grad_norm3": rng.random(n),
            # the progress clocks: 8 updates an epoch of 240 points, 2 ms an update
            "epoch": np.arange(n) * 10 / 8, "samples": np.arange(n) * 10 * 30.0,
            "seconds": np.arange(n) * 10 * 0.002}


@pytest.fixture
def make_history():
    """``make_history(n=50, test=True, seed=0)``: see :func:`_history`."""
    return _history


@pytest.fixture
def evil():
    """(hostile class names, what they must become in a figure)."""
    return EVIL, EVIL_ESCAPED


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
