"""What the hidden units compute over the input plane: all of them as small tiles, or one
large with a colour bar."""

import math

import numpy as np

from ..engine.activations import activation as activation_entry
from .common import (
    DIVERGING,
    SEQUENTIAL,
    _axis,
    _bare_axis,
    _class_names,
    _class_points,
    _f32,
    _figure,
    _layout,
    safe_text,
    sci_text,
)

# Tiles are laid out in "tile units" on ONE pair of axes (a tile is 1×1, equal aspect): 32
# tiles on 32 separate axes with 32 annotations took ~17 ms to build (plotly validates every
# axis and annotation); one axes pair plus one text trace for the titles: ~5 ms (+2 ms
# to_json). The floor is ~0.15 ms per trace, so 32 tiles cannot get much cheaper.
_TILE_COLS = 8
_TILE_GAP, _TILE_TITLE, _TILE_HEADER = 0.12, 0.32, 0.6   # in tile units
_TILE_PX = 46                                             # tile size for the auto height


def _downsample_step(xs, ys, target=32):
    """Take every k-th grid point so a tile has about ``target`` points per side (a 100×100
    grid becomes 34×34: k = 3)."""
    return max(1, max(len(xs), len(ys)) // target)


# Tiles are quantised to levels 0..254 of their layer's range: an odd count puts the range's
# middle (sigmoid 0.5, tanh 0) on a level's centre, not on a rounding boundary, so a unit
# stuck at 0.5 ± 1e-7 (zero init) is one flat colour instead of two.
_LEVELS = 254
_SCALE_WORDS = {id(SEQUENTIAL): ("purple", "yellow"), id(DIVERGING): ("blue", "red")}


def activation_range(activation, values):
    """(lo, hi, colorscale) for one hidden layer's activations ``values`` (any shape).

    The activation table's ``colour_range``: a fixed range where the activation has one
    (sigmoid [0, 1], tanh [−1, 1]), so a unit that hardly varies looks flat; (0, None) is
    [0, max of the layer] (ReLU: a dead unit is flat at the bottom, a weak one stays dark);
    None is [−m, m], m = the layer's max |a| (linear, GELU, SiLU).
    ``None`` (unknown activation): [−m, m] if anything is negative, else [0, max]."""
    a = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(a)
    top = float(np.max(a, where=finite, initial=0.0))
    m = float(np.max(np.abs(a), where=finite, initial=0.0))
    if activation is None:
        negative = float(np.min(a, where=finite, initial=0.0)) < 0
        colour_range = None if negative else (0.0, None)
    else:
        colour_range = activation_entry(activation).colour_range
    if colour_range is None:
        m = max(m, 1e-12)
        return -m, m, DIVERGING
    lo, hi = colour_range
    if hi is None:
        return lo, max(top, 1e-12), SEQUENTIAL      # all dead: a flat, dark layer
    return lo, hi, DIVERGING if lo < 0 else SEQUENTIAL


def _levels(a, lo, hi):
    """Activations as uint8 levels 0.._LEVELS of [lo, hi] (values outside are clipped)."""
    t = (np.nan_to_num(np.asarray(a, dtype=np.float64), nan=lo) - lo) / (hi - lo)
    return np.rint(np.clip(t, 0.0, 1.0) * _LEVELS).astype(np.uint8)


def _range_words(lo, hi, scale):
    low, high = _SCALE_WORDS[id(scale)]
    mid = " … 0 (white)" if scale is DIVERGING else ""
    return f"colour: {sci_text(lo)} ({low}){mid} … {sci_text(hi)} ({high})"


def hidden_units_figure(xs, ys, activations, *, activation=None, max_units=32,
                        layer_names=None, height=None, selected=None):
    """Small multiples: each hidden unit's activation over the input plane.

    ``activations``: one (len(ys)·len(xs), units) array per hidden layer (e.g.
    ``net.forward(grid_points(xs, ys)).A[1:]``); ``activation``: the network's activation
    name, which fixes the colour range (see :func:`activation_range`: one range per layer,
    shared by its tiles, so a constant unit is one flat colour and a weak unit looks weak).
    For each layer the first ``max_units`` units are drawn, at most 8 tiles to a row (the
    view is a ~500 px column), titled "h{layer}.{unit}" (1-based), under a header per
    layer (``layer_names[l]`` or "hidden layer l · n units") that gives the colour range
    and says when only the first ``max_units`` of the layer's units are shown. Tiles are
    uint8 levels 0..254 of the layer's range on one colour axis per layer, the grid
    subsampled to ~32×32 (every k-th point, see :func:`_downsample_step`); the hover gives
    the unit's own min and max.
    ``selected=(layer, unit)`` (1-based) outlines one tile. One heatmap trace per drawn
    unit, in layer-then-unit order, plus one text trace with the tile titles (last).
    """
    xs, ys = np.asarray(xs), np.asarray(ys)
    k = _downsample_step(xs, ys)
    shown = [min(np.asarray(a).shape[1], max_units) for a in activations]
    cols = max(1, min(_TILE_COLS, max(shown, default=1)))
    pitch_x, pitch_y = 1.0 + _TILE_GAP, 1.0 + _TILE_TITLE

    data, annotations, shapes, coloraxes = [], [], [], {}
    title_x, title_y, title_text = [], [], []
    top = 0.0                                    # y of the current layer block's top edge
    for l, (act, n_shown) in enumerate(zip(activations, shown), start=1):
        full = np.asarray(act)
        lo, hi, scale = activation_range(activation, full)   # over ALL the layer's units
        act = full.reshape(len(ys), len(xs), -1)[::k, ::k]
        ny, nx, units = act.shape
        name_l = (safe_text(layer_names[l - 1]) if layer_names
                  else f"hidden layer {l} · {units} units")
        more = f" · first {n_shown} of {units} shown" if n_shown < units else ""
        annotations.append(dict(text=f"{name_l}{more} · {_range_words(lo, hi, scale)}",
                                x=-0.5 * _TILE_GAP, y=top, xanchor="left", yanchor="top",
                                showarrow=False, font=dict(size=11, color="#444444")))
        axis = "coloraxis" if l == 1 else f"coloraxis{l}"
        coloraxes[axis] = dict(colorscale=scale, cmin=0, cmax=_LEVELS, showscale=False)
        top -= _TILE_HEADER
        for u in range(n_shown):
            r, c = divmod(u, cols)
            left = c * pitch_x
            tile_top = top - r * pitch_y - _TILE_TITLE
            unit = full[:, u]
            name = f"h{l}.{u + 1}"
            data.append(dict(type="heatmap", z=_levels(act[..., u], lo, hi),
                             x0=left + 0.5 / nx, dx=1.0 / nx, y0=tile_top - 1.0 + 0.5 / ny,
                             dy=1.0 / ny, coloraxis=axis, name=name,
                             hovertemplate=(f"{name}: from {sci_text(np.nanmin(unit), 3)} "
                                            f"to {sci_text(np.nanmax(unit), 3)} over the "
                                            "plane<extra></extra>")))
            title_x.append(left + 0.5)
            title_y.append(tile_top)
            title_text.append(name)
            if selected is not None and tuple(selected) == (l, u + 1):
                shapes.append(dict(type="rect", x0=left, x1=left + 1, y0=tile_top - 1,
                                   y1=tile_top, line=dict(color="#D55E00", width=3)))
        top -= math.ceil(max(n_shown, 1) / cols) * pitch_y
    data.append(dict(type="scatter", mode="text", x=_f32(title_x), y=_f32(title_y),
                     text=title_text, textposition="top center", hoverinfo="skip",
                     textfont=dict(size=9, color="#555555"), name="titles"))

    width_units = cols * pitch_x - _TILE_GAP
    margin = dict(l=6, r=6, t=6, b=6)
    if height is None:
        height = round(-top * _TILE_PX) + margin["t"] + margin["b"]
    layout = _layout(
        height,
        xaxis=_bare_axis(range=[-0.5 * _TILE_GAP, width_units + 0.5 * _TILE_GAP],
                         constrain="domain"),
        yaxis=_bare_axis(range=[top, 0.0], scaleanchor="x", constrain="domain"),
        annotations=annotations, shapes=shapes, showlegend=False, margin=margin,
        **coloraxes,
    )
    return _figure(data, layout)


def unit_map_figure(xs, ys, values, *, title, activation=None, layer=None, X=None, y=None,
                    height=400):
    """One unit's activation ``values`` (len(ys)·len(xs),) over the plane, with a colour bar
    and, optionally, the training points (X, y) on top (white-outlined so they stand out on
    any colour). The colour range is the activation's (:func:`activation_range`), taken over
    ``layer`` (the unit's whole layer, (len(ys)·len(xs), units)) when given, so the large
    map matches its tile; else over the unit. z is float32 (not quantised: the hover shows
    the true activation)."""
    xs, ys = np.asarray(xs), np.asarray(ys)
    z = _f32(np.asarray(values).reshape(len(ys), len(xs)))
    lo, hi, scale = activation_range(activation, z if layer is None else layer)
    heat = dict(type="heatmap", x=_f32(xs), y=_f32(ys), z=z, name="activation",
                colorscale=scale, zmin=lo, zmax=hi,
                colorbar=dict(thickness=12, len=0.9, outlinewidth=0, exponentformat="power"),
                hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>activation %{z:.3g}<extra></extra>")
    if scale is DIVERGING:
        heat["zmid"] = 0
    data = [heat]
    if X is not None and y is not None:
        y = np.asarray(y)
        k = int(y.max()) + 1 if y.size else 0
        # white outlines: an activation map runs to dark colours
        data += _class_points(X, y, k, _class_names(None, k), size=6, showlegend=False,
                              outline="white")
    layout = _layout(
        height,
        title=dict(text=safe_text(title), x=0.01, font=dict(size=13)),
        xaxis=_axis(range=[float(xs[0]), float(xs[-1])], constrain="domain", showgrid=False),
        yaxis=_axis(range=[float(ys[0]), float(ys[-1])], constrain="domain", scaleanchor="x",
                    showgrid=False),
        showlegend=False,
        margin=dict(l=40, r=10, t=36, b=30),
    )
    return _figure(data, layout)
