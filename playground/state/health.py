"""How many of a layer's units still learn: the share that is dead (ReLU) or saturated
(sigmoid, tanh) on every training point, for the stall guard and the Gradients view."""

from __future__ import annotations

from ..engine.activations import activation as activation_entry


def stuck_shares(activation, layers):
    """Per hidden layer (activations (n, units) over the training set), the share of units
    that pass (almost) no gradient back on any point, by the activation table's ``stuck``
    test (e.g. ReLUs at 0 on every point, sigmoids within 1 % of 0 or 1). An activation
    without one (linear) is never stuck."""
    stuck = activation_entry(activation).stuck
    return [float(stuck(A).mean()) if stuck is not None and A.shape[1] else 0.0
            for A in layers]
