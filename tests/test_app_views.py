"""The views below the charts (issue: the math beside the numbers, gradient check, hidden
units, network, compare, replay, files), driven by AppTest."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception


def figures(at):
    return [json.loads(json.loads(el.proto.json)["figure"]) for el in at.get("bidi_component")]


def view(at, name):
    at.segmented_control(key="w_view").set_value(name).run()
    assert not at.exception, at.exception


def loss_figure(at):
    return next(f for f in figures(at)
                if any(t.get("name") == "train" for t in f["data"] if "name" in t))


@pytest.fixture
def at():
    return AppTest.from_file(APP, default_timeout=30).run()


def test_math_view_shows_the_equations_with_the_current_shapes(at):
    at.slider(key="w_units").set_value(64).run()
    click(at, "Step")
    view(at, "Math")
    latex = " ".join(x.value for x in at.latex)
    assert r"\mathbb{R}^{2 \times 64}" in latex                      # W1 is 2 × N_h
    assert r"\mathbb{R}^{240 \times 3}" in latex                     # dscore is n × K
    assert r"\operatorname{softmax}" in latex and r"\odot" in latex
    assert r"\text{dscore}_{1:3}" in latex                           # live numbers
    assert "stochastic gradient descent one" in " ".join(c.value for c in at.caption)


def test_an_empty_view_choice_keeps_the_view_shown(at):
    # a click on the chosen segment (or the frontend dropping the control's state, seen while
    # playing) sends no choice: the page stays on the view it showed
    view(at, "Math")
    assert at.latex
    at.segmented_control(key="w_view").set_value(None).run()
    assert not at.exception, at.exception
    assert at.segmented_control(key="w_view").value == "Math"
    assert at.latex


def test_math_view_generalises_to_depth(at):
    at.slider(key="w_layers").set_value(3).run()
    at.slider(key="w_units").set_value(8).run()
    view(at, "Math")
    latex = " ".join(x.value for x in at.latex)
    assert "dW_{4}" in latex and r"\mathbb{R}^{8 \times 3}" in latex


def test_gradient_check_button_reports_small_errors_for_a_smooth_activation(at):
    at.selectbox(key="w_activation").select("tanh").run()
    click(at, "Step")
    click(at, "Gradient check")
    _, errors = at.session_state.gradcheck
    assert max(errors.values()) < 1e-6
    assert any("correct" in m.value for m in at.markdown)


def test_pin_and_unpin_change_the_loss_figure(at):
    click(at, "Step")
    before = len(loss_figure(at)["data"])
    view(at, "Compare")
    click(at, "Pin this run")
    at.radio(key="w_batch_mode").set_value("SGD").run()
    click(at, "Pin this run")
    pinned = loss_figure(at)
    assert len(pinned["data"]) == before + 4                         # 2 traces per pinned run
    names = {t.get("name") for t in pinned["data"]}
    assert {"full batch", "SGD"} <= names
    click(at, "Remove")
    assert len(loss_figure(at)["data"]) == before + 2


def test_hidden_units_and_network_figures(at):
    at.slider(key="w_layers").set_value(2).run()
    at.slider(key="w_units").set_value(6).run()
    view(at, "Hidden units")
    units = next(f for f in figures(at) if sum(t["type"] == "heatmap" for t in f["data"]) == 12)
    assert units
    view(at, "Network")
    net = next(f for f in figures(at) if "meta" in f["layout"] and "links" in f["layout"]["meta"])
    assert net["layout"]["meta"]["links"] == 2 * 6 + 6 * 6 + 6 * 3
    assert net["layout"]["meta"]["nodes"] == 2 + 6 + 6 + 3


def test_replay_shows_earlier_decision_regions(at):
    for _ in range(3):
        click(at, "Step")
    view(at, "Replay")
    slider = at.select_slider(key="w_replay")
    assert slider.value == 3
    slider.set_value(0).run()
    assert not at.exception
    # the live map (a layout image) and the replayed one (a heatmap)
    maps = [f for f in figures(at)
            if f["layout"].get("images") or f["data"][0]["type"] == "heatmap"]
    assert len(maps) >= 2


def test_exported_run_reimported_continues(at):
    at.radio(key="w_batch_mode").set_value("mini-batch").run()
    for _ in range(5):
        click(at, "Step")
    pg = at.session_state.pg
    from playground.runs import run_to_npz
    blob = run_to_npz(pg.trainer, pg.export_extra())
    params = [p.copy() for p in pg.trainer.net.params()]

    other = AppTest.from_file(APP, default_timeout=30).run()
    view(other, "Files")
    other.file_uploader(key="w_runfile").set_value(("run.npz", blob, "application/zip")).run()
    assert not other.exception
    other.run()
    tr = other.session_state.pg.trainer
    assert tr.steps == 5
    assert all((a == b).all() for a, b in zip(params, tr.net.params()))
    assert other.radio(key="w_batch_mode").value == "mini-batch"
    click(other, "Step")
    assert other.session_state.pg.trainer.steps == 6


def test_a_broken_run_file_shows_an_error_and_keeps_the_run(at):
    click(at, "Step")
    view(at, "Files")
    at.file_uploader(key="w_runfile").set_value(("run.json", b"{not json", "application/json"))
    at.run()
    assert any("Could not continue" in e.value for e in at.error)
    assert at.session_state.pg.trainer.steps == 1


def test_lessons_open_a_configuration(at):
    click(at, "Vanishing gradients")
    s = at.session_state.pg.settings
    assert (s.layers, s.activation, s.dataset) == (4, "sigmoid", "circles")
    assert any("Vanishing gradients" in i.value for i in at.info)
    assert at.query_params.get("act") in (["sigmoid"], "sigmoid")
