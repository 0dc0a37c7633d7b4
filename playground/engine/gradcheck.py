"""The gradient check: backprop's gradients against centred finite differences of a plain,
independent forward pass in extended precision."""

from __future__ import annotations

import numpy as np

from .activations import activation as activation_entry


def gradient_check(net, X, y, l2=0.0, h=1e-5, max_entries=None, seed=0, l1=0.0):
    """Compare the analytic gradients with centred finite differences (five-point).

    X holds raw (n, 2) points (the network's features are computed from them, once: they do
    not depend on the parameters); y class labels, or the targets of a regression network.
    The loss is the network's (cross-entropy, or mean ½(ŷ − y)² for regression) with the
    L2 and L1 terms.

    Returns ``{"W1": err, "b1": err, ...}``: the maximum relative error
    |a − n| / max(|a|, |n|) per parameter array (0 where both are 0). The analytic side is
    the engine's float64 backward pass; the numerical side perturbs one parameter at a time
    and evaluates the loss with a separate, plain forward pass in extended precision, so that
    rounding in the loss does not swamp small gradient entries. The five-point difference
    (8(L(+h) − L(−h)) − (L(+2h) − L(−2h))) / 12h has a truncation error ~h⁴: the two-point
    one's ~h² reached 3e-7 of the smallest entries of a GELU network at h = 1e-5, and a
    smaller h lets the loss's rounding (~1e-19 / h) in instead. Entries whose perturbation
    moves a ReLU-like unit across its kink (where the derivative is undefined) are left out,
    and with
    L1 so are weights within h of 0 (|W|'s kink).
    ``max_entries`` checks only that many entries per array, chosen at random.
    """
    net64 = net.astype("float64")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64) if net.regression else np.asarray(y)
    _, grads = net64.loss_and_grads(X, y, l2, l1)
    params = [p.astype(np.longdouble) for p in net64.params()]
    Xl = net64.featurize(X).astype(np.longdouble)

    def loss(params):
        return _reference_loss(params, Xl, y, l2, net.activation, l1, net.regression)

    _, base_pattern = loss(params)
    rng = np.random.default_rng(seed)
    errors = {}
    for i, (param, grad) in enumerate(zip(params, (g for pair in grads for g in pair))):
        name = f"{'Wb'[i % 2]}{i // 2 + 1}"
        flat, gflat = param.reshape(-1), grad.reshape(-1)
        idx = np.arange(flat.size)
        if max_entries is not None and flat.size > max_entries:
            idx = rng.choice(flat.size, size=max_entries, replace=False)
        worst = 0.0
        for j in idx:
            old = flat[j]
            if l1 and i % 2 == 0 and abs(old) <= 2 * h:
                continue                                 # |W| has no derivative at 0
            values, crossed = {}, False
            for k in (2, 1, -1, -2):
                flat[j] = old + k * h
                values[k], pattern = loss(params)
                crossed = crossed or not _same(pattern, base_pattern)
            flat[j] = old
            if crossed:
                continue                                 # crossed a kink: no derivative here
            numeric = float((8 * (values[1] - values[-1]) - (values[2] - values[-2])) / (12 * h))
            denom = max(abs(numeric), abs(float(gflat[j])))
            if denom:
                worst = max(worst, abs(numeric - float(gflat[j])) / denom)
        errors[name] = worst
    return errors


def _same(a, b):
    return all(np.array_equal(p, q) for p, q in zip(a, b))


def _reference_loss(params, X, y, l2, activation, l1=0.0, regression=False):
    """The loss by the textbook formulas, in the parameters' dtype, plus the sign pattern of
    every hidden pre-activation (to detect kink crossings). Deliberately independent of
    :class:`Workspace` (it uses the activation table's plain f, not its in-place
    arithmetic). X is the network's (featurized) input."""
    f = activation_entry(activation).f
    a, pattern = X, []
    n_layers = len(params) // 2
    for l in range(n_layers):
        z = a @ params[2 * l] + params[2 * l + 1]
        if l < n_layers - 1:
            pattern.append(z > 0)
            a = f(z)
    if regression:
        loss = 0.5 * ((z[:, 0] - y) ** 2).mean()
    else:
        z = z - z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(len(y)), y].mean()
    loss += 0.5 * l2 * sum((params[2 * l] ** 2).sum() for l in range(n_layers))
    loss += l1 * sum(np.abs(params[2 * l]).sum() for l in range(n_layers))
    return loss, pattern


def describe_gradient_check(errors):
    """One-line reading of a gradient check, with CS231n's rule-of-thumb thresholds."""
    worst = max(errors.values()) if errors else 0.0
    if worst < 1e-7:
        return f"Max relative error {worst:.1e}: the gradient is correct."
    if worst < 1e-4:
        return (f"Max relative error {worst:.1e}: fine for ReLU-like kinks "
                "(a finite difference crossed one), suspicious for smooth activations.")
    if worst < 1e-2:
        return f"Max relative error {worst:.1e}: probably a kink crossing, or a bug — look closer."
    return f"Max relative error {worst:.1e}: the gradient is probably wrong."
