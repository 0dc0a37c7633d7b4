"""Weights and biases (or their gradients) as heatmaps: one panel per layer, the matrix in the
orientation the math uses (fan_in rows × fan_out columns) with its bias as a strip under it."""

import numpy as np

from .common import DIVERGING, _axis, _f32, _figure, _layout, sci_text

# Pixel plan of one layer panel, top-down: title, matrix, gap, bias strip, x ticks + title,
# gap to the next layer. The matrix's height follows fan_in (capped, with a floor so the
# rotated row label fits); its width follows fan_out (capped cells), so a 100×3 matrix is
# tall and narrow and a 2×100 one short and wide.
_TITLE_PX, _GAP_PX, _STRIP_PX, _XAXIS_PX, _LAYER_GAP_PX = 20, 4, 12, 34, 12
_MIN_MATRIX_PX, _MAX_MATRIX_PX, _ROW_PX = 56, 200, 14
# Cells are at most this wide, in a plot area planned this wide (the view sits in a ~450–600
# px column): a matrix of 15 or more columns spans the width, a 3-column one a fifth of it.
# (Fixed pixel heights rather than scaleanchor'ed axes: plotly places an axis title at the
# unconstrained domain, so it ran into the panel when a narrow column shrank the height.)
_MAX_CELL_PX, _PLAN_WIDTH_PX = 28.0, 400.0
_MARGIN = dict(l=62, r=10, t=34, b=6)         # t: the shared colour bar


def _finite_max_abs(arrays):
    """max |value| over the finite entries of all arrays (0 when there are none): a NaN
    after divergence must not blank the scale of every other panel."""
    m = 0.0
    for a in arrays:
        a = np.asarray(a, dtype=np.float64)
        if a.size:
            m = max(m, float(np.max(np.abs(a), where=np.isfinite(a), initial=0.0)))
    return m


def _scale(m):
    """The zmax of a range ±m. All zeros still get a (tiny) symmetric range, so 0 sits at the
    middle of the colour scale (white) instead of plotly's degenerate zmin == zmax."""
    return m if m > 0 else 1e-12


def _plan(fan_in, fan_out):
    """(matrix height px, cell width px, cell height px) of one layer's panel."""
    cell_w = min(_PLAN_WIDTH_PX / fan_out, _MAX_CELL_PX)
    matrix_px = min(max(fan_in * min(cell_w, _ROW_PX), _MIN_MATRIX_PX), _MAX_MATRIX_PX)
    return matrix_px, cell_w, matrix_px / fan_in


def _panel_px(fan_in, fan_out):
    return (_TITLE_PX + _plan(fan_in, fan_out)[0] + _GAP_PX + _STRIP_PX + _XAXIS_PX
            + _LAYER_GAP_PX)


def gradient_heatmaps_figure(pairs, *, names=("dW", "db"), shared_scale=True, height=None):
    """One panel per layer: the matrix as a heatmap with its vector as a strip under it.

    ``pairs`` = [(dW_1, db_1), ...] (or (W, b) with ``names=("W", "b")``). Colours are on a
    symmetric blue–white–red scale (0 is white). ``shared_scale=True``: ONE range ±m over
    the whole figure, m = max |value| of all matrices and vectors, with one colour bar, so
    a layer whose values are a billion times smaller than another's looks white, as it
    should. ``shared_scale=False``: each layer (matrix and bias together) gets its own ±m,
    written in its title. Every title gives the layer's shape and max |value|.

    Orientation is the math's: W_l is fan_in × fan_out, drawn as fan_in rows (y: "inputs"
    or "units of layer l−1", top-down) by fan_out columns (x: "units of layer l" or
    "classes"), never transposed; the bias strip lies under the columns it belongs to.
    Matrix and strip share one pair of axes per layer. Traces: matrix then strip, per
    layer; z is float32.
    """
    pairs = [(np.asarray(w), np.asarray(b).reshape(-1)) for w, b in pairs]
    m_all = _scale(_finite_max_abs([a for pair in pairs for a in pair]))
    sizes = [_panel_px(*w.shape) for w, _ in pairs]
    if height is None:
        height = sum(sizes) + _MARGIN["t"] + _MARGIN["b"]
    frac = 1.0 / max(sum(sizes), 1)   # px of the plan → fraction of the plot's height

    data, annotations, layout = [], [], {}
    top = 1.0
    for l, (mat, vec) in enumerate(pairs, start=1):
        fan_in, fan_out = mat.shape
        matrix_px, cell_w, cell_h = _plan(fan_in, fan_out)
        m_layer = _finite_max_abs([mat, vec])
        m = m_all if shared_scale else _scale(m_layer)
        suffix = "" if l == 1 else str(l)

        d_top = top - _TITLE_PX * frac
        d_bot = d_top - (matrix_px + _GAP_PX + _STRIP_PX) * frac
        top = d_top - (_panel_px(fan_in, fan_out) - _TITLE_PX) * frac

        # y in data units: rows 1..fan_in, then the gap and the strip, converted from px
        gap_u, strip_u = _GAP_PX / cell_h, _STRIP_PX / cell_h
        strip_y = fan_in + 0.5 + gap_u + strip_u / 2
        rows = "inputs" if l == 1 else f"units of layer {l - 1}"
        cols = "classes" if l == len(pairs) else f"units of layer {l}"
        w_name, b_name = f"{names[0]}{l}", f"{names[1]}{l}"
        common = dict(type="heatmap", zmin=-m, zmax=m, zmid=0, colorscale=DIVERGING,
                      showscale=False, xaxis=f"x{suffix}", yaxis=f"y{suffix}", x0=1, dx=1)
        data.append(dict(common, z=_f32(mat), y0=1, dy=1, name=w_name,
                         hovertemplate=(f"{w_name}[%{{y}}, %{{x}}] = %{{z:.3g}}<br>"
                                        f"row: {rows[:-1]} %{{y}} · column: {cols[:-1]} "
                                        "%{x}<extra></extra>")))
        data.append(dict(common, z=_f32(vec.reshape(1, -1)), y0=strip_y, dy=strip_u,
                         name=b_name, hovertemplate=(f"{b_name}[%{{x}}] = %{{z:.3g}}"
                                                     "<extra></extra>")))
        scale_note = "" if shared_scale else f" · colours ±{sci_text(m)}"
        annotations.append(dict(
            text=(f"<b>{w_name}</b> · {fan_in}×{fan_out} (fan_in×fan_out) · "
                  f"max |{w_name}| = {sci_text(m_layer)}{scale_note}"),
            x=0.0, y=d_top, xref="paper", yref="paper", xanchor="left", yanchor="bottom",
            showarrow=False, font=dict(size=11)))
        layout[f"xaxis{suffix}"] = _axis(
            domain=[0.0, min(1.0, fan_out * cell_w / _PLAN_WIDTH_PX)], anchor=f"y{suffix}",
            range=[0.5, fan_out + 0.5], showgrid=False, ticks="", tickfont=dict(size=9),
            tickvals=_ticks(fan_out), title=dict(text=f"{cols} (fan_out)",
                                                 font=dict(size=10)))
        layout[f"yaxis{suffix}"] = _axis(
            domain=[max(d_bot, 0.0), max(d_top, 0.0)], anchor=f"x{suffix}",
            range=[strip_y + strip_u / 2, 0.5], showgrid=False, ticks="",
            tickvals=[*_ticks(fan_in), strip_y], ticktext=[*map(str, _ticks(fan_in)), b_name],
            tickfont=dict(size=9),
            title=dict(text=f"{rows} (fan_in)", font=dict(size=10)))

    if shared_scale and data:
        data[0].update(showscale=True, colorbar=dict(
            orientation="h", x=0.0, xanchor="left", y=1.0, yanchor="bottom", ypad=14,
            len=240, lenmode="pixels", thickness=9, outlinewidth=0, exponentformat="power",
            tickangle=0, tickfont=dict(size=9),
            # three labels, −m, 0 and +m: five crowd each other on a bar this short
            tickvals=[-m_all, 0.0, m_all],
            ticktext=[f"−{sci_text(m_all)}", "0", f"+{sci_text(m_all)}"],
            title=dict(text=f"one scale, all layers: ±{sci_text(m_all)}  ", side="right",
                       font=dict(size=10))))
    return _figure(data, _layout(height, margin=_MARGIN, annotations=annotations,
                                 showlegend=False, **layout))


def _ticks(n):
    """A few 1-based row or column numbers: the first, the last and about four between."""
    step = max(1, round(n / 5))
    ticks = list(range(1, n + 1, step))
    if ticks[-1] != n and n - ticks[-1] >= step / 2:
        ticks.append(n)
    return ticks
