"""The network's shape on the page: a width per hidden layer (none at all, too), from the
sidebar, the link and run files."""

import pytest
from apptest import (
    VIEWS,
    button,
    click,
    metric,
    new_session,
    page,
    set_widths,
    view,
    view_memory,
    widget,
)

from playground.app.backprop_view import BackpropMemory
from playground.app.race_view import RaceMemory
from playground.engine.runfiles import run_to_json


def query(at, key):
    """The link's value of ``key`` (AppTest keeps a value or a list of them)."""
    value = at.query_params[key]
    return value if isinstance(value, str) else value[-1]


@pytest.fixture
def at():
    return new_session()


def test_each_hidden_layer_gets_its_own_width(at):
    click(at, "Step")
    set_widths(at, 8, 8, 4)
    pg = page(at).pg
    assert pg.trainer.net.layer_sizes == [2, 8, 8, 4, 3] and metric(at, "Update") == "0"
    assert query(at, "hidden") == "8,8,4"
    assert pg.settings.lr == 0.1                    # the automatic rate for three layers
    assert widget(at, "slider", "w_width_4") is None        # only the layers in use
    at.slider(key="w_width_2").set_value(12).run()
    assert pg.trainer.net.layer_sizes == [2, 8, 12, 4, 3]
    at.slider(key="w_layers").set_value(2).run()    # the last layer goes, the others stay
    assert pg.trainer.net.layer_sizes == [2, 8, 12, 3]
    at.slider(key="w_layers").set_value(3).run()    # and comes back as it was
    assert pg.trainer.net.layer_sizes == [2, 8, 12, 4, 3]


def test_a_share_link_reproduces_the_widths_in_a_fresh_session(at):
    set_widths(at, 16, 5)
    link = {k: query(at, k) for k in at.query_params}
    other = new_session(link)
    assert page(other).pg.trainer.net.layer_sizes == [2, 16, 5, 3]
    assert [other.slider(key=k).value for k in ("w_layers", "w_width_1", "w_width_2")] == \
        [2, 16, 5]
    assert not other.warning


def test_an_old_link_with_layers_and_units_opens_the_same_network():
    at = new_session({"layers": "3", "units": "8", "v": "2"})
    assert page(at).pg.trainer.net.layer_sizes == [2, 8, 8, 8, 3] and not at.warning
    assert query(at, "hidden") == "8,8,8" and "layers" not in at.query_params


def test_a_tampered_widths_link_is_clamped_with_a_warning():
    at = new_session({"hidden": "8,999,0,3,3", "v": "2"})
    assert page(at).pg.trainer.net.layer_sizes == [2, 8, 256, 1, 3, 3]
    text = " ".join(w.value for w in at.warning)
    assert "outside 1–256" in text and "first 4" in text


def test_a_network_without_a_hidden_layer_works_in_every_view(at):
    set_widths(at)
    pg = page(at).pg
    assert pg.trainer.net.layer_sizes == [2, 3] and query(at, "hidden") == "0"
    assert any("No hidden layer" in c.value for c in at.caption)
    assert any("softmax(xW₁ + b₁)" in c.value for c in at.caption)    # the header's formula
    click(at, "Step")
    for name in VIEWS:
        view(at, name)
        if name == "Backprop":
            x, y = pg.data.X_train[3]
            at.session_state["regions"] = {"click": {"x": float(x), "y": float(y), "t": 1}}
            at.run()
            assert not at.exception and view_memory(at, BackpropMemory).traced == 3
        if name == "Gradients":
            click(at, "Gradient check")
            assert any("Gradient check at update 1" in m.value for m in at.markdown)
            assert any("no units can be dead" in c.value for c in at.caption)
        if name == "Hidden units":
            assert any("no hidden layer" in i.value for i in at.info)
        if name == "Math":
            latex = " ".join(x.value for x in at.latex)
            assert r"dW_{1} = x^{\top} \text{dscore}" in latex and "dh_" not in latex
    view(at, "Race")
    click(at, "Restart race")
    assert view_memory(at, RaceMemory).race.runners[0].trainer.net.layer_sizes == [2, 3]


def test_a_run_file_brings_its_widths_to_the_sidebar(at):
    set_widths(at, 6, 3)
    for _ in range(4):
        click(at, "Step")
    pg = page(at).pg
    text = run_to_json(pg.trainer, pg.export_extra()).encode()
    other = new_session()
    view(other, "Files")
    other.file_uploader(key="w_runfile").set_value(("run.json", text, "application/json"))
    other.run()
    assert not other.exception and page(other).pg.trainer.updates == 4
    assert [other.slider(key=k).value for k in ("w_layers", "w_width_1", "w_width_2")] == \
        [2, 6, 3]
    assert query(other, "hidden") == "6,3"
    assert button(other, "Step") is not None
    click(other, "Step")
    assert page(other).pg.trainer.updates == 5        # the run goes on, not a new one


def test_input_features_from_the_pills_build_the_network(at):
    pills = at.pills(key="w_features")
    assert pills.value == ["x1", "x2"] and pills.options[:3] == ["x₁", "x₂", "x₁²"]
    click(at, "Step")
    pills.set_value(["x1", "x2", "x1sq", "sinx2"]).run()
    net = page(at).pg.trainer.net
    assert net.features == ("x1", "x2", "x1sq", "sinx2") and net.layer_sizes == [4, 100, 3]
    assert metric(at, "Update") == "0"                   # a new run, like the activation
    assert query(at, "features") == "x1,x2,x1sq,sinx2"
    other = new_session({k: query(at, k) for k in at.query_params})
    assert page(other).pg.trainer.net.features == ("x1", "x2", "x1sq", "sinx2")
    assert other.pills(key="w_features").value == ["x1", "x2", "x1sq", "sinx2"]


def test_the_last_input_feature_stays_on_with_a_message(at):
    at.pills(key="w_features").set_value(["x2sq"]).run()
    click(at, "Step")
    at.pills(key="w_features").set_value([]).run()
    assert not at.exception
    assert any("at least one input feature" in w.value for w in at.warning)
    assert at.pills(key="w_features").value == ["x2sq"]
    pg = page(at).pg
    assert pg.trainer.net.features == ("x2sq",) and pg.trainer.updates == 1   # run kept
    at.run()
    assert not any("at least one input feature" in w.value for w in at.warning)


def test_l1_acts_on_the_running_model_and_shows_in_the_math_view(at):
    click(at, "Step")
    view(at, "Math")
    latex = " ".join(x.value for x in at.latex)
    assert r"\lambda_1" not in latex and r"\operatorname{sign}" not in latex
    at.select_slider(key="w_l1").set_value(0.01).run()
    tr = page(at).pg.trainer
    assert tr.l1 == 0.01 and tr.updates == 1 and query(at, "l1") == "0.01"
    click(at, "Step")
    latex = " ".join(x.value for x in at.latex)
    assert r"\lambda_1 \sum_l \lVert W_l \rVert_1" in latex and r"\lambda_1 = 0.01" in latex
    assert r"dW_{1} = x^{\top} dr_{1} + \lambda W_{1} + \lambda_1 \operatorname{sign}(W_{1})" \
        in latex
    assert r"\lambda W_{2} + \lambda_1 \operatorname{sign}(W_{2})" in latex
    assert any("subgradient sign(W)" in c.value for c in at.caption)


def test_the_math_view_shows_the_input_features(at):
    at.pills(key="w_features").set_value(["x1sq", "x2sq", "x1x2"]).run()
    click(at, "Step")
    view(at, "Math")
    latex = " ".join(x.value for x in at.latex)
    assert r"A_0 = \phi(x) = \left(x_1^2,\; x_2^2,\; x_1 x_2\right)" in latex
    assert r"W_{1} \in \mathbb{R}^{3 \times 100}" in latex
    assert r"dW_{1} = \phi(x)^{\top} dr_{1}" in latex


def test_features_and_l1_work_in_the_backprop_race_and_landscape_views(at):
    at.pills(key="w_features").set_value(["x1", "x1sq", "x1x2"]).run()
    set_widths(at, 6)
    at.select_slider(key="w_l1").set_value(0.001).run()
    click(at, "Step")
    pg = page(at).pg
    x, y = pg.data.X_train[5]
    at.session_state["regions"] = {"click": {"x": float(x), "y": float(y), "t": 1}}
    at.run()
    assert not at.exception and view_memory(at, BackpropMemory).traced == 5
    assert any("L1 term λ₁·sign(W)" in c.value for c in at.caption)
    for name in ("Landscape", "Race", "Network", "Hidden units", "Gradients"):
        view(at, name)
    click(at, "Gradient check")
    assert any("Gradient check at update 1" in m.value for m in at.markdown)


def test_the_circles_lesson_opens_a_network_without_a_hidden_layer(at):
    click(at, "No hidden layer: x₁² and x₂² separate the circles")
    pg = page(at).pg
    assert pg.trainer.net.layer_sizes == [2, 2] and pg.trainer.net.features == ("x1sq", "x2sq")
    assert at.slider(key="w_layers").value == 0
    assert at.pills(key="w_features").value == ["x1sq", "x2sq"]
    for _ in range(10):
        click(at, "Step")
    assert float(metric(at, "Train acc").rstrip("%")) >= 95
    assert query(at, "lesson") == "circle_features"
