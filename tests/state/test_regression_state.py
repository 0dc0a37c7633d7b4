"""Regression on the page's state: settings and their URL form, a regression Playground that
trains, its map, replay, run files and the stall guard."""

import numpy as np
import pytest

from playground.engine.datasets import grid_points
from playground.engine.runfiles import run_to_json, run_to_npz
from playground.state.guards import stall
from playground.state.playground import Playground
from playground.state.settings import DEFAULTS, auto_lr, clamp, from_query, to_query

REGRESSION = "regression"

REG = DEFAULTS.with_changes(task=REGRESSION, dataset="plane", l2=0.0)


@pytest.fixture(scope="module")
def trained():
    """A regression run on "plane" after 300 updates of the page's defaults."""
    pg = Playground(from_query({"task": "regression"})[0])
    assert pg.settings.lr_auto and pg.settings.l2 == 0.0
    for _ in range(30):
        pg.step(10)
    return pg


def test_the_url_names_the_task_and_a_regression_set_implies_it():
    settings, warnings = from_query({"task": "regression"})
    assert (settings.task, settings.dataset, warnings) == (REGRESSION, "plane", [])
    assert to_query(settings) == {"task": "regression", "data": "plane", "v": "2"}
    assert from_query(to_query(settings))[0] == settings
    # data=gaussians alone is a regression link
    settings, warnings = from_query({"data": "gaussians", "v": "2"})
    assert (settings.task, settings.dataset, warnings) == (REGRESSION, "gaussians", [])
    # a classification set under regression becomes plane, and says so
    settings, warnings = from_query({"task": "regression", "data": "moons", "v": "2"})
    assert settings.dataset == "plane" and "moons" in warnings[0]
    settings, warnings = from_query({"task": "regression", "data": "upload CSV", "v": "2"})
    assert settings.dataset == "plane" and warnings
    settings, warnings = from_query({"task": "ranking", "v": "2"})
    assert settings.task == "classification" and "ranking" in warnings[0]
    assert "task" not in to_query(DEFAULTS)


def test_regression_gets_its_own_automatic_learning_rate_and_no_l2():
    """A linear output has no softmax to bound it: the classification rate (1 for the
    default) kills the ReLUs, and the network ends up no better than the targets' mean; the
    automatic regression rate fits the plane."""
    settings = clamp(REG)[0]
    assert settings.lr == auto_lr(settings) < auto_lr(DEFAULTS)
    assert from_query({"task": "regression"})[0].l2 == 0.0
    losses = {}
    for lr in (auto_lr(DEFAULTS), settings.lr):
        pg = Playground(settings.with_changes(lr=lr, lr_auto=False, l2=0.0))
        pg.step(300)
        losses[lr] = pg.trainer.metrics["train_loss"] / (0.5 * np.var(pg.data.y_train))
    assert losses[auto_lr(DEFAULTS)] > 0.9 and losses[settings.lr] < 0.1, losses


def test_a_regression_playground_has_float_targets_one_linear_output_and_a_random_split():
    pg = Playground(clamp(REG)[0])
    d, net = pg.data, pg.trainer.net
    assert d.task == REGRESSION and d.y_train.dtype.kind == "f"
    assert np.abs(d.y_all).max() <= 1.0
    assert net.task == REGRESSION and net.layer_sizes == [2, 100, 1]
    # 300 points, test fraction 0.2: 60 random ones held out (no classes to stratify)
    assert (len(d.X_train), len(d.X_test)) == (240, 60)
    assert len({tuple(p) for p in d.X_train} & {tuple(p) for p in d.X_test}) == 0


def test_a_regression_run_learns_far_below_predicting_the_mean(trained):
    """The reference: the best constant prediction, the training targets' mean, has the loss
    ½·Var(y). A network that learned the plane is well below it, on train and test."""
    d, tr = trained.data, trained.trainer
    constant = 0.5 * np.var(d.y_train)
    assert tr.metrics["train_loss"] < 0.1 * constant
    assert tr.metrics["test_loss"] < 0.1 * 0.5 * np.mean((d.y_test - d.y_train.mean()) ** 2)
    # the loss is the mean ½(ŷ − y)², written out
    yhat = tr.net.predict(d.X_train)
    assert tr.metrics["train_loss"] == pytest.approx(0.5 * np.mean((yhat - d.y_train) ** 2)
                                                     + 0.5 * tr.l2 * sum(
                                                         float((W.astype(float) ** 2).sum())
                                                         for W in tr.net.weights), rel=1e-4)
    assert np.isnan(tr.metrics["train_acc"]) and np.isnan(tr.metrics["test_acc"])


def test_the_grid_holds_the_predicted_values(trained):
    grid = trained.grid()
    values = trained.trainer.net.predict(grid_points(grid.xs, grid.ys))
    assert grid.probs.shape == (len(grid.xs) * len(grid.ys), 1)
    assert np.allclose(grid.values, values, atol=1e-6)


def test_replay_predicts_with_a_snapshots_parameters(trained):
    snaps = trained.snapshots
    points = np.array([[0.5, 0.5], [-0.5, -0.25]])
    first = trained.probabilities_at(snaps.params[0], points)
    net = trained.trainer.net.copy()
    net.set_params(snaps.params[0])
    assert first.shape == (2, 1) and np.allclose(first[:, 0], net.predict(points))
    assert not np.allclose(first, trained.probabilities_at(snaps.params[-1], points))


def test_switching_the_task_starts_a_new_run_on_matching_data():
    pg = Playground()
    pg.step(3)
    notices = pg.apply(clamp(DEFAULTS.with_changes(task=REGRESSION))[0])
    assert "New data (plane)" in notices[0] and pg.trainer.updates == 0
    assert pg.trainer.net.task == REGRESSION
    notices = pg.apply(DEFAULTS)
    assert "New data (spiral)" in notices[0] and pg.trainer.net.layer_sizes[-1] == 3


@pytest.mark.parametrize("to_bytes", [run_to_json, run_to_npz])
def test_a_regression_run_file_round_trips(trained, to_bytes):
    blob = to_bytes(trained.trainer, trained.export_extra())
    blob = blob.encode() if isinstance(blob, str) else blob
    other = Playground()
    settings = other.load_run_file(blob)
    assert settings.task == REGRESSION and settings.dataset == "plane"
    assert other.data.task == REGRESSION and other.trainer.net.task == REGRESSION
    assert np.array_equal(other.data.y_train, trained.data.y_train)
    points = np.array([[0.1, 0.2], [-0.7, 0.4]])
    assert np.array_equal(other.trainer.net.predict(points), trained.trainer.net.predict(points))
    # the page keeps the imported run when it applies the settings it shows
    trainer = other.trainer
    assert other.apply(settings) == [] and other.trainer is trainer
    other.step(1)
    assert other.trainer.updates == trained.trainer.updates + 1


def test_the_stall_guard_stays_quiet_on_a_learning_regression_run(trained):
    # accuracy is NaN and ln 1 = 0: neither may read as a stall
    assert trained.trainer.updates >= 200 and stall(trained) is None


def test_the_stall_guard_still_names_dead_units_in_regression():
    pg = Playground(clamp(REG)[0])
    # every ReLU below zero on every point (|x·W| is far below 100): dead, no gradient back
    pg.trainer.net.biases[0][...] = -100.0
    pg.step(150)
    found = stall(pg)
    assert found is not None and "100% of layer 1's units are dead" in found.what
    assert "ln" not in found.what and "chance" not in found.what


def test_the_landscape_slices_the_regression_loss(trained):
    """At the centre of the slice the loss is the run's own ½(ŷ − y)² (no L2 here)."""
    from playground.engine.landscape import Slicer
    d, net = trained.data, trained.trainer.net
    slicer = Slicer(net, d.X_train, d.y_train)
    yhat = net.astype("float64").predict(d.X_train)
    assert slicer.loss_at(slicer.theta) == pytest.approx(
        0.5 * np.mean((yhat - d.y_train) ** 2), rel=1e-9)
