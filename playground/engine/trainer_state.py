"""What a trainer shows the outside: the run's progress for run files (:meth:`state`,
:meth:`load_state`) and copies of its last batch pass and activations for views. A mixin of
:class:`~playground.engine.training.Trainer`, which owns every attribute used here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LastPass:
    """Copies of the latest update's batch pass, for views: ``inputs`` (n, F), the network's
    (featurized) inputs, and ``dscore`` (n, K), the output layer's gradient
    (P − onehot(y)) / n (regression: (ŷ − y) / n, (n, 1))."""
    inputs: np.ndarray
    dscore: np.ndarray


class TrainerState:
    def state(self):
        """The run's progress, beyond :meth:`config`, the network and the data: what a run
        file keeps to continue exactly. ``{"updates", "epochs", "samples", "seconds", "pos",
        "order" (the epoch's visiting order, an int64 array, or None between epochs and in
        batch GD), "rng" (the bit generator's state), "diverged", "divergence_message",
        "optimizer" (name → array)}``."""
        epoch = self._batches.state() if self._batches else {"order": None, "pos": 0}
        return {"updates": self.updates, "epochs": self.epochs, "samples": self.samples_seen,
                "seconds": self.train_seconds, **epoch,
                "rng": self._rng.bit_generator.state, "diverged": self.diverged,
                "divergence_message": self.divergence_message,
                "optimizer": {k: np.array(v) for k, v in self._opt.state().items()}}

    def optimizer_state_shapes(self):
        """``{name: shape}`` of the optimizer state :meth:`load_state` expects."""
        return {k: np.shape(v) for k, v in self._opt.state().items()}

    def load_state(self, state, history=None):
        """Continue from :meth:`state`'s output (checked by the caller: run files validate
        every field first) and, optionally, a :class:`History` to carry on."""
        self._opt.load_state(state["optimizer"])
        self.updates = int(state["updates"])
        self.epochs = int(state["epochs"])
        self.samples_seen = int(state["samples"])
        self.train_seconds = float(state["seconds"])
        self._rng.bit_generator.state = state["rng"]
        if self._batches is not None:
            self._batches.load_state(state["order"], state["pos"])
        self.diverged = bool(state["diverged"])
        self.divergence_message = str(state["divergence_message"])
        # a run that diverged before it was saved did so with these settings, as far as
        # anyone can tell: changing them offers to continue
        self.diverged_with = self.divergence_settings() if self.diverged else None
        if history is not None:
            self.history = history
        steps = self.history.evals.column("step")
        self._recorded_step = int(steps[-1]) if len(steps) else -1
        self._last_ws = None
        self.metrics = self.evaluate()

    def last_pass(self):
        """A :class:`LastPass` of the latest update's batch, or None before the first one (or
        after the batch size changed)."""
        ws = self._last_ws
        if ws is None:
            return None
        return LastPass(inputs=np.array(ws.Xt[:-1].T), dscore=ws.dZ[-1].copy())

    def train_activations(self):
        """Every hidden layer's activations on the whole training set, with the current
        parameters: a list of (n, units) arrays (copies)."""
        return self._evaluation.train_activations()
