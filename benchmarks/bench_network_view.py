#!/usr/bin/env python
"""Cost of the Network view's diagram with and without neuron thumbnails (issue 17).

A playground at the given settings (default: the page's defaults) is trained a little; then
the diagram is built as the page builds it, with thumbnails (``network_focus.network_figure``:
the grid's maps of every layer, one PNG per drawn node) and without (the bare diagram of
before), and serialised: build and ``to_json`` times (median of ``--repeat``, process CPU)
and the JSON's size. One node's map large (``network_focus``'s figure for the main map) is
measured too, against the decision map it replaces. While playing, the view's chart is
rebuilt every 4th frame (views.VIEW_EVERY), so its cost per frame is a quarter of a build.

Run from the repository root:
    python benchmarks/bench_network_view.py [--repeat 50] [--query "units=8&layers=2"]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from urllib.parse import parse_qs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def timed(build, repeat):
    """(median build ms, median to_json ms, JSON bytes), process CPU."""
    builds, dumps, size = [], [], 0
    for _ in range(repeat):
        c0 = time.process_time()
        fig = build()
        c1 = time.process_time()
        text = fig.to_json()
        c2 = time.process_time()
        builds.append(1000 * (c1 - c0))
        dumps.append(1000 * (c2 - c1))
        size = len(text)
    return {"build_ms": statistics.median(builds), "json_ms": statistics.median(dumps),
            "kB": size / 1000}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--query", default="", help="settings as in the page's URL")
    ap.add_argument("--updates", type=int, default=200)
    args = ap.parse_args()

    from playground import figures
    from playground.app import network_focus
    from playground.state.playground import Playground
    from playground.state.settings import from_query

    settings, _ = from_query({k: v for k, v in parse_qs(args.query).items()})
    pg = Playground(settings)
    pg.step(args.updates)
    net = pg.trainer.net

    def bare():
        return figures.network_figure(net.layer_sizes, *zip(*pg.parameters()),
                                      class_names=pg.data.class_names)

    class Page:                       # what network_focus reads of the page's state
        view, unit_focus = network_focus.NETWORK_VIEW, (1, 2)
    page = Page()
    page.pg = pg

    def regions():
        grid, d = pg.grid(), pg.data
        return figures.decision_region_figure(grid.xs, grid.ys, grid.probs, d.X_train,
                                              d.y_train, d.X_test, d.y_test, image=True,
                                              refine=True, hover_detail=False)

    # network_focus reads the chosen view from the session state
    import streamlit as st
    st.session_state["w_view"] = network_focus.NETWORK_VIEW
    out = {"sizes": net.layer_sizes, "loadavg": os.getloadavg(),
           "diagram (before)": timed(bare, args.repeat),
           "diagram with thumbnails": timed(lambda: network_focus.network_figure(pg),
                                            args.repeat),
           "decision map (lean)": timed(regions, args.repeat),
           "unit's map large (lean)": timed(
               lambda: network_focus.focus_figure(page, True, True, True), args.repeat)}
    print(json.dumps(out, default=lambda v: round(v, 2)))


if __name__ == "__main__":
    main()
