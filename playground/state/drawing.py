"""Painting data on the map: add a point of a class, erase the nearest one, clear the plane.

An edit keeps the run: the same network (its weights), optimizer state, counters and history
carry on in a trainer on the edited points (:func:`continued`), so the map shows the network
adapting. The train/test split stays consistent: a point never changes sets, and a new one
goes to the test set exactly when its class (its whole set, for float targets) has fewer test
points than the test fraction asks, counted as :func:`~playground.engine.datasets.
train_test_split` counts them (round(size · fraction), at least one training point). So the
split follows only from the points and their order, and erasing from either set is
rebalanced by the next points added.

With fewer than MIN_ROWS points (or no training point) there is nothing to train on: the
edited points wait as a *sketch* on the playground's data, shown on the map and exported,
while the run stays on the points it had and training holds until there are enough.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..engine.datasets import MIN_ROWS
from ..engine.training import Trainer
from .playground import Data

MAX_POINTS = 2000            # points on a painted plane
BOUND = 1.5                  # |coordinate| of a painted point (the map shows about ±1.1)
ERASE_RADIUS = 0.08          # data units, when the click does not say its own radius
MAX_ERASE_RADIUS = 0.3
TARGETS = (-1.0, -0.5, 0.0, 0.5, 1.0)   # the values a painted regression point may take


@dataclass(frozen=True)
class Painted:
    """The record of a painted data set: ``edits`` so far (a new record per edit, so that
    whatever was built from the old points sees a change) and, while there are too few
    points to train on, the ``sketch``: the edited points, not yet trained on."""
    edits: int = 0
    sketch: Data | None = field(default=None, compare=False)

    @property
    def waiting(self):
        return self.sketch is not None


def shown(pg):
    """The points the page shows and exports: the sketch while it waits, else the data."""
    painted = pg.data.painted
    return painted.sketch if painted is not None and painted.waiting else pg.data


def points(pg):
    d = shown(pg)
    return len(d.X_train) + len(d.X_test)


def missing(pg):
    """Why training waits, or None: "at least 4 points" / "a training point"."""
    d = shown(pg)
    n = len(d.X_train) + len(d.X_test)
    if n < MIN_ROWS:
        return f"at least {MIN_ROWS} points ({MIN_ROWS - n} more)"
    if not len(d.X_train):
        return "a training point"
    return None


def goes_to_test(y_train, y_test, label, fraction):
    """Whether a new point with target ``label`` joins the test set (see the module
    docstring). Integer targets are split per class, others as one set."""
    if np.issubdtype(np.asarray(y_train).dtype, np.integer):
        n_train = int(np.sum(y_train == label))
        n_test = int(np.sum(y_test == label))
    else:
        n_train, n_test = len(y_train), len(y_test)
    size = n_train + n_test + 1
    wanted = min(math.floor(size * fraction + 0.5), size - 1)
    return n_test < wanted


def add_point(pg, x, y, label):
    """Add a point of class ``label`` (a regression run: of target value ``label`` in
    [−1, 1]) at (x, y). Returns a message when it was not added."""
    d = shown(pg)
    if len(d.X_train) + len(d.X_test) >= MAX_POINTS:
        return (f"The plane holds at most {MAX_POINTS:,} points: erase some (or Clear) to "
                f"add more.")
    at = _point(x, y)
    if at is None:
        return "That is outside the plane."
    if np.issubdtype(d.y_train.dtype, np.integer):
        if not (isinstance(label, (int, np.integer)) and 0 <= label < len(d.class_names)):
            return "Choose one of the classes."
    elif not (isinstance(label, (int, float, np.number)) and math.isfinite(label)
              and abs(label) <= 1):
        return "Choose a target value between −1 and +1."
    row = np.array([at])
    parts = [d.X_train, d.y_train, d.X_test, d.y_test]
    i = 2 if goes_to_test(d.y_train, d.y_test, label, pg.settings.test_fraction) else 0
    parts[i] = np.concatenate([parts[i], row.astype(parts[i].dtype)])
    parts[i + 1] = np.concatenate([parts[i + 1], np.array([label], dtype=parts[i + 1].dtype)])
    _commit(pg, *parts)
    return None


def erase_point(pg, x, y, radius=ERASE_RADIUS):
    """Erase the point nearest to (x, y) if it lies within ``radius``; returns whether one
    was erased."""
    d = shown(pg)
    at = _point(x, y, bound=BOUND + MAX_ERASE_RADIUS)
    try:
        radius = min(float(radius), MAX_ERASE_RADIUS)
    except (TypeError, ValueError):
        radius = ERASE_RADIUS
    if at is None or not radius > 0:
        return False
    best = None
    for i, X in ((0, d.X_train), (2, d.X_test)):
        if len(X):
            dist = np.hypot(X[:, 0] - at[0], X[:, 1] - at[1])
            j = int(np.argmin(dist))
            if dist[j] <= radius and (best is None or dist[j] < best[0]):
                best = (dist[j], i, j)
    if best is None:
        return False
    _, i, j = best
    parts = [d.X_train, d.y_train, d.X_test, d.y_test]
    parts[i], parts[i + 1] = np.delete(parts[i], j, axis=0), np.delete(parts[i + 1], j)
    _commit(pg, *parts)
    return True


def clear(pg):
    """An empty plane (the classes stay, so does the run until there is data to train on)."""
    d = shown(pg)
    _commit(pg, d.X_train[:0], d.y_train[:0], d.X_test[:0], d.y_test[:0])


def continued(trainer, data, batch_size):
    """A trainer on ``data`` that carries on ``trainer``'s run: the same network object (so
    its weights), optimizer state, counters, random stream and history. Only the epoch's
    visiting order starts afresh (it was an order of the old points)."""
    state = trainer.state()
    state["order"], state["pos"] = None, 0
    config = {**trainer.config(), "batch_size": batch_size}
    new = Trainer(trainer.net, data.X_train, data.y_train, data.X_test, data.y_test, **config)
    new.load_state(state, history=trainer.history)
    # the latest update's gradients stay on view until the next update
    new.last_grads, new.last_grad_norms = trainer.last_grads, trainer.last_grad_norms
    new.last_loss = trainer.last_loss
    return new


def _point(x, y, bound=BOUND):
    try:
        at = (float(x), float(y))
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) and abs(v) <= bound for v in at):
        return None
    return at


def _commit(pg, X_train, y_train, X_test, y_test):
    old = pg.data
    edits = (old.painted.edits if old.painted is not None else 0) + 1
    source = old.source if old.source.endswith("(painted)") else f"{old.source} (painted)"
    data = Data(X_train, y_train, X_test, y_test, old.class_names, source, old.identity,
                old.task)
    if len(X_train) + len(X_test) < MIN_ROWS or not len(X_train):
        # nothing to train on yet: the run keeps its points, training holds (Playground.step)
        old.painted = Painted(edits, sketch=data)
        return
    data.painted = Painted(edits)
    pg.edit_data(data, continued(pg.trainer, data, pg.settings.trainer_batch_size))
