"""The run-file checks of a run's progress: the counters and random state, the history
series and the optimizer state, each against its domain in
:mod:`~playground.engine.runfiles.schema`'s table."""

from __future__ import annotations

import math

import numpy as np

from ..optimizers import Adam
from .schema import (
    MAX_SECONDS,
    MAX_UPDATES,
    MAX_VELOCITY,
    RunFileError,
    array,
    integer,
    number,
    show,
)


def check_rng(state):
    """A PCG64 bit-generator state, as ``numpy`` writes it."""
    field = "counters.rng (the random-number state)"
    inner = state.get("state") if isinstance(state, dict) else None
    if not (isinstance(inner, dict) and state.get("bit_generator") == "PCG64"):
        raise RunFileError(f"{field} must be a PCG64 state with 'state' and 'inc'.")
    integer(inner.get("state"), f"{field}: state", 0, 2**128 - 1)
    integer(inner.get("inc"), f"{field}: inc", 0, 2**128 - 1)
    integer(state.get("has_uint32"), f"{field}: has_uint32", 0, 1)
    integer(state.get("uinteger"), f"{field}: uinteger", 0, 2**32 - 1)
    return state


def check_counters(counters, n, order, mini_batch, per_update=None):
    """The progress counters, checked against each other and the data; returns the
    ``Trainer.load_state`` fields they carry (order: an int64 permutation or None)."""
    if not isinstance(counters, dict):
        raise RunFileError("The run file has no counters.")
    steps = integer(counters.get("steps"), "counters.steps (the updates)", 0, MAX_UPDATES)
    epochs = integer(counters.get("epochs"), "counters.epochs", 0, MAX_UPDATES)
    if epochs > steps:
        raise RunFileError(f"counters.epochs ({epochs:,}) must not exceed the updates "
                           f"({steps:,}): an update ends at most one epoch.")
    has_order = counters.get("has_order")
    diverged = counters.get("diverged", False)
    for key, value in (("has_order", has_order), ("diverged", diverged)):
        if not isinstance(value, bool):
            raise RunFileError(f"counters.{key} must be true or false; got {show(value)}.")
    pos = integer(counters.get("pos"), "counters.pos", 0, MAX_UPDATES)
    if has_order:
        if not mini_batch:
            raise RunFileError("counters.has_order is true, but the run trains on full "
                               "batches, which have no epoch order.")
        if pos >= n:                          # an epoch in progress has samples left to visit
            raise RunFileError(f"counters.pos ({pos}) is past the end of the data ({n} "
                               f"points); an epoch in progress is at 0..{n - 1}.")
        if len(order) != n or not np.array_equal(np.sort(order), np.arange(n)):
            raise RunFileError("The saved batch order is not a permutation of the data.")
        order = order.astype(np.int64)
    elif order.size:
        raise RunFileError("The 'order' array must be empty when counters.has_order is false.")
    elif pos > 2 * n:
        raise RunFileError(f"counters.pos must be in 0..{2 * n} between epochs (where the last "
                           f"one ended); got {pos:,}.")
    else:
        order = None
    message = counters.get("divergence_message")
    if message is not None and not isinstance(message, str):
        raise RunFileError("counters.divergence_message must be a string or null.")
    message = (message or "")[:500]
    if diverged and not message.strip():
        message = "This run had diverged before it was saved; reset to continue."
    # samples and seconds came later: a file without them gets what the updates imply
    samples = counters.get("samples")
    per_epoch = -(-n // (per_update or n))        # updates per epoch
    samples = (round(steps / per_epoch * n) if samples is None else
               integer(samples, "counters.samples", 0, steps * n))
    seconds = counters.get("seconds")
    seconds = 0.0 if seconds is None else number(seconds, "counters.seconds")
    if not 0 <= seconds <= MAX_SECONDS:
        raise RunFileError(f"counters.seconds must be in 0..{MAX_SECONDS:g}; got {seconds:g}.")
    return {"updates": steps, "epochs": epochs, "samples": samples, "seconds": seconds,
            "pos": pos, "order": order,
            "rng": check_rng(counters.get("rng")), "diverged": diverged,
            "divergence_message": message}


def check_series(key, st, rows, names, merge, capacity, steps):
    """One history series' state (``rows`` its array), checked; returns it for
    ``Series.from_state``."""
    field = f"history.{key}"
    if not isinstance(st, dict):
        raise RunFileError(f"{field} is missing.")
    for part, expected in (("names", list(names)), ("merge", merge)):
        if st.get(part) != expected:
            raise RunFileError(f"{field}.{part} must be {expected!r}; got {show(st.get(part))}.")
    if st.get("capacity") != capacity or isinstance(st.get("capacity"), bool):
        raise RunFileError(f"{field}.capacity must equal trainer.history_size ({capacity}); "
                           f"got {show(st.get('capacity'))}.")
    stride = integer(st.get("stride"), f"{field}.stride", 1, steps + 1)
    if stride & (stride - 1):
        raise RunFileError(f"{field}.stride must be a power of two; got {stride}.")
    count = integer(st.get("pending_count"), f"{field}.pending_count", 0, stride - 1)
    pending = st.get("pending")
    if not (isinstance(pending, list) and len(pending) == len(names)):
        raise RunFileError(f"{field}.pending must list {len(names)} numbers.")
    # the per-update loss is always finite; evaluations may be NaN (no test set)
    pending = [v if key == "evals" and isinstance(v, float) else
               number(v, f"{field}.pending") for v in pending]
    if rows.ndim != 2 or rows.shape[1] != 1 + len(names) or len(rows) > capacity:
        raise RunFileError(f"Array 'history_{key}' must have shape (at most {capacity}, "
                           f"{1 + len(names)}); got {rows.shape}.")
    step = rows[:, 0]
    if not (np.all(np.isfinite(step)) and np.all(step == np.round(step))
            and np.all((step >= 0) & (step <= steps)) and np.all(np.diff(step) >= 0)):
        raise RunFileError(f"The updates in 'history_{key}' must be whole numbers in "
                           f"0..{steps:,} (counters.steps), in order.")
    if key == "loss" and not np.all(np.isfinite(rows)):
        raise RunFileError("Array 'history_loss' contains NaN or infinite values.")
    return {"names": list(names), "capacity": capacity, "merge": merge, "stride": stride,
            "rows": rows, "pending": pending, "pending_count": count}


_ADAM = Adam([])
# a first moment beyond √C·√v cannot come from any gradient sequence (Cauchy–Schwarz on the
# two moving averages; see the table above): 10 % of room for rounding
_M_BOUND = 1.1 * math.sqrt((1 - _ADAM.beta1) ** 2 / (
    (1 - _ADAM.beta2) * (1 - _ADAM.beta1 ** 2 / _ADAM.beta2)))


def check_optimizer(name, arrays, shapes, steps, dtype):
    """The optimizer's state arrays (``shapes``: ``Trainer.optimizer_state_shapes()``),
    checked for the domain its update needs; returns them for ``Trainer.load_state``."""
    given = {k[4:] for k in arrays if k.startswith("opt_")}
    if given != set(shapes):
        raise RunFileError(f"The optimizer state does not match the optimizer {name!r} "
                           f"(expected {sorted('opt_' + k for k in shapes) or 'none'}).")
    state = {}
    for k, shape in shapes.items():
        if k == "t":
            t = array(arrays, "opt_t", shape, "int")
            state[k] = np.array(integer(int(t), "opt_t (Adam's step count)", 0, steps))
        else:
            state[k] = array(arrays, f"opt_{k}", shape, dtype=dtype)
    for k, value in state.items():
        if k.startswith("velocity") and np.max(np.abs(value), initial=0) > MAX_VELOCITY:
            raise RunFileError(f"opt_{k} (momentum's velocity) must lie within "
                               f"±{MAX_VELOCITY:g}.")
        if k.startswith("v") and k[1:].isdigit():
            if np.any(value < 0):
                raise RunFileError(f"opt_{k} (Adam's second moment, a mean of squares) must "
                                   f"be ≥ 0.")
            m = state[f"m{k[1:]}"].astype(np.float64)
            if np.any(np.abs(m) > _M_BOUND * (np.sqrt(value.astype(np.float64)) + _ADAM.eps)):
                raise RunFileError(f"opt_m{k[1:]} (Adam's first moment) is larger than any "
                                   f"gradients could make it, given opt_{k}.")
    return state
