"""Plotly figures for the playground: NumPy arrays in, ``plotly.graph_objects.Figure`` out.

What each figure is for:

* :func:`decision_region_figure` – the main view: the input plane coloured by the predicted
  class (pale where unsure, saturated where confident), training points filled, test points
  open. :func:`data_figure` – a plain scatter of a data set (data tab, upload preview).
* :func:`regression_figure` – the regression map: the predicted value over the plane on a
  fixed diverging scale, the points coloured by their targets on the same scale.
* :func:`loss_figure` – loss and accuracy against the update count, train and test, with
  optional per-batch loss and up to four pinned runs; :func:`grad_norm_figure` – each
  layer's gradient norm on a log axis (vanishing or exploding gradients show as decades).
* :func:`gradient_heatmaps_figure` – every weight matrix and bias vector (or their
  gradients) on a symmetric blue–white–red scale: which weights move, which are stuck.
* :func:`hidden_units_figure` – small multiples of what every hidden unit computes over the
  plane; :func:`unit_map_figure` – one unit, large, with a colour bar.
* :func:`network_figure` – the network as a node-link diagram (links by weight sign and
  size, nodes by bias).
* :func:`race_curves_figure`, :func:`race_maps_figure` – a race of batch modes: every
  runner's curves on one clock, and their decision maps side by side.
* :func:`landscape_figure` – contours of the loss on a 2-D slice of parameter space, with
  the optimizer's projected path.

They are redrawn up to ~10 times a second in a live page, so every builder keeps the figure
small and quick to make: an empty template and a small explicit layout; NumPy arrays (sent as
base64 typed arrays; ``.tolist()`` is ~10× larger and ~30× slower), big grids as ``uint8``;
traces as plain dicts and no plotly validation; multi-panel figures place axes by domains
(``make_subplots`` is slow); and a constant ``layout.uirevision`` so zoom and legend clicks
survive updates.

Class names come from uploaded files, so every piece of user text goes through
:func:`safe_text` before it reaches a figure. Classes are coloured ``PALETTE[i]`` everywhere.
"""

from .common import PALETTE, UIREVISION, class_colors, figure_payload_bytes, safe_text
from .curves import X_AXES, grad_norm_figure, loss_figure
from .heatmaps import gradient_heatmaps_figure
from .landscape import landscape_figure
from .network import network_figure
from .race import race_curves_figure, race_maps_figure
from .regions import (
                      BANDS,
                      data_figure,
                      decision_codes,
                      decision_colors,
                      decision_png,
                      decision_region_figure,
)
from .regression import regression_figure
from .units import hidden_units_figure, unit_map_figure

__all__ = [
    "BANDS", "PALETTE", "UIREVISION", "class_colors", "data_figure", "decision_codes",
    "decision_colors", "decision_png", "decision_region_figure", "figure_payload_bytes",
    "X_AXES", "grad_norm_figure", "gradient_heatmaps_figure", "hidden_units_figure", "loss_figure",
    "landscape_figure", "network_figure", "race_curves_figure", "race_maps_figure",
    "regression_figure", "safe_text", "unit_map_figure",
]
