"""The Race and Landscape views, driven by AppTest: a race advances while the page plays and
names who arrived first; the landscape's contour is centred on the trainer's loss."""

import base64

import numpy as np
import pytest
from apptest import chart_figures, click, new_session, page, view, view_memory

from playground.app.landscape_view import LANDSCAPE_EVERY
from playground.app.race_view import RaceMemory
from playground.state.race import RunnerPlan


def race_curves(at):
    return next(f for f in chart_figures(at)
                if f["layout"].get("yaxis", {}).get("title", {}).get("text") == "Train loss")


def race_maps(at):
    return next(f for f in chart_figures(at) if len(f["layout"].get("images", ())) >= 2)


def contour(at):
    return next(f for f in chart_figures(at) if f["data"] and f["data"][0]["type"] == "contour")


def bold_lines(at):
    return [m.value for m in at.markdown if m.value.startswith("**")]


def decode(array):
    """A figure array as sent (a list, or plotly's base64 typed array)."""
    if isinstance(array, dict):
        raw = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        if "shape" in array:                 # "41, 41" or [41, 41]
            shape = array["shape"]
            shape = [int(v) for v in (shape.split(",") if isinstance(shape, str) else shape)]
            raw = raw.reshape(shape)
        return raw
    return np.asarray(array)


@pytest.fixture
def at():
    return new_session()


def test_the_race_advances_while_playing_and_names_the_first_to_arrive(at):
    view(at, "Race")
    race = view_memory(at, RaceMemory).race
    assert [r.plan.mode for r in race.runners] == ["full batch", "mini-batch 32", "SGD"]
    assert race.updates == 0
    assert any("No runner has reached 95 % training accuracy" in t for t in bold_lines(at))
    assert len(race_maps(at)["layout"]["images"]) == 3
    at.toggle(key="playing").set_value(True).run()
    assert not at.exception, at.exception
    # a frame: the race's speed in updates per runner (10), all runners in lock step
    assert view_memory(at, RaceMemory).race is race and race.updates == 10
    assert {r.trainer.updates for r in race.runners} == {10}
    at.segmented_control(key="w_race_speed").set_value(3).run()
    assert race.updates == 13
    at.segmented_control(key="w_race_speed").set_value(1000).run()
    for _ in range(60):
        if any(r.arrival for r in race.runners):
            break
        at.run()
    assert any(r.arrival for r in race.runners)
    leader = race.leader("seconds")
    assert any(t.startswith(f"**{leader.plan.mode} reached 95 % first (per second of "
                            f"training)") for t in bold_lines(at))
    names = [t["name"] for t in race_curves(at)["data"] if t.get("showlegend", True)]
    assert names == [r.label for r in race.runners]
    at.toggle(key="playing").set_value(False).run()
    stopped = race.updates
    at.run()
    assert race.updates == stopped                          # paused: the race waits


def test_the_clock_switch_redraws_the_curves_and_the_result_line(at):
    view(at, "Race")
    race = view_memory(at, RaceMemory).race
    for _ in range(200):
        race.step_budget(0.02)
        if race.finished:
            break
    at.segmented_control(key="w_race_x").set_value("epoch").run()
    assert race_curves(at)["layout"]["xaxis"]["title"]["text"] == "Epoch"
    leader = race.leader("epoch")
    assert any(t.startswith(f"**{leader.plan.mode} reached 95 % first (per epoch)")
               for t in bold_lines(at))
    # per epoch SGD (240 updates an epoch) beats full batch (one)
    assert leader.plan.mode != "full batch"


def test_runners_are_edited_while_paused_and_apply_on_restart(at):
    view(at, "Race")
    first = view_memory(at, RaceMemory).race
    at.selectbox(key="w_race_mode_3").select("mini-batch 8").run()
    at.selectbox(key="w_race_lr_0").select(0.3).run()
    assert view_memory(at, RaceMemory).race is first     # nothing changes before restart
    click(at, "Restart race")
    race = view_memory(at, RaceMemory).race
    assert race is not first
    assert race.plan == (RunnerPlan("full batch", 0.3), RunnerPlan("mini-batch 32"),
                         RunnerPlan("SGD"), RunnerPlan("mini-batch 8"))
    assert [r.lr for r in race.runners] == [0.3, 0.3, 0.1, 0.3]
    assert len(race_maps(at)["layout"]["images"]) == 4
    # the runners' widgets are not drawn while playing; paused again, they are as set
    at.toggle(key="playing").set_value(True).run()
    at.toggle(key="playing").set_value(False).run()
    at.run()
    assert at.selectbox(key="w_race_mode_3").value == "mini-batch 8"
    assert at.selectbox(key="w_race_lr_0").value == 0.3


def test_a_race_after_the_network_changed_says_so(at):
    view(at, "Race")
    at.slider(key="w_width_1").set_value(20).run()
    assert any("changed since this race started" in c.value for c in at.caption)
    click(at, "Restart race")
    assert view_memory(at, RaceMemory).race.runners[0].trainer.net.layer_sizes == [2, 20, 3]
    assert not any("changed since this race started" in c.value for c in at.caption)


def test_the_landscape_is_centred_on_the_trainers_loss(at):
    for _ in range(3):
        click(at, "Step")
    view(at, "Landscape")
    fig = contour(at)
    losses = decode(fig["data"][0]["customdata"])
    n = losses.shape[0]
    assert losses.shape == (n, n) and n % 2 == 1
    tr = page(at).pg.trainer
    assert losses[n // 2, n // 2] == pytest.approx(tr.metrics["train_loss"], rel=1e-5)
    path, current = fig["data"][1], fig["data"][2]
    assert decode(current["x"])[0] == pytest.approx(0, abs=1e-6)
    assert len(decode(path["x"])) == len(page(at).pg.snapshots.params) + 1
    assert any("cannot show" in c.value for c in at.caption)


def test_pca_directions_need_a_path_then_show_it(at):
    view(at, "Landscape")
    at.segmented_control(key="w_land_dir").set_value("pca").run()
    assert any("PCA needs a path" in c.value for c in at.caption)
    assert contour(at)["layout"]["xaxis"]["title"]["text"] == "random 1"
    for _ in range(4):
        click(at, "Step")
    assert not any("PCA needs a path" in c.value for c in at.caption)
    fig = contour(at)
    assert fig["layout"]["xaxis"]["title"]["text"] == "PC 1"
    a = decode(fig["data"][1]["x"])
    assert np.abs(a).max() <= fig["layout"]["xaxis"]["range"][1]      # the path fits


def test_the_landscape_refreshes_every_few_frames_while_playing(at):
    view(at, "Landscape")
    assert page(at).cache["landscape"].update == 0
    at.toggle(key="playing").set_value(True).run()
    for _ in range(LANDSCAPE_EVERY + 1):
        at.run()
    assert not at.exception, at.exception
    assert 0 < page(at).cache["landscape"].update <= page(at).pg.trainer.updates
    at.toggle(key="playing").set_value(False).run()
    at.run()                                        # paused: the slice is the current one
    assert page(at).cache["landscape"].update == page(at).pg.trainer.updates
