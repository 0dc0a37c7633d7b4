#!/usr/bin/env python
"""What a Pause click costs the page's main thread, against a window of the page at rest.

One Streamlit server and one headless Chromium, as in ``profile_browser.py``. ``--clicks``
times: Play, ``--warmup`` s of play, then a CDP CPU profile (sampling every 0.5 ms) of the
``--seconds`` s after a Pause click. Then the same window on the paused page with no click
(the baseline: what an idle page costs in that time). Reported per click and per idle
window: main-thread time by category (as ``profile_browser.py``: plotly.js, React, other
JavaScript, native work, garbage collection, idle) and ``Plotly.react`` time per chart.
The window after a click also holds the frames that were in flight when it was clicked
(about 90 ms each on an idle machine): compare variants side by side (``--root``).

Run from the repository root:
    python benchmarks/profile_pause.py [--clicks 5] [--seconds 2.5] [--root DIR]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_browser import (  # noqa: E402
    ROOT,
    click_play,
    launch,
    start_server,
    stop_server,
    versions,
    wait_playing,
)
from profile_browser import categorise, open_profiled_page  # noqa: E402

RESET_JS = "() => { for (const k in window.__reactTimes) delete window.__reactTimes[k]; }"


def profiled(page, cdp, seconds, action):
    """Main-thread categories (µs) and Plotly.react ms per chart over ``seconds`` after
    ``action()``."""
    page.evaluate(RESET_JS)
    cdp.send("Profiler.start")
    action()
    page.wait_for_timeout(1000 * seconds)
    cats, _ = categorise(cdp.send("Profiler.stop")["profile"])
    reacts = {k.removeprefix("st-key-"): s["ms"]
              for k, s in page.evaluate("() => window.__reactTimes").items()}
    return cats, reacts


def main():
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clicks", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=2.5)
    ap.add_argument("--warmup", type=float, default=2.5)
    ap.add_argument("--root", default=ROOT, help="checkout to run the app from")
    args = ap.parse_args()
    info = versions()
    info.update(root=args.root)
    print(json.dumps(info, indent=1))
    proc, url = start_server(args.root, (), log_path="/tmp/profile_pause_server.log")
    totals = {"after Pause": collections.Counter(), "idle, paused": collections.Counter()}
    reacts = {name: collections.Counter() for name in totals}
    try:
        with sync_playwright() as pw:
            browser = launch(pw)
            try:
                context, page = open_profiled_page(browser, url)
                cdp = context.new_cdp_session(page)
                cdp.send("Profiler.enable")
                cdp.send("Profiler.setSamplingInterval", {"interval": 500})
                for _ in range(args.clicks):
                    click_play(page)
                    wait_playing(page)
                    page.wait_for_timeout(1000 * args.warmup)
                    for name, action in (("after Pause", lambda: click_play(page)),
                                         ("idle, paused", lambda: None)):
                        cats, per_chart = profiled(page, cdp, args.seconds, action)
                        totals[name].update(cats)
                        reacts[name].update(per_chart)
            finally:
                browser.close()
    finally:
        stop_server(proc)

    n = args.clicks
    names = list(totals)
    print(f"\nmain thread, ms per {args.seconds:g} s window (mean of {n})\n")
    print("| category | " + " | ".join(names) + " |\n|---|" + "---:|" * len(names))
    for cat in sorted(set().union(*totals.values()), key=lambda c: -totals[names[0]][c]):
        print(f"| {cat} | " + " | ".join(f"{totals[m][cat] / 1e3 / n:.1f}" for m in names)
              + " |")
    busy = {m: sum(v for c, v in totals[m].items() if c != "(idle)") / 1e3 / n for m in names}
    print("| **busy (all but idle)** | " + " | ".join(f"**{busy[m]:.1f}**" for m in names)
          + " |")
    print("\nPlotly.react, ms per window: " + json.dumps(
        {m: {k: round(v / n, 1) for k, v in reacts[m].items()} for m in names}))


if __name__ == "__main__":
    main()
