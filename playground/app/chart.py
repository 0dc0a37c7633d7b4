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

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
PLOTLY_JS = "plotly-cartesian.min.js"       # committed: plotly.js-cartesian-dist-min 4.1.1
PLOTLY_FULL_JS = "plotly.min.js"            # fallback, copied from the plotly package
PACE_PATIENCE_MS = 2000     # a paced chart stops waiting for an answer after this long
PRESENT_SCALE = 1.4          # presentation mode: type and lines this much larger ...
PRESENT_MIN_FONT = 16        # px: ... and no text under this (a projector's back row)
PAGE_KEY = "page"            # the session's PageState (page_state.KEY; not imported: a cycle)
FIT_MIN_SIDE = 240          # px: a fitted square plot is never smaller (a short window scrolls)
FIT_GAP = 12                # px left free under a fitted chart
FIT_STICKY = 130            # px: the page's header and sticky controls above a scrolled chart

# The component's JavaScript: array reuse for Plotly.react, the live loop's pacing clock and
# drawing only what is visible (see chart.js).
_JS = (Path(__file__).with_name("chart.js")).read_text(encoding="utf-8")

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


def live_chart(fig, key, frame=0, filename="playground", pace=None, settle=None, fit=None,
               scale=None, session=None, clicks=False, draw=None, units=None):
    """Draw ``fig`` under ``key`` (once per key per script run), updating in place.

    ``pace`` (seconds) makes this chart the clock of the fragment it is drawn in, and
    ``settle`` asks for one more run: see :func:`live_chart_json`."""
    return live_chart_json(fig.to_json(), int(fig.layout.height or 420), key, frame, filename,
                           pace, settle, fit, scale, session, clicks, draw, units)


def live_chart_json(figure_json, height, key, frame=0, filename="playground", pace=None,
                    settle=None, fit=None, scale=None, session=None, clicks=False, draw=None,
                    units=None):
    """:func:`live_chart` for a figure already serialised (e.g. cached between frames: the
    same data again is a no-op for the browser).

    With ``pace`` (seconds) the browser reruns the fragment every ``pace`` seconds, as
    ``st.fragment(run_every=pace)`` would, but holds back while two of its reruns (one, if the
    answers are slow) are unanswered: the rate adapts to what the page can draw (see chart.js).

    With ``settle`` (an int, new for each run that wants it) the browser reruns the fragment
    once, as soon as this chart's data reach it: a run drawn lean for speed gets its details
    in the next run. The value itself is not read back.

    ``fit="square"`` sizes a square plot (axes with ``scaleanchor``) to the browser's window:
    as wide as its column and no taller than the window below the chart's top, so the whole
    map is in view (``height`` is then only its first guess). ``scale`` multiplies the
    figure's type sizes and line widths, with type never under PRESENT_MIN_FONT px; by
    default the session's presentation mode sets it (PRESENT_SCALE), so every chart of the
    page follows it.

    ``session`` (a token per server session) lets the chart notice that the page was
    reconnected to another session behind its back (its server stopped): it then sets its
    ``moved`` state to the old token, which reruns the fragment.

    ``clicks=True`` reports a click on a data point as the ``click`` state, ``{"x", "y",
    "t"}`` (data coordinates; ``t`` the browser's clock, new for every click), which reruns
    the fragment.

    ``draw`` (``{"mode": "add" | "erase", "radius": px}``) is the draw mode: a click anywhere
    in the plot is then the ``draw`` state, ``{"x", "y", "r", "mode", "t"}`` (data
    coordinates, the radius in data units), instead of a click on a point.

    ``units`` (the network diagram: ``{"released": n}``, n counting the page's releases)
    reports the node hovered or clicked as the ``unit`` state, ``{"layer", "unit", "how",
    "t"}`` (``layer`` None: released), which reruns the fragment; a new ``released`` ends a
    click's hold in the browser (see chart.js, ``listenForUnits``)."""
    config = dict(_CONFIG, toImageButtonOptions=dict(_CONFIG["toImageButtonOptions"],
                                                     filename=filename))
    data = {"figure": figure_json, "frame": int(frame), "config": config,
            "src": f"./app/static/{ensure_plotly_js()}"}
    if pace is not None:
        data["pace"] = pace_data(pace, (st.session_state.get(key) or {}).get("tick"))
    if settle is not None:
        data["settle"] = int(settle)
    if fit is not None:
        data["fit"] = {"kind": fit, "min": FIT_MIN_SIDE, "gap": FIT_GAP, "sticky": FIT_STICKY}
        height = "content"
    if scale is None:
        page = st.session_state.get(PAGE_KEY)
        scale = PRESENT_SCALE if getattr(page, "present", False) else 1.0
    if scale != 1.0:
        data["scale"] = {"k": float(scale), "min": PRESENT_MIN_FONT}
    if session is not None:
        data["session"] = str(session)
    if clicks:
        data["clicks"] = True
    if draw is not None:
        data["draw"] = draw
    if units is not None:
        data["units"] = units
    return _component(data=data, key=key, height=height, on_tick_change=_no_callback,
                      on_settle_change=_no_callback, on_moved_change=_no_callback,
                      on_click_change=_no_callback, on_draw_change=_no_callback,
                      on_unit_change=_no_callback)


def pace_data(seconds, tick):
    """The ``pace`` a paced chart is sent: its period, the last tick this run answers (the
    component's ``tick`` state, which the browser sets; anything but a count is taken as
    none) and how long the browser waits for a lost answer."""
    answered = tick if type(tick) is int and tick >= 0 else 0
    return {"ms": round(1000 * seconds), "answered": answered, "patience": PACE_PATIENCE_MS}


def _no_callback():
    """The pacing tick, the settle request and a click only rerun the fragment; a state key
    needs a callback to exist."""
