"""Regression on the page, driven by AppTest: the problem-type switch,
the metrics, the map and curves, the views and a run file's round trip."""

import numpy as np
import pytest
from apptest import chart_figures, click, metric, new_session, page, view

from playground.app.backprop_view import BackpropMemory
from playground.app.viewkit import memory
from playground.engine.runfiles import run_to_json
from playground.figures.common import DIVERGING


def _labels(at):
    """The metrics row's labels (the Gradients view adds its own metric after them)."""
    labels = [m.label for m in at.metric]
    assert not any("acc" in label for label in labels), labels
    return labels[:4]


def _query(at, key):
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


@pytest.fixture
def reg():
    """A session opened on a regression link, one update in."""
    at = new_session({"task": "regression"})
    assert not at.exception, at.exception
    click(at, "Step")
    return at


def test_switching_the_problem_type_offers_its_datasets_and_starts_a_new_run():
    at = new_session()
    click(at, "Step")
    assert at.radio(key="w_task").value == "classification"
    assert "plane" not in at.selectbox(key="w_dataset").options
    at.select_slider(key="w_lr").set_value(0.3).run()       # a hand-picked rate ...
    at.radio(key="w_task").set_value("regression").run()
    assert not at.exception, at.exception
    box = at.selectbox(key="w_dataset")
    assert list(box.options) == ["plane", "gaussians"] and box.value == "plane"
    pg = page(at).pg
    assert pg.trainer.updates == 0 and pg.trainer.net.task == "regression"
    assert pg.data.source == "plane" and pg.data.y_train.dtype.kind == "f"
    # ... gives way to the automatic one, which suits regression
    assert at.toggle(key="w_lr_auto").value and pg.trainer.lr == pg.settings.lr < 0.3
    assert _query(at, "task") == "regression" and _query(at, "data") == "plane"
    assert any("classification only" in c.value for c in at.caption)   # the CSV upload
    at.selectbox(key="w_dataset").select("gaussians").run()
    assert page(at).pg.data.source == "gaussians"
    at.radio(key="w_task").set_value("classification").run()
    assert at.selectbox(key="w_dataset").value == "spiral"
    assert page(at).pg.trainer.net.layer_sizes[-1] == 3 and _query(at, "task") is None


def test_regression_metrics_show_the_loss_and_no_accuracy(reg):
    assert _labels(reg) == ["Update", "Epoch", "Train loss", "Test loss"]
    tr = page(reg).pg.trainer
    assert metric(reg, "Train loss") == f"{tr.metrics['train_loss']:.4f}"
    assert metric(reg, "Update") == "1"
    caption = " ".join(c.value for c in reg.caption)
    assert "ŷ = h₁W₂ + b₂" in caption and "softmax" not in caption


def test_the_map_is_the_regression_figure_and_the_curves_have_no_accuracy(reg):
    regions, curves = chart_figures(reg)[:2]
    bar = next(t for t in regions["data"] if t.get("name") == "scale")
    assert bar["marker"]["showscale"] and (bar["marker"]["cmin"], bar["marker"]["cmax"]) == (
        -1.0, 1.0)
    assert [list(s) for s in bar["marker"]["colorscale"]] == [list(s) for s in DIVERGING]
    assert regions["layout"]["images"][0]["source"].startswith("data:image/png")
    train = next(t for t in regions["data"] if t.get("name") == "train")
    assert train["marker"]["colorscale"] == bar["marker"]["colorscale"]
    assert "yaxis2" not in curves["layout"]
    assert {t.get("yaxis") for t in curves["data"]} == {"y"}
    # the display switches act on it: test points hidden, discretize = the sign
    reg.toggle(key="w_show_test").set_value(False).run()
    names = [t.get("name") for t in chart_figures(reg)[0]["data"]]
    assert "train" in names and "test" not in names


def test_the_math_view_writes_the_regression_loss_and_dscore(reg):
    view(reg, "Math")
    latex = " ".join(x.value for x in reg.latex)
    assert r"\tfrac{1}{2}(\hat y_i - y_i)^2" in latex
    assert r"\frac{\hat y - y}{n} \in \mathbb{R}^{240 \times 1}" in latex
    assert r"\hat y = \text{score} = A_{1} W_{2} + b_{2}" in latex
    assert r"\operatorname{softmax}" not in latex
    assert any("linear output unit" in c.value for c in reg.caption)
    assert "dW_{2}" in latex


def test_views_work_on_a_regression_run(reg):
    for name in ("Gradients", "Hidden units", "Network", "Replay", "Compare", "Landscape"):
        view(reg, name)
    view(reg, "Race")
    assert any("classification only" in i.value for i in reg.info)
    view(reg, "Gradients")
    click(reg, "Gradient check")
    _, errors = page(reg).gradcheck
    assert max(errors.values()) < 1e-4                   # float32 network, float64 check


def test_the_backprop_view_traces_a_regression_point(reg):
    pg = page(reg).pg
    traced = memory(page(reg), BackpropMemory)
    traced.traced, traced.traced_at = 0, tuple(pg.data.X_train[0])
    view(reg, "Backprop")
    text = " ".join(m.value for m in reg.markdown)
    yhat = float(pg.trainer.net.predict(pg.data.X_train[:1])[0])
    target = float(pg.data.y_train[0])
    assert "target y =" in text and "½(ŷ − y)²" in text
    latex = " ".join(x.value for x in reg.latex)
    assert r"\frac{\hat y - y}{n}" in latex and r"\tfrac{1}{2}(\hat y - y)^2" in latex
    from playground.figures.common import sci_text
    assert f"loss ½(ŷ − y)² = {sci_text(0.5 * (yhat - target) ** 2, 3)}" in text


def test_a_regression_run_file_round_trips_through_the_files_view(reg):
    click(reg, "Step")
    pg = page(reg).pg
    blob = run_to_json(pg.trainer, pg.export_extra()).encode()
    params = [p.copy() for p in pg.trainer.net.params()]
    other = new_session()
    view(other, "Files")
    other.file_uploader(key="w_runfile").set_value(("run.json", blob, "application/json"))
    other.run()
    assert not other.exception, other.exception
    other.run()
    tr = page(other).pg.trainer
    assert tr.updates == 2 and tr.net.task == "regression"
    assert all(np.array_equal(a, b) for a, b in zip(params, tr.net.params()))
    assert other.radio(key="w_task").value == "regression"
    assert _labels(other) == ["Update", "Epoch", "Train loss", "Test loss"]
    click(other, "Step")
    assert page(other).pg.trainer.updates == 3


def test_the_classification_lessons_do_not_follow_into_regression():
    at = new_session()
    click(at, "CS231n spiral: linear vs hidden layer")
    assert page(at).lesson == "spiral"
    at.radio(key="w_task").set_value("regression").run()
    assert page(at).lesson is None and not any("CS231n" in i.value for i in at.info)
    # a link that asks for both gets the regression run, without the lesson, and says so
    at = new_session({"lesson": "spiral", "task": "regression"})
    assert page(at).lesson is None and page(at).pg.data.task == "regression"
    assert any("about classification" in w.value for w in at.warning)


def test_the_dataset_csv_of_a_regression_run_holds_the_targets(reg):
    from playground.app.views import _dataset_csv
    d = page(reg).pg.data
    lines = _dataset_csv(d).splitlines()
    assert lines[0] == "x1,x2,target" and len(lines) == len(d.X_all) + 1
    rows = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    assert np.array_equal(rows[:, :2], d.X_all) and np.array_equal(rows[:, 2], d.y_all)
