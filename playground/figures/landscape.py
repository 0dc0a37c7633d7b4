"""The loss landscape: contours of the loss on a 2-D slice through the parameters, with the
optimizer's path projected onto it and the current point marked."""

import numpy as np

from .common import _axis, _f32, _figure, _layout

PATH_COLOR, CURRENT_COLOR = "#ffffff", "#D55E00"


def landscape_figure(alphas, betas, losses, path=None, *, titles=("d1", "d2"), height=430,
                     contours=24):
    """Contours of ``losses[j, i]`` at (alphas[i], betas[j]), on a log scale (a slice's
    losses span decades between its valley and its rim; the colour bar is labelled in loss
    units, the hover gives the loss itself). ``path = (a, b)``: the optimizer's projected
    path, its last point the current parameters (marked). ``titles``: the axes' names."""
    L = np.asarray(losses, dtype=np.float64)
    finite = np.isfinite(L) & (L > 0)
    floor = float(L[finite].min()) if finite.any() else 1.0
    ceiling = float(L[finite].max()) if finite.any() else 10.0
    # an overflowed point (inf) is drawn at the slice's largest finite loss
    z = np.log10(np.clip(np.where(finite, L, ceiling), floor, ceiling))
    lo, hi = float(z.min()), float(z.max())
    if hi - lo < 1e-9:
        hi = lo + 1e-3
    ticks = _log_ticks(lo, hi)
    data = [dict(type="contour", x=_f32(alphas), y=_f32(betas), z=z.astype(np.float32),
                 customdata=L.astype(np.float32), colorscale="Viridis", ncontours=contours,
                 contours=dict(coloring="heatmap", showlines=True), line=dict(width=0.5),
                 colorbar=dict(title=dict(text="loss", side="right"), thickness=12,
                               tickvals=np.log10(ticks).tolist(),
                               ticktext=[f"{t:.3g}" for t in ticks]),
                 hovertemplate=(f"{titles[0]} %{{x:.3f}}, {titles[1]} %{{y:.3f}}"
                                "<br>loss %{customdata:.4g}<extra></extra>"),
                 name="loss", showlegend=False, uid="loss")]
    if path is not None and len(path[0]):
        a, b = (np.asarray(v, dtype=np.float64) for v in path)
        data.append(dict(type="scatter", mode="lines+markers", x=_f32(a), y=_f32(b),
                         name="path (projected)", uid="path",
                         line=dict(color=PATH_COLOR, width=2),
                         marker=dict(size=5, color=PATH_COLOR,
                                     line=dict(color="#333333", width=1)),
                         hovertemplate="path: %{x:.3f}, %{y:.3f}<extra></extra>"))
        data.append(dict(type="scatter", mode="markers", x=_f32(a[-1:]), y=_f32(b[-1:]),
                         name="current parameters", uid="current",
                         marker=dict(size=14, symbol="star", color=CURRENT_COLOR,
                                     line=dict(color="white", width=1.5)),
                         hovertemplate="current parameters<extra></extra>"))
    span_a = [float(alphas[0]), float(alphas[-1])]
    span_b = [float(betas[0]), float(betas[-1])]
    layout = _layout(
        height,
        xaxis=_axis(range=span_a, showgrid=False, title=dict(text=titles[0], standoff=2)),
        yaxis=_axis(range=span_b, showgrid=False, title=dict(text=titles[1], standoff=2)),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"),
        margin=dict(l=50, r=10, t=36, b=40),
    )
    return _figure(data, layout)


def _log_ticks(lo, hi):
    """Loss values for the colour bar's ticks between 10**lo and 10**hi: 1, 2, 5 per
    decade, thinned to at most ~7."""
    ticks = [m * 10.0 ** e for e in range(int(np.floor(lo)), int(np.ceil(hi)) + 1)
             for m in (1, 2, 5) if lo <= np.log10(m * 10.0 ** e) <= hi]
    if not ticks:
        ticks = [10 ** lo, 10 ** hi]
    step = max(1, len(ticks) // 7 + (len(ticks) % 7 > 0))
    return np.asarray(ticks[::step])
