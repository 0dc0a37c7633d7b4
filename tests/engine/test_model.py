"""The network: seed equations, gradients, numerics."""

import numpy as np
import pytest

from playground.engine.activations import ACTIVATIONS
from playground.engine.gradcheck import describe_gradient_check, gradient_check
from playground.engine.model import INITS, MLP, ModelError


def random_batch(n=24, d=2, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, k, n)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("hidden", [[9], [8, 6], [7, 6, 5]])
@pytest.mark.parametrize("n_classes", [2, 5])
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_gradient_check(activation, hidden, n_classes, l2):
    X, y = random_batch(k=n_classes)
    net = MLP([2, *hidden, n_classes], activation=activation, init="he", seed=1)
    errors = gradient_check(net, X, y, l2=l2)
    assert set(errors) == {f"{p}{l}" for l in range(1, len(hidden) + 2) for p in "Wb"}
    assert max(errors.values()) <= 1e-7, errors


def test_gradient_check_detects_a_wrong_gradient():
    X, y = random_batch()
    net = MLP([2, 10, 3], activation="tanh", seed=0)
    good = gradient_check(net, X, y)
    original = MLP.loss_and_grads

    def broken(self, X, y, l2=0.0, l1=0.0):
        loss, grads = original(self, X, y, l2, l1)
        grads[0] = (grads[0][0] * 1.2, grads[0][1])
        return loss, grads

    MLP.loss_and_grads = broken
    try:
        bad = gradient_check(net, X, y)
    finally:
        MLP.loss_and_grads = original
    assert max(good.values()) < 1e-7
    assert bad["W1"] > 1e-3 and bad["W2"] < 1e-7
    assert "correct" in describe_gradient_check(good)
    assert "wrong" in describe_gradient_check(bad)


def seed_step(x, y_t, W1, b1, W2, b2, lr):
    """One full-batch update, written exactly as the seed text's NumPy snippet."""
    n = x.shape[0]
    h = np.maximum(0, np.dot(x, W1) + b1)
    score = np.dot(h, W2) + b2
    y = np.exp(score)
    y /= np.sum(y, axis=1, keepdims=True)
    dscore = np.copy(y)
    dscore[range(n), y_t] -= 1
    dscore /= n
    dW2 = np.dot(h.T, dscore)
    db2 = np.sum(dscore, axis=0, keepdims=True)
    dh = np.dot(dscore, W2.T)
    dr = dh
    dr[h <= 0] = 0
    dW1 = np.dot(x.T, dr)
    db1 = np.sum(dr, axis=0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2


def test_engine_reproduces_the_seed_snippet(spiral):
    from playground.engine.training import Trainer

    X, y = spiral
    net = MLP([2, 100, 3], init="he", seed=3)
    W1, W2 = net.weights[0].copy(), net.weights[1].copy()
    b1, b2 = net.biases[0].copy()[None, :], net.biases[1].copy()[None, :]
    trainer = Trainer(net, X, y, lr=1.0)
    for _ in range(50):
        seed_step(X, y, W1, b1, W2, b2, lr=1.0)
    assert trainer.step(50) == 50
    for mine, theirs in ((net.weights[0], W1), (net.biases[0], b1[0]),
                         (net.weights[1], W2), (net.biases[1], b2[0])):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-10)
    assert np.abs(W1 - net.weights[0]).max() < 1e-10


def test_initial_loss_is_log_k_with_small_init():
    X, y = random_batch(n=500, k=5, seed=2)
    net = MLP([2, 50, 5], init="small", seed=0)
    loss, _ = net.loss_and_grads(X, y)
    assert loss == pytest.approx(np.log(5), abs=0.01)


def test_softmax_is_finite_for_huge_logits():
    net = MLP([2, 3], seed=0)
    net.weights[0][...] = [[1e4, -1e4, 0.0], [0.0, 0.0, 0.0]]
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.5, 3.0]])
    probs = net.predict_proba(X)
    assert np.all(np.isfinite(probs))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    loss, grads = net.loss_and_grads(X, np.array([1, 0, 1]))
    # the true classes score 2e4, 2e4 and 1e4 below the best: log-softmax gives them exactly
    assert loss == pytest.approx((2e4 + 2e4 + 1e4) / 3)
    assert all(np.all(np.isfinite(g)) for pair in grads for g in pair)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_large_inputs_stay_finite(dtype):
    X = np.array([[1e6, -1e6], [-1e6, 1e6], [3e5, 2e5]])
    net = MLP([2, 16, 3], seed=0, dtype=dtype)
    loss, grads = net.loss_and_grads(X, np.array([0, 1, 2]))
    assert np.isfinite(loss)
    assert np.all(np.isfinite(net.predict_proba(X)))


def test_predict_is_side_effect_free():
    X, y = random_batch()
    net = MLP([2, 10, 3], seed=0)
    net.loss_and_grads(X, y)
    before = [z.copy() for z in net.last_pass.Z]
    params = [p.copy() for p in net.params()]
    net.predict_proba(np.random.default_rng(5).standard_normal((1000, 2)))
    assert all(np.array_equal(a, b) for a, b in zip(before, net.last_pass.Z))
    assert all(np.array_equal(a, b) for a, b in zip(params, net.params()))


def test_shapes_and_intermediates():
    X, y = random_batch(n=7)
    net = MLP([2, 5, 4, 3], seed=0)
    assert [w.shape for w in net.weights] == [(2, 5), (5, 4), (4, 3)]
    assert [b.shape for b in net.biases] == [(5,), (4,), (3,)]
    loss, grads = net.loss_and_grads(X, y)
    assert [(dW.shape, db.shape) for dW, db in grads] == [((2, 5), (5,)), ((5, 4), (4,)),
                                                         ((4, 3), (3,))]
    ws = net.last_pass
    assert [z.shape for z in ws.Z] == [(7, 5), (7, 4), (7, 3)]
    assert [a.shape for a in ws.A] == [(7, 2), (7, 5), (7, 4)]
    np.testing.assert_array_equal(ws.A[1], np.maximum(ws.Z[0], 0))
    assert net.predict(X).shape == (7,)
    np.testing.assert_allclose(net.predict_proba(X).sum(axis=1), 1.0)


def test_float32_matches_float64():
    X, y = random_batch()
    net = MLP([2, 20, 3], seed=0)
    net32 = net.astype("float32")
    assert net32.weights[0].dtype == np.float32
    l64, g64 = net.loss_and_grads(X, y)
    l32, g32 = net32.loss_and_grads(X, y)
    assert l32 == pytest.approx(l64, rel=1e-5)
    for (a, _), (b, _) in zip(g64, g32):
        np.testing.assert_allclose(b, a, atol=1e-5 * np.abs(a).max())


@pytest.mark.parametrize("init", INITS)
def test_inits(init):
    net = MLP([2, 400, 3], init=init, seed=0)
    std = net.weights[0].std()
    expected = {"he": 1.0, "xavier": np.sqrt(2 / 402), "small": 0.01, "zeros": 0.0}[init]
    assert std == pytest.approx(expected, rel=0.15, abs=1e-12)
    assert np.all(net.biases[0] == 0)


def test_all_zero_network_predicts_uniform_and_has_symmetric_gradients():
    X, y = random_batch(n=30)
    net = MLP([2, 8, 3], init="zeros")
    np.testing.assert_allclose(net.predict_proba(X), 1 / 3)
    loss, grads = net.loss_and_grads(X, y)
    assert loss == pytest.approx(np.log(3))
    assert np.all(grads[0][0] == 0)        # ReLU(0) = 0 kills every hidden gradient


def test_one_unit_network_and_single_sample():
    net = MLP([2, 1, 2], seed=0)
    loss, grads = net.loss_and_grads(np.array([[0.3, -0.2]]), np.array([1]))
    assert np.isfinite(loss) and grads[0][0].shape == (2, 1)


def test_same_seed_same_weights_and_bad_configs():
    assert all(np.array_equal(a, b) for a, b in zip(MLP(seed=4).params(), MLP(seed=4).params()))
    assert not np.array_equal(MLP(seed=4).weights[0], MLP(seed=5).weights[0])
    for kwargs in ({"layer_sizes": [2]}, {"layer_sizes": [2, 0, 3]}, {"layer_sizes": [2, 1]},
                   {"activation": "swish"}, {"init": "ones"}, {"dtype": "int8"}):
        with pytest.raises(ModelError):
            MLP(**kwargs)
    with pytest.raises(ModelError, match="shape"):
        MLP().loss_and_grads(np.zeros((3, 3)), np.zeros(3, dtype=int))
    with pytest.raises(ModelError, match="Labels"):
        MLP().loss_and_grads(np.zeros((3, 2)), np.array([0, 1, 7]))


def test_a_points_workspace_follows_the_parameters_like_a_fresh_forward_pass():
    X, _ = random_batch(n=30)
    net = MLP([4, 6, 3], activation="gelu", seed=2, features=("x1", "x2", "x1sq", "x1x2"))
    ws = net.points_workspace(X)
    np.testing.assert_array_equal(ws.forward(), net.forward(X).P)
    net.weights[0][...] *= 2.0                            # the trainer updates in place
    np.testing.assert_array_equal(ws.forward(), net.forward(X).P)
