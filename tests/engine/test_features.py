"""Input features: the values written out by hand, the model featurizing raw points, the
trainer doing it once, and the gradients exact with every feature."""

import numpy as np
import pytest

import playground
from playground.engine.activations import ACTIVATIONS
from playground.engine.features import FEATURE_LABELS, FEATURES, featurize
from playground.engine.gradcheck import gradient_check
from playground.engine.model import MLP, ModelError
from playground.engine.training import Trainer

HAND = {  # each feature of a point (a, b), written out
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1sq": lambda a, b: a * a,
    "x2sq": lambda a, b: b * b,
    "x1x2": lambda a, b: a * b,
    "sinx1": lambda a, b: np.sin(a),
    "sinx2": lambda a, b: np.sin(b),
}
HIDDEN = [[], [9], [8, 6], [7, 6, 5]]       # 0 to 3 hidden layers, widths that differ
# The finite differences' step: at the default h = 1e-5 the truncation error (~h² times the
# loss's third derivative) reaches 1.3e-7 of the smallest entries of these networks, and at
# 1e-6 the rounding of the extended-precision loss (~1e-19 / h) does; 3e-6 keeps both ≤ 3e-8.
H = 3e-6


def points(n=24, seed=0):
    return np.random.default_rng(seed).uniform(-1.5, 1.5, size=(n, 2))


def test_the_ids_labels_and_order_are_the_contracts():
    assert FEATURES == ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
    assert FEATURE_LABELS == {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²",
                              "x1x2": "x₁x₂", "sinx1": "sin(x₁)", "sinx2": "sin(x₂)"}
    assert playground.FEATURES is FEATURES and playground.FEATURE_LABELS is FEATURE_LABELS


def test_featurize_matches_the_formulas_point_by_point():
    X = points(9)
    out = featurize(X, FEATURES)
    assert out.shape == (9, 7)
    for i, (a, b) in enumerate(X):
        for j, name in enumerate(FEATURES):
            assert out[i, j] == HAND[name](a, b), (name, a, b)
    reordered = featurize(X, ("sinx2", "x1"))
    np.testing.assert_array_equal(reordered, np.column_stack([np.sin(X[:, 1]), X[:, 0]]))
    assert featurize(X, None) is X
    assert featurize(X.astype(np.float32), ("x1x2",)).dtype == np.float32


@pytest.mark.parametrize("features, message", [
    (("x3",), "Unknown feature 'x3'"), ((), "at least one"), (("x1", "x1"), "once"),
    ("x1sq", "not the string"), (5, "sequence"),
])
def test_bad_features_are_refused_with_a_clear_message(features, message):
    with pytest.raises(ModelError, match=message):
        MLP([1, 4, 2], features=features)


def test_layer_sizes_must_count_the_features():
    with pytest.raises(ModelError, match="layer_sizes\\[0\\] must be the number of inputs, 3"):
        MLP([2, 4, 2], features=["x1", "x2", "x1sq"])
    with pytest.raises(ModelError, match="inputs, 2"):
        MLP([3, 4, 2])
    net = MLP([3, 4, 2], features=["x1", "x2", "x1sq"])
    assert net.features == ("x1", "x2", "x1sq") and net.config()["features"] == ["x1", "x2",
                                                                                 "x1sq"]
    assert MLP([2, 4, 2]).config()["features"] is None


def test_every_entry_point_takes_raw_points_and_featurizes_them():
    X = points(30)
    feats = ("x1sq", "x1x2", "sinx2")
    net = MLP([3, 5, 2], activation="tanh", seed=2, features=feats)
    expected = featurize(X, feats)
    np.testing.assert_array_equal(net.featurize(X), expected)
    ws = net.forward(X)
    np.testing.assert_array_equal(ws.A[0], expected)
    np.testing.assert_array_equal(ws.Z[0], expected @ net.weights[0] + net.biases[0])
    assert net.predict_proba(X).shape == (30, 2) and net.predict(X).shape == (30,)
    assert [a.shape for a in net.hidden_activations(X)] == [(30, 5)]
    with pytest.raises(ModelError, match="shape"):
        net.predict(expected)                      # (n, 3): not raw points
    copy = net.astype("float32")
    assert copy.features == feats and copy.predict_proba(X).dtype == np.float32


@pytest.mark.parametrize("features", [(f,) for f in FEATURES] + [FEATURES],
                         ids=lambda f: "+".join(f))
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("hidden", HIDDEN, ids=lambda h: f"{len(h)}hidden")
def test_gradient_check_with_features(features, activation, hidden):
    X = points()
    y = np.random.default_rng(1).integers(0, 3, len(X))
    net = MLP([len(features), *hidden, 3], activation=activation, seed=1, features=features)
    for b in net.biases:
        b[...] = 0.2 * np.random.default_rng(5).standard_normal(b.shape)
    errors = gradient_check(net, X, y, l2=0.01, h=H)
    assert set(errors) == {f"{p}{l}" for l in range(1, len(hidden) + 2) for p in "Wb"}
    assert max(errors.values()) <= 1e-7, errors


def test_the_trainer_featurizes_once_and_steps_like_the_hand_written_update():
    X = points(40, seed=3)
    y = (X[:, 0] ** 2 + X[:, 1] ** 2 > 1.0).astype(np.int64)
    feats = ("x1", "x2", "x1sq", "x2sq")
    net = MLP([4, 6, 2], seed=4, features=feats)
    copy = net.copy()
    tr = Trainer(net, X, y, X[:10], y[:10], lr=0.5, l2=1e-3)
    np.testing.assert_array_equal(tr.X, X)                   # the raw points are kept
    np.testing.assert_array_equal(tr.Xt[:-1].T, featurize(X, feats))
    for _ in range(5):
        _, grads = copy.loss_and_grads(X, y, l2=1e-3)
        for p, g in zip(copy.params(), (g for pair in grads for g in pair)):
            p -= 0.5 * g
    assert tr.step(5) == 5
    for mine, theirs in zip(net.params(), copy.params()):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-13)
    loss, _ = copy.loss_and_grads(X, y, l2=1e-3)
    assert tr.evaluate()["train_loss"] == pytest.approx(loss, rel=1e-12)
    test_loss, _ = copy.loss_and_grads(X[:10], y[:10], l2=1e-3)
    assert tr.evaluate()["test_loss"] == pytest.approx(test_loss, rel=1e-12)
    np.testing.assert_array_equal(tr.last_pass().inputs, featurize(X, feats))


def test_no_hidden_layer_with_squares_separates_the_circles():
    """The lesson: a linear model on x1², x2² draws the circle a raw linear model cannot."""
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 2 * np.pi, 200)
    r = np.where(np.arange(200) < 100, 1.0, 0.5) + 0.05 * rng.standard_normal(200)
    X = np.column_stack([r * np.cos(t), r * np.sin(t)])
    y = (np.arange(200) < 100).astype(np.int64)
    squares = Trainer(MLP([2, 2], features=["x1sq", "x2sq"], seed=0), X, y, lr=1.0)
    raw = Trainer(MLP([2, 2], seed=0), X, y, lr=1.0)
    squares.step(2000)
    raw.step(2000)
    assert squares.evaluate()["train_acc"] >= 0.97
    assert raw.evaluate()["train_acc"] <= 0.7
