"""A race of batch modes: 2–4 trainers on the same data, from the same initial weights, each
with its own batch mode and learning rate, trained in lock step.

Lock step means equal update counts: every runner makes the same number of updates in each
round, and a frame's training budget is shared by taking rounds until it is spent. Runners
are independent trainers (own parameters, own random stream for the batches), so a race runs
exactly as the same configurations would one by one; only the interleaving differs. Each
runner's seconds are its own thread's CPU time in :meth:`Trainer.step`, so "seconds of
training" compares what the modes cost, not how the frame's time was shared.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from ..engine.datasets import grid_axes, grid_points
from ..engine.training import Trainer
from .playground import DTYPE, build_network
from .settings import LEARNING_RATES, auto_lr, batch_mode_of

# Batch modes a runner can take: label -> the Trainer's batch_size (None: full batch).
RACE_MODES = {"full batch": None, "mini-batch 8": 8, "mini-batch 32": 32,
              "mini-batch 128": 128, "SGD": 1}
DEFAULT_PLAN = ("full batch", "mini-batch 32", "SGD")
MIN_RUNNERS, MAX_RUNNERS = 2, 4
TARGET = 0.95                # training accuracy a runner must reach
# Every runner is evaluated every CHECK_EVERY updates (the trainer's own cadence would be once
# an epoch for SGD, 240 updates), and only those evaluations count for the target: an arrival
# is then the same whatever the frames' pacing (a frame's last update is evaluated too, for
# the curves, but may fall between checks). The evaluations count in every runner's seconds
# alike, as in any trainer's.
CHECK_EVERY = 10
MAX_CHUNK_GROWTH = 4         # a round is at most this many times the last one's updates
RACE_GRID = 50               # the small decision maps: G×G points
_SERIAL = itertools.count(1)  # tells cached charts a race is new


class RaceError(ValueError):
    """A race was asked for with an impossible plan."""


def settings_mode(mode):
    """The sidebar's batch mode ("full batch", "mini-batch", "SGD") of a race mode."""
    return batch_mode_of(RACE_MODES[mode])


@dataclass(frozen=True)
class RunnerPlan:
    """One runner's configuration: a :data:`RACE_MODES` label and a learning rate (None:
    the automatic rate for that batch mode, the playground's optimizer and depth)."""
    mode: str
    lr: float | None = None

    def rate(self, settings):
        if self.lr is not None:
            return float(self.lr)
        return auto_lr(settings.with_changes(batch_mode=settings_mode(self.mode)))


@dataclass(frozen=True)
class Arrival:
    """Where a runner's training accuracy was first seen at or above the target, by every
    clock (checked every CHECK_EVERY updates)."""
    updates: int
    epochs: float
    samples: int
    seconds: float

    def clock(self, name):
        return {"step": self.updates, "epoch": self.epochs, "samples": self.samples,
                "seconds": self.seconds}[name]


class RaceTrainer(Trainer):
    """A trainer timed by its thread's CPU time: a runner's seconds are then what its own
    updates cost, not also the other threads (the server's, a browser's on the same cores)
    that took the core or the GIL in the middle of them. (With one BLAS thread, as the app
    runs, the thread's CPU time holds all of an update's work.)"""
    clock = staticmethod(time.thread_time)


class Runner:
    def __init__(self, plan, lr, trainer):
        self.plan = plan
        self.lr = lr
        self.trainer = trainer
        self.arrival = None
        self.checked = -1                # the last evaluation row looked at (its update)

    @property
    def label(self):
        return f"{self.plan.mode}, lr {self.lr:g}"


def default_plan():
    return tuple(RunnerPlan(m) for m in DEFAULT_PLAN)


def race_key(settings, data):
    """What a race depends on besides its plan: the data, network, optimizer, L2 and L1. A
    playground whose key differs from a race's has moved on since the race started."""
    return (data.identity, data.painted, settings.network_key(), settings.optimizer,
            settings.l2, settings.l1)


class Race:
    """Runners built from a playground's settings and data (see the module docstring)."""

    def __init__(self, settings, data, plan=None, target=TARGET, dtype=DTYPE):
        plan = tuple(default_plan() if plan is None else plan)
        if not MIN_RUNNERS <= len(plan) <= MAX_RUNNERS:
            raise RaceError(f"A race takes {MIN_RUNNERS}–{MAX_RUNNERS} runners; "
                            f"got {len(plan)}.")
        for p in plan:
            if p.mode not in RACE_MODES:
                raise RaceError(f"Unknown batch mode {p.mode!r}; choose one of "
                                f"{list(RACE_MODES)}.")
            if p.lr is not None and p.lr not in LEARNING_RATES:
                raise RaceError(f"Learning rate {p.lr!r} is not one of {LEARNING_RATES}.")
        self.plan = plan
        self.target = float(target)
        self.key = race_key(settings, data)
        self.data = data
        s = settings
        # one network's initial weights, copied for every runner
        self.initial = build_network(s, data.n_classes, dtype)
        self.runners = []
        for p in plan:
            lr = p.rate(s)
            tr = RaceTrainer(self.initial.copy(), data.X_train, data.y_train, data.X_test,
                         data.y_test, lr=lr, batch_size=RACE_MODES[p.mode],
                         optimizer=s.optimizer, l2=s.l2, l1=s.l1, seed=s.seed,
                         eval_every=CHECK_EVERY)
            self.runners.append(Runner(p, lr, tr))
        self.rounds = 0
        self.serial = next(_SERIAL)
        self._grid = None

    @property
    def updates(self):
        """Updates per runner (a diverged runner stops at its own count)."""
        return max(r.trainer.updates for r in self.runners)

    @property
    def finished(self):
        """Every runner has arrived or diverged: further rounds change no result."""
        return all(r.arrival is not None or r.trainer.diverged for r in self.runners)

    def step_round(self, n=1):
        """n updates for every runner that has not diverged; returns n."""
        for r in self.runners:
            r.trainer.step(n)
        self.rounds += 1
        return n

    def step_budget(self, seconds, updates=None):
        """Rounds until ``seconds`` of wall time are spent, or each runner made ``updates``
        updates: one update each first, then rounds sized by the time the last one took per
        update (growing at most MAX_CHUNK_GROWTH-fold, so a cold first round cannot
        overshoot the budget by much). Then every runner's metrics are brought up to date
        and arrivals recorded. Returns the updates each runner made."""
        if all(r.trainer.diverged for r in self.runners):
            return 0
        deadline = time.perf_counter() + float(seconds)
        chunk, done = 1, 0
        while True:
            if updates is not None:
                chunk = min(chunk, int(updates) - done)
                if chunk < 1:
                    break
            t0 = time.perf_counter()
            done += self.step_round(chunk)
            now = time.perf_counter()
            per_update = max((now - t0) / chunk, 1e-7)
            fit = int((deadline - now) / per_update)
            if fit < 1 or all(r.trainer.diverged for r in self.runners):
                break
            chunk = min(fit, MAX_CHUNK_GROWTH * chunk)
        self.record()
        return done

    def record(self):
        """Evaluate every runner now (outside its timed steps) and note arrivals."""
        for r in self.runners:
            r.trainer.record_metrics()
            if r.arrival is None:
                r.arrival = self._arrival(r)

    def _arrival(self, runner):
        ev = runner.trainer.history.evals
        steps, acc = ev.column("step"), ev.column("train_acc")
        new = steps > runner.checked
        if len(steps):
            runner.checked = steps[-1]
        hit = np.flatnonzero(new & (steps % CHECK_EVERY == 0) & (acc >= self.target))
        if not len(hit):
            return None
        i = hit[0]
        col = {name: ev.column(name)[i] for name in ("epoch", "samples", "seconds")}
        return Arrival(int(steps[i]), float(col["epoch"]), int(col["samples"]),
                       float(col["seconds"]))

    def leader(self, clock):
        """The runner that arrived first by ``clock`` (a history column: step, epoch,
        samples, seconds), or None while none has arrived. Ties go to the earlier runner."""
        arrived = [r for r in self.runners if r.arrival is not None]
        return min(arrived, key=lambda r: r.arrival.clock(clock)) if arrived else None

    # -- the small decision maps ---------------------------------------------------------
    def grids(self, resolution=RACE_GRID):
        """(xs, ys, [probs per runner]): each runner's class probabilities over a coarse grid
        of the plane ((G·G, K) arrays), in forward-only buffers kept between calls."""
        if self._grid is None or self._grid[0] != resolution:
            xs, ys = grid_axes(self.data.X_all, resolution=resolution, margin=0.05)
            points = grid_points(xs, ys)
            spaces = []
            for r in self.runners:
                spaces.append(r.trainer.net.points_workspace(points))
            self._grid = (resolution, xs, ys, spaces)
        _, xs, ys, spaces = self._grid
        probs = []
        for ws in spaces:
            ws.forward()
            probs.append(ws.P.copy())
        return xs, ys, probs

    # -- in words ---------------------------------------------------------------------------
    def result_line(self, clock="seconds"):
        """Who reached the target first by ``clock``, and when by every clock, e.g.
        "SGD reached 95 % first (per epoch): 26 ms, 3.9 epochs, 930 updates." Before anyone
        has: how far the race has run."""
        target = f"{self.target:.0%}".replace("%", " %")
        leader = self.leader(clock)
        if leader is None:
            return (f"No runner has reached {target} training accuracy yet "
                    f"({self.updates:,} updates each).")
        return (f"{leader.plan.mode} reached {target} first ({CLOCK_WORDS[clock]}): "
                f"{arrival_text(leader.arrival)}.")

    def standings(self):
        """One short line per runner: its arrival by every clock, "diverged", or "not yet"."""
        out = []
        for r in self.runners:
            if r.arrival is not None:
                out.append(f"{r.label}: {arrival_text(r.arrival)}")
            elif r.trainer.diverged:
                out.append(f"{r.label}: diverged at update {r.trainer.updates:,}")
            else:
                # no live accuracy here: a text that changes every frame costs the page a
                # re-render each time (the curves show it)
                out.append(f"{r.label}: not yet")
        return out


CLOCK_WORDS = {"step": "per update", "epoch": "per epoch", "samples": "per sample seen",
               "seconds": "per second of training"}


def arrival_text(a):
    """'26 ms, 3.9 epochs, 930 updates' or '1.4 s, 14 epochs, 112 updates' (two significant
    digits below 10)."""
    epochs = f"{a.epochs:.0f}" if a.epochs >= 10 else f"{a.epochs:.2g}"
    if a.seconds < 0.1:
        seconds = f"{1000 * a.seconds:.2g} ms"
    else:
        seconds = f"{a.seconds:.2g} s" if a.seconds < 10 else f"{a.seconds:.0f} s"
    return (f"{seconds}, {epochs} epoch{'' if epochs == '1' else 's'}, "
            f"{a.updates:,} update{'' if a.updates == 1 else 's'}")
