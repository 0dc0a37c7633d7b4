"""The network: a fully connected ReLU (or tanh, sigmoid, ...) net with a softmax output.

It is the seed's two-layer network generalised to any depth. With ``layer_sizes=[2, H, K]``
and the ReLU activation, the forward and backward passes below are, line for line, the seed's
equations (layer index l = 1 .. L, A0 = X, n = batch size)::

    forward                          backward (mean cross-entropy + 0.5·l2·ΣW²)
    Z_l = A_{l-1} W_l + b_l          dscore = (softmax(Z_L) - onehot(y)) / n
    A_l = f(Z_l)   (hidden layers)   dW_l = A_{l-1}ᵀ dZ_l + l2·W_l,   db_l = Σ_rows dZ_l
    y   = softmax(Z_L)               dA_{l-1} = dZ_l W_lᵀ,   dZ_{l-1} = dA_{l-1} ⊙ f'(Z_{l-1})

Two slips of the seed text are not copied: the softmax subtracts the row maximum whenever the
scores are large enough to overflow (the loss is computed as a log-softmax, so it stays finite
for logits of ±1e4), and SGD means one sample per update (batch GD uses all of them).

The arithmetic lives in :class:`Workspace`, which owns preallocated buffers for one batch size:
the training loop calls it thousands of times a second, so it writes into those buffers with
``out=`` instead of allocating temporaries (see docs/performance.md for what each trick buys).
"""

from __future__ import annotations

import math

import numpy as np

ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid", "linear")
INITS = ("he", "xavier", "small", "zeros")
DTYPES = ("float64", "float32")
LEAKY_SLOPE = 0.01
# Scores beyond this magnitude could overflow exp() (float32 overflows at ~88.7), so only
# then is the row maximum subtracted; the shift costs a per-row reduction on every step.
_SAFE_SCORE = 60.0


class ModelError(ValueError):
    """A model was asked for with an impossible configuration."""


class MLP:
    """Multi-layer perceptron with softmax output, parameters kept as plain NumPy arrays.

    ``weights[l]`` has shape (fan_in, fan_out) and ``biases[l]`` shape (fan_out,); a trainer
    updates them in place. ``float64`` is the exact mode (gradient checks, the seed
    comparison); ``float32`` is about twice as fast and is what the live page trains in.
    """

    def __init__(self, layer_sizes=(2, 100, 3), activation="relu", init="he", seed=0,
                 dtype="float64"):
        sizes = [int(s) for s in layer_sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ModelError(f"layer_sizes must list at least an input and an output size, "
                             f"all ≥ 1; got {list(layer_sizes)}.")
        if sizes[-1] < 2:
            raise ModelError("The softmax output needs at least 2 classes.")
        if activation not in ACTIVATIONS:
            raise ModelError(f"Unknown activation {activation!r}; choose one of {ACTIVATIONS}.")
        if init not in INITS:
            raise ModelError(f"Unknown init {init!r}; choose one of {INITS}.")
        if str(dtype) not in DTYPES:
            raise ModelError(f"dtype must be one of {DTYPES}; got {dtype!r}.")
        self.layer_sizes = sizes
        self.activation = activation
        self.init = init
        self.seed = int(seed)
        self.dtype = np.dtype(str(dtype))
        rng = np.random.default_rng(self.seed)
        self._allocate()
        for W, (a, b) in zip(self.weights, zip(sizes[:-1], sizes[1:])):
            W[...] = self._initial_weights(rng, a, b)

    def _allocate(self):
        """Zeroed parameter arrays, all views into one flat buffer ``_flat``.

        Each layer's W and b form one (fan_in + 1, fan_out) block (``layer_blocks[l]``; the
        first is also ``first_block``), so that with a row of ones appended to its input one
        matrix product computes x·W + b, and one computes (dW; db): no broadcast bias add and
        no separate bias-gradient sum. The blocks lie back to back in ``_flat`` (the layout of
        :func:`_carve`), so the plain SGD update is two NumPy calls for the whole network
        instead of two per array: at batch size 1 the per-call overhead is the step's cost."""
        self._flat = np.zeros(_flat_size(self.layer_sizes), dtype=self.dtype)
        self.layer_blocks, self.weights, self.biases = _carve(self._flat, self.layer_sizes)
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

    def config(self):
        return {"layer_sizes": list(self.layer_sizes), "activation": self.activation,
                "init": self.init, "seed": self.seed, "dtype": self.dtype.name}

    def copy(self):
        return self.astype(self.dtype)

    def astype(self, dtype):
        """A copy of this network, with parameters in the given dtype."""
        other = MLP.__new__(MLP)
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k != "last_pass"})
        other.layer_sizes = list(self.layer_sizes)
        other.dtype = np.dtype(str(dtype))
        other._allocate()
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
    def forward(self, X):
        """Run the forward pass on fresh buffers; return a :class:`Workspace` with every
        layer's pre-activations ``Z`` and activations ``A`` (``A[0]`` is the input) and the
        class probabilities ``P``. Nothing on the network changes."""
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ModelError(f"X must have shape (n, {self.layer_sizes[0]}); got {X.shape}.")
        ws = Workspace(self, len(X), backward=False)
        ws.forward(X)
        return ws

    def predict_proba(self, X):
        """Class probabilities, shape (n, K); rows sum to 1."""
        return self.forward(X).P

    def predict(self, X):
        return np.argmax(self.predict_proba(X), axis=1)

    def hidden_activations(self, X):
        """The activations of every hidden layer for inputs X: a list of (n, units)."""
        return self.forward(X).A[1:]

    # -- training signal ----------------------------------------------------------------
    def loss_and_grads(self, X, y, l2=0.0):
        """Mean cross-entropy (+ 0.5·l2·ΣW² over weight matrices) and its gradients.

        Returns ``(loss, grads)`` with ``grads[l] = (dW, db)`` shaped like the parameters.
        The per-layer intermediates of this call are kept in ``self.last_pass`` (a
        :class:`Workspace`: ``Z``, ``A``, ``P``, ``dZ``) for heatmaps and unit maps.
        """
        X = np.asarray(X, dtype=self.dtype)
        y = np.asarray(y)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ModelError(f"X must have shape (n, {self.layer_sizes[0]}); got {X.shape}.")
        if y.shape != (len(X),):
            raise ModelError(f"y must have shape ({len(X)},); got {y.shape}.")
        ws = Workspace(self, len(X))
        loss = ws.loss_and_grads(X, one_hot(y, self.n_classes, self.dtype).T, l2)
        self.last_pass = ws
        return loss, [(dW.copy(), db.copy()) for dW, db in zip(ws.dW, ws.db)]


def l2_penalty(weights, l2):
    """0.5·l2·ΣW² over the weight matrices (biases are not regularised)."""
    return 0.5 * l2 * sum(float(np.vdot(W, W)) for W in weights)


def one_hot(y, n_classes, dtype=np.float64):
    """Float one-hot matrix (n, K); a float matrix lets the loss use a dot product."""
    y = np.asarray(y)
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ModelError(f"Labels must lie in 0..{n_classes - 1}.")
    out = np.zeros((len(y), n_classes), dtype=dtype)
    out[np.arange(len(y)), y] = 1.0
    return out


def _flat_size(sizes):
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def _carve(flat, sizes):
    """Split a flat buffer into (blocks, weights, biases) views: the (W1; b1) block, the
    (W2; b2) block, ... back to back; W_l is its block's first fan_in rows and b_l the last
    row. All are C-contiguous (so ``out=`` may target them)."""
    blocks, pos = [], 0
    for a, b in zip(sizes[:-1], sizes[1:]):
        blocks.append(flat[pos:pos + (a + 1) * b].reshape(a + 1, b))
        pos += (a + 1) * b
    return blocks, [blk[:-1] for blk in blocks], [blk[-1] for blk in blocks]


class Workspace:
    """Preallocated buffers and the forward/backward arithmetic for one batch size.

    The arithmetic runs in a transposed layout: every layer's buffers are (units, n), one row
    per unit with the samples along it, and the input is an (D + 1, n) array whose last row is
    all ones (it carries b1; see :meth:`MLP._allocate`). OpenBLAS is faster when a product's
    output is (3, n) rather than (n, 3), and the bias adds and the softmax's normalisation then
    broadcast along long contiguous rows instead of 3-element ones: the full-batch step on the
    spiral case takes ~19 % less time than in the (n, units) layout (docs/performance.md).

    The public attributes keep the usual orientation as views of those buffers: ``Z[l]``,
    ``A[l]`` (``A[0]`` is the input), ``P`` and ``dZ[l]`` are (n, units). ``dW``/``db`` are the
    gradients of the last :meth:`loss_and_grads` call, shaped like the parameters. The
    workspace holds references to the network's parameter arrays, so the trainer's in-place
    updates are seen here without copying.
    """

    def __init__(self, net, n, backward=True):
        """``backward=False`` makes a forward-only workspace (inference, e.g. a decision
        grid): about half the memory, and :meth:`loss_and_grads` is unavailable."""
        self.net = net
        self.n = n
        dt = net.dtype
        sizes = net.layer_sizes
        self.activation = net.activation
        self.n_layers = net.n_layers
        # Each layer's input is (fan_in + 1, n) with a last row of ones, which multiplies the
        # bias row of the layer's (W; b) block: Xt for the first layer, and for the others the
        # previous hidden layer's activations, written into the first rows of _A_in[l] (a
        # contiguous view, _At[l]). With the linear activation Z is that view itself.
        self._A_in = [None] + [np.ones((s + 1, n), dtype=dt) for s in sizes[1:-1]]
        self._At = [None] + [a[:-1] for a in self._A_in[1:]]
        self._Zt = [self._At[l + 1] if net.activation == "linear" else np.empty((s, n), dtype=dt)
                    for l, s in enumerate(sizes[1:-1])] + [np.empty((sizes[-1], n), dtype=dt)]
        self._Pt = np.empty((sizes[-1], n), dtype=dt)
        self.Z = [z.T for z in self._Zt]
        self.P = self._Pt.T
        # The input Xt: (D + 1, n), last row all ones. set_input copies X into this buffer;
        # the trainer instead points Xt at its own data (the training set, or a batch block),
        # so that a batch is never copied.
        self._own_input = np.ones((sizes[0] + 1, n), dtype=dt)
        self.Xt = self._own_input
        # ReLU's comparand (maximum against an array takes the SIMD loop); only ReLU needs it
        self.zeros = [np.zeros_like(z) if net.activation == "relu" else None
                      for z in self._Zt[:-1]]
        # the parameter blocks as the transposed products read them (views, made once)
        self._blocks_T = [blk.T for blk in net.layer_blocks]
        # Products with a small inner dimension and a large output, like (x·W1)ᵀ = W1ᵀ·xᵀ and
        # dhᵀ = W2·dscoreᵀ (inner 3, output H×n): np.matmul beats np.dot by ~0.5 µs (f32)
        # and ~1.5 µs (f64) from batches of ~128 up (100×3·3×300: 18 % in f64); np.dot is
        # faster for the others and, with less call overhead, for small batches.
        def product(inner):
            return np.matmul if inner <= 32 and n >= 128 else np.dot
        self._forward_product = [product(a + 1) for a in sizes[:-1]]
        self._backward_product = [product(b) for b in sizes[1:]]    # dA_{l-1} = W_l·dZ_l
        nb = n if backward else 0                    # zero-row backward buffers: no memory
        # the gradients in the parameters' flat layout (see MLP._allocate): (dW1; db1) is one
        # block, and SGD can update every parameter from one flat array
        self._flat_grads = np.empty(_flat_size(sizes), dtype=dt)
        self.d_blocks, self.dW, self.db = _carve(self._flat_grads, sizes)
        self.d_first = self.d_blocks[0]
        self._dZt = [np.empty((z.shape[0], nb), dtype=dt) for z in self._Zt]
        self.dZ = [d.T for d in self._dZt]
        self.mask = [np.empty((z.shape[0], nb), dtype=dt) for z in self._Zt[:-1]]
        self._bool_mask = [np.empty((z.shape[0], nb), dtype=bool) for z in self._Zt[:-1]]
        self._flat_grad_list = [self._flat_grads]
        self._block_grads = [self.d_first] + [g for pair in zip(self.dW[1:], self.db[1:])
                                              for g in pair]
        # each layer's (dW; db) block, flat: one dot product per gradient norm
        self._layer_grads = [blk.reshape(-1) for blk in self.d_blocks]
        self._inv_n = 1.0 / n if n else 0.0
        self.ones_n = np.ones(self.n, dtype=dt)
        self.ones_k = np.ones(sizes[-1], dtype=dt)
        self.rowsum = np.empty(self.n, dtype=dt)
        self._log_norm = np.empty(self.n, dtype=dt)
        self._abs_scores = np.empty_like(self._Pt)
        self._tiny = float(np.finfo(dt).tiny)
        self.shift = None

    @property
    def A(self):
        """Activations per layer as (n, units) views: the input, then each hidden layer."""
        return [self.Xt[:-1].T] + [a.T for a in self._At[1:]]

    def set_input(self, X):
        """Copy inputs X (n, D) into this workspace's own input buffer."""
        self.Xt = self._own_input
        self.Xt[:-1] = np.asarray(X).T

    def update_grads(self):
        """The gradients in the order of MLP.update_blocks()."""
        return list(self._block_grads)

    def forward(self, X=None):
        """Fill Z, A and P; X (n, D) is copied in first unless the input is already set."""
        if X is not None:
            self.set_input(X)
        Zt, blocks_T, A_in, product = self._Zt, self._blocks_T, self._A_in, self._forward_product
        last = self.n_layers - 1
        product[0](blocks_T[0], self.Xt, out=Zt[0])            # (x·W1 + b1)ᵀ
        for l in range(1, last + 1):
            self._activate(l - 1)
            product[l](blocks_T[l], A_in[l], out=Zt[l])        # (h·W2 + b2)ᵀ
        self._softmax()
        return self.P

    def _activate(self, l):
        Z, A = self._Zt[l], self._At[l + 1]
        kind = self.activation
        if kind == "relu":
            # maximum against an array of zeros takes NumPy's SIMD loop (3× a scalar 0)
            np.maximum(Z, self.zeros[l], out=A)
        elif kind == "leaky_relu":
            np.multiply(Z, LEAKY_SLOPE, out=A)
            np.maximum(Z, A, out=A)
        elif kind == "tanh":
            np.tanh(Z, out=A)
        elif kind == "sigmoid":
            # σ(z) = (1 + tanh(z/2)) / 2 never overflows, unlike 1 / (1 + exp(-z))
            np.multiply(Z, 0.5, out=A)
            np.tanh(A, out=A)
            A += 1.0
            A *= 0.5
        # linear: A is Z

    def _softmax(self):
        """P = softmax(scores), shifting by each sample's max score only when exp() could
        overflow."""
        S, P = self._Zt[-1], self._Pt
        self.shift = None
        if self.n == 1:
            # One sample: exponentiate first and test the one row sum in Python, cheaper than
            # the guard's BLAS call. Only an overflow, or an underflow of the whole row (the sum
            # not a normal number), calls for the shift.
            np.exp(S, out=P)
            np.dot(self.ones_k, P, out=self.rowsum)
            if self._tiny <= self.rowsum.item() < math.inf:        # False for NaN too
                np.divide(P, self.rowsum, out=P)
                return
            self.shift = S.max(axis=0)
        # Σs² ≤ 60² implies every |s| ≤ 60: one BLAS call that settles small batches, where
        # max() and min() are two reductions of ~1 µs each; otherwise test max |s| exactly.
        elif S.size and not np.vdot(S, S) <= _SAFE_SCORE * _SAFE_SCORE:
            if np.abs(S, out=self._abs_scores).max() > _SAFE_SCORE:
                self.shift = S.max(axis=0)
        if self.shift is not None:
            np.subtract(S, self.shift, out=P)
            np.exp(P, out=P)
        else:
            np.exp(S, out=P)
        np.dot(self.ones_k, P, out=self.rowsum)  # a GEMV is ~10× faster than sum(axis=0)
        np.divide(P, self.rowsum, out=P)

    def loss(self, Yt):
        """Mean cross-entropy of the last forward pass against one-hot targets Yt (K, n), as
        a log-softmax: L = mean(log Σ_j e^{s_j} − s_y), finite even when a probability
        underflows to 0."""
        if self.n == 1:
            # one sample (SGD): Python's math saves three NumPy calls of ~0.3 µs
            r = self.rowsum.item()
            log_norm = math.log(r) if r > 0 else (-math.inf if r == 0 else math.nan)
            if self.shift is not None:
                log_norm += self.shift.item()
            return log_norm - float(np.vdot(self._Zt[-1], Yt))
        log_norm = np.log(self.rowsum, out=self._log_norm)
        if self.shift is not None:
            log_norm += self.shift
        # the sum as a dot with ones: half the cost of .sum() on small arrays
        return (float(np.dot(self.ones_n, log_norm)) - float(np.vdot(self._Zt[-1], Yt))) / self.n

    def loss_and_grads(self, X, Yt, l2=0.0):
        """Forward + backward for a batch with one-hot targets Yt (K, n); the gradients land
        in dW, db. X=None uses the input already in ``Xt``."""
        net = self.net
        self.forward(X)
        loss = self.loss(Yt)
        # dscore = (y − onehot) / n, the seed's dscore for the mean loss (transposed)
        dZ = self._dZt[-1]
        np.subtract(self._Pt, Yt, out=dZ)
        if self.n != 1:                                       # ×1 is exact: skip the call
            np.multiply(dZ, self._inv_n, out=dZ)
        for l in range(self.n_layers - 1, 0, -1):
            dZ = self._dZt[l]
            # dW2 = hᵀ · dscore and db2 = Σ_rows dscore, as one product with [h, 1]
            np.dot(self._A_in[l], self.dZ[l], out=self.d_blocks[l])
            dA = self._dZt[l - 1]
            self._backward_product[l](net.weights[l], dZ, out=dA)  # dhᵀ = W2 · dscoreᵀ
            self._activation_backward(l - 1, dA)             # dr = dh ⊙ f'(r)
        np.dot(self.Xt, self.dZ[0], out=self.d_first)         # dW1 = xᵀ·dr and db1 = Σ dr
        if l2:
            for dW, W in zip(self.dW, net.weights):
                dW += l2 * W
            loss += l2_penalty(net.weights, l2)
        return loss

    def _activation_backward(self, l, dA):
        """dA ← dA ⊙ f'(Z_l) in place, for hidden layer l (transposed buffers)."""
        kind = self.activation
        Z, A, m = self._Zt[l], self._At[l + 1], self.mask[l]
        if kind == "relu":
            if self.n == 1:
                # one sample: the seed's dh[h <= 0] = 0 as putmask is one call fewer, and at
                # this size the calls, not the passes, are the cost
                np.less_equal(Z, self.zeros[l], out=self._bool_mask[l])
                np.putmask(dA, self._bool_mask[l], 0)
                return
            # a float mask and a multiply: 5× cheaper than the seed's dh[h <= 0] = 0. The
            # comparison writes bools (against the zeros array: NumPy's SIMD loop) and copyto
            # converts them; np.greater straight into floats runs a slow casting loop.
            np.greater(Z, self.zeros[l], out=self._bool_mask[l])
            np.copyto(m, self._bool_mask[l])
            np.multiply(dA, m, out=dA)
        elif kind == "leaky_relu":
            np.greater(Z, 0, out=m)
            m *= 1.0 - LEAKY_SLOPE
            m += LEAKY_SLOPE
            dA *= m
        elif kind == "tanh":
            np.multiply(A, A, out=m)                         # 1 − tanh²
            np.subtract(1.0, m, out=m)
            dA *= m
        elif kind == "sigmoid":
            np.subtract(1.0, A, out=m)                       # σ(1 − σ)
            m *= A
            dA *= m
        # linear: derivative 1


def gradient_check(net, X, y, l2=0.0, h=1e-5, max_entries=None, seed=0):
    """Compare the analytic gradients with centred finite differences.

    Returns ``{"W1": err, "b1": err, ...}``: the maximum relative error
    |a − n| / max(|a|, |n|) per parameter array (0 where both are 0). The analytic side is
    the engine's float64 backward pass; the numerical side perturbs one parameter at a time
    and evaluates the loss with a separate, plain forward pass in extended precision, so that
    rounding in the loss does not swamp small gradient entries. Entries whose perturbation
    moves a ReLU across its kink (where the derivative is undefined) are left out.
    ``max_entries`` checks only that many entries per array, chosen at random.
    """
    net64 = net.astype("float64")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    _, grads = net64.loss_and_grads(X, y, l2)
    params = [p.astype(np.longdouble) for p in net64.params()]
    Xl = X.astype(np.longdouble)
    _, base_pattern = _reference_loss(params, Xl, y, l2, net.activation)
    rng = np.random.default_rng(seed)
    errors = {}
    for i, (param, grad) in enumerate(zip(params, (g for pair in grads for g in pair))):
        name = f"{'Wb'[i % 2]}{i // 2 + 1}"
        flat, gflat = param.reshape(-1), grad.reshape(-1)
        idx = np.arange(flat.size)
        if max_entries is not None and flat.size > max_entries:
            idx = rng.choice(flat.size, size=max_entries, replace=False)
        worst = 0.0
        for j in idx:
            old = flat[j]
            flat[j] = old + h
            plus, pattern_plus = _reference_loss(params, Xl, y, l2, net.activation)
            flat[j] = old - h
            minus, pattern_minus = _reference_loss(params, Xl, y, l2, net.activation)
            flat[j] = old
            if not (_same(pattern_plus, base_pattern) and _same(pattern_minus, base_pattern)):
                continue                                 # crossed a kink: no derivative here
            numeric = float((plus - minus) / (2 * h))
            denom = max(abs(numeric), abs(float(gflat[j])))
            if denom:
                worst = max(worst, abs(numeric - float(gflat[j])) / denom)
        errors[name] = worst
    return errors


def _same(a, b):
    return all(np.array_equal(p, q) for p, q in zip(a, b))


def _reference_loss(params, X, y, l2, activation):
    """The loss by the textbook formulas, in the parameters' dtype, plus the sign pattern of
    every hidden pre-activation (to detect kink crossings). Deliberately independent of
    :class:`Workspace`."""
    f = {"relu": lambda z: np.maximum(z, 0),
         "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
         "tanh": np.tanh,
         "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
         "linear": lambda z: z}[activation]
    a, pattern = X, []
    n_layers = len(params) // 2
    for l in range(n_layers):
        z = a @ params[2 * l] + params[2 * l + 1]
        if l < n_layers - 1:
            pattern.append(z > 0)
            a = f(z)
    z = z - z.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(len(y)), y].mean()
    loss += 0.5 * l2 * sum((params[2 * l] ** 2).sum() for l in range(n_layers))
    return loss, pattern


def describe_gradient_check(errors):
    """One-line reading of a gradient check, with CS231n's rule-of-thumb thresholds."""
    worst = max(errors.values()) if errors else 0.0
    if worst < 1e-7:
        return f"Max relative error {worst:.1e}: the gradient is correct."
    if worst < 1e-4:
        return (f"Max relative error {worst:.1e}: fine for ReLU-like kinks "
                "(a finite difference crossed one), suspicious for smooth activations.")
    if worst < 1e-2:
        return f"Max relative error {worst:.1e}: probably a kink crossing, or a bug — look closer."
    return f"Max relative error {worst:.1e}: the gradient is probably wrong."
