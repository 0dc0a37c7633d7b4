"""Training curves against the update number: loss and accuracy (with pinned runs), and the
gradient norm per layer."""

import math

import numpy as np

from .common import (
    PINNED_COLORS,
    TEST_COLOR,
    TRAIN_COLOR,
    _axis,
    _blend_hex,
    _f32,
    _figure,
    _layout,
    safe_text,
)


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


# The clocks runs can be compared by: history column -> axis title.
X_AXES = {"step": "Update", "epoch": "Epoch", "samples": "Samples seen",
          "seconds": "Seconds of training"}


def loss_figure(history, *, log_y=False, pinned=(), height=430, batch_loss=None,
                max_points=500, x="step", accuracy=True):
    """Loss (top panel) and accuracy (bottom) against the update number, or against another
    clock of the history (``x``: a key of :data:`X_AXES`), so that runs with different batch
    modes can be compared per epoch, per sample seen or per second of training. The batch
    loss is drawn against updates only.

    ``history``: dict of 1-D arrays "step", "train_loss", "test_loss", "train_acc",
    "test_acc" (test series that are all NaN are skipped: no test set). ``batch_loss=(steps,
    values)`` draws the per-update batch loss as a faint line behind the train loss.
    ``pinned``: up to 4 dicts ``{"label": str, "history": {same keys}}``, each drawn as two
    dashed lines (loss, accuracy) in a muted colour with one legend entry named by the label:
    the run's test curves if it had a test set, else its train curves (the hover says
    which). Both panels share one x axis, so zooming one zooms both. Every series is thinned
    to at most ~``max_points`` points by striding (keeps the JSON ≈ 3 kB per line).

    ``accuracy=False`` (regression: its accuracy columns are NaN) draws the loss alone, over
    the whole height, with no accuracy panel.
    """
    data = []
    if x not in X_AXES:
        raise ValueError(f"x must be one of {list(X_AXES)}; got {x!r}.")
    if batch_loss is not None and len(batch_loss[0]) and x == "step":
        keep = _thin(len(batch_loss[0]), max_points)
        data.append(_curve(np.asarray(batch_loss[0])[keep], np.asarray(batch_loss[1])[keep],
                           "batch loss", TRAIN_COLOR, width=1.0, opacity=0.45, log=log_y))
    keep = _thin(len(history["step"]), max_points)
    step = np.asarray(history[x])[keep]
    for split, color, dash in (("train", TRAIN_COLOR, "solid"), ("test", TEST_COLOR, "dash")):
        if not _has_values(history[f"{split}_loss"]):
            continue
        data.append(_curve(step, np.asarray(history[f"{split}_loss"])[keep], split, color,
                           dash=dash, log=log_y))
        if accuracy:
            data.append(_curve(step, np.asarray(history[f"{split}_acc"])[keep], split, color,
                               dash=dash, yaxis="y2", showlegend=False))
    for i, run in enumerate(list(pinned)[:4]):
        curves = _pinned_curves(run, PINNED_COLORS[i], f"pinned{i}", max_points, log_y, x)
        data += curves if accuracy else curves[:1]

    layout = _layout(
        height,
        xaxis=_axis(anchor="y2" if accuracy else "y", title=dict(text=X_AXES[x], standoff=4)),
        yaxis=_axis(domain=[0.56, 1.0] if accuracy else [0.0, 1.0], title=dict(text="Loss"),
                    type="log" if log_y else "linear", tickformat=_LOSS_TICKS,
                    **_flat_range([t["y"] for t in data if t["yaxis"] == "y"], log_y)),
        legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
        margin=dict(l=55, r=12, t=30, b=40),
        hovermode="x",
    )
    if accuracy:
        layout["yaxis2"] = _axis(domain=[0.0, 0.44], range=[0, 1.02], tickformat=".0%",
                                 title=dict(text="Accuracy"))
    return _figure(data, layout)


# Loss ticks with at most 3 significant digits and never an exponent: a flat curve at ln 3
# otherwise gets labels like "1.0986124" that run into the axis title.
_LOSS_TICKS = ".3~r"
# The smallest loss axis span (in loss units; decades on a log axis). Around a flat curve
# plotly.js zooms into float32 noise and labels it with long ticks.
_MIN_LOSS_SPAN, _MIN_LOG_SPAN = 0.1, 0.1


def _flat_range(ys, log_y):
    """``range=[lo, hi]`` when the finite values of ``ys`` span less than the minimum span
    (centred on them), else nothing: plotly's autorange is fine for a moving curve."""
    vals = [np.asarray(y, dtype=np.float64) for y in ys]
    vals = np.concatenate(vals) if vals else np.empty(0)
    vals = vals[np.isfinite(vals) & ((vals > 0) if log_y else True)]
    if not vals.size:
        return {}
    if log_y:
        vals = np.log10(vals)
    lo, hi = float(vals.min()), float(vals.max())
    span = _MIN_LOG_SPAN if log_y else _MIN_LOSS_SPAN
    if hi - lo >= span:
        return {}
    mid = (lo + hi) / 2
    return {"range": [mid - span / 2, mid + span / 2]}


def _pinned_curves(run, color, group, max_points, log_y, x="step"):
    """Two dashed curves (loss, accuracy) of a pinned run: test if it has it, else train."""
    label = safe_text(run.get("label", "pinned"))
    h = run["history"]
    split = "test" if _has_values(h["test_loss"]) else "train"
    keep = _thin(len(h["step"]), max_points)
    step = np.asarray(h[x])[keep]
    return [
        _curve(step, np.asarray(h[f"{split}_loss"])[keep], label, color, dash="dash",
               width=2.0, group=group, hover_name=f"{label} · {split}", log=log_y),
        _curve(step, np.asarray(h[f"{split}_acc"])[keep], label, color, dash="dash",
               width=2.0, yaxis="y2", group=group, showlegend=False,
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

