"""Shared fixtures: small datasets built here, independent of playground.datasets."""

import numpy as np
import pytest


def cs231n_spiral(n_per_class=100, n_classes=3, seed=0):
    """CS231n's spiral, written out here so that engine tests do not depend on datasets.py."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for j in range(n_classes):
        ix = slice(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1, n_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, n_per_class) + rng.standard_normal(n_per_class) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


@pytest.fixture
def spiral():
    return cs231n_spiral()


@pytest.fixture
def separable():
    """Two well-separated Gaussian clusters (any sensible optimizer reaches 100 %)."""
    rng = np.random.default_rng(1)
    X = np.r_[rng.normal(-1, 0.3, (50, 2)), rng.normal(1, 0.3, (50, 2))]
    y = np.r_[np.zeros(50, dtype=np.int64), np.ones(50, dtype=np.int64)]
    return X, y
