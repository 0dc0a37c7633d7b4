"""Training: batch modes, the update loop, evaluation and divergence handling.

Batch modes, named as they should be (the classic derivation's text swaps two of them):

- **batch gradient descent** (``batch_size=None``): every update uses every training sample;
- **mini-batch** (``batch_size=B``): the data are reshuffled every epoch and cut into batches
  of B; the last, partial batch is a real, smaller batch (N = 300, B = 32 ⇒ 10 updates);
- **stochastic gradient descent** (``batch_size=1``): one sample per update.

The Trainer is one class: its checked settings, the batch size, the update loop and what it
shows the outside (run-file state, the last pass). Its collaborators own their state: the
optimizers (:mod:`~playground.engine.optimizers`), the epochs' batches
(:mod:`~playground.engine.batches`), evaluation (:mod:`~playground.engine.evaluation`),
divergence (:mod:`~playground.engine.divergence`) and the bounded history
(:mod:`~playground.engine.history`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .batches import EpochBatches
from .divergence import LOSS_LIMIT, describe, healthy, layer_norms, resumed_limit
from .evaluation import Evaluation
from .features import RAW_INPUTS
from .history import History, Series
from .model import MLP, ModelError
from .optimizers import OPTIMIZERS, Momentum, make_optimizer
from .workspace import Workspace

PROGRESS = ("epoch", "samples", "seconds")   # the evaluations' clocks besides the update


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


@dataclass(frozen=True)
class LastPass:
    """Copies of the latest update's batch pass, for views: ``inputs`` (n, F), the network's
    (featurized) inputs, and ``dscore`` (n, K), the output layer's gradient
    (P − onehot(y)) / n (regression: (ŷ − y) / n, (n, 1))."""
    inputs: np.ndarray
    dscore: np.ndarray


def _data(net, X, y, which):
    """(X, y, Xt, Yt) of a data set: the raw points (n, 2) in the network's dtype, the
    targets (int64 labels, or float64 values for regression), and the transposed layout the
    workspaces compute in: the network's inputs with a row of ones appended (it multiplies
    b1; see MLP._allocate), (F + 1, n), and the targets (K, n) (regression: (1, n))."""
    X = np.ascontiguousarray(X, dtype=net.dtype)
    minimum = 0 if which else 1
    if X.ndim != 2 or X.shape[1] != RAW_INPUTS or len(X) < minimum:
        raise TrainingError(f"The {which}points X must have shape (n ≥ {minimum}, "
                            f"{RAW_INPUTS}); got {X.shape}.")
    y = np.asarray(y, dtype=np.float64 if net.regression else np.int64)
    if y.shape != (len(X),):
        raise TrainingError(f"The {which}targets y must have shape ({len(X)},); got "
                            f"{y.shape}.")
    try:
        Yt = net.targets(y, len(X))
    except ModelError as exc:
        raise TrainingError(str(exc)) from None
    Xt = np.ones((net.layer_sizes[0] + 1, len(X)), dtype=net.dtype)
    Xt[:-1] = net.featurize(X).T
    return X, y, Xt, Yt


class Trainer:
    """Trains an :class:`MLP` in place on (X, y), one parameter update per :meth:`step`.

    Memory is bounded however long it runs: ``history.loss`` holds the per-update batch loss
    and ``history.evals`` the full train/test loss and accuracy and each layer's gradient norm
    every ``eval_every`` updates, both :class:`Series` of at most ``history_size`` rows that
    halve their resolution when full. Only the last update's gradients are kept
    (``last_grads``), for the heatmaps.

    Settings that act on a running model (``lr``, ``batch_size``, ``optimizer``, ``l2``,
    ``l1``, ``momentum``) may be changed between steps; the parameters and counters are kept.

    X and X_test are raw (n, 2) points (the network featurizes them, once, here); y holds
    class labels, or for a regression network float targets (its accuracies are then NaN).
    """
    clock = staticmethod(time.perf_counter)   # train_seconds' clock (a race's: CPU time)

    def __init__(self, net, X, y, X_test=None, y_test=None, *, lr=1.0, batch_size=None,
                 optimizer="sgd", momentum=0.9, l2=0.0, seed=0, eval_every=None,
                 history_size=2000, l1=0.0):
        if not isinstance(net, MLP):
            raise TrainingError("net must be a playground.engine.model.MLP.")
        self.net = net
        dt = net.dtype
        # the raw points and targets, as given (run files and views read them); the network's
        # inputs are featurized here once, not on every update
        self.X, self.y, Xt, self.Yt = _data(net, X, y, "")
        self.Xt = Xt
        self._blocks = net.update_blocks()
        if X_test is None or len(X_test) == 0:
            X_test, y_test = np.empty((0, 2), dtype=dt), np.empty(0, dtype=self.y.dtype)
        self.X_test, self.y_test, Xt_test, self.Yt_test = _data(net, X_test, y_test, "test ")
        self.seed = int(seed)
        self._eval_every = None if eval_every is None else max(1, int(eval_every))
        self.history_size = int(history_size)
        self._lr = 1.0
        self.lr = lr
        self.l2 = l2
        self.l1 = l1
        self._momentum = 0.9
        self.momentum = momentum                      # validated by the setter
        self._batch_size = None
        self._optimizer_name = None
        self._rng = np.random.default_rng(self.seed)
        self._last_ws = None
        self.batch_size = batch_size
        self.optimizer = optimizer
        self._evaluation = Evaluation(net, self.Xt, self.Yt, self.y, Xt_test[:-1].T,
                                      self.Yt_test, self.y_test)
        self._start_counters()

    # -- settings: each checked by its setter; they act on the running model and may change
    # between steps (the parameters and counters are kept) ------------------------------------
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

    # -- the batch size, which rebuilds the buffers -----------------------------------------
    @property
    def batch_size(self):
        """None for batch gradient descent, else the mini-batch size (1 is SGD)."""
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value):
        n = len(self.X)
        if value is not None:
            value = int(value)
            if value < 1:
                raise TrainingError(f"batch_size must be ≥ 1 or None; got {value}.")
            if value >= n:
                value = None                          # a batch of every sample is batch GD
        if value == self._batch_size and hasattr(self, "_ws"):
            return
        self._batch_size = value
        self._last_ws = None
        if value is None:
            self._ws = Workspace(self.net, n)
            self._ws.Xt = self.Xt
            self._ws.Yt = self.Yt
            self._batches = None
        else:
            self._ws = self._batch_workspace(value)
            # a new batch size starts a fresh epoch; the random stream goes on
            self._batches = EpochBatches(self.Xt, self.Yt, value, self._rng)
        self._tail_ws = None                          # for the epoch's last, partial batch

    def _batch_workspace(self, n):
        ws = Workspace(self.net, n)
        ws.Yt = None                                  # set to each batch's targets
        return ws

    @property
    def _batches_per_set(self):                   # N / B
        return len(self.X) / (self._batch_size or len(self.X))

    @property
    def updates_per_epoch(self):
        return 1 if self._batch_size is None else -(-len(self.X) // self._batch_size)

    @property
    def mode(self):
        b = self._batch_size
        return "batch" if b is None else "sgd" if b == 1 else "minibatch"

    # -- state -------------------------------------------------------------------------------
    def _start_counters(self):
        self.updates = 0
        self.epochs = 0
        self.samples_seen = 0                 # training samples visited by all the updates
        self.train_seconds = 0.0              # wall time spent in step()
        self._started = None                  # clock() at the running step()'s start
        self.diverged = False
        self.divergence_message = ""
        self.diverged_with = None             # the settings of the update that diverged
        self._loss_limit = LOSS_LIMIT
        self.last_loss = float("nan")
        self.last_grads = None
        self.last_grad_norms = [0.0] * self.net.n_layers
        layers = range(1, self.net.n_layers + 1)
        self.history = History(
            loss=Series(["loss"], self.history_size, merge="mean"),
            evals=Series(["train_loss", "train_acc", "test_loss", "test_acc"]
                         + [f"grad_norm{l}" for l in layers] + list(PROGRESS),
                         self.history_size, merge="last"),
        )
        self.metrics = self.evaluate()
        self._record_eval()

    def reset(self, seed=None):
        """Fresh weights (from the network's seed, or a new one) and zeroed counters."""
        cfg = self.net.config()
        if seed is not None:
            cfg["seed"] = int(seed)
        fresh = MLP(**cfg)
        self.net.set_params(fresh.params())
        self.net.seed = fresh.seed
        self._rng = np.random.default_rng(self.seed)
        self._make_optimizer()
        if self._batch_size is not None:
            self._batches = EpochBatches(self.Xt, self.Yt, self._batch_size, self._rng)
        self._last_ws = None
        self._start_counters()

    # -- training ------------------------------------------------------------------------------
    def step(self, n=1):
        """Run up to n parameter updates; return how many ran (fewer only on divergence)."""
        n = int(n)
        if self.diverged or n < 1:
            return 0
        # an overflow is caught and put in words by the divergence check: no NumPy warning
        self._started = self.clock()
        with np.errstate(over="ignore"):
            done = self._updates(n)
        self.train_seconds += self.clock() - self._started
        self._started = None
        return done

    def _updates(self, n):
        # locals, not attributes: at batch size 1 an update is ~25 small NumPy calls
        next_batch = self._next_batch
        update, params, grads_attr = self._opt.update, self._opt_params, self._grads_attr
        add_loss, eval_every = self.history.loss.add_value, self.eval_every
        lr, l2, l1 = self._lr, self._l2, self._l1
        batches, loss_limit = self._batches, self._loss_limit
        full_batch = batches is None
        # the divergence check's usual case (see _healthy) as one comparison: |g|² < (1e30/lr)²
        grad_sq_limit = 1e30 / lr
        grad_sq_limit *= grad_sq_limit
        eval_pending = False
        done = 0
        for i in range(n):
            ws = next_batch()
            loss = ws.loss_and_grads(None, ws.Yt, l2, l1)
            if eval_pending:
                # see below: this forward pass was the due evaluation's train half
                self.metrics = self._evaluation(self._l2, self._l1,
                                                train_pass=(loss, ws.Pt))
                self._record_eval()
                eval_pending = False
            g = ws.flat_grads
            if not (loss < loss_limit and float(np.vdot(g, g)) < grad_sq_limit) \
                    and not self._healthy(ws, loss):                  # False for NaN too
                break
            update(params, getattr(ws, grads_attr), lr)
            self.updates += 1
            self.last_loss = loss
            add_loss(self.updates, loss)
            self.samples_seen += ws.n
            if full_batch or batches.advance(ws.n):
                self.epochs += 1
            done += 1
            if self.updates % eval_every == 0:
                self.last_grad_norms = layer_norms(ws)
                if full_batch and i + 1 < n:
                    # In batch GD the next update starts with a forward pass over the whole
                    # training set on exactly these parameters, with the evaluation's
                    # arithmetic: its loss and P are the train metrics, so the evaluation is
                    # finished there instead of running that pass twice (nothing in between
                    # reads the metrics).
                    eval_pending = True
                else:
                    self.metrics = self.evaluate()
                    self._record_eval()
        if done:
            self.last_grad_norms = layer_norms(ws)
            self.last_grads = [(dW.copy(), db.copy()) for dW, db in zip(ws.dW, ws.db)]
            self._last_ws = ws
        return done

    @property
    def updates_left_in_epoch(self):
        """Updates until the current epoch ends (a whole epoch when at its start)."""
        if self._batches is None:
            return 1
        return self._batches.updates_left()

    def run_epoch(self):
        """Run updates until the current epoch ends (a whole epoch when at its start)."""
        return self.step(self.updates_left_in_epoch)

    def _next_batch(self):
        """Put the next update's batch into a workspace and return that workspace."""
        if self._batches is None:
            return self._ws
        Xt, Yt = self._batches.next()
        ws = self._ws
        if Xt.shape[1] != ws.n:                       # the last, partial batch of an epoch
            if self._tail_ws is None or self._tail_ws.n != Xt.shape[1]:
                self._tail_ws = self._batch_workspace(Xt.shape[1])
            ws = self._tail_ws
        ws.Xt, ws.Yt = Xt, Yt
        return ws

    def _healthy(self, ws, loss):
        """Check the loss and gradients before they touch the parameters; a failed check
        marks the run diverged, so the parameters stay the last finite ones. :meth:`step`
        settles the usual case with one dot product over all the gradients and calls this only
        when that fails: the per-layer norms then decide (a float32 |g|² can overflow where no
        layer's norm does)."""
        norms = layer_norms(ws)
        self.last_grad_norms = norms
        if healthy(loss, self._lr, norms, self._loss_limit):
            return True
        self.diverged = True
        self.diverged_with = self.divergence_settings()
        self.divergence_message = describe(loss, self._lr, self._l2, self._optimizer_name,
                                           self.updates, self._loss_limit, self._l1)
        return False

    def resume(self):
        """Carry on after a divergence from the last finite parameters (the update that would
        have broken them was never applied), with the settings as they are now; the loss guard
        starts above the loss it has now (see :func:`resumed_limit`)."""
        self._loss_limit = resumed_limit(self.evaluate()["train_loss"], self._batches_per_set)
        self.diverged = False
        self.divergence_message = ""
        self.diverged_with = None

    # -- evaluation ---------------------------------------------------------------------------
    def evaluate(self):
        """Full train (and test) loss and accuracy of the current parameters."""
        return self._evaluation(self._l2, self._l1)

    def record_metrics(self):
        """Evaluate now and add the result to ``history.evals`` unless this update is already
        recorded. The live page calls it once per frame, so its curves keep up with the
        update counter however long ``eval_every`` is."""
        if self._recorded_step != self.updates:
            self.metrics = self.evaluate()
            self._record_eval()
        return self.metrics

    def _record_eval(self):
        m = self.metrics
        epoch = self.samples_seen / len(self.X)       # never runs back on a batch-size change
        if self._loss_limit > LOSS_LIMIT:
            self._loss_limit = resumed_limit(m["train_loss"], self._batches_per_set,
                                             self._loss_limit)
        self.history.evals.add(self.updates, [m["train_loss"], m["train_acc"], m["test_loss"],
                                             m["test_acc"], *self.last_grad_norms, epoch,
                                             float(self.samples_seen), self._seconds()])
        self._recorded_step = self.updates

    def _seconds(self):
        """Seconds of training so far, the current step() call's included."""
        running = self.clock() - self._started if self._started is not None else 0.0
        return self.train_seconds + running

    # -- what a trainer shows the outside: run-file state, the last pass, activations ----
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
