"""The batches of mini-batch and stochastic gradient descent: each epoch visits the training
set in a fresh random order, cut into batches of B (the last one smaller when B does not
divide N)."""

from __future__ import annotations

import numpy as np


class EpochBatches:
    """The order of the current epoch and the position in it, for inputs ``Xt`` (D + 1, N)
    and one-hot targets ``Yt`` (K, N) in the workspaces' transposed layout.

    :meth:`next` returns the next batch as contiguous ``(Xt, Yt)`` blocks of shape
    (D + 1, b) and (K, b); :meth:`advance` moves past it after the update. The order is drawn
    from ``rng`` when an epoch starts, so the same seed gives the same batches.
    """

    def __init__(self, Xt, Yt, batch_size, rng):
        self.Xt, self.Yt = Xt, Yt
        self.n = Xt.shape[1]
        self.batch_size = int(batch_size)
        self.rng = rng
        self.order = None          # None: the next batch starts a fresh epoch
        self.pos = 0               # samples of the current epoch already visited
        self._gathered = None      # the order the blocks below were cut from
        self._gathered_at = 0

    def next(self):
        """The next batch as ``(Xt, Yt)`` (read, not written, by the caller)."""
        if self.order is None:
            self.order = self.rng.permutation(self.n)
            self.pos = 0
        B = self.batch_size
        if self._gathered is not self.order:
            # The rest of the epoch is gathered once, batch by batch in visiting order, so
            # that each batch is one contiguous (D + 1, B) block: two gathers per epoch, not
            # two per update. The identity test also catches an order set by load_state.
            self._gathered, self._gathered_at = self.order, self.pos
            rest = self.order[self.pos:]
            whole = len(rest) // B * B
            blocks = rest[:whole].reshape(-1, B)
            self._epoch_Xt = np.ascontiguousarray(self.Xt[:, blocks].transpose(1, 0, 2))
            self._epoch_Yt = np.ascontiguousarray(self.Yt[:, blocks].transpose(1, 0, 2))
            self._tail_Xt = np.ascontiguousarray(self.Xt[:, rest[whole:]])
            self._tail_Yt = np.ascontiguousarray(self.Yt[:, rest[whole:]])
        i = (self.pos - self._gathered_at) // B
        if i < len(self._epoch_Xt):
            return self._epoch_Xt[i], self._epoch_Yt[i]
        return self._tail_Xt, self._tail_Yt

    def advance(self, n):
        """Move past a batch of n samples; returns True when that ended the epoch."""
        self.pos += n
        if self.pos >= self.n:
            self.order = None
            return True
        return False

    def updates_left(self):
        """Updates until the current epoch ends (a whole epoch when at its start)."""
        if self.order is not None and self.pos:
            return -(-(self.n - self.pos) // self.batch_size)
        return -(-self.n // self.batch_size)

    def state(self):
        """``{"order": int64 array or None, "pos": int}`` (the random stream is the
        trainer's)."""
        return {"order": None if self.order is None else self.order.copy(), "pos": self.pos}

    def load_state(self, order, pos):
        """Restore :meth:`state`'s output (the caller has checked its domain)."""
        self.order = None if order is None else np.asarray(order, dtype=np.int64).copy()
        self.pos = int(pos)
