"""Settings and their URL form: round trips, limits, and tampered URLs."""

import pytest

from playground.settings import (
    DEFAULTS,
    LEARNING_RATES,
    LIMITS,
    Settings,
    clamp,
    from_query,
    to_query,
)


def test_defaults_are_the_seed_network_on_the_spiral():
    s = Settings()
    assert (s.dataset, s.classes, s.layers, s.units, s.activation) == ("spiral", 3, 1, 100,
                                                                        "relu")
    assert s.hidden == [100] and s.trainer_batch_size is None
    assert to_query(s) == {}


def test_round_trip_through_the_url():
    s = DEFAULTS.with_changes(dataset="moons", classes=2, layers=3, units=8, activation="tanh",
                              lr=0.03, batch_mode="mini-batch", batch_size=64, optimizer="adam",
                              l2=1e-4, speed=50, seed=9, noise=0.35, test_fraction=0.3)
    parsed, warnings = from_query(to_query(s))
    assert warnings == [] and parsed == s


@pytest.mark.parametrize("params, field, expected, fragment", [
    ({"units": "100000"}, "units", LIMITS["units"][1], "outside"),
    ({"layers": "-3"}, "layers", LIMITS["layers"][0], "outside"),
    ({"lr": "abc"}, "lr", DEFAULTS.lr, "not a number"),
    ({"lr": "nan"}, "lr", DEFAULTS.lr, "not a finite"),
    ({"lr": "0.2"}, "lr", 0.3, "not one of the choices"),
    ({"lr": "1e9"}, "lr", max(LEARNING_RATES), "not one of the choices"),
    ({"data": "mnist"}, "dataset", "spiral", "not one of"),
    ({"act": "<script>"}, "activation", "relu", "not one of"),
    ({"units": "12.7"}, "units", 13, "rounded"),
    ({"n": ["100", "200"]}, "samples", 200, "2 times"),
    ({"speed": "9" * 5000}, "speed", DEFAULTS.speed, "too long"),
    ({"evil": "1"}, "dataset", "spiral", "Unknown URL parameter"),
    ({"data": "moons", "k": "5"}, "classes", 2, "allows 2–2 classes"),
    ({"batch": "sgd"}, "batch_mode", "SGD", None),
])
def test_tampered_urls_are_clamped_or_ignored_with_a_warning(params, field, expected, fragment):
    settings, warnings = from_query(params)
    assert getattr(settings, field) == expected
    if fragment is None:
        assert warnings == []
    else:
        assert any(fragment in w for w in warnings), warnings


def test_warnings_never_echo_huge_values():
    _, warnings = from_query({"x" * 10_000: "1", "units": "y" * 10_000})
    assert all(len(w) < 200 for w in warnings)


def test_clamp_keeps_valid_settings():
    s, warnings = clamp(DEFAULTS)
    assert s == DEFAULTS and warnings == []


def test_describe():
    assert DEFAULTS.describe() == "sgd, lr 1, full batch"
    assert DEFAULTS.with_changes(batch_mode="mini-batch").describe() == "sgd, lr 1, mini-batch 32"
