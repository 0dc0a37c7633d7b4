"""The run-file format: every field, the domain the engine assumes for it, and the checks
written from that table. :mod:`~playground.engine.runfiles.files` writes and reads the
files; a run is rebuilt only from fields that passed, so a hostile file is refused with a
:class:`RunFileError` that names the field and what was expected, instead of crashing or
poisoning the run some updates later. The checks of the run's progress (counters, history,
optimizer state) are in :mod:`~playground.engine.runfiles.progress`.

A run file is a JSON document (each array as ``{"dtype", "shape", "data"}`` under
``arrays``) or an ``.npz`` archive (the same metadata as the JSON string member ``meta``, the
arrays as members). Below, n is the number of training rows, F = layer_sizes[0] (the number
of input features), K = layer_sizes[-1] (1 for regression), L the number of weight layers
and U = ``counters.steps``, the run's parameter updates.

Parsing: JSON (also the ``.npz``'s ``meta``) nested at most 64 levels, checked by a linear
scan before ``json.loads``, which recurses; ``.npz`` members without pickles, at most
200 MB unpacked; declared sizes checked before arrays are allocated.

==============================  ==============================================================
field                           domain
==============================  ==============================================================
format, version                 ``"nn-playground-run"``, 2; version 1 (written before input
                                features, regression and L1) still loads, as model.features
                                null, model.task classification and trainer.l1 0
model.layer_sizes               2..11 integers in 1..4096, F = the number of model.features
                                (2 when null); K ≥ 2 (classification) or K = 1 (regression);
                                ≤ 5,000,000 parameters
model.features                  null (the raw x1, x2) or a list of distinct ids from
                                ``FEATURES`` (x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2)
model.task                      ``"classification"`` or ``"regression"``
model.activation, init, dtype   one of ``ACTIVATIONS``, ``INITS``, ``DTYPES``
model.seed, trainer.seed        integer in 0..2^63 − 1
trainer.lr                      finite number > 0
trainer.l2                      finite number ≥ 0
trainer.l1                      finite number ≥ 0
trainer.momentum                finite number in [0, 1)
trainer.optimizer               ``"sgd"``, ``"momentum"`` or ``"adam"``
trainer.batch_size              null (batch GD) or integer in 1..50,000 (≥ n: batch GD)
trainer.eval_every              null or integer in 1..10^12
trainer.history_size            even integer in 2..100,000
counters.steps (U)              integer in 0..10^12
counters.epochs                 integer in 0..U (an update ends at most one epoch)
counters.samples                integer in 0..U·n (samples visited); absent in older files:
                                U / (updates per epoch) × n
counters.seconds                number in 0..10^9 (seconds of training); absent: 0
counters.has_order              bool; true only for mini-batches (an epoch in progress)
counters.pos                    integer; with an order 0..n − 1 (samples visited), without
                                one 0..2n (where the last epoch ended; not used)
counters.rng                    PCG64 state: ``state`` and ``inc`` integers in 0..2^128 − 1,
                                ``has_uint32`` 0 or 1, ``uinteger`` in 0..2^32 − 1
counters.diverged               bool
counters.divergence_message     string or null (cut to 500 characters)
history.loss / history.evals    ``names``: the trainer's columns (``loss``; train and test
                                loss and accuracy, grad_norm1..L, epoch, samples, seconds;
                                older files lack the last three, which are then filled in
                                from the updates, seconds unknown); ``capacity`` =
                                trainer.history_size; ``merge`` ``"mean"`` / ``"last"``;
                                ``stride`` a power of two in 1..U + 1 (it doubles only when
                                ``capacity`` rows are full); ``pending`` one number per name
                                (finite for loss); ``pending_count`` in 0..stride − 1 (a full
                                window is recorded at once)
W1..WL, b1..bL                  float, shapes (sizes[l − 1], sizes[l]) and (sizes[l],),
                                finite in the model's dtype
X, y                            (n, 2) float raw points (features are computed on load),
                                finite in the dtype, 1 ≤ n ≤ 50,000 (with X_test at most
                                ``limits["rows"]``); y (n,): classification integers in
                                0..K − 1, regression floats with |y| ≤ 1e6 (finite)
X_test, y_test                  (m, 2) or empty; y_test (m,) as y
history_loss, history_evals     (r, 1 + len(names)) float, r ≤ capacity; column 0 (the
                                update of each row) integers in 0..U, non-decreasing; loss
                                values finite (evals may hold NaN: no test set)
order                           integers, a permutation of 0..n − 1 with has_order, else empty
opt_velocity0..L−1 (momentum)   each layer block's shape (sizes[l − 1] + 1, sizes[l]),
                                finite, |v| ≤ 1e32 (100 × the largest step the trainer takes,
                                lr·|g| < 1e30)
opt_t (adam)                    integer scalar in 0..U (switching optimizer restarts it)
opt_m*, opt_v* (adam)           block shapes, finite; v ≥ 0 (it is a mean of squares);
                                |m| ≤ 8·(√v + ε), since any gradient sequence gives
                                m² ≤ (1 − β1)² / ((1 − β2)(1 − β1²/β2))·v ≈ 52.9·v; so
                                the next update moves a parameter by at most ~10·lr
extra                           any JSON object (the caller's, e.g. the app's settings)
==============================  ==============================================================
"""

from __future__ import annotations

import json
import math
import re

import numpy as np

from ..activations import ACTIVATIONS
from ..features import RAW_INPUTS, check_features
from ..model import DTYPES, INITS
from ..tasks import TASKS

FORMAT = "nn-playground-run"
VERSION = 2
VERSIONS = (1, 2)          # the versions this playground reads
MAX_LAYERS = 10            # weight layers
MAX_UNITS = 4096           # per layer
MAX_PARAMS = 5_000_000
MAX_RUN_ROWS = 50_000          # data rows in a run file
MAX_NPZ_BYTES = 200_000_000  # uncompressed, summed over the archive's members
MAX_HISTORY = 100_000      # rows per history series
MAX_UPDATES = 10**12       # ~30 years of the live page at 1,000 updates/s
MAX_SECONDS = 1e9          # seconds of training (~30 years)
MAX_DEPTH = 64             # JSON nesting; a run file needs 6
MAX_SEED = 2**63 - 1
MAX_VELOCITY = 1e32
MAX_TARGET = 1e6           # |y| of a regression target


class RunFileError(ValueError):
    """A run file is malformed, truncated, of another version, too large, or holds a value
    outside its field's domain."""


def show(value):
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "…"


def integer(value, field, lo, hi):
    """``value`` if it is an integer (not a bool) in lo..hi, else a RunFileError."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise RunFileError(f"{field} must be an integer in {lo:,}..{hi:,}; got {show(value)}.")
    return value


def number(value, field, what="", ok=lambda x: True):
    """``value`` as a float if it is a finite number (not a bool) for which ``ok`` holds,
    else a RunFileError saying ``what`` was expected."""
    x = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            x = float(value)
        except OverflowError:                 # an integer of hundreds of digits
            pass
    if not (math.isfinite(x) and ok(x)):
        raise RunFileError(f"{field} must be a finite number{what and ' '}{what}; got "
                           f"{show(value)}.")
    return x


# -- parsing -----------------------------------------------------------------------------------
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_CHUNK = 1 << 20


def nesting_depth(text):
    """The deepest nesting of ``[``/``{`` in a JSON text, brackets inside strings aside:
    a linear scan (no recursion), in chunks so that memory stays small for any input."""
    skeleton = np.frombuffer(_NOT_BRACKET.sub("", _STRING.sub("", text)).encode(), np.uint8)
    depth = peak = 0
    for start in range(0, len(skeleton), _CHUNK):
        part = skeleton[start:start + _CHUNK]
        running = depth + np.cumsum(np.where((part == 0x5B) | (part == 0x7B), 1, -1))
        peak, depth = max(peak, int(running.max())), int(running[-1])
    return peak


def parse_json(text, what):
    """The JSON value in ``text`` (``what`` names it in messages), nesting bounded first."""
    if nesting_depth(text) > MAX_DEPTH:
        raise RunFileError(f"{what} is nested more than {MAX_DEPTH} levels deep; a run file "
                           f"needs far fewer.")
    try:
        return json.loads(text)
    except RecursionError:                    # the scan above should make this unreachable
        raise RunFileError(f"{what} is nested too deeply.") from None
    except ValueError as exc:
        raise RunFileError(f"{what} is not valid JSON, or it is truncated ({exc}).") from None


# -- header, model, limits ---------------------------------------------------------------------
def check_header(meta):
    """The format and version; a version-1 file's model and trainer get the fields version 2
    added, with the values that mean what version 1 did (in place: checking twice is safe)."""
    if meta.get("format") != FORMAT:
        raise RunFileError("This file is not a playground run (wrong 'format').")
    version = meta.get("version")
    if isinstance(version, bool) or version not in VERSIONS:
        raise RunFileError(f"Run file version {show(version)} is not supported "
                           f"(this playground reads versions {VERSIONS[0]}..{VERSIONS[-1]}).")
    if version == 1:
        if isinstance(meta.get("model"), dict):
            meta["model"].update(features=None, task="classification")
        if isinstance(meta.get("trainer"), dict):
            meta["trainer"]["l1"] = 0.0
        meta["version"] = VERSION


def check_model(meta):
    model = meta.get("model")
    if not isinstance(model, dict):
        raise RunFileError("The run file has no model description.")
    sizes = model.get("layer_sizes")
    if not (isinstance(sizes, list) and 2 <= len(sizes) <= MAX_LAYERS + 1
            and all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= MAX_UNITS
                    for s in sizes)):
        raise RunFileError(f"model.layer_sizes is invalid or over the limits (at most "
                           f"{MAX_LAYERS} layers of {MAX_UNITS} units).")
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    if n_params > MAX_PARAMS:
        raise RunFileError(f"The network has {n_params:,} parameters, over the limit of "
                           f"{MAX_PARAMS:,}.")
    if model.get("activation") not in ACTIVATIONS or model.get("init") not in INITS \
            or model.get("dtype") not in DTYPES:
        raise RunFileError("The network's activation, initialisation or dtype is unknown.")
    integer(model.get("seed"), "model.seed", 0, MAX_SEED)
    features = model.get("features")
    try:
        if features is not None and not isinstance(features, list):
            raise ValueError(f"expected null or a list of ids, got {show(features)}")
        features = check_features(features)
    except ValueError as exc:
        raise RunFileError(f"model.features: {exc}") from None
    inputs = RAW_INPUTS if features is None else len(features)
    if sizes[0] != inputs:
        raise RunFileError(f"model.layer_sizes[0] must equal the number of model.features "
                           f"({inputs}); got {sizes[0]}.")
    task = model.get("task")
    if not isinstance(task, str) or task not in TASKS:
        raise RunFileError(f"model.task must be one of {tuple(TASKS)}; got {show(task)}.")
    problem = TASKS[task].output_error(sizes[-1])
    if problem:
        raise RunFileError(f"model.layer_sizes[-1]: {problem}")


def check_limits(sizes, rows, limits):
    """The caller's tighter caps (``hidden_layers``, ``units``, ``rows``), each defaulting
    to the format's own."""
    hidden = sizes[1:-1]
    max_layers = limits.get("hidden_layers", MAX_LAYERS - 1)
    max_units = limits.get("units", MAX_UNITS)
    if len(hidden) > max_layers or max(hidden, default=0) > max_units:
        raise RunFileError(f"This run's network ({' → '.join(map(str, sizes))}) is larger than "
                           f"this playground allows ({max_layers} hidden layers of at most "
                           f"{max_units} units).")
    max_rows = limits.get("rows", MAX_RUN_ROWS)
    if rows > max_rows:
        raise RunFileError(f"This run has {rows:,} data rows (training and test); this "
                           f"playground allows at most {max_rows:,}.")


def array(arrays, name, shape, kind="float", dtype=None):
    """The array ``name`` with the given kind and shape (None: any); a float array given a
    ``dtype`` is cast to it and must be finite there (1e300 is finite, but not in float32)."""
    if name not in arrays:
        raise RunFileError(f"The run file has no {name!r} array.")
    arr = np.asarray(arrays[name])
    if arr.dtype.kind not in ("f" if kind == "float" else "iu"):
        raise RunFileError(f"Array {name!r} should hold {kind}s, not {arr.dtype}.")
    if shape is not None and tuple(arr.shape) != tuple(shape):
        raise RunFileError(f"Array {name!r} has shape {tuple(arr.shape)}; expected "
                           f"{tuple(shape)}.")
    if dtype is not None:
        with np.errstate(over="ignore"):
            arr = arr.astype(dtype)
        if not np.all(np.isfinite(arr)):
            raise RunFileError(f"Array {name!r} contains NaN or infinite values (in {dtype}).")
    return arr


def targets(arrays, name, m, task, n_classes, dtype):
    """The targets ``name`` of m points: class labels in 0..K − 1, or for regression finite
    floats with |y| ≤ MAX_TARGET."""
    if not TASKS[task].softmax:                       # one value per point, not a class
        y = array(arrays, name, (m,), "float", dtype="float64")
        if y.size and np.abs(y).max() > MAX_TARGET:
            raise RunFileError(f"Array {name!r} (regression targets) must lie within "
                               f"±{MAX_TARGET:g}.")
        return y
    y = array(arrays, name, (m,), "int")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise RunFileError(f"Labels must lie in 0..{n_classes - 1}.")
    return y


# -- trainer settings ----------------------------------------------------------------------
def check_trainer(cfg, optimizers):
    """The trainer settings, checked; returns the keyword arguments for ``Trainer``."""
    if not isinstance(cfg, dict):
        raise RunFileError("The run file has no trainer settings.")
    if cfg.get("optimizer") not in optimizers:
        raise RunFileError(f"Unknown optimizer {show(cfg.get('optimizer'))}; expected one "
                           f"of {optimizers}.")
    out = {"optimizer": cfg["optimizer"],
           "lr": number(cfg.get("lr"), "trainer.lr (the learning rate)", "> 0",
                        lambda x: x > 0),
           "l2": number(cfg.get("l2"), "trainer.l2", "≥ 0", lambda x: x >= 0),
           "l1": number(cfg.get("l1"), "trainer.l1", "≥ 0", lambda x: x >= 0),
           "momentum": number(cfg.get("momentum"), "trainer.momentum", "in [0, 1)",
                              lambda x: 0 <= x < 1),
           "seed": integer(cfg.get("seed"), "trainer.seed", 0, MAX_SEED)}
    size = integer(cfg.get("history_size"), "trainer.history_size", 2, MAX_HISTORY)
    if size % 2:
        raise RunFileError(f"trainer.history_size must be even; got {size}.")
    out["history_size"] = size
    for key, hi in (("batch_size", MAX_RUN_ROWS), ("eval_every", MAX_UPDATES)):
        out[key] = cfg.get(key)
        if out[key] is not None:
            integer(out[key], f"trainer.{key} (or null)", 1, hi)
    return out
