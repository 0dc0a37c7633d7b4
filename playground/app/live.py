"""The live loop: Play trains the network a few updates per frame and redraws the metrics
and the charts, at up to 12.5 frames a second, without flicker.

How it works (Streamlit 1.67):

* **One fragment per frame.** :func:`live_frame` is an ``st.fragment``: a frame reruns only
  it, not the page. It trains ``speed`` updates (at most ``FRAME_BUDGET`` seconds), then
  draws the metrics, the decision map, the curves and the chosen view. Charts are drawn by
  :func:`~playground.app.chart.live_chart`, which updates them in place.
* **Paced by the browser.** While playing, the decision map's chart is the loop's clock: its
  JavaScript (``chart.js``, ``pace()``) asks for the next frame every ``FRAME_SECONDS`` by
  setting the component's ``tick`` state, which reruns this fragment. It keeps at most two
  ticks unanswered (one when answers are slow), so a page that cannot keep up is sent fewer
  frames instead of a backlog, and a Pause click waits for at most one frame.
* **The Play switch is a fragment of its own.** Pause reruns only the switch; the next
  frame sees ``playing`` off and is the one that pauses. It is drawn lean like a live frame
  (no hover layer, views as they were), so the click shows at once; its chart then asks for
  one more run (``settle``), which, paused, draws everything in full. Play reruns the whole
  page, which starts the loop and clears any pause notice.
* **Settings changed while playing rerun the page.** The frontend sends every widget change
  of one browser task as one rerun request, under the fragment id of any of them: a sidebar
  change made in the same task as a tick reaches the server as a rerun of this fragment
  only. So each frame compares the controls outside it with what the last whole-page run
  read (:func:`page_inputs`) and reruns the page when they differ.
* **A click on a point of the map** is the map's chart's ``click`` state (chart.js), which
  reruns this fragment: the frame takes it first and opens the Backprop view on that point
  (:mod:`playground.app.backprop_view`).
* **A node of the Network view's diagram**, hovered or clicked (that chart's ``unit``
  state), is taken likewise and drawn on the map instead of the regions until it is released
  (:mod:`playground.app.network_focus`).
* **Drawn before training.** A frame creates its first element before it trains: Streamlit
  ends a run for a newer one (e.g. Step) only at an ``st.*`` call, so a click that came while
  this frame was queued stops it untrained.

It relies on ``.streamlit/config.toml``: ``runner.fastReruns = false`` (a widget change waits
for the running frame's next ``st.*`` call instead of starting a second script thread on the
same network) and ``runner.postScriptGC = false`` (a full garbage collection after every
fragment run cost more than the frame). Measured figures: ``docs/performance.md``.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from .. import figures
from ..engine.tasks import task
from ..state.drawing import shown
from ..state.playground import FRAME_BUDGET
from . import network_focus
from .backprop_view import highlight, take_click
from .banners import stage_banners
from .chart import live_chart
from .draw import DRAW, draw_bar, draw_mode, draw_status, take_draw
from .page_state import WIDGETS, one_at_a_time, page_state, reported
from .viewkit import show_view, sticky_segmented_control, touch, view_names

FRAME_SECONDS = 0.08         # while playing, a frame at most this often (12.5 per second)
CURVES_HEIGHT = 250          # px: the curves beside the map, above the view
METRIC_WIDTH = 92            # px: fixed, so the numbers do not shift as their digits change


def page_inputs():
    """What the whole-page run reads from the controls outside the live fragment: the
    settings' widgets, the uploaded file, the open lesson, the URL warnings, the Draw switch
    and the presentation mode (its type and the URL are the page run's). A click on a button
    outside the fragment (Present) that reaches the server with a frame's tick runs its
    callback in that fragment run: the page must then follow it."""
    ss = st.session_state
    page = page_state()
    upload = ss.get("w_upload")
    return (tuple(ss.get(key) for key in WIDGETS.values()), getattr(upload, "file_id", None),
            page.lesson, bool(page.url_warnings), bool(ss.get(DRAW)), page.present)


@one_at_a_time
def play_switch():
    """Play / Pause (a fragment of its own: see the module docstring)."""
    st.toggle("Play", key="playing", help="Train continuously.", on_change=_on_play)
    page = page_state()
    if page.start_loop:
        page.start_loop = False
        st.rerun()


@one_at_a_time
def _on_play():
    page = page_state()
    page.touch()
    if st.session_state.playing:
        page.start_loop = True


def _pause(page, notice):
    page.pause_request = notice
    st.rerun()


@one_at_a_time
def live_frame():
    """One frame: train (while playing), then draw the metrics, the charts and the view."""
    page = page_state()
    if page.live.page_inputs != page_inputs():
        st.rerun()               # a control outside this fragment changed: see the docstring
    if page.moved is None and (st.session_state.get("regions") or {}).get("moved"):
        # the map's chart saw another session before this one; the page's widgets came along
        # (Play among them), the run did not: pause on the fresh run and say what happened
        page.moved = True
        _pause(page, "")
    take_click(page)              # a click on a point of the map opens its Backprop trace
    take_draw(page)               # in draw mode, a click adds or erases a point
    network_focus.take_unit(page)    # a node of the Network view's diagram, shown on the map
    pg, live = page.pg, page.live
    playing = bool(reported("playing", page.written))
    pausing = not playing and live.was_playing
    live.was_playing = playing
    live.lean = playing or pausing
    live.frame += 1
    # one row container, not st.columns(6): 7 elements per frame instead of 13, each a
    # websocket message the page handles on its own
    metrics_row = st.container(horizontal=True, key="metrics", gap="small")
    if playing:
        if pg.trainer.diverged:
            _pause(page, "Paused: training diverged.")
        pg.step(pg.settings.speed, max_seconds=FRAME_BUDGET)
        if pg.trainer.diverged:
            _pause(page, "Paused: training diverged.")
        if time.monotonic() - page.last_interaction > page.idle_seconds:
            _pause(page, f"Paused after {page.idle_seconds / 60:g} minutes without "
                         f"interaction, to share the server fairly. Press Play to continue.")
    tr = pg.trainer
    _metrics(metrics_row, tr, accuracy=task(pg.data.task).accuracy)
    # the stage: the map, as large as the window allows and with nothing above it that
    # comes and goes; beside it the banners, the loss and accuracy curves (in view with the
    # map on any screen from 1366×768) and the chosen view
    stage, side = st.columns([0.56, 0.44], gap="medium")
    with stage:
        _decision_map(page, playing, pausing)
    with side:
        with st.container(key="banners"):
            stage_banners(page, playing)
            draw_bar(page)
            draw_status(st, page)
        _curves(page)
        # No default: while playing, the frontend can drop the state of a widget inside this
        # fragment when a page run and a fragment run overlap, and the control then comes
        # back at its default. An empty choice (that, or a click on the chosen view) keeps
        # the view.
        page.view = sticky_segmented_control("View", view_names(), "w_view", page.view,
                                             wrap=True, label_visibility="collapsed",
                                             on_change=touch)
        show_view(page.view, page)


def _decision_map(page, playing, pausing):
    pg, live = page.pg, page.live
    tr, d = pg.trainer, shown(pg)     # painted points show before they can be trained on
    grid = pg.grid()
    ss = st.session_state
    show_train = ss.get("w_show_train", True)
    show_test = ss.get("w_show_test", True)
    discrete = ss.get("w_discrete", False)
    points = (d.X_train if show_train else None, d.y_train if show_train else None,
              d.X_test if show_test else None, d.y_test if show_test else None)
    # a node of the Network view's diagram, while one is chosen: its map instead
    fig = network_focus.focus_figure(page, show_train, show_test, live.lean)
    if fig is None:
        # the task's map (decision regions, or the predicted value); the per-cell hover text
        # is 27 of the map's 48 kB: sent only when paused
        fig = getattr(figures, task(d.task).map_figure)(
            grid.xs, grid.ys, grid.probs, *points, class_names=d.class_names,
            hover_detail=not live.lean, image=True, discrete=discrete,
            refine=True, highlight=highlight(page))
    live_chart(fig, key="regions", frame=tr.updates, filename="decision-regions",
               pace=FRAME_SECONDS if playing else None,
               settle=live.frame if pausing else None, fit="square",
               session=page.token, clicks=True,
               draw=draw_mode())


def display_options(page):
    """The map's and the curves' display switches, in a popover of the controls row: outside
    the live fragment, they cost a frame nothing (the frames read their values)."""
    with st.popover("Display", icon=":material/tune:"):
        st.toggle("Training points", key="w_show_train", value=True,
                  help="Show the training points (filled).")
        st.toggle("Test points", key="w_show_test", value=True,
                  help="Show the held-out test points (open circles).")
        st.toggle("Discretize", key="w_discrete", value=False,
                  help="Hard class regions, without the shading by confidence (regression: "
                       "the sign of the prediction).")
        st.toggle("Log-scale loss", key="w_log")
        page.x_axis = sticky_segmented_control(
            "Curves against", list(figures.X_AXES), "w_x_axis", page.x_axis,
            format_func=lambda k: figures.X_AXES[k].replace(" of training", ""),
            help="The clock the curves (and the pinned runs') are drawn against: compare "
                 "batch modes per update, per epoch, per sample seen or per second of "
                 "training.")


def _curves(page):
    tr, pg = page.pg.trainer, page.pg
    log_y = bool(st.session_state.get("w_log"))
    pinned = [{"label": p.label, "history": p.history} for p in pg.pins]
    loss = tr.history.loss.as_dict()
    accuracy = task(pg.data.task).accuracy       # regression: the loss only
    fig = figures.loss_figure(tr.history.evals.as_dict(), log_y=log_y, pinned=pinned,
                              height=CURVES_HEIGHT,
                              batch_loss=(loss["step"], loss["loss"]),
                              x=st.session_state.get("w_x_axis") or page.x_axis,
                              accuracy=accuracy)
    live_chart(fig, key="curves", frame=tr.updates,
               filename="loss-accuracy" if accuracy else "loss")


def _fmt(value, kind):
    """A metric's text, at most 7 characters so that it fits its box: 1.0986, 12.345,
    1060.2, 1.5e+05, 98.3%."""
    if value is None or not np.isfinite(value):
        return "—"
    if kind == "acc":
        return f"{value:.1%}"
    if abs(value) < 10:
        return f"{value:.4f}"
    if abs(value) < 10_000:
        return f"{value:.5g}"
    return f"{value:.2g}" if abs(value) >= 1e10 else f"{value:.3g}"


def _metrics(row, tr, accuracy=True):
    """The counters and the losses, and the accuracies unless the run is a regression (its
    accuracy is NaN: a metric that always read "—" would only puzzle)."""
    m = tr.metrics
    shown = [("Update", f"{tr.updates:,}"), ("Epoch", f"{tr.epochs:,}"),
             ("Train loss", _fmt(m["train_loss"], "loss")),
             ("Test loss", _fmt(m["test_loss"], "loss"))]
    if accuracy:
        shown += [("Train acc", _fmt(m["train_acc"], "acc")),
                  ("Test acc", _fmt(m["test_acc"], "acc"))]
    for label, value in shown:
        row.metric(label, value, width=METRIC_WIDTH)
