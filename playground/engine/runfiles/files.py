"""Run files: a whole training run (data, network, optimizer state, counters, history) saved
as JSON or as ``.npz`` and loaded back to continue exactly where it stopped.

Loading treats the file as untrusted: ``.npz`` is read with ``allow_pickle=False``, declared
sizes are checked against limits *before* anything is allocated, and every field is checked
against its domain, stated in one table in :mod:`~playground.engine.runfiles.schema` (the checks
of the progress fields in :mod:`~playground.engine.runfiles.progress`), before the run is loaded.
Any problem raises :class:`RunFileError` with a message naming the field and what was
expected; nothing in the file is ever executed.
"""

from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np

from ..features import RAW_INPUTS
from ..history import History, Series
from ..model import MLP, ModelError
from ..optimizers import OPTIMIZERS
from ..training import PROGRESS, Trainer, TrainingError
from .progress import check_counters, check_optimizer, check_series
from .schema import (
    FORMAT,
    MAX_NPZ_BYTES,
    MAX_PARAMS,
    MAX_RUN_ROWS,
    VERSION,
    RunFileError,
    array,
    check_header,
    check_limits,
    check_model,
    check_trainer,
    parse_json,
    targets,
)


# -- export ------------------------------------------------------------------------------------
def _state(trainer, extra):
    """(meta, arrays): JSON-able metadata and named arrays describing the whole run."""
    net = trainer.net
    arrays = {}
    for l in range(net.n_layers):
        arrays[f"W{l + 1}"] = net.weights[l]
        arrays[f"b{l + 1}"] = net.biases[l]
    state = trainer.state()
    for name, value in state["optimizer"].items():
        arrays[f"opt_{name}"] = np.asarray(value)
    arrays.update(X=trainer.X, y=trainer.y, X_test=trainer.X_test, y_test=trainer.y_test)
    history = {}
    for key, series in (("loss", trainer.history.loss), ("evals", trainer.history.evals)):
        st = series.state()
        arrays[f"history_{key}"] = st.pop("rows")
        history[key] = st
    order = state["order"]
    arrays["order"] = np.asarray(order if order is not None else [], dtype=np.int64)
    meta = {
        "format": FORMAT, "version": VERSION,
        "model": net.config(), "trainer": trainer.config(),
        "counters": {"steps": state["updates"], "samples": state["samples"],
                     "seconds": state["seconds"], "epochs": state["epochs"], "pos": state["pos"],
                     "has_order": order is not None, "diverged": state["diverged"],
                     "divergence_message": state["divergence_message"], "rng": state["rng"]},
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
    """The evaluation history (update, losses, accuracies, gradient norms, epoch, samples
    seen, seconds) as CSV text; counts as whole numbers."""
    ev = trainer.history.evals.as_dict()
    names = list(ev)
    counts = {"step", "samples"}
    lines = [",".join("update" if n == "step" else n for n in names)]
    for row in zip(*(ev[n] for n in names)):
        lines.append(",".join(f"{int(v)}" if n in counts and v == v else f"{v:.6g}"
                              for n, v in zip(names, row)))
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
        # the domain checks should leave nothing for this; a last line of defence
        raise RunFileError(f"The run file is inconsistent ({type(exc).__name__}: {exc}).") \
            from None


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
    meta = arrays.pop("meta")
    if meta.dtype.kind != "U" or meta.shape != ():
        raise RunFileError("The .npz file's 'meta' entry must be one JSON string.")
    meta = parse_json(str(meta[()]), "The run metadata")
    if not isinstance(meta, dict):
        raise RunFileError("The run metadata is not a JSON object.")
    return meta, arrays


def _read_json(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RunFileError("The run file is neither a .npz archive nor UTF-8 JSON.") from None
    meta = parse_json(text, "The run file")
    if not isinstance(meta, dict) or not isinstance(meta.get("arrays"), dict):
        raise RunFileError("The JSON is not a playground run (no 'arrays' object).")
    check_header(meta)
    check_model(meta)
    arrays = {}
    for name, spec in meta.pop("arrays").items():
        if not isinstance(spec, dict) or not {"dtype", "shape", "data"} <= set(spec):
            raise RunFileError(f"Array {name!r} must have dtype, shape and data.")
        if spec["dtype"] not in ("float64", "float32", "int64"):
            raise RunFileError(f"Array {name!r} has an unsupported dtype "
                               f"{str(spec['dtype'])[:30]!r}.")
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


def _build(meta, arrays, limits):
    """The trainer the checked fields describe (see the schema's table for each domain)."""
    check_header(meta)
    check_model(meta)
    model = meta["model"]
    sizes = model["layer_sizes"]
    rows = sum(len(np.atleast_1d(arrays.get(k, ()))) for k in ("X", "X_test"))
    check_limits(sizes, rows, limits)
    dtype = model["dtype"]
    params = []
    for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        params += [array(arrays, f"W{l + 1}", (a, b), dtype=dtype),
                   array(arrays, f"b{l + 1}", (b,), dtype=dtype)]
    X = array(arrays, "X", None, dtype=dtype)
    n = len(X)
    if X.ndim != 2 or X.shape[1] != RAW_INPUTS or not 1 <= n <= MAX_RUN_ROWS:
        raise RunFileError(f"The training data must be (1..{MAX_RUN_ROWS}, {RAW_INPUTS}); got "
                           f"{X.shape}.")
    X_test = array(arrays, "X_test", None, dtype=dtype)
    if X_test.size and (X_test.ndim != 2 or X_test.shape[1] != RAW_INPUTS
                        or len(X_test) > MAX_RUN_ROWS):
        raise RunFileError(f"The test data must be (n, {RAW_INPUTS}); got {X_test.shape}.")
    y, y_test = (targets(arrays, name, m, model["task"], sizes[-1], dtype)
                 for name, m in (("y", n), ("y_test", len(X_test))))
    cfg = check_trainer(meta.get("trainer"), OPTIMIZERS)
    batch = cfg["batch_size"]
    counters = check_counters(meta.get("counters"), n, array(arrays, "order", None, "int"),
                              mini_batch=batch is not None and batch < n,
                              per_update=min(batch or n, n))
    steps = counters["updates"]
    if not isinstance(meta.get("history"), dict):
        raise RunFileError("The run file has no history.")

    net = MLP(**{k: model[k] for k in ("layer_sizes", "activation", "init", "seed", "dtype",
                                       "features", "task")})
    net.set_params(params)
    trainer = Trainer(net, X, y, X_test if X_test.size else None, y_test, **cfg)
    counters["optimizer"] = check_optimizer(cfg["optimizer"], arrays,
                                            trainer.optimizer_state_shapes(), steps, dtype)
    fresh = trainer.history
    series = {}
    for key, merge in (("loss", "mean"), ("evals", "last")):
        stored, rows = meta["history"].get(key), array(arrays, f"history_{key}", None)
        names = getattr(fresh, key).names
        if key == "evals" and isinstance(stored, dict) and \
                stored.get("names") == list(names[:-len(PROGRESS)]):
            stored, rows = legacy_evals(stored, rows, trainer)     # written before PROGRESS
        st = check_series(key, stored, rows, names, merge, cfg["history_size"], steps)
        series[key] = Series.from_state(st)
    trainer.load_state(counters, History(**series))
    if not trainer.diverged and not math.isfinite(trainer.metrics["train_loss"]):
        # finite parameters can still overflow the loss (e.g. W ≈ 1e154: W² is inf in the
        # L2 term): such a run could not take a single update, so it is not loaded as healthy
        raise RunFileError("The run's parameters are so large that its loss is infinite; "
                           "this is not a run the playground can continue.")
    extra = meta.get("extra")
    return trainer, extra if isinstance(extra, dict) else {}


def legacy_evals(stored, rows, trainer):
    """An evaluation history written before the progress columns (epoch, samples, seconds),
    with them filled in from each row's update: epochs as the current batch size implies,
    samples as epochs × N (the epoch clock's own definition), seconds unknown (NaN)."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2:
        return stored, rows                  # check_series says what is wrong
    update = rows[:, :1]
    epoch = update / trainer.updates_per_epoch
    extra = np.hstack([epoch, np.round(epoch * len(trainer.X)), np.full_like(update, np.nan)])
    pending = stored.get("pending")
    stored = dict(stored, names=list(trainer.history.evals.names),
                  pending=[*pending, math.nan, math.nan, math.nan]
                  if isinstance(pending, list) else pending)
    return stored, np.hstack([rows, extra])
