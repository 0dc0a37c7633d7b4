"""The Landscape view: the training loss on a 2-D slice through the current parameters, as
contours, with the optimizer's path (the replay snapshots) projected onto it.

A slice costs up to 41×41 full-batch forward passes in float64, bounded by SLICE_BUDGET
seconds (a larger network gets a coarser grid), so while playing it is recomputed only
every LANDSCAPE_EVERY-th frame and the last one is re-sent in between.
"""

from __future__ import annotations

import streamlit as st

from .. import figures
from ..engine.landscape import DIRECTIONS, flatten, landscape
from .chart import live_chart_json
from .page_state import one_at_a_time, page_state

SLICE_BUDGET = 0.25          # seconds of forward passes for one slice
LANDSCAPE_EVERY = 8          # while playing, a new slice every 8th frame
ZOOMS = (0.25, 0.5, 1.0, 2.0)
NAMES = {"random": "Random (filter-normalised)", "pca": "PCA of the path"}


def show_landscape(page):
    ss = st.session_state
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    if ss.get("w_land_dir") is None:                 # an empty choice keeps the directions
        ss.w_land_dir = page.landscape_kind
    page.landscape_kind = row.segmented_control(
        "Directions", DIRECTIONS, key="w_land_dir", format_func=NAMES.get,
        label_visibility="collapsed", on_change=_touch) or page.landscape_kind
    if ss.get("w_land_zoom") is None:
        ss.w_land_zoom = page.landscape[0][3] if page.landscape else 1.0
    zoom = row.segmented_control("Zoom", ZOOMS, key="w_land_zoom", on_change=_touch,
                                 format_func=lambda z: f"×{z:g}", label_visibility="collapsed")
    key, land, note, figure_json, height = _slice(page, page.landscape_kind, zoom or 1.0)
    if note:
        st.caption(note)
    live_chart_json(figure_json, height, "landscape", key[1], "loss-landscape")
    share = (f" The plane holds {land.share:.1%} of the path's squared distance from here."
             .replace("%", " %") if land.share is not None else "")
    st.caption(
        f"Training loss at θ + a·d1 + b·d2 on a {land.n}×{land.n} grid ({land.seconds:.2f} s, "
        f"float64), at update {key[1]:,}; the star is the current parameters "
        f"(the centre), the line the replay snapshots projected onto the plane. Zoom ×1 spans "
        f"±1 along random directions, or the path with a margin.{share}")
    st.caption(
        f"What a slice can and cannot show: it is a 2-D cut through a "
        f"{page.pg.trainer.net.n_params:,}-dimensional surface, so it shows valleys and "
        "barriers along these two directions only; a valley here may be a saddle in the "
        "others. The path may leave the plane: its projection is drawn, and points that "
        "look close may be far apart. Random directions are nearly orthogonal to the path "
        "(in many dimensions almost all are), so its projection stays short; the PCA plane "
        "is the one the path lies closest to.")


def _slice(page, kind, zoom):
    """The cached slice, or a new one when the run moved on (while playing, only every
    LANDSCAPE_EVERY-th frame): (key, Landscape, a note or None, figure JSON, height)."""
    pg = page.pg
    tr = pg.trainer
    key = (pg.run_id, tr.updates, kind, zoom)
    cached = page.landscape
    if cached is not None:
        same_view = cached[0][0] == pg.run_id and cached[0][2:] == (kind, zoom)
        if cached[0] == key or (same_view and page.live.lean
                                and page.live.frame % LANDSCAPE_EVERY):
            return cached
    d = pg.data
    path = [flatten(tr.net, p) for p in pg.snapshots.params]
    note = None
    try:
        land = landscape(tr.net, d.X_train, d.y_train, l2=tr.l2, kind=kind, trajectory=path,
                         seed=pg.settings.seed, budget=SLICE_BUDGET, scale=zoom, l1=tr.l1)
    except ValueError:
        note = ("PCA needs a path that spans two directions: train a little (Step or Play), "
                "then come back. Shown meanwhile: random directions.")
        land = landscape(tr.net, d.X_train, d.y_train, l2=tr.l2, kind="random",
                         trajectory=path, seed=pg.settings.seed, budget=SLICE_BUDGET,
                         scale=zoom, l1=tr.l1)
    axis = "random" if land.kind == "random" else "PC"
    fig = figures.landscape_figure(land.alphas, land.betas, land.losses,
                                   (land.path_a, land.path_b), titles=(f"{axis} 1", f"{axis} 2"))
    page.landscape = (key, land, note, fig.to_json(), int(fig.layout.height))
    return page.landscape


@one_at_a_time
def _touch():
    page_state().touch()
