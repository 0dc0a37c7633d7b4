"""Regenerate the README screenshot: start the app, press Play, let it train, save a PNG.

    python scripts/screenshot.py                 # -> docs/screenshot.png
    python scripts/screenshot.py --out /tmp/x.png --url http://127.0.0.1:8501/?data=moons

Uses the system Chromium (``CHROMIUM_PATH``, /usr/bin/chromium or ``chromium`` on PATH);
Playwright's own browser download is not needed. Without ``--url`` the app is started from
the repository root on a free port and stopped afterwards.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from playground.local_server import (  # noqa: E402
    CHROMIUM_ARGS,
    NO_BROWSER,
    find_chromium,
    start_server,
    stop_server,
)

WIDTH, HEIGHT = 1400, 1000
MIN_TRAIN_SECONDS = 6
MAX_TRAIN_SECONDS = 15
TARGET_ACC = 80.0          # percent, "Train acc"
MAX_PAGE_HEIGHT = 6000     # px; the full-page shot grows the window up to this


def metric_text(page, label):
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True))
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def percent(text):
    try:
        return float(text.rstrip("%"))
    except ValueError:
        return float("nan")


def capture(url, out):
    from playwright.sync_api import sync_playwright

    chromium = find_chromium() or sys.exit(NO_BROWSER)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            page.set_default_timeout(60_000)
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            page.wait_for_function(
                "Array.from(document.querySelectorAll('div.live-plotly')).slice(0, 2)"
                ".filter(d => d.dataset.frame !== undefined).length === 2")

            switch = page.get_by_role("switch", name="Play")
            page.locator("label").filter(has=switch).click()
            page.wait_for_function("document.querySelector('[role=switch]').checked")
            start = time.monotonic()
            while True:
                time.sleep(0.5)
                elapsed = time.monotonic() - start
                acc = percent(metric_text(page, "Train acc"))
                if elapsed >= MAX_TRAIN_SECONDS or (elapsed >= MIN_TRAIN_SECONDS
                                                    and acc >= TARGET_ACC):
                    break
            print(f"trained {elapsed:.1f} s: Update {metric_text(page, 'Update')}, "
                  f"Train acc {metric_text(page, 'Train acc')}")

            # Streamlit scrolls inside its own container, so a "full page" screenshot only
            # shows the window: grow the window to the content's height instead.
            height = page.evaluate(
                "Math.max(...['[data-testid=\"stMain\"]', '[data-testid=\"stAppViewContainer\"]',"
                " 'section.stMain', 'body'].map(s => document.querySelector(s))"
                ".filter(Boolean).map(e => e.scrollHeight))")
            height = max(HEIGHT, min(int(height), MAX_PAGE_HEIGHT))
            if height > HEIGHT:
                page.set_viewport_size({"width": WIDTH, "height": height})
                time.sleep(1.5)   # let the responsive charts relayout (training continues)
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=out, full_page=True)
            print(f"saved {out} ({WIDTH}×{height})")
            if page.locator('[data-testid="stException"]').count():
                print("warning: the page shows a Streamlit exception", file=sys.stderr)
            for e in errors:
                print(f"browser console error: {e}", file=sys.stderr)
        finally:
            browser.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--url", help="use an already running app instead of starting one")
    args = parser.parse_args(argv)
    if args.url:
        capture(args.url, args.out)
        return
    try:
        proc, url = start_server()
    except RuntimeError as exc:
        sys.exit(str(exc))
    try:
        capture(url, args.out)
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
