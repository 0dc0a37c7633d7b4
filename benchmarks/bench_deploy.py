#!/usr/bin/env python
"""Capacity through the load balancer: the deploy/ stack with 1 and with 2 app processes.

For each trial, ``deploy/up -n P`` (HAProxy in front of P Streamlit processes, under
supervisord; free 127.0.0.1 ports, stopped by PID) and one headless Chromium with ``--users``
browser contexts (one visitor each) opening the page through HAProxy, one after the other.
Every visitor presses Play; after ``--warmup`` s, for ``--seconds`` s:

* refreshes/s per visitor (Δ Update / speed, the server's frames, and the Update changes the
  page drew, seen by bench_browser's requestAnimationFrame probe) and in total;
* fairness: the slowest visitor's refresh rate / the fastest's (1 = perfectly even);
* server CPU per refresh: Δ utime+stime of all app processes / total refreshes; HAProxy's
  CPU likewise; the browser's CPU share;
* which process each visitor is on (HAProxy's SERVERID cookie).

Then Pause is clicked on each visitor in turn while the others play (bench_load's ``pause``:
click to the last change of the counter), with the refresh rate of those still playing after
each click (what a paused visitor frees), and the servers' CPU with everyone paused. Trials
alternate 1 and 2 processes, ``--pairs`` times, so that a change in the machine's load hits
both alike.

Browsers and servers share this machine's cores: with 2 cores, 8 pages' rendering competes
with the app processes, so refresh rates are a floor; server CPU per refresh is the
server-side figure. ``--browser-nice 10`` runs Chromium at niceness 10 (bench_load's
diagnostic), so the app processes get the cores first, as they would if the browsers were
the visitors' own machines. ``--app-cpu 0.15`` confines each app process to 15 % of a core
(a cgroup v1 CPU quota; needs root): on a 2-core machine the browsers cannot otherwise ask
more of a process than it can serve, and this is how overload (fairness, Pause) is measured.

Run from the repository root:
    python benchmarks/bench_deploy.py [--users 8] [--processes 1 2] [--pairs 2]
        [--seconds 25] [--browser-nice 0] [--app-cpu SHARE] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_browser import (  # noqa: E402
    PROBE_JS,
    READ_PROBE_JS,
    ROOT,
    VIEWPORT,
    browser_cpu_s,
    click_play,
    page_update,
    proc_cpu_s,
    versions,
    wait_playing,
)
from bench_load import TRACE_JS, launch_niced, pause  # noqa: E402

sys.path.insert(0, ROOT)
from deploy.stack import start_stack  # noqa: E402

SPEED = 20   # the app's default updates per frame
CGROUP_CPU = "/sys/fs/cgroup/cpu"   # cgroup v1's cpu controller (needs root)


def cap_cpu(pids, share):
    """Put each process in a cgroup of its own limited to ``share`` of one core (CFS quota,
    10 ms period); returns the cgroups, for :func:`uncap_cpu`."""
    groups = []
    for name, pid in pids.items():
        group = os.path.join(CGROUP_CPU, f"bench-deploy-{os.getpid()}-{name}")
        os.makedirs(group, exist_ok=True)
        # a 10 ms period (default 100 ms): the process runs in short slices, as when it
        # shares a core, instead of stalling for most of every 100 ms
        period = 10_000
        with open(os.path.join(group, "cpu.cfs_period_us"), "w") as f:
            f.write(str(period))
        with open(os.path.join(group, "cpu.cfs_quota_us"), "w") as f:
            f.write(str(int(share * period)))
        with open(os.path.join(group, "cgroup.procs"), "w") as f:
            f.write(str(pid))
        groups.append(group)
    return groups


def uncap_cpu(groups):
    for group in groups:
        try:
            with open(os.path.join(group, "cgroup.procs")) as f:
                left = f.read().split()
            for pid in left:        # still alive: back to the root group
                with open(os.path.join(CGROUP_CPU, "cgroup.procs"), "w") as f:
                    f.write(pid)
            os.rmdir(group)
        except OSError as exc:
            print(f"could not remove {group}: {exc}", file=sys.stderr)


def update_of(page, timeout=10):
    """The page's Update counter; None only while a rerun replaces the metrics row (seen
    under overload), so read again."""
    deadline = time.monotonic() + timeout
    while (value := page_update(page)) is None and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    return value


def trial(pw, processes, users, seconds, warmup, browser_nice=0, app_cpu=None):
    run_dir = tempfile.mkdtemp(prefix=f"bench-deploy-{processes}-")
    with open(os.path.join(run_dir, "up.log"), "wb") as log:
        stack = start_stack(processes, os.path.join(run_dir, "run"), log=log)
    groups = []
    try:
        app_pids = stack.app_pids()
        if app_cpu:
            groups = cap_cpu(app_pids, app_cpu)
        haproxy_pid = int(stack.ctl("pid", "haproxy").strip())
        browser = launch_niced(pw, browser_nice)
        pages, contexts = [], []
        for _ in range(users):
            ctx = browser.new_context(viewport=VIEWPORT)
            ctx.add_init_script(TRACE_JS)        # what pause() reads around its click
            page = ctx.new_page()
            page.goto(stack.url)
            page.wait_for_selector(".st-key-regions div.live-plotly .main-svg",
                                   timeout=120_000)
            pages.append(page)
            contexts.append(ctx)
        placement = [next(c["value"] for c in ctx.cookies() if c["name"] == "SERVERID")
                     for ctx in contexts]
        for page in pages:
            click_play(page)
            wait_playing(page, timeout=60)
        pages[0].wait_for_timeout(1000 * warmup)
        for page in pages:
            page.evaluate(PROBE_JS, [])

        def cpu():
            return sum(proc_cpu_s(pid) for pid in app_pids.values())
        t0 = time.monotonic()
        cpu0, hcpu0, bcpu0 = cpu(), proc_cpu_s(haproxy_pid), browser_cpu_s()
        upd0 = [update_of(p) for p in pages]
        pages[0].wait_for_timeout(1000 * seconds)
        cpu1, hcpu1, bcpu1 = cpu(), proc_cpu_s(haproxy_pid), browser_cpu_s()
        t1 = time.monotonic()
        upd1 = [update_of(p) for p in pages]
        probes = [p.evaluate(READ_PROBE_JS) for p in pages]
        dur = t1 - t0
        rates = [(b - a) / SPEED / dur for a, b in zip(upd0, upd1)]
        seen = [pr["updChanges"] / dur for pr in probes]
        total = sum(rates) * dur
        # Pause one visitor after another: the others' refresh rate as capacity frees up
        pauses, marks = [], []
        for page in pages:
            marks.append((time.monotonic(), [update_of(p) for p in pages]))
            pauses.append(pause(page))
        marks.append((time.monotonic(), [update_of(p) for p in pages]))
        freed = []               # per visitor still playing, while visitor k pauses
        for k in range(users - 1):
            (ta, ua), (tb, ub) = marks[k], marks[k + 1]
            playing = range(k + 1, users)
            freed.append(sum(ub[j] - ua[j] for j in playing) / SPEED / (tb - ta)
                         / len(playing))
        c0 = cpu()
        pages[0].wait_for_timeout(5000)
        idle_cpu = (cpu() - c0) / 5
        latencies = [p["latency_ms"] for p in pauses if p["latency_ms"] is not None]
        browser.close()
        return {
            "processes": processes, "users": users, "seconds": dur,
            "loadavg_at_end": os.getloadavg(),
            "visitors_per_process": {n: placement.count(n) for n in stack.names},
            "refreshes_per_s_per_visitor": rates,
            "seen_refreshes_per_s_per_visitor": seen,
            "total_refreshes_per_s": sum(rates),
            "median_refreshes_per_s_per_visitor": statistics.median(rates),
            "fairness_min_over_max": min(rates) / max(rates) if max(rates) else None,
            "seen_fairness_min_over_max": min(seen) / max(seen) if max(seen) else None,
            "server_cpu_ms_per_refresh": 1000 * (cpu1 - cpu0) / max(total, 1),
            # per frame drawn: differs when frames train fewer than SPEED updates (a frame's
            # training is capped at 0.15 s, which a CPU-starved process reaches)
            "server_cpu_ms_per_seen_refresh": 1000 * (cpu1 - cpu0) / max(sum(seen) * dur, 1),
            "server_cpu_share_of_core": (cpu1 - cpu0) / dur,
            "haproxy_cpu_ms_per_refresh": 1000 * (hcpu1 - hcpu0) / max(total, 1),
            "browser_cpu_share_of_core": (bcpu1 - bcpu0) / dur,
            "pause_latency_ms_median": statistics.median(latencies) if latencies else None,
            "pause_latency_ms_max": max(latencies) if latencies else None,
            "all_stopped": all(p["stopped"] for p in pauses),
            "refreshes_per_s_per_playing_visitor_as_others_pause": freed,
            "server_cpu_share_all_paused": idle_cpu,
        }
    finally:
        stack.stop()
        uncap_cpu(groups)


def main():
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--pairs", type=int, default=2, help="rounds of the alternation")
    ap.add_argument("--seconds", type=float, default=25)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--browser-nice", type=int, default=0,
                    help="run Chromium at this niceness, so the servers get the CPU first, "
                         "as if the visitors' browsers were other machines")
    ap.add_argument("--app-cpu", type=float, default=None,
                    help="limit each app process to this share of one core (cgroup CPU "
                         "quota, root): overloads a process with fewer browsers")
    ap.add_argument("--json")
    args = ap.parse_args()
    info = versions()
    info["browser_nice"] = args.browser_nice
    info["app_cpu"] = args.app_cpu
    info["haproxy"] = subprocess.run(["haproxy", "-v"], capture_output=True,
                                     text=True).stdout.splitlines()[0]
    info["supervisor"] = subprocess.run(["supervisord", "--version"], capture_output=True,
                                        text=True).stdout.strip()
    print(json.dumps(info, indent=1), flush=True)
    trials = []
    with sync_playwright() as pw:
        for rnd in range(args.pairs):
            for processes in args.processes:
                r = trial(pw, processes, args.users, args.seconds, args.warmup, args.browser_nice,
                          args.app_cpu)
                r["round"] = rnd
                trials.append(r)
                print(json.dumps({k: (round(v, 3) if isinstance(v, float) else v)
                                  for k, v in r.items()
                                  if not k.endswith("per_visitor")}, default=str), flush=True)

    keys = [("total_refreshes_per_s", "refreshes/s, all visitors"),
            ("median_refreshes_per_s_per_visitor", "refreshes/s per visitor (median)"),
            ("fairness_min_over_max", "fairness: slowest / fastest visitor"),
            ("server_cpu_ms_per_refresh", "server CPU ms per refresh"),
            ("server_cpu_ms_per_seen_refresh", "server CPU ms per refresh drawn"),
            ("server_cpu_share_of_core", "server CPU, cores busy"),
            ("haproxy_cpu_ms_per_refresh", "HAProxy CPU ms per refresh"),
            ("browser_cpu_share_of_core", "browser CPU, cores busy"),
            ("pause_latency_ms_median", "Pause latency median (ms)"),
            ("pause_latency_ms_max", "Pause latency max (ms)"),
            ("server_cpu_share_all_paused", "server CPU with all paused, cores busy")]
    print(f"\n{args.users} visitors; median over {args.pairs} trials each "
          f"(each trial's value in brackets)\n")
    print("| metric | " + " | ".join(f"{p} process{'es' * (p > 1)}" for p in args.processes)
          + " |\n|---|" + "---:|" * len(args.processes))
    for key, name in keys:
        cells = []
        for p in args.processes:
            vals = [t[key] for t in trials if t["processes"] == p and t[key] is not None]
            cells.append(f"{statistics.median(vals):.2f} ({', '.join(f'{v:.2f}' for v in vals)})"
                         if vals else "–")
        print(f"| {name} | " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "trials": trials}, f, indent=1, default=str)


if __name__ == "__main__":
    main()
