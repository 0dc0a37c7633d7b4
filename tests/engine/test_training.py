"""Trainer: batch modes, optimizers, bookkeeping, history, divergence, determinism."""

import math
import re

import numpy as np
import pytest

from playground.engine.history import Series
from playground.engine.model import MLP
from playground.engine.training import OPTIMIZERS, Trainer, TrainingError


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
    assert (tr.updates, tr.epochs) == (per_epoch, 1)
    tr.run_epoch()
    assert (tr.updates, tr.epochs) == (2 * per_epoch, 2)
    if per_epoch > 2:                       # run_epoch from mid-epoch finishes that epoch
        tr.step(1)
        tr.run_epoch()
        assert (tr.updates, tr.epochs) == (3 * per_epoch, 3)


def test_minibatch_visits_every_sample_once_per_epoch_with_a_partial_last_batch(spiral):
    X, y = spiral
    tr = make(X, y, (2, 8, 3), batch_size=32, lr=0.1)
    seen, sizes = [], []
    for _ in range(tr.updates_per_epoch):
        tr.step(1)
        batch = tr.last_pass().inputs
        seen.append(batch)
        sizes.append(len(batch))
    assert sizes == [32] * 9 + [12]        # the last, partial batch is a real, smaller batch
    rows = np.concatenate(seen)
    assert sorted(map(tuple, rows)) == sorted(map(tuple, X))
    # the next epoch is reshuffled
    tr.step(1)
    assert not np.array_equal(tr.last_pass().inputs, seen[0])


def test_sgd_batch_of_one_matches_a_manual_update(spiral):
    X, y = spiral
    tr = make(X, y, (2, 10, 3), batch_size=1, lr=0.3)
    net_copy = tr.net.copy()
    tr.step(1)
    (x,) = tr.last_pass().inputs
    i = int(np.flatnonzero((X == x).all(axis=1))[0])
    _, grads = net_copy.loss_and_grads(X[i:i + 1], y[i:i + 1])
    expected = [p - 0.3 * g for p, g in zip(net_copy.params(), (g for gg in grads for g in gg))]
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
    a.step(1)
    b.step(1)
    assert not np.array_equal(a.last_pass().inputs, b.last_pass().inputs)


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
    assert tr.updates == 20 and tr.mode == "minibatch"
    tr.step(5)
    assert tr.updates == 25
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
    steps, params = tr.updates, [p.copy() for p in tr.net.params()]
    assert tr.step(10) == 0 and tr.updates == steps
    assert all(np.array_equal(p, q) for p, q in zip(params, tr.net.params()))
    tr.reset()
    assert not tr.diverged and tr.updates == 0 and tr.epochs == 0
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
    assert tr.updates == 200_000
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


def test_resume_after_divergence_continues_from_the_last_finite_parameters(spiral):
    X, y = spiral
    tr = make(X, y, (2, 50, 3), batch_size=1, lr=10.0)
    tr.step(500)
    assert tr.diverged
    kept = [p.copy() for p in tr.net.params()]
    assert tr.step(5) == 0                                 # a diverged run does not move
    tr.lr = 0.01
    tr.resume()
    assert not tr.diverged and not tr.divergence_message
    assert all(np.array_equal(a, b) for a, b in zip(tr.net.params(), kept))
    before = tr.evaluate()["train_loss"]
    assert tr.step(500) == 500 and not tr.diverged
    assert tr.evaluate()["train_loss"] < before
    tr.lr = 1e4                                            # a new explosion is still caught
    tr.step(50)
    assert tr.diverged and all(np.isfinite(p).all() for p in tr.net.params())


def test_progress_is_recorded_by_every_clock(spiral):
    """Each evaluation row carries the fractional epoch, the samples visited and the seconds
    of training, so that runs can be compared by any of them."""
    X, y = spiral                                            # 300 points
    tr = make(X, y, (2, 16, 3), batch_size=32, lr=0.1, eval_every=1)
    tr.step(13)                                              # one epoch (10 updates) + 3
    ev = tr.history.evals.as_dict()
    # epoch 1 ends at update 10 after 9 × 32 + 12 samples; then 3 more batches of 32
    assert ev["samples"][ev["step"] == 10][-1] == 300 and tr.samples_seen == 300 + 3 * 32
    assert ev["epoch"][ev["step"] == 10][-1] == 1.0
    assert ev["epoch"][-1] == pytest.approx(1 + 96 / 300)
    assert np.all(np.diff(ev["seconds"]) >= 0) and 0 < ev["seconds"][-1] <= tr.train_seconds
    full = make(X, y, (2, 16, 3), lr=0.1, eval_every=1)
    full.step(4)
    fe = full.history.evals.as_dict()
    np.testing.assert_array_equal(fe["epoch"], fe["step"])
    np.testing.assert_array_equal(fe["samples"], fe["step"] * 300)


def test_the_epoch_clock_never_runs_back_when_the_batch_size_changes(spiral):
    X, y = spiral
    tr = make(X, y, (2, 16, 3), batch_size=32, lr=0.1, eval_every=1)
    tr.step(8)                                   # mid-epoch
    tr.batch_size = 64                           # a new order starts
    tr.step(1)
    tr.batch_size = 1
    tr.step(3)
    epoch = tr.history.evals.as_dict()["epoch"]
    assert np.all(np.diff(epoch) > 0)
    assert epoch[-1] == pytest.approx((8 * 32 + 64 + 3) / 300)


def test_after_a_resume_the_loss_guard_comes_back_down(spiral):
    from playground.engine.divergence import LOSS_LIMIT, resumed_limit

    assert resumed_limit(4000.0, 240.0) == 2 * 240 * 4000.0    # a batch of 1: 240× the mean
    assert resumed_limit(1.0, 240.0) == LOSS_LIMIT
    assert resumed_limit(300.0, 1.0, current=5000.0) == LOSS_LIMIT
    assert resumed_limit(3000.0, 1.0, current=5000.0) == 5000.0  # never raised again
    X, y = spiral
    tr = make(X, y, (2, 50, 3), batch_size=1, lr=10.0)
    tr.step(500)
    assert tr.diverged
    tr.lr = 0.01
    tr.resume()
    before = tr.evaluate()["train_loss"]
    tr.step(2000)
    assert not tr.diverged and tr.evaluate()["train_loss"] < before / 5
    tr.lr = 10.0                                  # the lesson again: it diverges again,
    tr.step(200)                                  # caught by the lowered guard
    assert tr.diverged and "the loss exploded" in tr.divergence_message
    exploded = float(re.search(r"exploded to ([0-9.]+e[+-]?[0-9]+|[0-9.]+[0-9])",
                               tr.divergence_message).group(1))
    assert 1000 <= exploded < 2 * 240 * before     # below the guard it resumed with
