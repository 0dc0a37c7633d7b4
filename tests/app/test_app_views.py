"""The views below the charts (the math beside the numbers, gradient check, hidden
units, network, compare, replay, files), driven by AppTest."""


import base64

import numpy as np
import pytest
from apptest import chart_figures, click, new_session, page, set_widths, view


def loss_figure(at):
    return next(f for f in chart_figures(at)
                if any(t.get("name") == "train" for t in f["data"] if "name" in t))


@pytest.fixture
def at():
    return new_session()


def test_math_view_shows_the_equations_with_the_current_shapes(at):
    at.slider(key="w_width_1").set_value(64).run()
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
    set_widths(at, 8, 8, 8)
    view(at, "Math")
    latex = " ".join(x.value for x in at.latex)
    assert "dW_{4}" in latex and r"\mathbb{R}^{8 \times 3}" in latex


def test_gradient_check_button_reports_small_errors_for_a_smooth_activation(at):
    at.selectbox(key="w_activation").select("tanh").run()
    click(at, "Step")
    view(at, "Gradients")
    click(at, "Gradient check")
    _, errors = page(at).gradcheck
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
    # the labels name what differs: the batch mode, and the automatic rate that follows it
    assert {"full batch, lr 1", "SGD, lr 0.1"} <= names
    click(at, "Remove")
    assert len(loss_figure(at)["data"]) == before + 2


def test_hidden_units_and_network_figures(at):
    set_widths(at, 6, 6)
    view(at, "Hidden units")
    units = next(f for f in chart_figures(at)
                 if sum(t["type"] == "heatmap" for t in f["data"]) == 12)
    assert units
    view(at, "Network")
    net = next(f for f in chart_figures(at)
               if "meta" in f["layout"] and "links" in f["layout"]["meta"])
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
    maps = [f for f in chart_figures(at)
            if f["layout"].get("images") or f["data"][0]["type"] == "heatmap"]
    assert len(maps) >= 2


def test_exported_run_reimported_continues(at):
    at.radio(key="w_batch_mode").set_value("mini-batch").run()
    for _ in range(5):
        click(at, "Step")
    pg = page(at).pg
    from playground.engine.runfiles import run_to_npz
    blob = run_to_npz(pg.trainer, pg.export_extra())
    params = [p.copy() for p in pg.trainer.net.params()]

    other = new_session()
    view(other, "Files")
    other.file_uploader(key="w_runfile").set_value(("run.npz", blob, "application/zip")).run()
    assert not other.exception
    other.run()
    tr = page(other).pg.trainer
    assert tr.updates == 5
    assert all((a == b).all() for a, b in zip(params, tr.net.params()))
    assert other.radio(key="w_batch_mode").value == "mini-batch"
    click(other, "Step")
    assert page(other).pg.trainer.updates == 6


def test_a_broken_run_file_shows_an_error_and_keeps_the_run(at):
    click(at, "Step")
    view(at, "Files")
    at.file_uploader(key="w_runfile").set_value(("run.json", b"{not json", "application/json"))
    at.run()
    assert any("Could not continue" in e.value for e in at.error)
    assert page(at).pg.trainer.updates == 1


def test_lessons_open_a_configuration(at):
    click(at, "Vanishing gradients")
    s = page(at).pg.settings
    assert (s.layers, s.activation, s.dataset) == (4, "sigmoid", "circles")
    assert any("Vanishing gradients" in i.value for i in at.info)
    # the link names the lesson (which carries the rest) and opens the same settings
    assert dict(at.query_params) in ({"lesson": ["vanishing"]}, {"lesson": "vanishing"})
    fresh = new_session({"lesson": "vanishing"})
    assert page(fresh).pg.settings == s


def _values(v):
    """A trace array from the figure JSON (plotly sends NumPy arrays as base64 specs)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v, dtype=float)


def test_pinned_runs_are_compared_by_the_chosen_clock(at):
    click(at, "Step epoch")                              # full batch: 1 update, 240 samples
    view(at, "Compare")
    click(at, "Pin this run")
    at.radio(key="w_batch_mode").set_value("SGD").run()  # the same run goes on, 1 per update
    click(at, "Step epoch")                              # 240 updates, 240 samples
    click(at, "Pin this run")
    first, second = page(at).pg.pins
    assert (first.history["epoch"][-1], first.history["samples"][-1]) == (1, 240)
    assert (second.history["epoch"][-1], second.history["samples"][-1]) == (2, 480)
    assert second.history["seconds"][-1] > first.history["seconds"][-1] > 0
    for x, title in (("epoch", "Epoch"), ("samples", "Samples seen"),
                     ("seconds", "Seconds of training"), ("step", "Update")):
        at.segmented_control(key="w_x_axis").set_value(x).run()
        fig = loss_figure(at)
        assert fig["layout"]["xaxis"]["title"]["text"] == title
        drawn = [t for t in fig["data"] if t.get("legendgroup", "").startswith("pinned")]
        assert len(drawn) == 4
        for pin, trace in zip((first, first, second, second), drawn):
            np.testing.assert_allclose(_values(trace["x"]), pin.history[x], rtol=1e-6)
