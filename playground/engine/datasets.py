"""Toy 2-D datasets, the grid the maps are drawn on, and a (stratified) split.

Generated datasets (``make_dataset``) — every one returns ``X`` float64 of shape (n, 2), scaled
to about [-1, 1]², and ``y`` int64 labels 0..K-1 with class sizes differing by at most one.
Rows are shuffled so a split or a mini-batch is never ordered by class.

* ``spiral``       K arms winding out from the centre (the CS231n example); ``noise`` is the
                   standard deviation, in radians, of the jitter on each point's angle
                   (0.2 gives the CS231n picture). 2-6 classes.
* ``moons``        two interleaving half circles (as sklearn's ``make_moons``); ``noise`` is
                   Gaussian jitter in the original units (circle radius 1). 2 classes.
* ``circles``      a ring of radius 1 around a ring of radius 0.5; Gaussian jitter ``noise``.
                   2 classes.
* ``xor``          uniform points in the four quadrants, kept 0.06 away from the axes (as in the
                   TensorFlow playground); class 1 where x·y ≥ 0. Labels are fixed first, then
                   each point is jittered by Gaussian noise of std ``0.5 * noise``. 2 classes.
* ``blobs``        K Gaussian clusters centred evenly on a circle of radius 0.6, each with std
                   ``0.1 + 0.5 * noise``. 2-6 classes.
* ``checkerboard`` uniform points on a 4×4 board over [-1, 1]²; cell (i, j) has class
                   (i + j) mod K, then positions are jittered by std ``0.5 * noise``. 2-4 classes.

Regression datasets (``REGRESSION_DATASETS``: ``plane`` and ``gaussians``, TF Playground's)
return float targets ``y`` in [-1, 1] instead of labels; they are described in
:mod:`.regression_data`. ``DATASETS`` lists the classification sets only.

CSV files (reading uploads, writing downloads) are in :mod:`.csvfile`.

Pure NumPy and the standard library: this module knows nothing about the UI.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from .regression_data import REGRESSION_DATASETS, make_regression

DATASETS: tuple[str, ...] = ("spiral", "moons", "circles", "xor", "blobs", "checkerboard")
CLASS_RANGE: dict[str, tuple[int, int]] = {
    "spiral": (2, 6),
    "moons": (2, 2),
    "circles": (2, 2),
    "xor": (2, 2),
    "blobs": (2, 6),
    "checkerboard": (2, 4),
}

MAX_SAMPLES = 5000          # generated points; more only slows the live page down
MIN_ROWS = 4                # points in any data set, generated or uploaded
MAX_CLASSES = 10            # classes in any data set, generated or uploaded

_AXIS_GAP = 0.06            # xor: keep points off the axes, where the label flips
_BOARD_CELLS = 4            # checkerboard: cells per side


class DatasetError(ValueError):
    """A dataset could not be made or loaded; the message is meant for the end user."""


# --------------------------------------------------------------------------- generation


def classes_for(name: str, n_classes: int) -> int:
    """The class count ``name`` will actually use: ``n_classes`` clamped into its range."""
    low, high = CLASS_RANGE[_check_name(name)]
    return min(max(_as_int(n_classes, "n_classes"), low), high)


def make_dataset(name: str, n_samples: int = 300, noise: float = 0.1, n_classes: int = 3,
                 seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Generate dataset ``name`` (see the module docstring); same arguments, same data. A
    regression dataset ignores ``n_classes`` and returns float64 targets."""
    if name in REGRESSION_DATASETS:
        n = _samples(n_samples)
        X, y = make_regression(name, n, _check_noise(noise), np.random.default_rng(seed))
        return np.ascontiguousarray(X, dtype=np.float64), y.astype(np.float64)
    k = classes_for(name, n_classes)
    n = _samples(n_samples)
    if n < k:
        raise DatasetError(f"n_samples={n} is too few for {k} classes (one point each at least).")
    noise = _check_noise(noise)

    rng = np.random.default_rng(seed)
    counts = [n // k + (1 if j < n % k else 0) for j in range(k)]
    X, y = _GENERATORS[name](rng, counts, noise)
    order = rng.permutation(n)
    return np.ascontiguousarray(X[order], dtype=np.float64), y[order].astype(np.int64)


def _check_name(name) -> str:
    if name not in CLASS_RANGE:
        raise DatasetError(f"Unknown dataset {name!r}; choose one of "
                           f"{', '.join(DATASETS + REGRESSION_DATASETS)}.")
    return name


def _samples(n_samples) -> int:
    n = _as_int(n_samples, "n_samples")
    if not MIN_ROWS <= n <= MAX_SAMPLES:
        raise DatasetError(f"n_samples must be between {MIN_ROWS} and {MAX_SAMPLES}; got {n}.")
    return n


def _as_int(value, what: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise DatasetError(f"{what} must be an integer; got {value!r}.") from None


def _check_noise(noise) -> float:
    try:
        value = float(noise)
    except (TypeError, ValueError):
        raise DatasetError(f"noise must be a number; got {noise!r}.") from None
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise DatasetError(f"noise must be between 0 and 1; got {noise!r}.")
    return value


def _labels(counts) -> np.ndarray:
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def _spiral(rng, counts, noise):
    parts = []
    for j, count in enumerate(counts):
        r = np.linspace(0.0, 1.0, count)
        t = np.linspace(j * 4.0, (j + 1) * 4.0, count) + rng.standard_normal(count) * noise
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
    # r <= 1 and the jitter only turns points, so the spiral is already inside [-1, 1]².
    return np.concatenate(parts), _labels(counts)


def _moons(rng, counts, noise):
    outer = np.linspace(0.0, np.pi, counts[0])
    inner = np.linspace(0.0, np.pi, counts[1])
    X = np.concatenate([
        np.column_stack([np.cos(outer), np.sin(outer)]),
        np.column_stack([1.0 - np.cos(inner), 0.5 - np.sin(inner)]),
    ])
    X += rng.standard_normal(X.shape) * noise
    # The noise-free moons span x in [-1, 2], y in [-0.5, 1]: centre them, then halve-and-a-bit.
    return (X - [0.5, 0.25]) / 1.5, _labels(counts)


def _circles(rng, counts, noise):
    parts = []
    for radius, count in zip((1.0, 0.5), counts, strict=True):
        t = np.linspace(0.0, 2.0 * np.pi, count, endpoint=False)
        parts.append(radius * np.column_stack([np.cos(t), np.sin(t)]))
    X = np.concatenate(parts)
    return X + rng.standard_normal(X.shape) * noise, _labels(counts)


def _xor(rng, counts, noise):
    parts = []
    for label, count in enumerate(counts):
        # Draw each class straight from its two quadrants, so the classes stay exactly balanced.
        magnitude = rng.uniform(_AXIS_GAP, 1.0, size=(count, 2))
        sign_x = rng.choice([-1.0, 1.0], size=count)
        sign_y = sign_x if label == 1 else -sign_x      # class 1 where x·y >= 0
        parts.append(magnitude * np.column_stack([sign_x, sign_y]))
    X = np.concatenate(parts)
    return X + rng.standard_normal(X.shape) * (0.5 * noise), _labels(counts)


def _blobs(rng, counts, noise):
    k = len(counts)
    angles = np.pi / 2 + 2.0 * np.pi * np.arange(k) / k
    centres = 0.6 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = _labels(counts)
    return centres[y] + rng.standard_normal((len(y), 2)) * (0.1 + 0.5 * noise), y


def _checkerboard(rng, counts, noise):
    k = len(counts)
    i, j = np.divmod(np.arange(_BOARD_CELLS**2), _BOARD_CELLS)
    size = 2.0 / _BOARD_CELLS
    parts = []
    for label, count in enumerate(counts):
        # All cells have the same area, so a uniformly chosen cell of this class, then a uniform
        # point in it, is uniform over the class's region.
        cells = np.flatnonzero((i + j) % k == label)
        pick = rng.choice(cells, size=count)
        corner = np.column_stack([i[pick], j[pick]]) * size - 1.0
        parts.append(corner + rng.uniform(0.0, size, size=(count, 2)))
    X = np.concatenate(parts)
    return X + rng.standard_normal(X.shape) * (0.5 * noise), _labels(counts)


_GENERATORS = {
    "spiral": _spiral,
    "moons": _moons,
    "circles": _circles,
    "xor": _xor,
    "blobs": _blobs,
    "checkerboard": _checkerboard,
}


# --------------------------------------------------------------------------- splitting


# -- the input plane ---------------------------------------------------------------------------
# The grid the decision map and the hidden-unit maps are drawn on.
def grid_axes(X, resolution=100, margin=0.15):
    """Grid coordinates over the data's bounding box, which is first widened to contain
    [-1, 1]² (the built-in data sets live there) and then padded by ``margin`` × its size
    on each side. Returns (xs, ys), each of length ``resolution``."""
    X = np.asarray(X, dtype=np.float64)
    lo = np.minimum(X.min(axis=0), -1.0) if len(X) else np.array([-1.0, -1.0])
    hi = np.maximum(X.max(axis=0), 1.0) if len(X) else np.array([1.0, 1.0])
    pad = margin * (hi - lo)
    lo, hi = lo - pad, hi + pad
    return (np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))


def grid_points(xs, ys):
    """All grid points as (len(ys)·len(xs), 2), row-major: point i·len(xs) + j is
    (xs[j], ys[i]), so model outputs reshape to a heatmap z of shape (len(ys), len(xs))."""
    gx, gy = np.meshgrid(np.asarray(xs), np.asarray(ys))
    return np.column_stack([gx.ravel(), gy.ravel()])


def train_test_split(X, y, test_fraction: float = 0.2, seed=0):
    """Stratified split: each class sends ``round(size * test_fraction)`` points to the test set.

    Every class keeps at least one training point. Float targets (regression) have no classes:
    ``round(n * test_fraction)`` random points go to the test set, at least one stays for
    training. Returns new arrays
    ``(X_train, y_train, X_test, y_test)``, each set shuffled; same seed, same split.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise DatasetError(f"X must be (n, d) and y (n,); got shapes {X.shape} and {y.shape}.")
    try:
        fraction = float(test_fraction)
    except (TypeError, ValueError):
        raise DatasetError(f"test_fraction must be a number; got {test_fraction!r}.") from None
    if not (math.isfinite(fraction) and 0.0 <= fraction <= 0.9):
        raise DatasetError(f"test_fraction must be between 0 and 0.9; got {test_fraction!r}.")

    rng = np.random.default_rng(seed)
    if y.dtype.kind == "f":
        order = rng.permutation(len(y))
        n_test = min(math.floor(len(y) * fraction + 0.5), max(len(y) - 1, 0))
        return X[order[n_test:]], y[order[n_test:]], X[order[:n_test]], y[order[:n_test]]
    train, test = [], []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        n_test = min(math.floor(len(members) * fraction + 0.5), len(members) - 1)
        test.append(members[:n_test])
        train.append(members[n_test:])
    train = rng.permutation(np.concatenate(train)) if train else np.zeros(0, dtype=np.intp)
    test = rng.permutation(np.concatenate(test)) if test else np.zeros(0, dtype=np.intp)
    # Fancy indexing copies, so the caller's arrays are never shared.
    return X[train], y[train], X[test], y[test]
