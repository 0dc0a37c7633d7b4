"""Training curves: loss and accuracy (with pinned runs), and gradient norms."""

import json

import numpy as np

from playground import figures as F


def test_loss_figure_traces_styles_and_axes(make_history):
    fig = F.loss_figure(make_history())
    assert len(fig.data) == 4                        # train/test × loss/accuracy
    assert {t.yaxis for t in fig.data} == {"y", "y2"}
    assert fig.layout.xaxis.title.text == "Update"
    assert fig.layout.yaxis2.tickformat == ".0%" and tuple(fig.layout.yaxis2.range)[0] == 0
    assert fig.layout.yaxis.type == "linear"
    assert F.loss_figure(make_history(), log_y=True).layout.yaxis.type == "log"
    # both panels share the one x axis: nothing uses a second one
    assert all(t.xaxis in (None, "x") for t in fig.data)
    assert len(F.loss_figure(make_history(test=False)).data) == 2
    h = make_history()
    with_batch = F.loss_figure(h, batch_loss=(h["step"], h["train_loss"]))
    assert len(with_batch.data) == 5 and with_batch.data[0].name == "batch loss"


def test_pinned_runs_add_two_dashed_traces_each(make_history):
    h = make_history()
    runs = [{"label": f"run {i}", "history": make_history(seed=i, test=i % 2 == 0)}
            for i in range(5)]
    counts = [len(F.loss_figure(h, pinned=runs[:n]).data) for n in range(6)]
    assert counts == [4, 6, 8, 10, 12, 12]               # at most 4 pinned runs
    fig = F.loss_figure(h, pinned=runs[:4])
    pinned = fig.data[4:]
    assert all(t.line.dash == "dash" for t in pinned)
    colours = {t.line.color for t in pinned}
    # four hues, none the live run's train (blue) or test (vermillion) colour
    assert len(colours) == 4 and not colours & {fig.data[0].line.color, fig.data[2].line.color}
    assert [t.name for t in pinned if t.showlegend is not False] == [
        "run 0", "run 1", "run 2", "run 3"]
    escaped = F.loss_figure(h, pinned=[{"label": "<b>x</b>", "history": h}])
    assert escaped.data[-1].name == "&lt;b&gt;x&lt;/b&gt;"


def test_long_histories_are_thinned_keeping_the_last_point(make_history):
    h = make_history(n=2001)
    fig = F.loss_figure(h, max_points=500)
    assert all(len(t.x) <= 502 for t in fig.data)
    assert fig.data[0].x[-1] == h["step"][-1]
    assert len(F.loss_figure(h, max_points=None).data[0].x) == 2001


def test_grad_norm_one_log_line_per_layer(make_history):
    fig = F.grad_norm_figure(make_history())
    assert [t.name for t in fig.data] == ["layer 1", "layer 2", "layer 3"]
    assert fig.layout.yaxis.type == "log"
    assert F.grad_norm_figure(make_history(), log_y=False).layout.yaxis.type == "linear"
    h = make_history()
    h["grad_norm1"][0] = 0.0                     # before the first update: a gap, not a spike
    assert np.isnan(F.grad_norm_figure(h).data[0].y[0])
    assert F.grad_norm_figure(h, log_y=False).data[0].y[0] == 0



def test_a_flat_loss_gets_a_readable_axis(make_history):
    # zero init: the loss sits at ln 3 = 1.0986... for ever; plotly.js alone zooms into
    # float32 noise and writes ticks like "1.0986124" over the axis title
    h = make_history()
    for key in ("train_loss", "test_loss"):
        h[key] = np.full(len(h["step"]), np.log(3))
    layout = json.loads(F.loss_figure(h).to_json())["layout"]
    lo, hi = layout["yaxis"]["range"]
    assert hi - lo >= 0.1 and lo < np.log(3) < hi
    assert layout["yaxis"]["tickformat"] == ".3~r"     # ≤ 3 significant digits, no exponent
    log = json.loads(F.loss_figure(h, log_y=True).to_json())["layout"]["yaxis"]["range"]
    assert log[1] - log[0] >= 0.1 and log[0] < np.log10(np.log(3)) < log[1]
    # a moving curve keeps plotly's autorange
    assert "range" not in json.loads(F.loss_figure(make_history()).to_json())["layout"]["yaxis"]


def test_runs_can_be_compared_by_any_clock(make_history):
    h = make_history()
    slow = {"label": "SGD", "history": make_history(seed=3)}
    for x, title in F.X_AXES.items():
        fig = F.loss_figure(h, pinned=[slow], x=x, batch_loss=(h["step"], h["train_loss"]))
        assert fig.layout.xaxis.title.text == title
        for trace in fig.data:
            source = slow["history"] if trace.legendgroup == "pinned0" else h
            np.testing.assert_allclose(trace.x, source[x], rtol=1e-6)
        # the per-update batch loss has no other clock: only drawn against updates
        assert ("batch loss" in [t.name for t in fig.data]) == (x == "step")
    try:
        F.loss_figure(h, x="minutes")
    except ValueError as exc:
        assert "minutes" in str(exc)
    else:
        raise AssertionError("an unknown clock was accepted")
