"""The arithmetic of the network: preallocated buffers and the forward and backward passes
for one batch size (:class:`Workspace`).

The training loop calls it thousands of times a second, so it writes into its buffers with
``out=`` instead of allocating temporaries. The equations are those of
:mod:`playground.engine.model`'s table.
"""

from __future__ import annotations

import math

import numpy as np

from .activations import Buffers, activation

# Scores beyond this magnitude could overflow exp() (float32 overflows at ~88.7), so only
# then is the row maximum subtracted; the shift costs a per-row reduction on every step.
_SAFE_SCORE = 60.0


def l2_penalty(weights, l2):
    """0.5·l2·ΣW² over the weight matrices (biases are not regularised)."""
    return 0.5 * l2 * sum(float(np.vdot(W, W)) for W in weights)


def l1_penalty(weights, l1):
    """l1·Σ|W| over the weight matrices (biases are not regularised)."""
    return l1 * sum(float(np.abs(W).sum()) for W in weights)


def flat_size(sizes):
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def carve(flat, sizes):
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
    ``A[l]`` (``A[0]`` is the network's input, its features), ``P`` and ``dZ[l]`` are
    (n, units). For a regression network ``P`` is the output score itself, (n, 1): the
    identity takes the softmax's place. ``dW``/``db`` are the
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
        act = activation(net.activation)             # an unknown name raises here
        self._forward_act, self._backward_act = act.forward, act.backward
        self.n_layers = net.n_layers
        # regression: the output is the score itself (P is Z_L), no softmax
        self.regression = net.regression
        # Each layer's input is (fan_in + 1, n) with a last row of ones, which multiplies the
        # bias row of the layer's (W; b) block: Xt for the first layer, and for the others the
        # previous hidden layer's activations, written into the first rows of _A_in[l] (a
        # contiguous view, _At[l]). With the identity (no in-place forward) Z is that view.
        self._A_in = [None] + [np.ones((s + 1, n), dtype=dt) for s in sizes[1:-1]]
        self._At = [None] + [a[:-1] for a in self._A_in[1:]]
        self._Zt = [self._At[l + 1] if act.forward is None else np.empty((s, n), dtype=dt)
                    for l, s in enumerate(sizes[1:-1])] + [np.empty((sizes[-1], n), dtype=dt)]
        self.Pt = self._Zt[-1] if self.regression else np.empty((sizes[-1], n), dtype=dt)
        self.Z = [z.T for z in self._Zt]
        self.P = self.Pt.T
        # The input Xt: (D + 1, n), last row all ones. set_input copies X into this buffer;
        # the trainer instead points Xt at its own data (the training set, or a batch block),
        # so that a batch is never copied.
        self._own_input = np.ones((sizes[0] + 1, n), dtype=dt)
        self.Xt = self._own_input
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
        self.flat_grads = np.empty(flat_size(sizes), dtype=dt)
        self.d_blocks, self.dW, self.db = carve(self.flat_grads, sizes)
        self.d_first = self.d_blocks[0]
        self._dZt = [np.empty((z.shape[0], nb), dtype=dt) for z in self._Zt]
        self.dZ = [d.T for d in self._dZt]
        # each hidden layer's scratch arrays, those its activation asks for
        self._buffers = [Buffers(
            zeros=np.zeros_like(z) if "zeros" in act.buffers else None,
            mask=np.empty((z.shape[0], nb), dtype=dt) if "mask" in act.buffers else None,
            flags=np.empty((z.shape[0], nb), dtype=bool) if "zeros" in act.buffers else None,
            aux=np.empty_like(z) if "aux" in act.buffers else None) for z in self._Zt[:-1]]
        self.flat_grad_list = [self.flat_grads]
        self.block_grads = [self.d_first] + [g for pair in zip(self.dW[1:], self.db[1:])
                                              for g in pair]
        # each layer's (dW; db) block, flat: one dot product per gradient norm
        self.layer_grads = [blk.reshape(-1) for blk in self.d_blocks]
        self._inv_n = 1.0 / n if n else 0.0
        self.ones_n = np.ones(self.n, dtype=dt)
        self.ones_k = np.ones(sizes[-1], dtype=dt)
        self.rowsum = np.empty(self.n, dtype=dt)
        self._log_norm = np.empty(self.n, dtype=dt)
        self._abs_scores = np.empty_like(self.Pt)
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
        if not self.regression:                                # regression: P is Z_L
            self._softmax()
        return self.P

    def _activate(self, l):
        """A_l = f(Z_l) for hidden layer l, by the activation table's in-place forward."""
        if self._forward_act is not None:                   # None: A is Z (the identity)
            self._forward_act(self._Zt[l], self._At[l + 1], self._buffers[l])

    def _softmax(self):
        """P = softmax(scores), shifting by each sample's max score only when exp() could
        overflow."""
        S, P = self._Zt[-1], self.Pt
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
        underflows to 0. Regression: mean ½(ŷ − y)² against the target row Yt (1, n)."""
        if self.regression:
            diff = np.subtract(self.Pt, Yt, out=self._abs_scores)
            return 0.5 * float(np.vdot(diff, diff)) / self.n
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

    def loss_and_grads(self, X, Yt, l2=0.0, l1=0.0):
        """Forward + backward for a batch with targets Yt (one-hot (K, n), or for regression
        the (1, n) row of values); the gradients land in dW, db. X=None uses the input
        already in ``Xt``."""
        net = self.net
        self.forward(X)
        loss = self.loss(Yt)
        # dscore = (y − onehot) / n, the seed's dscore for the mean loss (transposed); for
        # regression (ŷ − y) / n, the derivative of mean ½(ŷ − y)²: the same form
        dZ = self._dZt[-1]
        np.subtract(self.Pt, Yt, out=dZ)
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
        if l1:
            # the subgradient sign(W): 0 where a weight is exactly 0
            for dW, W in zip(self.dW, net.weights):
                dW += l1 * np.sign(W)
            loss += l1_penalty(net.weights, l1)
        return loss

    def _activation_backward(self, l, dA):
        """dA ← dA ⊙ f'(Z_l) in place, for hidden layer l (transposed buffers)."""
        if self._backward_act is not None:                  # None: the derivative is 1
            self._backward_act(self._Zt[l], self._At[l + 1], dA, self._buffers[l])
