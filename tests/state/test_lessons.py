"""The race and landscape lessons say what a student will see: checked on their settings."""

import numpy as np

from playground.engine.landscape import flatten, landscape
from playground.state.lessons import BY_KEY
from playground.state.playground import Playground
from playground.state.race import Race
from playground.state.settings import clamp


def test_the_lessons_settings_are_valid_as_given():
    for key in ("race", "lr_bounce"):
        settings = BY_KEY[key].settings
        assert clamp(settings) == (settings, []), key


def test_race_lesson_sgd_wins_per_epoch_full_batch_per_update():
    pg = Playground(BY_KEY["race"].settings)
    race = Race(pg.settings, pg.data)
    while not race.finished:
        race.step_budget(1.0, updates=50)
    full, _, sgd = race.runners
    assert race.leader("epoch") is sgd and race.leader("samples") is sgd
    assert race.leader("step") is full
    assert sgd.arrival.epochs < 10 < 50 < full.arrival.epochs     # "a few" and "about 100"
    assert race.leader("seconds").arrival.seconds > 0


def zigzag(lr, updates=50):
    """(share of updates whose batch loss rose, share of steps reversing direction along
    PC 1 and PC 2 of the path after the first 10) on the lesson's settings with ``lr``."""
    pg = Playground(BY_KEY["lr_bounce"].settings.with_changes(lr=lr))
    for _ in range(updates):
        pg.step(1)                                     # one snapshot per update, like Step
    tr = pg.trainer
    assert not tr.diverged
    path = [flatten(tr.net, p) for p in pg.snapshots.params]
    land = landscape(tr.net, pg.data.X_train, pg.data.y_train, l2=tr.l2, kind="pca",
                     trajectory=path, n=11)
    rises = float(np.mean(np.diff(tr.history.loss.column("loss")) > 0))
    flips = []
    for coord in (land.path_a[10:], land.path_b[10:]):
        d = np.diff(coord)
        flips.append(float(np.mean(np.sign(d[1:]) != np.sign(d[:-1]))))
    return rises, flips


def test_lr_bounce_lesson_the_path_zig_zags_at_3_and_runs_smoothly_at_0_3():
    rises, flips = zigzag(3.0)
    assert rises > 0.35 and min(flips) > 0.9, (rises, flips)
    rises, flips = zigzag(0.3)
    assert rises < 0.05 and max(flips) < 0.2, (rises, flips)
