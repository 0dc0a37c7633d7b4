"""The stall guard (state.guards) reads the run as it is, whatever way it was stepped: the
symptom from a forward pass now, the trend from the per-update loss; its words follow the
activation and its advice never names what the run already uses."""

from __future__ import annotations

import re

import pytest

from playground.state.guards import DEAD_SHARE, WINDOW, stall, still_falling
from playground.state.playground import Playground
from playground.state.settings import DEFAULTS

SGD_AT_1 = DEFAULTS.with_changes(batch_mode="SGD", lr=1.0, lr_auto=False)


def _checked(pg, n, per):
    """Step ``n`` times ``per`` updates, checking after each as the page does (a stall found
    holds while its symptom lasts); returns the updates at which a stall was seen."""
    seen, held = [], None
    for _ in range(n):
        pg.step(per)
        held = stall(pg, held=held is not None)
        if held is not None:
            seen.append(pg.trainer.updates)
    return seen


def test_step_epoch_gets_the_banner_of_a_run_whose_units_all_died():
    pg = Playground(SGD_AT_1)
    seen = _checked(pg, 6, pg.trainer.updates_per_epoch)
    assert pg.trainer.updates == 6 * 240 and pg.unit_health()[0] >= DEAD_SHARE
    assert pg.trainer.updates in seen
    found = stall(pg)
    assert "dead" in found.what and "pass no gradient back" in found.what


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_single_steps_get_the_banner_within_a_window_of_the_symptom(seed):
    pg = Playground(SGD_AT_1.with_changes(seed=seed))
    dead, first = [], None
    held = None
    for _ in range(1440):
        pg.step(1)
        dead.append(pg.unit_health()[0] >= DEAD_SHARE)
        held = stall(pg, held=held is not None)
        if held is not None and first is None:
            first = pg.trainer.updates
    since = next(i + 1 for i in range(len(dead)) if all(dead[i:]))   # dead from then on
    assert first is not None and first <= since + WINDOW, (since, first)


def test_a_loss_that_is_still_falling_is_not_a_stall():
    # mini-batch at a large rate: its loss falls (noisily) and the accuracy climbs past 80 %
    pg = Playground(DEFAULTS.with_changes(batch_mode="mini-batch", lr=3.0, lr_auto=False))
    assert _checked(pg, 30, 10) == []
    assert pg.trainer.record_metrics()["train_acc"] > 0.8


def test_a_flat_loss_is_not_falling_and_a_steep_one_is():
    pg = Playground(DEFAULTS.with_changes(init="zeros"))     # the loss stays at ln 3
    pg.step(150)
    assert not still_falling(pg.trainer)
    pg = Playground(DEFAULTS)                                # the spiral learning
    pg.step(150)
    assert still_falling(pg.trainer)


STALLED = {
    "relu": DEFAULTS.with_changes(lr=10.0, lr_auto=False),
    "leaky_relu": DEFAULTS.with_changes(activation="leaky_relu", lr=10.0, lr_auto=False),
    "sigmoid": DEFAULTS.with_changes(dataset="circles", classes=2, widths=(16,) * 4,
                                     activation="sigmoid", init="xavier", lr=0.3,
                                     lr_auto=False),
    "zeros": DEFAULTS.with_changes(init="zeros"),
    "adam sgd": SGD_AT_1.with_changes(optimizer="adam", lr=0.3),
}


def _stalled(settings, updates=600):
    pg = Playground(settings)
    _checked(pg, updates // 10, 10)
    found = stall(pg, held=True)
    assert found is not None, settings
    return pg, found


def test_the_words_follow_the_activation():
    _, relu = _stalled(STALLED["relu"])
    assert "dead" in relu.what and "pass no gradient back" in relu.what
    assert "leaky ReLU" in relu.cause
    _, leaky = _stalled(STALLED["leaky_relu"])
    assert "0.01 of the gradient" in leaky.what and "no gradient" not in leaky.what
    assert "dead" not in leaky.what and "leaky" not in leaky.cause.lower()


@pytest.mark.parametrize("name", list(STALLED))
def test_the_advice_never_names_what_the_run_already_uses(name):
    pg, found = _stalled(STALLED[name])
    s = pg.settings
    advice = found.cause.split("Try", 1)[-1] if "Try" in found.cause else found.cause
    advice = advice.split("Choose", 1)[-1]
    names = {"relu": r"\brelu\b|\bReLU\b(?! units)", "leaky_relu": "leaky", "sigmoid": "sigmoid",
             "tanh": r"\btanh\b"}
    if s.activation in names and s.activation != "relu":
        assert not re.search(names[s.activation], advice, re.I), advice
    if s.activation == "relu":
        assert not re.search(r"\btry relu\b|\brelu with\b", found.cause, re.I), found.cause
    if s.optimizer == "adam":
        assert "Adam" not in advice, advice
    suggested = re.findall(r"learning rate of ([0-9.e-]+)|Try ([0-9.e-]+)", found.cause)
    for a, b in suggested:
        assert float(a or b) < s.lr, found.cause
    init_name = {"xavier": "Xavier", "he": "He ", "zeros": "zero init"}[s.init]
    if s.init != "zeros":
        assert init_name not in advice, advice
