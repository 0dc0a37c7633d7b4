#!/usr/bin/env python
"""Several users playing at once against one playground server.

One Streamlit server (started here, stopped by PID) and one headless Chromium with
``--users`` browser contexts (default 8; one page each, i.e. 8 independent sessions). Every page
opens the default settings and presses Play; then, for ``--seconds`` s (default 30):

* each page's "Update" metric is watched by a small requestAnimationFrame probe: refreshes/s
  reaching each page and the longest gap between two refreshes (target: every page ≥ 1/s);
* the server's RSS (procfs ``statm``) and CPU (``stat`` utime+stime) are sampled every second:
  RSS must stay under 600 MB and flat (slope reported in MB/min);
* server CPU per live refresh = Δ CPU / Σ over pages (Δ updates / speed) (target ≤ 25 ms).

Then Pause is clicked on each page in turn while the others keep playing; the latency is the
time from the click event (a capture-phase listener in the page, ``Date.now()``) to the last
change of that page's Update counter (0 if it never changed again); the counter must then
stay still for 2 s (target: ≤ 0.5 s). With ``--pause-rounds N`` all pages then play again and
are paused again, N rounds in all: more clicks, for the tail of the latencies (median, 90th
percentile and worst over all clicks are reported, and the worst of the first round alone).
For each click the JSON also keeps what the page saw around it: the Update values that
changed, the websocket messages that arrived (ms after the click, bytes) and the main
thread's long tasks (start, duration), which tell a late server from a busy page, and the
click's time (``click_epoch_ms``, the page's ``Date.now()``), to match it with server logs.

Server and browser share this machine's CPUs (8 pages rendering 5 Plotly charts each are
mostly browser work), so refresh rates are a floor for what separate client machines see;
server CPU per refresh is the server-side figure. ``--browser-nice N`` runs Chromium at
niceness N (through a ``nice`` wrapper), so the server gets the CPU first, as it would if the
browsers were other machines: a diagnostic of how much the shared CPUs cost, not the target
setup.

Run from the repository root:
    python benchmarks/bench_load.py [--users 8] [--seconds 30] [--root DIR]
        [--pause-rounds 1] [--browser-nice 0] [--server-arg ...] [--query ...] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    PROBE_JS,
    READ_PROBE_JS,
    ROOT,
    VIEWPORT,
    browser_cpu_s,
    click_play,
    launch,
    page_update,
    proc_cpu_s,
    proc_rss_mb,
    start_server,
    stop_server,
    updates_per_frame,
    versions,
    wait_playing,
)

# what the page receives and how busy it is, recorded from the start (an init script)
TRACE_JS = """(() => {
  window.__ws = []; window.__longTasks = [];
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener("message", (e) => window.__ws.push(
      [Date.now(), e.data.byteLength ?? e.data.size ?? e.data.length]));
    return socket;
  };
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket.prototype = Native.prototype;
  new PerformanceObserver((list) => { for (const e of list.getEntries())
    window.__longTasks.push([performance.timeOrigin + e.startTime, e.duration]); })
    .observe({type: "longtask"});
})();"""

AROUND_CLICK_JS = """() => {
  const c = window.__clickT, keep = (t) => t >= c - 1000;
  return {ws: window.__ws.filter(([t]) => keep(t)).map(([t, n]) => [t - c, n]),
          longTasks: window.__longTasks.filter(([t, d]) => keep(t + d))
            .map(([t, d]) => [Math.round(t - c), Math.round(d)])};
}"""

CLICK_JS = """() => { window.__clickT = null;
  document.addEventListener('click', () => { window.__clickT = Date.now(); },
                            {capture: true, once: true}); }"""


def launch_niced(pw, nice):
    """Chromium as bench_browser launches it, at niceness ``nice`` (its renderers inherit it)."""
    if not nice:
        return launch(pw)
    wrapper = Path(tempfile.mkdtemp()) / "chromium-niced"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {int(nice)} "{CHROMIUM}" "$@"\n')
    wrapper.chmod(0o755)
    return pw.chromium.launch(executable_path=str(wrapper), args=CHROMIUM_ARGS)


def pause(page):
    """Click Pause on a playing page: the latency to the last change of its Update counter,
    whether the counter then stays still for 2 s, and what the page saw around the click."""
    page.evaluate(CLICK_JS)
    click_play(page)
    page.wait_for_timeout(1500)
    before = page_update(page)
    page.wait_for_timeout(2000)
    after = page_update(page)
    pr = page.evaluate(READ_PROBE_JS)
    click_t = page.evaluate("() => window.__clickT")
    last = pr["updTimes"][-1] if pr["updTimes"] else None
    latency = max(0, last - click_t) if (last and click_t) else None
    changes = [(t - click_t, v) for t, v in zip(pr["updTimes"], pr["updValues"])
               if click_t and t >= click_t - 1000]
    return {"latency_ms": latency, "stopped": before == after, "update_at_stop": after,
            "click_epoch_ms": click_t, "changes_ms_value": changes,
            **page.evaluate(AROUND_CLICK_JS)}


def slope_per_min(ts, ys):
    n = len(ts)
    if n < 2:
        return 0.0
    mt, my = sum(ts) / n, sum(ys) / n
    den = sum((t - mt) ** 2 for t in ts)
    return 60 * sum((t - mt) * (y - my) for t, y in zip(ts, ys)) / den if den else 0.0


def main():
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--root", default=ROOT)
    ap.add_argument("--server-arg", action="append", default=[])
    ap.add_argument("--query", default="")
    ap.add_argument("--speed", type=int, default=None)
    ap.add_argument("--pause-rounds", type=int, default=1,
                    help="times every page is paused (playing again in between)")
    ap.add_argument("--browser-nice", type=int, default=0,
                    help="run Chromium at this niceness (diagnostic; 0: as the target)")
    ap.add_argument("--json")
    args = ap.parse_args()
    speed = updates_per_frame(args)
    info = versions()
    info.update(root=args.root, server_args=args.server_arg, query=args.query, speed=speed,
                users=args.users, browser_nice=args.browser_nice)
    print(json.dumps(info, indent=1))
    proc, url = start_server(args.root, args.server_arg, log_path="/tmp/bench_load_server.log")
    pid = proc.pid
    print(f"server pid {pid} at {url}; RSS idle {proc_rss_mb(pid):.0f} MB")
    result = {"info": info, "rss_idle_mb": proc_rss_mb(pid)}
    try:
        with sync_playwright() as pw:
            browser = launch_niced(pw, args.browser_nice)
            pages, open_s = [], []
            for _ in range(args.users):       # users arrive one after the other
                ctx = browser.new_context(viewport=VIEWPORT)
                ctx.add_init_script(TRACE_JS)
                page = ctx.new_page()
                t = time.monotonic()
                page.goto(url + ("/?" + args.query if args.query else ""))
                page.wait_for_selector(".st-key-regions div.live-plotly .main-svg",
                                       timeout=120_000)
                open_s.append(time.monotonic() - t)
                pages.append(page)
                print(f"page {len(pages)} ready in {open_s[-1]:.1f} s", flush=True)
            result["page_open_s"] = open_s
            result["rss_all_open_mb"] = proc_rss_mb(pid)
            for page in pages:
                click_play(page)
                wait_playing(page, timeout=60)
            pages[0].wait_for_timeout(1000 * args.warmup)
            for page in pages:
                page.evaluate(PROBE_JS, [])
            t0 = time.monotonic()
            cpu0 = proc_cpu_s(pid)
            bcpu0 = browser_cpu_s()
            upd0 = [page_update(p) for p in pages]
            samples = []
            while time.monotonic() - t0 < args.seconds:
                pages[0].wait_for_timeout(max(0, 1000 * (len(samples) + 1)
                                              - 1000 * (time.monotonic() - t0)))
                samples.append({"t": time.monotonic() - t0, "rss_mb": proc_rss_mb(pid),
                                "cpu_s": proc_cpu_s(pid) - cpu0})
            cpu1 = proc_cpu_s(pid)
            bcpu1 = browser_cpu_s()
            t1 = time.monotonic()
            upd1 = [page_update(p) for p in pages]
            probes = [p.evaluate(READ_PROBE_JS) for p in pages]
            dur = t1 - t0

            per_page = []
            for a, b, pr in zip(upd0, upd1, probes):
                times = pr["updTimes"]
                gaps = [y - x for x, y in zip(times, times[1:])]
                per_page.append({"server_refreshes_per_s": (b - a) / speed / dur,
                                 "seen_refreshes_per_s": pr["updChanges"] / dur,
                                 "max_gap_ms": max(gaps) if gaps else None,
                                 "raf_per_s": pr["samples"] / dur})
            total_refreshes = sum((b - a) / speed for a, b in zip(upd0, upd1))
            rss = [s["rss_mb"] for s in samples]
            result.update(
                seconds=dur, per_page=per_page, samples=samples,
                min_seen_refreshes_per_s=min(p["seen_refreshes_per_s"] for p in per_page),
                median_seen_refreshes_per_s=statistics.median(
                    p["seen_refreshes_per_s"] for p in per_page),
                max_gap_ms=max((p["max_gap_ms"] or 0) for p in per_page),
                total_server_refreshes_per_s=total_refreshes / dur,
                server_cpu_ms_per_refresh=1000 * (cpu1 - cpu0) / max(total_refreshes, 1),
                server_cpu_share_of_core=(cpu1 - cpu0) / dur,
                browser_cpu_share_of_core=(bcpu1 - bcpu0) / dur,
                browser_cpu_ms_per_refresh_seen=1000 * (bcpu1 - bcpu0) / max(
                    sum(pr["updChanges"] for pr in probes), 1),
                rss_first_mb=rss[0], rss_last_mb=rss[-1], rss_max_mb=max(rss),
                rss_slope_mb_per_min=slope_per_min([s["t"] for s in samples], rss),
            )

            # Pause, one page at a time, the others still playing
            pauses = []
            for rnd in range(args.pause_rounds):
                if rnd:
                    for page in pages:
                        click_play(page)
                        wait_playing(page, timeout=60)
                    pages[0].wait_for_timeout(1000 * args.warmup)
                for i, page in enumerate(pages):
                    pauses.append(dict(pause(page), round=rnd, page=i))
            latencies = [p["latency_ms"] for p in pauses if p["latency_ms"] is not None]
            first = [p["latency_ms"] for p in pauses
                     if p["round"] == 0 and p["latency_ms"] is not None]
            result["pauses"] = pauses
            result["pause_latency_ms_median"] = statistics.median(latencies)
            result["pause_latency_ms_p90"] = (statistics.quantiles(latencies, n=10)[-1]
                                              if len(latencies) > 1 else latencies[0])
            result["pause_latency_ms_max"] = max(latencies)
            result["pause_latency_ms_max_first_round"] = max(first)
            result["all_stopped"] = all(p["stopped"] for p in pauses)
            result["rss_end_mb"] = proc_rss_mb(pid)
            browser.close()
    finally:
        stop_server(proc)

    print(json.dumps({k: v for k, v in result.items() if k not in ("samples", "info", "pauses")},
                     indent=1, default=str))
    print("\n| metric | value | target |\n|---|---:|---|")
    rows = [("min refreshes/s seen by a page", result["min_seen_refreshes_per_s"], "≥ 1"),
            ("median refreshes/s seen by a page", result["median_seen_refreshes_per_s"], ""),
            ("longest gap between refreshes (ms)", result["max_gap_ms"], ""),
            ("server refreshes/s, all pages", result["total_server_refreshes_per_s"], ""),
            ("server CPU ms per refresh", result["server_cpu_ms_per_refresh"], "≤ 25"),
            ("server CPU, share of one core", result["server_cpu_share_of_core"], ""),
            ("browser CPU (all Chromium processes), share of one core",
             result["browser_cpu_share_of_core"], ""),
            ("browser CPU ms per refresh seen", result["browser_cpu_ms_per_refresh_seen"], ""),
            ("server RSS first / last / max (MB)",
             f"{result['rss_first_mb']:.0f} / {result['rss_last_mb']:.0f} / "
             f"{result['rss_max_mb']:.0f}", "< 600, flat"),
            ("RSS slope (MB/min)", result["rss_slope_mb_per_min"], "≈ 0"),
            ("pause latency median / max, first round (ms)",
             f"{statistics.median(first):.0f} / {result['pause_latency_ms_max_first_round']:.0f}",
             "≤ 500"),
            (f"pause latency median / p90 / max, {len(latencies)} clicks (ms)",
             f"{result['pause_latency_ms_median']:.0f} / {result['pause_latency_ms_p90']:.0f}"
             f" / {result['pause_latency_ms_max']:.0f}", "≤ 500"),
            ("all counters stopped after pause", result["all_stopped"], "yes")]
    for name, v, target in rows:
        print(f"| {name} | {round(v, 2) if isinstance(v, float) else v} | {target} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1, default=str)


if __name__ == "__main__":
    main()
