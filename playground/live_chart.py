"""A Plotly chart that updates in place: a small ``st.components.v2`` component calling
``Plotly.react``.

``st.plotly_chart`` remounts its chart whenever the figure changes (measured in Streamlit
1.67: blank charts in 9–59 % of live frames, zoom reset on every update). A keyed v2
component keeps its DOM node across reruns, and ``Plotly.react`` diffs the new figure into
it: no blank frame, and the user's zoom survives (every figure sets ``layout.uirevision``).

plotly.js itself is served from the app's ``static/`` folder (``server.enableStaticServing``),
so it works offline: the committed cartesian bundle (scatter and heatmap are all the figures
use; 1.5 MB instead of the full bundle's 4.8 MB, which every visitor downloads and parses),
or else the full bundle copied from the installed plotly package by :func:`ensure_plotly_js`.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import streamlit as st

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PLOTLY_JS = "plotly-cartesian.min.js"       # committed: plotly.js-cartesian-dist-min 4.1.1
PLOTLY_FULL_JS = "plotly.min.js"            # fallback, copied from the plotly package

_JS = """
export default function (component) {
  const { data, parentElement } = component;
  let div = parentElement.querySelector("div.live-plotly");
  if (!div) {
    div = document.createElement("div");
    div.className = "live-plotly";
    parentElement.appendChild(div);
  }
  const draw = () => {
    const fig = JSON.parse(data.figure);
    window.Plotly.react(div, fig.data, fig.layout, data.config).then(() => {
      div.dataset.frame = String(data.frame);   // lets tests and benchmarks see updates
    });
  };
  if (window.Plotly) { draw(); return; }
  window.__plotlyLoad ??= new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = data.src;
    s.onload = resolve;
    s.onerror = reject;
    document.head.appendChild(s);
  });
  window.__plotlyLoad.then(draw);
}
"""

_CSS = ".live-plotly { width: 100%; }"

_component = st.components.v2.component("playground_live_plotly", js=_JS, css=_CSS,
                                        isolate_styles=False)

_CONFIG = {"displaylogo": False, "responsive": True,
           "modeBarButtonsToRemove": ["select2d", "lasso2d"],
           "toImageButtonOptions": {"format": "png", "scale": 2}}


@functools.cache
def ensure_plotly_js():
    """The file name of the plotly.js bundle in static/: the committed cartesian bundle, or
    else the full bundle, copied from the plotly package unless it is already there
    (atomically, since several sessions may start at once). Resolved once per process:
    every live chart of every frame asks for it."""
    if (STATIC_DIR / PLOTLY_JS).exists():
        return PLOTLY_JS
    # the plotly package is located, not imported: this module only serves its JavaScript
    package = Path(importlib.util.find_spec("plotly").origin).parent
    source = package / "package_data" / PLOTLY_FULL_JS
    target = STATIC_DIR / PLOTLY_FULL_JS
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return PLOTLY_FULL_JS
    STATIC_DIR.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=STATIC_DIR, suffix=".tmp")
    os.close(fd)
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    return PLOTLY_FULL_JS


def live_chart(fig, key, frame=0, filename="playground"):
    """Draw ``fig`` under ``key`` (once per key per script run), updating in place."""
    return live_chart_json(fig.to_json(), int(fig.layout.height or 420), key, frame, filename)


def live_chart_json(figure_json, height, key, frame=0, filename="playground"):
    """:func:`live_chart` for a figure already serialised (e.g. cached between frames: the
    same data again is a no-op for the browser)."""
    config = dict(_CONFIG, toImageButtonOptions=dict(_CONFIG["toImageButtonOptions"],
                                                     filename=filename))
    return _component(data={"figure": figure_json, "frame": int(frame), "config": config,
                            "src": f"./app/static/{ensure_plotly_js()}"},
                      key=key, height=height)
