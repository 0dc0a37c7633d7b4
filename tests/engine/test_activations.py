"""The activation table: each entry's in-place arithmetic against its plain formula, its
derivative against finite differences, GELU and SiLU against their textbook definitions and
PyTorch, and the table's other fields against what they claim."""

import math

import numpy as np
import pytest

from playground.engine.activations import ACTIVATIONS, Buffers, activation, fill
from playground.engine.model import MLP, ModelError

R = np.linspace(-12.0, 12.0, 2401)           # includes 0 and both saturated tails
NAMES = tuple(ACTIVATIONS)


def _buffers(Z):
    return Buffers(zeros=np.zeros_like(Z), mask=np.empty_like(Z),
                   flags=np.empty(Z.shape, dtype=bool), aux=np.empty_like(Z))


def _in_place(act, r, dtype):
    """A = f(Z) and dA = 1 ⊙ f'(Z) by the entry's in-place arithmetic, for one (1, n) layer
    (and for a (1, 1) layer, the single-sample path), in ``dtype``."""
    Z = r.astype(dtype).reshape(1, -1)
    A, dA = np.empty_like(Z), np.ones_like(Z)
    if act.forward is None:
        A[...] = Z
    else:
        buf = _buffers(Z)
        act.forward(Z, A, buf)
        act.backward(Z, A, dA, buf)
    return A[0], dA[0]


@pytest.mark.parametrize("name", NAMES)
def test_in_place_arithmetic_is_the_plain_formula(name):
    act = ACTIVATIONS[name]
    A, dA = _in_place(act, R, np.float64)
    np.testing.assert_allclose(A, act.f(R), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dA, act.df(R), rtol=1e-12, atol=1e-14)
    A32, dA32 = _in_place(act, R, np.float32)
    np.testing.assert_allclose(A32, act.f(R), rtol=2e-6, atol=2e-6)
    np.testing.assert_allclose(dA32, act.df(R), rtol=2e-6, atol=2e-6)
    for r in (-1.5, 0.0, 0.7):                       # a one-sample batch, as SGD runs it
        a1, d1 = _in_place(act, np.array([r]), np.float64)
        assert a1[0] == pytest.approx(float(act.f(np.array([r]))[0]), abs=1e-15)
        assert d1[0] == pytest.approx(float(act.df(np.array([r]))[0]), abs=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name):
    act = ACTIVATIONS[name]
    r = R[np.abs(R) > 1e-3].astype(np.longdouble)    # away from ReLU's kink
    h = np.longdouble(1e-6)
    numeric = (act.f(r + h) - act.f(r - h)) / (2 * h)
    np.testing.assert_allclose(act.df(r).astype(np.float64), numeric.astype(np.float64),
                               rtol=1e-8, atol=1e-10)


def test_gelu_is_the_tanh_approximation_within_5e_4_of_the_exact_one():
    gelu = ACTIVATIONS["gelu"]
    c = math.sqrt(2 / math.pi)
    for r in (-4.0, -1.0, -0.3, 0.0, 0.5, 2.0, 6.0):
        written_out = 0.5 * r * (1 + math.tanh(c * (r + 0.044715 * r ** 3)))
        exact = 0.5 * r * (1 + math.erf(r / math.sqrt(2)))          # r·Φ(r)
        value = float(gelu.f(np.array(r)))
        assert value == pytest.approx(written_out, abs=1e-15)
        assert abs(value - exact) < 5e-4
    assert float(gelu.df(np.array(0.0))) == pytest.approx(0.5)      # Φ(0)


def test_silu_is_r_times_sigmoid():
    silu = ACTIVATIONS["silu"]
    for r in (-8.0, -1.0, 0.0, 0.5, 3.0):
        s = 1 / (1 + math.exp(-r))
        assert float(silu.f(np.array(r))) == pytest.approx(r * s, abs=1e-15)
        assert float(silu.df(np.array(r))) == pytest.approx(s + r * s * (1 - s), abs=1e-15)


@pytest.mark.parametrize("name, torch_name, kwargs", [
    ("gelu", "gelu", {"approximate": "tanh"}), ("silu", "silu", {}), ("relu", "relu", {}),
    ("tanh", "tanh", {}), ("sigmoid", "sigmoid", {}),
    ("leaky_relu", "leaky_relu", {"negative_slope": 0.01})])
def test_forward_and_derivative_agree_with_pytorch(name, torch_name, kwargs):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (optional oracle)")
    fn = getattr(torch.nn.functional, torch_name)
    r = R[np.abs(R) > 1e-3]
    x = torch.tensor(r, dtype=torch.float64, requires_grad=True)
    y = fn(x, **kwargs)
    y.sum().backward()
    act = ACTIVATIONS[name]
    np.testing.assert_allclose(act.f(r), y.detach().numpy(), rtol=1e-13, atol=1e-15)
    # atol: GELU's far tail, 1 + tanh(u) ≈ 1e-14, is rounded differently by the two
    np.testing.assert_allclose(act.df(r), x.grad.numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", ["gelu", "silu"])
def test_new_activations_train_the_spiral(name, spiral):
    from playground.engine.training import Trainer
    X, y = spiral
    net = MLP([2, 32, 3], activation=name, seed=0)
    tr = Trainer(net, X, y, lr=1.0, batch_size=None)
    tr.step(600)
    assert not tr.diverged
    assert (net.predict(X) == y).mean() > 0.9


def test_overflowing_pre_activations_stay_finite_and_quiet():
    act = ACTIVATIONS["gelu"]
    Z = np.array([[-1e30, -50.0, 50.0, 1e30]], dtype=np.float32)
    A, dA = np.empty_like(Z), np.ones_like(Z)
    buf = _buffers(Z)
    with np.errstate(all="raise"):
        act.forward(Z, A, buf)
        act.backward(Z, A, dA, buf)
    np.testing.assert_array_equal(A, np.array([[0.0, 0.0, 50.0, 1e30]], dtype=np.float32))
    np.testing.assert_array_equal(dA, [[0.0, 0.0, 1.0, 1.0]])


def test_an_unknown_activation_is_refused_everywhere_it_is_looked_up():
    with pytest.raises(ValueError, match="choose one of"):
        activation("softplus")
    with pytest.raises(ModelError, match="Unknown activation"):
        MLP([2, 4, 3], activation="softplus")


@pytest.mark.parametrize("name", NAMES)
def test_the_table_fields_describe_the_function(name):
    act = ACTIVATIONS[name]
    h = act.f(R)
    if act.colour_range is not None:                  # a fixed range holds every output
        lo, hi = act.colour_range
        assert h.min() >= lo - 1e-12 or name == "leaky_relu"   # its tiny negatives are clipped
        assert hi is None or h.max() <= hi + 1e-12
    if act.stuck is not None:
        far = act.f(np.full((5, 1), -30.0))           # every point far below zero
        assert act.stuck(far)[0] == (act.stuck_word in ("dead", "saturated"))
        assert act.stuck(act.f(np.linspace(0.5, 3, 5).reshape(5, 1)))[0] == False  # noqa: E712
    assert act.kink == (name in ("relu", "leaky_relu"))
    assert "<r>" in act.tex and "<r>" in act.text
    assert "<" not in fill(act.dtex, "r_{1}", "h_{1}")
