"""The task table: each task's output layer, datasets, map and automatic learning rate, and
that everything outside it asks the table instead of comparing task names."""

import re
from pathlib import Path

import numpy as np
import pytest

from playground import figures
from playground.engine.datasets import make_dataset
from playground.engine.model import MLP
from playground.engine.tasks import CLASSIFICATION, REGRESSION, TASKS, task, task_of_dataset
from playground.state.settings import DEFAULTS, auto_lr

PACKAGE = Path(__file__).resolve().parents[2] / "playground"


@pytest.mark.parametrize("name", TASKS)
def test_each_task_builds_its_network_and_draws_its_map(name):
    t = TASKS[name]
    X, y = make_dataset(t.datasets[0], 60, 0.1, 3, 0)
    k = t.n_outputs(int(y.max()) + 1 if t.softmax else 0)
    net = MLP([2, 5, k], task=name, seed=0)
    out = net.predict_proba(X) if t.softmax else net.predict(X).reshape(-1, 1)
    if t.softmax:
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-12)
    assert t.output_error(k) is None
    fig = getattr(figures, t.map_figure)(np.linspace(-1, 1, 4), np.linspace(-1, 1, 4),
                                         np.full((16, k), 0.5), X, y, class_names=("a", "b"))
    assert fig.data


def test_the_output_layer_is_checked_by_the_task():
    assert "at least 2 classes" in CLASSIFICATION.output_error(1)
    assert "one output unit" in REGRESSION.output_error(3)
    assert (CLASSIFICATION.n_outputs(4), REGRESSION.n_outputs(4)) == (4, 1)


def test_datasets_belong_to_one_task_and_the_default_is_the_first():
    assert task_of_dataset("plane") is REGRESSION and task_of_dataset("spiral") is CLASSIFICATION
    assert task_of_dataset("upload CSV") is None
    assert REGRESSION.dataset_for("spiral") == "plane" and REGRESSION.dataset_for("gaussians") \
        == "gaussians"
    assert not set(CLASSIFICATION.datasets) & set(REGRESSION.datasets)
    with pytest.raises(ValueError, match="choose one of"):
        task("ranking")


def test_the_automatic_rate_is_the_tasks_table():
    for t in TASKS.values():
        for (optimizer, mode), rates in t.auto_lr.items():
            s = DEFAULTS.with_changes(task=t.name, dataset=t.datasets[0], optimizer=optimizer,
                                      batch_mode=mode, widths=(8, 8))
            assert auto_lr(s) == rates[1]
    # the classic network's rate, and the regression one that does not kill its ReLUs
    assert auto_lr(DEFAULTS) == 1.0
    assert auto_lr(DEFAULTS.with_changes(task="regression", dataset="plane")) == 0.1


def test_no_module_but_the_task_table_compares_task_names():
    compared = re.compile(r"""[!=]=\s*["'](regression|classification)["']|"""
                          r"""["'](regression|classification)["']\s*[!=]=|\bREGRESSION\b""")
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p.name != "tasks.py" and compared.search(p.read_text())]
    assert offenders == []
