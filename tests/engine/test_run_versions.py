"""Run-file version 2 (input features, regression, L1) and the version-1 files written before
it: tests/data/runs/version1.{json,npz} were exported by the code on main at f96aca7, and
version1_continued.json holds that code's parameters after 7 more updates."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from playground.engine.model import MLP
from playground.engine.runfiles import RunFileError, load_run, run_to_json, run_to_npz
from playground.engine.runfiles.schema import VERSION
from playground.engine.training import Trainer

RUNS = Path(__file__).parents[1] / "data" / "runs"


@pytest.mark.parametrize("name", ["version1.json", "version1.npz"])
def test_a_version_1_file_loads_and_continues_as_the_old_code_did(name):
    data = (RUNS / name).read_bytes()
    if name.endswith(".json"):
        assert json.loads(data)["version"] == 1 and "features" not in json.loads(data)["model"]
    tr, extra = load_run(data)
    assert extra == ({"note": "written by the code before run-file version 2"}
                     if name.endswith(".json") else {})
    assert tr.net.features is None and tr.net.task == "classification" and tr.l1 == 0.0
    assert (tr.updates, tr.optimizer, tr.batch_size, tr.l2) == (11, "momentum", 8, 1e-3)
    assert tr.step(7) == 7
    old = json.loads((RUNS / "version1_continued.json").read_text())
    np.testing.assert_array_equal(tr.net.weights[0], np.array(old["W1_after_18"]))
    assert tr.last_loss == old["loss_after_18"]
    again = json.loads(run_to_json(tr))                    # saved again: version 2
    assert again["version"] == VERSION == 2
    assert again["model"]["features"] is None and again["trainer"]["l1"] == 0.0


def test_a_version_1_file_with_version_2_fields_reads_them_as_version_1_meant():
    meta = json.loads((RUNS / "version1.json").read_text())
    meta["model"]["features"] = ["x1sq"]             # version 1 had no such field: ignored
    meta["trainer"]["l1"] = -5
    tr, _ = load_run(json.dumps(meta))
    assert tr.net.features is None and tr.l1 == 0.0


def run(kind, export=run_to_json, steps=9):
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(50, 2))
    if kind == "regression":
        net = MLP([4, 7, 1], activation="tanh", seed=3, features=["x1", "x2", "x1x2", "sinx1"],
                  task="regression", dtype="float32")
        y = np.sin(2 * X[:, 0]) * X[:, 1]
    else:
        net = MLP([2, 3], seed=3, features=["x1sq", "x2sq"])          # no hidden layer
        y = (X ** 2).sum(axis=1).round().astype(np.int64).clip(0, 1)
    tr = Trainer(net, X[:40], y[:40], X[40:], y[40:], lr=0.1, batch_size=7, optimizer="adam",
                 l1=0.003, l2=1e-4, seed=5)
    tr.step(steps)
    return tr


@pytest.mark.parametrize("export", [run_to_json, run_to_npz])
@pytest.mark.parametrize("kind", ["regression", "features"])
def test_version_2_fields_round_trip_and_the_run_continues_exactly(kind, export):
    a = run(kind)
    b, _ = load_run(export(a))
    assert b.net.features == a.net.features and b.net.task == a.net.task
    assert b.l1 == 0.003 and b.net.layer_sizes == a.net.layer_sizes
    np.testing.assert_array_equal(b.y, a.y)
    assert b.y.dtype == a.y.dtype == (np.float64 if kind == "regression" else np.int64)
    np.testing.assert_array_equal(b.X, a.X)                 # raw points, not features
    reference = run(kind, steps=9 + 12)
    b.step(12)
    assert all(np.array_equal(p, q) for p, q in zip(reference.net.params(), b.net.params()))
    ref_ev, b_ev = reference.history.evals.as_dict(), b.history.evals.as_dict()
    np.testing.assert_array_equal(ref_ev["train_loss"], b_ev["train_loss"])
    if kind == "regression":
        assert np.isnan(b_ev["train_acc"]).all()


def tampered(kind, edit):
    meta = json.loads(run_to_json(run(kind)))
    edit(meta)
    return json.dumps(meta)


def _set_y(value):
    def edit(meta):
        meta["arrays"]["y"]["data"][0] = value
    return edit


@pytest.mark.parametrize("kind, edit, message", [
    ("features", lambda m: m["model"].update(features=["x1sq", "x3"]),
     r"model\.features: Unknown feature 'x3'"),
    ("features", lambda m: m["model"].update(features=["x1sq", "x1sq"]),
     r"model\.features: Each feature may be chosen once"),
    ("features", lambda m: m["model"].update(features="x1sq"), r"model\.features"),
    ("features", lambda m: m["model"].update(features=[]), r"model\.features"),
    ("features", lambda m: m["model"].update(features=["x1sq", "x2sq", "x1x2"]),
     r"model\.layer_sizes\[0\] must equal the number of model\.features \(3\); got 2"),
    ("regression", lambda m: m["model"].update(features=None),
     r"model\.layer_sizes\[0\] must equal the number of model\.features \(2\); got 4"),
    ("regression", lambda m: m["model"].update(layer_sizes=[4, 7, 2]),
     r"model\.layer_sizes\[-1\]: Regression has one output unit; got 2"),
    ("features", lambda m: m["model"].update(layer_sizes=[2, 1]),
     r"model\.layer_sizes\[-1\]: The softmax output needs at least 2 classes"),
    ("features", lambda m: m["model"].update(task="ranking"), r"model\.task must be one of"),
    ("features", lambda m: m["model"].pop("task"), r"model\.task must be one of"),
    ("features", lambda m: m["trainer"].update(l1=-0.5), r"trainer\.l1 .*≥ 0; got -0\.5"),
    ("features", lambda m: m["trainer"].update(l1=float("nan")), r"trainer\.l1 .*got nan"),
    ("features", lambda m: m["trainer"].pop("l1"), r"trainer\.l1 .*got None"),
    ("regression", _set_y(float("nan")), r"Array 'y' contains NaN"),
    ("regression", _set_y(2e6), r"Array 'y' \(regression targets\) must lie within ±1e\+06"),
    ("features", _set_y(3), r"Labels must lie in 0\.\.2"),
    ("features", lambda m: m.update(version=3), r"version 3 is not supported .*1\.\.2"),
])
def test_version_2_fields_out_of_domain_are_refused_naming_the_field(kind, edit, message):
    with pytest.raises(RunFileError, match=message):
        load_run(tampered(kind, edit))


def test_features_of_the_same_count_load_as_another_network():
    """The features are the network's inputs: any of the right count make a valid run."""
    meta = json.loads(run_to_json(run("features")))
    meta["model"]["features"] = ["x2sq", "x1sq"]            # same count, another order: loads
    tr, _ = load_run(json.dumps(meta))
    assert tr.net.features == ("x2sq", "x1sq") and math.isfinite(tr.evaluate()["train_loss"])
