"""L1 regularisation: l1·Σ|W| in the loss, l1·sign(W) in each dW (0 at exactly 0), exact
gradients away from zero, and a trainer setting like L2."""

import math

import numpy as np
import pytest

from playground.engine.activations import ACTIVATIONS
from playground.engine.gradcheck import gradient_check
from playground.engine.model import MLP
from playground.engine.training import Trainer, TrainingError

HIDDEN = [[], [9], [8, 6], [7, 6, 5]]
H = 3e-6                     # see test_features: both error terms of the differences ≤ 3e-8


def batch(n=24, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.5, 1.5, size=(n, 2)), rng.integers(0, k, n)


def away_from_zero(net, margin=0.1):
    """Every weight at least ``margin`` from 0, where |W| has its kink; random biases."""
    rng = np.random.default_rng(9)
    for W, b in zip(net.weights, net.biases):
        W[...] = np.where(W >= 0, 1.0, -1.0) * (np.abs(W) + margin)
        b[...] = 0.2 * rng.standard_normal(b.shape)
    return net


def test_the_loss_term_is_l1_times_the_sum_of_absolute_weights():
    X, y = batch()
    net = MLP([2, 5, 4, 3], seed=0)
    plain, _ = net.loss_and_grads(X, y)
    with_l1, _ = net.loss_and_grads(X, y, l1=0.03)
    total = 0.0
    for W in net.weights:                       # Σ|W| entry by entry, biases left out
        for row in W:
            for w in row:
                total += abs(float(w))
    assert with_l1 - plain == pytest.approx(0.03 * total, rel=1e-12)
    both, _ = net.loss_and_grads(X, y, l2=0.1, l1=0.03)
    l2_term = 0.5 * 0.1 * sum(float((W ** 2).sum()) for W in net.weights)
    assert both == pytest.approx(plain + l2_term + 0.03 * total, rel=1e-12)


def test_the_subgradient_is_sign_w_and_zero_at_exactly_zero():
    X, y = batch()
    net = MLP([2, 5, 3], seed=0)
    net.weights[0][0, 1] = 0.0
    net.weights[1][3, 2] = 0.0
    _, plain = net.loss_and_grads(X, y)
    _, with_l1 = net.loss_and_grads(X, y, l1=0.5)
    for l, W in enumerate(net.weights):
        expected = np.array([[0.5 if w > 0 else -0.5 if w < 0 else 0.0 for w in row]
                             for row in W])
        np.testing.assert_allclose(with_l1[l][0] - plain[l][0], expected, rtol=0, atol=1e-15)
        np.testing.assert_array_equal(with_l1[l][1], plain[l][1])      # biases: no term
    assert with_l1[0][0][0, 1] == plain[0][0][0, 1]
    assert with_l1[1][0][3, 2] == plain[1][0][3, 2]


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("hidden", HIDDEN, ids=lambda h: f"{len(h)}hidden")
def test_gradient_check_with_l1_away_from_zero(task, activation, hidden):
    X, labels = batch()
    k = 1 if task == "regression" else 3
    y = np.tanh(X[:, 0] - X[:, 1]) if task == "regression" else labels
    net = away_from_zero(MLP([2, *hidden, k], activation=activation, seed=1, task=task))
    errors = gradient_check(net, X, y, l2=0.01, l1=0.02, h=H)
    assert max(errors.values()) <= 1e-7, errors


def test_a_trainer_step_with_l1_is_the_hand_written_update():
    X, y = batch(40, k=2, seed=4)
    net = MLP([2, 6, 2], seed=2)
    W = [w.copy() for w in net.weights]
    b = [v.copy() for v in net.biases]
    _, grads = net.copy().loss_and_grads(X, y)               # the data's gradient, no terms
    tr = Trainer(net, X, y, lr=0.7, l1=0.01)
    assert tr.step(1) == 1
    for l in range(2):
        np.testing.assert_allclose(net.weights[l],
                                   W[l] - 0.7 * (grads[l][0] + 0.01 * np.sign(W[l])),
                                   rtol=0, atol=1e-15)
        np.testing.assert_allclose(net.biases[l], b[l] - 0.7 * grads[l][1], rtol=0, atol=1e-15)


def test_l1_is_a_checked_setting_that_evaluation_and_config_include():
    X, y = batch(40, k=2, seed=4)
    tr = Trainer(MLP([2, 6, 2], seed=2), X, y, X[:8], y[:8], lr=0.5)
    assert tr.l1 == 0.0 and tr.config()["l1"] == 0.0
    before = tr.evaluate()
    tr.l1 = 0.05
    after = tr.evaluate()
    term = 0.05 * sum(float(np.abs(W).sum()) for W in tr.net.weights)
    assert after["train_loss"] - before["train_loss"] == pytest.approx(term, rel=1e-12)
    assert after["test_loss"] - before["test_loss"] == pytest.approx(term, rel=1e-12)
    assert tr.config()["l1"] == 0.05
    for bad in (-0.1, math.nan, math.inf, "x"):
        with pytest.raises(TrainingError, match="L1 must be a number ≥ 0"):
            tr.l1 = bad
    assert tr.l1 == 0.05
    with pytest.raises(TrainingError, match="L1"):
        Trainer(MLP([2, 6, 2]), X, y, l1=-1)
    tr.step(3)
    tr.step(1)                  # the batch-GD shortcut: the next pass's loss is the evaluation
    loss, _ = tr.net.loss_and_grads(X, y, l1=0.05)
    assert tr.evaluate()["train_loss"] == pytest.approx(loss, rel=1e-12)


def test_l1_drives_weights_to_exactly_small_values():
    """Where a weight's data gradient is weaker than l1, L1 holds it at ~lr·l1 from zero
    (the sign flips back and forth), unlike L2, which only shrinks it in proportion."""
    X, y = batch(60, k=2, seed=1)
    y = (X[:, 0] > 0).astype(np.int64)            # x2 carries nothing
    tr = Trainer(MLP([2, 2], seed=0), X, y, lr=0.1, l1=0.05)
    tr.step(3000)
    assert np.abs(tr.net.weights[0][1]).max() <= 0.1 * 0.05 + 1e-12
    assert np.abs(tr.net.weights[0][0]).min() > 0.3


def test_divergence_names_l1_in_the_settings_and_the_message():
    X, y = batch(40, k=2, seed=4)
    tr = Trainer(MLP([2, 6, 2], seed=2), X, y, lr=1e6, l1=0.01)
    tr.step(50)
    assert tr.diverged
    assert tr.diverged_with == {"lr": 1e6, "l2": 0.0, "l1": 0.01, "optimizer": "sgd",
                                "batch_size": None}
    assert "L1 0.01" in tr.divergence_message
    assert tr.divergence_settings() == tr.diverged_with
    tr.l1 = 0.0
    assert tr.divergence_settings() != tr.diverged_with
