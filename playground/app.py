"""The Streamlit page: widgets, session state and the live loop — nothing else.

Live training follows what measured best in Streamlit 1.67 (see docs/performance.md): an
``st.fragment`` trains ``speed`` updates and redraws the metrics and charts. While playing,
the decision map's chart reruns it every FRAME_SECONDS but keeps at most two frames in
flight, so a page gets only the frames it can draw and Pause is never queued behind a
backlog. The Play switch is a fragment of its own: Pause reruns only the switch, and the live
loop's next frame, drawn as lean as a live frame, is the one that pauses; its details (the
map's hover layer, the views' last updates) follow in one more run, which the page asks for
once it has that frame. Charts are drawn by :func:`playground.live_chart.live_chart`, which
updates them in place.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import streamlit as st
from threadpoolctl import threadpool_limits

from . import figures, lessons
from .datasets import CLASS_RANGE, DatasetError, dataset_to_csv, grid_points, sample_csv
from .live_chart import ensure_plotly_js, live_chart, live_chart_json
from .model import ACTIVATIONS, INITS, describe_gradient_check, gradient_check
from .runs import RunFileError, history_csv, run_to_json, run_to_npz
from .session import FRAME_BUDGET, MAX_PINS, Playground, read_upload
from .settings import (
    BATCH_MODES,
    DATA_SOURCES,
    L2_CHOICES,
    LEARNING_RATES,
    LIMITS,
    UPLOAD,
    Settings,
    clamp,
    from_query,
    to_query,
)
from .training import OPTIMIZERS

FRAME_SECONDS = 0.08         # while playing, a frame at most this often (12.5 per second)
METRIC_WIDTH = 130           # px: fixed, so the numbers do not shift as their digits change
VIEW_EVERY = 4               # while playing, the views below redraw every 4th frame
IDLE_SECONDS = 600           # a session playing untouched this long pauses itself
VIEWS = ("Gradients", "Hidden units", "Network", "Math", "Replay", "Compare", "Files")

# One BLAS thread: the server's sessions share two cores with the browser here, and idle
# OpenBLAS threads spinning after each small product doubled the CPU of a frame (measured:
# 53 → 29 ms per frame, docs/performance.md). Training shapes gain nothing from a second one.
threadpool_limits(1, user_api="blas")

# The server's threads share one GIL: its event loop (which reads a Pause click) and every
# session's script thread. With several sessions playing, each wait for the GIL took the
# default 5 ms switch interval per turn, and a click waited for many turns.
sys.setswitchinterval(0.001)

# Settings field -> widget key. Widgets get their values from session state only.
WIDGETS = {name: f"w_{name}" for name in Settings.__dataclass_fields__}

HELP = {
    "dataset": "The 2-D toy problem to learn, or your own CSV file (x1, x2, label).",
    "samples": "How many points to generate (train + test).",
    "noise": "How much the points are jittered: more noise, harder problem.",
    "classes": "Number of classes (spiral arms, blobs, checkerboard colours).",
    "test_fraction": "Share of the points held out as a test set (drawn as open circles).",
    "data_seed": "Seed of the data generator and of the train/test split.",
    "layers": "Hidden layers. One hidden layer is the seed's two-layer network.",
    "units": "Units (neurons) in each hidden layer.",
    "activation": "Non-linearity of the hidden units. The output is always softmax.",
    "init": "Initial weights: He (for ReLU), Xavier (tanh/sigmoid), small (0.01·randn, "
            "CS231n), zeros (watch the symmetry never break).",
    "lr": "Step size η of W ← W − η·dW. Too large and the loss explodes.",
    "batch_mode": "Full batch: every sample per update. Mini-batch: N_b samples, reshuffled "
                  "every epoch. SGD: one sample per update.",
    "batch_size": "Samples per mini-batch update.",
    "optimizer": "SGD is the seed's plain update; momentum and Adam smooth it.",
    "l2": "Weight decay: adds ½·λ·ΣW² to the loss and λ·W to each dW.",
    "speed": "Parameter updates per animation frame while playing.",
    "seed": "Seed of the initial weights and of the mini-batch order.",
}


# ---------------------------------------------------------------------------------------------
# state
# ---------------------------------------------------------------------------------------------
def _write_widgets(settings):
    """Put settings into the widgets' session state (before the widgets are created)."""
    for name, key in WIDGETS.items():
        st.session_state[key] = getattr(settings, name)


def _init_session():
    """First run of a browser session: settings from the URL, then a fresh playground."""
    ss = st.session_state
    if "pg" in ss:
        return ss.pg
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    settings, warnings = from_query(params)
    ss.url_warnings = warnings
    ss.pg = Playground(settings)
    ss.playing = False
    ss.last_interaction = time.monotonic()
    _write_widgets(settings)
    return ss.pg


def _settings_from_widgets():
    ss = st.session_state
    values = {name: ss[key] for name, key in WIDGETS.items() if key in ss}
    settings, _ = clamp(Settings(**values))
    return settings


_MARKDOWN_SPECIALS = set("\\`*_{}[]()<>#+-.!|~$:")


def plain(text):
    """Text from a visitor (file names, CSV fields, URL values) made safe for Streamlit's
    Markdown elements (st.error, st.warning, st.toast ...): every Markdown special character
    is backslash-escaped, so a "[link](http://evil)" shows as typed and is not clickable."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in str(text))


def _request_pause(reason):
    st.session_state.pause_request = reason


# ---------------------------------------------------------------------------------------------
# callbacks (run before the script, so their effects are visible in this run)
# ---------------------------------------------------------------------------------------------
def _on_step():
    st.session_state.pg.step(1)


def _on_step_epoch():
    st.session_state.pg.step_epoch()


def _on_reset():
    st.session_state.pg.reset()
    st.session_state.pop("gradcheck", None)


def _on_new_data():
    key = WIDGETS["data_seed"]
    st.session_state[key] = (st.session_state.get(key, 0) + 1) % LIMITS["data_seed"][1]


def _on_lesson(lesson):
    _write_widgets(lesson.settings)
    st.session_state.lesson = lesson.key
    st.session_state.playing = False


def _on_pin():
    st.session_state.pg.pin()


def _on_unpin(index):
    st.session_state.pg.unpin(index)


def _on_play():
    _touch()
    if st.session_state.playing:
        st.session_state.start_loop = True      # see _play_switch


def _on_dismiss(key):
    st.session_state.pop(key, None)


def _touch():
    """A widget inside the live fragment was used: that reruns only the fragment, so the
    idle clock is reset here rather than in main()."""
    st.session_state.last_interaction = time.monotonic()


# ---------------------------------------------------------------------------------------------
# sidebar
# ---------------------------------------------------------------------------------------------
def _sidebar(pg):
    """The controls; returns the upload (if a new valid one arrived) for Playground.apply."""
    ss = st.session_state
    upload = None
    with st.sidebar:
        st.title("Playground")
        with st.expander("Lessons", expanded=False):
            for lesson in lessons.LESSONS:
                st.button(lesson.title, key=f"lesson_{lesson.key}", on_click=_on_lesson,
                          args=(lesson,), use_container_width=True, help=lesson.summary)

        st.header("Data")
        dataset = st.selectbox("Dataset", DATA_SOURCES, key=WIDGETS["dataset"],
                               help=HELP["dataset"])
        if dataset == UPLOAD:
            upload = _upload_csv(pg)
        st.slider("Samples", *LIMITS["samples"], step=10, key=WIDGETS["samples"],
                  help=HELP["samples"], disabled=dataset == UPLOAD)
        st.slider("Noise", *LIMITS["noise"], step=0.05, key=WIDGETS["noise"],
                  help=HELP["noise"], disabled=dataset == UPLOAD)
        lo, hi = CLASS_RANGE.get(dataset, (2, 2))
        if hi > lo:
            key = WIDGETS["classes"]
            ss[key] = min(max(ss.get(key, 3), lo), hi)
            st.slider("Classes", lo, hi, key=key, help=HELP["classes"])
        st.slider("Test fraction", *LIMITS["test_fraction"], step=0.05,
                  key=WIDGETS["test_fraction"], help=HELP["test_fraction"])
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.number_input("Data seed", *LIMITS["data_seed"], step=1, key=WIDGETS["data_seed"],
                        help=HELP["data_seed"])
        c2.button("New data", on_click=_on_new_data, help="Draw a new sample of the dataset.",
                  use_container_width=True)

        st.header("Network")
        st.slider("Hidden layers", *LIMITS["layers"], key=WIDGETS["layers"],
                  help=HELP["layers"])
        st.slider("Units per layer", *LIMITS["units"], key=WIDGETS["units"], help=HELP["units"])
        st.selectbox("Activation", ACTIVATIONS, key=WIDGETS["activation"],
                     help=HELP["activation"])
        st.selectbox("Initialisation", INITS, key=WIDGETS["init"], help=HELP["init"])

        st.header("Training")
        st.select_slider("Learning rate", LEARNING_RATES, key=WIDGETS["lr"], help=HELP["lr"],
                         format_func=lambda v: f"{v:g}")
        mode = st.radio("Batch mode", BATCH_MODES, key=WIDGETS["batch_mode"],
                        help=HELP["batch_mode"])
        if mode == "mini-batch":
            st.slider("Batch size", *LIMITS["batch_size"], key=WIDGETS["batch_size"],
                      help=HELP["batch_size"])
        st.caption(f"{pg.trainer.updates_per_epoch:,} update(s) per epoch on "
                   f"{len(pg.data.X_train):,} training points")
        st.selectbox("Optimizer", OPTIMIZERS, key=WIDGETS["optimizer"], help=HELP["optimizer"])
        st.select_slider("L2", L2_CHOICES, key=WIDGETS["l2"], help=HELP["l2"],
                         format_func=lambda v: f"{v:g}")
        st.slider("Speed (updates per frame)", *LIMITS["speed"], key=WIDGETS["speed"],
                  help=HELP["speed"])
        st.number_input("Weight seed", *LIMITS["seed"], step=1, key=WIDGETS["seed"],
                        help=HELP["seed"])
    return upload


def _upload_csv(pg):
    ss = st.session_state
    st.caption("CSV with columns **x1, x2, label** (header optional; labels may be names; "
               "2–10 classes, 4–20,000 rows, comma, semicolon or tab).")
    st.download_button("Sample CSV", sample_csv(), file_name="sample.csv", mime="text/csv",
                       on_click="ignore")
    file = st.file_uploader("CSV file", type=["csv", "txt"], key="w_upload")
    if file is None:
        if pg.upload is None:
            st.info("Upload a file to train on it. The current data stay until then.")
        return None
    data = file.getvalue()
    if ss.get("upload_seen") == (file.file_id, len(data)):
        if ss.get("upload_error"):
            st.error(ss.upload_error)
        elif pg.upload is not None:
            _upload_preview(pg.upload)
        return None
    ss.upload_seen = (file.file_id, len(data))
    try:
        upload = read_upload(file.name, data)
    except DatasetError as exc:
        ss.upload_error = plain(f"Could not load {file.name!r}: {exc} The previous data and "
                                f"run are kept.")
        st.error(ss.upload_error)
        return None
    ss.upload_error = None
    _upload_preview(upload)
    return upload


def _upload_preview(upload):
    st.caption(plain(f"{upload.name}: {len(upload.X):,} points, {len(upload.class_names)} "
                     f"classes (rescaled into [-1, 1]²). {upload.note}"))
    st.plotly_chart(figures.data_figure(upload.X, upload.y, class_names=upload.class_names,
                                        height=220), key="upload_preview",
                    config={"displayModeBar": False})


# ---------------------------------------------------------------------------------------------
# main area
# ---------------------------------------------------------------------------------------------
def main():
    ensure_plotly_js()
    ss = st.session_state
    pg = _init_session()
    if "pending_settings" in ss:                      # e.g. an imported run: before widgets
        _write_widgets(ss.pop("pending_settings"))
    if "pause_request" in ss:
        ss.pause_notice = ss.pop("pause_request")
        ss.playing = False
    ss.last_interaction = time.monotonic()
    # Streamlit forgets the value of a widget that is not drawn in a run (batch size in full
    # batch mode, classes for a two-class dataset); writing the values back keeps them.
    for key in WIDGETS.values():
        if key in ss:
            ss[key] = ss[key]

    upload = _sidebar(pg)
    for notice in pg.apply(_settings_from_widgets(), upload):
        st.toast(plain(notice))
    wanted = to_query(pg.settings)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    ss.page_inputs = _page_inputs()

    st.title("Watch a neural network learn")
    st.caption("A from-scratch NumPy network: h = max(0, xW₁ + b₁), y = softmax(hW₂ + b₂), "
               "trained by backpropagation. Press Play, then change the learning rate, the "
               "batch mode or the network and watch what happens.")
    # one fixed slot for the banners, so that a warning appearing or going does not shift
    # the delta paths of everything below (which would briefly show old and new rows)
    with st.container():
        _banners(pg)
    _controls()
    st.fragment(_live)()          # while playing, the decision map's chart reruns it


def _page_inputs():
    """What the whole-page run reads from the controls outside the live fragment: the
    settings' widgets, the uploaded file and the banners' switches.

    Streamlit's frontend sends the widget changes of one browser task as one rerun request,
    with the fragment id of any of them that has one: a sidebar change made in the same task
    as a tick of the live loop reaches the server as a rerun of the live fragment only, and
    would never be applied. The live fragment compares these with what the last whole-page run
    saw, and reruns the page when they differ."""
    ss = st.session_state
    upload = ss.get("w_upload")
    return (tuple(ss.get(key) for key in WIDGETS.values()), getattr(upload, "file_id", None),
            ss.get("lesson"), bool(ss.get("url_warnings")))


def _banners(pg):
    ss = st.session_state
    for warning in ss.get("url_warnings") or []:
        st.warning(plain(warning), icon="🔗")
    if ss.get("url_warnings"):
        st.button("Dismiss", key="dismiss_url", on_click=_on_dismiss, args=("url_warnings",))
    lesson = lessons.BY_KEY.get(ss.get("lesson"))
    if lesson:
        st.info(f"**{lesson.title}** — {lesson.text}", icon="🎓")
        st.button("Close lesson", key="close_lesson", on_click=_on_dismiss, args=("lesson",))
    if ss.get("pause_notice"):
        st.info(ss.pause_notice, icon="⏸")
        ss.pause_notice = None
    if pg.trainer.diverged:
        # plain(): an imported run file carries its own (untrusted) divergence message
        st.warning(plain(f"{pg.trainer.divergence_message} Choose a smaller learning rate and "
                         f"press Reset."), icon="⚠️")


def _controls():
    cols = st.columns([1.1, 1, 1.4, 1, 4], vertical_alignment="center")
    with cols[0]:
        st.fragment(_play_switch)()
    cols[1].button("Step", on_click=_on_step, help="Exactly one parameter update.",
                   use_container_width=True)
    cols[2].button("Step epoch", on_click=_on_step_epoch,
                   help="Updates until the current epoch ends.", use_container_width=True)
    cols[3].button("Reset", on_click=_on_reset,
                   help="Back to the initial weights (same weight seed); counters to zero.",
                   use_container_width=True)


def _play_switch():
    """Play / Pause, a fragment of its own. Pause reruns only this switch: the live loop's
    next frame (the map's chart asks for it) sees it and is the one that pauses. A whole-page
    rerun cost a busy browser several frames' work, and a Pause click waited for it. Play
    reruns the page, which starts the loop and clears any pause notice."""
    st.toggle("Play", key="playing", help="Train continuously (▶ / ⏸).", on_change=_on_play)
    if st.session_state.pop("start_loop", False):
        st.rerun()


def _live():
    """One frame: train (while playing), then draw the metrics and the charts."""
    ss = st.session_state
    if ss.get("page_inputs") != _page_inputs():
        st.rerun()                # a control outside this fragment changed: see _page_inputs
    pg = ss.pg
    playing = bool(ss.get("playing"))
    # The run that pauses is drawn like a live frame (no hover layer, views as they were),
    # so the click shows at once; the map's chart then asks for one more run (`settle`),
    # which, paused, draws everything in full.
    pausing = not playing and ss.get("live_playing", False)
    ss.live_playing = playing
    ss.lean_frame = playing or pausing
    ss.frame = ss.get("frame", 0) + 1
    # drawn before training: Streamlit ends a run for a newer one (e.g. Step) only at an
    # st.* call, so a click that came while this frame was queued stops it untrained
    # one row container rather than st.columns(6): 7 elements per frame instead of 13, each a
    # websocket message the page handles on its own (docs/performance.md, "Fewer elements
    # per frame")
    metrics_row = st.container(horizontal=True)
    if playing:
        if pg.trainer.diverged:
            _request_pause("Paused: training diverged.")
            st.rerun()
        pg.step(pg.settings.speed, max_seconds=FRAME_BUDGET)
        if pg.trainer.diverged:
            _request_pause("Paused: training diverged.")
            st.rerun()
        limit = ss.get("idle_seconds", IDLE_SECONDS)
        if time.monotonic() - ss.get("last_interaction", 0) > limit:
            _request_pause(f"Paused after {limit / 60:g} minutes without interaction, to "
                           f"share the server fairly. Press Play to continue.")
            st.rerun()
    tr = pg.trainer
    _metrics(metrics_row, tr)
    left, right = st.columns(2)
    xs, ys, ws = pg.grid()
    d = pg.data
    with left:
        # the per-cell hover text is 27 of the map's 48 kB: sent only when paused
        fig = figures.decision_region_figure(xs, ys, ws.P, d.X_train, d.y_train, d.X_test,
                                             d.y_test, class_names=d.class_names,
                                             hover_detail=not ss.lean_frame, image=True)
        live_chart(fig, key="regions", frame=tr.steps, filename="decision-regions",
                   pace=FRAME_SECONDS if playing else None,
                   settle=ss.frame if pausing else None)
    with right:
        log_y = st.toggle("Log-scale loss", key="w_log", on_change=_touch)
        history = tr.history.evals.as_dict()
        pinned = [{"label": p.label, "history": p.history} for p in pg.pins]
        loss = tr.history.loss.as_dict()
        fig = figures.loss_figure(history, log_y=log_y, pinned=pinned,
                                  batch_loss=(loss["step"], loss["loss"]))
        live_chart(fig, key="curves", frame=tr.steps, filename="loss-accuracy")
    # No default: while playing, Streamlit's frontend can drop the state of a widget inside
    # this fragment when a whole-page run and a fragment run overlap, and the control then
    # comes back at its default. An empty choice (that, or a click on the chosen view) keeps
    # the view that was shown.
    if ss.get("w_view") is None:
        ss.w_view = ss.get("view", VIEWS[0])
    view = ss.view = st.segmented_control("View", VIEWS, key="w_view",
                                          label_visibility="collapsed", on_change=_touch)
    {"Gradients": _view_gradients, "Hidden units": _view_hidden_units,
     "Network": _view_network, "Math": _view_math, "Replay": _view_replay,
     "Compare": _view_compare, "Files": _view_files}[view](pg)


def _view_chart(key, build, filename, detail=None):
    """A chart of the views below the main two. In live frames (and the one that pauses) it
    is rebuilt only every VIEW_EVERY-th frame and otherwise re-sent unchanged (cheap for the
    server, a no-op for the browser): these figures are the costliest to draw, and they read
    fine at ~2/s."""
    ss = st.session_state
    pg = ss.pg
    cache = ss.setdefault("view_charts", {})
    entry = cache.get(key)           # (figure JSON, height, run id, update, detail)
    if entry is None or entry[2:] != (pg.run_id, pg.trainer.steps, detail):
        # a new run or another selection is drawn at once; new updates can wait a few frames
        other_chart = entry is None or entry[2] != pg.run_id or entry[4] != detail
        if other_chart or not ss.get("lean_frame") or ss.frame % VIEW_EVERY == 0:
            fig = build()
            entry = cache[key] = (fig.to_json(), int(fig.layout.height or 420), pg.run_id,
                                  pg.trainer.steps, detail)
    live_chart_json(entry[0], entry[1], key, entry[3], filename)


def _fmt(value, kind):
    if value is None or not np.isfinite(value):
        return "—"
    return f"{value:.1%}" if kind == "acc" else f"{value:.4f}"


def _metrics(row, tr):
    m = tr.metrics
    for label, value in (("Update", f"{tr.steps:,}"), ("Epoch", f"{tr.epochs:,}"),
                         ("Train loss", _fmt(m["train_loss"], "loss")),
                         ("Test loss", _fmt(m["test_loss"], "loss")),
                         ("Train acc", _fmt(m["train_acc"], "acc")),
                         ("Test acc", _fmt(m["test_acc"], "acc"))):
        row.metric(label, value, width=METRIC_WIDTH)


# -- views ----------------------------------------------------------------------------------------
def _view_gradients(pg):
    tr = pg.trainer
    left, right = st.columns(2)
    with left:
        if tr.last_grads is None:
            st.caption("Gradients appear after the first update (press Step or Play).")
        else:
            _view_chart("grads", lambda: figures.gradient_heatmaps_figure(
                tr.last_grads, names=("dW", "db")), "gradients")
    with right:
        pairs = list(zip(tr.net.weights, tr.net.biases))
        _view_chart("weights", lambda: figures.gradient_heatmaps_figure(pairs, names=("W", "b")),
                    "weights")
    health = pg.unit_health()
    word = "dead" if tr.net.activation in ("relu", "leaky_relu") else "saturated"
    row = st.container(horizontal=True, gap="large")
    for l, share in enumerate(health):
        row.metric(f"Layer {l + 1} {word} units", f"{share:.0%}", width=2 * METRIC_WIDTH,
                   help=f"Share of hidden units that are {word} on every training point.")
    _view_chart("gradnorms", lambda: figures.grad_norm_figure(tr.history.evals.as_dict()),
                "gradient-norms")
    _gradient_check(pg)


def _gradient_check(pg):
    ss = st.session_state
    if st.button("Gradient check", help="Compare backprop with centred finite differences "
                 "on the current network and a batch of training points."):
        tr = pg.trainer
        # bounded work whatever the network: each checked entry costs two forward passes
        n = min(len(tr.X), 16)
        entries = int(min(40, max(3, 4e6 / (n * tr.net.n_params))))
        errors = gradient_check(tr.net, tr.X[:n], tr.y[:n], l2=tr.l2, max_entries=entries)
        ss.gradcheck = (tr.steps, errors)
    if "gradcheck" in ss:
        step, errors = ss.gradcheck
        st.write(f"Gradient check at update {step:,}: " + describe_gradient_check(errors))
        st.dataframe({"parameter": list(errors),
                      "max relative error": [f"{v:.2e}" for v in errors.values()]},
                     hide_index=True)


def _view_hidden_units(pg):
    xs, ys, ws = pg.grid()
    acts = ws.A[1:]
    _view_chart("units", lambda: figures.hidden_units_figure(xs, ys, acts, max_units=32),
                "hidden-units")
    options = [f"h{l + 1}.{u + 1}" for l, A in enumerate(acts)
               for u in range(min(A.shape[1], 32))]
    choice = st.selectbox("Show one unit large", options, key="w_unit", on_change=_touch)
    if choice:
        layer, unit = (int(v) - 1 for v in choice[1:].split("."))
        _view_chart("unit", lambda: figures.unit_map_figure(
            xs, ys, acts[layer][:, unit], title=f"Unit {choice}", X=pg.data.X_train,
            y=pg.data.y_train), f"unit-{choice}", detail=choice)


def _view_network(pg):
    net = pg.trainer.net
    _view_chart("network", lambda: figures.network_figure(
        net.layer_sizes, net.weights, net.biases, class_names=pg.data.class_names),
        "network")
    st.caption("Line colour: sign of the weight; width: its size. Node colour: the bias "
               "(output nodes too). Layers over 16 units are summarised.")


def _view_math(pg):
    from .math_view import render_math
    render_math(pg)


def _view_replay(pg):
    snaps = pg.snapshots
    if len(snaps.steps) < 2:
        st.caption("Snapshots of the decision regions are taken while training; train a "
                   "little, then come back.")
        return
    idx = st.select_slider("Update", options=list(range(len(snaps.steps))),
                           value=len(snaps.steps) - 1, key="w_replay", on_change=_touch,
                           format_func=lambda i: f"{snaps.steps[i]:,}")
    xs, ys, _ = pg.grid()
    probs = pg.probabilities_at(snaps.params[idx], grid_points(xs, ys))
    d = pg.data
    fig = figures.decision_region_figure(xs, ys, probs, d.X_train, d.y_train, d.X_test,
                                         d.y_test, class_names=d.class_names)
    live_chart(fig, key="replay", frame=snaps.steps[idx], filename="replay")
    st.caption(f"{len(snaps.steps)} snapshots, one every {snaps.every:,} update(s); memory "
               f"is bounded: when full, every other one is dropped.")


def _view_compare(pg):
    st.button("Pin this run", on_click=_on_pin, disabled=len(pg.pins) >= MAX_PINS,
              help=f"Keep this run's curves to compare (up to {MAX_PINS}).")
    if not pg.pins:
        st.caption("Pinned runs appear as dashed lines in the loss and accuracy chart.")
    for i, pin in enumerate(pg.pins):
        c1, c2 = st.columns([5, 1], vertical_alignment="center")
        c1.text(f"{i + 1}. {pin.label} — {pin.steps:,} updates")
        c2.button("Remove", key=f"unpin_{i}", on_click=_on_unpin, args=(i,))


def _view_files(pg):
    tr, d = pg.trainer, pg.data
    extra = pg.export_extra()
    c = st.columns(4)
    c[0].download_button("Run (.json)", lambda: run_to_json(tr, extra),
                         file_name="playground-run.json", mime="application/json",
                         on_click="ignore")
    c[1].download_button("Run (.npz)", lambda: run_to_npz(tr, extra),
                         file_name="playground-run.npz", mime="application/octet-stream",
                         on_click="ignore")
    c[2].download_button("Loss history (.csv)", lambda: history_csv(tr),
                         file_name="playground-history.csv", mime="text/csv",
                         on_click="ignore")
    c[3].download_button("Dataset (.csv)",
                         lambda: dataset_to_csv(d.X_all, d.y_all, list(d.class_names)),
                         file_name="playground-data.csv", mime="text/csv", on_click="ignore")
    st.caption("Figures download as PNG from the camera icon of each chart's toolbar.")
    file = st.file_uploader("Continue an exported run (.json or .npz)", type=["json", "npz"],
                            key="w_runfile")
    ss = st.session_state
    if file is not None and ss.get("runfile_seen") != file.file_id:
        ss.runfile_seen = file.file_id
        try:
            settings = pg.load_run_file(file.getvalue())
        except RunFileError as exc:
            ss.runfile_error = plain(f"Could not continue from {file.name!r}: {exc}")
        else:
            ss.runfile_error = None
            ss.pending_settings = settings
            _request_pause(plain(" ".join([f"Continuing the run from {file.name!r} at update "
                                           f"{pg.trainer.steps:,}.", *pg.import_notes])))
            st.rerun()
    if ss.get("runfile_error"):
        st.error(ss.runfile_error)
