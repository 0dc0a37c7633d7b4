"""Settings and their URL form: round trips, limits, and tampered URLs."""

import pytest

from playground.engine.tasks import CLASSIFICATION
from playground.state.settings import (
    DATASET_DEFAULTS,
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
    assert (s.dataset, s.classes, s.layers, s.widths, s.activation) == ("spiral", 3, 1, (100,),
                                                                         "relu")
    assert s.hidden == [100] and s.trainer_batch_size is None
    assert to_query(s) == {}


def test_round_trip_through_the_url():
    s = DEFAULTS.with_changes(dataset="moons", classes=2, widths=(8, 8, 4), activation="tanh",
                              lr=0.03, lr_auto=False, batch_mode="mini-batch", batch_size=64,
                              optimizer="adam",
                              l2=1e-4, speed=50, seed=9, noise=0.35, test_fraction=0.3)
    parsed, warnings = from_query(to_query(s))
    assert warnings == [] and parsed == s


@pytest.mark.parametrize("params, field, expected, fragment", [
    ({"units": "100000"}, "widths", (LIMITS["units"][1],), "outside"),
    ({"layers": "-3"}, "widths", (), "outside"),
    ({"layers": "1e9"}, "widths", (100,) * LIMITS["layers"][1], "outside"),
    ({"hidden": "8,300,0"}, "widths", (8, 256, 1), "outside"),
    ({"hidden": "8,8,8,8,8,8"}, "widths", (8,) * LIMITS["layers"][1], "first 4"),
    ({"hidden": "8,many"}, "widths", (100,), "not a list of layer widths"),
    ({"hidden": "8,inf"}, "widths", (100,), "not a list of layer widths"),
    ({"hidden": "8.6,4"}, "widths", (9, 4), "rounded"),
    ({"hidden": "16", "units": "8"}, "widths", (16,), "were ignored"),
    ({"lr": "abc"}, "lr", DEFAULTS.lr, "not a number"),
    ({"lr": "nan"}, "lr", DEFAULTS.lr, "not a finite"),
    ({"lr": "0.2"}, "lr", 0.3, "not one of the choices"),
    ({"lr": "1e9"}, "lr", max(LEARNING_RATES), "not one of the choices"),
    ({"data": "mnist"}, "dataset", "spiral", "not one of"),
    ({"act": "<script>"}, "activation", "relu", "not one of"),
    ({"units": "12.7"}, "widths", (13,), "rounded"),
    ({"n": ["100", "200"]}, "samples", 200, "2 times"),
    ({"speed": "9" * 5000}, "speed", DEFAULTS.speed, "too long"),
    ({"evil": "1"}, "dataset", "spiral", "Unknown URL parameter"),
    ({"data": "moons", "k": "5"}, "classes", 2, "allows 2–2 classes"),
    ({"batch": "sgd"}, "batch_mode", "SGD", None),
])
def test_tampered_urls_are_clamped_or_ignored_with_a_warning(params, field, expected, fragment):
    settings, warnings = from_query({**params, "v": "2"})
    assert getattr(settings, field) == expected
    if fragment is None:
        assert warnings == []
    else:
        assert any(fragment in w for w in warnings), warnings


def test_widths_travel_compactly_in_the_link():
    for widths, query in (((8, 8, 4), "8,8,4"), ((), "0"), ((256, 1), "256,1")):
        s = DEFAULTS.with_changes(widths=widths)
        assert to_query(s) == {"hidden": query, "v": "2"}
        assert from_query(to_query(s)) == (clamp(s)[0], [])
    assert from_query({"hidden": "", "v": "2"})[0].widths == ()
    assert from_query({"hidden": " 8 , 4 ", "v": "2"})[0].widths == (8, 4)


@pytest.mark.parametrize("params, widths", [
    ({"layers": "3", "units": "8", "v": "2"}, (8, 8, 8)),      # today's links before widths
    ({"layers": "2", "v": "2"}, (100, 100)),
    ({"units": "20", "v": "2"}, (20,)),
    ({"layers": "3", "units": "8", "opt": "adam"}, (8, 8, 8)),  # before the link had a version
    ({"data": "circles", "act": "tanh", "units": "20"}, (20,)),
])
def test_links_with_layers_and_units_open_the_same_network(params, widths):
    settings, warnings = from_query(params)
    assert warnings == [] and settings.widths == widths and settings.hidden == list(widths)
    again = from_query(to_query(settings))[0]                 # the page rewrites the link
    assert again == settings and "layers" not in to_query(settings)


def test_a_lesson_link_with_units_reshapes_the_lessons_layers():
    from playground.state.lessons import BY_KEY

    lesson = BY_KEY["vanishing"].settings
    settings, warnings = from_query({"units": "8"}, base=lesson)
    assert warnings == [] and settings.widths == (8,) * lesson.layers


def test_clamp_checks_widths_from_anywhere():
    """Widths can come from a run file's JSON: a list, strings, junk."""
    assert clamp(DEFAULTS.with_changes(widths=[8, 4]))[0].widths == (8, 4)
    assert clamp(DEFAULTS.with_changes(widths=["8", 4.0]))[0].widths == (8, 4)
    for junk in ("many", None, 7, [8, "x"], [float("nan")]):
        s, warnings = clamp(DEFAULTS.with_changes(widths=junk))
        assert s.widths == DEFAULTS.widths and "not numbers" in warnings[0]


def test_with_changes_reads_layers_and_units_like_an_old_link():
    assert DEFAULTS.with_changes(layers=3).widths == (100, 100, 100)
    assert DEFAULTS.with_changes(layers=2, units=8).widths == (8, 8)
    assert DEFAULTS.with_changes(widths=(8, 4)).with_changes(units=5).widths == (5, 5)
    assert DEFAULTS.with_changes(layers=0).widths == ()


def test_the_network_key_follows_every_width():
    a = DEFAULTS.with_changes(widths=(8, 8, 4))
    assert a.network_key() != a.with_changes(widths=(8, 8, 5)).network_key()
    assert a.network_key() == a.with_changes(lr=0.1, l2=0.0).network_key()


def test_warnings_never_echo_huge_values():
    _, warnings = from_query({"x" * 10_000: "1", "units": "y" * 10_000,
                              "hidden": "9," * 30})
    assert all(len(w) < 200 for w in warnings)


def test_clamp_keeps_valid_settings():
    s, warnings = clamp(DEFAULTS)
    assert s == DEFAULTS and warnings == []


def test_describe():
    assert DEFAULTS.describe() == "sgd, lr 1, full batch"
    assert DEFAULTS.with_changes(batch_mode="mini-batch").describe() == "sgd, lr 1, mini-batch 32"


def test_the_automatic_learning_rate_follows_the_optimizer_batch_mode_and_depth():
    for (optimizer, mode), rates in CLASSIFICATION.auto_lr.items():
        for layers, want in zip((0, 1, 2, 3, 4), (rates[0], *rates, rates[-1])):
            s, _ = clamp(DEFAULTS.with_changes(optimizer=optimizer, batch_mode=mode,
                                               layers=layers))
            assert s.lr_auto and s.lr == want and want in LEARNING_RATES
    assert DEFAULTS.lr == 1.0 and DEFAULTS.lr_auto      # the classic network's rate
    # an automatic rate stays out of the link (its reader gets the same rule) ...
    adam = clamp(DEFAULTS.with_changes(optimizer="adam"))[0]
    assert to_query(adam) == {"opt": "adam", "v": "2"}
    assert from_query(to_query(adam)) == (adam, [])
    # ... and a chosen one travels, even when it equals the automatic one
    chosen = DEFAULTS.with_changes(lr_auto=False)
    assert to_query(chosen) == {"lr": "1", "v": "2"}
    assert from_query({"lr": "1", "v": "2"})[0] == chosen


def test_datasets_bring_their_own_defaults_and_links_keep_them():
    board, _ = from_query({"data": "checkerboard", "v": "2"})
    assert board.classes == 2 and to_query(board) == {"data": "checkerboard", "v": "2"}
    three = board.with_changes(classes=3)
    assert to_query(three) == {"data": "checkerboard", "k": "3", "v": "2"}
    assert from_query(to_query(three))[0] == three
    circles, _ = from_query({"data": "circles", "v": "2"})
    assert circles.noise == DATASET_DEFAULTS["circles"]["noise"] < DEFAULTS.noise
    assert from_query({"data": "circles", "noise": "0.3", "v": "2"})[0].noise == 0.3


def test_a_link_written_before_the_version_opens_what_it_did():
    """Links from before version 2 have no 'v' and left the old defaults out: 20 updates
    per frame, learning rate 1, the general classes and noise."""
    old, warnings = from_query({"opt": "adam", "data": "checkerboard"})
    assert warnings == []
    assert (old.speed, old.lr, old.lr_auto, old.classes, old.noise) == (20, 1.0, False, 3, 0.2)
    new = to_query(old)                           # the page rewrites it in today's form
    assert new["v"] == "2" and from_query(new)[0] == old
    assert from_query({})[0] == DEFAULTS          # a bare link is today's default page
    assert "version" in from_query({"v": "9", "n": "100"})[1][0]


def test_features_and_l1_round_trip_through_the_url():
    s = clamp(DEFAULTS.with_changes(features=("x1", "x2", "x1sq"), l1=1e-4, widths=(8, 4)))[0]
    assert to_query(s) == {"features": "x1,x2,x1sq", "hidden": "8,4", "l1": "0.0001", "v": "2"}
    assert from_query(to_query(s)) == (s, [])
    lone = DEFAULTS.with_changes(features=("sinx2",))
    assert from_query(to_query(lone)) == (lone, [])
    # the raw inputs and no L1 are the defaults: today's links stay as they were
    assert "features" not in to_query(DEFAULTS) and "l1" not in to_query(DEFAULTS)
    # any case, any order, spaces: the features' own order
    parsed = from_query({"features": "X1SQ, x1", "v": "2"})[0]
    assert parsed.features == ("x1", "x1sq")


@pytest.mark.parametrize("params, field, expected, fragment", [
    ({"features": "x1,x3"}, "features", ("x1",), "'x3' is not an input feature"),
    ({"features": "x1,x1,x2"}, "features", ("x1", "x2"), None),
    ({"features": "nothing"}, "features", ("x1", "x2"), "names no input feature"),
    ({"features": ","}, "features", ("x1", "x2"), "names no input feature"),
    ({"features": "<script>,x2"}, "features", ("x2",), "not an input feature"),
    ({"l1": "0.002"}, "l1", 1e-3, "L1 0.002 is not one of the choices"),
    ({"l1": "-1"}, "l1", 0.0, "not one of the choices"),
    ({"l1": "abc"}, "l1", 0.0, "not a number"),
])
def test_tampered_features_and_l1_are_fixed_with_a_warning(params, field, expected, fragment):
    settings, warnings = from_query({**params, "v": "2"})
    assert getattr(settings, field) == expected
    if fragment is None:
        assert warnings == []
    else:
        assert any(fragment in w for w in warnings), warnings


def test_clamp_checks_features_from_anywhere():
    """Features can come from a run file's JSON: a list, a string, junk, nothing."""
    assert clamp(DEFAULTS.with_changes(features=["x2sq", "x1"]))[0].features == ("x1", "x2sq")
    for junk in ("x1", None, 7, [], ["nope"]):
        s, warnings = clamp(DEFAULTS.with_changes(features=junk))
        assert s.features == ("x1", "x2") and "no known feature" in warnings[0]
    s, warnings = clamp(DEFAULTS.with_changes(features=["x1", "bad"]))
    assert s.features == ("x1",) and "'bad'" in warnings[0]


def test_features_are_part_of_the_network_l1_is_not():
    s = DEFAULTS.with_changes(features=("x1sq", "x2sq"))
    assert s.network_key() != DEFAULTS.network_key()
    assert DEFAULTS.with_changes(l1=0.01).network_key() == DEFAULTS.network_key()
    assert DEFAULTS.model_features is None and s.model_features == ("x1sq", "x2sq")


def test_pinned_runs_are_told_apart_by_widths_features_and_l1():
    from playground.state.labels import describe_differences

    labels = describe_differences([DEFAULTS, DEFAULTS.with_changes(widths=(8, 4)),
                                   DEFAULTS.with_changes(widths=())])
    assert labels == ["hidden 100 relu", "hidden 8-4 relu", "hidden none relu"]
    labels = describe_differences([DEFAULTS, DEFAULTS.with_changes(features=("x1sq", "x2sq"),
                                                                   l1=1e-3)])
    assert labels == ["inputs x₁, x₂, L1 0", "inputs x₁², x₂², L1 0.001"]


# -- the link property: a link gives back exactly the settings it was written from -------------
from hypothesis import given  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402

from playground.engine.activations import ACTIVATIONS  # noqa: E402
from playground.engine.datasets import DATASETS, REGRESSION_DATASETS  # noqa: E402
from playground.engine.features import FEATURES  # noqa: E402
from playground.engine.model import INITS  # noqa: E402
from playground.state import lessons  # noqa: E402
from playground.state.settings import (  # noqa: E402
    BATCH_MODES,
    L1_CHOICES,
    L2_CHOICES,
    follow,
)


@hst.composite
def any_settings(draw):
    """Valid settings anywhere in their domain (clamped, as the page keeps them)."""
    task = draw(hst.sampled_from(["classification", "regression"]))
    data = DATASETS if task == "classification" else REGRESSION_DATASETS
    raw = Settings(
        task=task, dataset=draw(hst.sampled_from(data)),
        samples=draw(hst.integers(*LIMITS["samples"])),
        noise=draw(hst.sampled_from([0.0, 0.05, 0.1, 0.15000000000000002, 0.2, 0.35, 0.5])),
        classes=draw(hst.integers(2, 6)),
        test_fraction=draw(hst.sampled_from([0.0, 0.1, 0.2, 0.30000000000000004, 0.5])),
        data_seed=draw(hst.integers(*LIMITS["data_seed"])),
        features=tuple(f for f in FEATURES if draw(hst.booleans())) or ("x1",),
        widths=tuple(draw(hst.lists(hst.integers(1, 32), max_size=4))),
        activation=draw(hst.sampled_from(tuple(ACTIVATIONS))), init=draw(hst.sampled_from(INITS)),
        lr=draw(hst.sampled_from(LEARNING_RATES)), lr_auto=draw(hst.booleans()),
        batch_mode=draw(hst.sampled_from(BATCH_MODES)),
        batch_size=draw(hst.integers(*LIMITS["batch_size"])),
        optimizer=draw(hst.sampled_from(["sgd", "momentum", "adam"])),
        l2=draw(hst.sampled_from(L2_CHOICES)), l1=draw(hst.sampled_from(L1_CHOICES)),
        speed=draw(hst.integers(*LIMITS["speed"])), seed=draw(hst.integers(*LIMITS["seed"])))
    return clamp(raw)[0]


@hsettings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(any_settings(), hst.sampled_from([None, *lessons.LESSONS]))
def test_a_link_reads_back_as_the_settings_it_was_written_from(s, lesson):
    base = lesson.settings if lesson else None
    query = to_query(s, base=base)
    back, warnings = from_query(query, base=base)
    assert back == s, (query, back)
    assert warnings == []


def test_a_lesson_link_keeps_a_dataset_switch():
    # the circle-features lesson (noise 0.1), then checkerboard: noise 0.2, in the link too
    base = lessons.BY_KEY["circle_features"].settings
    s = follow(base, {"dataset": "checkerboard"})
    assert s.noise == 0.2
    assert from_query(to_query(s, base=base), base=base)[0] == s


def test_auto_is_written_where_the_reader_would_take_a_fixed_rate():
    base = lessons.BY_KEY["dead_relu"].settings                     # lr 10, fixed
    s = follow(base, {"lr_auto": True})
    assert s.lr_auto and s.lr == 1.0
    assert to_query(s, base=base)["lr"] == "auto"
    assert "lr" not in to_query(follow(DEFAULTS, {"lr_auto": True}))


def test_a_moved_learning_rate_takes_over_from_auto_and_auto_takes_it_back():
    manual = follow(DEFAULTS, {"lr": 0.3})
    assert (manual.lr, manual.lr_auto) == (0.3, False)
    again = follow(manual, {"lr_auto": True})
    assert (again.lr, again.lr_auto) == (1.0, True)
    # a new optimizer under Auto: the rule's rate for it, the slider still at the old one
    adam = follow(DEFAULTS, {"optimizer": "adam", "lr": 1.0})
    assert (adam.lr, adam.lr_auto) == (CLASSIFICATION.auto_lr[("adam", "full batch")][0], True)
    # Auto switched on while the slider shows another rate: the rule wins
    both = follow(manual, {"lr_auto": True, "lr": 3.0})
    assert (both.lr, both.lr_auto) == (1.0, True)


def test_batch_mode_and_batch_size_map_both_ways():
    from playground.state.settings import BATCH_MODES, batch_mode_of

    for mode in BATCH_MODES:
        s = DEFAULTS.with_changes(batch_mode=mode, batch_size=16)
        assert batch_mode_of(s.trainer_batch_size) == mode
    assert [batch_mode_of(b) for b in (None, 1, 2, 300)] == ["full batch", "SGD", "mini-batch",
                                                             "mini-batch"]
