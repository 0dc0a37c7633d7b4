"""How many of a layer's units still learn: the share that is dead (ReLU) or saturated
(sigmoid, tanh) on every training point, for the stall guard and the Gradients view."""

from __future__ import annotations

import numpy as np


def stuck_shares(activation, layers):
    """Per hidden layer (activations (n, units) over the training set), the share of units
    that pass (almost) no gradient back on any point: ReLUs at 0 on every point, sigmoids
    within 1 % of 0 or 1, tanh units within 1 % of ±1. Linear units are never stuck."""
    out = []
    for A in layers:
        if activation in ("relu", "leaky_relu"):
            bad = np.all(A <= 0, axis=0)
        elif activation == "sigmoid":
            bad = np.all((A < 0.01) | (A > 0.99), axis=0)
        elif activation == "tanh":
            bad = np.all(np.abs(A) > 0.99, axis=0)
        else:
            bad = np.zeros(A.shape[1], dtype=bool)
        out.append(float(bad.mean()))
    return out
