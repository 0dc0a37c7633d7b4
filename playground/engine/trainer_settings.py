"""The settings a trainer takes, each checked by its setter: the learning rate, L2, L1,
momentum, the optimizer and the evaluation cadence. They act on the running model and may
change between steps; the parameters and counters are kept. A mixin of
:class:`~playground.engine.training.Trainer`, which owns every attribute used here (the batch
size, which rebuilds the trainer's buffers, stays there)."""

from __future__ import annotations

import math

from .optimizers import OPTIMIZERS, Momentum, make_optimizer


class TrainingError(ValueError):
    """A trainer was configured with impossible settings."""


def _rate(value, name, strictly_positive=False):
    """``value`` as a finite float ≥ 0 (> 0 if ``strictly_positive``), else TrainingError."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        x = math.nan
    if not (math.isfinite(x) and (x > 0 if strictly_positive else x >= 0)):
        kind = "a positive number" if strictly_positive else "a number ≥ 0"
        raise TrainingError(f"{name} must be {kind}; got {value!r}.")
    return x


class TrainerSettings:
    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = _rate(value, "The learning rate", strictly_positive=True)

    @property
    def l2(self):
        """Weight decay: 0.5·l2·ΣW² is added to the loss, l2·W to each dW."""
        return self._l2

    @l2.setter
    def l2(self, value):
        self._l2 = _rate(value, "L2")

    @property
    def l1(self):
        """L1: l1·Σ|W| is added to the loss, l1·sign(W) to each dW (0 where W is 0)."""
        return self._l1

    @l1.setter
    def l1(self, value):
        self._l1 = _rate(value, "L1")

    @property
    def momentum(self):
        return self._momentum

    @momentum.setter
    def momentum(self, value):
        value = float(value)
        if not 0 <= value < 1:
            raise TrainingError(f"momentum must lie in [0, 1); got {value!r}.")
        self._momentum = value
        if isinstance(getattr(self, "_opt", None), Momentum):
            self._opt.momentum = value

    @property
    def optimizer(self):
        return self._optimizer_name

    @optimizer.setter
    def optimizer(self, name):
        if name not in OPTIMIZERS:
            raise TrainingError(f"Unknown optimizer {name!r}; choose one of {OPTIMIZERS}.")
        if name == self._optimizer_name:
            return
        self._optimizer_name = name
        self._make_optimizer()

    def _make_optimizer(self):
        """Plain SGD is stateless and elementwise, so it updates the whole network as one flat
        array (2 NumPy calls per update instead of 2 per block; the same arithmetic). The
        stateful optimizers keep one state array per block, the layout run files store."""
        name = self._optimizer_name
        if name == "sgd":
            self._opt_params, self._grads_attr = [self.net.flat], "flat_grad_list"
        else:
            self._opt_params, self._grads_attr = self._blocks, "block_grads"
        self._opt = make_optimizer(name, self._opt_params, self.momentum)

    @property
    def eval_every(self):
        """Updates between full evaluations. By default 10, or one epoch when an epoch is
        longer, so that evaluating (a forward pass over all the data) stays a small share."""
        return self._eval_every or max(10, self.updates_per_epoch)

    @eval_every.setter
    def eval_every(self, value):
        self._eval_every = None if value is None else max(1, int(value))

    def divergence_settings(self):
        """The settings that decide whether an update diverges, as ``diverged_with`` records
        them: changing any of them offers to continue after a divergence."""
        return {"lr": self._lr, "l2": self._l2, "l1": self._l1,
                "optimizer": self._optimizer_name, "batch_size": self._batch_size}

    def config(self):
        return {"lr": self._lr, "batch_size": self._batch_size, "optimizer": self._optimizer_name,
                "momentum": self.momentum, "l2": self._l2, "l1": self._l1, "seed": self.seed,
                "eval_every": self._eval_every, "history_size": self.history_size}
