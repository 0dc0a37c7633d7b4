"""The network's shape and L1 in a visitor's playground: input features, a width per hidden
layer (or none), L1 on the running model, run files, and the lesson that needs them."""

import json
from pathlib import Path

import numpy as np
import pytest

from playground.engine.datasets import grid_points
from playground.engine.model import MLP
from playground.engine.runfiles import run_to_json, run_to_npz
from playground.state.lessons import BY_KEY
from playground.state.playground import DTYPE, Playground
from playground.state.race import Race
from playground.state.settings import DEFAULTS, clamp

RUNS = Path(__file__).resolve().parents[1] / "data" / "runs"


def settings(**changes):
    return clamp(DEFAULTS.with_changes(**changes))[0]


@pytest.mark.parametrize("features, widths", [
    (("x1", "x2"), (100,)),
    (("x1sq", "x2sq"), ()),
    (("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"), (8, 8, 4)),
    (("sinx2",), (3, 5)),
])
def test_the_playground_builds_the_network_the_settings_describe(features, widths):
    pg = Playground(settings(features=features, widths=widths))
    net = pg.trainer.net
    assert net.layer_sizes == [len(features), *widths, 3]
    assert net.features == (None if features == ("x1", "x2") else features)
    # the oracle: the engine's own network of that description, from the same seed
    same = MLP([len(features), *widths, 3], activation="relu", init="he", seed=0,
               dtype=DTYPE, features=None if features == ("x1", "x2") else features)
    assert all(np.array_equal(a, b) for a, b in zip(net.params(), same.params()))
    # the decision map reads raw points through the features, like predict_proba
    grid = pg.grid()
    expected = net.predict_proba(grid_points(grid.xs, grid.ys))
    np.testing.assert_allclose(grid.probs, expected, rtol=1e-5, atol=1e-6)


def test_features_start_a_new_run_l1_acts_on_the_running_one():
    pg = Playground()
    pg.step(5)
    trainer = pg.trainer
    assert pg.apply(pg.settings.with_changes(l1=1e-2)) == []
    assert pg.trainer is trainer and trainer.l1 == 1e-2 and trainer.updates == 5
    notices = pg.apply(pg.settings.with_changes(features=("x1", "x2", "x1x2")))
    assert "Network changed" in notices[0] and pg.trainer.updates == 0
    assert pg.trainer.l1 == 1e-2 and pg.trainer.net.layer_sizes[0] == 3


def test_an_update_with_l1_adds_l1_times_the_sign_of_each_weight():
    """The oracle: the gradient without L1 (the model's loss_and_grads), plus l1·sign(W)
    written out; biases get no L1 term."""
    l1, l2 = 0.01, 1e-3
    pg = Playground(settings(widths=(6, 4), l1=l1, l2=l2, lr=0.3, lr_auto=False))
    before = pg.trainer.net.copy()
    pg.step(1)
    d = pg.data
    _, grads = before.loss_and_grads(d.X_train, d.y_train, l2=l2, l1=0.0)
    for (dW, db), W, (got_dW, got_db) in zip(grads, before.weights, pg.trainer.last_grads):
        np.testing.assert_allclose(got_dW, dW + l1 * np.sign(W), rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(got_db, db, rtol=1e-4, atol=1e-6)


def test_a_run_file_carries_features_widths_and_l1():
    pg = Playground(settings(features=("x1", "x2sq", "sinx1"), widths=(7, 3), l1=1e-4,
                             optimizer="adam", lr=0.01, lr_auto=False))
    pg.step(12)
    for blob in (run_to_npz(pg.trainer, pg.export_extra()),
                 run_to_json(pg.trainer, pg.export_extra()).encode()):
        other = Playground()
        got = other.load_run_file(blob)
        assert (got.features, got.widths, got.l1) == (("x1", "x2sq", "sinx1"), (7, 3), 1e-4)
        assert other.trainer.net.features == ("x1", "x2sq", "sinx1") and other.trainer.l1 == 1e-4
        assert other.apply(got) == [] and other.trainer.updates == 12     # the run goes on
        X = pg.data.X_test
        np.testing.assert_array_equal(other.trainer.net.predict_proba(X),
                                      pg.trainer.net.predict_proba(X))


def test_a_run_file_of_before_features_and_l1_still_loads():
    pg = Playground(settings(features=("x1sq",), l1=0.1))
    got = pg.load_run_file((RUNS / "version1.json").read_bytes())
    assert (got.features, got.widths, got.l1) == (("x1", "x2"), (5,), 0.0)
    assert pg.trainer.net.features is None and pg.apply(got) == []
    pg.step(1)


def test_old_page_run_files_with_layers_and_units_in_their_settings_load():
    """Run files the page wrote before widths stored ``layers`` and ``units``; the network
    itself says what the widths are."""
    pg = Playground(settings(widths=(12, 12)))
    pg.step(2)
    meta = json.loads(run_to_json(pg.trainer, pg.export_extra()))
    stored = meta["extra"]["settings"]
    del stored["widths"], stored["features"], stored["l1"]
    stored.update(layers=2, units=12)
    other = Playground()
    got = other.load_run_file(json.dumps(meta).encode())
    assert got.widths == (12, 12) and other.trainer.updates == 2


def test_the_circles_lesson_separates_them_without_a_hidden_layer():
    lesson = BY_KEY["circle_features"].settings
    assert (lesson.dataset, lesson.widths, lesson.features) == ("circles", (), ("x1sq", "x2sq"))
    pg = Playground(lesson)
    assert pg.trainer.net.layer_sizes == [2, 2]
    pg.step(20)                                 # "within a few updates"
    metrics = pg.trainer.evaluate()
    assert metrics["train_acc"] >= 0.95 and metrics["test_acc"] >= 0.95
    # what the lesson says next: the raw inputs cannot do it, eight ReLUs can
    pg.apply(pg.settings.with_changes(features=("x1", "x2")))
    pg.step(200)
    assert pg.trainer.evaluate()["train_acc"] < 0.6
    pg.apply(pg.settings.with_changes(widths=(8,)))
    pg.step(300)
    assert pg.trainer.evaluate()["train_acc"] >= 0.95


def test_a_race_runs_the_pages_network_with_its_features_and_l1():
    pg = Playground(settings(features=("x1sq", "x2sq", "x1x2"), widths=(5,), l1=1e-3))
    race = Race(pg.settings, pg.data)
    for runner in race.runners:
        assert runner.trainer.net.features == ("x1sq", "x2sq", "x1x2")
        assert runner.trainer.l1 == 1e-3
    xs, ys, probs = race.grids(resolution=12)
    for runner, p in zip(race.runners, probs):
        expected = runner.trainer.net.predict_proba(grid_points(xs, ys))
        np.testing.assert_allclose(p, expected, rtol=1e-5, atol=1e-6)


def test_a_linear_model_that_stalls_is_told_what_it_lacks():
    """The circles on x₁, x₂ without a hidden layer: the loss stays at ln 2, and the banner
    names the missing hidden layer (not the learning rate, which is fine)."""
    from playground.state.guards import stall

    lesson = BY_KEY["circle_features"].settings
    pg = Playground(lesson.with_changes(features=("x1", "x2")))
    pg.step(150)
    found = stall(pg)
    assert found is not None and "ln 2" in found.what
    assert "without a hidden layer" in found.cause and "x₁, x₂" in found.cause
    pg = Playground(lesson)                  # the lesson itself never stalls
    pg.step(150)
    assert stall(pg) is None
