"""Training history in bounded memory: fixed-capacity series that halve their resolution
when full, so that a session left playing for hours keeps the same footprint."""

from __future__ import annotations

import numpy as np


class Series:
    """A fixed-capacity record of (step, values...) rows.

    Memory stays bounded for runs of any length: a row is recorded every ``stride`` calls, and
    when the buffer is full, neighbouring rows are merged pairwise (averaged, or the later one
    kept) and the stride doubles. After a million updates a 2,000-row series still spans the
    whole run, at a resolution of one row per ~500 updates.
    """

    def __init__(self, names, capacity=2000, merge="mean"):
        if capacity < 2 or capacity % 2:
            raise ValueError("Series capacity must be an even number ≥ 2.")
        self.names = tuple(names)
        self.capacity = capacity
        self.merge = merge
        self.stride = 1
        self._rows = np.zeros((capacity, 1 + len(self.names)))
        self._n = 0
        self._pending = [0.0] * len(self.names)
        self._pending_count = 0

    def __len__(self):
        return self._n

    def add(self, step, values):
        """Offer one observation (a number, or one per name) for update ``step``; it is
        folded into the current window of ``stride`` observations."""
        if not isinstance(values, (list, tuple)):
            self.add_value(step, values)
            return
        if self._pending_count and self.merge == "mean":
            self._pending = [a + b for a, b in zip(self._pending, values)]
        else:
            self._pending = list(values)
        self._pending_count += 1
        if self._pending_count >= self.stride:
            self._close_window(step)

    def add_value(self, step, value):
        """:meth:`add` of one number to a one-column series (the per-update loss: called for
        every training update, so written without per-name loops)."""
        if self._pending_count and self.merge == "mean":
            value += self._pending[0]
        self._pending = [value]
        self._pending_count += 1
        if self._pending_count >= self.stride:
            self._close_window(step)

    def _close_window(self, step):
        """Record the pending window as a row for ``step`` (merging the buffer first if full)."""
        if self._n == self.capacity:
            self._compact()
            if self._pending_count < self.stride:   # the window just doubled
                return
        count = self._pending_count
        if self.merge == "mean" and count > 1:
            self._rows[self._n] = (step, *[v / count for v in self._pending])
        else:
            self._rows[self._n] = (step, *self._pending)
        self._n += 1
        self._pending_count = 0

    def _compact(self):
        half = self._n // 2
        rows = self._rows
        later = rows[1:self._n:2].copy()
        if self.merge == "mean":
            later[:, 1:] = (rows[0:self._n:2, 1:] + rows[1:self._n:2, 1:]) / 2
        rows[:half] = later
        self._n = half
        self.stride *= 2

    def column(self, name):
        """A copy of one column ("step" or a value name)."""
        i = 0 if name == "step" else 1 + self.names.index(name)
        return self._rows[: self._n, i].copy()

    def as_dict(self):
        out = {"step": self.column("step")}
        for name in self.names:
            out[name] = self.column(name)
        return out

    @property
    def nbytes(self):
        return self._rows.nbytes

    def state(self):
        return {"names": list(self.names), "capacity": self.capacity, "merge": self.merge,
                "stride": self.stride, "rows": self._rows[: self._n].copy(),
                "pending": list(self._pending), "pending_count": self._pending_count}

    @classmethod
    def from_state(cls, state):
        s = cls(state["names"], int(state["capacity"]), state["merge"])
        rows = np.asarray(state["rows"], dtype=np.float64).reshape(-1, 1 + len(s.names))
        if len(rows) > s.capacity:
            raise ValueError("History has more rows than its capacity.")
        s.stride = int(state["stride"])
        s._n = len(rows)
        s._rows[: s._n] = rows
        s._pending = [float(v) for v in state["pending"]]
        if len(s._pending) != len(s.names):
            raise ValueError("History state is inconsistent.")
        s._pending_count = int(state["pending_count"])
        return s


class History:
    """The trainer's two series: ``loss`` (per update) and ``evals`` (every eval_every)."""

    def __init__(self, loss, evals):
        self.loss = loss
        self.evals = evals

    @property
    def nbytes(self):
        return self.loss.nbytes + self.evals.nbytes
