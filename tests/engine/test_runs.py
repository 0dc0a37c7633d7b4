"""Run files: export, import, continuation, and refusal of malformed or hostile files."""

import io
import json
import zipfile

import numpy as np
import pytest

from playground.engine.model import MLP
from playground.engine.runfiles import RunFileError, history_csv, load_run, run_to_json, run_to_npz
from playground.engine.training import OPTIMIZERS, Trainer


def trainer(spiral, optimizer="sgd", batch_size=16, dtype="float32"):
    X, y = spiral
    return Trainer(MLP([2, 16, 8, 3], dtype=dtype, seed=2), X[:240], y[:240], X[240:], y[240:],
                   lr=0.05, batch_size=batch_size, optimizer=optimizer, seed=3)


@pytest.mark.parametrize("export", [run_to_json, run_to_npz])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("batch_size", [None, 16])
def test_round_trip_continues_exactly(spiral, export, optimizer, batch_size):
    a = trainer(spiral, optimizer, batch_size)
    a.step(37)                                   # stop mid-epoch for the mini-batch case
    b, extra = load_run(export(a, {"dataset": "spiral"}))
    assert extra == {"dataset": "spiral"}
    assert (b.updates, b.epochs, b.optimizer, b.batch_size, b.lr) == \
        (37, a.epochs, optimizer, a.batch_size, a.lr)
    assert all(np.array_equal(p, q) for p, q in zip(a.net.params(), b.net.params()))
    reference = trainer(spiral, optimizer, batch_size)
    reference.step(37 + 25)
    b.step(25)
    assert all(np.array_equal(p, q) for p, q in zip(reference.net.params(), b.net.params()))
    assert np.array_equal(reference.history.evals.column("train_loss"),
                          b.history.evals.column("train_loss"))


def test_json_is_plain_json_and_npz_has_no_pickles(spiral):
    a = trainer(spiral)
    a.step(3)
    meta = json.loads(run_to_json(a))
    assert meta["format"] == "nn-playground-run" and meta["version"] == 2
    with np.load(io.BytesIO(run_to_npz(a)), allow_pickle=False) as npz:
        assert {"meta", "W1", "b1", "X", "y"} <= set(npz.files)


def test_history_csv(spiral):
    a = trainer(spiral, batch_size=None)
    a.eval_every = 5
    a.step(20)
    lines = history_csv(a).strip().splitlines()
    assert lines[0].startswith("update,train_loss,train_acc,test_loss,test_acc,grad_norm1")
    assert [int(line.split(",")[0]) for line in lines[1:]] == [0, 5, 10, 15, 20]


def _tamper(spiral, change):
    a = trainer(spiral)
    a.step(2)
    meta = json.loads(run_to_json(a))
    change(meta)
    return json.dumps(meta)


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(version=99), "version 99"),
    (lambda m: m.update(format="other"), "not a playground run"),
    (lambda m: m["model"].update(layer_sizes=[2, 10 ** 9, 3]), "over the limits"),
    (lambda m: m["model"].update(layer_sizes=[2, 4000, 4000, 3]), "parameters, over"),
    (lambda m: m["model"].update(activation="__import__('os')"), "unknown"),
    (lambda m: m["arrays"]["W1"].update(shape=[3, 16]), "shape"),
    (lambda m: m["arrays"]["W1"].update(data=[[1.0] * 16] * 2, shape=[2, 16]) or
        m["arrays"]["W2"].update(data=[[1.0]], shape=[1, 1]), "W2"),
    (lambda m: m["arrays"]["W1"].update(dtype="object"), "unsupported dtype"),
    (lambda m: m["arrays"]["y"]["data"].__setitem__(0, 7), "Labels"),
    (lambda m: m["arrays"]["W1"]["data"][0].__setitem__(0, "abc"), "not numbers"),
    (lambda m: m["arrays"]["W1"]["data"][0].__setitem__(0, "NaN"), "NaN or infinite"),
    (lambda m: m["counters"].update(steps=-1), "steps"),
    (lambda m: m["counters"].update(rng="bad"), "random-number"),
    (lambda m: m["trainer"].update(optimizer="evil"), "optimizer"),
    (lambda m: m["trainer"].update(lr=-1), "learning rate"),
    (lambda m: m["arrays"]["W1"].update(shape=[10 ** 7, 10]), "too large"),
])
def test_tampered_json_is_refused_with_a_clear_message(spiral, change, message):
    with pytest.raises(RunFileError, match=f"(?i){message}"):
        load_run(_tamper(spiral, change))


def test_truncated_and_garbage_files_are_refused(spiral):
    a = trainer(spiral)
    a.step(2)
    js, npz = run_to_json(a).encode(), run_to_npz(a)
    for data in (b"", js[: len(js) // 2], npz[: len(npz) // 2], b"\x00\xff" * 100,
                 b"PK\x03\x04" + b"\x00" * 50, b"[1, 2, 3]"):
        with pytest.raises(RunFileError):
            load_run(data)


def _npz_with(arrays, meta="{}"):
    buf = io.BytesIO()
    np.savez(buf, meta=np.array(meta), **arrays)
    return buf.getvalue()


def test_pickled_objects_are_refused_and_never_executed(spiral, tmp_path):
    a = trainer(spiral)
    a.step(1)
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    with np.load(io.BytesIO(run_to_npz(a)), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["W1"] = np.array([Evil()], dtype=object)
    meta = str(arrays.pop("meta"))
    with pytest.raises(RunFileError, match="pickled"):
        load_run(_npz_with(arrays, meta))
    assert not marker.exists()


def test_npz_with_huge_declared_size_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta.npy", b"\x00" * 10)
        zf.writestr("W1.npy", b"\x00" * 300_000_000)   # compresses to ~300 kB
    with pytest.raises(RunFileError, match="over the limit"):
        load_run(buf.getvalue())


def test_npz_shape_mismatch_is_refused(spiral):
    a = trainer(spiral)
    with np.load(io.BytesIO(run_to_npz(a)), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = str(arrays.pop("meta"))
    arrays["W2"] = np.zeros((3, 3))
    with pytest.raises(RunFileError, match="W2"):
        load_run(_npz_with(arrays, meta))
    arrays.pop("W2")
    with pytest.raises(RunFileError, match="no 'W2'"):
        load_run(_npz_with(arrays, meta))


def test_load_from_path_and_file_object(spiral, tmp_path):
    a = trainer(spiral)
    a.step(4)
    path = tmp_path / "run.npz"
    path.write_bytes(run_to_npz(a))
    assert load_run(str(path))[0].updates == 4
    assert load_run(io.BytesIO(run_to_json(a).encode()))[0].updates == 4


def test_a_file_written_before_the_progress_columns_still_loads(spiral):
    """Older exports have no epoch/samples/seconds columns or counters: they load, with
    epochs and samples filled in from the updates and the seconds unknown."""
    tr = trainer(spiral, batch_size=30)
    tr.step(25)
    meta = json.loads(run_to_json(tr))
    evals, arrays = meta["history"]["evals"], meta["arrays"]["history_evals"]
    evals["names"] = evals["names"][:-3]
    evals["pending"] = evals["pending"][:-3]
    arrays["data"] = [row[:-3] for row in arrays["data"]]
    arrays["shape"][1] -= 3
    del meta["counters"]["samples"], meta["counters"]["seconds"]
    back, _ = load_run(json.dumps(meta))
    ev = back.history.evals.as_dict()
    per_epoch = back.updates_per_epoch
    np.testing.assert_allclose(ev["epoch"], ev["step"] / per_epoch)
    np.testing.assert_array_equal(ev["samples"], ev["step"] * 30)
    assert np.isnan(ev["seconds"]).all()
    assert back.samples_seen == 25 * 30 and back.train_seconds == 0
    assert back.step(5) == 5 and back.samples_seen == 30 * 30


def test_the_history_csv_writes_counts_as_whole_numbers(spiral):
    tr = trainer(spiral, batch_size=1)
    tr.step(4000)
    tr.record_metrics()                          # a row for the last update
    header, *rows = history_csv(tr).splitlines()
    names = header.split(",")
    assert names[0] == "update" and names[-3:] == ["epoch", "samples", "seconds"]
    last = dict(zip(names, rows[-1].split(",")))
    assert last["samples"] == str(tr.samples_seen) and "e" not in last["samples"]
