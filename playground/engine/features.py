"""Input features: what the network sees of a point (x₁, x₂), TensorFlow Playground's set.

A network with ``features=("x1sq", "x2sq")`` reads (x₁², x₂²) instead of (x₁, x₂): the
features are part of the model (:class:`~playground.engine.model.MLP` featurizes the raw
(n, 2) points it is given), so the decision grid, run files and the command line all see the
same inputs. ``None`` means the raw x₁, x₂ (as ``("x1", "x2")``, with no copy made).

======  ========  =========
id      label     value
======  ========  =========
x1      x₁        x₁
x2      x₂        x₂
x1sq    x₁²       x₁ · x₁
x2sq    x₂²       x₂ · x₂
x1x2    x₁x₂      x₁ · x₂
sinx1   sin(x₁)   sin(x₁)
sinx2   sin(x₂)   sin(x₂)
======  ========  =========

The ids are URL-safe and listed in this order in :data:`FEATURES`. No feature depends on the
parameters, so a trainer computes its data's features once, not on every update.
"""

from __future__ import annotations

import numpy as np

FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1sq": "x₁²", "x2sq": "x₂²", "x1x2": "x₁x₂",
                  "sinx1": "sin(x₁)", "sinx2": "sin(x₂)"}
RAW_INPUTS = 2                     # every entry point takes points (x₁, x₂)


def check_features(features):
    """``features`` as a tuple of known, distinct ids (None stays None); a ValueError saying
    what is wrong otherwise."""
    if features is None:
        return None
    if isinstance(features, str):
        raise ValueError(f"features must be a sequence of ids, not the string {features!r}.")
    try:
        ids = tuple(features)
    except TypeError:
        raise ValueError(f"features must be a sequence of ids from {FEATURES}; got "
                         f"{features!r}.") from None
    if not ids:
        raise ValueError("features must name at least one input feature (None: x1, x2).")
    unknown = [f for f in ids if f not in FEATURES]
    if unknown:
        raise ValueError(f"Unknown feature {unknown[0]!r}; choose from {FEATURES}.")
    if len(set(ids)) != len(ids):
        raise ValueError(f"Each feature may be chosen once; got {list(ids)}.")
    return ids


def featurize(X, features):
    """The network's input for raw points X (n, 2): an (n, len(features)) array of X's
    float dtype, columns in ``features``' order. ``None`` returns X itself."""
    if features is None:
        return X
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != RAW_INPUTS:
        raise ValueError(f"Points must have shape (n, {RAW_INPUTS}); got {X.shape}.")
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    x1, x2 = X[:, 0], X[:, 1]
    out = np.empty((len(X), len(features)), dtype=X.dtype)
    for j, name in enumerate(features):
        col = out[:, j]
        if name == "x1":
            col[...] = x1
        elif name == "x2":
            col[...] = x2
        elif name == "x1sq":
            np.multiply(x1, x1, out=col)
        elif name == "x2sq":
            np.multiply(x2, x2, out=col)
        elif name == "x1x2":
            np.multiply(x1, x2, out=col)
        elif name == "sinx1":
            np.sin(x1, out=col)
        elif name == "sinx2":
            np.sin(x2, out=col)
        else:
            raise ValueError(f"Unknown feature {name!r}; choose from {FEATURES}.")
    return out
