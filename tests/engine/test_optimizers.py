"""Tests for playground.engine.optimizers against oracles written out by hand.

Each oracle is the update rule as the textbooks write it (CS231n's ``optim.py``, Kingma & Ba
2015, Algorithm 1), spelled out in plain float64 NumPy here, independent of the module's
in-place arithmetic. The optimizers run on float64 parameters, so both sides agree to
rounding (rtol 1e-12).
"""

import copy
import math

import numpy as np
import pytest

from playground.engine.optimizers import (
    OPTIMIZERS,
    SGD,
    Adam,
    Momentum,
    make_optimizer,
)

SHAPES = [(3, 4), (4,), (4, 2), (2,)]      # two layers' (W, b), like an MLP([3, 4, 2])
STEPS = 5
RTOL = 1e-12


def _params(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in SHAPES]


def _grads(seed):
    """A different gradient per step, with mixed signs and magnitudes."""
    rng = np.random.default_rng(1000 + seed)
    return [rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 1) for shape in SHAPES]


def _run(opt, params, lr, steps=STEPS, first=0):
    for t in range(first, first + steps):
        opt.update(params, _grads(t), lr)
    return params


def _assert_all_close(got, expected, rtol=RTOL):
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=0)


# --------------------------------------------------------------------------- oracles


def sgd_oracle(params, lr, steps=STEPS):
    params = [p.copy() for p in params]
    for t in range(steps):
        for p, g in zip(params, _grads(t)):
            p -= lr * g                                     # W ← W − lr·dW
    return params


def momentum_oracle(params, lr, mu, steps=STEPS):
    """CS231n's sgd_momentum: v = mu*v - lr*dw; w = w + v (v starts at zero)."""
    params = [p.copy() for p in params]
    velocity = [np.zeros_like(p) for p in params]
    history = []
    for t in range(steps):
        for i, g in enumerate(_grads(t)):
            velocity[i] = mu * velocity[i] - lr * g
            params[i] = params[i] + velocity[i]
        history.append([v.copy() for v in velocity])
    return params, history


def adam_oracle(params, lr, beta1=0.9, beta2=0.999, eps=1e-8, steps=STEPS):
    """Adam in the module's form: Kingma & Ba's "ε̂" variant (end of their Section 2), with
    the bias corrections folded into the step size:

        m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
        step = lr·sqrt(1 − β2^t) / (1 − β1^t);  p = p − step·m / (sqrt(v) + ε)
    """
    params = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t in range(1, steps + 1):
        step = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        for i, g in enumerate(_grads(t - 1)):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g ** 2
            params[i] = params[i] - step * m[i] / (np.sqrt(v[i]) + eps)
    return params, m, v


def adam_textbook(params, lr, beta1=0.9, beta2=0.999, eps=1e-8, steps=STEPS):
    """Adam as Algorithm 1 of Kingma & Ba writes it (and CS231n's ``adam``):
    m̂ = m / (1 − β1^t);  v̂ = v / (1 − β2^t);  p = p − lr·m̂ / (sqrt(v̂) + ε)."""
    params = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t in range(1, steps + 1):
        for i, g in enumerate(_grads(t - 1)):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g ** 2
            m_hat = m[i] / (1 - beta1 ** t)
            v_hat = v[i] / (1 - beta2 ** t)
            params[i] = params[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return params


# --------------------------------------------------------------------------- SGD


@pytest.mark.parametrize("lr", [1.0, 0.05, 1e-4])
def test_sgd_matches_the_oracle(lr):
    start = _params()
    got = _run(SGD(start), [p.copy() for p in start], lr)
    _assert_all_close(got, sgd_oracle(start, lr))


def test_sgd_single_step_by_hand():
    p = np.array([1.0, -2.0, 0.5])
    SGD([p]).update([p], [np.array([0.5, -1.0, 0.0])], 0.1)
    np.testing.assert_allclose(p, [0.95, -1.9, 0.5], rtol=RTOL)


# --------------------------------------------------------------------------- momentum


@pytest.mark.parametrize("lr, mu", [(0.1, 0.9), (0.01, 0.5), (1.0, 0.99)])
def test_momentum_matches_the_oracle_and_its_velocity(lr, mu):
    start = _params()
    opt = Momentum(start, momentum=mu)
    params = [p.copy() for p in start]
    expected_params, expected_velocity = momentum_oracle(start, lr, mu)
    for t in range(STEPS):
        opt.update(params, _grads(t), lr)
        _assert_all_close(opt.velocity, expected_velocity[t])     # v ← μv − lr·g every step
    _assert_all_close(params, expected_params)


def test_momentum_two_steps_by_hand():
    p = np.array([1.0])
    opt = Momentum([p], momentum=0.9)
    opt.update([p], [np.array([2.0])], 0.1)        # v = −0.2;             p = 0.8
    np.testing.assert_allclose((opt.velocity[0], p), ([-0.2], [0.8]), rtol=RTOL)
    opt.update([p], [np.array([2.0])], 0.1)        # v = 0.9·−0.2 − 0.2 = −0.38; p = 0.42
    np.testing.assert_allclose((opt.velocity[0], p), ([-0.38], [0.42]), rtol=RTOL)


def test_momentum_zero_is_sgd():
    start = _params()
    got = _run(Momentum(start, momentum=0.0), [p.copy() for p in start], 0.3)
    _assert_all_close(got, sgd_oracle(start, 0.3))


# --------------------------------------------------------------------------- Adam


@pytest.mark.parametrize("lr", [1e-3, 0.1])
def test_adam_matches_the_oracle(lr):
    start = _params()
    opt = Adam(start)
    got = _run(opt, [p.copy() for p in start], lr)
    expected, m, v = adam_oracle(start, lr)
    _assert_all_close(got, expected)
    _assert_all_close(opt.m, m)
    _assert_all_close(opt.v, v)
    assert opt.t == STEPS


def test_adam_with_other_betas_and_eps_matches_the_oracle():
    start = _params()
    opt = Adam(start, beta1=0.5, beta2=0.9, eps=1e-3)
    got = _run(opt, [p.copy() for p in start], 0.01)
    _assert_all_close(got, adam_oracle(start, 0.01, beta1=0.5, beta2=0.9, eps=1e-3)[0])


def test_adam_first_step_moves_every_weight_by_about_lr():
    """At t = 1, m̂ = g and sqrt(v̂) = |g|: each weight moves by lr·sign(g), up to ε."""
    start = _params()
    rng = np.random.default_rng(5)
    grads = [rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 50.0, shape) for shape in SHAPES]
    params = [p.copy() for p in start]
    Adam(start).update(params, grads, 0.01)
    for p, p0, g in zip(params, start, grads):
        np.testing.assert_allclose(p0 - p, 0.01 * np.sign(g), rtol=1e-6)


def test_adam_eps_convention_equals_the_textbook_form_when_eps_is_zero():
    """The module folds the bias corrections into the step size, so its ε sits next to
    sqrt(v), not sqrt(v̂): it equals the textbook form with ε_textbook = ε / sqrt(1 − β2^t).
    With ε = 0 the two are the same update."""
    start = _params()
    for lr in (1e-3, 0.1):
        got = _run(Adam(start, eps=0.0), [p.copy() for p in start], lr)
        _assert_all_close(got, adam_textbook(start, lr, eps=0.0))


def test_adam_eps_convention_differs_from_the_textbook_form_for_small_gradients():
    """With the default ε = 1e-8 and gradients near ε, the two forms give different updates:
    the module's ε acts like the textbook's ε / sqrt(1 − β2^t) (≈ 3.2e-7 at t = 1)."""
    g = np.full(3, 1e-7)
    p_module = np.zeros(3)
    Adam([p_module]).update([p_module], [g], 1.0)
    # by hand, t = 1: m = 0.1·g, v = 0.001·g², step = sqrt(0.001) / 0.1
    step = math.sqrt(1 - 0.999) / (1 - 0.9)
    expected_module = -step * (0.1 * g) / (np.sqrt(0.001 * g ** 2) + 1e-8)
    expected_textbook = -g / (np.abs(g) + 1e-8)             # m̂ = g, sqrt(v̂) = |g|
    np.testing.assert_allclose(p_module, expected_module, rtol=RTOL)
    assert not np.allclose(p_module, expected_textbook, rtol=1e-3)
    eps_hat = 1e-8 / math.sqrt(1 - 0.999)
    np.testing.assert_allclose(p_module, -g / (np.abs(g) + eps_hat), rtol=1e-12)


# --------------------------------------------------------------------------- every optimizer


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_updates_params_in_place_and_leaves_grads_alone(name):
    params = _params()
    ids = [id(p) for p in params]
    opt = make_optimizer(name, params)
    before = [p.copy() for p in params]
    grads = _grads(0)
    grads_before = copy.deepcopy(grads)
    for _ in range(3):
        opt.update(params, grads, 0.1)
    assert [id(p) for p in params] == ids
    assert all(not np.array_equal(a, b) for a, b in zip(params, before))
    for g, g0 in zip(grads, grads_before, strict=True):
        np.testing.assert_array_equal(g, g0)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_round_trip_continues_identically(name):
    """A copy rebuilt from state() (as a run file keeps it) takes exactly the same steps."""
    params = _params()
    opt = make_optimizer(name, params, momentum=0.8)
    _run(opt, params, 0.05, steps=3)
    saved = {k: np.array(v, copy=True) for k, v in opt.state().items()}   # like np.savez
    params_copy = [p.copy() for p in params]
    clone = make_optimizer(name, params_copy, momentum=0.8)
    clone.load_state(saved)
    _run(opt, params, 0.05, steps=4, first=3)
    _run(clone, params_copy, 0.05, steps=4, first=3)
    for a, b in zip(params, params_copy, strict=True):
        np.testing.assert_array_equal(a, b)
    assert opt.state().keys() == clone.state().keys()


def test_state_keys_per_optimizer():
    params = _params()
    assert make_optimizer("sgd", params).state() == {}
    assert sorted(make_optimizer("momentum", params).state()) == [
        f"velocity{i}" for i in range(len(SHAPES))]
    adam = make_optimizer("adam", params)
    assert sorted(adam.state()) == sorted(
        ["t"] + [f"m{i}" for i in range(len(SHAPES))] + [f"v{i}" for i in range(len(SHAPES))])
    assert int(adam.state()["t"]) == 0


def test_loading_state_without_the_step_count_would_redo_the_bias_correction():
    """Adam's t is part of its state: restoring m and v but not t changes the next step."""
    params = _params()
    opt = Adam(params)
    _run(opt, params, 0.01, steps=3)
    saved = {k: np.array(v, copy=True) for k, v in opt.state().items()}
    stale = dict(saved, t=np.array(0))
    p_good, p_stale = [p.copy() for p in params], [p.copy() for p in params]
    good, bad = Adam(p_good), Adam(p_stale)
    good.load_state(saved)
    bad.load_state(stale)
    good.update(p_good, _grads(3), 0.01)
    bad.update(p_stale, _grads(3), 0.01)
    assert good.t == 4 and bad.t == 1
    assert not np.allclose(p_good[0], p_stale[0], rtol=1e-6)


def test_make_optimizer_builds_each_kind_and_passes_momentum():
    params = _params()
    assert isinstance(make_optimizer("sgd", params), SGD)
    assert isinstance(make_optimizer("adam", params), Adam)
    opt = make_optimizer("momentum", params, momentum=0.5)
    assert isinstance(opt, Momentum) and opt.momentum == 0.5
    assert [make_optimizer(n, params).name for n in OPTIMIZERS] == list(OPTIMIZERS)


@pytest.mark.parametrize("name", ["SGD", "rmsprop", "", None, "adam "])
def test_make_optimizer_rejects_unknown_names(name):
    with pytest.raises(ValueError, match="Unknown optimizer"):
        make_optimizer(name, _params())
