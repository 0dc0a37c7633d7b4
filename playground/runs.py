"""Run files: a whole training run (data, network, optimizer state, counters, history) saved
as JSON or as ``.npz`` and loaded back to continue exactly where it stopped.

Loading treats the file as untrusted: ``.npz`` is read with ``allow_pickle=False``, declared
sizes are checked against limits *before* anything is allocated, and every array is checked
for shape, dtype and finiteness. Any problem raises :class:`RunFileError` with a message
saying what is wrong; nothing in the file is ever executed.
"""

from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np

from .history import Series
from .model import ACTIVATIONS, DTYPES, INITS, MLP, ModelError
from .optimizers import OPTIMIZERS
from .training import Trainer, TrainingError

FORMAT = "nn-playground-run"
VERSION = 1
MAX_LAYERS = 10            # weight layers
MAX_UNITS = 4096           # per layer
MAX_PARAMS = 5_000_000
MAX_ROWS = 50_000          # data rows in a run file
MAX_NPZ_BYTES = 200_000_000  # uncompressed, summed over the archive's members
MAX_HISTORY = 100_000      # rows per history series


class RunFileError(ValueError):
    """A run file is malformed, truncated, of another version, or too large."""


# -- export ------------------------------------------------------------------------------------
def _state(trainer, extra):
    """(meta, arrays): JSON-able metadata and named arrays describing the whole run."""
    net = trainer.net
    arrays = {}
    for l in range(net.n_layers):
        arrays[f"W{l + 1}"] = net.weights[l]
        arrays[f"b{l + 1}"] = net.biases[l]
    for name, value in trainer._opt.state().items():
        arrays[f"opt_{name}"] = np.asarray(value)
    arrays.update(X=trainer.X, y=trainer.y, X_test=trainer.X_test, y_test=trainer.y_test)
    history = {}
    for key, series in (("loss", trainer.history.loss), ("evals", trainer.history.evals)):
        st = series.state()
        arrays[f"history_{key}"] = st.pop("rows")
        history[key] = st
    order = trainer._order
    arrays["order"] = np.asarray(order if order is not None else [], dtype=np.int64)
    meta = {
        "format": FORMAT, "version": VERSION,
        "model": net.config(), "trainer": trainer.config(),
        "counters": {"steps": trainer.steps, "epochs": trainer.epochs, "pos": trainer._pos,
                     "has_order": order is not None, "diverged": trainer.diverged,
                     "divergence_message": trainer.divergence_message,
                     "rng": trainer._rng.bit_generator.state},
        "history": history,
        "extra": extra or {},
    }
    return meta, arrays


def run_to_json(trainer, extra=None):
    """The run as a JSON text (arrays as nested lists, floats written exactly)."""
    meta, arrays = _state(trainer, extra)
    meta["arrays"] = {k: {"dtype": v.dtype.name, "shape": list(v.shape), "data": v.tolist()}
                      for k, v in arrays.items()}
    return json.dumps(meta, separators=(",", ":"))


def run_to_npz(trainer, extra=None):
    """The run as the bytes of a compressed ``.npz`` (metadata as a JSON string member)."""
    meta, arrays = _state(trainer, extra)
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **arrays)
    return buf.getvalue()


def history_csv(trainer):
    """The evaluation history (update, losses, accuracies, gradient norms) as CSV text."""
    ev = trainer.history.evals.as_dict()
    names = list(ev)
    lines = [",".join("update" if n == "step" else n for n in names)]
    for row in zip(*(ev[n] for n in names)):
        lines.append(",".join(f"{int(v)}" if i == 0 else f"{v:.6g}"
                              for i, v in enumerate(row)))
    return "\n".join(lines) + "\n"


# -- import ------------------------------------------------------------------------------------
def load_run(source, limits=None):
    """Rebuild a :class:`Trainer` from run-file bytes, text or a path; returns
    ``(trainer, extra)`` where ``extra`` is the dict given at export (e.g. the app's settings).

    ``limits`` tightens the file-format limits for a caller that serves many users, e.g.
    ``{"hidden_layers": 4, "units": 256, "rows": 5000}``; they are checked before anything
    is allocated.
    """
    data = _read(source)
    if not data.strip():
        raise RunFileError("The run file is empty.")
    if data[:2] == b"PK":
        meta, arrays = _read_npz(data)
    else:
        meta, arrays = _read_json(data)
    try:
        return _build(meta, arrays, limits or {})
    except RunFileError:
        raise
    except (ModelError, TrainingError, KeyError, TypeError, ValueError, IndexError,
            OverflowError, AttributeError) as exc:
        raise RunFileError(f"The run file is inconsistent: {exc}") from None


def _read(source):
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, str) and source.lstrip()[:1] == "{":
        return source.encode()
    if hasattr(source, "read"):
        data = source.read()
        return data.encode() if isinstance(data, str) else bytes(data)
    with open(source, "rb") as fh:
        return fh.read()


def _read_npz(data):
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        declared = sum(info.file_size for info in zf.infolist())
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: zipfile raises many kinds
        raise RunFileError(f"The .npz file is damaged or truncated "
                           f"({type(exc).__name__}).") from None
    if declared > MAX_NPZ_BYTES:
        raise RunFileError(f"The .npz file unpacks to {declared:,} bytes, over the limit of "
                           f"{MAX_NPZ_BYTES:,}.")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise RunFileError("The .npz file contains pickled Python objects, which are "
                               "refused for safety.") from None
        raise RunFileError(f"The .npz file could not be read ({exc}).") from None
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: zlib, tokenize, zipfile, ...
        raise RunFileError(f"The .npz file is damaged or truncated "
                           f"({type(exc).__name__}).") from None
    if "meta" not in arrays:
        raise RunFileError("The .npz file is not a playground run (no 'meta' entry).")
    try:
        meta = json.loads(str(arrays.pop("meta")[()]))
    except (ValueError, TypeError) as exc:
        raise RunFileError(f"The run metadata is not valid JSON ({exc}).") from None
    return meta, arrays


def _read_json(data):
    try:
        meta = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RunFileError("The run file is neither a .npz archive nor UTF-8 JSON.") from None
    except ValueError as exc:
        raise RunFileError(f"The run file is not valid JSON, or it is truncated ({exc}).") \
            from None
    if not isinstance(meta, dict) or not isinstance(meta.get("arrays"), dict):
        raise RunFileError("The JSON is not a playground run (no 'arrays' object).")
    _check_header(meta)
    _check_model(meta)
    arrays = {}
    for name, spec in meta.pop("arrays").items():
        if not isinstance(spec, dict) or not {"dtype", "shape", "data"} <= set(spec):
            raise RunFileError(f"Array {name!r} must have dtype, shape and data.")
        if spec["dtype"] not in ("float64", "float32", "int64"):
            raise RunFileError(f"Array {name!r} has an unsupported dtype {spec['dtype']!r}.")
        shape = spec["shape"]
        if not (isinstance(shape, list) and all(isinstance(s, int) and 0 <= s for s in shape)
                and len(shape) <= 2 and math.prod(shape) <= MAX_PARAMS):
            raise RunFileError(f"Array {name!r} declares an invalid or too large shape.")
        try:
            arr = np.array(spec["data"], dtype=spec["dtype"])
        except (ValueError, TypeError, OverflowError):
            raise RunFileError(f"Array {name!r} holds values that are not numbers.") from None
        if arr.size == 0 and math.prod(shape) == 0:
            arr = arr.reshape(shape)                  # JSON writes an empty (0, 2) as []
        if list(arr.shape) != shape:
            raise RunFileError(f"Array {name!r} has shape {list(arr.shape)}, but declares "
                               f"{shape}.")
        arrays[name] = arr
    return meta, arrays


def _check_header(meta):
    if meta.get("format") != FORMAT:
        raise RunFileError("This file is not a playground run (wrong 'format').")
    if meta.get("version") != VERSION:
        raise RunFileError(f"Run file version {meta.get('version')!r} is not supported "
                           f"(this playground reads version {VERSION}).")


def _check_model(meta):
    model = meta.get("model")
    if not isinstance(model, dict):
        raise RunFileError("The run file has no model description.")
    sizes = model.get("layer_sizes")
    if not (isinstance(sizes, list) and 2 <= len(sizes) <= MAX_LAYERS + 1
            and all(isinstance(s, int) and 1 <= s <= MAX_UNITS for s in sizes)):
        raise RunFileError(f"The network's layer sizes are invalid or over the limits "
                           f"(at most {MAX_LAYERS} layers of {MAX_UNITS} units).")
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    if n_params > MAX_PARAMS:
        raise RunFileError(f"The network has {n_params:,} parameters, over the limit of "
                           f"{MAX_PARAMS:,}.")
    if model.get("activation") not in ACTIVATIONS or model.get("init") not in INITS \
            or model.get("dtype") not in DTYPES:
        raise RunFileError("The network's activation, initialisation or dtype is unknown.")


def _array(arrays, name, shape, kind="float", finite=True):
    if name not in arrays:
        raise RunFileError(f"The run file has no {name!r} array.")
    arr = np.asarray(arrays[name])
    if arr.dtype.kind not in ("f" if kind == "float" else "iu"):
        raise RunFileError(f"Array {name!r} should hold {kind}s, not {arr.dtype}.")
    if shape is not None and tuple(arr.shape) != tuple(shape):
        raise RunFileError(f"Array {name!r} has shape {tuple(arr.shape)}; expected "
                           f"{tuple(shape)}.")
    if kind == "float" and finite and not np.all(np.isfinite(arr)):
        raise RunFileError(f"Array {name!r} contains NaN or infinite values.")
    return arr


def _check_limits(meta, arrays, limits):
    sizes = meta["model"]["layer_sizes"]
    hidden = sizes[1:-1]
    if len(hidden) > limits.get("hidden_layers", MAX_LAYERS) or \
            max(hidden, default=0) > limits.get("units", MAX_UNITS):
        raise RunFileError(f"This run's network ({' → '.join(map(str, sizes))}) is larger than "
                           f"this playground allows ({limits.get('hidden_layers')} hidden "
                           f"layers of at most {limits.get('units')} units).")
    rows = sum(len(np.asarray(arrays.get(k, ()))) for k in ("X", "X_test"))
    if rows > limits.get("rows", MAX_ROWS):
        raise RunFileError(f"This run has {rows:,} data points; this playground allows at most "
                           f"{limits['rows']:,}.")


def _build(meta, arrays, limits):
    _check_header(meta)
    _check_model(meta)
    _check_limits(meta, arrays, limits)
    model, cfg, counters = meta["model"], meta["trainer"], meta["counters"]
    sizes = model["layer_sizes"]
    net = MLP(**{k: model[k] for k in ("layer_sizes", "activation", "init", "seed", "dtype")})
    params = []
    for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        params += [_array(arrays, f"W{l + 1}", (a, b)), _array(arrays, f"b{l + 1}", (b,))]
    net.set_params(params)

    X = _array(arrays, "X", None)
    n = len(X)
    if X.ndim != 2 or X.shape[1] != sizes[0] or not 1 <= n <= MAX_ROWS:
        raise RunFileError(f"The training data must be (1..{MAX_ROWS}, {sizes[0]}); got "
                           f"{X.shape}.")
    y = _array(arrays, "y", (n,), "int")
    X_test = _array(arrays, "X_test", None)
    if X_test.size and (X_test.ndim != 2 or X_test.shape[1] != sizes[0]
                        or len(X_test) > MAX_ROWS):
        raise RunFileError(f"The test data must be (n, {sizes[0]}); got {X_test.shape}.")
    y_test = _array(arrays, "y_test", (len(X_test),), "int")
    for labels in (y, y_test):
        if labels.size and (labels.min() < 0 or labels.max() >= sizes[-1]):
            raise RunFileError(f"Labels must lie in 0..{sizes[-1] - 1}.")
    if cfg.get("optimizer") not in OPTIMIZERS:
        raise RunFileError(f"Unknown optimizer {cfg.get('optimizer')!r}.")
    for key, lo, hi in (("history_size", 2, MAX_HISTORY), ("seed", 0, 2**63 - 1)):
        if not (isinstance(cfg.get(key), int) and lo <= cfg[key] <= hi):
            raise RunFileError(f"Trainer setting {key!r} must be an integer in {lo}..{hi}.")
    for key in ("batch_size", "eval_every"):
        if cfg.get(key) is not None and not (isinstance(cfg[key], int) and cfg[key] >= 1):
            raise RunFileError(f"Trainer setting {key!r} must be a positive integer or null.")
    for key in ("loss", "evals"):
        st = meta["history"][key]
        if not (isinstance(st.get("capacity"), int) and 2 <= st["capacity"] <= MAX_HISTORY
                and isinstance(st.get("stride"), int) and 1 <= st["stride"] <= 2**62):
            raise RunFileError(f"The {key} history declares an invalid capacity or stride.")

    trainer = Trainer(net, X, y, X_test if X_test.size else None, y_test,
                      lr=cfg["lr"], batch_size=cfg["batch_size"], optimizer=cfg["optimizer"],
                      momentum=cfg["momentum"], l2=cfg["l2"], seed=cfg["seed"],
                      eval_every=cfg["eval_every"], history_size=cfg["history_size"])
    opt_state = {k[4:]: v for k, v in arrays.items() if k.startswith("opt_")}
    expected = trainer._opt.state()
    if set(opt_state) != set(expected):
        raise RunFileError("The optimizer state does not match the optimizer.")
    for k, v in expected.items():
        _array(arrays, f"opt_{k}", np.shape(v), "int" if k == "t" else "float")
    trainer._opt.load_state(opt_state)

    trainer.steps = _count(counters, "steps")
    trainer.epochs = _count(counters, "epochs")
    trainer._pos = _count(counters, "pos")
    order = _array(arrays, "order", None, "int")
    if counters.get("has_order"):
        if sorted(order.tolist()) != list(range(n)):
            raise RunFileError("The saved batch order is not a permutation of the data.")
        if trainer._pos >= n:                # an epoch in progress has samples left to visit
            raise RunFileError(f"The saved position in the epoch ({trainer._pos}) is past the "
                               f"end of the data ({n} points).")
        trainer._order = order.astype(np.int64)
    try:
        trainer._rng.bit_generator.state = counters["rng"]
    except (TypeError, ValueError, KeyError, OverflowError):
        raise RunFileError("The saved random-number state is invalid.") from None
    trainer.diverged = bool(counters.get("diverged", False))
    trainer.divergence_message = str(counters.get("divergence_message") or "")[:500]
    if trainer.diverged and not trainer.divergence_message.strip():
        trainer.divergence_message = ("This run had diverged before it was saved; reset to "
                                      "continue.")
    for key in ("loss", "evals"):
        st = dict(meta["history"][key])
        # history may hold NaN (test metrics of a run without a test set)
        st["rows"] = _array(arrays, f"history_{key}", None, finite=False)
        series = Series.from_state(st)
        if series.names != getattr(trainer.history, key).names:
            raise RunFileError(f"The {key} history has unexpected columns.")
        setattr(trainer.history, key, series)
    trainer.metrics = trainer.evaluate()
    if not trainer.diverged and not math.isfinite(trainer.metrics["train_loss"]):
        # finite parameters can still overflow the loss (e.g. W ≈ 1e154: W² is inf in the
        # L2 term): such a run could not take a single update, so it is not loaded as healthy
        raise RunFileError("The run's parameters are so large that its loss is infinite; "
                           "this is not a run the playground can continue.")
    steps = trainer.history.evals.column("step")
    trainer._recorded_step = int(steps[-1]) if len(steps) else -1
    extra = meta.get("extra")
    return trainer, extra if isinstance(extra, dict) else {}


def _count(counters, key):
    value = counters.get(key)
    if not isinstance(value, int) or value < 0:
        raise RunFileError(f"Counter {key!r} must be a non-negative integer.")
    return value
