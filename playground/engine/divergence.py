"""Divergence: when an update must not touch the parameters, and how to say why."""

from __future__ import annotations

import math

import numpy as np

# A mean cross-entropy this large means the true class gets probability e^-1000: the run has
# exploded even though the stable log-softmax keeps the number finite.
LOSS_LIMIT = 1000.0


def layer_norms(ws):
    """Each layer's gradient norm sqrt(|dW_l|² + |db_l|²) in a workspace (dW_l and db_l are
    adjacent in memory, so one dot product each); NaN reads as infinity."""
    sq = [float(np.vdot(g, g)) for g in ws.layer_grads]
    return [math.sqrt(v) if v < math.inf else math.inf for v in sq]


def healthy(loss, lr, norms, loss_limit=LOSS_LIMIT):
    """Whether an update with this loss and these gradient norms keeps the parameters
    finite: the loss below ``loss_limit`` and every lr·|g_l| below 1e30 (False for NaN)."""
    return loss < loss_limit and lr * max(norms) < 1e30


def resumed_limit(loss, batches_per_set, current=math.inf):
    """The loss guard of a run resumed after a divergence: twice the largest mean loss a batch
    can have now (losses are ≥ 0, so a batch's mean is at most N/B times the training set's),
    never below LOSS_LIMIT nor above ``current``: it comes back down as the loss does."""
    if not math.isfinite(loss):
        return current if math.isfinite(current) else LOSS_LIMIT
    return max(LOSS_LIMIT, min(current, 2 * batches_per_set * loss))


def describe(loss, lr, l2, optimizer, updates, loss_limit=LOSS_LIMIT, l1=0.0):
    """The banner's words for a run stopped after ``updates`` updates: what happened, the
    likely cause and what to try (the regularisation in force named with it)."""
    if not math.isfinite(loss):
        what = "the loss became infinite or NaN"
    elif loss >= loss_limit:
        what = f"the loss exploded to {loss:.3g}"
    else:
        what = "the gradient became infinite or NaN"
    if l2 * lr >= 2:
        cause = (f"L2 × learning rate = {l2 * lr:g} ≥ 2, so weight decay overshoots; lower L2 "
                 f"or the learning rate")
    else:
        cause = (f"the learning rate {lr:g} is too large for this {optimizer} run; try "
                 f"{lr / 10:g} or less")
    if l1:
        cause += f" (L1 {l1:g} was on too)"
    return (f"Training diverged after update {updates:,}: in the next one {what}. Likely "
            f"cause: {cause}. The parameters are the last finite ones.")
