"""The Landscape view: the training loss on a 2-D slice through the current parameters, as
contours, with the optimizer's path (the replay snapshots) projected onto it.

A slice costs up to 41×41 full-batch forward passes in float64, bounded by SLICE_BUDGET
seconds (a larger network gets a coarser grid), so while playing it is recomputed only
every LANDSCAPE_EVERY-th frame and the last one is re-sent in between.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from .. import figures
from ..engine.landscape import DIRECTIONS, flatten, landscape
from .chart import live_chart_json
from .viewkit import memory, register, sticky_segmented_control, throttled, touch

SLICE_BUDGET = 0.25          # seconds of forward passes for one slice
LANDSCAPE_EVERY = 8          # while playing, a new slice every 8th frame
ZOOMS = (0.25, 0.5, 1.0, 2.0)
NAMES = {"random": "Random (filter-normalised)", "pca": "PCA of the path"}


@dataclass
class LandscapeMemory:
    kind: str = "random"         # the directions (engine.landscape.DIRECTIONS)
    zoom: float = 1.0


@register("Landscape", position=8)
def show_landscape(page):
    mem = memory(page, LandscapeMemory)
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    mem.kind = sticky_segmented_control(
        "Directions", DIRECTIONS, "w_land_dir", mem.kind, row, format_func=NAMES.get,
        label_visibility="collapsed", on_change=touch)
    mem.zoom = sticky_segmented_control(
        "Zoom", ZOOMS, "w_land_zoom", mem.zoom, row, on_change=touch,
        format_func=lambda z: f"×{z:g}", label_visibility="collapsed")
    entry = _slice(page, mem.kind, mem.zoom)
    land, note, figure_json, height = entry.value
    if note:
        st.caption(note)
    live_chart_json(figure_json, height, "landscape", entry.update, "loss-landscape")
    share = (f" The plane holds {land.share:.1%} of the path's squared distance from here."
             .replace("%", " %") if land.share is not None else "")
    st.caption(
        f"Training loss at θ + a·d1 + b·d2 on a {land.n}×{land.n} grid ({land.seconds:.2f} s, "
        f"float64), at update {entry.update:,}; the star is the current parameters "
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
    LANDSCAPE_EVERY-th frame): a :class:`~playground.app.viewkit.Cached` entry whose value
    is (Landscape, a note or None, figure JSON, height)."""
    pg = page.pg
    return throttled(page, "landscape", pg.run_id, pg.trainer.updates, (kind, zoom),
                     LANDSCAPE_EVERY, lambda: _new_slice(pg, kind, zoom))


def _new_slice(pg, kind, zoom):
    tr, d = pg.trainer, pg.data
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
    return land, note, fig.to_json(), int(fig.layout.height)
