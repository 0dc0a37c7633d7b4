"""What every figure shares: the colours, the inert user text, and the small layout, axis and
trace helpers that keep each figure quick to build and to send (see the package docstring)."""

import functools
import html

import numpy as np
import plotly.graph_objects as go

# Every layout.uirevision: a constant, so the user's zoom and legend clicks survive updates.
UIREVISION = "playground"

# Okabe–Ito (colour-blind safe) first; then Tol's wine and a mid grey for classes 9 and 10.
PALETTE = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
    "#D55E00", "#F0E442", "#000000", "#882255", "#999999",
)
# Pinned runs: four hues apart from each other and from the live run's blue and vermillion
PINNED_COLORS = ("#009E73", "#CC79A7", "#E69F00", "#000000")
# Diverging blue–white–red: negative blue, zero white, positive red (weights, biases, grads).
DIVERGING = [[0.0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"],
             [0.75, "#f4a582"], [1.0, "#b2182b"]]
SEQUENTIAL = "Viridis"
TRAIN_COLOR, TEST_COLOR = "#0072B2", "#D55E00"
_NEG_RGB, _POS_RGB = (33, 102, 172), (178, 24, 43)   # the ends of DIVERGING
_GRID = "#ebebeb"

# Told apart without colour (WCAG 1.4.1): each class has its own marker shape too.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "triangle-down", "pentagon",
           "hexagon", "star", "hexagram", "x")
# Seen on any map (WCAG 1.4.11, 3:1 for graphics): every colour of a class map is at least
# this light (relative luminance; the darkest class colour, blue, at full confidence is
# 0.295), so a black outline has 6.8:1 against all of them, and a test point's ring is its
# class colour darkened to RING_MAX_LUMINANCE, 3:1 against the lightest-floor map colour.
MAP_MIN_LUMINANCE = 0.29
OUTLINE = "#000000"
RING_MAX_LUMINANCE = (MAP_MIN_LUMINANCE + 0.05) / 3 - 0.05


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


def class_symbols(k: int) -> list[str]:
    """Marker shapes for classes 0..k-1 (repeating beyond 10 classes, like the colours)."""
    return [SYMBOLS[i % len(SYMBOLS)] for i in range(k)]


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour, 0–255 per channel."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ np.array([0.2126, 0.7152, 0.0722]))


def contrast(rgb_a, rgb_b) -> float:
    """WCAG contrast ratio of two sRGB colours, 1 to 21."""
    a, b = sorted((luminance(rgb_a), luminance(rgb_b)))
    return (b + 0.05) / (a + 0.05)


@functools.cache
def ring_colors(k: int) -> tuple[str, ...]:
    """Each class colour darkened (its channels scaled down) until its luminance is at most
    RING_MAX_LUMINANCE: the test points' rings, 3:1 or more against every map colour."""
    rings = []
    for color in class_colors(k):
        rgb = np.array(_hex_rgb(color), dtype=np.float64)
        lo, hi = 0.0, 1.0                  # the largest scale that is dark enough
        for _ in range(30):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if luminance(np.round(rgb * mid)) <= RING_MAX_LUMINANCE \
                else (lo, mid)
        r, g, b = (int(v) for v in np.round(rgb * lo))
        rings.append(f"#{r:02x}{g:02x}{b:02x}")
    return tuple(rings)


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


def _class_points(X, y, k, names, *, test=False, size=7, showlegend=True, test_legend=False,
                  outline=OUTLINE):
    """One Scatter dict per class present, in the class's colour and shape: filled with a
    black outline (train; ``outline`` another colour) or white-filled rings in the class
    colour darkened (test; see :func:`ring_colors`). The legend names each class once, by
    its training points (``test_legend``: by its test points, when the training points are
    not drawn)."""
    X = np.asarray(X)
    y = np.asarray(y)
    traces = []
    rings = ring_colors(k)
    symbols = class_symbols(k)
    for c, color in enumerate(class_colors(k)):
        mask = y == c
        if not mask.any():
            continue
        name = f"{names[c]} (test)" if test else names[c]
        # one legend entry per class: a click on it shows or hides its train and test points
        group = f"class{c}"
        if test:
            marker = dict(color="white", size=size + 1, symbol=symbols[c],
                          line=dict(color=rings[c], width=2))
        else:
            marker = dict(color=color, size=size, symbol=symbols[c],
                          line=dict(color=outline, width=1))
        trace = dict(type="scatter", mode="markers", x=_f32(X[mask, 0]), y=_f32(X[mask, 1]),
                     name=name, marker=marker, legendgroup=group,
                     hovertemplate=f"{name}<br>x=%{{x:.2f}}, y=%{{y:.2f}}<extra></extra>")
        if not showlegend or (test and not test_legend):
            trace["showlegend"] = False
        traces.append(trace)
    return traces



_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci_text(v, digits=2) -> str:
    """A number as a person reads it, to ``digits`` significant digits: fixed for
    1e-3 ≤ |v| < 1e4 ("0.0012", "1200", "0.5", "1"), otherwise scientific with a real
    exponent ("1.7×10⁻⁹"): never "0.0000" for a tiny value, nor Python's "1.7e-09"."""
    v = float(v)
    if not np.isfinite(v) or v == 0:
        return "0" if v == 0 else str(v)
    mantissa, exp = f"{v:.{digits - 1}e}".split("e")   # rounds first: 9.99e-5 → 1.0e-04
    exp = int(exp)
    if -3 <= exp < 4:
        text = f"{float(f'{v:.{digits - 1}e}'):.{max(0, digits - 1 - exp)}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{mantissa}×10{str(exp).translate(_SUPERSCRIPT)}"


def tex_number(v, digits=3, signed=True, decimals=None) -> str:
    """A number in LaTeX. Fixed for 1e-3 ≤ |v| < 1e4: to ``decimals`` places when given
    ("+0.1235", a matrix's columns), else to ``digits`` significant digits ("+2.37",
    "-0.00100", "+1235"); otherwise scientific ("1.70 \\times 10^{-9}"): a fixed format
    would print a vanishing gradient as +0.0000. ``signed``: a "+" on positive values, so
    columns line up."""
    v = float(v)
    sign = "+" if signed else ""
    if v == 0 or not np.isfinite(v):
        return "0" if v == 0 else rf"\text{{{v}}}"
    exp = int(np.floor(np.log10(abs(v))))
    if -3 <= exp < 4:
        if decimals is not None:
            return f"{v:{sign}.{decimals}f}"
        if abs(v) >= 10 ** digits - 0.5:             # no digits after the point to show
            return f"{v:{sign}.0f}"
        return f"{v:{sign}#.{digits}g}".rstrip(".")
    mantissa = v / 10.0 ** exp
    if round(abs(mantissa), digits - 1) >= 10:     # 9.999e-5 is written 1.00 × 10^{-4}
        mantissa, exp = mantissa / 10, exp + 1
    return rf"{mantissa:{sign}.{digits - 1}f} \times 10^{{{exp}}}"


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def subscript(text) -> str:
    """Digits as subscripts, for names in plain text: ``"h" + subscript(12)`` is "h₁₂"."""
    return str(text).translate(_SUBSCRIPT)


def grid_image(source, xs, ys, name, img_shape=None):
    """A layout image covering the grid ``xs`` × ``ys`` cell for cell (each grid value at
    its cell's centre): a PNG the browser scales, cheaper than a heatmap trace.
    ``img_shape`` (rows, cols) is the image's when it is finer than the grid."""
    rows, cols = img_shape or (len(ys), len(xs))
    dx = float(xs[-1] - xs[0]) / (cols - 1) if cols > 1 else 1.0
    dy = float(ys[-1] - ys[0]) / (rows - 1) if rows > 1 else 1.0
    return dict(source=source, xref="x", yref="y", x=float(xs[0]) - dx / 2,
                y=float(ys[-1]) + dy / 2, sizex=float(xs[-1] - xs[0]) + dx,
                sizey=float(ys[-1] - ys[0]) + dy, xanchor="left", yanchor="top",
                sizing="stretch", layer="below", name=name)


def plane_axes(xs, ys):
    """The x and y axes of a map of the plane: the grid's span, equal aspect. ticks="outside"
    is what plotly.js gives an axis with a heatmap on it; stated, so an image map looks the
    same."""
    return dict(
        xaxis=_axis(range=[float(xs[0]), float(xs[-1])], constrain="domain", showgrid=False,
                    ticks="outside"),
        yaxis=_axis(range=[float(ys[0]), float(ys[-1])], constrain="domain", scaleanchor="x",
                    scaleratio=1, showgrid=False, ticks="outside"),
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"))


def traced_marker(point):
    """The ring around the point the Backprop view traces."""
    return dict(type="scatter", mode="markers", x=np.array([point[0]], dtype=np.float64),
                y=np.array([point[1]], dtype=np.float64), name="traced point",
                showlegend=False, uid="traced", hoverinfo="skip",
                marker=dict(symbol="circle-open", size=17, color="black",
                            line=dict(width=2.5)))


def place_heat(data, heat, image, hover_detail):
    """Put a map's heatmap among its traces: drawn under the points, or, when the map is a
    layout image, kept only (invisible) for the hover's detail. Either way every trace gets
    a stable, unique uid: the hover layer comes and goes (paused / playing) after the points,
    and uirevision keeps legend clicks per uid (names may repeat: an uploaded class may be
    called "a (test)")."""
    if not image:
        data.insert(0, heat)
        return
    for i, trace in enumerate(data):
        trace.setdefault("uid", f"points{i}")
    if hover_detail:
        data.append(dict(heat, opacity=0, uid="prediction"))
