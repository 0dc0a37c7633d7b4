"""The loss landscape: the full-batch loss on a 2-D slice through the current parameters.

A slice is the plane θ + a·d1 + b·d2 through the parameters θ, spanned by two directions in
parameter space, and the loss is evaluated on an n×n grid of (a, b). Two kinds of direction:

* :func:`filter_normalized_directions` – random Gaussian directions, rescaled unit by unit
  (Li et al., 2018, "Visualizing the Loss Landscape of Neural Nets"): for every unit's
  incoming weight vector, i.e. every column of each W, the direction's part gets the norm of
  the same part of θ, and the biases' parts are 0. A step of a = 1 then changes every unit
  by as much as its own weights, whatever the layer's scale, so slices of different networks
  (or of one network at different times) can be compared.
* :func:`pca_directions` – the top two principal directions of the optimizer's path so far
  (the plane through θ the path lies closest to, in the least-squares sense).

Vectors here are flat, in the network's own parameter layout (``MLP.flat``: each layer's
(W; b) block, b its last row); :func:`flatten` turns a list of arrays (W1, b1, W2, ...) into
that layout. A slice is float64 throughout, whatever the network trains in.
"""

from __future__ import annotations

import time

import numpy as np

from .workspace import Workspace, l1_penalty, l2_penalty

SLICE_POINTS = 41            # grid points per side (odd: the centre is a grid point)
MIN_POINTS = 11              # a slow network gets a coarser grid, never coarser than this


def flatten(net, params):
    """Parameter arrays (W1, b1, W2, b2, ...) shaped like ``net``'s, as one float64 vector
    in the network's flat layout."""
    other = net.astype("float64")
    other.set_params(params)
    return other.flat.copy()


def filter_normalized_directions(net, rng):
    """Two random directions (float64 vectors in the flat layout), filter-normalised: each
    column of each weight matrix rescaled to the norm of that column of the network's
    weights, the biases 0. A zero weight column gets a zero direction column."""
    out = []
    for _ in range(2):
        d = net.astype("float64")
        for W, D, bias in zip(net.weights, d.weights, d.biases):
            r = rng.standard_normal(D.shape)
            target = np.linalg.norm(np.asarray(W, dtype=np.float64), axis=0)
            norm = np.linalg.norm(r, axis=0)
            D[...] = r * np.divide(target, norm, out=np.zeros_like(target), where=norm > 0)
            bias[...] = 0.0
        out.append(d.flat.copy())
    return out[0], out[1]


def pca_directions(trajectory, center=None):
    """The top two principal directions of a path of parameter vectors, as orthonormal
    float64 vectors, and the share of the path's squared distance from ``center`` (default:
    the path's last point) that the plane they span holds.

    The differences θ_i − center are decomposed (an SVD, not mean-centred: the plane passes
    through ``center``, the current parameters). Raises ValueError when the path does not
    span two dimensions (fewer than three distinct points)."""
    P = np.asarray([np.asarray(t, dtype=np.float64).ravel() for t in trajectory])
    c = P[-1] if center is None else np.asarray(center, dtype=np.float64)
    M = P - c
    if len(M) < 2:
        raise ValueError("A path of at least three points is needed for two directions.")
    _, s, vt = np.linalg.svd(M, full_matrices=False)
    if len(s) < 2 or s[1] <= 1e-12 * max(s[0], 1e-300):
        raise ValueError("The path does not span two dimensions yet.")
    share = float((s[0] ** 2 + s[1] ** 2) / np.sum(s ** 2))
    return vt[0].copy(), vt[1].copy(), share


def project(trajectory, center, d1, d2):
    """Least-squares coordinates (a, b) of each trajectory point θ_i in the plane
    center + a·d1 + b·d2: the point of the plane nearest to θ_i (the path may leave the
    plane; only its projection can be drawn). Returns two arrays."""
    D = np.stack([np.asarray(d1, dtype=np.float64), np.asarray(d2, dtype=np.float64)], axis=1)
    diffs = np.asarray([np.asarray(t, dtype=np.float64).ravel() for t in trajectory])
    diffs = diffs - np.asarray(center, dtype=np.float64)
    coords, *_ = np.linalg.lstsq(D, diffs.T, rcond=None)
    return coords[0], coords[1]


def grid_axis(span, n):
    """n (odd) coordinates from −span to span; the middle one is exactly 0."""
    m = n // 2
    return span * np.arange(-m, m + 1) / m


def point(theta, d1, d2, a, b, out=None):
    """θ + a·d1 + b·d2 (into ``out``): the parameters of one grid point of a slice."""
    out = np.multiply(d1, a, out=out)
    out += theta
    if b:
        out += b * d2
    return out


class Slicer:
    """Evaluates the full-batch loss (the network's: mean cross-entropy, or ½(ŷ − y)² for
    regression, + 0.5·l2·ΣW² + l1·Σ|W|) of a network at arbitrary points θ of its parameter
    space, in float64, with one vectorised forward pass over the data (raw points X,
    featurized once) per point (buffers kept between points)."""

    def __init__(self, net, X, y, l2=0.0, l1=0.0):
        self.net = net.astype("float64")
        inputs = self.net.featurize(X)
        self.ws = Workspace(self.net, len(inputs), backward=False)
        self.ws.set_input(inputs)
        self.Yt = self.net.targets(y, len(inputs))
        self.l2 = float(l2)
        self.l1 = float(l1)
        self.theta = self.net.flat.copy()

    def loss_at(self, flat):
        """The loss at parameters ``flat`` (a vector in the flat layout)."""
        self.net.flat[...] = flat
        return self._loss()

    def _loss(self):
        self.ws.forward()
        loss = self.ws.loss(self.Yt)
        if self.l2:
            loss += l2_penalty(self.net.weights, self.l2)
        if self.l1:
            loss += l1_penalty(self.net.weights, self.l1)
        return loss

    def grid(self, d1, d2, alphas, betas):
        """losses[j, i] at θ + alphas[i]·d1 + betas[j]·d2."""
        losses = np.empty((len(betas), len(alphas)))
        flat = self.net.flat
        with np.errstate(over="ignore", invalid="ignore"):
            for j, b in enumerate(betas):
                for i, a in enumerate(alphas):
                    point(self.theta, d1, d2, a, b, out=flat)
                    losses[j, i] = self._loss()
        flat[...] = self.theta
        return losses

    def seconds_per_point(self, repeats=3):
        """The time one grid point takes (the best of a few), to size a bounded grid."""
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            self.loss_at(self.theta)
            best = min(best, time.perf_counter() - t0)
        return best


def points_for_budget(seconds_per_point, budget, n=SLICE_POINTS):
    """The largest odd grid side ≤ n (≥ MIN_POINTS) whose n² points fit the budget."""
    fit = int(np.sqrt(max(budget, 0.0) / max(seconds_per_point, 1e-9)))
    fit -= 1 - fit % 2
    return int(min(n, max(MIN_POINTS, fit)))


def loss_slice(net, X, y, d1, d2, span, n=SLICE_POINTS, l2=0.0, l1=0.0):
    """The full-batch loss on an n×n grid of the plane θ + a·d1 + b·d2 through ``net``'s
    current parameters θ, a and b in [−span, span] (n odd: the centre is θ itself).

    Returns ``(alphas, betas, losses)``: float64, ``losses[j, i]`` at
    (alphas[i], betas[j]); the network is not changed. A point where the loss overflows is
    inf."""
    if n < 3 or n % 2 == 0:
        raise ValueError(f"n must be an odd number ≥ 3; got {n}.")
    slicer = Slicer(net, X, y, l2, l1)
    axis = grid_axis(float(span), n)
    d1 = np.asarray(d1, dtype=np.float64)
    d2 = np.asarray(d2, dtype=np.float64)
    return axis, axis.copy(), slicer.grid(d1, d2, axis, axis)


DIRECTIONS = ("random", "pca")
RANDOM_SPAN = 1.0            # filter-normalised: a = ±1 moves every unit by its own norm
PATH_MARGIN = 1.25           # PCA: the grid spans the projected path with this margin
MIN_ASPECT = 0.1             # PCA: the second axis spans at least this share of the first


class Landscape:
    """One computed slice: the axes and losses (see :func:`loss_slice`), the directions,
    the projected path (``path_a``, ``path_b``; its last point is the current parameters)
    and, for PCA, the share of the path's squared distance the plane holds."""

    def __init__(self, kind, alphas, betas, losses, d1, d2, path_a, path_b, share, seconds):
        self.kind = kind
        self.alphas, self.betas, self.losses = alphas, betas, losses
        self.d1, self.d2 = d1, d2
        self.path_a, self.path_b = path_a, path_b
        self.share = share
        self.seconds = seconds

    @property
    def n(self):
        return len(self.alphas)

    @property
    def center_loss(self):
        m = self.n // 2
        return float(self.losses[m, m])


def landscape(net, X, y, l2=0.0, kind="random", trajectory=(), seed=0, budget=0.3,
              scale=1.0, n=SLICE_POINTS, l1=0.0):
    """The slice through ``net``'s parameters along ``kind`` directions ("random":
    filter-normalised from ``seed``, so that only the normalisation follows the weights from
    one refresh to the next; "pca": of ``trajectory`` (flat vectors, earlier parameters)
    and the current point), with the trajectory projected onto it. The grid has at most n
    points a side and fewer when n² forward passes would take longer than ``budget``
    seconds (timed on this network and data). ``scale`` multiplies the span.
    Raises ValueError for "pca" on a path that does not span two dimensions yet."""
    started = time.perf_counter()
    slicer = Slicer(net, X, y, l2, l1)
    theta = slicer.theta
    path = [np.asarray(t, dtype=np.float64) for t in trajectory] + [theta]
    share = None
    if kind == "random":
        d1, d2 = filter_normalized_directions(net, np.random.default_rng(seed))
    elif kind == "pca":
        d1, d2, share = pca_directions(path)
    else:
        raise ValueError(f"kind must be one of {DIRECTIONS}; got {kind!r}.")
    path_a, path_b = project(path, theta, d1, d2)
    if kind == "random":
        span_a = span_b = RANDOM_SPAN
    else:
        # each axis spans the path's own extent: its sideways swings along PC 2 are often a
        # few times smaller than its travel along PC 1, and are what this plane is for
        span_a = PATH_MARGIN * float(np.abs(path_a).max())
        span_b = max(PATH_MARGIN * float(np.abs(path_b).max()), MIN_ASPECT * span_a)
    span_a, span_b = (max(v * float(scale), 1e-6) for v in (span_a, span_b))
    n = points_for_budget(slicer.seconds_per_point(), budget, n)
    alphas, betas = grid_axis(span_a, n), grid_axis(span_b, n)
    losses = slicer.grid(d1, d2, alphas, betas)
    return Landscape(kind, alphas, betas, losses, d1, d2, path_a, path_b, share,
                     time.perf_counter() - started)
