"""The network as a node-link diagram: weights as links, biases as node colours."""

import numpy as np

from .common import (
    _NEG_RGB,
    _POS_RGB,
    DIVERGING,
    _bare_axis,
    _class_names,
    _f32,
    _figure,
    _layout,
    class_colors,
    safe_text,
)
from .network_maps import input_label, node_thumbnails, scale_words

_LINK_BUCKETS = 4
_LINK_WIDTHS = (0.6, 1.4, 2.6, 4.2)
_LINK_OPACITY = (0.3, 0.5, 0.7, 0.85)
_NETWORK_KEY = ("links: <span style='color:#b2182b'>w > 0</span> · "
                "<span style='color:#2166ac'>w < 0</span>, width ∝ |w| · "
                "node colour: bias")
_MAPS_KEY = _NETWORK_KEY.replace("node colour: bias", "node: its map over the plane, "
                                 "frame: bias")
# With maps, a node is a square thumbnail: NODE_PITCH px a node at least (the diagram grows
# to fit its widest layer), the thumbnail 0.8 of the pitch, at most THUMB_MAX_PX a side.
NODE_PITCH, THUMB_MAX_PX = 36, 44
_MARGIN_T, _MARGIN_B = 10, 24
_SELECTED = "#D55E00"


def _shown_units(size, max_units):
    """Indices of drawn units and how many are folded into a "+N more" node."""
    if size <= max_units:
        return np.arange(size), 0
    return np.arange(max_units - 1), size - (max_units - 1)


def network_figure(layer_sizes, weights, biases, *, max_units=16, class_names=None,
                   height=420, maps=None, activation=None, output="probability",
                   input_labels=None, selected=None):
    """Node-link diagram of the network.

    Nodes: one Scatter per layer (inputs "x1, x2, ...", hidden "h{l}.{u}", outputs by class
    name), filled by the node's bias on the blue–white–red scale (inputs grey); output nodes
    get a ring in their class colour. Links: red for positive, blue for negative weights,
    width and opacity in 4 buckets of |w| / max |w| (over the drawn links), drawn as
    NaN-separated segments in at most 8 traces (no legend; a key line sits under the
    diagram). Layers wider than ``max_units`` show their
    first max_units-1 units and a "+N more" node; links of the omitted units are not drawn.
    ``fig.layout.meta = {"links": drawn links, "nodes": drawn nodes (incl. "+N more"),
    "shown": drawn nodes per layer, "thumbnails": small maps drawn}``.

    Each node trace carries ``meta={"layer": l}`` and ``customdata`` = its units' indices
    (−1 for "+N more"), which the page's chart reports when a node is hovered or clicked.
    ``input_labels``: the inputs' names (default x₁, x₂, ...).

    ``maps`` (one (ny, nx, units) array per layer, inputs first, over one grid) turns each
    drawn node into a square thumbnail of its map (:func:`~playground.figures.network_maps.
    node_thumbnails`: one colour range per layer; ``activation`` fixes the hidden layers',
    ``output`` is "probability" or "value"), a layout image over a square marker whose
    colour is the bias (a frame); the figure grows to NODE_PITCH px a node. The hover names
    the layer's colour range. ``selected=(layer, unit)`` (0-based layer) rings one node.
    """
    sizes = [int(s) for s in layer_sizes]
    n_layers = len(sizes)
    shown = [_shown_units(s, max_units) for s in sizes]
    # Node y positions: each layer centred on 0, one unit apart.
    ypos = []
    for idx, more in shown:
        count = len(idx) + (1 if more else 0)
        ypos.append((count - 1) / 2.0 - np.arange(count, dtype=np.float64))

    # -- links: gather every drawn segment, then group by (sign, width bucket) --
    seg_x0, seg_y0, seg_y1, seg_w = [], [], [], []
    for l, W in enumerate(weights):
        W = np.asarray(W)
        ins, outs = shown[l][0], shown[l + 1][0]
        sub = W[np.ix_(ins, outs)]
        gi, go_ = np.meshgrid(np.arange(len(ins)), np.arange(len(outs)), indexing="ij")
        seg_x0.append(np.full(sub.size, float(l)))
        seg_y0.append(ypos[l][gi.ravel()])
        seg_y1.append(ypos[l + 1][go_.ravel()])
        seg_w.append(sub.ravel().astype(np.float64))
    x0 = np.concatenate(seg_x0) if seg_x0 else np.zeros(0)
    y0 = np.concatenate(seg_y0) if seg_y0 else np.zeros(0)
    y1 = np.concatenate(seg_y1) if seg_y1 else np.zeros(0)
    w = np.concatenate(seg_w) if seg_w else np.zeros(0)
    wmax = float(np.max(np.abs(w))) if w.size else 0.0
    bucket = (np.zeros(w.size, dtype=int) if wmax == 0 else
              np.clip(np.ceil(np.abs(w) / wmax * _LINK_BUCKETS) - 1, 0, _LINK_BUCKETS - 1)
              .astype(int))

    # Links carry no legend or hover (a key annotation explains the colours): every extra
    # trace or property costs build and serialisation time on each redraw.
    data = []
    for positive, rgb in ((True, _POS_RGB), (False, _NEG_RGB)):
        sign_mask = (w >= 0) if positive else (w < 0)
        for b in range(_LINK_BUCKETS):
            mask = sign_mask & (bucket == b)
            m = int(mask.sum())
            if not m:
                continue
            seg_x = np.empty((m, 3), dtype=np.float32)
            seg_y = np.empty((m, 3), dtype=np.float32)
            seg_x[:, 0], seg_x[:, 1], seg_x[:, 2] = x0[mask], x0[mask] + 1, np.nan
            seg_y[:, 0], seg_y[:, 1], seg_y[:, 2] = y0[mask], y1[mask], np.nan
            r, g, bl = rgb
            data.append(dict(type="scatter", mode="lines", x=seg_x.ravel(), y=seg_y.ravel(),
                             line=dict(width=_LINK_WIDTHS[b],
                                       color=f"rgba({r},{g},{bl},{_LINK_OPACITY[b]})"),
                             hoverinfo="skip", showlegend=False))

    # -- nodes --
    bias_max = max((float(np.max(np.abs(np.asarray(b)))) for b in biases if np.size(b)),
                   default=0.0)
    names = _class_names(class_names, sizes[-1])
    colors = class_colors(sizes[-1])
    n_nodes = sum(len(idx) + (1 if more else 0) for idx, more in shown)
    span = max((len(p) for p in ypos), default=1)
    images, side, words = [], None, [None] * n_layers
    if maps is not None:
        height = max(height, round((span + 0.8) * NODE_PITCH) + _MARGIN_T + _MARGIN_B)
        unit_px = (height - _MARGIN_T - _MARGIN_B) / (span + 0.8)   # px per y unit
        side = min(THUMB_MAX_PX, 0.8 * unit_px)
        pngs, scales = node_thumbnails(maps, [idx for idx, _ in shown],
                                       activation=activation, output=output)
        words = [scale_words(*sc) for sc in scales]
        for l, row in enumerate(pngs):
            for u, png in enumerate(row):
                images.append(dict(source=png, xref="x", yref="y", x=float(l),
                                   y=float(ypos[l][u]), sizex=0.8, sizey=side / unit_px,
                                   xanchor="center", yanchor="middle", sizing="contain",
                                   layer="above", name=_node_name(l, n_layers, u)))
    labels = list(input_labels) if input_labels is not None else \
        [input_label(i) for i in range(sizes[0])]
    for l, ((idx, more), yp) in enumerate(zip(shown, ypos)):
        data.append(_layer_nodes(l, n_layers, idx, more, yp, biases, bias_max, names, colors,
                                 labels, side, words[l]))
    if selected is not None and maps is not None:
        l, u = (int(v) for v in selected)
        if 0 <= l < n_layers and 0 <= u < len(shown[l][0]):
            data.append(dict(type="scatter", mode="markers", x=_f32([l]),
                             y=_f32([ypos[l][u]]), hoverinfo="skip", name="selected",
                             marker=dict(symbol="square-open", size=side + 12,
                                         color=_SELECTED, line=dict(width=3))))

    n_links = int(w.size)
    layout = _layout(
        height,
        xaxis=_bare_axis(range=[-0.7, n_layers - 1 + 0.9], fixedrange=False),
        yaxis=_bare_axis(range=[-(span / 2 + 0.6), span / 2 + 0.2]),   # room: "+N more"
        showlegend=False,
        annotations=[dict(text=_MAPS_KEY if images else _NETWORK_KEY, x=0, y=0,
                          xref="paper", yref="paper", xanchor="left", yanchor="top",
                          showarrow=False, font=dict(size=10, color="#555555"))],
        margin=dict(l=10, r=10, t=_MARGIN_T, b=_MARGIN_B),
        meta={"links": n_links, "nodes": n_nodes,
              "shown": [len(i) + (1 if m else 0) for i, m in shown],
              "thumbnails": len(images)},
    )
    if images:
        layout["images"] = images
    return _figure(data, layout)


def _node_name(l, n_layers, u):
    """A node's id: "x1" (input), "h1.3" (hidden), "out0" (output)."""
    if l == 0:
        return f"x{u + 1}"
    return f"out{u}" if l == n_layers - 1 else f"h{l}.{u + 1}"


def _layer_nodes(l, n_layers, idx, more, ypos, biases, bias_max, names, class_cols,
                 input_labels, side=None, words=None):
    """The Scatter of one layer's nodes (and its "+N more" node, if any). Fill colours are
    numbers (the bias) on the diverging scale: a numeric array validates ~10× faster than a
    list of colour strings. Input nodes have no bias and are grey; "+N more" is white (0).
    With thumbnails (``side``: their size in px) the nodes are squares a little larger than
    the thumbnail drawn over them, so the fill shows as a frame; ``words``: the layer's
    colour range, for the hover."""
    is_input, is_output = l == 0, l == n_layers - 1
    bias = None if is_input else np.asarray(biases[l - 1], dtype=np.float64)[idx]
    if is_input:
        labels = [safe_text(input_labels[i]) for i in idx]
        hover = list(labels)
    else:
        labels = [names[i] for i in idx] if is_output else [f"h{l}.{i + 1}" for i in idx]
        hover = [f"{a}<br>bias {b:.3g}" for a, b in zip(labels, bias)]
    if words:
        hover = [f"{h}<br>map: {words}" for h in hover]
    text = labels if (is_input or is_output) else [""] * len(idx)
    if more:
        text = text + [f"+{more} more"]
        hover.append(f"+{more} more units (not drawn)")
    count = len(idx) + (1 if more else 0)
    marker = dict(size=16 if count <= 16 else 10, line=dict(color="#666666", width=1))
    if side is not None:
        marker.update(symbol=["square"] * len(idx) + ["circle"] * bool(more),
                      size=[round(side) + 6] * len(idx) + [10] * bool(more),
                      line=dict(width=0))
    if is_input:
        marker["color"] = "#d9d9d9"
    else:
        values = np.zeros(count, dtype=np.float32)
        values[:len(idx)] = bias
        m = max(bias_max, 1e-12)
        marker.update(color=values, colorscale=DIVERGING, cmin=-m, cmax=m)
    if is_output:      # a ring in the class colour: which output is which class
        marker["line"] = dict(color=[class_cols[i] for i in idx] + ["#999999"] * bool(more),
                              width=3 if side is None else 2)
    position = ("middle left" if is_input else
                "middle right" if is_output else "bottom center")
    units = np.full(count, -1, dtype=np.int32)
    units[:len(idx)] = idx
    return dict(type="scatter", mode="markers+text", x=np.full(count, float(l), np.float32),
                y=_f32(ypos), text=text, textposition=position, hovertext=hover,
                hoverinfo="text", marker=marker, customdata=units, meta={"layer": l},
                name="input" if is_input else ("output" if is_output else f"layer {l}"))
