"""Training: batch modes, the update loop, evaluation and divergence handling.

Batch modes, named as they should be (the seed text swaps two of them):

- **batch gradient descent** (``batch_size=None``): every update uses every training sample;
- **mini-batch** (``batch_size=B``): the data are reshuffled every epoch and cut into batches
  of B; the last, partial batch is a real, smaller batch (N = 300, B = 32 ⇒ 10 updates);
- **stochastic gradient descent** (``batch_size=1``): one sample per update.

The optimizers live in :mod:`playground.optimizers` and the bounded history in
:mod:`playground.history`.
"""

from __future__ import annotations

import math

import numpy as np

from .history import History, Series  # noqa: F401 - Series is part of this module's API
from .model import MLP, Workspace, l2_penalty, one_hot
from .optimizers import OPTIMIZERS, Momentum, make_optimizer

# A mean cross-entropy this large means the true class gets probability e^-1000: the run has
# exploded even though the stable log-softmax keeps the number finite.
LOSS_LIMIT = 1000.0


class TrainingError(ValueError):
    """A trainer was configured with impossible settings."""


# ---------------------------------------------------------------------------------------------
# Trainer
# ---------------------------------------------------------------------------------------------
class Trainer:
    """Trains an :class:`MLP` in place on (X, y), one parameter update per :meth:`step`.

    Memory is bounded however long it runs: ``history.loss`` holds the per-update batch loss
    and ``history.evals`` the full train/test loss and accuracy and each layer's gradient norm
    every ``eval_every`` updates, both :class:`Series` of at most ``history_size`` rows that
    halve their resolution when full. Only the last update's gradients are kept
    (``last_grads``), for the heatmaps.

    Settings that act on a running model (``lr``, ``batch_size``, ``optimizer``, ``l2``,
    ``momentum``) may be changed between steps; the parameters and counters are kept.
    """

    def __init__(self, net, X, y, X_test=None, y_test=None, lr=1.0, batch_size=None,
                 optimizer="sgd", momentum=0.9, l2=0.0, seed=0, eval_every=None,
                 history_size=2000):
        if not isinstance(net, MLP):
            raise TrainingError("net must be a playground.model.MLP.")
        self.net = net
        dt = net.dtype
        self.X = np.ascontiguousarray(X, dtype=dt)
        self.y = np.asarray(y, dtype=np.int64)
        if self.X.ndim != 2 or self.X.shape[1] != net.layer_sizes[0] or len(self.X) == 0:
            raise TrainingError(f"X must have shape (n ≥ 1, {net.layer_sizes[0]}); "
                                f"got {self.X.shape}.")
        if self.y.shape != (len(self.X),):
            raise TrainingError(f"y must have shape ({len(self.X)},); got {self.y.shape}.")
        self.Y = one_hot(self.y, net.n_classes, dt)
        # inputs and targets transposed, the layout the workspaces compute in, the inputs
        # with a row of ones appended (it multiplies b1; see MLP._allocate)
        self.Xt = np.ones((self.X.shape[1] + 1, len(self.X)), dtype=dt)
        self.Xt[:-1] = self.X.T
        self.Yt = np.ascontiguousarray(self.Y.T)
        self._blocks = net.update_blocks()
        # a mini-batch epoch's batches in visiting order (see _next_batch)
        self._gathered = None                         # the order _epoch_Xt/_epoch_Yt hold
        if X_test is None or len(X_test) == 0:
            self.X_test = np.empty((0, net.layer_sizes[0]), dtype=dt)
            self.y_test = np.empty(0, dtype=np.int64)
        else:
            self.X_test = np.ascontiguousarray(X_test, dtype=dt)
            self.y_test = np.asarray(y_test, dtype=np.int64)
        self.Y_test = one_hot(self.y_test, net.n_classes, dt)
        self.Yt_test = np.ascontiguousarray(self.Y_test.T)
        self.seed = int(seed)
        self._eval_every = None if eval_every is None else max(1, int(eval_every))
        self.history_size = int(history_size)
        self._lr = 1.0
        self.lr = lr
        self.l2 = l2
        self._momentum = 0.9
        self.momentum = momentum                      # validated by the setter
        self._batch_size = None
        self._optimizer_name = None
        self.batch_size = batch_size
        self.optimizer = optimizer
        self._rng = np.random.default_rng(self.seed)
        self._eval_train = Workspace(net, len(self.X))
        self._eval_train.Xt = self.Xt
        self._eval_test = None
        if len(self.X_test):
            self._eval_test = Workspace(net, len(self.X_test))
            self._eval_test.set_input(self.X_test)
        self._start_counters()

    # -- settings that act on the running model --------------------------------------------
    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        value = float(value)
        if not (math.isfinite(value) and value > 0):
            raise TrainingError(f"The learning rate must be a positive number; got {value!r}.")
        self._lr = value

    @property
    def l2(self):
        return self._l2

    @l2.setter
    def l2(self, value):
        value = float(value)
        if not (math.isfinite(value) and value >= 0):
            raise TrainingError(f"L2 must be a number ≥ 0; got {value!r}.")
        self._l2 = value

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
        if value is None:
            self._ws = Workspace(self.net, n)
            self._ws.Xt = self.Xt
            self._ws.Yt = self.Yt
        else:
            self._ws = self._batch_workspace(value)
        self._tail_ws = None                          # for the epoch's last, partial batch
        self._order = None                            # the next update starts a fresh epoch
        self._pos = 0

    def _batch_workspace(self, n):
        ws = Workspace(self.net, n)
        ws.Yt = None                                  # set to each batch's targets
        return ws

    @property
    def eval_every(self):
        """Updates between full evaluations. By default 10, or one epoch when an epoch is
        longer, so that evaluating (a forward pass over all the data) stays a small share."""
        if self._eval_every is not None:
            return self._eval_every
        return max(10, self.updates_per_epoch)

    @eval_every.setter
    def eval_every(self, value):
        self._eval_every = None if value is None else max(1, int(value))

    @property
    def updates_per_epoch(self):
        if self._batch_size is None:
            return 1
        return -(-len(self.X) // self._batch_size)

    @property
    def mode(self):
        if self._batch_size is None:
            return "batch"
        return "sgd" if self._batch_size == 1 else "minibatch"

    @property
    def optimizer(self):
        return self._optimizer_name

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
            self._opt_params, self._grads_attr = [self.net._flat], "_flat_grad_list"
        else:
            self._opt_params, self._grads_attr = self._blocks, "_block_grads"
        self._opt = make_optimizer(name, self._opt_params, self.momentum)

    # -- state -------------------------------------------------------------------------------
    def _start_counters(self):
        self.steps = 0
        self.epochs = 0
        self.diverged = False
        self.divergence_message = ""
        self.last_loss = float("nan")
        self.last_grads = None
        self.last_grad_norms = [0.0] * self.net.n_layers
        layers = range(1, self.net.n_layers + 1)
        self.history = History(
            loss=Series(["loss"], self.history_size, merge="mean"),
            evals=Series(["train_loss", "train_acc", "test_loss", "test_acc"]
                         + [f"grad_norm{l}" for l in layers], self.history_size, merge="last"),
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
        self._order, self._pos = None, 0
        self._start_counters()

    @property
    def epoch_progress(self):
        """Epochs completed, with the current one as a fraction."""
        if self._batch_size is None or self._order is None:
            return float(self.epochs)
        return self.epochs + self._pos / len(self.X)

    # -- training ------------------------------------------------------------------------------
    def step(self, n=1):
        """Run up to n parameter updates; return how many ran (fewer only on divergence)."""
        n = int(n)
        if self.diverged or n < 1:
            return 0
        # An overflow (e.g. exp() of huge one-sample scores, which are then recomputed with
        # the max shift) is handled here and reported in words by the divergence check, so
        # NumPy's warning would only be noise in the server log.
        with np.errstate(over="ignore"):
            return self._updates(n)

    def _updates(self, n):
        # Everything the loop touches is bound to locals once: at batch size 1 an update is
        # ~25 small NumPy calls, and attribute look-ups would add a sizeable share on top.
        next_batch = self._next_batch
        update, params, grads_attr = self._opt.update, self._opt_params, self._grads_attr
        add_loss, eval_every = self.history.loss.add_value, self.eval_every
        lr, l2, full_batch, n_samples = self._lr, self._l2, self._batch_size is None, len(self.X)
        # the divergence check's usual case (see _healthy) as one comparison: |g|² < (1e30/lr)²
        grad_sq_limit = 1e30 / lr
        grad_sq_limit *= grad_sq_limit
        eval_pending = False
        done = 0
        for i in range(n):
            ws = next_batch()
            loss = ws.loss_and_grads(None, ws.Yt, l2)
            if eval_pending:
                # see below: this forward pass was the due evaluation's train half
                self.metrics = self._evaluate(train_pass=(loss, ws._Pt))
                self._record_eval()
                eval_pending = False
            g = ws._flat_grads
            if not (loss < LOSS_LIMIT and float(np.vdot(g, g)) < grad_sq_limit) \
                    and not self._healthy(ws, loss):                  # False for NaN too
                break
            update(params, getattr(ws, grads_attr), lr)
            self.steps += 1
            self.last_loss = loss
            add_loss(self.steps, loss)
            if full_batch:
                self.epochs += 1
            else:
                self._pos += ws.n
                if self._pos >= n_samples:
                    self.epochs += 1
                    self._order = None
            done += 1
            if self.steps % eval_every == 0:
                self.last_grad_norms = self._layer_norms(ws)
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
            self.last_grad_norms = self._layer_norms(ws)
            self.last_grads = [(dW.copy(), db.copy()) for dW, db in zip(ws.dW, ws.db)]
        return done

    @property
    def updates_left_in_epoch(self):
        """Updates until the current epoch ends (a whole epoch when at its start)."""
        if self._batch_size is not None and self._order is not None and self._pos:
            return -(-(len(self.X) - self._pos) // self._batch_size)
        return self.updates_per_epoch

    def run_epoch(self):
        """Run updates until the current epoch ends (a whole epoch when at its start)."""
        return self.step(self.updates_left_in_epoch)

    def _next_batch(self):
        """Put the next update's batch into a workspace and return that workspace."""
        if self._batch_size is None:
            return self._ws
        if self._order is None:
            self._order = self._rng.permutation(len(self.X))
            self._pos = 0
        B = self._batch_size
        if self._gathered is not self._order:
            # Gather the rest of the epoch once, batch by batch in visiting order: each batch
            # is then a contiguous (D + 1, B) block (two gathers per epoch instead of two per
            # update). The identity test also catches an order restored from a run file.
            self._gathered, self._gathered_at = self._order, self._pos
            rest = self._order[self._pos:]
            whole = len(rest) // B * B
            blocks = rest[:whole].reshape(-1, B)
            self._epoch_Xt = np.ascontiguousarray(self.Xt[:, blocks].transpose(1, 0, 2))
            self._epoch_Yt = np.ascontiguousarray(self.Yt[:, blocks].transpose(1, 0, 2))
            self._tail_Xt = np.ascontiguousarray(self.Xt[:, rest[whole:]])
            self._tail_Yt = np.ascontiguousarray(self.Yt[:, rest[whole:]])
        i = (self._pos - self._gathered_at) // B
        if i < len(self._epoch_Xt):
            ws = self._ws
            ws.Xt = self._epoch_Xt[i]
            ws.Yt = self._epoch_Yt[i]
            return ws
        # the last, partial batch of an epoch
        tail = self._tail_Xt.shape[1]
        if self._tail_ws is None or self._tail_ws.n != tail:
            self._tail_ws = self._batch_workspace(tail)
        self._tail_ws.Xt = self._tail_Xt
        self._tail_ws.Yt = self._tail_Yt
        return self._tail_ws

    def _healthy(self, ws, loss):
        """Check the loss and gradients before they touch the parameters.

        If anything is non-finite, or an update would overflow the dtype, the update is skipped,
        so the parameters stay the last finite ones. :meth:`step` settles the usual case with
        one dot product over all the gradients (lr·|g| < 1e30 implies lr·|g_l| < 1e30 for
        every layer, and NaN fails it) and calls this only when that test fails: the per-layer
        norms then decide (a float32 |g|² can overflow where no layer's norm does).
        """
        norms = self._layer_norms(ws)
        ok = loss < LOSS_LIMIT and self._lr * max(norms) < 1e30
        self.last_grad_norms = norms
        if not ok:
            self._diverge(loss, norms)
        return ok

    @staticmethod
    def _layer_norms(ws):
        """Each layer's gradient norm sqrt(|dW_l|² + |db_l|²) (dW_l, db_l are adjacent in
        memory, so one dot product each). Only needed when recorded, not every update."""
        sq = [float(np.vdot(g, g)) for g in ws._layer_grads]
        return [math.sqrt(v) if v < math.inf else math.inf for v in sq]       # nan → inf

    def _diverge(self, loss, norms):
        self.diverged = True
        if not math.isfinite(loss):
            what = "the loss became infinite or NaN"
        elif loss >= LOSS_LIMIT:
            what = f"the loss exploded to {loss:.3g}"
        else:
            what = "the gradient became infinite or NaN"
        if self._l2 * self._lr >= 2:
            cause = (f"L2 × learning rate = {self._l2 * self._lr:g} ≥ 2, so weight decay "
                     f"overshoots; lower L2 or the learning rate")
        else:
            cause = (f"the learning rate {self._lr:g} is too large for this "
                     f"{self._optimizer_name} run; try {self._lr / 10:g} or less")
        self.divergence_message = (
            f"Training diverged at update {self.steps + 1}: {what}. Likely cause: {cause}. "
            f"The parameters are the last finite ones; reset to continue.")

    # -- evaluation ---------------------------------------------------------------------------
    def evaluate(self):
        """Full train (and test) loss and accuracy of the current parameters."""
        return self._evaluate()

    def _evaluate(self, train_pass=None):
        """:meth:`evaluate`; ``train_pass = (loss, Pᵀ)`` of a full-batch ``loss_and_grads`` on
        the current parameters (the same loss formula, with the trainer's l2) stands in for
        the train set's forward pass."""
        out = {}
        for prefix, ws, Yt, y in (("train", self._eval_train, self.Yt, self.y),
                                  ("test", self._eval_test, self.Yt_test, self.y_test)):
            if ws is None:
                out[f"{prefix}_loss"] = out[f"{prefix}_acc"] = float("nan")
                continue
            if prefix == "train" and train_pass is not None:
                loss, Pt = train_pass
            else:
                ws.forward()
                Pt = ws._Pt
                loss = ws.loss(Yt)
                if self._l2:
                    loss += l2_penalty(self.net.weights, self._l2)
            out[f"{prefix}_loss"] = loss
            # argmax over the (K, n) buffer's rows, counted: half the cost of mean(argmax == y)
            out[f"{prefix}_acc"] = np.count_nonzero(np.argmax(Pt, axis=0) == y) / len(y)
        return out

    def record_metrics(self):
        """Evaluate now and add the result to ``history.evals`` unless this update is already
        recorded. The live page calls it once per frame, so its curves keep up with the
        update counter however long ``eval_every`` is."""
        if self._recorded_step != self.steps:
            self.metrics = self.evaluate()
            self._record_eval()
        return self.metrics

    def _record_eval(self):
        m = self.metrics
        self.history.evals.add(self.steps, [m["train_loss"], m["train_acc"], m["test_loss"],
                                             m["test_acc"], *self.last_grad_norms])
        self._recorded_step = self.steps

    def config(self):
        return {"lr": self._lr, "batch_size": self._batch_size, "optimizer": self._optimizer_name,
                "momentum": self.momentum, "l2": self._l2, "seed": self.seed,
                "eval_every": self._eval_every, "history_size": self.history_size}
