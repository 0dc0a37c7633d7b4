"""The views beside the map: gradients, hidden units, network, replay, compare and files
here, and math (:mod:`.math_view`), backprop (:mod:`.backprop_view`), race (:mod:`.race_view`)
and landscape (:mod:`.landscape_view`) in their own modules. Each registers itself
(:func:`~playground.app.viewkit.register`), takes the page's state and draws into the
current container."""

from __future__ import annotations

import streamlit as st

from .. import figures
from ..engine.activations import activation
from ..engine.csvfile import dataset_to_csv
from ..engine.datasets import grid_points
from ..engine.gradcheck import describe_gradient_check, gradient_check
from ..engine.runfiles import RunFileError, history_csv, run_to_json, run_to_npz
from ..engine.tasks import task
from ..state.drawing import shown
from ..state.playground import MAX_PINS
from . import backprop_view, landscape_view, math_view, network_focus, race_view  # noqa: F401  (they register)
from .chart import live_chart
from .page_state import one_at_a_time, page_state, plain
from .viewkit import register, throttled_chart, view_names
from .viewkit import touch as _touch

VIEW_EVERY = 4               # while playing, the views' charts redraw every 4th frame
MAX_UNIT_TILES = 32          # hidden units drawn as small maps


def _view_chart(page, key, build, filename, detail=None, **chart):
    """A view's chart. In lean frames (playing, and the one that pauses) it is rebuilt only
    every VIEW_EVERY-th frame and otherwise re-sent unchanged: these figures are the
    costliest to draw, and they read fine at ~2/s. A new run or another selection
    (``detail``) is drawn at once."""
    pg = page.pg
    throttled_chart(page, key, pg.run_id, pg.trainer.updates, detail, VIEW_EVERY, build,
                    filename, **chart)


@register("Gradients", position=1)
def _gradients(page):
    pg = page.pg
    tr = pg.trainer
    shared = not st.toggle("Scale per layer", key="w_scale_per_layer", on_change=_touch,
                           help="Off: one colour scale for all layers, so a layer with tiny "
                           "values looks white. On: each layer scaled to its own maximum.")
    if shared:
        st.caption("Colours: one scale for all layers of a chart, ±m with m its largest "
                   "|value| (in the colour bar): blue negative, white 0, red positive. "
                   "Rows are a layer's inputs (fan_in), columns its units (fan_out).")
    else:
        st.caption("Colours: each layer on its own scale ±m (m in the layer's title), so "
                   "layers cannot be compared by colour. Blue negative, white 0, red "
                   "positive.")
    if tr.last_grads is None:
        st.caption("Gradients appear after the first update (press Step or Play).")
    else:
        _view_chart(page, "grads", lambda: figures.gradient_heatmaps_figure(
            tr.last_grads, names=("dW", "db"), shared_scale=shared), "gradients",
            detail=shared)
    pairs = pg.parameters()
    _view_chart(page, "weights", lambda: figures.gradient_heatmaps_figure(
        pairs, names=("W", "b"), shared_scale=shared), "weights", detail=shared)
    word = activation(tr.net.activation).stuck_word or "saturated"
    # one metric for every layer: four layers' shares side by side fit the view's column
    health = pg.unit_health()
    with st.container(key="health"):
        if not health:                        # no hidden layer: no units to be dead
            st.caption("No hidden layer: no units can be dead or saturated.")
        else:
            st.metric(f"{word.capitalize()} units, layer 1 → {len(health)}" if len(health) > 1
                      else f"{word.capitalize()} units", " · ".join(f"{s:.0%}" for s in health),
                      help=f"Share of each hidden layer's units that are {word} on every "
                           f"training point (they pass no gradient back).")
    _view_chart(page, "gradnorms", lambda: figures.grad_norm_figure(tr.history.evals.as_dict()),
                "gradient-norms")
    _gradient_check(page)


def _gradient_check(page):
    tr = page.pg.trainer
    if st.button("Gradient check", help="Compare backprop with centred finite differences "
                 "on the current network and a batch of training points."):
        # bounded work whatever the network: each checked entry costs two forward passes
        n = min(len(tr.X), 16)
        entries = int(min(40, max(3, 4e6 / (n * tr.net.n_params))))
        errors = gradient_check(tr.net, tr.X[:n], tr.y[:n], l2=tr.l2, l1=tr.l1,
                                max_entries=entries)
        page.gradcheck = (tr.updates, errors)
    if page.gradcheck is not None:
        update, errors = page.gradcheck
        st.write(f"Gradient check at update {update:,}: " + describe_gradient_check(errors))
        st.dataframe({"parameter": list(errors),
                      "max relative error": [f"{v:.2e}" for v in errors.values()]},
                     hide_index=True)


@register("Hidden units", position=2)
def _hidden_units(page):
    pg = page.pg
    grid = pg.grid()
    act = pg.trainer.net.activation
    # every unit can be opened large, also those past the tiles' cap
    sizes = pg.trainer.net.layer_sizes[1:-1]
    if not sizes:
        st.info("This network has no hidden layer: its scores are a linear function of the "
                "inputs, so there are no hidden units to show. Add a layer in the sidebar.")
        return
    options = [f"h{l + 1}.{u + 1}" for l, size in enumerate(sizes) for u in range(size)]
    choice = st.session_state.get("w_unit")
    selected = tuple(int(v) for v in choice[1:].split(".")) if choice in options else None
    # the activations over the grid are copied only when a chart is rebuilt (a 4×256
    # network's are 41 MB)
    _view_chart(page, "units", lambda: figures.hidden_units_figure(
        grid.xs, grid.ys, pg.grid_activations(), activation=act, max_units=MAX_UNIT_TILES,
        selected=selected), "hidden-units", detail=selected)
    choice = st.selectbox("Show one unit large", options, key="w_unit", on_change=_touch)
    if choice:
        layer, unit = (int(v) - 1 for v in choice[1:].split("."))
        def unit_map():
            acts = pg.grid_activations(layer)
            # regression targets are no classes to colour the points by
            classes = task(pg.data.task).softmax
            return figures.unit_map_figure(
                grid.xs, grid.ys, acts[:, unit], title=f"Unit {choice}", activation=act,
                layer=acts, X=pg.data.X_train if classes else None,
                y=pg.data.y_train if classes else None)
        _view_chart(page, "unit", unit_map, f"unit-{choice}", detail=choice)


@register("Network", position=0)
def _network(page):
    pg = page.pg
    focus = network_focus.focused(page)
    _view_chart(page, "network", lambda: network_focus.network_figure(pg, focus), "network",
                detail=focus, units={"released": network_focus.focus_memory(page).releases})
    st.caption(network_focus.caption(pg.trainer.net))
    network_focus.back_button(page)


@register("Replay", position=5)
def _replay(page):
    pg = page.pg
    snaps = pg.snapshots
    if len(snaps.updates) < 2:
        st.caption("Snapshots of the decision regions are taken while training; train a "
                   "little, then come back.")
        return
    idx = st.select_slider("Update", options=list(range(len(snaps.updates))),
                           value=len(snaps.updates) - 1, key="w_replay", on_change=_touch,
                           format_func=lambda i: f"{snaps.updates[i]:,}")
    grid = pg.grid()
    probs = pg.probabilities_at(snaps.params[idx], grid_points(grid.xs, grid.ys))
    d = pg.data
    fig = getattr(figures, task(d.task).map_figure)(
        grid.xs, grid.ys, probs, d.X_train, d.y_train, d.X_test, d.y_test,
        class_names=d.class_names)
    live_chart(fig, key="replay", frame=snaps.updates[idx], filename="replay")
    # snapshots are offered once per frame, so their spacing is what the frames made it
    gap = (snaps.updates[-1] - snaps.updates[0]) / (len(snaps.updates) - 1)
    st.caption(f"{len(snaps.updates)} snapshots, about one every {gap:,.0f} updates; memory "
               f"is bounded: when full, every other one is dropped.")


@register("Compare", position=6)
def _compare(page):
    pg = page.pg
    st.button("Pin this run", on_click=one_at_a_time(pg.pin), disabled=len(pg.pins) >= MAX_PINS,
              help=f"Keep this run's curves to compare (up to {MAX_PINS}).")
    if not pg.pins:
        st.caption("Pinned runs appear as dashed lines in the loss and accuracy chart.")
    for i, pin in enumerate(pg.pins):
        c1, c2 = st.columns([5, 1], vertical_alignment="center")
        c1.text(f"{i + 1}. {pin.label} — {pin.updates:,} updates")
        c2.button("Remove", key=f"unpin_{i}", on_click=one_at_a_time(pg.unpin), args=(i,))


@register("Files", position=9)
def _files(page):
    pg = page.pg
    tr, d = pg.trainer, shown(pg)      # painted points, even those not trained on yet
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
    c[3].download_button("Dataset (.csv)", lambda: _dataset_csv(d),
                         file_name="playground-data.csv", mime="text/csv", on_click="ignore")
    st.caption("Figures download as PNG from the camera icon of each chart's toolbar.")
    st.file_uploader("Continue an exported run (.json or .npz)", type=["json", "npz"],
                     key="w_runfile", on_change=_on_run_file)
    if page.runfile_error:
        st.error(page.runfile_error)


def _dataset_csv(d):
    """The data as CSV: x1, x2 and the class (by name), or for regression the target value
    (written exactly, as the coordinates are)."""
    if task(d.task).softmax:
        return dataset_to_csv(d.X_all, d.y_all, list(d.class_names))
    rows = ["x1,x2,target"] + [f"{a!r},{b!r},{t!r}" for (a, b), t in
                               zip(d.X_all.tolist(), d.y_all.tolist())]
    return "\n".join(rows) + "\n"


@one_at_a_time
def _on_run_file():
    """A run file was chosen: continue it (in this callback, before the widgets are drawn,
    so they show its settings in this very run), or say why not and keep the current run."""
    page = page_state()
    file = st.session_state.get("w_runfile")
    if file is None:
        return
    pg = page.pg
    try:
        settings = pg.load_run_file(file.getvalue())
    except RunFileError as exc:
        page.runfile_error = plain(f"Could not continue from {file.name!r}: {exc}")
        return
    page.runfile_error = None
    page.shown = settings                # the controls show the run's settings
    page.pause_request = plain(" ".join([f"Continuing the run from {file.name!r} at update "
                                        f"{pg.trainer.updates:,}.", *pg.import_notes]))
    # the uploader is inside the live fragment: make the fragment rerun the whole page, so
    # the Play switch and the notice are drawn again (even when the settings are the same)
    page.live.page_inputs = None


VIEWS = view_names()         # the view bar's order (the registry's)
