#!/usr/bin/env python
"""A real Chromium playing the default playground page: what reaches the user, per refresh.

One Streamlit server (``streamlit run streamlit_app.py`` on a free 127.0.0.1 port, stopped by
PID) and one headless Debian Chromium driven by Playwright. The page is opened at default
settings, Play is clicked, the run is warmed up for ``--warmup`` s, then measured for
``--seconds`` s (default 20):

* refreshes/s reaching the page: changes of the "Update" metric's text and of each chart's
  ``data-frame`` attribute (set after ``Plotly.react`` resolves), seen by a
  ``requestAnimationFrame`` probe in the page; and refreshes/s made by the server
  (Δ updates / speed);
* frames (rAF samples) with a chart missing (no ``div.live-plotly`` with a drawn
  ``.main-svg`` under ``.st-key-<key>``, or zero height) or faded (element container
  ``data-stale="true"`` or computed opacity < 0.95; the charts' and the Update metric's),
  and of those the visibly dimmed ones (computed opacity < 0.95);
* chart remounts: a MutationObserver counts removed ``div.live-plotly`` nodes;
* browser CPU per refresh (procfs, all Chromium processes started by this script) and
  main-thread time per refresh (CDP ``Performance.getMetrics``: TaskDuration,
  ScriptDuration, LayoutDuration, RecalcStyleDuration; probe included);
* websocket bytes per refresh: ``page.on("websocket")`` → ``framereceived`` payload sizes;
* server CPU per refresh: utime+stime of the server PID from procfs, before/after;
* zoom kept: (1) a user's box zoom, a real mouse drag on the decision map a quarter into the
  run (Plotly records it as a GUI edit, which ``uirevision`` preserves); at half time
  ``div.layout.xaxis.range`` must be unchanged after ≥ 3 more refreshes. (2) then the API
  call ``Plotly.relayout(div, {'xaxis.range': [-0.5, 0.5]})``, checked the same way at the end
  (plotly.js documents ``uirevision`` as keeping *user-driven* changes only, so (2) is
  informative: it shows whether ``Plotly.react`` resets programmatic relayouts).

The probe itself costs browser CPU (it reads the DOM every animation frame), and server and
browser share this machine's CPUs, so rates are indicative; compare runs side by side.

Run from the repository root:
    python benchmarks/bench_browser.py [--seconds 20] [--runs 1] [--root DIR]
        [--server-arg --runner.postScriptGC=true] [--query speed=40] [--json out.json]
        [--view Race]

``--view`` opens another view (clicked in the views' bar once playing) instead of Gradients;
the probe then counts that view's charts.

``--root`` runs the app from another checkout (e.g. a scratch copy with a proposed change).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from devtools import local_server  # noqa: E402
from devtools.local_server import CHROMIUM_ARGS, stop_server  # noqa: E402

CHROMIUM = local_server.find_chromium() or "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 1000}
CHART_KEYS = ("regions", "curves", "grads", "weights", "gradnorms")
# the live charts of the views a run can measure (--view), besides the map and the curves
VIEW_KEYS = {"Gradients": ("grads", "weights", "gradnorms"),
             "Race": ("race_curves", "race_maps"), "Landscape": ("landscape",),
             "Network": ("network",)}
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------------------------------
# server
# ---------------------------------------------------------------------------------------------
def updates_per_frame(args):
    """--speed, else the URL query's speed, else the app's default (of this checkout: the
    other checkout given by --root must have the same default, or say --speed)."""
    if args.speed is not None:
        return args.speed
    query = dict(p.split("=", 1) for p in args.query.split("&") if "=" in p)
    if "speed" in query:
        return int(query["speed"])
    from playground.state.settings import DEFAULTS
    return DEFAULTS.speed


def start_server(root=ROOT, server_args=(), log_path=None):
    """Start the app in ``root`` (a checkout; --root compares older code); returns
    (process, url) once /_stcore/health answers."""
    log = open(log_path, "wb") if log_path else None   # noqa: SIM115 - the server owns it
    return local_server.start_server(root, server_args, log)


def proc_cpu_s(pid):
    """utime + stime of a process (all its threads), seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def browser_cpu_s():
    """utime+stime of all Chromium processes descended from this Python process (Playwright
    starts its driver, which starts Chromium), seconds; a dead process's CPU is lost, so
    compare values taken while the same browser is running."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    head, rest = f.read().rsplit(")", 1)
                parent[int(d)] = (int(rest.split()[1]), head.split("(", 1)[1], rest.split())
            except (OSError, IndexError, ValueError):
                pass
    me, total = os.getpid(), 0.0
    for ppid, comm, fields in parent.values():
        if "chrom" not in comm:
            continue
        p = ppid
        while p and p != me:
            p = parent.get(p, (0,))[0]
        if p == me:
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def proc_rss_mb(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE_SIZE / 2**20


def versions():
    from importlib.metadata import version

    import numpy
    import plotly
    import streamlit
    pw_version = version("playwright")
    try:
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                  timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = "?"
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "python": platform.python_version(), "streamlit": streamlit.__version__,
            "plotly": plotly.__version__, "numpy": numpy.__version__,
            "playwright": pw_version, "chromium": chromium, "cpu": cpu,
            "cpus": os.cpu_count(), "loadavg_at_start": os.getloadavg(),
            "command": " ".join([os.path.basename(sys.executable), *sys.argv])}


# ---------------------------------------------------------------------------------------------
# page probe
# ---------------------------------------------------------------------------------------------
PROBE_JS = """
(keys) => {
  if (window.__probe) { window.__probe.running = false; window.__probe.mo.disconnect(); }
  const P = window.__probe = {samples: 0, missing: 0, faded: 0, dimmed: 0, staleAttr: 0,
    removed: 0, updChanges: 0,
    lastUpd: null, updTimes: [], updValues: [], frameChanges: {}, lastFrame: {},
    missingByKey: {}, dimmedByKey: {},
    t0: performance.now(), running: true};
  P.mo = new MutationObserver((muts) => {
    for (const m of muts) for (const n of m.removedNodes) {
      if (n.nodeType !== 1) continue;
      if (n.matches('div.live-plotly')) P.removed++;
      else P.removed += n.querySelectorAll('div.live-plotly').length;
    }
  });
  P.mo.observe(document.body, {childList: true, subtree: true});
  const updMetric = () => {
    for (const m of document.querySelectorAll('[data-testid=stMetric]')) {
      const l = m.querySelector('[data-testid=stMetricLabel]');
      if (l && l.innerText.trim() === 'Update') return m;
    }
    return null;
  };
  // 0: fresh, 1: marked stale (data-stale="true") but still opaque, 2: visibly dimmed
  const fadeLevel = (el) => {
    const c = el && el.closest('[data-testid=stElementContainer]');
    if (!c) return 0;
    if (parseFloat(getComputedStyle(c).opacity) < 0.95) return 2;
    return c.getAttribute('data-stale') === 'true' ? 1 : 0;
  };
  P.update = () => {
    const m = updMetric();
    const v = m && m.querySelector('[data-testid=stMetricValue]');
    return v ? v.innerText : null;
  };
  function tick() {
    if (!P.running) return;
    P.samples++;
    const m = updMetric();
    const v = m && m.querySelector('[data-testid=stMetricValue]');
    const u = v ? v.innerText : null;
    if (u !== P.lastUpd) {
      if (P.lastUpd !== null) { P.updChanges++; P.updTimes.push(Date.now()); P.updValues.push(u); }
      P.lastUpd = u;
    }
    let missing = false, fade = fadeLevel(m);
    if (fade === 2) P.dimmedByKey.update = (P.dimmedByKey.update || 0) + 1;
    for (const k of keys) {
      const c = document.querySelector('.st-key-' + k);
      const d = c && c.querySelector('div.live-plotly');
      const ok = d && d.querySelector('.main-svg') && d.getBoundingClientRect().height > 0;
      if (!ok) { missing = true; P.missingByKey[k] = (P.missingByKey[k] || 0) + 1; }
      const fl = c ? fadeLevel(c) : 0;
      if (fl === 2) P.dimmedByKey[k] = (P.dimmedByKey[k] || 0) + 1;
      fade = Math.max(fade, fl);
      if (d) {
        const f = d.dataset.frame;
        if (f !== P.lastFrame[k]) {
          if (P.lastFrame[k] !== undefined) P.frameChanges[k] = (P.frameChanges[k] || 0) + 1;
          P.lastFrame[k] = f;
        }
      }
    }
    if (missing) P.missing++;
    if (fade > 0) P.faded++;
    if (fade === 2) P.dimmed++;
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
}
"""

READ_PROBE_JS = """
() => { const P = window.__probe;
  return {samples: P.samples, missing: P.missing, faded: P.faded, dimmed: P.dimmed,
          removed: P.removed,
          updChanges: P.updChanges, updTimes: P.updTimes, updValues: P.updValues,
          frameChanges: P.frameChanges,
          missingByKey: P.missingByKey, dimmedByKey: P.dimmedByKey,
          elapsed_ms: performance.now() - P.t0,
          update: P.update(), lastFrame: P.lastFrame}; }
"""

UPDATE_JS = """
() => { for (const m of document.querySelectorAll('[data-testid=stMetric]')) {
    const l = m.querySelector('[data-testid=stMetricLabel]');
    if (l && l.innerText.trim() === 'Update') {
      const v = m.querySelector('[data-testid=stMetricValue]'); return v ? v.innerText : null; } }
  return null; }
"""


def parse_update(text):
    try:
        return int(str(text).replace(",", ""))
    except (TypeError, ValueError):
        return None


def page_update(page):
    return parse_update(page.evaluate(UPDATE_JS))


def open_page(context, url, query=""):
    page = context.new_page()
    page.goto(url + ("/?" + query if query else ""))
    page.wait_for_selector(".st-key-regions div.live-plotly .main-svg", timeout=90_000)
    page.wait_for_function(UPDATE_JS, timeout=30_000)
    return page


def click_play(page):
    """Toggle Play (the switch's input is visually hidden: click its label text)."""
    page.get_by_text("Play", exact=True).click()


def wait_playing(page, timeout=30):
    start = page_update(page) or 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (page_update(page) or 0) > start:
            return
        time.sleep(0.05)
    raise RuntimeError("the Update counter did not move after Play")


def regions_range(page):
    return page.evaluate("""() => {
        const d = document.querySelector('.st-key-regions div.live-plotly');
        return {range: d.layout.xaxis.range, frame: d.dataset.frame}; }""")


def drag_zoom(page, key):
    """A user's box zoom: drag with the mouse across the middle of the chart's plot area."""
    box = page.locator(f".st-key-{key} .nsewdrag").first
    box.scroll_into_view_if_needed()
    b = box.bounding_box()
    x0, y0 = b["x"] + 0.3 * b["width"], b["y"] + 0.3 * b["height"]
    x1, y1 = b["x"] + 0.6 * b["width"], b["y"] + 0.6 * b["height"]
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=8)
    page.mouse.up()
    page.wait_for_timeout(100)
    return regions_range(page)


def launch(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# ---------------------------------------------------------------------------------------------
# one run
# ---------------------------------------------------------------------------------------------
def one_run(pw, url, server_pid, seconds, warmup, query, speed, view="Gradients"):
    browser = launch(pw)
    try:
        context = browser.new_context(viewport=VIEWPORT)
        frames = []

        def on_ws(ws):
            ws.on("framereceived", lambda payload: frames.append((time.monotonic(),
                                                                  len(payload))))
        page = context.new_page()
        page.on("websocket", on_ws)
        page.goto(url + ("/?" + query if query else ""))
        page.wait_for_selector(".st-key-regions div.live-plotly .main-svg", timeout=90_000)
        page.wait_for_function(UPDATE_JS, timeout=30_000)
        click_play(page)
        wait_playing(page)
        if view != "Gradients":
            page.locator(".st-key-w_view").get_by_text(view, exact=True).click()
        page.wait_for_selector(f".st-key-{VIEW_KEYS[view][0]} div.live-plotly .main-svg",
                               timeout=30_000)
        time.sleep(warmup)

        # Playwright delivers websocket events only while it talks to the browser, so the
        # waits below are page.wait_for_timeout (pumps events), and bytes are counted by
        # index between two points where the event queue was just drained.
        page.evaluate(PROBE_JS, ["regions", "curves", *VIEW_KEYS[view]])
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        perf0 = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        t0 = time.monotonic()
        cpu0 = proc_cpu_s(server_pid)
        bcpu0 = browser_cpu_s()
        upd0 = page_update(page)
        nframes0 = len(frames)
        page.wait_for_timeout(1000 * seconds / 4)
        user_zoom = drag_zoom(page, "regions")
        page.wait_for_timeout(1000 * seconds / 4)
        user_zoom["after"] = regions_range(page)
        api_frame = page.evaluate("""() => {
            const d = document.querySelector('.st-key-regions div.live-plotly');
            window.Plotly.relayout(d, {'xaxis.range': [-0.5, 0.5]}); return d.dataset.frame; }""")
        page.wait_for_timeout(max(0.0, 1000 * (seconds - (time.monotonic() - t0))))
        cpu1 = proc_cpu_s(server_pid)
        bcpu1 = browser_cpu_s()
        t1 = time.monotonic()
        upd1 = page_update(page)
        nframes1 = len(frames)
        perf1 = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        probe = page.evaluate(READ_PROBE_JS)
        api_zoom = regions_range(page)
        ws_bytes = sum(n for _, n in frames[nframes0:nframes1])
        ws_msgs = nframes1 - nframes0
        heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : null")
        click_play(page)                      # pause before closing
    finally:
        browser.close()

    dur = t1 - t0
    server_refreshes = (upd1 - upd0) / speed if upd0 is not None and upd1 is not None else None
    seen = probe["updChanges"]
    rng = api_zoom["range"] or [None, None]
    api_kept = (rng[0] is not None and abs(rng[0] + 0.5) < 1e-6 and abs(rng[1] - 0.5) < 1e-6
                and int(api_zoom["frame"]) >= int(api_frame) + 3 * speed)
    uz, ua = user_zoom["range"], user_zoom["after"]["range"]
    user_kept = bool(uz and ua and uz != [-1.1, 1.1]
                     and max(abs(a - b) for a, b in zip(uz, ua)) < 1e-6
                     and int(user_zoom["after"]["frame"]) >= int(user_zoom["frame"]) + 3 * speed)
    gaps = [b - a for a, b in zip(probe["updTimes"], probe["updTimes"][1:])]
    return {
        "seconds": dur,
        "server_refreshes_per_s": server_refreshes / dur if server_refreshes else None,
        "update_text_changes_per_s": seen / dur,
        "chart_frame_changes_per_s": {k: v / dur for k, v in probe["frameChanges"].items()},
        "max_gap_between_update_changes_ms": max(gaps) if gaps else None,
        "raf_samples_per_s": probe["samples"] / dur,
        "frames_chart_missing_pct": 100 * probe["missing"] / max(probe["samples"], 1),
        "missing_by_key": probe["missingByKey"],
        "dimmed_pct_by_key": {k: 100 * v / max(probe["samples"], 1)
                              for k, v in probe.get("dimmedByKey", {}).items()},
        "frames_faded_pct": 100 * probe["faded"] / max(probe["samples"], 1),
        "frames_dimmed_pct": 100 * probe.get("dimmed", 0) / max(probe["samples"], 1),
        "chart_remounts": probe["removed"],
        "ws_bytes_per_refresh": ws_bytes / max(seen, 1),
        "ws_bytes_per_server_refresh": ws_bytes / server_refreshes if server_refreshes else None,
        "ws_kB_per_s": ws_bytes / dur / 1000,
        "ws_messages": ws_msgs,
        "server_cpu_ms_per_refresh": 1000 * (cpu1 - cpu0) / server_refreshes
        if server_refreshes else None,
        "server_cpu_share_of_core": (cpu1 - cpu0) / dur,
        "user_drag_zoom": user_zoom, "user_zoom_kept": user_kept,
        "api_relayout_range_after": rng, "api_relayout_frame": api_frame,
        "api_relayout_frame_at_end": api_zoom["frame"], "api_relayout_kept": api_kept,
        "js_heap_mb": heap / 2**20 if heap else None,
        # renderer main-thread time per refresh seen (CDP Performance.getMetrics, seconds→ms)
        **{f"browser_{k}_ms_per_refresh": 1000 * (perf1[k] - perf0[k]) / max(seen, 1)
           for k in ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
           if k in perf0 and k in perf1},
        "browser_cpu_ms_per_refresh": 1000 * (bcpu1 - bcpu0) / max(seen, 1),
        "browser_cpu_share_of_core": (bcpu1 - bcpu0) / dur,
        "browser_main_thread_busy_share": (perf1.get("TaskDuration", 0)
                                           - perf0.get("TaskDuration", 0)) / dur,
        "updates": [upd0, upd1],
    }


def summarize(runs):
    keys = [k for k, v in runs[0].items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)]
    out = {}
    for k in keys:
        vals = [r[k] for r in runs if isinstance(r.get(k), (int, float))]
        if vals:
            out[k] = statistics.median(vals)
    out["user_zoom_kept"] = all(r["user_zoom_kept"] for r in runs)
    out["api_relayout_kept"] = all(r["api_relayout_kept"] for r in runs)
    out["chart_frame_changes_per_s"] = {
        k: statistics.median(r["chart_frame_changes_per_s"].get(k, 0) for r in runs)
        for k in runs[0]["chart_frame_changes_per_s"]}
    return out


def main():
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--runs", type=int, default=1, help="runs (fresh browser each)")
    ap.add_argument("--root", default=ROOT, help="checkout to run the app from")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra `streamlit run` option, "
                         "e.g. --server-arg=--runner.postScriptGC=true")
    ap.add_argument("--query", default="", help="URL query, e.g. speed=40")
    ap.add_argument("--speed", type=int, default=None,
                    help="updates per frame (default: the query's speed, else the app's)")
    ap.add_argument("--view", default="Gradients", choices=sorted(VIEW_KEYS),
                    help="the view open while measuring")
    ap.add_argument("--json")
    args = ap.parse_args()
    speed = updates_per_frame(args)
    info = versions()
    info.update(root=args.root, server_args=args.server_arg, query=args.query, speed=speed,
                view=args.view)
    print(json.dumps(info, indent=1))
    proc, url = start_server(args.root, args.server_arg, log_path="/tmp/bench_browser_server.log")
    print(f"server pid {proc.pid} at {url}")
    runs = []
    try:
        with sync_playwright() as pw:
            for i in range(args.runs):
                r = one_run(pw, url, proc.pid, args.seconds, args.warmup, args.query, speed,
                            args.view)
                r["server_rss_mb"] = proc_rss_mb(proc.pid)
                print(f"run {i + 1}: " + json.dumps(r, default=str))
                runs.append(r)
    finally:
        stop_server(proc)
    s = summarize(runs)
    print("\n## median over runs\n| metric | value | target |\n|---|---:|---|")
    targets = {"update_text_changes_per_s": "≥ 10", "frames_chart_missing_pct": "0 %",
               "chart_remounts": "0", "ws_bytes_per_refresh": "≤ 150 kB",
               "server_cpu_ms_per_refresh": "≤ 25 ms (bench_load)", "user_zoom_kept": "yes",
               "api_relayout_kept": "yes"}
    for k, v in s.items():
        print(f"| {k} | {v if not isinstance(v, float) else round(v, 2)} | {targets.get(k, '')} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "runs": runs, "summary": s}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
