"""The race of batch modes: same data and initial weights, lock step, and bit for bit the
same parameters as each configuration trained on its own."""

import threading
import time

import numpy as np
import pytest

from playground.engine.datasets import grid_points
from playground.engine.model import MLP
from playground.engine.training import Trainer
from playground.state.playground import DTYPE, Playground
from playground.state.race import (
    Race,
    RaceError,
    RunnerPlan,
    default_plan,
    race_key,
)
from playground.state.settings import auto_lr


@pytest.fixture(scope="module")
def pg():
    return Playground()


def alone(race, runner, settings, updates=None):
    """The runner's configuration trained on its own, from the same initial weights, for the
    same number of updates (or ``updates``)."""
    d = race.data
    s = settings
    net = MLP([2, *s.hidden, d.n_classes], activation=s.activation, init=s.init, seed=s.seed,
              dtype=DTYPE)
    tr = Trainer(net, d.X_train, d.y_train, d.X_test, d.y_test, lr=runner.lr,
                 batch_size=runner.trainer.batch_size, optimizer=s.optimizer, l2=s.l2,
                 seed=s.seed)
    tr.step(runner.trainer.updates if updates is None else updates)
    return tr


def test_the_default_race_is_full_batch_mini_batch_and_sgd_with_rates_that_suit_them(pg):
    race = Race(pg.settings, pg.data)
    modes = [r.trainer.mode for r in race.runners]
    assert modes == ["batch", "minibatch", "sgd"]
    assert race.runners[1].trainer.batch_size == 32
    for r, mode in zip(race.runners, ("full batch", "mini-batch", "SGD")):
        assert r.lr == auto_lr(pg.settings.with_changes(batch_mode=mode))
    assert [r.lr for r in race.runners] == [1.0, 0.3, 0.1]


def test_runners_start_from_the_same_weights_on_the_same_data(pg):
    race = Race(pg.settings, pg.data, [RunnerPlan("SGD", 0.03), RunnerPlan("full batch", 3.0)])
    a, b = (r.trainer for r in race.runners)
    assert a.net is not b.net
    assert np.array_equal(a.net.flat, b.net.flat)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert [r.lr for r in race.runners] == [0.03, 3.0]


@pytest.mark.parametrize("plan", [
    default_plan(),
    (RunnerPlan("mini-batch 8", 0.1), RunnerPlan("mini-batch 128"), RunnerPlan("SGD", 0.01),
     RunnerPlan("full batch", 0.3)),
])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_race_runs_bit_for_bit_like_its_runners_one_by_one(pg, plan, optimizer):
    settings = pg.settings.with_changes(optimizer=optimizer)
    race = Race(settings, pg.data, plan)
    for budget in (0.002, 0.01, 0.005):
        race.step_budget(budget)
    race.step_round(7)
    counts = {r.trainer.updates for r in race.runners}
    assert len(counts) == 1 and counts.pop() > 7                 # lock step
    for r in race.runners:
        solo = alone(race, r, settings)
        for mine, theirs in zip(r.trainer.net.params(), solo.net.params()):
            assert np.array_equal(mine, theirs)
        assert (r.trainer.epochs, r.trainer.samples_seen) == (solo.epochs, solo.samples_seen)


def test_a_frame_budget_is_shared_and_kept(pg):
    race = Race(pg.settings, pg.data)
    race.step_budget(0.01)                                        # warm
    done = race.step_budget(0.04)
    assert done > 1
    budgets = []
    for _ in range(5):
        u0 = race.updates
        t0 = time.perf_counter()
        race.step_budget(0.04)
        budgets.append(time.perf_counter() - t0)
        assert race.updates > u0
    # the rounds stop before the budget runs out; evaluating afterwards adds a little
    assert min(budgets) < 0.06, budgets
    seconds = [r.trainer.train_seconds for r in race.runners]
    assert sum(seconds) < 0.04 * 7 + 0.05                         # the shares add up
    # a full-batch update costs more than an SGD one: its clock runs faster
    assert seconds[0] > seconds[2]


def test_a_race_can_be_paced_by_updates_per_frame(pg):
    race = Race(pg.settings, pg.data)
    assert race.step_budget(1.0, updates=1) == 1
    assert race.step_budget(1.0, updates=37) == 37
    assert [r.trainer.updates for r in race.runners] == [38, 38, 38]
    assert race.step_budget(1e-9, updates=50) == 1           # at least one round, as ever


def test_arrivals_are_recorded_by_every_clock_and_the_leader_depends_on_the_clock(pg):
    race = Race(pg.settings, pg.data)
    for _ in range(400):
        race.step_budget(0.02)
        if race.finished:
            break
    assert race.finished and all(r.arrival for r in race.runners)
    for r in race.runners:
        a = r.arrival
        # the oracle: the same configuration alone, stopped at the arrival's update
        solo = alone(race, r, pg.settings, a.updates)
        assert solo.evaluate()["train_acc"] >= race.target
        assert a.samples == solo.samples_seen
        assert a.epochs == pytest.approx(solo.samples_seen / len(race.data.X_train))
        assert 0 < a.seconds <= r.trainer.train_seconds
    by_update = race.leader("step")
    by_epoch = race.leader("epoch")
    assert by_update.arrival.updates == min(r.arrival.updates for r in race.runners)
    assert by_epoch.arrival.epochs == min(r.arrival.epochs for r in race.runners)
    # per epoch SGD makes 240 updates, full batch one: full batch needs far more epochs
    full, sgd = race.runners[0], race.runners[2]
    assert sgd.arrival.epochs < full.arrival.epochs


def test_arrivals_do_not_depend_on_the_pacing(pg):
    slow, fast = Race(pg.settings, pg.data), Race(pg.settings, pg.data)
    while not slow.finished:
        slow.step_budget(1.0, updates=3)
    while not fast.finished:
        fast.step_budget(1.0, updates=97)
    for a, b in zip(slow.runners, fast.runners):
        assert a.arrival.updates == b.arrival.updates and a.arrival.updates % 10 == 0
        assert (a.arrival.epochs, a.arrival.samples) == (b.arrival.epochs, b.arrival.samples)


def test_a_diverging_runner_stops_and_the_others_go_on(pg):
    race = Race(pg.settings, pg.data, [RunnerPlan("SGD", 10.0), RunnerPlan("full batch")])
    for _ in range(20):
        race.step_budget(0.005)
    bad, good = race.runners
    assert bad.trainer.diverged and bad.arrival is None
    assert good.trainer.updates > bad.trainer.updates


def test_impossible_plans_are_refused(pg):
    with pytest.raises(RaceError):
        Race(pg.settings, pg.data, [RunnerPlan("SGD")])
    with pytest.raises(RaceError):
        Race(pg.settings, pg.data, [RunnerPlan("SGD")] * 5)
    with pytest.raises(RaceError):
        Race(pg.settings, pg.data, [RunnerPlan("SGD"), RunnerPlan("batch 3")])
    with pytest.raises(RaceError):
        Race(pg.settings, pg.data, [RunnerPlan("SGD"), RunnerPlan("SGD", 0.5)])


def test_the_race_key_follows_data_network_optimizer_and_l2():
    pg = Playground()
    key = race_key(pg.settings, pg.data)
    pg.apply(pg.settings.with_changes(lr=0.1, lr_auto=False, batch_mode="SGD"))
    assert race_key(pg.settings, pg.data) == key           # the page's own rate: no matter
    pg.apply(pg.settings.with_changes(units=20))
    assert race_key(pg.settings, pg.data) != key


def test_small_maps_are_each_runners_probabilities(pg):
    race = Race(pg.settings, pg.data)
    race.step_budget(0.01)
    xs, ys, probs = race.grids(resolution=20)
    assert len(probs) == 3 and probs[0].shape == (400, pg.data.n_classes)
    for r, p in zip(race.runners, probs):
        np.testing.assert_allclose(p, r.trainer.net.predict_proba(grid_points(xs, ys)),
                                   rtol=1e-5, atol=1e-6)


def test_a_runners_seconds_are_its_own_cpu_time_not_the_wall_clock(pg):
    """Another thread holding the GIL half the time (as the server's threads do) stretches
    the wall time of a runner's updates, not its seconds."""
    race = Race(pg.settings, pg.data, [RunnerPlan("SGD"), RunnerPlan("full batch")])
    tr = race.runners[1].trainer
    tr.step(20)                                                   # warm
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            sum(range(1000))

    other = threading.Thread(target=spin)
    other.start()
    try:
        before, t0 = tr.train_seconds, time.perf_counter()
        while time.perf_counter() - t0 < 0.3:
            tr.step(20)
        wall = time.perf_counter() - t0
    finally:
        stop.set()
        other.join()
    assert 0 < tr.train_seconds - before < 0.8 * wall
