"""Run files checked against the domain of every field: the pinned cases, a
check that the format's domain table names every field an export writes, and a property test
that mutates each field of real exports to out-of-domain values."""

import io
import json
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.engine.model import MLP
from playground.engine.runfiles import RunFileError, load_run, run_to_json, run_to_npz
from playground.engine.runfiles import schema as runformat
from playground.engine.training import Trainer

# hostile values overflow NumPy casts and forward passes on purpose; the outcome is asserted
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
DEEP = 100_000
PROPERTY = settings(deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_RUNS = {}


KINDS = ["adam", "momentum", "regression"]


def run(kind="adam"):
    """A small real run that has every field: Adam (or momentum) on mini-batches, stopped
    mid-epoch after 13 updates, with a test set and an evals history. ``regression``: Adam
    on a regression network with input features and L1 (run-file version 2's fields)."""
    if kind not in _RUNS:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(60, 2))
        y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)
        if kind == "regression":
            net = MLP([3, 6, 1], seed=1, features=["x1", "x1sq", "sinx2"], task="regression")
            y, optimizer, l1 = np.tanh(X[:, 0] * X[:, 1]), "adam", 0.01
        else:
            net = MLP([2, 6, 3], dtype="float32" if kind == "adam" else "float64", seed=1)
            optimizer, l1 = kind, 0.0
        tr = Trainer(net, X[:45], y[:45], X[45:], y[45:], lr=0.05, batch_size=4,
                     optimizer=optimizer, seed=2, eval_every=3, history_size=8, l1=l1)
        tr.step(13)
        _RUNS[kind] = tr
    return _RUNS[kind]


def meta_of(kind="adam"):
    return json.loads(run_to_json(run(kind), {"settings": {"lr": 0.05}}))


def npz_arrays(kind="adam"):
    with np.load(io.BytesIO(run_to_npz(run(kind))), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return json.loads(str(arrays.pop("meta")[()])), arrays


def npz_bytes(meta, arrays, meta_text=None):
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(meta_text or json.dumps(meta)), **arrays)
    return buf.getvalue()


# -- pinned cases ------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["document", "extra", "npz meta"])
def test_pinned_deep_nesting_is_refused_without_recursion(where):
    deep = "[" * DEEP + "]" * DEEP
    if where == "document":
        data = deep.encode()
    else:
        text = json.dumps(meta_of(), separators=(",", ":"))
        text = text.replace('"extra":{', f'"extra":{{"deep":{deep},', 1)
        data = text.encode() if where == "extra" else npz_bytes(None, {}, text)
    with pytest.raises(RunFileError, match="nested more than 64 levels"):
        load_run(data)


def test_nesting_depth_ignores_brackets_in_strings_and_is_exact():
    assert runformat.nesting_depth('{"a": "[[[[{{", "b": [[1], {"c": "\\"]]"}]}') == 3
    assert runformat.nesting_depth("[" * 70 + "]" * 70) == 70
    text = json.dumps({"a": "x" * 10, "deep": json.loads("[" * 64 + "]" * 64)})
    assert json.loads(text) and runformat.nesting_depth(text) == 65


@pytest.mark.parametrize("name, value, message", [
    ("opt_t", np.array(-1), "opt_t .*0..13; got -1"),          # was ZeroDivisionError
    ("opt_t", np.array(-3), "opt_t .*0..13; got -3"),          # was math domain error
    ("opt_t", np.array(14), "opt_t .*0..13; got 14"),          # more Adam steps than updates
    ("opt_v0", None, "opt_v0 .*must be ≥ 0"),                  # made every parameter NaN
])
def test_pinned_adam_state_out_of_domain_is_refused(name, value, message):
    meta, arrays = npz_arrays()                  # as on the page: export the .npz, edit it
    arrays[name] = -np.abs(arrays[name]) - 1e-3 if value is None else value
    with pytest.raises(RunFileError, match=message):
        load_run(npz_bytes(meta, arrays))


@pytest.mark.parametrize("edit, message", [
    (lambda m: m["counters"].update(steps=10**400), r"counters\.steps .*0\.\.1,000,000,000,000"),
    (lambda m: m["history"]["loss"].update(pending_count=10**400),
     r"history\.loss\.pending_count .*0\.\.\d+; got 1000"),
    (lambda m: m["counters"].update(epochs=10**6), r"counters\.epochs \(1,000,000\) must not "
                                                   r"exceed the updates \(13\)"),
])
def test_pinned_counters_out_of_range_or_inconsistent_are_refused(edit, message):
    meta = meta_of()
    edit(meta)
    with pytest.raises(RunFileError, match=message):
        load_run(json.dumps(meta))


@pytest.mark.parametrize("limits", [None, {"units": 4096}])
def test_pinned_too_many_rows_without_a_rows_limit_names_them(limits):
    meta, arrays = npz_arrays()
    arrays["X"] = np.zeros((50_001, 2), np.float32)
    arrays["y"] = np.zeros(50_001, np.int64)
    with pytest.raises(RunFileError, match=r"50,016 data rows .* at most 50,000\."):
        load_run(npz_bytes(meta, arrays), limits=limits)


def _set_array(name, edit):
    def change(meta):
        spec = meta["arrays"][name]
        spec["data"] = edit(np.array(spec["data"], dtype=spec["dtype"])).tolist()
        spec["shape"] = list(np.shape(spec["data"]))
    return change


def _at_00(value):
    def edit(a):
        a[(0,) * a.ndim] = value
        return a
    return edit


@pytest.mark.parametrize("edit, message", [
    (lambda m: m["model"].update(seed=-1), r"model\.seed"),
    (lambda m: m["trainer"].update(history_size=9), r"history_size must be even"),
    (lambda m: m["trainer"].update(batch_size=None), r"has_order is true, but .*full batches"),
    (lambda m: m["trainer"].update(momentum=1.0), r"trainer\.momentum .*in \[0, 1\)"),
    (lambda m: m["trainer"].update(l2=float("inf")), r"trainer\.l2 .*≥ 0"),
    (lambda m: m["counters"].update(has_order=False), r"'order' array must be empty"),
    (lambda m: m["counters"].update(diverged="yes"), r"counters\.diverged must be true or"),
    (lambda m: m["counters"].update(divergence_message=[1]), r"divergence_message must be"),
    (lambda m: m["counters"]["rng"]["state"].update(inc=-1), r"rng .*inc"),
    (lambda m: m["counters"]["rng"].update(bit_generator="MT19937"), r"PCG64"),
    (lambda m: m["history"]["loss"].update(stride=3), r"history\.loss\.stride .*power of two"),
    (lambda m: m["history"]["loss"].update(stride=2**40), r"history\.loss\.stride .*0?1\.\.14"),
    (lambda m: m["history"]["evals"].update(merge="mean"), r"history\.evals\.merge"),
    (lambda m: m["history"]["evals"].update(capacity=16), r"capacity must equal .*history_size"),
    (lambda m: m["history"]["loss"].update(pending=[1.0, 2.0]), r"pending must list 1"),
    (lambda m: m["history"]["loss"].update(pending=[float("nan")]), r"history\.loss\.pending"),
    (_set_array("history_evals", lambda a: a[::-1]), r"'history_evals' .*in order"),
    (_set_array("history_loss", _at_00(14)), r"'history_loss' .*0\.\.13"),
    (_set_array("history_loss", lambda a: a.reshape(-1)), r"'history_loss' must have shape"),
    (_set_array("W1", _at_00(1e300)), r"'W1' .*infinite .*float32"),
    (_set_array("opt_m0", _at_00(1e6)), r"opt_m0 \(Adam's first moment\) is larger than"),
])
def test_each_domain_rule_refuses_with_the_field_named(edit, message):
    meta = meta_of()
    edit(meta)
    with pytest.raises(RunFileError, match=message):
        load_run(json.dumps(meta))


def test_momentum_velocity_beyond_its_bound_is_refused():
    meta = meta_of("momentum")
    _set_array("opt_velocity0", _at_00(1e33))(meta)
    with pytest.raises(RunFileError, match=r"opt_velocity0 .*±1e\+32"):
        load_run(json.dumps(meta))
    _set_array("opt_velocity0", _at_00(1e3))(meta)          # large, within the domain: loads
    assert check_trains_on(json.dumps(meta).encode())


def test_adam_first_moment_bound_keeps_an_update_within_about_10_lr():
    """|m| ≤ 8·(√v + ε) keeps Adam's next update within ~10·lr; a larger m, fed to the
    trainer directly, moves a parameter by ~1e300 in one update."""
    X = np.random.default_rng(0).normal(size=(40, 2))
    tr = Trainer(MLP([2, 4, 2], dtype="float64", seed=1), X, (X[:, 0] > 0).astype(int),
                 optimizer="adam", lr=0.01)
    tr.step(3)
    meta = json.loads(run_to_json(tr))
    v0 = np.array(meta["arrays"]["opt_v0"]["data"])
    meta["arrays"]["opt_m0"]["data"] = (-7.9 * np.sqrt(v0)).tolist()       # within the bound
    loaded, _ = load_run(json.dumps(meta))
    before = loaded.net.params()[0].copy()
    assert loaded.step(1) == 1
    assert np.abs(loaded.net.params()[0] - before).max() <= 10.5 * 0.01
    meta["arrays"]["opt_m0"]["data"][0][0] = 1e300
    with pytest.raises(RunFileError, match="opt_m0"):
        load_run(json.dumps(meta))
    state = tr.state()                                  # what the check prevents
    state["optimizer"]["m0"][0, 0] = 1e300
    tr.load_state(state)
    before = tr.net.params()[0][0, 0]
    tr.step(1)
    assert abs(tr.net.params()[0][0, 0] - before) > 1e200


# -- the table ---------------------------------------------------------------------------------
def test_the_domain_table_names_every_field_an_export_writes():
    lines = runformat.__doc__.splitlines()
    borders = [i for i, line in enumerate(lines) if line.startswith("=====")]
    table = "\n".join(lines[borders[1] + 1:borders[2]])
    meta = meta_of()
    fields = [f"{s}.{k}" for s in ("model", "trainer", "counters") for k in meta[s]]
    fields += [f"``{k}``" for k in meta["history"]["loss"]]
    fields += [re.sub(r"\d+$", "", name) for name in meta["arrays"]]
    fields += ["opt_velocity", "format", "version", "extra"]
    rows = [line.split("  ")[0] for line in table.splitlines()]
    for field in fields:
        section, _, key = field.partition(".")
        listed = field in table or any(row.startswith(section + ".") and re.search(
            rf"\b{re.escape(key)}\b", row) for row in rows) if key else field in table
        assert listed, f"{field} is missing from runformat's domain table"


# -- the property: out-of-domain values are refused cleanly, or the run trains on -------------
def _paths(obj, prefix=()):
    """Paths to the scalar fields of a run document (of a long list: the first and last)."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(obj, list) and obj:
        for i in range(len(obj)) if len(obj) <= 8 else (0, len(obj) - 1):
            yield from _paths(obj[i], prefix + (i,))
    else:
        yield prefix


def _get(obj, path):
    for key in path:
        obj = obj[key]
    return obj


def _set(obj, path, value):
    _get(obj, path[:-1])[path[-1]] = value


def out_of_domain(value, steps):
    """Values a hostile file may put where ``value`` was: negative, huge, NaN/inf, and
    values inconsistent with the run's updates (``steps``)."""
    values = [-1, -3, -0.5, 10**400, 10**12 + 1, 2**64, 1e308, 1e30, -1e30, float("nan"),
              float("inf"), float("-inf"), 0, steps + 1, 2 * steps]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        values += [value + 1, value - 1, -value, 2 * value, 3 * value]
    return values


META_FIELDS = [p for p in _paths(meta_of()) if p[0] not in ("arrays", "extra")]
ARRAY_FIELDS = [p for p in _paths(meta_of()) if p[0] == "arrays"]
# version 2's fields with values: the features (each id), the task, L1, float targets
V2_FIELDS = [p for p in _paths(meta_of("regression")) if p[0] not in ("arrays", "extra")
             and (p not in META_FIELDS or p[:2] in (("model", "task"), ("trainer", "l1")))]


def check_trains_on(data):
    """``load_run`` refuses with RunFileError only; a run it returns trains 20 more updates
    with finite parameters and its invariants intact (or diverges and says so)."""
    try:
        trainer, _ = load_run(data)
    except RunFileError as exc:
        assert str(exc).strip()
        return False
    before = trainer.updates
    assert 0 <= trainer.epochs <= trainer.updates
    done = trainer.step(20)
    assert trainer.updates == before + done
    assert done == 20 or trainer.diverged
    if trainer.diverged:
        assert trainer.divergence_message.strip()
    else:
        assert math.isfinite(trainer.metrics["train_loss"])
    assert all(np.isfinite(p).all() for p in trainer.net.params()), "parameters not finite"
    assert 0 <= trainer.epochs <= trainer.updates
    for series in (trainer.history.loss, trainer.history.evals):
        assert len(series) <= series.capacity
        steps = series.column("step")
        assert np.all(np.diff(steps) >= 0) and (not len(steps) or steps[-1] <= trainer.updates)
    assert np.isfinite(trainer.history.loss.column("loss")).all()
    return True


@pytest.mark.parametrize("kind, path", [("adam", p) for p in META_FIELDS]
                         + [("regression", p) for p in V2_FIELDS],
                         ids=lambda p: ".".join(map(str, p)) if isinstance(p, tuple) else p)
def test_each_field_out_of_domain_is_refused_or_trains_on(kind, path):
    meta = meta_of(kind)
    for value in out_of_domain(_get(meta, path), meta["counters"]["steps"]):
        edited = meta_of(kind)
        _set(edited, path, value)
        check_trains_on(json.dumps(edited).encode())


def test_the_version_2_fields_are_in_the_field_list():
    names = {".".join(map(str, p)) for p in V2_FIELDS}
    assert {"model.features.0", "model.features.2", "model.task", "trainer.l1"} <= names
    assert ("model", "features") in META_FIELDS and ("model", "task") in META_FIELDS


@PROPERTY
@given(kind=st.sampled_from(KINDS), data=st.data())
def test_out_of_domain_json_fields_are_refused_or_train_on(kind, data):
    """Two fields at a time, array elements too (JSON writes NaN and Infinity literals)."""
    meta = meta_of(kind)
    paths = (V2_FIELDS if kind == "regression" else []) + META_FIELDS \
        + [p for p in _paths(meta) if p[0] == "arrays"]
    for _ in range(data.draw(st.integers(1, 2))):
        path = data.draw(st.sampled_from(paths))
        if path[0] == "arrays" and path[1] not in meta["arrays"]:
            continue                                  # an Adam array in the momentum run
        value = _get(meta, path)
        _set(meta, path, data.draw(st.sampled_from(out_of_domain(value, 13))))
    check_trains_on(json.dumps(meta).encode())


ARRAY_EDITS = st.sampled_from(["negate", "minus one", "times 1e30", "one nan", "one huge",
                               "plus steps", "abs"])


def _edit(a, edit, steps):
    if edit == "negate":
        return -a
    if edit == "minus one":
        return a - 1
    if edit == "times 1e30":
        return a * 1e30 if a.dtype.kind == "f" else a * 10**12
    if edit == "plus steps":
        return a + steps + 1
    if edit == "abs":
        return np.abs(a) + 1
    b = a.astype(np.float64).copy()
    b.flat[0] = np.nan if edit == "one nan" else 1e300
    return b


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@PROPERTY
@given(kind=st.sampled_from(KINDS), data=st.data())
def test_out_of_domain_npz_arrays_are_refused_or_train_on(kind, data):
    meta, arrays = npz_arrays(kind)
    names = sorted(arrays)
    opt = [n for n in names if n.startswith("opt_")]
    for _ in range(data.draw(st.integers(1, 2))):
        name = data.draw(st.sampled_from(opt) if data.draw(st.booleans())
                         else st.sampled_from(names))
        arrays[name] = _edit(arrays[name], data.draw(ARRAY_EDITS), meta["counters"]["steps"])
    check_trains_on(npz_bytes(meta, arrays))


@pytest.mark.parametrize("kind", KINDS)
def test_the_unmutated_exports_train_on(kind):
    assert check_trains_on(run_to_json(run(kind)).encode())
    assert check_trains_on(run_to_npz(run(kind)))
