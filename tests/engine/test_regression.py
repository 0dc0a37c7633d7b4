"""Regression: one linear output unit and the mean of ½(ŷ − y)², checked against formulas
written out here, finite differences and hand-written updates; its data sets and split."""

import math

import numpy as np
import pytest

from playground.engine.activations import ACTIVATIONS
from playground.engine.datasets import (
    DATASETS,
    DatasetError,
    make_dataset,
    train_test_split,
)
from playground.engine.features import FEATURES, featurize
from playground.engine.gradcheck import gradient_check
from playground.engine.model import MLP, ModelError
from playground.engine.regression_data import GAUSSIANS, REGRESSION_DATASETS, SIGMA
from playground.engine.tasks import TASKS
from playground.engine.training import Trainer

HIDDEN = [[], [9], [8, 6], [7, 6, 5]]
H = 3e-6                     # see test_features: both error terms of the differences ≤ 3e-8


def data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, np.sin(2 * X[:, 0]) * X[:, 1] + 0.1 * rng.standard_normal(n)


def network(hidden, activation="tanh", seed=1, features=None, dtype="float64"):
    inputs = 2 if features is None else len(features)
    net = MLP([inputs, *hidden, 1], activation=activation, seed=seed, features=features,
              task="regression", dtype=dtype)
    rng = np.random.default_rng(seed + 50)
    for b in net.biases:
        b[...] = 0.2 * rng.standard_normal(b.shape)
    return net


def by_hand(net, X):
    """ŷ for each point, one point and one unit at a time (tanh hidden layers)."""
    out = []
    for point in featurize(np.asarray(X, dtype=np.float64), net.features):
        a = list(point)
        for l, (W, b) in enumerate(zip(net.weights, net.biases)):
            z = [b[j] + sum(a[i] * W[i, j] for i in range(len(a))) for j in range(len(b))]
            a = z if l == net.n_layers - 1 else [math.tanh(v) for v in z]
        out.append(a[0])
    return np.array(out)


def test_the_task_is_checked():
    assert tuple(TASKS) == ("classification", "regression")
    with pytest.raises(ModelError, match="one output unit"):
        MLP([2, 4, 2], task="regression")
    with pytest.raises(ModelError, match="at least 2 classes"):
        MLP([2, 4, 1])
    with pytest.raises(ModelError, match="Unknown task"):
        MLP([2, 4, 1], task="ranking")
    net = MLP([2, 4, 1], task="regression")
    assert net.task == "regression" and net.config()["task"] == "regression"
    assert MLP().config()["task"] == "classification"
    assert net.astype("float32").task == "regression"


def test_predict_gives_the_values_and_predict_proba_refuses():
    X, _ = data()
    net = network([5, 4])
    values = net.predict(X)
    assert values.shape == (24,)
    np.testing.assert_allclose(values, by_hand(net, X), rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(net.forward(X).P[:, 0], values)
    np.testing.assert_array_equal(net.forward(X).Z[-1], net.forward(X).P)   # identity output
    with pytest.raises(ModelError, match="predict"):
        net.predict_proba(X)


def test_the_loss_is_the_mean_of_half_the_squared_errors():
    X, y = data()
    net = network([6])
    pred = by_hand(net, X)
    expected = sum(0.5 * (p - t) ** 2 for p, t in zip(pred, y)) / len(y)
    loss, _ = net.loss_and_grads(X, y)
    assert loss == pytest.approx(expected, rel=1e-12)
    ws = net.last_pass
    np.testing.assert_allclose(ws.dZ[-1][:, 0], (pred - y) / len(y), rtol=1e-11, atol=1e-16)
    loss_l2, _ = net.loss_and_grads(X, y, l2=0.1)
    assert loss_l2 - loss == pytest.approx(0.05 * sum((W ** 2).sum() for W in net.weights))


@pytest.mark.parametrize("features", [None, FEATURES], ids=["raw", "all7"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("hidden", HIDDEN, ids=lambda h: f"{len(h)}hidden")
def test_gradient_check(features, activation, hidden):
    X, y = data()
    net = network(hidden, activation, features=features)
    errors = gradient_check(net, X, y, l2=0.01, h=H)
    assert set(errors) == {f"{p}{l}" for l in range(1, len(hidden) + 2) for p in "Wb"}
    assert max(errors.values()) <= 1e-7, errors


def test_a_trainer_step_is_the_hand_written_sgd_update():
    """One full-batch update of a tanh network, its backward pass written out."""
    X, y = data(30, seed=2)
    net = network([5])
    W1, b1, W2, b2 = (p.copy() for p in net.params())
    n, lr = len(X), 0.3
    h = np.tanh(X @ W1 + b1)
    y_hat = (h @ W2 + b2)[:, 0]
    dscore = ((y_hat - y) / n)[:, None]
    dW2, db2 = h.T @ dscore, dscore.sum(axis=0)
    dr = (dscore @ W2.T) * (1 - h ** 2)
    dW1, db1 = X.T @ dr, dr.sum(axis=0)
    tr = Trainer(net, X, y, lr=lr)
    assert tr.step(1) == 1
    assert tr.last_loss == pytest.approx(0.5 * np.mean((y_hat - y) ** 2), rel=1e-12)
    for mine, start, grad in zip(net.params(), (W1, b1, W2, b2), (dW1, db1, dW2, db2)):
        np.testing.assert_allclose(mine, start - lr * grad, rtol=0, atol=1e-15)


def test_sgd_of_one_point_is_the_update_of_its_own_gradient():
    X, y = data(30, seed=2)
    tr = Trainer(network([5], "relu"), X, y, lr=0.2, batch_size=1, seed=4)
    before = tr.net.copy()
    tr.step(1)
    (x,) = tr.last_pass().inputs
    i = int(np.flatnonzero((X == x).all(axis=1))[0])
    _, grads = before.loss_and_grads(X[i:i + 1], y[i:i + 1])
    for mine, start, g in zip(tr.net.params(), before.params(), (g for p in grads for g in p)):
        np.testing.assert_allclose(mine, start - 0.2 * g, rtol=0, atol=1e-15)
    np.testing.assert_allclose(tr.last_pass().dscore, [[before.predict(X[i:i + 1])[0] - y[i]]])


def test_the_trainer_takes_float_targets_and_reports_no_accuracy():
    X, y = data(60, seed=3)
    tr = Trainer(network([8]), X[:45], y[:45], X[45:], y[45:], lr=0.2, eval_every=5)
    assert tr.y.dtype == np.float64 and tr.Yt.shape == (1, 45)
    np.testing.assert_array_equal(tr.y, y[:45])              # not rounded to labels
    tr.step(20)
    m = tr.evaluate()
    assert math.isnan(m["train_acc"]) and math.isnan(m["test_acc"])
    net = tr.net
    assert m["train_loss"] == pytest.approx(0.5 * np.mean((net.predict(X[:45]) - y[:45]) ** 2))
    assert m["test_loss"] == pytest.approx(0.5 * np.mean((net.predict(X[45:]) - y[45:]) ** 2))
    ev = tr.history.evals.as_dict()
    assert {"train_loss", "train_acc", "test_loss", "test_acc"} <= set(ev)
    assert np.isnan(ev["train_acc"]).all() and np.isfinite(ev["train_loss"]).all()
    assert ev["train_loss"][-1] < ev["train_loss"][0]
    with pytest.raises(ValueError, match="finite"):
        Trainer(network([8]), X, np.where(np.arange(60) == 3, np.nan, y))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("batch_size", [None, 8, 1])
def test_regression_learns_the_plane(dtype, batch_size):
    X, y = make_dataset("plane", 200, noise=0.0, seed=1)
    tr = Trainer(network([], dtype=dtype), X, y, lr={None: 0.5, 8: 0.1, 1: 0.05}[batch_size],
                 batch_size=batch_size)
    tr.step(1000)
    assert tr.evaluate()["train_loss"] < 1e-4            # a linear model fits a plane
    np.testing.assert_allclose(tr.net.weights[0][:, 0], [0.5, 0.5], atol=0.01)


def test_divergence_is_caught_for_regression():
    X, y = data(40)
    tr = Trainer(network([16], "relu"), X, y, lr=50.0)
    tr.step(200)
    assert tr.diverged and 0 < tr.updates < 200
    assert "diverged" in tr.divergence_message
    assert all(np.isfinite(p).all() for p in tr.net.params())
    assert math.isfinite(tr.evaluate()["train_loss"])


# -- data sets -----------------------------------------------------------------------------------
def test_the_regression_sets_are_separate_from_the_classification_sets():
    assert REGRESSION_DATASETS == ("plane", "gaussians")
    assert not set(REGRESSION_DATASETS) & set(DATASETS)
    with pytest.raises(DatasetError, match="plane, gaussians"):
        make_dataset("wave")


@pytest.mark.parametrize("name", REGRESSION_DATASETS)
def test_regression_sets_have_float_targets_in_range(name):
    X, y = make_dataset(name, 500, noise=0.5, seed=3)
    assert X.shape == (500, 2) and y.shape == (500,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert np.abs(X).max() <= 1.0 and np.abs(y).max() <= 1.0
    assert y.std() > 0.1                                 # a real signal, not a constant
    X2, y2 = make_dataset(name, 500, noise=0.5, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(make_dataset(name, 500, noise=0.5, seed=4)[1], y)


def test_without_noise_the_targets_are_the_formulas():
    X, y = make_dataset("plane", 300, noise=0.0, seed=2)
    for (a, b), t in zip(X, y):
        assert t == pytest.approx((a + b) / 2, abs=1e-15)
    X, y = make_dataset("gaussians", 300, noise=0.0, seed=2)
    for (a, b), t in zip(X, y):
        bumps = sum(s * math.exp(-((a - cx) ** 2 + (b - cy) ** 2) / (2 * SIGMA ** 2))
                    for cx, cy, s in GAUSSIANS)
        assert t == pytest.approx(max(-1.0, min(1.0, bumps)), abs=1e-12)
    # TF Playground's layout: positive bumps top left and right and bottom centre
    assert [s for _, _, s in GAUSSIANS] == [1, -1, 1, -1, 1, -1]


@pytest.mark.parametrize("name", REGRESSION_DATASETS)
def test_noise_blurs_the_targets_not_the_points(name):
    X0, y0 = make_dataset(name, 400, noise=0.0, seed=5)
    X1, y1 = make_dataset(name, 400, noise=0.3, seed=5)
    np.testing.assert_array_equal(X0, X1)
    assert not np.array_equal(y0, y1)
    if name == "plane":                 # y moves by half the jitter's sum: at most 0.3
        assert np.abs(y1 - y0).max() <= 0.3 + 1e-12


def test_a_regression_split_is_random_and_keeps_every_point_once():
    X, y = make_dataset("gaussians", 101, noise=0.1, seed=0)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, 0.2, seed=1)
    assert len(X_te) == 20 and len(X_tr) == 81
    assert y_tr.dtype == np.float64
    rows = sorted(map(tuple, np.column_stack([np.r_[X_tr, X_te], np.r_[y_tr, y_te]])))
    assert rows == sorted(map(tuple, np.column_stack([X, y])))
    again = train_test_split(X, y, 0.2, seed=1)
    np.testing.assert_array_equal(again[3], y_te)
    assert len(train_test_split(X[:4], y[:4], 0.9)[0]) == 1   # one point stays for training
