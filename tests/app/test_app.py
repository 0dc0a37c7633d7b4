"""The Streamlit page, driven by AppTest (a script run per interaction; the browser's side of
the live loop, the decision map's pacing ticks, is JavaScript and runs in tests/e2e)."""

import json

import pytest
from apptest import (
    UPLOADS,
    chart_data,
    chart_figures,
    metric,
    new_session,
    page,
    view,
)

from playground.state.settings import DEFAULTS

SPEED = DEFAULTS.speed          # updates per live frame


@pytest.fixture
def at():
    return new_session()


def test_renders_the_default_page_without_exceptions(at):
    assert not at.exception
    assert metric(at, "Update") == "0" and metric(at, "Epoch") == "0"
    assert at.toggle(key="playing").label == "Play"
    labels = [b.label for b in at.button]
    assert {"Step", "Step epoch", "Reset"} <= set(labels)
    figs = chart_figures(at)
    regions = figs[0]                  # the decision regions: an image, and while paused
    assert regions["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    (heat,) = [t for t in regions["data"] if t["type"] == "heatmap"]   # the hover's heatmap
    assert heat["opacity"] == 0 and "customdata" in heat
    assert at.selectbox(key="w_dataset").value == "spiral"


def test_step_advances_by_exactly_one_and_reset_returns_to_zero(at):
    step = next(b for b in at.button if b.label == "Step")
    step.click().run()
    assert metric(at, "Update") == "1"
    next(b for b in at.button if b.label == "Step").click().run()
    assert metric(at, "Update") == "2"
    next(b for b in at.button if b.label == "Reset").click().run()
    assert metric(at, "Update") == "0"


def test_step_epoch_advances_one_epoch(at):
    at.radio(key="w_batch_mode").set_value("mini-batch").run()
    next(b for b in at.button if b.label == "Step epoch").click().run()
    assert metric(at, "Epoch") == "1"
    assert metric(at, "Update") == "8"                     # 240 points / 32 per batch


def test_learning_rate_change_keeps_the_counter_architecture_change_resets(at):
    next(b for b in at.button if b.label == "Step").click().run()
    at.select_slider(key="w_lr").set_value(0.1).run()
    assert metric(at, "Update") == "1"
    assert page(at).pg.trainer.lr == 0.1
    at.slider(key="w_width_1").set_value(20).run()
    assert metric(at, "Update") == "0"
    assert page(at).pg.trainer.net.layer_sizes == [2, 20, 3]


def test_switching_dataset_redraws_the_decision_map(at):
    before = chart_figures(at)[0]
    at.selectbox(key="w_dataset").select("moons").run()
    after = chart_figures(at)[0]
    assert not at.exception
    n_classes = len({t["name"] for t in after["data"]
                     if t["type"] == "scatter" and "(test)" not in t["name"]})
    assert n_classes == 2
    assert before["layout"]["images"][0]["source"] != after["layout"]["images"][0]["source"]
    assert at.query_params.get("data") == ["moons"] or at.query_params.get("data") == "moons"


def test_malformed_upload_shows_the_error_and_keeps_the_data(at):
    next(b for b in at.button if b.label == "Step").click().run()
    at.selectbox(key="w_dataset").select("upload CSV").run()
    bad = (UPLOADS / "ragged_rows.csv").read_bytes()
    at.file_uploader(key="w_upload").set_value(("ragged.csv", bad, "text/csv")).run()
    assert not at.exception
    assert any("Line 4" in e.value for e in at.error)
    assert page(at).pg.data.source == "spiral"
    assert metric(at, "Update") == "1"


def test_valid_upload_trains_on_the_file(at):
    at.selectbox(key="w_dataset").select("upload CSV").run()
    good = (UPLOADS / "string_labels.csv").read_bytes()
    at.file_uploader(key="w_upload").set_value(("animals.csv", good, "text/csv")).run()
    assert not at.exception and not at.error
    assert page(at).pg.data.class_names == ("bird", "cat", "dog")
    preview = json.loads(at.get("plotly_chart")[0].proto.spec)      # the sidebar preview
    assert [t["name"] for t in preview["data"]] == ["bird", "cat", "dog"]
    assert any("9 points, 3 classes" in c.value for c in at.caption)



def test_the_decision_map_paces_the_live_loop_only_while_playing(at):
    assert "pace" not in chart_data(at)                        # paused: nothing reruns it
    at.toggle(key="playing").set_value(True).run()
    pace = chart_data(at)["pace"]
    assert pace["ms"] == 80 and pace["answered"] == 0 and pace["patience"] > pace["ms"]
    charts = len(chart_figures(at))
    assert charts >= 3 and all("pace" not in chart_data(at, i) for i in range(1, charts))
    for frame in (2, 3):                            # each rerun while playing is a frame
        at.run()
        assert metric(at, "Update") == str(SPEED * frame)
    at.toggle(key="playing").set_value(False).run()
    assert "pace" not in chart_data(at) and metric(at, "Update") == str(3 * SPEED)


def test_the_run_that_pauses_is_drawn_lean_and_the_next_run_in_full(at):
    def hover_layer():
        return any(t["type"] == "heatmap" for t in chart_figures(at)[0]["data"])

    def views_at():           # the update the weights and gradient-norm charts were built at
        return [chart_data(at, i)["frame"] for i in (-2, -1)]

    view(at, "Gradients")                 # its weights and gradient-norm charts
    # the next two frames (Play, Pause) must not be view-rebuild frames (VIEW_EVERY = 4)
    while {(page(at).live.frame + 1) % 4, (page(at).live.frame + 2) % 4} & {0}:
        at.run()
    assert hover_layer() and "settle" not in chart_data(at)
    at.toggle(key="playing").set_value(True).run()
    assert not hover_layer() and views_at() == [0, 0]
    at.toggle(key="playing").set_value(False).run()
    # the pause, drawn like a live frame: no hover layer, the views as they were, and a
    # request for one more run (which the map's chart sends the server once it has it)
    assert metric(at, "Update") == str(SPEED) and not hover_layer() and views_at() == [0, 0]
    settle = chart_data(at)["settle"]
    assert isinstance(settle, int) and "pace" not in chart_data(at)
    at.run()                                     # that run: everything in full, no training
    assert metric(at, "Update") == str(SPEED) and hover_layer() and views_at() == [SPEED, SPEED]
    assert "settle" not in chart_data(at)
    at.run()
    assert "settle" not in chart_data(at) and metric(at, "Update") == str(SPEED)


def test_the_pacing_answer_is_the_browsers_tick_or_none():
    from playground.app.chart import pace_data
    assert pace_data(0.08, 41)["answered"] == 41
    for tampered in (None, -3, "7", 2.5, True, [1], {"x": 1}):
        assert pace_data(0.08, tampered)["answered"] == 0


def test_divergence_warns_and_pauses():
    at = new_session(run=False)
    at.query_params["lr"] = "10"
    at.query_params["speed"] = "20"
    at.query_params["batch"] = "SGD"
    at.run()
    at.toggle(key="playing").set_value(True).run()      # the fragment trains one frame inline
    for _ in range(5):
        if page(at).pg.trainer.diverged:
            break
        at.run()
    assert page(at).pg.trainer.diverged
    at.run()
    assert any("diverged" in w.value for w in at.warning)
    assert at.session_state.playing is False


def test_query_params_set_the_controls_and_bad_ones_warn():
    at = new_session(run=False)
    at.query_params["data"] = "circles"
    at.query_params["units"] = "999999"
    at.query_params["act"] = "tanh"
    at.query_params["bogus"] = "1"
    at.run()
    assert not at.exception
    assert at.selectbox(key="w_dataset").value == "circles"
    assert at.selectbox(key="w_activation").value == "tanh"
    assert at.slider(key="w_width_1").value == 256
    text = " ".join(w.value for w in at.warning)
    assert "Unknown URL parameter 'bogus'" in text and "outside" in text


def test_sessions_are_isolated():
    a = new_session()
    b = new_session()
    next(x for x in a.button if x.label == "Step").click().run()
    a.selectbox(key="w_dataset").select("xor").run()
    b.run()
    assert metric(a, "Update") == "0" or page(a).pg.data.source == "xor"
    assert page(b).pg.data.source == "spiral"
    assert metric(b, "Update") == "0"
    assert page(a).pg is not page(b).pg


def test_a_session_playing_untouched_pauses_itself():
    at = new_session()
    at.toggle(key="playing").set_value(True).run()
    assert at.session_state.playing is True and metric(at, "Update") == str(SPEED)
    page(at).idle_seconds = -1          # the idle limit has passed
    at.run()                                       # the next frame pauses the session
    assert at.session_state.playing is False
    assert any("without interaction" in i.value for i in at.info)


def test_hidden_widgets_keep_their_values(at):
    at.radio(key="w_batch_mode").set_value("mini-batch").run()
    at.slider(key="w_batch_size").set_value(64).run()
    at.radio(key="w_batch_mode").set_value("full batch").run()
    at.radio(key="w_batch_mode").set_value("mini-batch").run()
    assert at.slider(key="w_batch_size").value == 64
    at.slider(key="w_classes").set_value(5).run()
    at.selectbox(key="w_dataset").select("moons").run()
    at.selectbox(key="w_dataset").select("spiral").run()
    assert at.slider(key="w_classes").value == 5
