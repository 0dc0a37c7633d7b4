"""Neuron thumbnails: every node of the Network view's diagram carries its map over
the plane, and a node hovered or clicked there is shown large in the decision map's place.

The diagram's chart reports the node under the mouse as its ``unit`` state (chart.js:
``{"layer", "unit", "how", "t"}``, or ``layer`` None when released: the mouse left a hovered
node, or a clicked one was clicked again). :func:`take_unit` takes a new report at the start
of a live frame; :func:`focus_figure` then draws that node's map on the main map, titled and
with the data points kept, until it is released, the "Back to the decision map" button is
pressed, or another view is chosen (the diagram, the only way to release it, is gone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from .. import figures
from ..engine.datasets import grid_points
from ..engine.features import FEATURE_LABELS
from ..engine.tasks import task
from ..figures.network_maps import class_scale, layer_scale, node_map_figure, node_title
from .page_state import one_at_a_time
from .viewkit import memory

NETWORK_VIEW = "Network"
MAX_NODES = 16               # the diagram's nodes per layer (figures.network_figure's default)


def output_kind(net):
    return "probability" if task(net.task).softmax else "value"


def input_labels(net):
    """The input nodes' names: the features' labels, or x₁, x₂ (raw inputs)."""
    features = getattr(net, "features", None)
    return [FEATURE_LABELS.get(f, f) for f in features] if features else None


def layer_map(pg, layer):
    """One layer's values over the decision map's grid, (G·G, units): the network's inputs
    (features, if any), a hidden layer's activations, or the outputs (class probabilities,
    or the predicted value)."""
    net = pg.trainer.net
    grid = pg.grid()
    if layer == 0:
        return net.featurize(grid_points(grid.xs, grid.ys))
    if layer == net.n_layers:
        return np.asarray(grid.probs).reshape(len(grid.ys) * len(grid.xs), -1)
    return pg.grid_activations(layer - 1)


def network_maps(pg):
    """Every layer's map as (ny, nx, units) arrays, inputs first (for the diagram)."""
    grid = pg.grid()
    shape = (len(grid.ys), len(grid.xs), -1)
    return [layer_map(pg, l).reshape(shape) for l in range(pg.trainer.net.n_layers + 1)]


def caption(net):
    """What the diagram shows, under it."""
    output = ("the predicted value" if output_kind(net) == "value"
              else "each class's probability")
    return (f"Each node shows its value over the plane (inputs; hidden units: their "
            f"activation; outputs: {output}), one colour range per layer (in the hover). "
            f"Point at a node, or click it to keep it, to see its map large on the main map. "
            f"Line colour: sign of the weight; width: its size. Node frame: the bias. Layers "
            f"over {MAX_NODES} units are summarised.")


def network_figure(pg, selected=None):
    """The Network view's diagram with a thumbnail on every drawn node."""
    net = pg.trainer.net
    weights, biases = zip(*pg.parameters())
    return figures.network_figure(net.layer_sizes, weights, biases, max_units=MAX_NODES,
                                  class_names=pg.data.class_names, maps=network_maps(pg),
                                  activation=net.activation, output=output_kind(net),
                                  input_labels=input_labels(net), selected=selected)


@dataclass
class FocusMemory:
    # the Network view's node shown large on the main map, (layer, unit), and the diagram's
    # last report taken (its browser time)
    focus: tuple | None = None
    seen: object = None
    releases: int = 0            # releases by the page (its button), told to chart.js


def focus_memory(page) -> FocusMemory:
    return memory(page, FocusMemory)


def take_unit(page):
    """Take a new report of the diagram's chart (once, by its browser time ``t``): the node
    it names becomes the focus, a release (``layer`` None) clears it."""
    mem = focus_memory(page)
    report = (st.session_state.get("network") or {}).get("unit")
    if not isinstance(report, dict) or report.get("t") == mem.seen:
        return
    mem.seen = report.get("t")
    try:
        mem.focus = (None if report.get("layer") is None else
                     (int(report["layer"]), int(report["unit"])))
    except (KeyError, TypeError, ValueError):
        mem.focus = None


def focused(page):
    """The node shown large, (layer, unit) with layer 0 the inputs, or None: none chosen,
    another view open, or the node no longer drawn (a new network)."""
    mem = focus_memory(page)
    if mem.focus is None:
        return None
    chosen = st.session_state.get("w_view") or page.view
    sizes = page.pg.trainer.net.layer_sizes
    layer, unit = mem.focus
    # a layer wider than the diagram shows MAX_NODES - 1 nodes and a "+N more"
    drawn = 0 if not 0 <= layer < len(sizes) else \
        sizes[layer] if sizes[layer] <= MAX_NODES else MAX_NODES - 1
    if chosen != NETWORK_VIEW or not 0 <= unit < drawn:
        release(page)             # chart.js, too, lets go of a node it holds
        return None
    return mem.focus


def release(page):
    mem = focus_memory(page)
    mem.focus = None
    mem.releases += 1


@one_at_a_time
def _back(page):
    release(page)
    page.touch()


def back_button(page):
    """The way back from a clicked node's map (a hovered one goes when the mouse leaves)."""
    st.button("Back to the decision map", key="unit_back", icon=":material/undo:",
              disabled=focused(page) is None, on_click=_back, args=(page,),
              help="Show the class regions on the main map again.")


def focus_figure(page, show_train, show_test, lean):
    """The focused node's map for the main map, or None (no node in focus)."""
    focus = focused(page)
    if focus is None:
        return None
    layer, unit = focus
    pg = page.pg
    net, d, grid = pg.trainer.net, pg.data, pg.grid()
    n_layers = net.n_layers + 1
    values = layer_map(pg, layer)
    kind = ("input" if layer == 0 else output_kind(net) if layer == n_layers - 1
            else "hidden")
    lo, hi, scale = layer_scale(kind, values, net.activation)
    if scale is None:                               # a class: white to its colour
        scale = class_scale(figures.class_colors(values.shape[1])[unit])
    title = node_title(layer, unit, n_layers, input_labels=input_labels(net),
                       class_names=d.class_names, output=output_kind(net))
    return node_map_figure(grid.xs, grid.ys, values[:, unit], lo=lo, hi=hi, colorscale=scale,
                           title=title, X_train=d.X_train if show_train else None,
                           y_train=d.y_train if show_train else None,
                           X_test=d.X_test if show_test else None,
                           y_test=d.y_test if show_test else None,
                           class_names=d.class_names, hover_detail=not lean)
