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
PACE_PATIENCE_MS = 2000     # a paced chart stops waiting for an answer after this long

_JS = """
// plotly.py sends NumPy arrays as {dtype, bdata[, shape]} specs, which plotly.js decodes
// into new typed arrays on every update; Plotly.react then sees every data array as new
// and recomputes and redraws every trace. Here each spec is decoded once and the decoded
// array is reused while its bytes stay the same, so Plotly.react skips the traces whose
// data did not change (e.g. the data points under a new decision-map image).
const TYPES = {f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array,
               i2: Int16Array, u2: Uint16Array, i1: Int8Array, u1: Uint8Array};
const isSpec = (v) => v && typeof v === "object" && typeof v.bdata === "string"
                      && typeof v.dtype === "string" && TYPES[v.dtype];
function decode(spec) {
  const bin = atob(spec.bdata);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const flat = new TYPES[spec.dtype](bytes.buffer);
  const shape = spec.shape ? String(spec.shape).split(",").map(Number) : [flat.length];
  // n-d arrays (heatmap z, the map's (ny, nx, 2) hover customdata) as nested rows
  const nest = (dims, offset) => {
    if (dims.length === 1) return flat.subarray(offset, offset + dims[0]);
    const stride = dims.slice(1).reduce((a, b) => a * b, 1);
    const rows = [];
    for (let i = 0; i < dims[0]; i++) rows.push(nest(dims.slice(1), offset + i * stride));
    return rows;
  };
  return shape.length === 1 ? flat : nest(shape, 0);
}
function reuseArrays(node, cache, seen, path) {
  for (const key of Object.keys(node)) {
    const v = node[key];
    const here = path + "." + key;
    if (isSpec(v)) {
      const old = cache.get(here);
      const value = old && old.bdata === v.bdata && old.shape === v.shape
        ? old.value : decode(v);
      seen.set(here, {bdata: v.bdata, shape: v.shape, value});
      node[key] = value;
    } else if (v && typeof v === "object") {
      reuseArrays(v, cache, seen, here);
    }
  }
}

function drawFigure(div, data) {
  const fig = JSON.parse(data.figure);
  const seen = new Map();
  reuseArrays(fig.data, div.__arrays || new Map(), seen, "");
  div.__arrays = seen;
  // likewise the template: a new (even empty) template object makes Plotly.react redo
  // the whole plot
  const template = JSON.stringify(fig.layout.template);
  if (div.__template && div.__template.json === template) {
    fig.layout.template = div.__template.value;
  } else {
    div.__template = {json: template, value: fig.layout.template};
  }
  window.Plotly.react(div, fig.data, fig.layout, data.config).then(() => {
    div.dataset.frame = String(data.frame);   // lets tests and benchmarks see updates
  });
}

function whenPlotly(src, then) {
  if (window.Plotly) { then(); return; }
  window.__plotlyLoad ??= new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = reject;
    document.head.appendChild(s);
  });
  window.__plotlyLoad.then(then);
}

// The clock of a live loop (data.pace, on one chart of the page): like run_every, it asks
// for the next frame every pace.ms, by setting this component's "tick" state (which reruns
// the fragment); unlike run_every, it holds back while earlier ticks are unanswered (each
// frame echoes the last tick its run saw as pace.answered). A page that keeps up may have
// two ticks in flight, so the server computes the next frame while this one is drawn; a page
// whose answers take over three periods (a busy server or browser) one: it is sent fewer
// frames instead of a growing backlog, and a Pause click waits for at most one frame. An
// answer lost on the way is waited for pace.patience ms.
function pace(div) {
  const p = div.__latest.pace;
  if (!p) return;
  const now = performance.now();
  if (div.__askedAt && div.__askedAt.has(p.answered)) {
    div.__roundTrip = now - div.__askedAt.get(p.answered);
    for (const t of div.__askedAt.keys()) if (t <= p.answered) div.__askedAt.delete(t);
  }
  if (div.__tickTimer) return;
  div.__tick ??= p.answered;
  div.__askedAt = new Map();
  let due = now + p.ms;
  const tick = () => {
    const p = div.__latest.pace;
    if (!p || !div.isConnected) { div.__tickTimer = null; return; }
    const now = performance.now();
    const inFlight = (div.__roundTrip ?? 0) > 3 * p.ms ? 1 : 2;
    if (div.__tick - p.answered < inFlight || now - div.__tickAt > p.patience) {
      div.__tick += 1;
      div.__tickAt = now;
      div.__askedAt.set(div.__tick, now);
      div.__setState("tick", div.__tick);
    }
    // a steady beat, as setInterval keeps: a late tick does not delay the ones after it
    due = Math.max(due + p.ms, now);
    div.__tickTimer = setTimeout(tick, due - now);
  };
  div.__tickTimer = setTimeout(tick, p.ms);
}

export default function (component) {
  const { data, parentElement } = component;
  let div = parentElement.querySelector("div.live-plotly");
  if (!div) {
    div = document.createElement("div");
    div.className = "live-plotly";
    parentElement.appendChild(div);
  }
  div.__latest = data;
  div.__setState = component.setStateValue;
  pace(div);
  // A lean frame that wants its details (data.settle: the run that paused) asks for one more
  // run, once; that run comes back after this frame is drawn.
  if (data.settle != null && div.__settled !== data.settle) {
    div.__settled = data.settle;
    component.setStateValue("settle", data.settle);
  }
  // A chart scrolled out of view is drawn once, then updated only when it comes back into
  // view (with the latest figure): redrawing charts nobody sees costs the page's frames.
  if (!div.__observer && "IntersectionObserver" in window) {
    div.__visible = true;
    div.__observer = new IntersectionObserver((entries) => {
      div.__visible = entries[entries.length - 1].isIntersecting;
      if (div.__visible && div.__behind) {
        div.__behind = false;
        whenPlotly(div.__latest.src, () => drawFigure(div, div.__latest));
      }
    }, {rootMargin: "100px"});
    div.__observer.observe(div);
  }
  if (div.dataset.frame !== undefined && !div.__visible) {
    div.__behind = true;
    return;
  }
  // Drawn just before the next paint: if the page falls behind and several updates arrive
  // between two paints, only the latest is drawn.
  if (div.__drawPending) return;
  div.__drawPending = true;
  requestAnimationFrame(() => {
    div.__drawPending = false;
    whenPlotly(div.__latest.src, () => drawFigure(div, div.__latest));
  });
}
"""

# Layout images (the decision map) drawn cell by cell, as plotly.js draws heatmaps.
_CSS = """
.live-plotly { width: 100%; }
.live-plotly .imagelayer image { image-rendering: pixelated; }
"""

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


def live_chart(fig, key, frame=0, filename="playground", pace=None, settle=None):
    """Draw ``fig`` under ``key`` (once per key per script run), updating in place.

    ``pace`` (seconds) makes this chart the clock of the fragment it is drawn in, and
    ``settle`` asks for one more run: see :func:`live_chart_json`."""
    return live_chart_json(fig.to_json(), int(fig.layout.height or 420), key, frame, filename,
                           pace, settle)


def live_chart_json(figure_json, height, key, frame=0, filename="playground", pace=None,
                    settle=None):
    """:func:`live_chart` for a figure already serialised (e.g. cached between frames: the
    same data again is a no-op for the browser).

    With ``pace`` (seconds) the browser reruns the fragment every ``pace`` seconds, as
    ``st.fragment(run_every=pace)`` would, but holds back while two of its reruns (one, if the
    answers are slow) are unanswered: the rate adapts to what the page can draw (see the
    JavaScript above).

    With ``settle`` (an int, new for each run that wants it) the browser reruns the fragment
    once, as soon as this chart's data reach it: a run drawn lean for speed gets its details
    in the next run. The value itself is not read back."""
    config = dict(_CONFIG, toImageButtonOptions=dict(_CONFIG["toImageButtonOptions"],
                                                     filename=filename))
    data = {"figure": figure_json, "frame": int(frame), "config": config,
            "src": f"./app/static/{ensure_plotly_js()}"}
    if pace is not None:
        data["pace"] = pace_data(pace, (st.session_state.get(key) or {}).get("tick"))
    if settle is not None:
        data["settle"] = int(settle)
    return _component(data=data, key=key, height=height, on_tick_change=_no_callback,
                      on_settle_change=_no_callback)


def pace_data(seconds, tick):
    """The ``pace`` a paced chart is sent: its period, the last tick this run answers (the
    component's ``tick`` state, which the browser sets; anything but a count is taken as
    none) and how long the browser waits for a lost answer."""
    answered = tick if type(tick) is int and tick >= 0 else 0
    return {"ms": round(1000 * seconds), "answered": answered, "patience": PACE_PATIENCE_MS}


def _no_callback():
    """The pacing tick and the settle request only rerun the fragment; a state key needs a
    callback to exist."""
