"""Links reproduce the page: after any sequence of actions, the page's URL opened in a fresh
session gives exactly the settings the page trains with, and the controls, the model and
the "Automatic:" line agree with them.

A property over random action sequences (seeded, so every run checks the same ones)."""

from __future__ import annotations

import random

import pytest
from apptest import button, click, new_session, page, widget

from playground.engine.activations import ACTIVATIONS
from playground.state import lessons
from playground.state.settings import LEARNING_RATES

SEQUENCES = 16
ACTIONS = 10

CONTROLS = [
    ("radio", "w_task", ["classification", "regression"]),
    ("selectbox", "w_dataset", None),                        # the task's own datasets
    ("slider", "w_noise", [0.0, 0.05, 0.1, 0.15, 0.3, 0.5]),
    ("slider", "w_classes", [2, 3, 4, 5]),
    ("slider", "w_samples", [50, 200, 300]),
    ("slider", "w_test_fraction", [0.0, 0.1, 0.25]),
    ("pills", "w_features", [["x1", "x2"], ["x1sq", "x2sq"], ["x1", "x2", "sinx1"], []]),
    ("slider", "w_layers", [0, 1, 2, 3]),
    ("slider", "w_width_1", [2, 8, 16]),
    ("slider", "w_width_2", [3, 8]),
    ("selectbox", "w_activation", [a for a in ACTIVATIONS if a != "linear"]),
    ("select_slider", "w_lr", list(LEARNING_RATES)),
    ("toggle", "w_lr_auto", [True, False]),
    ("radio", "w_batch_mode", ["full batch", "mini-batch", "SGD"]),
    ("slider", "w_batch_size", [8, 64]),
    ("selectbox", "w_optimizer", ["sgd", "momentum", "adam"]),
    ("select_slider", "w_l2", [0.0, 1e-4, 1e-2]),
    ("number_input", "w_data_seed", [0, 5]),
]


def _act(at, rng, log):
    kind = rng.choice(["control"] * 6 + ["lesson", "button", "close"])
    if kind == "lesson":
        lesson = rng.choice(lessons.LESSONS)
        log.append(f"lesson {lesson.key}")
        click(at, lesson.title)
        return
    if kind == "button":
        label = rng.choice(["Reset", "Step", "New data"])
        log.append(label)
        click(at, label)
        return
    if kind == "close":
        if button(at, "Close lesson") is not None:
            log.append("close lesson")
            click(at, "Close lesson")
        return
    wkind, key, values = rng.choice(CONTROLS)
    w = widget(at, wkind, key)
    if w is None or getattr(w, "disabled", False):
        return
    if key == "w_dataset":
        values = [o for o in w.options if o != "upload CSV"]
    if wkind == "slider":
        values = [v for v in values if w.min <= v <= w.max]
    value = rng.choice(values)
    log.append(f"{key}={value}")
    if wkind == "selectbox":
        w.select(value).run()
    else:
        w.set_value(value).run()
    assert not at.exception, (log, at.exception)


def _query(at):
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in
            ((k, at.query_params[k]) for k in at.query_params)}


def _agree(at, log):
    """The controls, the model and the Automatic: line agree with the applied settings."""
    pg = page(at).pg
    s, tr = pg.settings, pg.trainer
    assert at.select_slider(key="w_lr").value == s.lr == tr.lr, log
    assert at.toggle(key="w_lr_auto").value == s.lr_auto, log
    automatic = [c.value for c in at.caption if c.value.startswith("Automatic:")]
    assert (automatic == [f"Automatic: {s.lr:g}" + automatic[0][len(f"Automatic: {s.lr:g}"):]]
            if s.lr_auto else automatic == []), (log, automatic)
    assert at.selectbox(key="w_optimizer").value == s.optimizer == tr.optimizer, log
    assert tuple(at.pills(key="w_features").value) == s.features, log
    assert at.slider(key="w_layers").value == s.layers, log


@pytest.mark.parametrize("seed", range(SEQUENCES))
def test_the_url_opens_the_settings_the_page_trains_with(seed):
    rng = random.Random(seed)
    at = new_session()
    log = []
    for _ in range(ACTIONS):
        _act(at, rng, log)
        _agree(at, log)
    query = _query(at)
    fresh = new_session(query)
    assert not fresh.exception
    assert page(fresh).pg.settings == page(at).pg.settings, (log, query)
    assert not fresh.warning, (log, query, [w.value for w in fresh.warning])
    _agree(fresh, log)
    if page(at).lesson:                                      # the lesson travels too
        assert page(fresh).lesson == page(at).lesson, (log, query)
