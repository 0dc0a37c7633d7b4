"""The problem types on the page: classification (the default) and regression, and what the
rest of the state needs to know about the difference (the datasets each offers, the
automatic learning rate and the output's name).

Regression is TF Playground's: two datasets ("plane" and "gaussians") with float targets in
[-1, 1], a network with one linear output unit and the mean of ½(ŷ − y)² as its loss.
"""

from __future__ import annotations

from ..engine.datasets import DATASETS, REGRESSION_DATASETS
from ..engine.model import TASKS

CLASSIFICATION, REGRESSION = TASKS
TARGET_NAMES = ("ŷ",)        # the regression network's one output, where classes are named

# The automatic learning rate of a regression run per (optimizer, batch mode), for 1, 2 and
# 3+ hidden layers. A linear output has no softmax to bound the scores: the classification
# rates (1 for the default) kill the default network's ReLUs here, and it ends up predicting
# the mean. Swept on plane and gaussians (noise 0.2, 100 ReLUs per layer, no L2, 300
# updates): a rate that fitted both well, one step (×3) or more below the smallest that
# diverged or killed the units (e.g. full-batch SGD: 1 kills one layer's units, 0.3 diverges
# with three layers).
AUTO_LR = {
    ("sgd", "full batch"): (0.1, 0.1, 0.1),
    ("sgd", "mini-batch"): (0.1, 0.1, 0.1),
    ("sgd", "SGD"): (0.003, 0.003, 0.003),
    ("momentum", "full batch"): (0.03, 0.03, 0.03),
    ("momentum", "mini-batch"): (0.03, 0.03, 0.03),
    ("momentum", "SGD"): (0.001, 0.001, 0.001),
    ("adam", "full batch"): (0.03, 0.01, 0.01),
    ("adam", "mini-batch"): (0.01, 0.01, 0.01),
    ("adam", "SGD"): (0.001, 0.003, 0.003),
}


def is_regression(settings):
    return getattr(settings, "task", CLASSIFICATION) == REGRESSION


def datasets_for(task):
    """The generated datasets a problem type offers."""
    return REGRESSION_DATASETS if task == REGRESSION else DATASETS


def matching_dataset(task, dataset):
    """``dataset`` if the problem type offers it, else the type's first dataset (switching
    to regression picks "plane", back to classification "spiral")."""
    choices = datasets_for(task)
    return dataset if dataset in choices else choices[0]


def regression_lr(settings, depth):
    rates = AUTO_LR.get((settings.optimizer, settings.batch_mode), (0.01, 0.01, 0.01))
    return rates[min(max(depth, 1), 3) - 1]
