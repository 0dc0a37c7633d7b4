"""Trainer: batch modes, optimizers, bookkeeping, history, divergence, determinism."""

import math
import subprocess
import sys

import numpy as np
import pytest

from playground.model import MLP
from playground.training import OPTIMIZERS, Series, Trainer, TrainingError


def make(X, y, sizes=(2, 32, 2), **kwargs):
    dtype = kwargs.pop("dtype", "float64")
    return Trainer(MLP(list(sizes), seed=0, dtype=dtype), X, y, **kwargs)


@pytest.mark.parametrize("batch_size, per_epoch", [(None, 1), (32, 10), (1, 300), (100, 3),
                                                   (299, 2), (300, 1), (1000, 1)])
def test_updates_per_epoch_and_epoch_counting(spiral, batch_size, per_epoch):
    X, y = spiral
    tr = make(X, y, (2, 16, 3), batch_size=batch_size, lr=0.1)
    assert tr.updates_per_epoch == per_epoch
    tr.step(per_epoch)
    assert (tr.steps, tr.epochs) == (per_epoch, 1)
    tr.run_epoch()
    assert (tr.steps, tr.epochs) == (2 * per_epoch, 2)
    if per_epoch > 2:                       # run_epoch from mid-epoch finishes that epoch
        tr.step(1)
        tr.run_epoch()
        assert (tr.steps, tr.epochs) == (3 * per_epoch, 3)


def test_minibatch_visits_every_sample_once_per_epoch_with_a_partial_last_batch(spiral):
    X, y = spiral
    tr = make(X, y, (2, 8, 3), batch_size=32, lr=0.1)
    seen, sizes = [], []
    for _ in range(tr.updates_per_epoch):
        ws = tr._next_batch()
        seen.append(ws.A[0].copy())
        sizes.append(ws.n)
        tr.step(1)
    assert sizes == [32] * 9 + [12]        # the last, partial batch is a real, smaller batch
    rows = np.concatenate(seen)
    assert sorted(map(tuple, rows)) == sorted(map(tuple, X))
    # the next epoch is reshuffled
    assert not np.array_equal(tr._next_batch().A[0], seen[0])


def test_sgd_batch_of_one_matches_a_manual_update(spiral):
    X, y = spiral
    tr = make(X, y, (2, 10, 3), batch_size=1, lr=0.3)
    ws = tr._next_batch()
    i = int(np.flatnonzero((X == ws.A[0][0]).all(axis=1))[0])
    net_copy = tr.net.copy()
    _, grads = net_copy.loss_and_grads(X[i:i + 1], y[i:i + 1])
    expected = [p - 0.3 * g for p, g in zip(net_copy.params(), (g for gg in grads for g in gg))]
    tr.step(1)
    for mine, theirs in zip(tr.net.params(), expected):
        np.testing.assert_allclose(mine, theirs, atol=1e-14)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_each_optimizer_lowers_the_loss(separable, optimizer):
    X, y = separable
    lr = {"sgd": 0.5, "momentum": 0.1, "adam": 0.01}[optimizer]
    tr = make(X, y, optimizer=optimizer, lr=lr, batch_size=20)
    before = tr.evaluate()["train_loss"]
    tr.step(200)
    after = tr.evaluate()
    assert after["train_loss"] < 0.3 * before
    assert after["train_acc"] == 1.0


def test_cs231n_spiral_reaches_95_percent(spiral):
    X, y = spiral
    tr = make(X, y, (2, 100, 3), lr=1.0, l2=1e-3)
    tr.step(3000)
    assert tr.evaluate()["train_acc"] >= 0.95


def test_larger_l2_gives_smaller_weights(spiral):
    X, y = spiral
    norms = []
    for l2 in (0.0, 1e-3, 1e-2):
        tr = make(X, y, (2, 50, 3), lr=0.5, l2=l2)
        tr.step(500)
        norms.append(sum(float(np.sum(W ** 2)) for W in tr.net.weights))
    assert norms[0] > norms[1] > norms[2]


@pytest.mark.parametrize("batch_size", [None, 16, 1])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_determinism(spiral, batch_size, optimizer):
    X, y = spiral
    runs = []
    for _ in range(2):
        tr = make(X, y, (2, 20, 3), batch_size=batch_size, optimizer=optimizer, lr=0.05,
                  dtype="float32", seed=7)
        tr.step(123)
        runs.append(tr)
    a, b = runs
    assert all(np.array_equal(p, q) for p, q in zip(a.net.params(), b.net.params()))
    assert np.array_equal(a.history.loss.column("loss"), b.history.loss.column("loss"))


def test_trainer_seed_changes_the_batch_order(spiral):
    X, y = spiral
    a, b = (make(X, y, (2, 8, 3), batch_size=8, seed=s, lr=0.1) for s in (1, 2))
    assert not np.array_equal(a._next_batch().A[0], b._next_batch().A[0])


def test_settings_change_between_steps_without_losing_the_run(spiral):
    X, y = spiral
    tr = make(X, y, (2, 20, 3), lr=0.5)
    tr.step(20)
    params = [p.copy() for p in tr.net.params()]
    tr.lr = 0.05
    tr.batch_size = 16
    tr.optimizer = "adam"
    tr.l2 = 1e-3
    tr.momentum = 0.5
    assert all(np.array_equal(p, q) for p, q in zip(params, tr.net.params()))
    assert tr.steps == 20 and tr.mode == "minibatch"
    tr.step(5)
    assert tr.steps == 25
    tr.batch_size = 1
    assert tr.mode == "sgd" and tr.updates_per_epoch == 300
    tr.batch_size = None
    assert tr.mode == "batch"
    for bad in ({"lr": 0}, {"lr": float("nan")}, {"l2": -1}, {"batch_size": 0},
                {"optimizer": "rmsprop"}, {"momentum": 1.5}):
        with pytest.raises(TrainingError):
            setattr(tr, *next(iter(bad.items())))


def test_divergence_keeps_the_last_finite_parameters(spiral):
    X, y = spiral
    tr = make(X, y, (2, 50, 3), lr=1e4)
    done = tr.step(100)
    assert tr.diverged and done < 100
    assert "learning rate" in tr.divergence_message and "10000" in tr.divergence_message
    assert all(np.all(np.isfinite(p)) for p in tr.net.params())
    steps, params = tr.steps, [p.copy() for p in tr.net.params()]
    assert tr.step(10) == 0 and tr.steps == steps
    assert all(np.array_equal(p, q) for p, q in zip(params, tr.net.params()))
    tr.reset()
    assert not tr.diverged and tr.steps == 0 and tr.epochs == 0
    tr.lr = 1.0
    assert tr.step(10) == 10


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_divergence_detected_for_every_optimizer_and_dtype(spiral, dtype, optimizer):
    X, y = spiral
    tr = make(X * 1e3, y, (2, 64, 64, 3), lr=1e4, optimizer=optimizer, dtype=dtype)
    tr.step(300)
    assert tr.diverged or all(math.isfinite(v) for v in tr.evaluate().values())
    assert all(np.all(np.isfinite(p)) for p in tr.net.params())


def test_history_stays_bounded_and_spans_the_run(spiral):
    X, y = spiral
    tr = make(X[:40], y[:40], (2, 4, 3), batch_size=1, lr=0.01, history_size=100)
    tr.step(20_000)
    loss, evals = tr.history.loss, tr.history.evals
    assert len(loss) <= 100 and len(evals) <= 100
    assert loss.column("step")[-1] > 19_000           # the recent end is there
    assert loss.column("step")[0] <= 256              # and so is the beginning
    assert np.all(np.diff(loss.column("step")) > 0)
    assert tr.history.nbytes < 10_000


def test_series_keeps_the_mean_of_merged_windows():
    s = Series(["v"], capacity=4)
    for step in range(1, 9):
        s.add(step, float(step))
    # 8 values into 4 rows: pairs were merged (mean) and the stride doubled
    assert s.stride == 2
    np.testing.assert_allclose(s.column("step"), [2, 4, 6, 8])
    np.testing.assert_allclose(s.column("v"), [1.5, 3.5, 5.5, 7.5])


def test_eval_history_records_metrics_and_gradient_norms(spiral):
    X, y = spiral
    tr = Trainer(MLP([2, 16, 16, 3]), X[:240], y[:240], X[240:], y[240:], lr=0.5, eval_every=5)
    tr.step(50)
    ev = tr.history.evals.as_dict()
    assert list(ev["step"]) == list(range(0, 51, 5))
    assert set(ev) >= {"train_loss", "train_acc", "test_loss", "test_acc", "grad_norm1",
                       "grad_norm3"}
    assert np.all(np.isfinite(ev["test_loss"]))
    assert ev["grad_norm1"][-1] > 0
    norms = [math.sqrt(float(np.sum(dW ** 2) + np.sum(db ** 2))) for dW, db in tr.last_grads]
    np.testing.assert_allclose(tr.last_grad_norms, norms, rtol=1e-9)


def test_long_runs_keep_memory_bounded():
    """A long session, accelerated: 200,000 SGD updates on a tiny net (the benchmark
    benchmarks/bench_memory.py runs 10⁶ on the app's network); the history stays within its
    preallocated capacity."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 2))
    tr = Trainer(MLP([2, 2, 2], seed=0), X, (X[:, 0] > 0).astype(int), batch_size=1,
                 lr=1e-3, history_size=500)
    before = tr.history.nbytes
    for _ in range(4):
        tr.step(50_000)
    assert tr.steps == 200_000
    assert tr.history.nbytes == before
    assert len(tr.history.loss) <= 500 and tr.history.loss.stride >= 256
    assert tr.history.loss.column("step")[-1] > 199_000


def test_bad_data_is_refused():
    with pytest.raises(TrainingError):
        Trainer(MLP([2, 4, 2]), np.zeros((5, 3)), np.zeros(5, dtype=int))
    with pytest.raises(TrainingError):
        Trainer(MLP([2, 4, 2]), np.zeros((5, 2)), np.zeros(4, dtype=int))
    with pytest.raises(TrainingError):
        Trainer(MLP([2, 4, 2]), np.zeros((0, 2)), np.zeros(0, dtype=int))


def test_engine_does_not_import_streamlit_or_plotly():
    code = ("import sys, playground, playground.training, playground.runs, "
            "playground.datasets, playground.model, playground.__main__; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
