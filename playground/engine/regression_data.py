"""The regression data sets, TensorFlow Playground's two: points uniform over [-1, 1]², each
with a float target in [-1, 1] (:data:`REGRESSION_DATASETS`, made by
:func:`~playground.engine.datasets.make_dataset`).

* ``plane``      y = (x₁ + x₂) / 2: a tilted plane, the whole range [-1, 1] over the square
                 (clipped to it: noise can carry a target beyond).
* ``gaussians``  y = Σ_k s_k · exp(−|x − c_k|² / (2σ²)), a sum of six signed Gaussian bumps
                 (σ = 0.2) on a 3 × 2 grid of centres c_k = (±2/3 or 0, ±5/12) with signs
                 s_k alternating like a checkerboard (TF Playground's layout, scaled from its
                 [-6, 6]² plane to [-1, 1]²); clipped to [-1, 1] (where bumps overlap).

Noise is TF Playground's: each target is computed at the point displaced by a uniform jitter
in [-noise, noise]² (noise in [0, 1], a fraction of the half-width of the square), while the
point itself stays where it was drawn; so noise blurs the target, not the positions.
"""

from __future__ import annotations

import numpy as np

REGRESSION_DATASETS: tuple[str, ...] = ("plane", "gaussians")

# (x, y, sign) of each bump: TF Playground's centres (−4, 0, 4) × (2.5, −2.5) over [-6, 6]²
GAUSSIANS = tuple((cx / 6.0, cy / 6.0, s) for cx, cy, s in (
    (-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)))
SIGMA = 0.2


def plane(X):
    """The plane's target at points X (n, 2), clipped to [-1, 1]."""
    return np.clip(0.5 * (X[:, 0] + X[:, 1]), -1.0, 1.0)


def gaussians(X):
    """The bumps' target at points X (n, 2), clipped to [-1, 1]."""
    total = np.zeros(len(X))
    for cx, cy, sign in GAUSSIANS:
        d2 = (X[:, 0] - cx) ** 2 + (X[:, 1] - cy) ** 2
        total += sign * np.exp(-d2 / (2 * SIGMA * SIGMA))
    return np.clip(total, -1.0, 1.0)


TARGETS = {"plane": plane, "gaussians": gaussians}


def make_regression(name, n, noise, rng):
    """n points of data set ``name`` drawn with ``rng``: X (n, 2) float64 uniform over
    [-1, 1]², y (n,) float64 in [-1, 1]."""
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    jitter = rng.uniform(-1.0, 1.0, size=(n, 2)) * noise
    return X, TARGETS[name](X + jitter)
