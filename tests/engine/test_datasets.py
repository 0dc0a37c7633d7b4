"""Tests for playground.engine.datasets: generators, the grid, and the stratified split."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from playground.engine.datasets import (
    CLASS_RANGE,
    DATASETS,
    MAX_SAMPLES,
    DatasetError,
    classes_for,
    grid_axes,
    grid_points,
    make_dataset,
    train_test_split,
)


def rows_multiset(X, y):
    return Counter(zip(map(tuple, np.asarray(X).tolist()), np.asarray(y).tolist(), strict=True))


# --------------------------------------------------------------------------- make_dataset


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("n_samples", [4, 7, 301])
def test_dataset_shape_dtype_labels_and_balance(name, n_samples):
    k = classes_for(name, 3)
    X, y = make_dataset(name, n_samples=n_samples, noise=0.1, n_classes=3, seed=1)
    assert X.shape == (n_samples, 2) and X.dtype == np.float64
    assert y.shape == (n_samples,) and y.dtype == np.int64
    assert set(y.tolist()) == set(range(k))
    counts = np.bincount(y, minlength=k)
    assert counts.max() - counts.min() <= 1
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_dataset_is_scaled_to_about_unit_square(name, noise):
    X, _ = make_dataset(name, n_samples=1000, noise=noise, seed=3)
    assert np.abs(X).max() <= 1.5
    assert np.abs(X).max() >= 0.5          # not squashed into a corner either


@pytest.mark.parametrize("name", DATASETS)
def test_dataset_is_deterministic_per_seed(name):
    X1, y1 = make_dataset(name, n_samples=200, noise=0.2, seed=5)
    X2, y2 = make_dataset(name, n_samples=200, noise=0.2, seed=5)
    X3, y3 = make_dataset(name, n_samples=200, noise=0.2, seed=6)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_global_random_state_is_not_used():
    np.random.seed(0)
    X1, _ = make_dataset("moons", seed=2)
    np.random.seed(99)
    X2, _ = make_dataset("moons", seed=2)
    np.testing.assert_array_equal(X1, X2)


@pytest.mark.parametrize("name", DATASETS)
def test_rows_are_shuffled_not_ordered_by_class(name):
    _, y = make_dataset(name, n_samples=300, seed=0)
    assert np.count_nonzero(np.diff(y)) > 20


@pytest.mark.parametrize("k", range(2, 7))
def test_spiral_has_k_arms(k):
    X, y = make_dataset("spiral", n_samples=60 * k, noise=0.0, n_classes=k)
    assert np.bincount(y).tolist() == [60] * k
    assert np.linalg.norm(X, axis=1).max() <= 1.0 + 1e-12


@pytest.mark.parametrize("name", ["moons", "circles", "xor"])
@pytest.mark.parametrize("requested", [1, 3, 10])
def test_binary_datasets_clamp_the_class_count(name, requested):
    assert classes_for(name, requested) == 2
    _, y = make_dataset(name, n_classes=requested)
    assert sorted(set(y.tolist())) == [0, 1]


@pytest.mark.parametrize("name", DATASETS)
def test_class_count_is_clamped_into_range(name):
    low, high = CLASS_RANGE[name]
    assert classes_for(name, 0) == low
    assert classes_for(name, 99) == high
    _, y = make_dataset(name, n_samples=120, n_classes=99)
    assert y.max() + 1 == high


def test_checkerboard_colours_cells_by_i_plus_j_mod_k():
    for k in (2, 3, 4):
        X, y = make_dataset("checkerboard", n_samples=400, noise=0.0, n_classes=k)
        cells = np.clip(np.floor((X + 1.0) / 0.5).astype(int), 0, 3)
        np.testing.assert_array_equal((cells[:, 0] + cells[:, 1]) % k, y)


def test_xor_labels_follow_the_quadrant_sign_and_avoid_the_axes():
    X, y = make_dataset("xor", n_samples=400, noise=0.0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))
    assert np.abs(X).min() >= 0.06


def test_circles_inner_class_is_inside():
    X, y = make_dataset("circles", n_samples=200, noise=0.0)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.5)


@pytest.mark.parametrize("kwargs, fragment", [
    ({"name": "swirl"}, "Unknown dataset 'swirl'; choose one of spiral, moons"),
    ({"name": "spiral", "n_samples": 3}, "n_samples must be between 4 and"),
    ({"name": "spiral", "n_samples": MAX_SAMPLES + 1}, "n_samples must be between"),
    ({"name": "spiral", "n_samples": 100.0}, "n_samples must be an integer"),
    ({"name": "spiral", "n_samples": 5, "n_classes": 6}, "too few for 6 classes"),
    ({"name": "moons", "noise": -0.1}, "noise must be between 0 and 1"),
    ({"name": "moons", "noise": 1.5}, "noise must be between 0 and 1"),
    ({"name": "moons", "noise": float("nan")}, "noise must be between 0 and 1"),
    ({"name": "moons", "noise": "lots"}, "noise must be a number"),
    ({"name": "blobs", "n_classes": "3"}, "n_classes must be an integer"),
])
def test_bad_arguments_raise_dataset_error(kwargs, fragment):
    with pytest.raises(DatasetError) as info:
        make_dataset(**kwargs)
    assert fragment in str(info.value)


def test_dataset_error_is_a_value_error():
    assert issubclass(DatasetError, ValueError)


# --------------------------------------------------------------------------- grid


def test_grid_covers_unit_square_plus_margin_and_the_data():
    xs, ys = grid_axes(np.array([[0.0, 0.0], [0.5, 0.2]]), resolution=50)
    assert len(xs) == len(ys) == 50
    assert xs[0] == pytest.approx(-1.3) and xs[-1] == pytest.approx(1.3)
    xs, ys = grid_axes(np.array([[-3.0, 0.0], [1.0, 4.0]]), resolution=10, margin=0.0)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == pytest.approx((-3, 1, -1, 4))


def test_grid_points_are_row_major_like_a_heatmap():
    xs, ys = np.linspace(0, 1, 5), np.linspace(10, 12, 3)
    P = grid_points(xs, ys)
    assert P.shape == (15, 2)
    img = P.reshape(len(ys), len(xs), 2)
    assert np.array_equal(img[2, 4], [xs[4], ys[2]])
    assert np.array_equal(img[1, :, 0], xs) and np.all(img[1, :, 1] == ys[1])


# --------------------------------------------------------------------------- train_test_split


def test_split_is_stratified_and_partitions_the_rows():
    X, y = make_dataset("blobs", n_samples=300, n_classes=3, seed=4)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, test_fraction=0.2, seed=1)
    assert np.bincount(y_te).tolist() == [20, 20, 20]
    assert np.bincount(y_tr).tolist() == [80, 80, 80]
    assert rows_multiset(X_tr, y_tr) + rows_multiset(X_te, y_te) == rows_multiset(X, y)
    assert not set(rows_multiset(X_tr, y_tr)) & set(rows_multiset(X_te, y_te))


def test_split_rounds_per_class_and_keeps_one_training_point():
    y = np.array([0] * 7 + [1] * 3 + [2] * 1)
    X = np.arange(22, dtype=float).reshape(11, 2)
    _, y_tr, _, y_te = train_test_split(X, y, test_fraction=0.9, seed=0)
    assert np.bincount(y_te, minlength=3).tolist() == [6, 2, 0]    # round(6.3), round(2.7), 0
    assert np.bincount(y_tr, minlength=3).tolist() == [1, 1, 1]


def test_split_is_deterministic_and_returns_copies():
    X, y = make_dataset("moons", n_samples=100)
    first = train_test_split(X, y, 0.3, seed=8)
    second = train_test_split(X, y, 0.3, seed=8)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], train_test_split(X, y, 0.3, seed=9)[0])
    first[0][:] = 123.0
    assert not np.any(X == 123.0)


def test_split_with_zero_test_fraction_keeps_everything():
    X, y = make_dataset("xor", n_samples=50)
    X_tr, y_tr, X_te, y_te = train_test_split(X, y, test_fraction=0.0)
    assert X_te.shape == (0, 2) and y_te.shape == (0,) and y_te.dtype == y.dtype
    assert rows_multiset(X_tr, y_tr) == rows_multiset(X, y)


@pytest.mark.parametrize("fraction", [-0.1, 0.95, float("nan"), "half"])
def test_split_rejects_bad_fraction(fraction):
    X, y = make_dataset("xor", n_samples=50)
    with pytest.raises(DatasetError, match="test_fraction"):
        train_test_split(X, y, test_fraction=fraction)


def test_split_rejects_mismatched_shapes():
    with pytest.raises(DatasetError, match="shapes"):
        train_test_split(np.zeros((5, 2)), np.zeros(4, dtype=int))
