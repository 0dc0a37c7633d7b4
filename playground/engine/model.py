"""The network: a fully connected ReLU (or tanh, sigmoid, ...) net with a softmax output (or,
for regression, one linear output unit).

It is the seed's two-layer network generalised to any depth. With ``layer_sizes=[2, H, K]``
and the ReLU activation, the forward and backward passes below are, line for line, the seed's
equations (layer index l = 1 .. L, A0 = X, n = batch size)::

    forward                          backward (mean cross-entropy + 0.5·l2·ΣW²)
    Z_l = A_{l-1} W_l + b_l          dscore = (softmax(Z_L) - onehot(y)) / n
    A_l = f(Z_l)   (hidden layers)   dW_l = A_{l-1}ᵀ dZ_l + l2·W_l,   db_l = Σ_rows dZ_l
    y   = softmax(Z_L)               dA_{l-1} = dZ_l W_lᵀ,   dZ_{l-1} = dA_{l-1} ⊙ f'(Z_{l-1})

Regression (``task="regression"``) has one output unit, ŷ = Z_L (the identity instead of the
softmax), and the loss mean ½(ŷ − y)²: its dscore = (ŷ − y) / n has the softmax's form
(P − onehot) / n, so the backward pass is the same. L1 adds l1·Σ|W| to the loss and
l1·sign(W) to each dW (0 where W is exactly 0). Input features (:mod:`.features`) are part
of the model: every entry point takes raw (n, 2) points, and ``A0 = featurize(X)``.

Two slips of the seed text are not copied: the softmax subtracts the row maximum whenever the
scores are large enough to overflow (the loss is computed as a log-softmax, so it stays finite
for logits of ±1e4), and SGD means one sample per update (batch GD uses all of them).

The arithmetic lives in :class:`Workspace`, which owns preallocated buffers for one batch size:
the training loop calls it thousands of times a second, so it writes into those buffers with
``out=`` instead of allocating temporaries (see docs/performance.md for what each trick buys).
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .features import RAW_INPUTS, check_features, featurize
from .tasks import TASKS
from .workspace import Workspace, carve, flat_size

INITS = ("he", "xavier", "small", "zeros")
DTYPES = ("float64", "float32")


class ModelError(ValueError):
    """A model was asked for with an impossible configuration."""


class MLP:
    """Multi-layer perceptron with softmax output (``task="classification"``) or one linear
    output unit (``task="regression"``), parameters kept as plain NumPy arrays.

    ``features`` (ids from :data:`~playground.engine.features.FEATURES`, or None for the raw
    x1, x2) are the network's inputs; ``layer_sizes[0]`` is their number. Zero hidden layers
    (``layer_sizes = [F, K]``) is a linear (softmax or least-squares) model.

    ``weights[l]`` has shape (fan_in, fan_out) and ``biases[l]`` shape (fan_out,); a trainer
    updates them in place. ``float64`` is the exact mode (gradient checks, the seed
    comparison); ``float32`` is about twice as fast and is what the live page trains in.
    """

    def __init__(self, layer_sizes=(2, 100, 3), activation="relu", *, init="he", seed=0,
                 dtype="float64", features=None, task="classification"):
        sizes = [int(s) for s in layer_sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ModelError(f"layer_sizes must list at least an input and an output size, "
                             f"all ≥ 1; got {list(layer_sizes)}.")
        try:
            features = check_features(features)
        except ValueError as exc:
            raise ModelError(str(exc)) from None
        inputs = RAW_INPUTS if features is None else len(features)
        if sizes[0] != inputs:
            raise ModelError(f"layer_sizes[0] must be the number of inputs, {inputs} "
                             f"({', '.join(features or ('x1', 'x2'))}); got {sizes[0]}.")
        if task not in TASKS:
            raise ModelError(f"Unknown task {task!r}; choose one of {tuple(TASKS)}.")
        problem = TASKS[task].output_error(sizes[-1])
        if problem:
            raise ModelError(f"{problem} (layer_sizes[-1])")
        if activation not in ACTIVATIONS:
            raise ModelError(f"Unknown activation {activation!r}; choose one of "
                             f"{tuple(ACTIVATIONS)}.")
        if init not in INITS:
            raise ModelError(f"Unknown init {init!r}; choose one of {INITS}.")
        if str(dtype) not in DTYPES:
            raise ModelError(f"dtype must be one of {DTYPES}; got {dtype!r}.")
        self.layer_sizes = sizes
        self.activation = activation
        self.init = init
        self.seed = int(seed)
        self.dtype = np.dtype(str(dtype))
        self.features = features
        self.task = task
        rng = np.random.default_rng(self.seed)
        self._allocate()
        for W, (a, b) in zip(self.weights, zip(sizes[:-1], sizes[1:])):
            W[...] = self._initial_weights(rng, a, b)

    def _allocate(self):
        """Zeroed parameter arrays, all views into one flat buffer ``flat``.

        Each layer's W and b form one (fan_in + 1, fan_out) block (``layer_blocks[l]``; the
        first is also ``first_block``), so that with a row of ones appended to its input one
        matrix product computes x·W + b, and one computes (dW; db): no broadcast bias add and
        no separate bias-gradient sum. The blocks lie back to back in ``flat`` (the layout of
        :func:`~playground.engine.workspace.carve`), so the plain SGD update is two NumPy
        calls for the whole network instead of two per array: at batch size 1 the per-call
        overhead is the step's cost."""
        self.flat = np.zeros(flat_size(self.layer_sizes), dtype=self.dtype)
        self.layer_blocks, self.weights, self.biases = carve(self.flat, self.layer_sizes)
        self.first_block = self.layer_blocks[0]

    def _initial_weights(self, rng, fan_in, fan_out):
        scale = {"he": np.sqrt(2.0 / fan_in),             # keeps ReLU activations' variance
                 "xavier": np.sqrt(2.0 / (fan_in + fan_out)),  # Glorot, for tanh/sigmoid
                 "small": 0.01,                            # CS231n: initial loss ≈ ln K
                 "zeros": 0.0}[self.init]
        return (scale * rng.standard_normal((fan_in, fan_out))).astype(self.dtype)

    # -- shape --------------------------------------------------------------------------
    @property
    def n_layers(self):
        """Number of weight layers (the seed's network has 2)."""
        return len(self.weights)

    @property
    def n_classes(self):
        return self.layer_sizes[-1]

    @property
    def n_params(self):
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def params(self):
        """The parameter arrays by name order: W1, b1, W2, b2, ..."""
        return [p for wb in zip(self.weights, self.biases) for p in wb]

    def update_blocks(self):
        """The arrays an optimizer updates: the (W1; b1) block, then W2, b2, W3, b3, ...
        (the same memory as :meth:`params`, in fewer, larger pieces)."""
        return [self.first_block] + [p for wb in zip(self.weights[1:], self.biases[1:])
                                     for p in wb]

    @property
    def regression(self):
        """One linear output unit (the task's output layer is not a softmax)."""
        return not TASKS[self.task].softmax

    def config(self):
        return {"layer_sizes": list(self.layer_sizes), "activation": self.activation,
                "init": self.init, "seed": self.seed, "dtype": self.dtype.name,
                "features": None if self.features is None else list(self.features),
                "task": self.task}

    def copy(self):
        return self.astype(self.dtype)

    def astype(self, dtype):
        """A copy of this network, with parameters in the given dtype."""
        other = MLP(self.layer_sizes, self.activation, init="zeros", seed=self.seed,
                    dtype=dtype, features=self.features, task=self.task)
        other.init = self.init
        for dst, src in zip(other.params(), self.params()):
            dst[...] = src
        return other

    def set_params(self, params):
        """Copy arrays (W1, b1, W2, b2, ...) into the parameters, checking their shapes."""
        mine = self.params()
        if len(params) != len(mine):
            raise ModelError(f"Expected {len(mine)} parameter arrays, got {len(params)}.")
        for i, (dst, src) in enumerate(zip(mine, params)):
            src = np.asarray(src)
            if src.shape != dst.shape:
                raise ModelError(f"Parameter {i} has shape {src.shape}; expected {dst.shape}.")
            dst[...] = src

    # -- inference (side-effect free) ----------------------------------------------------
    def featurize(self, X):
        """The network's input for raw points X (n, 2), in its dtype: the chosen features'
        values (X itself, as an array of the dtype, when ``features`` is None)."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != RAW_INPUTS:
            raise ModelError(f"X must have shape (n, {RAW_INPUTS}); got {X.shape}.")
        return featurize(X, self.features)

    def points_workspace(self, X):
        """A forward-only :class:`Workspace` whose input is the features of raw points X
        (n, 2), kept by the caller to run ``forward()`` again as the parameters change (a
        decision grid's every frame): the features are computed once, here."""
        inputs = self.featurize(X)
        ws = Workspace(self, len(inputs), backward=False)
        ws.set_input(inputs)
        return ws

    def forward(self, X):
        """Run the forward pass on fresh buffers for raw points X (n, 2); return a
        :class:`Workspace` with every layer's pre-activations ``Z`` and activations ``A``
        (``A[0]`` is the featurized input) and the outputs ``P`` (class probabilities, or
        for regression the predicted values as (n, 1)). Nothing on the network changes."""
        inputs = self.featurize(X)
        ws = Workspace(self, len(inputs), backward=False)
        ws.forward(inputs)
        return ws

    def predict_proba(self, X):
        """Class probabilities, shape (n, K); rows sum to 1. Classification only."""
        if self.regression:
            raise ModelError("A regression network predicts values, not class "
                             "probabilities: use predict(X).")
        return self.forward(X).P

    def predict(self, X):
        """The predicted class of each point (n,), or for regression the predicted values."""
        if self.regression:
            return self.forward(X).P[:, 0].copy()
        return np.argmax(self.predict_proba(X), axis=1)

    def hidden_activations(self, X):
        """The activations of every hidden layer for raw points X: a list of (n, units)."""
        return self.forward(X).A[1:]

    # -- training signal ----------------------------------------------------------------
    def targets(self, y, n):
        """The targets as the workspace reads them: one-hot (K, n) for classification, the
        values as a (1, n) row for regression; checked against n points."""
        if self.regression:
            y = np.asarray(y, dtype=self.dtype)
            if y.shape != (n,):
                raise ModelError(f"y must have shape ({n},); got {y.shape}.")
            if not np.all(np.isfinite(y)):
                raise ModelError("Regression targets must be finite numbers.")
            return np.ascontiguousarray(y[None, :])
        y = np.asarray(y)
        if y.shape != (n,):
            raise ModelError(f"y must have shape ({n},); got {y.shape}.")
        if y.dtype.kind not in "iub" and y.size and np.any(y != np.round(y)):
            raise ModelError("Class labels must be whole numbers.")
        return np.ascontiguousarray(one_hot(y.astype(np.int64), self.n_classes, self.dtype).T)

    def loss_and_grads(self, X, y, l2=0.0, l1=0.0):
        """The mean loss (cross-entropy, or ½(ŷ − y)² for regression) + 0.5·l2·ΣW² +
        l1·Σ|W| over the weight matrices, and its gradients, for raw points X (n, 2).

        Returns ``(loss, grads)`` with ``grads[l] = (dW, db)`` shaped like the parameters.
        The per-layer intermediates of this call are kept in ``self.last_pass`` (a
        :class:`Workspace`: ``Z``, ``A``, ``P``, ``dZ``) for heatmaps and unit maps.
        """
        inputs = self.featurize(X)
        Yt = self.targets(y, len(inputs))
        ws = Workspace(self, len(inputs))
        loss = ws.loss_and_grads(inputs, Yt, l2, l1)
        self.last_pass = ws
        return loss, [(dW.copy(), db.copy()) for dW, db in zip(ws.dW, ws.db)]


def one_hot(y, n_classes, dtype=np.float64):
    """Float one-hot matrix (n, K); a float matrix lets the loss use a dot product."""
    y = np.asarray(y)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ModelError(f"Labels must lie in 0..{n_classes - 1}.")
    out = np.zeros((len(y), n_classes), dtype=dtype)
    out[np.arange(len(y)), y] = 1.0
    return out
