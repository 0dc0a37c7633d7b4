"""A race of batch modes: every runner's training curves on one clock, and their decision
maps as small multiples side by side."""

import numpy as np

from .common import _axis, _bare_axis, _f32, _figure, _layout, class_colors, safe_text
from .curves import X_AXES, _curve, _thin
from .regions import decision_codes, decision_png

# One colour per runner (Okabe–Ito), apart from the class colours' order so a runner is not
# read as a class.
RUNNER_COLORS = ("#000000", "#D55E00", "#009E73", "#CC79A7")


def race_curves_figure(histories, labels, *, x="step", target=None, log_y=False, height=380,
                       max_points=300):
    """Training loss (top) and training accuracy (bottom) of every runner against one clock
    (``x``: a key of :data:`~playground.figures.X_AXES`). ``histories``: the runners'
    evaluation histories (dicts with "step", "train_loss", "train_acc" and the clock's
    column); ``target``: an accuracy drawn as a dotted line."""
    if x not in X_AXES:
        raise ValueError(f"x must be one of {list(X_AXES)}; got {x!r}.")
    data = []
    for i, (h, label) in enumerate(zip(histories, labels)):
        color = RUNNER_COLORS[i % len(RUNNER_COLORS)]
        name = safe_text(label)
        keep = _thin(len(h["step"]), max_points)
        clock = np.asarray(h[x])[keep]
        data.append(_curve(clock, np.asarray(h["train_loss"])[keep], name, color,
                           group=f"runner{i}", log=log_y))
        data.append(_curve(clock, np.asarray(h["train_acc"])[keep], name, color, yaxis="y2",
                           group=f"runner{i}", showlegend=False))
    shapes = []
    if target is not None:
        shapes.append(dict(type="line", xref="paper", x0=0, x1=1, yref="y2", y0=target,
                           y1=target, line=dict(color="#777777", width=1, dash="dot")))
    layout = _layout(
        height,
        xaxis=_axis(anchor="y2", title=dict(text=X_AXES[x], standoff=4)),
        yaxis=_axis(domain=[0.56, 1.0], title=dict(text="Train loss"),
                    type="log" if log_y else "linear", tickformat=".3~r"),
        yaxis2=_axis(domain=[0.0, 0.44], range=[0, 1.02], tickformat=".0%",
                     title=dict(text="Train acc.")),
        legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
        margin=dict(l=55, r=12, t=30, b=40),
        hovermode="x",
        shapes=shapes,
    )
    return _figure(data, layout)


def race_maps_figure(xs, ys, probs, titles, X=None, y=None, *, height=190):
    """Small decision maps side by side, one per runner: ``probs`` a list of (G·G, K)
    class probabilities over the grid (xs, ys), drawn as images (as the main map) with the
    points ``X``, ``y`` on top and ``titles`` above.

    The panels are tiled on ONE pair of axes, each shifted right by a panel's width and a
    gap (the hidden-unit tiles' layout): every axis costs the browser a redraw and a text
    measurement on each update, and a panel per axis pair made this figure the page's
    costliest to draw."""
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    n = len(probs)
    dx = float(xs[1] - xs[0]) if len(xs) > 1 else 1.0
    dy = float(ys[1] - ys[0]) if len(ys) > 1 else 1.0
    width = float(xs[-1] - xs[0]) + dx
    step = width * (1 + _PANEL_GAP)
    left, top = float(xs[0]) - dx / 2, float(ys[-1]) + dy / 2
    data, images = [], []
    X = None if X is None else np.asarray(X)
    y = None if y is None else np.asarray(y)
    for i, p in enumerate(probs):
        p = np.asarray(p)
        k = p.shape[-1]
        codes, _ = decision_codes(p.reshape(len(ys), len(xs), k))
        shift = i * step
        images.append(dict(source=decision_png(codes, k), xref="x", yref="y",
                           x=left + shift, y=top, sizex=width,
                           sizey=float(ys[-1] - ys[0]) + dy, xanchor="left", yanchor="top",
                           sizing="stretch", layer="below"))
        if X is not None and y is not None and len(X):
            # one trace per class and colour: a colour per point costs the browser a parse
            # of every point's colour on each redraw
            for c, color in enumerate(class_colors(k)):
                mask = y == c
                if mask.any():
                    data.append(dict(type="scatter", mode="markers",
                                     x=_f32(X[mask, 0] + shift), y=_f32(X[mask, 1]),
                                     showlegend=False, hoverinfo="skip",
                                     marker=dict(size=3, color=color), uid=f"points{i}.{c}"))
    # the titles: one text trace above the panels (no annotations to lay out one by one)
    centres = left + width / 2 + step * np.arange(n)
    data.append(dict(type="scatter", mode="text", x=_f32(centres),
                     y=_f32(np.full(n, top + 0.06 * width)), textposition="top center",
                     text=[safe_text(t) for t in list(titles)[:n]] + [""] * (n - len(titles)),
                     textfont=dict(size=11), showlegend=False, hoverinfo="skip",
                     uid="titles"))
    right = left + (n - 1) * step + width
    layout = _layout(
        height,
        xaxis=_bare_axis(range=[left, right], constrain="domain"),
        yaxis=_bare_axis(range=[top - (float(ys[-1] - ys[0]) + dy), top + 0.3 * width],
                         scaleanchor="x", scaleratio=1, constrain="domain"),
        images=images, margin=dict(l=4, r=4, t=4, b=4), hovermode=False)
    return _figure(data, layout)


_PANEL_GAP = 0.06            # between two maps, in map widths
