"""What every node of the network computes over the input plane, as TensorFlow Playground
shows it: honest colour scales per layer, small palette PNGs for the diagram's nodes
(:func:`node_thumbnails`), and one node's map large in the decision map's place
(:func:`node_map_figure`).

A layer's maps share one colour range, so a weak unit looks weak beside a strong one:
inputs and regression outputs ±m (m the layer's largest |value|, blue–white–red); hidden
units their activation's range (:func:`~playground.figures.units.activation_range`, as the
Hidden units view); class probabilities [0, 1], white to the class's colour (pale = unlikely,
as the decision map's shading). A map is uint8 levels 0..254 of that range
(:func:`~playground.figures.units._levels`) in a palette PNG: ~0.4–1 kB for a 34×34 node,
where a heatmap trace per node costs validation, JSON and a canvas in the browser.
"""

import numpy as np

from .common import (
    DIVERGING,
    SEQUENTIAL,
    _class_names,
    _class_points,
    _f32,
    _figure,
    _hex_rgb,
    _layout,
    class_colors,
    grid_image,
    plane_axes,
    safe_text,
    sci_text,
    subscript,
)
from .regions import palette_png
from .units import _LEVELS, _levels, activation_range

KINDS = ("input", "hidden", "probability", "value")
THUMB_TARGET = 32            # a thumbnail has ~32 grid points a side (100×100 grid: 34×34)
# A thumbnail's levels 0..THUMB_LEVELS (63 colours; even, so the range's middle is a level's
# centre, as in units._LEVELS): its palette is most of a small PNG (3 bytes a colour), and
# ~30 px show no finer steps. The large map keeps units._LEVELS.
THUMB_LEVELS = 62
# plotly.js's own Viridis stops (what SEQUENTIAL names), so a PNG matches the heatmaps
_VIRIDIS = ("#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e",
            "#26828e", "#21918c", "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b",
            "#addc30", "#d8e219", "#fde725")


def _stops(colorscale):
    if colorscale == SEQUENTIAL:
        pos = [min(1.0, 16 * i / 255) for i in range(len(_VIRIDIS))]
        return pos, [_hex_rgb(c) for c in _VIRIDIS]
    return [float(t) for t, _ in colorscale], [_hex_rgb(c) for _, c in colorscale]


def palette(colorscale, levels=_LEVELS):
    """The colour of each level 0..levels of a colorscale, (levels + 1, 3) uint8: level i
    is the scale at i / levels, interpolated linearly in RGB as plotly.js does."""
    pos, rgb = _stops(colorscale)
    t = np.arange(levels + 1) / levels
    cols = [np.interp(t, pos, [c[i] for c in rgb]) for i in range(3)]
    return np.rint(np.stack(cols, axis=-1)).astype(np.uint8)


def thumb_levels(a, lo, hi):
    """Values as uint8 levels 0..THUMB_LEVELS of [lo, hi] (outside: clipped; NaN: lo)."""
    t = (np.nan_to_num(np.asarray(a, dtype=np.float64), nan=lo) - lo) / (hi - lo)
    return np.rint(np.clip(t, 0.0, 1.0) * THUMB_LEVELS).astype(np.uint8)


def input_label(i):
    """The name of raw input i (0-based): x₁, x₂, ..."""
    return "x" + subscript(i + 1)


def class_scale(color):
    """A class's probability scale: white (0) to the class's colour (1)."""
    return [[0.0, "#ffffff"], [1.0, color]]


def layer_scale(kind, values, activation=None):
    """(lo, hi, colorscale) shared by one layer's maps, ``values`` all of its units over the
    grid; colorscale None for "probability" (each output its class's, :func:`class_scale`)."""
    if kind == "probability":
        return 0.0, 1.0, None
    if kind not in KINDS:
        raise ValueError(f"unknown kind of layer {kind!r}")
    a = _extremes(values)
    if kind == "hidden":
        return activation_range(activation, a)
    a = np.asarray(a, dtype=np.float64)
    m = max(float(np.max(np.abs(a), where=np.isfinite(a), initial=0.0)), 1e-12)
    return -m, m, DIVERGING


def _extremes(values):
    """[min, max] of ``values``, which is all a layer's range depends on, found in the
    array's own dtype (a float64 copy of a 100×100 grid of 100 units and the ranges' masked
    passes took ~11 ms); the values themselves when any is not finite (a diverged run), for
    :func:`activation_range`'s masked pass."""
    a = np.asarray(values)
    if not a.size:
        return a
    lo, hi = float(a.min()), float(a.max())
    return np.array([lo, hi]) if np.isfinite(lo) and np.isfinite(hi) else a


def layer_kinds(n_layers, output="probability"):
    """The kind of each layer of a network with ``n_layers`` layers (inputs first)."""
    return ["input"] + ["hidden"] * (n_layers - 2) + [output]


def scale_words(lo, hi, colorscale):
    if colorscale is None:
        return "0 (white) … 1 (class colour)"
    low, high = ("purple", "yellow") if colorscale == SEQUENTIAL else ("blue", "red")
    mid = " … 0 (white)" if colorscale is DIVERGING else ""
    return f"{sci_text(lo)} ({low}){mid} … {sci_text(hi)} ({high})"


def node_thumbnails(maps, shown, *, activation=None, output="probability"):
    """The diagram's small maps: per layer, a list of ``data:image/png`` URIs, one per shown
    unit (``shown[l]``: the unit indices drawn), and the layer's (lo, hi, colorscale).

    ``maps``: one (ny, nx, units) array per layer, inputs first, rows of increasing y (as
    the grid). The range is taken over the whole layer (every unit, every grid point); the
    image over the grid subsampled to ~THUMB_TARGET points a side (every k-th point), top
    row = largest y, in levels 0..THUMB_LEVELS (:func:`thumb_levels`)."""
    images, scales = [], []
    kinds = layer_kinds(len(maps), output)
    for kind, full, idx in zip(kinds, maps, shown):
        full = np.asarray(full)
        lo, hi, scale = layer_scale(kind, full, activation)
        k = max(1, max(full.shape[:2]) // THUMB_TARGET)     # as units._downsample_step
        small = full[::k, ::k]
        pal = None if scale is None else palette(scale, THUMB_LEVELS)
        cols = class_colors(full.shape[2]) if scale is None else None
        row = []
        for u in idx:
            p = pal if pal is not None else palette(class_scale(cols[u]), THUMB_LEVELS)
            row.append(palette_png(thumb_levels(small[..., u], lo, hi), p))
        images.append(row)
        scales.append((lo, hi, scale))
    return images, scales


def node_title(layer, unit, n_layers, *, input_labels=None, class_names=None,
               output="probability"):
    """The large map's title: "Hidden layer 1, unit 3 — activation" (1-based numbers)."""
    if layer == 0:
        label = input_labels[unit] if input_labels else input_label(unit)
        return f"Input {label} — its value over the plane"
    if layer == n_layers - 1:
        if output == "value":
            return "Output — the predicted value"
        # plain text: the figure makes it inert
        name = class_names[unit] if class_names and unit < len(class_names) else \
            f"class {unit}"
        return f"Output {name} — its probability"
    return f"Hidden layer {layer}, unit {unit + 1} — activation"


def node_map_figure(xs, ys, values, *, lo, hi, colorscale, title, X_train=None,
                    y_train=None, X_test=None, y_test=None, class_names=None,
                    hover_detail=True, height=430):
    """One node's map over the plane in the decision map's place: ``values``
    (len(ys)·len(xs),) as a layout image in [lo, hi] of ``colorscale`` (a plotly colorscale,
    e.g. :func:`layer_scale`'s, or :func:`class_scale`), a colour bar, and the data points
    on top as the decision map draws them (same trace ids, so the browser keeps them).
    ``hover_detail`` adds an invisible heatmap whose hover gives the value."""
    xs, ys = np.asarray(xs), np.asarray(ys)
    z = np.asarray(values, dtype=np.float64).reshape(len(ys), len(xs))
    data = []
    shown_train = X_train is not None and y_train is not None and len(X_train)
    y_all = [np.asarray(v) for v in (y_train, y_test) if v is not None and len(v)]
    k = max([int(v.max()) + 1 for v in y_all if v.dtype.kind in "iu"] +
            [len(class_names or ())])
    names = _class_names(class_names, k)
    if shown_train:
        data += _points(X_train, y_train, k, names)
    if X_test is not None and y_test is not None and len(X_test):
        data += _points(X_test, y_test, k, names, test=True, test_legend=not shown_train)
    for i, trace in enumerate(data):
        trace.setdefault("uid", f"points{i}")
    # the colour bar: a marker trace with no points carries it (an image has none)
    data.append(dict(type="scatter", mode="markers", x=_f32([np.nan]), y=_f32([np.nan]),
                     hoverinfo="skip", showlegend=False, uid="scale",
                     marker=dict(color=_f32([lo]), colorscale=colorscale, cmin=lo, cmax=hi,
                                 showscale=True, colorbar=dict(thickness=12, len=0.8,
                                                               outlinewidth=0))))
    if hover_detail:
        data.append(dict(type="heatmap", x=_f32(xs), y=_f32(ys), z=_f32(z), opacity=0,
                         showscale=False, uid="prediction", name="map",
                         hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>value %{z:.3g}"
                                       "<extra></extra>"))
    image = grid_image(palette_png(_levels(z, lo, hi), palette(colorscale)), xs, ys,
                       "node map")
    layout = _layout(
        height, **plane_axes(xs, ys),
        margin=dict(l=40, r=10, t=60, b=30),
        title=dict(text=safe_text(title), x=0.01, y=0.98, font=dict(size=13)),
        images=[image],
        meta={"node_map": [lo, hi]},
    )
    return _figure(data, layout)


def _points(X, y, k, names, **kw):
    """The decision map's points: by class, or (float targets: regression) one trace
    coloured by target on the blue–white–red scale."""
    y = np.asarray(y)
    if y.dtype.kind in "iu":
        return _class_points(X, y, k, names, **kw)
    m = max(float(np.max(np.abs(y), initial=0.0)), 1e-12)
    test = kw.get("test", False)
    marker = dict(color=_f32(y), colorscale=DIVERGING, cmin=-m, cmax=m, size=7,
                  line=dict(color="black" if test else "white", width=1.5 if test else 1))
    return [dict(type="scatter", mode="markers", x=_f32(np.asarray(X)[:, 0]),
                 y=_f32(np.asarray(X)[:, 1]), name="test" if test else "train",
                 marker=marker, showlegend=False,
                 hovertemplate="target %{marker.color:.3g}<extra></extra>")]
