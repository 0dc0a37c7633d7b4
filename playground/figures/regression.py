"""The regression map: the network's predicted value over the plane on a fixed diverging
scale, with the data points coloured by their targets on the same scale.

The scale is :data:`~playground.figures.common.DIVERGING` (blue negative, white 0, red
positive) over a fixed range ``±vmax`` (the regression datasets' targets lie in [-1, 1]),
never rescaled from frame to frame: a colour means the same value at update 10 and at update
10,000, and a point whose colour matches the map under it is fitted. Values outside the range
take the end colours (the hover and the metrics give the numbers).
"""

import base64
import io

import numpy as np
from PIL import Image

from .common import (
    DIVERGING,
    _f32,
    _figure,
    _hex_rgb,
    _layout,
    grid_image,
    place_heat,
    plane_axes,
    safe_text,
    traced_marker,
)

# Colour levels of the image: an odd count, so 0 is a level of its own (code LEVELS // 2).
LEVELS = 255
VMAX = 1.0                   # the scale's range ±VMAX: the regression targets' [-1, 1]
DISCRETE_VALUE = 0.5         # "Discretize" paints ±this: the sign of the prediction


def diverging_rgb(t):
    """The scale's colours at positions ``t`` in [0, 1] (0 = −vmax, ½ = 0, 1 = +vmax), as
    float RGB (..., 3): linear in RGB between :data:`DIVERGING`'s stops, as plotly.js
    interpolates a colorscale."""
    t = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)
    stops = np.array([s for s, _ in DIVERGING])
    rgb = np.array([_hex_rgb(c) for _, c in DIVERGING], dtype=np.float64)
    return np.stack([np.interp(t, stops, rgb[:, ch]) for ch in range(3)], axis=-1)


def regression_colors():
    """The colour of every image code 0..LEVELS − 1 (value −vmax … +vmax), uint8 RGB."""
    return np.rint(diverging_rgb(np.linspace(0.0, 1.0, LEVELS))).astype(np.uint8)


def value_codes(values, vmax=VMAX):
    """uint8 codes of predicted values: the nearest of LEVELS levels on [−vmax, vmax]
    (clipped outside; NaN, a diverged network's output, shows as 0)."""
    v = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0)
    t = (np.clip(v, -vmax, vmax) + vmax) / (2 * vmax)
    return np.rint(t * (LEVELS - 1)).astype(np.uint8)


def regression_png(codes):
    """Codes (ny, nx) as a ``data:image/png`` URI, top row = largest y (see
    :func:`~playground.figures.regions.decision_png`)."""
    codes = np.ascontiguousarray(np.asarray(codes, dtype=np.uint8)[::-1])
    image = Image.fromarray(codes, mode="P")
    image.putpalette(regression_colors().tobytes())
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=3)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def refined_values(values):
    """Values (ny, nx) interpolated linearly to (2ny − 1, 2nx − 1): the even rows and
    columns are the grid's own, the others their neighbours' means."""
    v = np.asarray(values, dtype=np.float64)
    ny, nx = v.shape
    fine = np.empty((2 * ny - 1, 2 * nx - 1))
    fine[::2, ::2] = v
    fine[1::2, ::2] = (v[:-1] + v[1:]) * 0.5
    fine[:, 1::2] = (fine[:, :-2:2] + fine[:, 2::2]) * 0.5
    return fine


def _discrete(values):
    """The sign of the prediction, painted at ±DISCRETE_VALUE (0 stays 0)."""
    return np.sign(np.nan_to_num(values)) * DISCRETE_VALUE


def _colorscale_spec(vmax):
    return dict(colorscale=DIVERGING, cmin=-vmax, cmax=vmax)


def _value_points(X, y, vmax, *, test=False, size=7):
    """One Scatter dict of points coloured by their targets on the map's scale: filled
    (train) or white-filled rings in the target's colour (test)."""
    X, y = np.asarray(X), np.asarray(y, dtype=np.float64)
    name = "test" if test else "train"
    scale = _colorscale_spec(vmax)
    if test:
        marker = dict(color="white", size=size, line=dict(color=_f32(y), width=2, **scale))
    else:
        # a dark rim: a target near 0 is white, and must still show on a pale map
        marker = dict(color=_f32(y), size=size, line=dict(color="#505050", width=0.75),
                      **scale)
    return dict(type="scatter", mode="markers", x=_f32(X[:, 0]), y=_f32(X[:, 1]), name=name,
                marker=marker, customdata=_f32(y), legendgroup=name,
                hovertemplate=f"{name} point: target %{{customdata:.3f}}<br>"
                              f"x=%{{x:.2f}}, y=%{{y:.2f}}<extra></extra>")


def _scale_bar(vmax):
    """An invisible trace that carries the colour bar (so it stays when points are hidden)."""
    return dict(type="scatter", mode="markers", x=np.array([np.nan], dtype=np.float32),
                y=np.array([np.nan], dtype=np.float32), showlegend=False, hoverinfo="skip",
                name="scale", uid="scale",
                marker=dict(color=np.array([0.0], dtype=np.float32), showscale=True,
                            colorbar=dict(thickness=10, len=0.75, x=1.0, xpad=4,
                                          title=dict(text="ŷ, y", side="top"),
                                          tickvals=[-vmax, -vmax / 2, 0, vmax / 2, vmax],
                                          outlinewidth=0), **_colorscale_spec(vmax)))


def regression_figure(xs, ys, values, X_train, y_train, X_test=None, y_test=None, *,
                      height=430, title=None, hover_detail=True, image=False, discrete=False,
                      refine=False, highlight=None, vmax=VMAX, class_names=None):
    """The predicted value over the plane on the fixed diverging scale ±``vmax``, with the
    points coloured by their targets on the same scale.

    ``values`` is (len(ys)·len(xs),), (len(ys)·len(xs), 1) or (len(ys), len(xs)), e.g.
    ``net.predict(grid)`` of a regression network. ``class_names`` is accepted and unused,
    so that every task's map (``Task.map_figure``) is called alike. The conventions are the
    decision map's (:func:`~playground.figures.regions.decision_region_figure`): training
    points filled, test points outlined (in their target's colour), either set None to hide
    it;
    ``image=True`` draws the background as a palette PNG of LEVELS colours (the live page's
    way), ``hover_detail`` then adds an invisible heatmap that carries the predicted value
    in the hover; ``refine`` interpolates the image to twice the grid's resolution;
    ``highlight=(x, y)`` rings one point. ``discrete=True`` paints the sign of the
    prediction only (ŷ < 0 blue, ŷ > 0 red, at ±DISCRETE_VALUE's colours).
    """
    xs, ys = np.asarray(xs), np.asarray(ys)
    values = np.asarray(values, dtype=np.float64).reshape(len(ys), len(xs))
    shown = _discrete(values) if discrete else values
    heat = dict(type="heatmap", x=_f32(xs), y=_f32(ys), z=_f32(shown), zmin=-vmax, zmax=vmax,
                colorscale=DIVERGING, showscale=False, name="prediction", showlegend=False,
                hovertemplate="x=%{x:.2f}, y=%{y:.2f}<br>predicted ŷ = %{z:.3f}<extra></extra>")
    if discrete:
        # the colours show the sign; the hover still names the value
        heat["customdata"] = _f32(values)
        heat["hovertemplate"] = heat["hovertemplate"].replace("%{z:", "%{customdata:")
    data = []
    if X_train is not None and y_train is not None and len(X_train):
        data.append(_value_points(X_train, y_train, vmax))
    if X_test is not None and y_test is not None and len(X_test):
        data.append(_value_points(X_test, y_test, vmax, test=True))
    if highlight is not None:
        data.append(traced_marker(highlight))
    data.append(_scale_bar(vmax))
    images = []
    place_heat(data, heat, image, hover_detail)
    if image:
        img = shown
        if refine and len(xs) > 1 and len(ys) > 1:
            img = refined_values(values)
            if discrete:
                img = _discrete(img)
        codes = value_codes(img, vmax)
        images.append(grid_image(regression_png(codes), xs, ys, "prediction",
                                 codes.shape[:2]))
    layout = _layout(height, **plane_axes(xs, ys),
                     margin=dict(l=40, r=60, t=60 if title else 40, b=30))
    if images:
        layout["images"] = images
    if title:
        layout["title"] = dict(text=safe_text(title), x=0.01, y=0.98, font=dict(size=13))
    return _figure(data, layout)
