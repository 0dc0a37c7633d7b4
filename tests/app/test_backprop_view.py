"""The Backprop view: a click on a point of the map opens its trace, whose numbers
are playground.engine.backprop.point_trace's for the current network, driven by AppTest. The map's
chart reports a click as its "click" state, which is what these tests set."""

import base64

import numpy as np
import pytest
from apptest import (
    chart_data,
    chart_figures,
    click,
    new_session,
    page,
    set_widths,
    view,
    view_memory,
)

from playground.app.backprop_view import BackpropMemory
from playground.engine.backprop import batch_grads, point_trace
from playground.figures.common import sci_text, tex_number


@pytest.fixture
def at():
    return new_session()


def click_point(at, x, y, t=1):
    """What chart.js sends for a click on a point: its float32 data coordinates."""
    at.session_state["regions"] = {"click": {"x": float(np.float32(x)),
                                             "y": float(np.float32(y)), "t": t}}
    at.run()
    assert not at.exception, at.exception


def values(spec):
    """A figure array as plotly.py sends NumPy arrays: base64 and a dtype."""
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=spec["dtype"]).tolist()


def latex(at):
    return " ".join(x.value for x in at.latex)


def trace_of(at, i):
    pg = page(at).pg
    return point_trace(pg.trainer.net, pg.data.X_train, pg.data.y_train, i)


@pytest.mark.parametrize("v, text", [(2.3664, "+2.37"), (-0.0010042, "-0.00100"),
                                     (150.0, "+150"), (0.5, "+0.500"), (0.0, "0"),
                                     (3.65e-5, r"+3.65 \times 10^{-5}"),
                                     (-1234.6, "-1235"), (999.7, "+1000"),
                                     (2.5e4, r"+2.50 \times 10^{4}")])
def test_numbers_are_written_in_three_significant_digits(v, text):
    assert tex_number(v) == text


def test_the_map_asks_for_clicks(at):
    assert chart_data(at, 0).get("clicks") is True
    assert "clicks" not in chart_data(at, 1)                       # the curves do not


def test_a_click_on_a_training_point_opens_its_trace(at):
    click(at, "Step")
    X = page(at).pg.data.X_train
    click_point(at, *X[17])
    assert at.segmented_control(key="w_view").value == "Backprop"
    assert view_memory(at, BackpropMemory).traced == 17
    t = trace_of(at, 17)
    assert any(m.value.startswith("**Point 18** of the 240 training points") for m in at.markdown)
    text = latex(at)
    # the numbers are point_trace's, in the Math view's notation
    x0, x1 = (tex_number(v) for v in t["x"])
    assert rf"x = \begin{{pmatrix}} {x0} & {x1} \end{{pmatrix}},\qquad y = {t['label']}" in text
    h = t["h"][0]
    for u in np.argsort(-np.abs(h))[:8]:                  # the 8 largest |h1|, r1 beside
        assert f"{u + 1} & {tex_number(t['r'][0][u])} & {tex_number(h[u])}" in text
    onehot = np.eye(3)[t["label"]]
    for k in range(3):
        assert f"{k} & {tex_number(t['r'][-1][k])} & {tex_number(t['p'][k])}" in text
        assert f"{k} & {tex_number(t['p'][k] - onehot[k])} & {tex_number(t['dscore'][k])}" in text
    assert r"-\log \hat y_{i,\,y_i}" in text
    assert "= " + tex_number(t["loss"], signed=False, decimals=4) in text
    assert r"\text{dscore} = \frac{\hat y - \operatorname{onehot}(y)}{n},\quad n = 240" in text
    assert r"dh_{1} = \text{dscore}\, W_{2}^{\top}" in text and r"\odot" in text
    dr = t["dr"][0]
    for u in np.argsort(-np.abs(dr))[:8]:
        assert f"{u + 1} & {tex_number(t['dh'][0][u])} & {tex_number(dr[u])}" in text
    _, grads = batch_grads(page(at).pg.trainer.net, X, page(at).pg.data.y_train)
    for l in (1, 2):
        mine, batch = t["dW"][l - 1], grads[l - 1][0]
        norm_mine = tex_number(np.linalg.norm(mine), signed=False)
        norm_batch = tex_number(np.linalg.norm(batch), signed=False)
        assert rf"\lVert dW_{{{l}}}^{{(i)}} \rVert = {norm_mine}" in text
        assert rf"\lVert dW_{{{l}}} \rVert = {norm_batch}" in text
    # the first layer's table: the point's largest entry beside the batch's
    a, b = np.unravel_index(np.argmax(np.abs(t["dW"][0])), t["dW"][0].shape)
    table = next(m.value for m in at.markdown if m.value.startswith("| W₁ entry"))
    assert (f"| ({a + 1}, {b + 1}) | {sci_text(t['dW'][0][a, b], 3)} | "
            f"{sci_text(grads[0][0][a, b], 3)} |") in table
    # 100 hidden units: the widest entries only, and how many are active
    captions = " ".join(c.value for c in at.caption)
    assert "8 of 100 units shown, the largest |h₁|" in captions and "active" in captions
    assert "whole training set (full batch, n = 240)" in captions


def test_the_traced_point_is_ringed_on_the_map_while_its_view_is_open(at):
    X = page(at).pg.data.X_train
    click_point(at, *X[3])
    rings = [tr for tr in chart_figures(at)[0]["data"] if tr.get("name") == "traced point"]
    assert len(rings) == 1
    assert (values(rings[0]["x"]), values(rings[0]["y"])) == ([X[3, 0]], [X[3, 1]])
    view(at, "Math")
    assert not [tr for tr in chart_figures(at)[0]["data"] if tr.get("name") == "traced point"]


def test_a_click_is_taken_once_and_a_new_one_again(at):
    X = page(at).pg.data.X_train
    click_point(at, *X[5], t=1)
    view(at, "Math")
    at.run()                                       # the same click state is still there
    assert at.segmented_control(key="w_view").value == "Math"
    click_point(at, *X[9], t=2)
    assert at.segmented_control(key="w_view").value == "Backprop"
    assert view_memory(at, BackpropMemory).traced == 9


def test_the_trace_follows_training_and_stays_while_paused(at):
    X = page(at).pg.data.X_train
    click_point(at, *X[40])
    before = latex(at)
    at.run()
    assert latex(at) == before                     # nothing trained: the same numbers
    click(at, "Step")
    after = latex(at)
    assert after != before
    assert tex_number(trace_of(at, 40)["loss"], signed=False) in after


def test_a_click_on_a_test_point_is_not_a_training_point(at):
    X_test = page(at).pg.data.X_test
    click_point(at, *X_test[0])
    assert view_memory(at, BackpropMemory).traced is None
    captions = " ".join(c.value for c in at.caption)
    assert "not a training point" in captions and "Click a training point" in captions
    assert not at.latex


@pytest.mark.parametrize("bad", [{"x": "nan", "y": 0.1, "t": 1}, {"x": [1], "t": 1},
                                 {"y": 0.0, "t": 1}, "click"])
def test_a_malformed_click_changes_nothing(at, bad):
    at.session_state["regions"] = {"click": bad}
    at.run()
    assert not at.exception
    assert view_memory(at, BackpropMemory).traced is None
    assert at.segmented_control(key="w_view").value == "Network"


def test_without_a_point_the_view_says_how_to_pick_one(at):
    view(at, "Backprop")
    assert any("Click a training point" in c.value for c in at.caption)


def test_new_data_drop_the_trace(at):
    X = page(at).pg.data.X_train
    click_point(at, *X[2])
    at.number_input(key="w_data_seed").set_value(5).run()
    assert not at.exception
    assert any("Click a training point" in c.value for c in at.caption)


def test_a_deep_narrow_network_shows_every_unit_and_each_layer(at):
    set_widths(at, 5, 5, 5)
    click(at, "Step")
    click_point(at, *page(at).pg.data.X_train[11])
    t = trace_of(at, 11)
    text = latex(at)
    assert r"dh_{1} = dr_{2}\, W_{2}^{\top}" in text
    assert r"h_{3} = \max(0,\, r_{3})" in text
    for u in range(5):                                     # every unit of a narrow layer
        assert f"{u + 1} & {tex_number(t['dh'][0][u])} & {tex_number(t['dr'][0][u])}" in text
        assert f"{u + 1} & {tex_number(t['r'][2][u])} & {tex_number(t['h'][2][u])}" in text
    assert all(rf"\lVert dW_{{{l}}}^{{(i)}} \rVert" in text for l in (1, 2, 3, 4))
    assert not any("units shown" in c.value for c in at.caption)


def test_mini_batch_training_is_traced_against_the_whole_training_set(at):
    at.radio(key="w_batch_mode").set_value("mini-batch").run()
    click_point(at, *page(at).pg.data.X_train[0])
    captions = " ".join(c.value for c in at.caption)
    assert "Training uses mini-batches of 32 per update" in captions
    assert "whole training set as its batch (n = 240)" in captions


def test_the_lesson_sets_up_a_small_network_on_a_noisy_spiral(at):
    click(at, "Follow one misclassified point's gradient")
    s = page(at).pg.settings
    assert (s.dataset, s.widths, s.noise) == ("spiral", (16,), 0.3)
    assert any("Backprop" in i.value for i in at.info)
