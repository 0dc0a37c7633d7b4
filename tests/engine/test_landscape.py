"""The loss landscape: a slice's centre is the current loss, its points are θ + a·d1 + b·d2
exactly, random directions are filter-normalised, PCA directions orthonormal, projections
recover plane coordinates."""

import numpy as np
import pytest

from playground.engine.landscape import (
    MIN_POINTS,
    filter_normalized_directions,
    flatten,
    grid_axis,
    landscape,
    loss_slice,
    pca_directions,
    point,
    points_for_budget,
    project,
)
from playground.engine.model import MLP
from playground.engine.training import Trainer


def trained(spiral, dtype="float32", hidden=(16,), activation="relu", updates=30):
    X, y = spiral
    net = MLP([2, *hidden, 3], activation=activation, seed=3, dtype=dtype)
    tr = Trainer(net, X, y, lr=0.5, l2=1e-3)
    tr.step(updates)
    return tr


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("l2", [0.0, 1e-3])
def test_the_centre_of_a_slice_is_the_current_loss(spiral, dtype, l2):
    tr = trained(spiral, dtype)
    X, y = spiral
    d1, d2 = filter_normalized_directions(tr.net, np.random.default_rng(0))
    alphas, betas, losses = loss_slice(tr.net, X, y, d1, d2, span=1.0, n=9, l2=l2)
    assert losses.dtype == np.float64 and losses.shape == (9, 9)
    assert alphas[4] == 0.0 and betas[4] == 0.0
    # the oracle: the model's own loss, on a float64 copy of the same parameters
    expected, _ = tr.net.astype("float64").loss_and_grads(X, y, l2=l2)
    assert abs(losses[4, 4] - expected) <= 1e-12 * max(1.0, expected)


def test_every_grid_point_is_the_loss_at_theta_plus_a_d1_plus_b_d2(spiral):
    tr = trained(spiral, "float64", hidden=(6, 5), activation="tanh")
    X, y = spiral
    rng = np.random.default_rng(1)
    d1, d2 = rng.standard_normal((2, tr.net.n_params)) * 0.3
    alphas, betas, losses = loss_slice(tr.net, X, y, d1, d2, span=0.5, n=5, l2=1e-3)
    theta = tr.net.flat.copy()
    for j, i in [(0, 0), (1, 3), (4, 2), (2, 4)]:
        other = tr.net.astype("float64")
        other.flat[...] = theta + alphas[i] * d1 + betas[j] * d2
        expected, _ = other.loss_and_grads(X, y, l2=1e-3)
        assert abs(losses[j, i] - expected) <= 1e-12 * expected
    assert np.array_equal(tr.net.flat, theta)          # the network is left as it was


def test_moving_along_a_direction_by_t_moves_the_parameters_by_t_times_it():
    rng = np.random.default_rng(2)
    theta, d1, d2 = rng.standard_normal((3, 50))
    for t in (0.25, -0.75, 1.0, 0.1):
        moved = point(theta, d1, d2, t, 0.0)
        assert np.array_equal(moved, theta + t * d1)
        np.testing.assert_allclose(moved - theta, t * d1, rtol=0, atol=1e-15)
        assert np.array_equal(point(theta, d1, d2, 0.0, t), theta + 0.0 * d1 + t * d2)
    assert np.array_equal(point(theta, d1, d2, 0.0, 0.0), theta)


def test_random_directions_are_filter_normalised():
    net = MLP([2, 7, 5, 3], seed=4)
    net.biases[0][...] = 0.3                     # biases must not leak into the directions
    net.weights[1][:, 2] = 0.0                   # a zero column gets a zero direction
    d1, d2 = filter_normalized_directions(net, np.random.default_rng(0))
    assert not np.allclose(d1, d2)
    for d in (d1, d2):
        carrier = net.astype("float64")
        carrier.flat[...] = d
        for W, D, b in zip(net.weights, carrier.weights, carrier.biases):
            np.testing.assert_allclose(np.linalg.norm(D, axis=0), np.linalg.norm(W, axis=0),
                                       rtol=1e-12, atol=0)
            assert not b.any()
        assert not carrier.weights[1][:, 2].any()


def test_random_directions_repeat_for_a_seed():
    net = MLP([2, 8, 3], seed=0)
    a = filter_normalized_directions(net, np.random.default_rng(5))
    b = filter_normalized_directions(net, np.random.default_rng(5))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_pca_directions_are_orthonormal_and_span_a_planar_path():
    rng = np.random.default_rng(3)
    center = rng.standard_normal(40)
    u, v = np.linalg.qr(rng.standard_normal((40, 2)))[0].T
    coords = rng.standard_normal((12, 2))
    path = [center + a * u + b * v for a, b in coords] + [center]
    d1, d2, share = pca_directions(path)
    D = np.stack([d1, d2])
    np.testing.assert_allclose(D @ D.T, np.eye(2), atol=1e-12)
    assert share == pytest.approx(1.0, abs=1e-12)
    # the path lies in the plane: its projection reproduces every point
    a, b = project(path, center, d1, d2)
    rebuilt = center + np.outer(a, d1) + np.outer(b, d2)
    np.testing.assert_allclose(rebuilt, np.asarray(path), atol=1e-12)


def test_pca_needs_a_path_that_spans_two_dimensions():
    with pytest.raises(ValueError):
        pca_directions([np.zeros(5), np.ones(5)])
    with pytest.raises(ValueError):
        pca_directions([np.zeros(5), np.ones(5), 2 * np.ones(5)])    # a straight line


def test_projection_recovers_the_coordinates_of_a_point_in_the_plane():
    rng = np.random.default_rng(4)
    center, d1, d2 = rng.standard_normal((3, 30))          # not orthogonal, not unit
    coords = np.array([[0.5, -1.25], [2.0, 0.0], [0.0, 0.0], [-0.3, 0.7]])
    pts = [center + a * d1 + b * d2 for a, b in coords]
    a, b = project(pts, center, d1, d2)
    np.testing.assert_allclose(np.c_[a, b], coords, atol=1e-12)
    # a point off the plane lands on its nearest point of the plane
    off = pts[0] + np.linalg.svd(np.stack([d1, d2]))[2][5]   # a vector ⟂ d1, d2
    a, b = project([off], center, d1, d2)
    np.testing.assert_allclose([a[0], b[0]], coords[0], atol=1e-12)


def test_flatten_matches_the_networks_own_layout():
    net = MLP([2, 4, 3], seed=1, dtype="float32")
    flat = flatten(net, net.params())
    assert flat.dtype == np.float64
    assert np.array_equal(flat, net.flat.astype(np.float64))


def test_grid_axis_is_symmetric_with_an_exact_zero():
    axis = grid_axis(0.7, 41)
    assert len(axis) == 41 and axis[20] == 0.0
    assert np.array_equal(axis, -axis[::-1]) and axis[0] == -0.7 and axis[-1] == 0.7


def test_the_grid_shrinks_to_fit_the_budget():
    assert points_for_budget(1e-6, 1.0) == 41
    assert points_for_budget(1e-3, 0.3) == 17                # 17² = 289 points ≤ 300
    assert points_for_budget(1.0, 0.3) == MIN_POINTS
    assert all(points_for_budget(s, 0.3) % 2 for s in (1e-5, 2e-4, 7e-4, 3e-3))


@pytest.mark.parametrize("kind", ["random", "pca"])
def test_landscape_projects_the_path_and_ends_at_the_current_point(spiral, kind):
    X, y = spiral
    net = MLP([2, 10, 3], seed=0, dtype="float32")
    tr = Trainer(net, X, y, lr=0.5, l2=1e-3)
    path = []
    for _ in range(6):
        path.append(flatten(net, net.params()))
        tr.step(5)
    land = landscape(net, X, y, l2=1e-3, kind=kind, trajectory=path, n=11)
    assert land.n == 11 and land.losses.shape == (11, 11)
    assert land.path_a[-1] == pytest.approx(0, abs=1e-9)
    assert land.path_b[-1] == pytest.approx(0, abs=1e-9)
    assert land.center_loss == pytest.approx(tr.evaluate()["train_loss"], rel=1e-5)
    if kind == "pca":
        assert 0 < land.share <= 1
        # the grid spans the projected path
        assert np.abs(land.path_a).max() <= land.alphas[-1]
        assert np.abs(land.path_b).max() <= land.betas[-1]


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_slice_covers_features_l1_and_regression(spiral, task):
    X, labels = spiral
    regression = task == "regression"
    y = np.tanh(X[:, 0] + X[:, 1] ** 2) if regression else labels
    feats = ["x1", "x2", "x1sq", "sinx2"]
    net = MLP([4, 7, 1 if regression else 3], activation="tanh", seed=2, features=feats,
              task=task)
    tr = Trainer(net, X, y, lr=0.1, l1=1e-3)
    tr.step(10)
    rng = np.random.default_rng(2)
    d1, d2 = rng.standard_normal((2, net.n_params)) * 0.2
    alphas, betas, losses = loss_slice(net, X, y, d1, d2, span=0.5, n=5, l2=1e-3, l1=1e-3)
    for j, i in [(2, 2), (0, 4), (3, 1)]:
        other = net.copy()
        other.flat[...] = net.flat + alphas[i] * d1 + betas[j] * d2
        expected, _ = other.loss_and_grads(X, y, l2=1e-3, l1=1e-3)
        assert abs(losses[j, i] - expected) <= 1e-12 * expected
    assert abs(losses[2, 2] - (tr.evaluate()["train_loss"]
                               + 0.5e-3 * sum((W ** 2).sum() for W in net.weights))) <= 1e-12
