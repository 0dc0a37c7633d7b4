"""A from-scratch NumPy neural network, and a Streamlit playground to watch it learn.

The engine (``datasets``, ``csvfile``, ``model``, ``optimizers``, ``history``, ``training``,
``runs``) is pure NumPy; ``figures`` builds Plotly figures from arrays; ``app`` is the
Streamlit page.
Scripting use::

    from playground import MLP, Trainer, make_dataset
    X, y = make_dataset("spiral", n_samples=300, n_classes=3)
    trainer = Trainer(MLP([2, 100, 3]), X, y, lr=1.0)
    trainer.step(5000)
    print(trainer.evaluate())

Input features (``FEATURES``, e.g. ``MLP([2, 3], features=["x1sq", "x2sq"])``: no hidden
layer, x₁² and x₂² as its inputs) are part of the model; every entry point takes raw (n, 2)
points.
"""

from .engine.csvfile import load_csv
from .engine.datasets import DATASETS, DatasetError, make_dataset, train_test_split
from .engine.features import FEATURE_LABELS, FEATURES, featurize
from .engine.gradcheck import gradient_check
from .engine.model import MLP
from .engine.runfiles import RunFileError, load_run, run_to_json, run_to_npz
from .engine.training import Trainer

__all__ = ["DATASETS", "FEATURES", "FEATURE_LABELS", "DatasetError", "MLP", "RunFileError",
           "Trainer", "featurize", "gradient_check", "load_csv", "load_run", "make_dataset",
           "run_to_json", "run_to_npz", "train_test_split"]
