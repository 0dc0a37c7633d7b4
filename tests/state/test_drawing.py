"""Painting data : add, erase, clear, the split rule, the cap, and the run
that carries on with its weights on the edited points."""

import math

import numpy as np
import pytest

from playground.engine.datasets import MIN_ROWS
from playground.engine.training import Trainer
from playground.state import drawing
from playground.state.drawing import MAX_POINTS, add_point, clear, erase_point, goes_to_test
from playground.state.playground import Playground
from playground.state.race import race_key


@pytest.fixture
def pg():
    return Playground()


def params(pg):
    return [p.copy() for p in pg.trainer.net.params()]


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def rows(d):
    """The data's points as a set of (x, y, label, "train" | "test")."""
    return ({(*map(float, x), int(c), "train") for x, c in zip(d.X_train, d.y_train)}
            | {(*map(float, x), int(c), "test") for x, c in zip(d.X_test, d.y_test)})


def test_an_edit_keeps_the_weights_and_training_goes_on_on_the_edited_points(pg):
    pg.step(25)
    net, before, history = pg.trainer.net, params(pg), pg.trainer.history
    assert add_point(pg, 0.3, -0.7, 1) is None
    tr = pg.trainer
    assert tr.net is net and same(before, params(pg))        # weights untouched by the edit
    assert tr.updates == 25 and tr.history is history       # the run's counters and curves
    d = pg.data
    assert np.array_equal(tr.X, d.X_train.astype(np.float32))
    assert np.array_equal(tr.y, d.y_train) and np.array_equal(tr.y_test, d.y_test)
    # the next update is plain full-batch gradient descent on the edited points: the oracle
    # is a fresh trainer from the same weights on the same points
    reference = Trainer(net.copy(), d.X_train, d.y_train, lr=tr.lr, l2=tr.l2)
    reference.step(1)
    pg.step(1)
    assert tr.updates == 26
    assert all(np.allclose(a, b, rtol=1e-6, atol=1e-7)
               for a, b in zip(params(pg), reference.net.params()))


def test_an_edit_keeps_the_optimizer_state(pg):
    pg.apply(pg.settings.with_changes(optimizer="adam", lr=0.01, lr_auto=False))
    pg.step(5)
    state = pg.trainer.state()["optimizer"]
    erase_point(pg, *pg.data.X_train[0], radius=1e-9)
    kept = pg.trainer.state()["optimizer"]
    assert state.keys() == kept.keys()
    assert all(np.array_equal(state[k], kept[k]) for k in state)


def test_a_new_point_lands_where_asked_in_its_class(pg):
    n = len(pg.data.X_all)
    add_point(pg, -0.25, 0.5, 2)
    d = pg.data
    assert len(d.X_all) == n + 1
    assert (-0.25, 0.5, 2) in {(float(x), float(y), int(c)) for (x, y), c in
                               zip(d.X_all, d.y_all)}
    assert d.painted is not None and d.source == "spiral (painted)"


def test_the_split_keeps_each_class_test_fraction_as_train_test_split_counts_it(pg):
    clear(pg)
    f = pg.settings.test_fraction
    seen = set()
    for i in range(60):
        add_point(pg, -1 + i / 30, (i % 7) / 7, i % 3)
        d = drawing.shown(pg)
        now = rows(d)
        assert seen <= now                                   # no point ever changes sets
        seen = now
        for k in range(3):
            size = int(np.sum(d.y_all == k))
            if size:
                expected = min(math.floor(size * f + 0.5), size - 1)
                assert int(np.sum(d.y_test == k)) == expected


def test_erasing_from_either_set_and_adding_again_restores_the_fraction(pg):
    d = pg.data
    f = pg.settings.test_fraction
    k = int(d.y_test[0])
    test_before = int(np.sum(d.y_test == k))
    for _ in range(3):                                      # three test points of class k
        j = int(np.flatnonzero(pg.data.y_test == k)[0])
        assert erase_point(pg, *pg.data.X_test[j], radius=1e-9)
    j = int(np.flatnonzero(pg.data.y_train == k)[0])
    assert erase_point(pg, *pg.data.X_train[j], radius=1e-9)   # and one training point
    assert int(np.sum(pg.data.y_test == k)) == test_before - 3
    for i in range(4):
        add_point(pg, 1.2, -1.2 + i / 10, k)
    size = int(np.sum(pg.data.y_all == k))
    assert int(np.sum(pg.data.y_test == k)) == min(math.floor(size * f + 0.5), size - 1)


def test_erase_takes_the_nearest_point_within_the_radius_only(pg):
    clear(pg)
    for x in (0.0, 0.1, 0.3, 0.6, 0.9):
        add_point(pg, x, 0.0, 0)
    assert not erase_point(pg, 0.2, 0.5, radius=0.1)                 # nothing that near
    assert erase_point(pg, 0.27, 0.02, radius=0.1)
    left = sorted(float(x) for x in drawing.shown(pg).X_all[:, 0])
    assert left == [0.0, 0.1, 0.6, 0.9]
    assert not erase_point(pg, float("nan"), 0.0)
    assert not erase_point(pg, 0.0, 0.2, "wide")       # a bad radius: the default, 0.08
    assert erase_point(pg, 0.0, 0.05, "wide")


def test_float_targets_split_as_one_set():
    y_train, y_test = np.array([0.5, -0.2, 0.9, 0.1]), np.array([0.3])
    # 6 points at 0.2 ask for round(1.2) = 1 test point: there is one
    assert not goes_to_test(y_train, y_test, 0.7, 0.2)
    assert goes_to_test(y_train, np.array([]), 0.7, 0.2)            # 5 · 0.2 = 1 wanted


def test_clear_holds_training_until_there_are_enough_points(pg):
    pg.step(3)
    weights = params(pg)
    clear(pg)
    assert drawing.points(pg) == 0 and drawing.missing(pg).startswith(f"at least {MIN_ROWS}")
    assert pg.step(10) == 0 and pg.step_epoch() == 0 and same(weights, params(pg))
    # a new network or a reset meanwhile builds on the points the run has: no crash
    pg.apply(pg.settings.with_changes(units=5))
    pg.reset()
    assert drawing.missing(pg) is not None
    weights = params(pg)
    for i in range(MIN_ROWS):
        add_point(pg, 0.2 * i, 0.1, i % 2)
        assert (drawing.missing(pg) is None) == (i == MIN_ROWS - 1)
    assert same(weights, params(pg))
    assert pg.step(2) == 2
    assert np.array_equal(pg.trainer.X, pg.data.X_train.astype(np.float32))
    assert len(pg.data.X_all) == MIN_ROWS


def test_the_plane_is_capped(pg):
    clear(pg)
    rng = np.random.default_rng(1)
    for x, y in rng.uniform(-1, 1, (MAX_POINTS, 2)):
        assert add_point(pg, x, y, int(x > 0)) is None
    assert drawing.points(pg) == MAX_POINTS
    refused = add_point(pg, 0.0, 0.0, 0)
    assert refused and f"{MAX_POINTS:,}" in refused
    assert drawing.points(pg) == MAX_POINTS
    assert erase_point(pg, *pg.data.X_all[0], radius=1e-9)          # erasing still works
    assert add_point(pg, 0.0, 0.0, 0) is None


def test_bad_clicks_are_refused_and_keep_the_data(pg):
    n = len(pg.data.X_all)
    assert add_point(pg, 5.0, 0.0, 0) and add_point(pg, "x", 0.0, 0)
    assert add_point(pg, 0.0, 0.0, 7) and add_point(pg, 0.0, 0.0, None)
    assert len(pg.data.X_all) == n and pg.data.painted is None


def test_settings_that_name_new_data_replace_the_painting_and_say_so(pg):
    add_point(pg, 0.0, 0.0, 0)
    notices = pg.apply(pg.settings.with_changes(noise=0.3))
    assert pg.data.painted is None and "painted points were replaced" in notices[0]
    add_point(pg, 0.0, 0.0, 0)
    assert pg.apply(pg.settings.with_changes(lr=0.3, lr_auto=False)) == []
    assert pg.data.painted is not None                       # training settings keep it


def test_an_edit_tells_a_race_the_data_moved_on(pg):
    key = race_key(pg.settings, pg.data)
    add_point(pg, 0.0, 0.0, 0)
    assert race_key(pg.settings, pg.data) != key


def test_a_regression_run_paints_target_values_and_keeps_its_task():
    pg = Playground(Playground().settings.with_changes(task="regression", dataset="plane",
                                                         lr=0.03, lr_auto=False, l2=0.0))
    pg.step(5)
    before = params(pg)
    n = len(pg.data.X_all)
    assert add_point(pg, 0.4, -0.6, 0.5) is None
    d = pg.data
    assert d.task == "regression" and pg.trainer.net.task == "regression"
    assert len(d.X_all) == n + 1 and same(before, params(pg))
    at = np.flatnonzero(np.all(np.isclose(d.X_all, [0.4, -0.6]), axis=1))
    assert len(at) == 1 and d.y_all[at[0]] == 0.5                    # its target, as a float
    for bad in (2.0, math.nan, "a"):
        assert add_point(pg, 0.1, 0.1, bad) is not None               # refused, data kept
    assert len(pg.data.X_all) == n + 1
    assert pg.step(3) == 3 and math.isfinite(pg.trainer.metrics["train_loss"])
