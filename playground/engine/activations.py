"""The hidden units' activations: one entry per activation, everything the playground knows
about it in one place.

An entry carries the function twice: plainly (:attr:`Activation.f` and its derivative
:attr:`Activation.df`, any float dtype, used by the Backprop view's one-point trace and the
gradient check) and as the in-place arithmetic of the training loop (:attr:`Activation.forward`
and :attr:`Activation.backward`, which write into a layer's preallocated buffers). The tests
check the two against each other, against finite differences and, where PyTorch is
installed, against ``torch.nn.functional``.

Beside the arithmetic it carries what the page says and draws: the label, the TeX and plain
formulas (``<r>`` and ``<h>`` stand for the pre-activation and the activation), the colour
range of the hidden-unit maps, the initialisation that suits it, and when a unit is stuck
(``dead`` or ``saturated``) with the words for it. Adding an activation is adding an entry to
:data:`ACTIVATIONS`: the engine, the page's choices, links, run files and the command line
read this table.

In-place conventions, for one hidden layer in the workspace's transposed layout:
``forward(Z, A, buf)`` writes A = f(Z), both (units, n); ``backward(Z, A, dA, buf)`` does
dA ← dA ⊙ f'(Z) in place. ``buf`` is the layer's :class:`Buffers`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

LEAKY_SLOPE = 0.01
# GELU in its tanh approximation (Hendrycks & Gimpel 2016, as in GPT-2 and BERT): NumPy has
# no vectorised erf, and np.vectorize(math.erf) would cost ~50 ns per unit and sample
_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_A = 0.044715
_GELU_CLIP = 10.0


@dataclass
class Buffers:
    """A hidden layer's scratch arrays, (units, n) each, allocated by the workspace for what
    its activation asks (:attr:`Activation.buffers`); the others are None.

    zeros: all zeros, the comparand of ReLU's maximum (an array takes NumPy's SIMD loop).
    mask, flags: a float and a bool array for the backward pass (n = 0 in a forward-only
    workspace). aux: a by-product of the forward pass that the backward pass reuses (GELU's
    tanh, SiLU's σ); sized n even in a forward-only workspace.
    """
    zeros: np.ndarray | None = None
    mask: np.ndarray | None = None
    flags: np.ndarray | None = None
    aux: np.ndarray | None = None


@dataclass(frozen=True)
class Activation:
    name: str                    # the id in links (?act=), run files and on the command line
    label: str                   # as shown to users
    f: Callable                  # h = f(r), plain NumPy, elementwise, any float dtype
    df: Callable                 # f'(r), plain NumPy
    forward: Callable | None     # in place (Z, A, buf); None: A is Z itself (no copy)
    backward: Callable | None    # in place (Z, A, dA, buf); None: the derivative is 1
    tex: str                     # f in TeX, <r> the pre-activation
    dtex: str                    # f' in TeX, in <r> or in the activation <h>
    text: str                    # f in plain text, for the page's one-line formula
    definition: str              # a sentence defining it, for the Math view
    colour_range: tuple          # (lo, hi) of the unit maps; None: from the layer's values
    init: str                    # the initialisation that keeps its activations' variance
    kink: bool = False           # a point without derivative at r = 0 (ReLU-like)
    stuck: Callable | None = None   # (n, units) activations -> (units,) bool: passes ~no gradient
    stuck_word: str = ""         # "dead" or "saturated"
    stuck_words: str = ""        # what a stuck unit is, true of this activation
    remedy: str = ""             # another activation to suggest when its units die
    buffers: tuple = ()          # which :class:`Buffers` it needs: "zeros", "mask", "aux"


# -- ReLU ---------------------------------------------------------------------------------
def _relu_forward(Z, A, buf):
    # maximum against an array of zeros takes NumPy's SIMD loop (3× a scalar 0)
    np.maximum(Z, buf.zeros, out=A)


def _relu_backward(Z, A, dA, buf):
    if Z.shape[1] == 1:
        # one sample: dh[h <= 0] = 0 as putmask is one call fewer, and at this size the
        # calls, not the passes, are the cost
        np.less_equal(Z, buf.zeros, out=buf.flags)
        np.putmask(dA, buf.flags, 0)
        return
    # a float mask and a multiply: 5× cheaper than dh[h <= 0] = 0. The comparison writes
    # bools (against the zeros array: NumPy's SIMD loop) and copyto converts them;
    # np.greater straight into floats runs a slow casting loop.
    np.greater(Z, buf.zeros, out=buf.flags)
    np.copyto(buf.mask, buf.flags)
    np.multiply(dA, buf.mask, out=dA)


# -- leaky ReLU ---------------------------------------------------------------------------
def _leaky_forward(Z, A, buf):
    np.multiply(Z, LEAKY_SLOPE, out=A)
    np.maximum(Z, A, out=A)


def _leaky_backward(Z, A, dA, buf):
    m = buf.mask
    np.greater(Z, 0, out=m)
    m *= 1.0 - LEAKY_SLOPE
    m += LEAKY_SLOPE
    dA *= m


# -- tanh, sigmoid ------------------------------------------------------------------------
def _tanh_forward(Z, A, buf):
    np.tanh(Z, out=A)


def _tanh_backward(Z, A, dA, buf):
    m = buf.mask
    np.multiply(A, A, out=m)                         # 1 − tanh²
    np.subtract(1.0, m, out=m)
    dA *= m


def _sigmoid(r):
    return 0.5 * (1.0 + np.tanh(0.5 * r))     # σ(r) in the form that cannot overflow


def _sigmoid_forward(Z, A, buf):
    # σ(z) = (1 + tanh(z/2)) / 2 never overflows, unlike 1 / (1 + exp(-z))
    np.multiply(Z, 0.5, out=A)
    np.tanh(A, out=A)
    A += 1.0
    A *= 0.5


def _sigmoid_backward(Z, A, dA, buf):
    m = buf.mask
    np.subtract(1.0, A, out=m)                       # σ(1 − σ)
    m *= A
    dA *= m


# -- GELU (tanh approximation) ------------------------------------------------------------
def _gelu(r):
    return 0.5 * r * (1.0 + np.tanh(_GELU_C * (r + _GELU_A * r * r * r)))


def _gelu_slope(r):
    # d/dr ½r(1 + t), t = tanh(u), u = c(r + a r³):  ½(1 + t) + ½ r (1 − t²) c (1 + 3a r²)
    t = np.tanh(_GELU_C * (r + _GELU_A * r * r * r))
    return 0.5 * (1.0 + t) + 0.5 * r * (1.0 - t * t) * _GELU_C * (1.0 + 3.0 * _GELU_A * r * r)


def _gelu_forward(Z, A, buf):
    # t = tanh(c(z + a z³)), kept for the backward pass. z is clipped to ±10 inside the tanh,
    # where it is already ±1 in float32 and float64, so that z³ cannot overflow
    t = buf.aux
    np.clip(Z, -_GELU_CLIP, _GELU_CLIP, out=t)
    np.multiply(t, t, out=t)
    t *= _GELU_A
    t += 1.0
    t *= Z
    t *= _GELU_C
    np.tanh(t, out=t)
    np.add(t, 1.0, out=A)                            # A = ½ z (1 + t)
    A *= Z
    A *= 0.5


def _gelu_backward(Z, A, dA, buf):
    # f' = ½(1 + t) + ½z(1 − t²)·c(1 + 3a z²), and ½z(1 − t²) = A(1 − t); with
    # m = A·c(1 + 3a z²): f' = (m − ½)(1 − t) + 1, in place in m and t (t is spent)
    t, m = buf.aux, buf.mask
    np.clip(Z, -_GELU_CLIP, _GELU_CLIP, out=m)       # beyond ±10, t = ±1 makes m irrelevant
    np.multiply(m, m, out=m)
    m *= 3.0 * _GELU_A * _GELU_C
    m += _GELU_C
    m *= A
    m -= 0.5
    t *= m
    m -= t
    m += 1.0
    dA *= m


# -- SiLU (swish with β = 1) --------------------------------------------------------------
def _silu(r):
    return r * _sigmoid(r)


def _silu_slope(r):
    s = _sigmoid(r)
    return s * (1.0 + r * (1.0 - s))


def _silu_forward(Z, A, buf):
    s = buf.aux                                      # σ(z), kept for the backward pass
    _sigmoid_forward(Z, s, buf)
    np.multiply(Z, s, out=A)


def _silu_backward(Z, A, dA, buf):
    s, m = buf.aux, buf.mask
    np.subtract(1.0, s, out=m)                       # σ(1 + z(1 − σ))
    m *= Z
    m += 1.0
    m *= s
    dA *= m


def _dead(A):
    return np.all(A <= 0, axis=0)


def _dead_smooth(A):
    # GELU and SiLU are ~0 with a slope of ~0 far below zero; only the outputs are known
    # here, and there they are within 0.01 below 0 (as is a unit whose r is within ~0.02
    # below 0, a rare flat unit that also learns nothing)
    return np.all((A <= 0) & (A > -0.01), axis=0)


_ENTRIES = (
    Activation(
        "relu", "ReLU", lambda r: np.maximum(r, 0), lambda r: (r > 0).astype(r.dtype),
        _relu_forward, _relu_backward,
        tex=r"\max(0,\, <r>)", dtex=r"\mathbb{1}(<r> > 0)", text="max(0, <r>)",
        definition="ReLU(r) = max(0, r).", colour_range=(0.0, None), init="he", kink=True,
        stuck=_dead, stuck_word="dead",
        stuck_words="dead: they output 0 on every training point, so they pass no gradient back",
        remedy="leaky ReLU", buffers=("zeros", "mask")),
    Activation(
        "leaky_relu", "Leaky ReLU", lambda r: np.where(r > 0, r, LEAKY_SLOPE * r),
        lambda r: np.where(r > 0, 1.0, LEAKY_SLOPE).astype(r.dtype),
        _leaky_forward, _leaky_backward,
        tex=r"\max(0.01\,<r>,\, <r>)", dtex=r"\mathbb{1}(<r> > 0) + 0.01\,\mathbb{1}(<r> \le 0)",
        text="max(0.01·(<r>), <r>)", definition="Leaky ReLU(r) = max(0.01·r, r).",
        colour_range=(0.0, None), init="he", kink=True, stuck=_dead, stuck_word="dead",
        stuck_words=("below zero on every training point, where leaky ReLU passes back only "
                     "0.01 of the gradient"), buffers=("mask",)),
    Activation(
        "tanh", "tanh", np.tanh, lambda r: 1.0 - np.tanh(r) ** 2,
        _tanh_forward, _tanh_backward,
        tex=r"\tanh(<r>)", dtex=r"1 - <h>^2", text="tanh(<r>)",
        definition="tanh(r) = (eʳ − e⁻ʳ) / (eʳ + e⁻ʳ).", colour_range=(-1.0, 1.0),
        init="xavier", stuck=lambda A: np.all(np.abs(A) > 0.99, axis=0), stuck_word="saturated",
        stuck_words="saturated: within 1 % of ±1 on every training point, where tanh′ is almost 0",
        buffers=("mask",)),
    Activation(
        "sigmoid", "sigmoid", _sigmoid, lambda r: _sigmoid(r) * (1.0 - _sigmoid(r)),
        _sigmoid_forward, _sigmoid_backward,
        tex=r"\sigma(<r>)", dtex=r"<h>\,(1 - <h>)", text="σ(<r>)",
        definition="σ(r) = 1 / (1 + e⁻ʳ).", colour_range=(0.0, 1.0), init="xavier",
        stuck=lambda A: np.all((A < 0.01) | (A > 0.99), axis=0), stuck_word="saturated",
        stuck_words=("saturated: within 1 % of 0 or 1 on every training point, where σ′ is "
                     "almost 0"), buffers=("mask",)),
    Activation(
        "gelu", "GELU", _gelu, _gelu_slope, _gelu_forward, _gelu_backward,
        tex=r"\operatorname{GELU}(<r>)", dtex=r"\operatorname{GELU}'(<r>)", text="GELU(<r>)",
        definition=("GELU(r) = ½·r·(1 + tanh(√(2/π)·(r + 0.044715·r³))), the tanh "
                    "approximation of r·Φ(r) (Φ the standard normal CDF; within 5·10⁻⁴ of it)."),
        colour_range=None, init="he", stuck=_dead_smooth, stuck_word="dead",
        stuck_words=("dead: just below zero on every training point (far below, GELU′ is "
                     "almost 0)"), buffers=("mask", "aux")),
    Activation(
        "silu", "SiLU (swish)", _silu, _silu_slope, _silu_forward, _silu_backward,
        tex=r"<r>\,\sigma(<r>)", dtex=r"\sigma(<r>)\,(1 + <r>(1 - \sigma(<r>)))",
        text="(<r>)·σ(<r>)", definition="SiLU(r) = r·σ(r), swish with β = 1.",
        colour_range=None, init="he", stuck=_dead_smooth, stuck_word="dead",
        stuck_words=("dead: just below zero on every training point (far below, SiLU′ is "
                     "almost 0)"), buffers=("mask", "aux")),
    Activation(
        "linear", "linear", lambda r: r.copy(), np.ones_like, None, None,
        tex=r"<r>", dtex=r"1", text="<r>", definition="The identity: h = r.",
        colour_range=None, init="xavier"),
)

ACTIVATIONS = {a.name: a for a in _ENTRIES}


def activation(name):
    """The table's entry for ``name``; a ValueError names the choices when there is none."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"Unknown activation {name!r}; choose one of "
                         f"{tuple(ACTIVATIONS)}.") from None


def fill(template, r="r", h="h"):
    """A TeX or text template with ``<r>`` and ``<h>`` replaced, e.g. ``fill(a.tex, "r_{1}")``."""
    return template.replace("<r>", r).replace("<h>", h)
