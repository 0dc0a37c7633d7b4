"""Plotly figures for the playground: NumPy arrays in, ``plotly.graph_objects.Figure`` out.

What each figure is for:

* :func:`decision_region_figure` – the main view: the input plane coloured by the predicted
  class (pale where the network is unsure, saturated where it is confident), with the training
  points (filled) and test points (open) on top.
* :func:`loss_figure` – loss (top) and accuracy (bottom) against the update count, for train
  and test, with optional per-batch loss and up to four pinned earlier runs to compare with.
* :func:`gradient_heatmaps_figure` – every weight matrix and bias vector of the network (or
  their gradients) as a heatmap on a symmetric blue–white–red scale: which weights move, which
  are stuck, and whether the gradients vanish towards the input.
* :func:`grad_norm_figure` – the gradient norm of each layer over time, on a log axis, where
  vanishing or exploding gradients show up as lines separated by decades.
* :func:`hidden_units_figure` – small multiples: what every hidden unit computes over the
  input plane (the "features" the output layer combines).
* :func:`unit_map_figure` – one unit's activation over the plane, large, with a colour bar.
* :func:`network_figure` – the network as a node-link diagram: links coloured by the sign of
  the weight and as thick as its magnitude, nodes coloured by their bias (the output nodes
  too: they have biases).
* :func:`data_figure` – a plain scatter of a data set (data tab, upload preview).

They are redrawn up to ~10 times a second in a live page (JSON sent to the browser, drawn
with ``Plotly.react``), so every builder keeps the figure small and quick to make:

* ``template="none"`` plus a small explicit layout (the default template adds kB per figure);
* NumPy arrays everywhere (plotly 7 sends them as base64 typed arrays; ``.tolist()`` is
  ~10× larger and ~30× slower to serialise), and big grids are quantised to ``uint8``;
* traces are given as plain dicts (go.Figure validates them once; building ``go.Scatter``
  objects first validates twice) and multi-panel figures place their axes by explicit
  domains instead of ``make_subplots`` (slow);
* every figure sets ``layout.uirevision`` to the constant :data:`UIREVISION`, so the user's
  zoom and legend clicks survive live updates.

Class names come from uploaded files, so every piece of user text goes through
:func:`safe_text` before it reaches a trace name, hover text, title or annotation.
Classes are coloured ``PALETTE[i]`` in every figure.
"""

from __future__ import annotations

import base64
import html
import io
import math

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from .datasets import grid_axes, grid_points  # noqa: F401 - part of this module's API

UIREVISION = "playground"

# Okabe–Ito (colour-blind safe) first; then Tol's wine and a mid grey for classes 9 and 10.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
    "#D55E00", "#F0E442", "#000000", "#882255", "#999999",
)
# Confidence levels per class in the decision map (max probability from 1/K to 1).
BANDS = 8
# Pinned runs: muted, mutually distinct colours that are not class colours.
PINNED_COLORS = ("#636363", "#a0785a", "#6f8fa8", "#9a9a5a")
# Diverging blue–white–red: negative blue, zero white, positive red (weights, biases, grads).
DIVERGING = [[0.0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"],
             [0.75, "#f4a582"], [1.0, "#b2182b"]]
SEQUENTIAL = "Viridis"
TRAIN_COLOR, TEST_COLOR = "#0072B2", "#D55E00"
_NEG_RGB, _POS_RGB = (33, 102, 172), (178, 24, 43)   # the ends of DIVERGING
_GRID = "#ebebeb"


# -- helpers -----------------------------------------------------------------------------------
def safe_text(s) -> str:
    """User text made inert for Plotly's HTML subset: ``<a href>``, ``<b>``, ``<br>`` are
    shown literally. Quotes become numeric entities (Plotly decodes ``&#34;`` but not
    ``&quot;``) and ``%`` too, so a name cannot inject ``%{...}`` into a hover template."""
    text = html.escape(str(s), quote=False)
    return text.replace('"', "&#34;").replace("'", "&#39;").replace("%", "&#37;")


def class_colors(k: int) -> list[str]:
    """Colours for classes 0..k-1 (the palette repeats beyond 10 classes)."""
    return [PALETTE[i % len(PALETTE)] for i in range(k)]


def _class_names(class_names, k):
    if class_names is None:
        return [f"class {i}" for i in range(k)]
    names = [safe_text(n) for n in class_names]
    return names + [f"class {i}" for i in range(len(names), k)]


def figure_payload_bytes(fig) -> int:
    """Size of the figure's JSON, i.e. roughly what goes over the wire per redraw."""
    return len(fig.to_json())


def _figure(data, layout):
    """A Figure from plain trace and layout dicts, without plotly's property validation: the
    builders are tested, and validation costs about half of the build time of a live frame
    (measured: 19.7 → 9.3 ms for the five figures of a frame). The empty template is what
    ``template="none"`` expands to, without the lookup."""
    return go.Figure(data=data, layout=layout, _validate=False)


def _layout(height, **extra):
    """The small layout every figure starts from. (Each layout property costs ~0.03 ms of
    validation per redraw, so only what differs from plotly.js's own defaults is set, plus
    the background and font, which are stated so a theme cannot change them.)"""
    layout = dict(template={}, height=height, uirevision=UIREVISION,
                  paper_bgcolor="white", plot_bgcolor="white", font=dict(size=12),
                  margin=dict(l=50, r=12, t=30, b=40))
    layout.update(extra)
    return layout


def _axis(**extra):
    """A plain axis with a light grid (plotly.js draws no axis line or ticks by default).

    ``ticklabeloverflow="allow"``: by default plotly.js measures every tick label after each
    redraw to hide those that stick out of the chart, and each measurement forces a layout
    of the whole Streamlit page (~6 ms of the browser's ~90 ms per live refresh, measured);
    these figures' margins leave room for their labels, so nothing was ever hidden."""
    axis = dict(gridcolor=_GRID, zeroline=False, ticklabeloverflow="allow")
    axis.update(extra)
    return axis


def _bare_axis(**extra):
    """An axis with no grid, ticks or line (tiles, diagrams)."""
    axis = dict(showgrid=False, zeroline=False, showticklabels=False, ticks="")
    axis.update(extra)
    return axis


def _f32(a):
    return np.ascontiguousarray(a, dtype=np.float32)


def _blend_hex(rgb_a, rgb_b, t):
    """Colour at fraction t (0..1) of the way from rgb_a to rgb_b, as #rrggbb."""
    r, g, b = (round(a + (b_ - a) * t) for a, b_ in zip(rgb_a, rgb_b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _hex_rgb(color):
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def _class_points(X, y, k, names, *, test=False, size=7, showlegend=True):
    """One Scatter dict per class present: filled (train) or white-filled rings (test)."""
    X = np.asarray(X)
    y = np.asarray(y)
    traces = []
    for c, color in enumerate(class_colors(k)):
        mask = y == c
        if not mask.any():
            continue
        name = f"{names[c]} (test)" if test else names[c]
        if test:
            marker = dict(color="white", size=size, line=dict(color=color, width=2))
        else:
            marker = dict(color=color, size=size, line=dict(color="white", width=1))
        trace = dict(type="scatter", mode="markers", x=_f32(X[mask, 0]), y=_f32(X[mask, 1]),
                     name=name, marker=marker,
                     hovertemplate=f"{name}<br>x=%{{x:.2f}}, y=%{{y:.2f}}<extra></extra>")
        if not showlegend:
            trace["showlegend"] = False
        traces.append(trace)
    return traces


# -- decision regions --------------------------------------------------------------------------
def decision_colors(k):
    """The colour of every decision-map code = class·BANDS + band, as (k·BANDS, 3) uint8 RGB:
    the class colour blended with white, pale for band 0 (a coin toss) to saturated for
    band 7. The heatmap's colorscale and the map's image both use these."""
    colors = np.empty((k * BANDS, 3), dtype=np.uint8)
    for c, color in enumerate(class_colors(k)):
        rgb = _hex_rgb(color)
        for band in range(BANDS):
            t = 0.08 + 0.62 * band / (BANDS - 1)
            colors[c * BANDS + band] = [round(255 + (v - 255) * t) for v in rgb]
    return colors


def _decision_colorscale(k):
    """Colorscale with one stop per z code = class·BANDS + band, at the code's own position
    (codes are integers and zmin/zmax sit half a code outside, so every cell lands exactly
    on a stop), coloured by :func:`decision_colors`. One stop per code rather than two
    halves the validation time."""
    n = k * BANDS
    scale = [[(code + 0.5) / n, "#{:02x}{:02x}{:02x}".format(*rgb)]
             for code, rgb in enumerate(decision_colors(k).tolist())]
    return [[0.0, scale[0][1]]] + scale + [[1.0, scale[-1][1]]]


def decision_png(codes, k):
    """The decision map as a ``data:image/png`` URI: one pixel per grid cell, coloured like
    the heatmap (:func:`decision_colors`), top row = largest y. A palette PNG of a 100×100
    grid is ~1.6 kB (the uint8 heatmap's z is ~13 kB of base64), and the browser only has to
    decode it, where a heatmap trace is recomputed, painted to a canvas and PNG-encoded by
    plotly.js on every update."""
    codes = np.ascontiguousarray(np.asarray(codes, dtype=np.uint8)[::-1])
    image = Image.fromarray(codes, mode="P")
    image.putpalette(decision_colors(k).tobytes())
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=3)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def decision_codes(probs):
    """uint8 codes class·BANDS + confidence band for probabilities (..., K), and the
    confidence in percent (uint8)."""
    k = probs.shape[-1]
    cls = np.argmax(probs, axis=-1)
    conf = np.max(probs, axis=-1)
    band = np.floor((conf - 1.0 / k) / (1.0 - 1.0 / k) * BANDS)
    band = np.clip(band, 0, BANDS - 1)
    codes = (cls * BANDS + band).astype(np.uint8)
    return codes, np.rint(conf * 100).astype(np.uint8)


def decision_region_figure(xs, ys, probs, X_train, y_train, X_test=None, y_test=None, *,
                           class_names=None, height=430, title=None, hover_detail=True,
                           image=False):
    """The input plane coloured by predicted class and confidence, with the data on top.

    ``probs`` is (len(ys)·len(xs), K) or (len(ys), len(xs), K), e.g.
    ``net.predict_proba(grid_points(xs, ys))``. The background is one uint8 heatmap.
    ``hover_detail`` adds a (ny, nx, 2) uint8 ``customdata`` (class, confidence %) so the hover
    names the predicted class; it costs ~27 kB of JSON on a 100×100 grid, so turn it off if
    the live page needs every byte (the hover then shows the colour code only).

    ``image=True`` draws the background as a layout image instead (:func:`decision_png`,
    ~1.6 kB, the same colours cell for cell), for a live page: a new image is all that changes
    from one update to the next, so ``Plotly.react`` redraws just the image, not every trace
    (measured: the map's redraw 34 → ~4 ms in headless Chromium). Then ``hover_detail`` adds
    the heatmap as an invisible trace carrying the hover, and without it the background has
    no hover. The page's CSS should draw the image pixelated (``image-rendering``), as
    plotly.js draws its heatmaps.
    """
    xs, ys = np.asarray(xs), np.asarray(ys)
    probs = np.asarray(probs)
    k = probs.shape[-1]
    if k * BANDS > 256:
        raise ValueError(f"At most {256 // BANDS} classes fit the uint8 decision map.")
    probs = probs.reshape(len(ys), len(xs), k)
    codes, conf = decision_codes(probs)
    names = _class_names(class_names, k)

    heat = dict(type="heatmap", x=_f32(xs), y=_f32(ys), z=codes, zmin=-0.5,
                zmax=k * BANDS - 0.5, colorscale=_decision_colorscale(k), showscale=False,
                name="prediction", showlegend=False)
    if hover_detail:
        heat["customdata"] = np.stack([codes // BANDS, conf], axis=-1)
        key = " · ".join(f"{i} = {n}" for i, n in enumerate(names))
        heat["hovertemplate"] = ("x=%{x:.2f}, y=%{y:.2f}<br>predicted class %{customdata[0]}"
                                 " (%{customdata[1]}%)<br>" + key + "<extra></extra>")
    else:
        heat["hovertemplate"] = "x=%{x:.2f}, y=%{y:.2f}<br>code %{z}<extra></extra>"

    data = _class_points(X_train, y_train, k, names)
    if X_test is not None and y_test is not None and len(X_test):
        data += _class_points(X_test, y_test, k, names, test=True)
    images = []
    if not image:
        data.insert(0, heat)
    else:
        # stable, unique trace ids: the hover heatmap comes and goes (paused / playing) after
        # the points, and uirevision keeps legend clicks per uid (names may repeat: an
        # uploaded class may be called "a (test)")
        for i, trace in enumerate(data):
            trace["uid"] = f"points{i}"
        if hover_detail:
            data.append(dict(heat, opacity=0, uid="prediction"))
        dx = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
        dy = float(ys[1] - ys[0]) if len(ys) > 1 else 1.0
        images.append(dict(source=decision_png(codes, k), xref="x", yref="y",
                           x=float(xs[0]) - dx / 2, y=float(ys[-1]) + dy / 2,
                           sizex=float(xs[-1] - xs[0]) + dx, sizey=float(ys[-1] - ys[0]) + dy,
                           xanchor="left", yanchor="top", sizing="stretch", layer="below",
                           name="prediction"))

    span_x = [float(xs[0]), float(xs[-1])]
    span_y = [float(ys[0]), float(ys[-1])]
    layout = _layout(
        height,
        # ticks="outside" is what plotly.js gives an axis with a heatmap on it; stated, so
        # the image version looks the same
        xaxis=_axis(range=span_x, constrain="domain", showgrid=False, ticks="outside"),
        yaxis=_axis(range=span_y, constrain="domain", scaleanchor="x", scaleratio=1,
                    showgrid=False, ticks="outside"),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"),
        margin=dict(l=40, r=10, t=60 if title else 40, b=30),
    )
    if images:
        layout["images"] = images
    if title:
        layout["title"] = dict(text=safe_text(title), x=0.01, y=0.98, font=dict(size=13))
    return _figure(data, layout)


# -- training curves ---------------------------------------------------------------------------
def _has_values(a):
    a = np.asarray(a, dtype=np.float64)
    return a.size > 0 and bool(np.isfinite(a).any())


def _positive(a):
    """For a log axis: values ≤ 0 (e.g. a gradient norm of 0 before the first update)
    become gaps instead of lines plunging to the bottom."""
    a = np.asarray(a, dtype=np.float64)
    return np.where(a > 0, a, np.nan)


def _curve(x, y, name, color, *, yaxis="y", dash="solid", width=2.0, group=None,
           showlegend=True, opacity=1.0, hover_name=None, log=False):
    fmt = ".1%" if yaxis == "y2" else ".4g"
    hover_name = hover_name or name
    if log:
        y = _positive(y)
    # a curve of one point (before the first update) would be invisible as a line
    mode = "lines" if len(x) > 1 else "markers"
    return dict(type="scatter", mode=mode, x=_f32(x), y=_f32(y), name=name, yaxis=yaxis,
                line=dict(color=color, dash=dash, width=width), opacity=opacity,
                legendgroup=group or name, showlegend=showlegend,
                hovertemplate=f"{hover_name}: %{{y:{fmt}}}<extra></extra>")


def _thin(n, max_points):
    """Index that keeps at most ~max_points of n evenly strided points, always the last."""
    if max_points is None or n <= max_points:
        return slice(None)
    idx = np.arange(0, n, math.ceil(n / max_points))
    return idx if idx[-1] == n - 1 else np.append(idx, n - 1)


def loss_figure(history, *, log_y=False, pinned=(), height=430, batch_loss=None,
                max_points=500):
    """Loss (top panel) and accuracy (bottom) against the update number.

    ``history``: dict of 1-D arrays "step", "train_loss", "test_loss", "train_acc",
    "test_acc" (test series that are all NaN are skipped: no test set). ``batch_loss=(steps,
    values)`` draws the per-update batch loss as a faint line behind the train loss.
    ``pinned``: up to 4 dicts ``{"label": str, "history": {same keys}}``, each drawn as two
    dashed lines (loss, accuracy) in a muted colour with one legend entry named by the label:
    the run's test curves if it had a test set, else its train curves (the hover says
    which). Both panels share one x axis, so zooming one zooms both. Every series is thinned
    to at most ~``max_points`` points by striding (keeps the JSON ≈ 3 kB per line).
    """
    data = []
    if batch_loss is not None and len(batch_loss[0]):
        keep = _thin(len(batch_loss[0]), max_points)
        data.append(_curve(np.asarray(batch_loss[0])[keep], np.asarray(batch_loss[1])[keep],
                           "batch loss", TRAIN_COLOR, width=1.0, opacity=0.45, log=log_y))
    keep = _thin(len(history["step"]), max_points)
    step = np.asarray(history["step"])[keep]
    for split, color, dash in (("train", TRAIN_COLOR, "solid"), ("test", TEST_COLOR, "dash")):
        if not _has_values(history[f"{split}_loss"]):
            continue
        data.append(_curve(step, np.asarray(history[f"{split}_loss"])[keep], split, color,
                           dash=dash, log=log_y))
        data.append(_curve(step, np.asarray(history[f"{split}_acc"])[keep], split, color,
                           dash=dash, yaxis="y2", showlegend=False))
    for i, run in enumerate(list(pinned)[:4]):
        data += _pinned_curves(run, PINNED_COLORS[i], f"pinned{i}", max_points, log_y)

    layout = _layout(
        height,
        xaxis=_axis(anchor="y2", title=dict(text="Update", standoff=4)),
        yaxis=_axis(domain=[0.56, 1.0], title=dict(text="Loss"),
                    type="log" if log_y else "linear"),
        yaxis2=_axis(domain=[0.0, 0.44], range=[0, 1.02], tickformat=".0%",
                     title=dict(text="Accuracy")),
        legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
        margin=dict(l=55, r=12, t=30, b=40),
        hovermode="x",
    )
    return _figure(data, layout)


def _pinned_curves(run, color, group, max_points, log_y):
    """Two dashed curves (loss, accuracy) of a pinned run: test if it has it, else train."""
    label = safe_text(run.get("label", "pinned"))
    h = run["history"]
    split = "test" if _has_values(h["test_loss"]) else "train"
    keep = _thin(len(h["step"]), max_points)
    step = np.asarray(h["step"])[keep]
    return [
        _curve(step, np.asarray(h[f"{split}_loss"])[keep], label, color, dash="dash",
               width=1.5, group=group, hover_name=f"{label} · {split}", log=log_y),
        _curve(step, np.asarray(h[f"{split}_acc"])[keep], label, color, dash="dash",
               width=1.5, yaxis="y2", group=group, showlegend=False,
               hover_name=f"{label} · {split}"),
    ]


def _depth_colors(n):
    """Dark (layer 1, near the input) to light (output layer): depth order at a glance."""
    dark, light = (8, 48, 107), (120, 190, 230)
    return [_blend_hex(dark, light, i / max(n - 1, 1)) for i in range(n)]


def grad_norm_figure(history, *, log_y=True, height=300, max_points=500):
    """Gradient norm per layer ("grad_norm1".."grad_normL" in ``history``, with "step")
    against the update number, one line per layer ("layer 1" = next to the input), dark to
    light with depth; log y by default. Thinned to ~``max_points`` like :func:`loss_figure`."""
    n_layers = 0
    while f"grad_norm{n_layers + 1}" in history:
        n_layers += 1
    colors = _depth_colors(n_layers)
    keep = _thin(len(history["step"]), max_points)
    step = np.asarray(history["step"])[keep]
    data = [_curve(step, np.asarray(history[f"grad_norm{l}"])[keep], f"layer {l}",
                   colors[l - 1], log=log_y) for l in range(1, n_layers + 1)]
    layout = _layout(
        height,
        xaxis=_axis(title=dict(text="Update", standoff=4)),
        yaxis=_axis(title=dict(text="‖gradient‖"), type="log" if log_y else "linear",
                    exponentformat="power" if log_y else "B"),
        legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
        margin=dict(l=60, r=12, t=30, b=40),
        hovermode="x",
    )
    return _figure(data, layout)


# -- weights and gradients as heatmaps ---------------------------------------------------------
# Pixel layout of one layer row: matrix title, matrix, vector title, vector strip, gap.
_TITLE_PX, _MATRIX_PX, _STRIP_PX, _ROW_GAP_PX = 16, 90, 14, 14


def gradient_heatmaps_figure(pairs, *, names=("dW", "db"), height=None):
    """One row per layer: the matrix as a heatmap with the vector as a thin strip under it.

    ``pairs`` = [(dW_1, db_1), ...] (or (W, b) with ``names=("W", "b")``). Each panel has its
    own symmetric range [-m, m], m = max |value|, on a blue–white–red scale (zmid 0), so a
    panel shows the pattern of its own values; the ±m is written at the panel's right.
    Orientation: the longer dimension runs along x. A matrix with fan_in ≤ fan_out is drawn
    as is (fan_in rows down, fan_out columns across); otherwise it is transposed (fan_out
    rows, fan_in columns). The title gives the true shape fan_in×fan_out and the hover says
    which unit is "in" and which "out" (1-based).
    """
    n = len(pairs)
    row_px = 2 * _TITLE_PX + _MATRIX_PX + _STRIP_PX + _ROW_GAP_PX
    margin = dict(l=10, r=10, t=28, b=10)        # t: room for the mode bar
    if height is None:
        height = n * row_px + margin["t"] + margin["b"]
    plot_px = max(height - margin["t"] - margin["b"], 1)
    scale = plot_px / (n * row_px)    # stretch or squeeze the pixel plan to the given height

    data, annotations, layout = [], [], {}
    top = 1.0
    for l, (mat, vec) in enumerate(pairs, start=1):
        mat, vec = np.asarray(mat), np.asarray(vec)
        ax_m, ax_v = 2 * l - 1, 2 * l
        # y domains, top-down, in fractions of the plot area
        frac = scale / plot_px
        m_top = top - _TITLE_PX * frac
        m_bot = m_top - _MATRIX_PX * frac
        v_top = m_bot - _TITLE_PX * frac
        v_bot = v_top - _STRIP_PX * frac
        top = v_bot - _ROW_GAP_PX * frac

        fan_in, fan_out = mat.shape
        transposed = fan_in > fan_out
        z = mat.T if transposed else mat
        hover = ("in %{x}, out %{y}: %{z:.3g}" if transposed
                 else "in %{y}, out %{x}: %{z:.3g}")
        title_m = f"{names[0]}{l} · {fan_in}×{fan_out}"
        title_v = f"{names[1]}{l} · {vec.size}"
        for ax, arr, title, y_dom, tmpl in (
                (ax_m, z, title_m, [max(m_bot, 0.0), m_top], hover),
                (ax_v, vec.reshape(1, -1), title_v, [max(v_bot, 0.0), v_top],
                 "unit %{x}: %{z:.3g}")):
            trace, ann = _symmetric_panel(arr, ax, title, y_dom, tmpl)
            data.append(trace)
            annotations += ann
            suffix = "" if ax == 1 else str(ax)
            layout[f"xaxis{suffix}"] = _bare_axis(domain=[0.0, 1.0], anchor=f"y{suffix}")
            layout[f"yaxis{suffix}"] = _bare_axis(domain=y_dom, anchor=f"x{suffix}",
                                                  autorange="reversed")

    return _figure(data, _layout(height, margin=margin, annotations=annotations,
                                               showlegend=False, **layout))


def _symmetric_panel(z, ax, title, y_dom, hovertemplate):
    """A heatmap on its own axes with range [-m, m], and its title and ±m annotations."""
    z = _f32(z)
    m = float(np.max(np.abs(z))) if z.size else 0.0
    if not np.isfinite(m):
        m = float(np.nanmax(np.abs(np.where(np.isfinite(z), z, 0.0)), initial=0.0))
    m = max(m, 1e-12)
    suffix = "" if ax == 1 else str(ax)
    trace = dict(type="heatmap", z=z, x0=1, dx=1, y0=1, dy=1, zmin=-m, zmax=m, zmid=0,
                 colorscale=DIVERGING, showscale=False, xaxis=f"x{suffix}", yaxis=f"y{suffix}",
                 name=title, hovertemplate=f"{title}<br>{hovertemplate}<extra></extra>")
    top = y_dom[1]
    annotations = [
        dict(text=title, x=0.0, y=top, xref="paper", yref="paper", xanchor="left",
             yanchor="bottom", showarrow=False, font=dict(size=11)),
        dict(text=f"±{m:.2g}", x=1.0, y=top, xref="paper", yref="paper", xanchor="right",
             yanchor="bottom", showarrow=False, font=dict(size=10, color="#777777")),
    ]
    return trace, annotations


# -- hidden units ------------------------------------------------------------------------------
# Tiles are laid out in "tile units" on ONE pair of axes (a tile is 1×1, equal aspect): 32
# tiles on 32 separate axes with 32 annotations took ~17 ms to build (plotly validates every
# axis and annotation); one axes pair plus one text trace for the titles: ~5 ms (+2 ms
# to_json). The floor is ~0.15 ms per trace, so 32 tiles cannot get much cheaper.
_TILE_COLS = 16
_TILE_GAP, _TILE_TITLE, _TILE_HEADER = 0.12, 0.32, 0.45   # in tile units
_TILE_PX = 46                                             # tile size for the auto height


def _downsample_step(xs, ys, target=32):
    """Take every k-th grid point so a tile has about ``target`` points per side (a 100×100
    grid becomes 34×34: k = 3)."""
    return max(1, max(len(xs), len(ys)) // target)


def _to_uint8(a):
    """Per-unit min–max normalisation to 0..255 (a constant unit becomes 0)."""
    lo, hi = float(np.min(a)), float(np.max(a))
    if not hi > lo:
        return np.zeros(a.shape, dtype=np.uint8), lo, hi
    return np.rint((a - lo) * (255.0 / (hi - lo))).astype(np.uint8), lo, hi


def hidden_units_figure(xs, ys, activations, *, max_units=32, layer_names=None, height=None,
                        selected=None):
    """Small multiples: each hidden unit's activation over the input plane.

    ``activations``: one (len(ys)·len(xs), units) array per hidden layer (e.g.
    ``net.forward(grid_points(xs, ys)).A[1:]``). For each layer the first ``max_units`` units
    are drawn, at most 16 tiles to a row, titled "h{layer}.{unit}" (1-based), under a header
    line per layer (``layer_names[l]`` or "hidden layer l · n units"). Each tile is min–max
    normalised per unit to uint8 (colour shows the unit's own pattern; the unit's range is in
    the hover) and the grid is subsampled to ~32×32 (every k-th point, see
    :func:`_downsample_step`). Tiles are drawn in tile coordinates, so the hover gives the
    unit and level, not the input x, y (use :func:`unit_map_figure` for that).
    ``selected=(layer, unit)`` (1-based) outlines one tile. One heatmap trace per drawn
    unit, in layer-then-unit order, plus one text trace with the tile titles (last).
    """
    xs, ys = np.asarray(xs), np.asarray(ys)
    k = _downsample_step(xs, ys)
    shown = [min(np.asarray(a).shape[1], max_units) for a in activations]
    cols = max(1, min(_TILE_COLS, max(shown, default=1)))
    pitch_x, pitch_y = 1.0 + _TILE_GAP, 1.0 + _TILE_TITLE

    data, annotations, shapes = [], [], []
    title_x, title_y, title_text = [], [], []
    top = 0.0                                    # y of the current layer block's top edge
    for l, (act, n_shown) in enumerate(zip(activations, shown), start=1):
        act = np.asarray(act).reshape(len(ys), len(xs), -1)[::k, ::k]
        ny, nx, units = act.shape
        header = (safe_text(layer_names[l - 1]) if layer_names else
                  f"hidden layer {l} · {units} units"
                  + (f" (first {n_shown} shown)" if n_shown < units else ""))
        annotations.append(dict(text=header, x=-0.5 * _TILE_GAP, y=top, xanchor="left",
                                yanchor="top", showarrow=False,
                                font=dict(size=11, color="#444444")))
        top -= _TILE_HEADER
        for u in range(n_shown):
            r, c = divmod(u, cols)
            left = c * pitch_x
            tile_top = top - r * pitch_y - _TILE_TITLE
            z, lo, hi = _to_uint8(act[..., u])
            name = f"h{l}.{u + 1}"
            data.append(dict(type="heatmap", z=z, x0=left + 0.5 / nx, dx=1.0 / nx,
                             y0=tile_top - 1.0 + 0.5 / ny, dy=1.0 / ny, coloraxis="coloraxis",
                             name=name,
                             hovertemplate=(f"{name}: level %{{z}}/255 of "
                                            f"[{lo:.3g}, {hi:.3g}]<extra></extra>")))
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
        coloraxis=dict(colorscale=SEQUENTIAL, cmin=0, cmax=255, showscale=False),
        annotations=annotations, shapes=shapes, showlegend=False, margin=margin,
    )
    return _figure(data, layout)


def unit_map_figure(xs, ys, activation, *, title, X=None, y=None, height=400):
    """One unit's activation (len(ys)·len(xs),) over the plane, with a colour bar and,
    optionally, the data points (X, y) on top. Units that go negative get the diverging
    scale centred on 0; non-negative ones (ReLU, sigmoid) a sequential scale. z is float32
    (not quantised: the hover shows the true activation)."""
    xs, ys = np.asarray(xs), np.asarray(ys)
    z = _f32(np.asarray(activation).reshape(len(ys), len(xs)))
    heat = dict(type="heatmap", x=_f32(xs), y=_f32(ys), z=z, name="activation",
                colorbar=dict(thickness=12, len=0.9, outlinewidth=0),
                hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>activation %{z:.3g}<extra></extra>")
    if z.size and float(np.nanmin(z)) < 0:
        m = max(float(np.nanmax(np.abs(z))), 1e-12)
        heat.update(colorscale=DIVERGING, zmin=-m, zmax=m, zmid=0)
    else:
        heat.update(colorscale=SEQUENTIAL)
    data = [heat]
    if X is not None and y is not None:
        y = np.asarray(y)
        k = int(y.max()) + 1 if y.size else 0
        data += _class_points(X, y, k, _class_names(None, k), size=5, showlegend=False)
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


# -- the network diagram -----------------------------------------------------------------------
_LINK_BUCKETS = 4
_LINK_WIDTHS = (0.6, 1.4, 2.6, 4.2)
_LINK_OPACITY = (0.3, 0.5, 0.7, 0.85)
_NETWORK_KEY = ("links: <span style='color:#b2182b'>w > 0</span> · "
                "<span style='color:#2166ac'>w < 0</span>, width ∝ |w| · "
                "node colour: bias")


def _shown_units(size, max_units):
    """Indices of drawn units and how many are folded into a "+N more" node."""
    if size <= max_units:
        return np.arange(size), 0
    return np.arange(max_units - 1), size - (max_units - 1)


def network_figure(layer_sizes, weights, biases, *, max_units=16, class_names=None,
                   height=420):
    """Node-link diagram of the network.

    Nodes: one Scatter per layer (inputs "x1, x2, ...", hidden "h{l}.{u}", outputs by class
    name), filled by the node's bias on the blue–white–red scale (inputs grey); output nodes
    get a ring in their class colour. Links: red for positive, blue for negative weights,
    width and opacity in 4 buckets of |w| / max |w| (over the drawn links), drawn as
    NaN-separated segments in at most 8 traces (no legend; a key line sits under the
    diagram). Layers wider than ``max_units`` show their
    first max_units-1 units and a "+N more" node; links of the omitted units are not drawn.
    ``fig.layout.meta = {"links": drawn links, "nodes": drawn nodes (incl. "+N more"),
    "shown": drawn nodes per layer}``.
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
    for l, ((idx, more), yp) in enumerate(zip(shown, ypos)):
        data.append(_layer_nodes(l, n_layers, idx, more, yp, biases, bias_max, names, colors))

    n_links = int(w.size)
    n_nodes = sum(len(idx) + (1 if more else 0) for idx, more in shown)
    span = max((len(p) for p in ypos), default=1)
    layout = _layout(
        height,
        xaxis=_bare_axis(range=[-0.7, n_layers - 1 + 0.9], fixedrange=False),
        yaxis=_bare_axis(range=[-(span / 2 + 0.6), span / 2 + 0.2]),   # room: "+N more"
        showlegend=False,
        annotations=[dict(text=_NETWORK_KEY, x=0, y=0, xref="paper", yref="paper",
                          xanchor="left", yanchor="top", showarrow=False,
                          font=dict(size=10, color="#555555"))],
        margin=dict(l=10, r=10, t=10, b=24),
        meta={"links": n_links, "nodes": n_nodes,
              "shown": [len(i) + (1 if m else 0) for i, m in shown]},
    )
    return _figure(data, layout)


def _layer_nodes(l, n_layers, idx, more, ypos, biases, bias_max, names, class_cols):
    """The Scatter of one layer's nodes (and its "+N more" node, if any). Fill colours are
    numbers (the bias) on the diverging scale: a numeric array validates ~10× faster than a
    list of colour strings. Input nodes have no bias and are grey; "+N more" is white (0)."""
    is_input, is_output = l == 0, l == n_layers - 1
    bias = None if is_input else np.asarray(biases[l - 1], dtype=np.float64)[idx]
    if is_input:
        labels = [f"x{i + 1}" for i in idx]
        hover = list(labels)
    else:
        labels = [names[i] for i in idx] if is_output else [f"h{l}.{i + 1}" for i in idx]
        hover = [f"{a}<br>bias {b:.3g}" for a, b in zip(labels, bias)]
    text = labels if (is_input or is_output) else [""] * len(idx)
    if more:
        text = text + [f"+{more} more"]
        hover.append(f"+{more} more units (not drawn)")
    count = len(idx) + (1 if more else 0)
    marker = dict(size=16 if count <= 16 else 10, line=dict(color="#666666", width=1))
    if is_input:
        marker["color"] = "#d9d9d9"
    else:
        values = np.zeros(count, dtype=np.float32)
        values[:len(idx)] = bias
        m = max(bias_max, 1e-12)
        marker.update(color=values, colorscale=DIVERGING, cmin=-m, cmax=m)
    if is_output:      # a ring in the class colour: which output is which class
        marker["line"] = dict(color=[class_cols[i] for i in idx] + ["#999999"] * bool(more),
                              width=3)
    position = ("middle left" if is_input else
                "middle right" if is_output else "bottom center")
    return dict(type="scatter", mode="markers+text", x=np.full(count, float(l), np.float32),
                y=_f32(ypos), text=text, textposition=position, hovertext=hover,
                hoverinfo="text", marker=marker,
                name="input" if is_input else ("output" if is_output else f"layer {l}"))


# -- data --------------------------------------------------------------------------------------
def data_figure(X, y, *, class_names=None, height=350):
    """A plain scatter of a data set, one trace per class, equal aspect."""
    y = np.asarray(y)
    k = max(int(y.max()) + 1 if y.size else 0, len(class_names) if class_names else 0)
    data = _class_points(X, y, k, _class_names(class_names, k))
    layout = _layout(
        height,
        xaxis=_axis(title=dict(text="x1", standoff=2), constrain="domain"),
        yaxis=_axis(title=dict(text="x2", standoff=2), scaleanchor="x", constrain="domain"),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"),
        margin=dict(l=45, r=10, t=40, b=40),
    )
    return _figure(data, layout)
