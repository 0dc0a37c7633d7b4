"""One training point's way through the network and back: the numbers of the Backprop view.

:func:`point_trace` follows point ``i`` of a batch ``(X, y)`` forward to its loss and back to
its share of every gradient. The batch's gradient of the mean loss is the sum of these shares
over its points (the 1/n sits in the point's dscore), which is what the tests check against
:meth:`~playground.engine.model.MLP.loss_and_grads`. It is written plainly, one point at a
time in float64, apart from :class:`~playground.engine.workspace.Workspace` and its
transposed buffers: a second derivation, not a view of the first. Pure NumPy, no UI.

The symbols are the Math view's: x the network's input (the point's features; the point
itself when the network has none), r_l = h_{l-1} W_l + b_l a pre-activation (h_0 = x; the
last one, r_L, is the score), h_l = f(r_l) an activation, ŷ = p the softmax probabilities,
dscore = (p − onehot(y)) / n, dh_l = dr_{l+1} W_{l+1}ᵀ, dr_l = dh_l ⊙ f'(r_l), and the
point's contributions dW_l = h_{l-1}ᵀ dr_l, db_l = dr_l. For a regression network ŷ = p is
the score itself (one value), its loss ½(ŷ − y)² and dscore = (ŷ − y) / n.
"""

from __future__ import annotations

import numpy as np

from .activations import activation
from .features import RAW_INPUTS, featurize


def point_trace(net, X, y, i):
    """The forward and backward pass of point ``i`` of the batch ``(X, y)``, in float64.

    ``X`` (n, 2) raw points and ``y`` (n,) are the whole batch: n is the batch size behind
    the 1/n of the mean loss, so each point's dscore, dW and db are its share of the batch's
    gradient (without the L2 and L1 terms, which belong to no point). With L weight layers and
    F inputs, returns a dict:

    * ``point`` (2,), the raw point (x₁, x₂); ``x`` (F,), the network's input: the point's
      features in ``net.features``' order (the point itself when features is None);
    * ``label``: its class y (an int), or for regression its target value y (a float);
      ``i`` and ``n``;
    * ``r``: L arrays, the hidden pre-activations r_1 … r_{L-1} and last the scores r_L;
    * ``h``: L − 1 arrays, the hidden activations h_l = f(r_l);
    * ``p`` (K,), the softmax probabilities ŷ, or for regression (1,) the predicted value ŷ;
      ``loss``, this point's −log p_y, or ½(ŷ − y)² (not / n);
    * ``dscore`` (K,) = (p − onehot(y)) / n, or (ŷ − y) / n;
    * ``dh``: L − 1 arrays, dh_l = dr_{l+1} W_{l+1}ᵀ;
    * ``dr``: L arrays, dr_l = dh_l ⊙ f'(r_l), the last being dscore;
    * ``dW``: L arrays (fan_in, fan_out), the outer products h_{l-1}ᵀ dr_l (h_0 = x);
    * ``db``: L arrays, equal to dr_l.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    n = len(X)
    if X.ndim != 2 or X.shape[1] != RAW_INPUTS or y.shape != (n,):
        raise ValueError(f"X must be (n, {RAW_INPUTS}) and y (n,); got {X.shape} and "
                         f"{y.shape}.")
    if not 0 <= i < n:
        raise IndexError(f"Point {i} is not in a batch of {n}.")
    regression = net.regression
    K = net.layer_sizes[-1]
    label = float(y[i]) if regression else int(y[i])
    if not regression and not 0 <= label < K:
        raise ValueError(f"Label {label} is not one of the {K} classes.")
    W = [np.asarray(w, dtype=np.float64) for w in net.weights]
    b = [np.asarray(v, dtype=np.float64) for v in net.biases]
    L = len(W)

    point = X[i].copy()
    x = np.array(featurize(X[i:i + 1], net.features)[0], dtype=np.float64)
    act = activation(net.activation)            # the plain f and f', not the workspace's
    r, h, slopes = [], [], []
    a = x
    for l in range(L):
        z = a @ W[l] + b[l]
        r.append(z)
        if l < L - 1:
            a = act.f(z)
            h.append(a)
            slopes.append(act.df(z))
    score = r[-1]
    if regression:
        p = score.copy()                         # the output unit is linear: ŷ is the score
        loss = float(0.5 * (p[0] - label) ** 2)
        dscore = (p - label) / n
    else:
        # a log-softmax: finite for any scores, even when p_y underflows to 0
        shifted = score - score.max()
        log_p = shifted - np.log(np.exp(shifted).sum())
        p = np.exp(log_p)
        loss = float(-log_p[label])
        onehot = np.zeros(K)
        onehot[label] = 1.0
        dscore = (p - onehot) / n
    dr = [None] * L
    dh = [None] * (L - 1)
    dr[-1] = dscore
    for l in range(L - 1, 0, -1):
        dh[l - 1] = dr[l] @ W[l].T
        dr[l - 1] = dh[l - 1] * slopes[l - 1]
    inputs = [x, *h]
    dW = [np.outer(inputs[l], dr[l]) for l in range(L)]
    db = [d.copy() for d in dr]
    return {"i": int(i), "n": n, "point": point, "x": x, "label": label, "r": r, "h": h, "p": p,
            "loss": loss, "dscore": dscore, "dh": dh, "dr": dr, "dW": dW, "db": db}


def batch_grads(net, X, y):
    """The whole batch's mean loss and gradients ``[(dW, db), ...]`` in float64, without the
    L2 and L1 terms: the sums of :func:`point_trace`'s contributions, by the engine's own
    pass (X raw points, as for :func:`point_trace`)."""
    return net.astype("float64").loss_and_grads(np.asarray(X, dtype=np.float64), y, l2=0.0,
                                                l1=0.0)
