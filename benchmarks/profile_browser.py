#!/usr/bin/env python
"""Where the browser's main thread spends its time per live refresh of the default page.

One Streamlit server and one headless Chromium, as in ``bench_browser.py`` (no rAF probe).
The page is opened, Play is clicked, and after ``--warmup`` s the renderer is profiled for
``--seconds`` s:

* CDP ``Profiler`` (sampling every 0.5 ms): main-thread samples per refresh, grouped by what
  is on the stack: plotly.js (``Plotly.react``), react-dom (Streamlit re-rendering the
  fragment's elements), other JavaScript, native work outside JS (``(program)``: style,
  layout, paint ...), garbage collection and idle; plus the top functions by self time;
* ``Plotly.react`` wrapped in the page: calls per refresh and the synchronous time per call,
  per chart (``st-key-<key>`` of the chart's container);
* CDP ``Performance.getMetrics``: TaskDuration (all main-thread work) per refresh.

Refreshes = Δ Update counter / updates per frame. Compare runs side by side (``--root``).

Run from the repository root:
    python benchmarks/profile_browser.py [--seconds 10] [--root DIR] [--save out.cpuprofile]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_browser import (  # noqa: E402
    ROOT,
    UPDATE_JS,
    VIEWPORT,
    click_play,
    launch,
    page_update,
    start_server,
    stop_server,
    versions,
    wait_playing,
)

WRAP_JS = """
(() => { const S = window.__reactTimes = {};
  const iv = setInterval(() => {
    if (!window.Plotly || window.Plotly.__timed) return;
    const react = window.Plotly.react;
    window.Plotly.__timed = true;
    window.Plotly.react = function (div, ...args) {
      const box = div.closest('[class*="st-key-"]');
      const key = box ? [...box.classList].find((c) => c.startsWith('st-key-')) : '?';
      const t = performance.now();
      const result = react.call(this, div, ...args);
      const s = S[key] = S[key] || {calls: 0, ms: 0};
      s.calls++; s.ms += performance.now() - t;
      return result;
    };
    clearInterval(iv); }, 20); })();
"""

NATIVE = ("(idle)", "(program)", "(garbage collector)")


def categorise(profile):
    """Microseconds per category and per function (self time) of a CDP CPU profile."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", [])}
    per_node = collections.Counter()
    for sample, dt in zip(profile["samples"], profile["timeDeltas"]):
        per_node[sample] += dt
    cats, funcs = collections.Counter(), collections.Counter()
    for nid, dt in per_node.items():
        frame = nodes[nid]["callFrame"]
        url = frame["url"].rsplit("/", 1)[-1]
        funcs[f'{frame["functionName"] or "(anonymous)"} {url[:30]}'] += dt
        if frame["functionName"] in NATIVE:
            cats[frame["functionName"]] += dt
            continue
        files, p = [], nid
        while p is not None:
            files.append(nodes[p]["callFrame"]["url"].rsplit("/", 1)[-1])
            p = parent.get(p)
        if any(f.startswith("plotly") for f in files):
            cats["plotly.js (Plotly.react)"] += dt
        elif any(f.startswith("react-dom") for f in files):
            cats["React render/commit (Streamlit elements)"] += dt
        else:
            cats["other JavaScript"] += dt
    return cats, funcs


def open_profiled_page(browser, url):
    """A page of the app with ``Plotly.react`` timed per chart (WRAP_JS), once the decision
    map has been drawn: (context, page)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(WRAP_JS)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(".st-key-regions div.live-plotly .main-svg", timeout=90_000)
    return context, page


def main():
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--root", default=ROOT, help="checkout to run the app from")
    ap.add_argument("--speed", type=int, default=20, help="updates per frame (app default)")
    ap.add_argument("--save", help="write the CPU profile here (.cpuprofile, for DevTools)")
    args = ap.parse_args()
    info = versions()
    info.update(root=args.root)
    print(json.dumps(info, indent=1))
    proc, url = start_server(args.root, (), log_path="/tmp/profile_browser_server.log")
    try:
        with sync_playwright() as pw:
            browser = launch(pw)
            try:
                context, page = open_profiled_page(browser, url)
                page.wait_for_function(UPDATE_JS, timeout=30_000)
                click_play(page)
                wait_playing(page)
                page.wait_for_timeout(1000 * args.warmup)
                cdp = context.new_cdp_session(page)
                cdp.send("Performance.enable")
                cdp.send("Profiler.enable")
                cdp.send("Profiler.setSamplingInterval", {"interval": 500})
                metrics0 = {m["name"]: m["value"]
                            for m in cdp.send("Performance.getMetrics")["metrics"]}
                page.evaluate("() => { for (const k in window.__reactTimes) "
                              "delete window.__reactTimes[k]; }")
                upd0, t0 = page_update(page), time.monotonic()
                cdp.send("Profiler.start")
                page.wait_for_timeout(1000 * args.seconds)
                profile = cdp.send("Profiler.stop")["profile"]
                upd1, dur = page_update(page), time.monotonic() - t0
                metrics1 = {m["name"]: m["value"]
                            for m in cdp.send("Performance.getMetrics")["metrics"]}
                react_times = page.evaluate("() => window.__reactTimes")
                click_play(page)
            finally:
                browser.close()
    finally:
        stop_server(proc)
    if args.save:
        with open(args.save, "w") as f:
            json.dump(profile, f)

    n = max((upd1 - upd0) / args.speed, 1)
    task = 1000 * (metrics1["TaskDuration"] - metrics0["TaskDuration"]) / n
    print(f"\n{n:.0f} refreshes in {dur:.1f} s ({n / dur:.2f}/s); main-thread TaskDuration "
          f"{task:.1f} ms per refresh")
    cats, funcs = categorise(profile)
    print(f"\n| sampled per refresh | ms |\n|---|---:|\n| total | "
          f"{sum(cats.values()) / 1e3 / n:.1f} |")
    for name, us in cats.most_common():
        print(f"| {name} | {us / 1e3 / n:.1f} |")
    print("\n| chart | Plotly.react calls per refresh | ms per call (sync) | ms per refresh |"
          "\n|---|---:|---:|---:|")
    for key, s in sorted(react_times.items()):
        print(f"| {key.removeprefix('st-key-')} | {s['calls'] / n:.2f} | "
              f"{s['ms'] / max(s['calls'], 1):.1f} | {s['ms'] / n:.1f} |")
    print("\ntop functions by self time (ms per refresh):")
    for name, us in funcs.most_common(15):
        print(f"  {us / 1e3 / n:6.1f}  {name}")


if __name__ == "__main__":
    main()
