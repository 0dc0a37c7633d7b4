"""A from-scratch NumPy neural network, and a Streamlit playground to watch it learn.

The engine (``datasets``, ``model``, ``optimizers``, ``history``, ``training``, ``runs``) is
pure NumPy; ``figures`` builds Plotly figures from arrays; ``app`` is the Streamlit page.
Scripting use::

    from playground import MLP, Trainer, make_dataset
    X, y = make_dataset("spiral", n_samples=300, n_classes=3)
    trainer = Trainer(MLP([2, 100, 3]), X, y, lr=1.0)
    trainer.step(5000)
    print(trainer.evaluate())
"""

from .datasets import DATASETS, DatasetError, load_csv, make_dataset, train_test_split
from .model import MLP, gradient_check
from .runs import RunFileError, load_run, run_to_json, run_to_npz
from .training import Trainer

__all__ = ["DATASETS", "DatasetError", "MLP", "RunFileError", "Trainer", "gradient_check",
           "load_csv", "load_run", "make_dataset", "run_to_json", "run_to_npz",
           "train_test_split"]
