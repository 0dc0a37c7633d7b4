"""Cold start: seconds from `streamlit run` to a rendered page (the Update metric and the
decision map visible in Chromium), median of several fresh server starts.

    python benchmarks/bench_coldstart.py --runs 5

Not a test: a measurement for docs/performance.md (target: under 3 s on a laptop).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from devtools.local_server import CHROMIUM_ARGS, find_chromium, start_server, stop_server  # noqa: E402


def one_start(browser):
    t0 = time.perf_counter()
    proc, url = start_server()
    try:
        healthy = time.perf_counter() - t0
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector("div.live-plotly .main-svg", timeout=60_000)
        page.locator("[data-testid=stMetricLabel]").first.wait_for(timeout=60_000)
        rendered = time.perf_counter() - t0
        page.close()
        return healthy, rendered
    finally:
        stop_server(proc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    exe = find_chromium() or sys.exit("Chromium not found: apt-get install -y chromium")
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.platform()} · Python "
          f"{platform.python_version()} · {os.cpu_count()} CPUs · load {os.getloadavg()}")
    print("command: python benchmarks/bench_coldstart.py --runs", args.runs)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        results = [one_start(browser) for _ in range(args.runs)]
        browser.close()
    for i, (h, r) in enumerate(results, 1):
        print(f"run {i}: server healthy {h:.2f} s, page rendered {r:.2f} s")
    print(f"median: healthy {statistics.median(h for h, _ in results):.2f} s, "
          f"rendered {statistics.median(r for _, r in results):.2f} s")


if __name__ == "__main__":
    main()
