"""One point's trace (playground.engine.backprop): its contributions summed over the batch are the
engine's gradients, and its forward numbers are the engine's rows."""

import numpy as np
import pytest

from playground.engine.activations import ACTIVATIONS
from playground.engine.backprop import batch_grads, point_trace
from playground.engine.features import FEATURES, featurize
from playground.engine.model import MLP


def network(activation, hidden, k=3, seed=1, dtype="float64"):
    """A network with random biases too (they start at zero), so every term is exercised."""
    net = MLP([2, *hidden, k], activation=activation, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed + 100)
    for b in net.biases:
        b[...] = 0.3 * rng.standard_normal(b.shape)
    return net


def batch(spiral, n=40):
    X, y = spiral
    pick = np.random.default_rng(3).choice(len(X), n, replace=False)
    return X[pick], y[pick]


# widths that differ layer to layer, so a transposed product cannot pass
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("hidden", [[9], [8, 6], [7, 6, 5]])
def test_the_points_contributions_sum_to_the_batch_gradient(spiral, activation, hidden):
    X, y = batch(spiral)
    net = network(activation, hidden)
    loss, grads = net.astype("float64").loss_and_grads(X, y, l2=0.0)
    traces = [point_trace(net, X, y, i) for i in range(len(X))]
    for l, (dW, db) in enumerate(grads):
        np.testing.assert_allclose(sum(t["dW"][l] for t in traces), dW, rtol=0, atol=1e-12)
        np.testing.assert_allclose(sum(t["db"][l] for t in traces), db, rtol=0, atol=1e-12)
        assert np.abs(dW).max() > 1e-4                  # a real gradient, not two zeros
    assert np.mean([t["loss"] for t in traces]) == pytest.approx(loss, abs=1e-12)


def test_the_batch_gradient_helper_leaves_out_the_regulariser(spiral):
    X, y = batch(spiral)
    net = network("relu", [9])
    _, grads = batch_grads(net, X, y)
    _, with_l2 = net.astype("float64").loss_and_grads(X, y, l2=0.1)
    np.testing.assert_allclose(with_l2[0][0] - grads[0][0], 0.1 * net.weights[0], atol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_numbers_are_the_engines_rows(spiral, activation):
    X, y = batch(spiral)
    net = network(activation, [8, 6])
    ws = net.forward(X)
    for i in (0, 17, 39):
        t = point_trace(net, X, y, i)
        np.testing.assert_array_equal(t["x"], X[i])
        assert len(t["r"]) == 3 and len(t["h"]) == 2
        for l in range(3):
            np.testing.assert_allclose(t["r"][l], ws.Z[l][i], rtol=1e-12, atol=1e-13)
        for l in range(2):
            np.testing.assert_allclose(t["h"][l], ws.A[l + 1][i], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(t["p"], ws.P[i], rtol=1e-12, atol=1e-15)
        assert t["p"].sum() == pytest.approx(1.0, abs=1e-15)
        assert t["loss"] == pytest.approx(-np.log(t["p"][y[i]]), rel=1e-12)


def test_backward_rows_follow_the_chain_rule(spiral):
    X, y = batch(spiral)
    net = network("tanh", [8, 6], k=3)
    t = point_trace(net, X, y, 5)
    onehot = np.eye(3)[y[5]]
    np.testing.assert_allclose(t["dscore"], (t["p"] - onehot) / len(X), atol=1e-16)
    assert t["dr"][-1] is t["dscore"]
    np.testing.assert_allclose(t["dh"][1], t["dscore"] @ net.weights[2].T, atol=1e-16)
    np.testing.assert_allclose(t["dr"][1], t["dh"][1] * (1 - t["h"][1] ** 2), atol=1e-16)
    np.testing.assert_allclose(t["dW"][0], np.outer(X[5], t["dr"][0]), atol=1e-16)
    assert [w.shape for w in t["dW"]] == [w.shape for w in net.weights]
    for d, r in zip(t["db"], t["dr"]):
        np.testing.assert_array_equal(d, r)


def test_a_dead_relu_passes_no_gradient(spiral):
    X, y = batch(spiral)
    net = network("relu", [9])
    t = point_trace(net, X, y, 2)
    dead = t["r"][0] <= 0
    assert dead.any() and (~dead).any()
    assert np.all(t["dr"][0][dead] == 0) and np.all(t["dW"][0][:, dead] == 0)


def test_the_point_gradient_is_a_finite_difference_of_its_loss(spiral):
    """An oracle apart from the engine: the point's own loss, perturbed, over n."""
    X, y = batch(spiral)
    net = network("sigmoid", [6, 5])
    i, eps = 7, 1e-6
    t = point_trace(net, X, y, i)
    for l, (row, col) in ((0, (1, 3)), (1, (4, 2)), (2, (0, 1))):
        W = net.weights[l]
        old = W[row, col]
        W[row, col] = old + eps
        plus = point_trace(net, X, y, i)["loss"]
        W[row, col] = old - eps
        minus = point_trace(net, X, y, i)["loss"]
        W[row, col] = old
        numeric = (plus - minus) / (2 * eps) / len(X)
        assert t["dW"][l][row, col] == pytest.approx(numeric, rel=1e-6, abs=1e-10)


def test_a_float32_network_is_traced_in_float64(spiral):
    X, y = batch(spiral)
    net32 = network("relu", [9], dtype="float32")
    t32 = point_trace(net32, X, y, 4)
    t64 = point_trace(net32.astype("float64"), X, y, 4)
    assert t32["p"].dtype == np.float64
    for key in ("p", "dscore"):
        np.testing.assert_array_equal(t32[key], t64[key])


def test_huge_scores_keep_the_loss_finite(spiral):
    X, y = batch(spiral)
    net = network("linear", [5])
    net.weights[1][...] *= 1e4
    t = point_trace(net, X, y, 0)
    assert np.isfinite(t["loss"]) and np.isfinite(t["p"]).all()
    assert t["p"].sum() == pytest.approx(1.0)


def test_a_point_outside_the_batch_is_refused(spiral):
    X, y = batch(spiral)
    net = network("relu", [9])
    with pytest.raises(IndexError):
        point_trace(net, X, y, len(X))
    with pytest.raises(ValueError):
        point_trace(net, X, y[:-1], 0)


# -- regression and input features ---------------------------------------------------------------
def regression_network(activation, hidden, features=None, seed=1):
    inputs = 2 if features is None else len(features)
    net = MLP([inputs, *hidden, 1], activation=activation, seed=seed, features=features,
              task="regression")
    rng = np.random.default_rng(seed + 100)
    for b in net.biases:
        b[...] = 0.3 * rng.standard_normal(b.shape)
    return net


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("hidden", [[], [9], [7, 6, 5]])
@pytest.mark.parametrize("features", [None, FEATURES, ("x1sq", "x2sq")])
def test_regression_contributions_sum_to_the_batch_gradient(spiral, activation, hidden,
                                                            features):
    X, _ = batch(spiral)
    y = np.sin(3 * X[:, 0]) - X[:, 1]
    net = regression_network(activation, hidden, features)
    loss, grads = batch_grads(net, X, y)
    traces = [point_trace(net, X, y, i) for i in range(len(X))]
    for l, (dW, db) in enumerate(grads):
        np.testing.assert_allclose(sum(t["dW"][l] for t in traces), dW, rtol=0, atol=1e-12)
        np.testing.assert_allclose(sum(t["db"][l] for t in traces), db, rtol=0, atol=1e-12)
        assert np.abs(dW).max() > 1e-4
    assert np.mean([t["loss"] for t in traces]) == pytest.approx(loss, abs=1e-12)
    t = traces[3]
    assert t["label"] == y[3] and isinstance(t["label"], float)
    assert t["p"].shape == (1,) and t["p"][0] == pytest.approx(net.predict(X[3:4])[0], rel=1e-12)
    assert t["loss"] == pytest.approx(0.5 * (t["p"][0] - y[3]) ** 2, rel=1e-12)
    np.testing.assert_allclose(t["dscore"], (t["p"] - y[3]) / len(X), rtol=1e-14)


@pytest.mark.parametrize("features", [FEATURES, ("x1x2", "sinx1")])
def test_with_features_x_is_the_networks_input_and_point_the_raw_point(spiral, features):
    X, y = batch(spiral)
    net = MLP([len(features), 8, 3], activation="tanh", seed=2, features=features)
    ws = net.forward(X)
    loss, grads = batch_grads(net, X, y)
    traces = [point_trace(net, X, y, i) for i in range(len(X))]
    for i in (0, 11):
        np.testing.assert_array_equal(traces[i]["point"], X[i])
        np.testing.assert_allclose(traces[i]["x"], featurize(X[i:i + 1], features)[0],
                                   rtol=0, atol=0)
        np.testing.assert_allclose(traces[i]["x"], ws.A[0][i])
        np.testing.assert_allclose(traces[i]["p"], ws.P[i], rtol=1e-12)
    for l, (dW, db) in enumerate(grads):
        np.testing.assert_allclose(sum(t["dW"][l] for t in traces), dW, rtol=0, atol=1e-12)
        np.testing.assert_allclose(sum(t["db"][l] for t in traces), db, rtol=0, atol=1e-12)
    assert np.mean([t["loss"] for t in traces]) == pytest.approx(loss, abs=1e-12)
