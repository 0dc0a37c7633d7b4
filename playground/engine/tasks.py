"""The problem types: classification (the default) and regression, one :class:`Task` each,
carrying everything that differs between them.

Classification: K classes, a softmax output, the mean cross-entropy (dscore = (p − onehot)/n),
accuracy as a metric, the decision-region map. Regression is TF Playground's: float targets
in [-1, 1] ("plane", "gaussians"), one linear output unit, the mean of ½(ŷ − y)² (dscore =
(ŷ − y)/n, the same form, so the backward pass is shared), no accuracy, a map of the
predicted value.

Adding a task is adding an entry to :data:`TASKS`; the engine, the page's problem-type
control, links, run files and the command line read this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .datasets import DATASETS
from .regression_data import REGRESSION_DATASETS


@dataclass(frozen=True)
class Task:
    name: str                   # the id in links (?task=), run files and the network
    softmax: bool               # the output layer: softmax over K classes, or one linear unit
    accuracy: bool              # whether accuracy is a metric (else the loss alone)
    datasets: tuple             # the generated datasets it offers, the first the default
    map_figure: str             # the figures function that draws its map of the plane
    # the automatic learning rate per (optimizer, batch mode): the rates for 1, 2 and 3+
    # hidden layers, and the rate for a pair the table does not list
    auto_lr: dict = field(default_factory=dict)
    auto_lr_default: float = 0.01
    output_names: tuple = ()    # the outputs' names when the task names them (else classes)
    uploads: bool = False       # whether it trains on an uploaded CSV of labelled points

    def n_outputs(self, n_classes):
        """The network's output units: one per class, or one value."""
        return n_classes if self.softmax else 1

    def output_error(self, n_outputs):
        """Why ``n_outputs`` output units cannot serve this task, or None if they can."""
        if self.softmax and n_outputs < 2:
            return "The softmax output needs at least 2 classes."
        if not self.softmax and n_outputs != 1:
            return f"{self.name.capitalize()} has one output unit; got {n_outputs}."
        return None

    def dataset_for(self, dataset):
        """``dataset`` if this task offers it, else its first (default) dataset."""
        return dataset if dataset in self.datasets else self.datasets[0]

    def learning_rate(self, optimizer, batch_mode, hidden_layers):
        """The automatic learning rate for an optimizer, a batch mode and a depth."""
        rates = self.auto_lr.get((optimizer, batch_mode))
        if rates is None:
            return self.auto_lr_default
        return rates[min(max(hidden_layers, 1), 3) - 1]


CLASSIFICATION = Task(
    "classification", softmax=True, accuracy=True, datasets=DATASETS,
    map_figure="decision_region_figure",
    # On the default spiral, a rate that reaches 95 % training accuracy within a few
    # hundred updates and stays one step (×3) or more below the smallest rate that diverged
    # or killed the units (benchmarks/sweep_learning_rates.py; docs/performance.md, "Defaults")
    auto_lr={
        ("sgd", "full batch"): (1.0, 0.3, 0.1),
        ("sgd", "mini-batch"): (0.3, 0.3, 0.1),
        ("sgd", "SGD"): (0.1, 0.03, 0.01),
        ("momentum", "full batch"): (0.3, 0.1, 0.03),
        ("momentum", "mini-batch"): (0.1, 0.03, 0.01),
        ("momentum", "SGD"): (0.01, 0.003, 0.001),
        ("adam", "full batch"): (0.03, 0.01, 0.01),
        ("adam", "mini-batch"): (0.03, 0.01, 0.01),
        ("adam", "SGD"): (0.01, 0.003, 0.003),
    }, auto_lr_default=1.0, uploads=True)

REGRESSION = Task(
    "regression", softmax=False, accuracy=False, datasets=REGRESSION_DATASETS,
    map_figure="regression_figure",
    # A linear output has no softmax to bound the scores: the classification rates (1 for
    # the default) kill the default network's ReLUs here, and it ends up predicting the
    # mean. Swept on plane and gaussians (noise 0.2, 100 ReLUs per layer, no L2, 300
    # updates): a rate that fitted both well, one step (×3) or more below the smallest that
    # diverged or killed the units (e.g. full-batch SGD: 1 kills one layer's units, 0.3
    # diverges with three layers).
    auto_lr={
        ("sgd", "full batch"): (0.1, 0.1, 0.1),
        ("sgd", "mini-batch"): (0.1, 0.1, 0.1),
        ("sgd", "SGD"): (0.003, 0.003, 0.003),
        ("momentum", "full batch"): (0.03, 0.03, 0.03),
        ("momentum", "mini-batch"): (0.03, 0.03, 0.03),
        ("momentum", "SGD"): (0.001, 0.001, 0.001),
        ("adam", "full batch"): (0.03, 0.01, 0.01),
        ("adam", "mini-batch"): (0.01, 0.01, 0.01),
        ("adam", "SGD"): (0.001, 0.003, 0.003),
    }, auto_lr_default=0.01, output_names=("ŷ",))

TASKS = {t.name: t for t in (CLASSIFICATION, REGRESSION)}
DEFAULT = CLASSIFICATION


def task(name):
    """The table's entry for ``name``; a ValueError names the choices when there is none."""
    try:
        return TASKS[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown task {name!r}; choose one of {tuple(TASKS)}.") from None


def task_of_dataset(name):
    """The task whose generated datasets include ``name``, or None."""
    return next((t for t in TASKS.values() if name in t.datasets), None)
