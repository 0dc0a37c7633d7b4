#!/usr/bin/env python
"""Settings changed while playing: how many reach the server, and how fast.

One Streamlit server (started here, stopped by PID) and one headless Chromium page at default
settings, on the Math view (whose optimizer line shows the server's learning rate, η). Play
is pressed; then the learning-rate slider is moved ``--changes`` times (default 30),
alternately 1 → 0.3 and back, with a random pause of 0–1 s between changes (seeded). After
each change the page is polled for ``--wait`` s (default 6):

* *applied*: the Math view shows the new η, i.e. the server's trainer took it;
* *in the URL*: ``location.search`` holds the new value (``lr=0.3``, or no ``lr`` for the
  default 1);
* *view kept*: the Math view is still the one shown.

It reports the share of changes applied, put in the URL and with the view kept, and the
median and worst time from the key press to each. ``--busy N`` runs N busy-looping
processes beside it, as a shared machine would (the lost changes this found, ~1 in 5 on
main at 15e502a, needed a loaded machine to show). ``--root`` runs the app from another
checkout, to compare.

Run from the repository root:
    python benchmarks/bench_setting_changes.py [--changes 30] [--busy 2] [--root DIR]
        [--seed 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import random
import re
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from devtools import local_server  # noqa: E402
from devtools.local_server import CHROMIUM_ARGS, stop_server  # noqa: E402

CHROMIUM = local_server.find_chromium() or "/usr/bin/chromium"
ETA_JS = r"""() => {
  const a = Array.from(document.querySelectorAll('.katex-mathml annotation'))
      .map(e => e.textContent).find(t => t.includes('\\eta ='));
  const m = a && a.match(/\\eta = ([0-9.e+-]+)/);
  return m ? m[1] : null;
}"""


def _spin():
    while True:
        pass


def measure(page, args):
    rng = random.Random(args.seed)
    slider = page.get_by_role("slider", name="Learning rate")
    rows = []
    for i in range(args.changes):
        key, want = ("ArrowLeft", "0.3") if i % 2 == 0 else ("ArrowRight", "1")
        slider.focus()
        t0 = time.monotonic()
        slider.press(key)
        applied = in_url = None
        eta = None
        while time.monotonic() - t0 < args.wait:
            search = page.evaluate("location.search")
            m = re.search(r"lr=([^&]+)", search)
            if in_url is None and ((m and m.group(1) == want) if want != "1" else not m):
                in_url = time.monotonic() - t0
            eta = page.evaluate(ETA_JS)
            if applied is None and eta == want:
                applied = time.monotonic() - t0
            if applied is not None and in_url is not None:
                break
            time.sleep(0.03)
        rows.append({"change": i, "to": want, "applied_s": applied, "in_url_s": in_url,
                     "view_kept": eta is not None})
        print(f"{i:3d} lr → {want:>3}: applied {_fmt(applied)}, in URL {_fmt(in_url)}, "
              f"view {'kept' if eta is not None else 'LOST'}", flush=True)
        time.sleep(rng.uniform(0.0, 1.0))
    return rows


def _fmt(s):
    return "never" if s is None else f"{s:.2f} s"


def summary(rows):
    out = {"changes": len(rows)}
    for name in ("applied_s", "in_url_s"):
        times = [r[name] for r in rows if r[name] is not None]
        out[name.removesuffix("_s")] = f"{len(times)}/{len(rows)}"
        out[f"{name.removesuffix('_s')}_median_s"] = statistics.median(times) if times else None
        out[f"{name.removesuffix('_s')}_max_s"] = max(times) if times else None
    out["view_kept"] = f"{sum(r['view_kept'] for r in rows)}/{len(rows)}"
    return out


def main():
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, default=30)
    ap.add_argument("--wait", type=float, default=6.0, help="s to wait for each change")
    ap.add_argument("--busy", type=int, default=0, help="busy-looping processes beside it")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--root", default=ROOT)
    ap.add_argument("--json")
    args = ap.parse_args()

    info = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
            "load": os.getloadavg(), "python": platform.python_version(),
            "root": os.path.abspath(args.root), "command": " ".join(sys.argv)}
    print(json.dumps(info))
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.busy)]
    for p in spinners:
        p.start()
    proc, url = local_server.start_server(args.root)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector('[data-testid="stMetric"]', timeout=60_000)
            page.get_by_text("Math", exact=True).click()
            page.wait_for_function(f"({ETA_JS})() === '1'", timeout=30_000)
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
