#!/usr/bin/env python
"""Learning-rate changes while playing: how many land, under which server configuration.

One Streamlit server (started here, stopped by PID) and one headless Chromium page at default
settings, on the Math view (whose optimizer line shows the server's learning rate, η). Play
is pressed; then the learning-rate slider is moved ``--changes`` times (default 100) by key
presses, alternately 1 → 0.3 and back, with a random pause of 0–1 s between changes
(seeded); every ``--auto-every`` changes (default 10) the Auto switch is clicked on instead,
which brings the rule's rate (1) back. After each change the page is polled for ``--wait`` s
(default 6) until it **agrees** everywhere it shows the rate (``devtools.local_server.
LR_STATE_JS``): the slider, the Auto switch, the "Automatic:" line, the URL and the model's
η; then none of them may say otherwise for ``--hold`` s (default 1; a change undone a frame
later is not landed; a place redrawn at that instant, e.g. the Math view, says nothing).

``--config cloud`` starts the server with the settings Streamlit Community Cloud forces over
.streamlit/config.toml (``runner.fastReruns=true`` among them, see ``COMMUNITY_CLOUD``);
``repo`` (the default) with the repository's config. ``--busy N`` runs N busy-looping
processes beside it, as a shared machine would. ``--root`` runs the app from another
checkout, to compare.

Run from the repository root:
    python benchmarks/bench_setting_changes.py [--config repo|cloud] [--changes 100]
        [--busy 2] [--root DIR] [--seed 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import random
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from devtools import local_server  # noqa: E402
from devtools.local_server import (  # noqa: E402
    CHROMIUM_ARGS,
    COMMUNITY_CLOUD,
    LR_STATE_JS,
    lr_agrees,
    stop_server,
)

CHROMIUM = local_server.find_chromium() or "/usr/bin/chromium"


def _spin():
    while True:
        pass


def measure(page, args):
    rng = random.Random(args.seed)
    slider = page.get_by_role("slider", name="Learning rate")
    auto_label = page.locator("label").filter(has=page.get_by_role("switch", name="Auto"))
    rows = []
    state = page.evaluate(LR_STATE_JS)
    for i in range(args.changes):
        if args.auto_every and i % args.auto_every == args.auto_every - 1 and not state["auto"]:
            action, want, auto = "Auto on", "1", True
            t0 = time.monotonic()
            auto_label.click()
        else:
            key, want = ("ArrowLeft", "0.3") if state["widget"] == "1" else ("ArrowRight", "1")
            action, auto = key, False
            slider.focus()
            t0 = time.monotonic()
            slider.press(key)
        agreed = None
        while time.monotonic() - t0 < args.wait:
            state = page.evaluate(LR_STATE_JS)
            if lr_agrees(state, want, auto):
                agreed = time.monotonic() - t0
                break
            time.sleep(0.02)
        held = agreed is not None
        until = time.monotonic() + args.hold
        while held and time.monotonic() < until:
            state = page.evaluate(LR_STATE_JS)
            held = not _conflicts(state, want, auto)
            time.sleep(0.05)
        rows.append({"change": i, "action": action, "to": want, "auto": auto,
                     "agreed_s": agreed, "held": held, "state": state})
        print(f"{i:3d} {action:>10} → {want:>3}: agreed {_fmt(agreed)}, "
              f"{'held' if held else 'NOT HELD ' + json.dumps(state)}", flush=True)
        time.sleep(rng.uniform(0.0, 1.0))
        state = page.evaluate(LR_STATE_JS)
    return rows


def _conflicts(state, lr, auto):
    """Whether a place the page shows the rate in says otherwise (a place being redrawn at
    that instant, e.g. the Math view's equation, says nothing)."""
    expected = {"widget": lr, "model": lr, "auto": auto, "caption": lr if auto else None,
                "url": None if auto else lr}
    optional = ("widget", "model", "auto")
    return any(state[k] != v for k, v in expected.items()
               if not (k in optional and state[k] is None))


def _fmt(s):
    return "never" if s is None else f"{s:.2f} s"


def summary(rows):
    times = sorted(r["agreed_s"] for r in rows if r["agreed_s"] is not None)
    landed = sum(r["held"] for r in rows)
    return {"changes": len(rows), "landed": f"{landed}/{len(rows)}",
            "agreed_median_s": statistics.median(times) if times else None,
            "agreed_p90_s": times[int(0.9 * (len(times) - 1))] if times else None,
            "agreed_max_s": times[-1] if times else None}


def main():
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", choices=("repo", "cloud"), default="repo")
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--auto-every", type=int, default=10)
    ap.add_argument("--wait", type=float, default=6.0, help="s to wait for each change")
    ap.add_argument("--hold", type=float, default=1.0, help="s it must then stay agreed")
    ap.add_argument("--busy", type=int, default=0, help="busy-looping processes beside it")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--root", default=ROOT)
    ap.add_argument("--json")
    args = ap.parse_args()

    info = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
            "load": os.getloadavg(), "python": platform.python_version(),
            "root": os.path.abspath(args.root), "config": args.config,
            "command": " ".join(sys.argv)}
    print(json.dumps(info))
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy)]
    for p in spinners:
        p.start()
    proc, url = local_server.start_server(
        args.root, server_args=COMMUNITY_CLOUD if args.config == "cloud" else ())
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
            page.get_by_text("Math", exact=True).click()
            page.wait_for_function(f"({LR_STATE_JS})().model === '1'", timeout=30_000)
            switch = page.get_by_role("switch", name="Play")
            page.locator("label").filter(has=switch).click()
            page.wait_for_timeout(2000)
            rows = measure(page, args)
            browser.close()
    finally:
        stop_server(proc)
        for p in spinners:
            p.terminate()
    result = summary(rows)
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "summary": result, "changes": rows}, f, indent=1)


if __name__ == "__main__":
    main()
