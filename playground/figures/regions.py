"""The decision map: the input plane coloured by predicted class and confidence, with the
data on top; and the plain data scatter (same points, no map)."""

import base64
import io

import numpy as np
from PIL import Image

from .common import (
    MAP_MIN_LUMINANCE,
    _axis,
    _class_names,
    _class_points,
    _f32,
    _figure,
    _hex_rgb,
    _layout,
    class_colors,
    grid_image,
    luminance,
    place_heat,
    plane_axes,
    safe_text,
    traced_marker,
)

# Confidence levels per class in the decision map (max probability from 1/K to 1).
BANDS = 8


def decision_colors(k):
    """The colour of every decision-map code = class·BANDS + band, as (k·BANDS, 3) uint8 RGB:
    the class colour blended with white, pale for band 0 (a coin toss) to saturated for
    band 7. The heatmap's colorscale and the map's image both use these. No colour is
    darker than MAP_MIN_LUMINANCE (the black and wine classes stop short of their full
    blend), so the points' outlines and rings keep 3:1 against every one."""
    colors = np.empty((k * BANDS, 3), dtype=np.uint8)
    for c, color in enumerate(class_colors(k)):
        rgb = _hex_rgb(color)

        def blend(t, rgb=rgb):
            return [round(255 + (v - 255) * t) for v in rgb]

        top = 0.70
        while luminance(blend(top)) < MAP_MIN_LUMINANCE:
            top -= 0.01
        for band in range(BANDS):
            colors[c * BANDS + band] = blend(0.08 + (top - 0.08) * band / (BANDS - 1))
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
    return palette_png(codes, decision_colors(k))


def palette_png(codes, colors):
    """uint8 ``codes`` (ny, nx) as a palette PNG ``data:`` URI, code i coloured ``colors[i]``
    ((n, 3) uint8 RGB), the top row = the last row of codes (largest y)."""
    codes = np.ascontiguousarray(np.asarray(codes, dtype=np.uint8)[::-1])
    image = Image.fromarray(codes, mode="P")
    image.putpalette(np.asarray(colors, dtype=np.uint8).tobytes())
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=3)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def decision_codes(probs):
    """uint8 codes class·BANDS + confidence band for probabilities (..., K), and the
    confidence in percent (uint8)."""
    cls, conf = _top_class(np.moveaxis(np.asarray(probs), -1, 0))
    return _codes(cls, conf, probs.shape[-1]), np.rint(conf * 100).astype(np.uint8)


def _top_class(planes):
    """(class, probability) of the most likely class, from K probability planes (K, ...):
    K elementwise passes, where argmax/max over a last axis of 3 loop per element (4× the
    time); ties go to the lower class, as with argmax."""
    conf = planes[0].copy()
    cls = np.zeros(conf.shape, dtype=np.uint8)
    for c in range(1, len(planes)):
        better = planes[c] > conf
        np.copyto(conf, planes[c], where=better)
        cls[better] = c
    return cls, conf


def _codes(cls, conf, k):
    band = np.floor((conf - 1.0 / k) / (1.0 - 1.0 / k) * BANDS)
    band = np.clip(band, 0, BANDS - 1)
    return (cls * BANDS + band).astype(np.uint8)


def _hard(codes):
    """Codes of hard regions: each class in its middle confidence band."""
    return (codes // BANDS * BANDS + BANDS // 2).astype(np.uint8)


def refined_codes(probs):
    """The codes of probabilities (ny, nx, K) interpolated linearly to (2ny − 1, 2nx − 1):
    the even rows and columns are the grid's own, the others their neighbours' means, so
    class boundaries run between grid points instead of in cell-sized steps."""
    planes = np.moveaxis(np.asarray(probs), -1, 0)
    k, ny, nx = planes.shape
    fine = np.empty((k, 2 * ny - 1, 2 * nx - 1), dtype=planes.dtype)
    fine[:, ::2, ::2] = planes
    fine[:, 1::2, ::2] = (planes[:, :-1] + planes[:, 1:]) * 0.5
    fine[:, :, 1::2] = (fine[:, :, :-2:2] + fine[:, :, 2::2]) * 0.5
    cls, conf = _top_class(fine)
    return _codes(cls, conf, k)


def _in_own_region(cls, xs, ys, X, y):
    """How many of the points lie in the region of their own class (the grid cell nearest
    to each point), and how many points there are."""
    if X is None or y is None or not len(X):
        return 0, 0
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    ix = np.clip(np.rint((X[:, 0] - xs[0]) / (xs[-1] - xs[0]) * (len(xs) - 1)), 0, len(xs) - 1)
    iy = np.clip(np.rint((X[:, 1] - ys[0]) / (ys[-1] - ys[0]) * (len(ys) - 1)), 0, len(ys) - 1)
    return int(np.sum(cls[iy.astype(int), ix.astype(int)] == y)), len(y)


def map_summary(codes, xs, ys, names, X_train, y_train, X_test=None, y_test=None):
    """The decision map in one line of text, for a screen reader: the share of the plane
    each class's region takes, and how many points lie in their own class's region. The
    names stay escaped (:func:`safe_text`), as in every figure string."""
    cls = codes // BANDS
    share = np.bincount(cls.ravel(), minlength=len(names)) / cls.size
    regions = ", ".join(f"{n} over {s:.0%}" for n, s in zip(names, share))
    text = f"Decision map of {len(names)} classes: the network predicts {regions} of the plane."
    counts = []
    for X, y, which in ((X_train, y_train, "training"), (X_test, y_test, "test")):
        inside, n = _in_own_region(cls, xs, ys, X, y)
        if n:
            counts.append(f"{inside} of {n} {which} points")
    if counts:
        text += f" {' and '.join(counts)} lie in their own class's region."
    return text


def decision_region_figure(xs, ys, probs, X_train, y_train, X_test=None, y_test=None, *,
                           class_names=None, height=430, title=None, hover_detail=True,
                           image=False, discrete=False, refine=False, highlight=None):
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
    no hover. The page's CSS decides how the image is scaled (``image-rendering``: the app
    draws it smooth).

    ``refine=True`` draws the image from probabilities interpolated linearly to twice the
    grid's resolution (a (2G − 1)² image whose even pixels are the grid's own), so that class
    boundaries run smoothly between grid points instead of in cell-sized steps.

    ``discrete=True`` draws hard regions: each class in one colour (its middle confidence
    band), without the shading by confidence. ``X_train``/``X_test`` may be None (hidden).

    ``highlight=(x, y)`` rings one point (the Backprop view's traced point) in black: no
    legend entry and no hover, so a click on it still reaches the point under it.
    """
    xs, ys = np.asarray(xs), np.asarray(ys)
    probs = np.asarray(probs)
    k = probs.shape[-1]
    if k * BANDS > 256:
        raise ValueError(f"At most {256 // BANDS} classes fit the uint8 decision map.")
    probs = probs.reshape(len(ys), len(xs), k)
    codes, conf = decision_codes(probs)
    if discrete:
        codes = _hard(codes)
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

    data = []
    shown_train = X_train is not None and y_train is not None and len(X_train)
    if shown_train:
        data += _class_points(X_train, y_train, k, names)
    if X_test is not None and y_test is not None and len(X_test):
        data += _class_points(X_test, y_test, k, names, test=True, test_legend=not shown_train)
    if highlight is not None:
        # arrays (base64 in the JSON) like the points: the browser reuses them while the
        # ring stays put, so a live frame does not make Plotly recompute the traces
        data.append(traced_marker(highlight))
    images = []
    place_heat(data, heat, image, hover_detail)
    if image:
        img_codes = codes
        if refine and len(xs) > 1 and len(ys) > 1:
            img_codes = refined_codes(probs)
            if discrete:
                img_codes = _hard(img_codes)
        images.append(grid_image(decision_png(img_codes, k), xs, ys, "prediction",
                                 img_codes.shape[:2]))

    layout = _layout(height, **plane_axes(xs, ys),
                     # room for the legend above the plot (41 px): a class that comes or
                     # goes (Draw mode) must not move the plot by a pixel
                     margin=dict(l=40, r=10, t=60 if title else 46, b=30),
                     meta={"summary": map_summary(codes, xs, ys, names, X_train, y_train,
                                                  X_test, y_test)})
    if images:
        layout["images"] = images
    if title:
        layout["title"] = dict(text=safe_text(title), x=0.01, y=0.98, font=dict(size=13))
    return _figure(data, layout)

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
