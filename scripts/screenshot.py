"""Regenerate the README screenshot: start the app, press Play, let it train, save a PNG.

    python scripts/screenshot.py                 # -> docs/screenshot.png (1440×900)
    python scripts/screenshot.py --all-sizes     # and docs/screens/stage-WxH.png
    python scripts/screenshot.py --view Race --out docs/screens/view-race.png
    python scripts/screenshot.py --view Network --node 2.3 --query '?layers=2&units=8' \
        --out docs/screens/network-thumbnails.png     # node 3 of hidden layer 2 held large
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
from devtools.local_server import (  # noqa: E402
    CHROMIUM_ARGS,
    NO_BROWSER,
    NODE_JS,
    POINT_JS,
    find_chromium,
    start_server,
    stop_server,
)

WIDTH, HEIGHT = 1440, 900
MIN_TRAIN_SECONDS = 6
MAX_TRAIN_SECONDS = 15
TARGET_ACC = 80.0          # percent, "Train acc"


def metric_text(page, label):
    """The metric's value, or "" when the page has no such metric (a regression run shows
    no accuracy: it then trains for MAX_TRAIN_SECONDS)."""
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]').get_by_text(label, exact=True))
    if not box.count():
        return ""
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def percent(text):
    try:
        return float(text.rstrip("%"))
    except ValueError:
        return float("nan")


def capture(url, out, width=WIDTH, height=HEIGHT, view=None, node=None):
    """Open the app in a width × height window, press Play, train until the spiral is mostly
    separated, and save what the window shows (the stage is laid out for the window)."""
    from playwright.sync_api import expect, sync_playwright

    chromium = find_chromium() or sys.exit(NO_BROWSER)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url)
            page.wait_for_function(
                "Array.from(document.querySelectorAll('div.live-plotly'))"
                ".filter(d => d.dataset.frame !== undefined).length >= 2")

            switch = page.get_by_role("switch", name="Play")
            if view is not None and view != "Backprop":
                page.locator(".st-key-w_view").get_by_text(view, exact=True).click()
            page.locator("label").filter(has=switch).click()
            expect(switch).to_be_checked()
            start = time.monotonic()
            while True:
                time.sleep(0.5)
                elapsed = time.monotonic() - start
                acc = percent(metric_text(page, "Train acc"))
                if elapsed >= MAX_TRAIN_SECONDS or (elapsed >= MIN_TRAIN_SECONDS
                                                    and acc >= TARGET_ACC):
                    break
            page.locator("label").filter(has=switch).click()         # pause, details follow
            expect(switch).not_to_be_checked()
            time.sleep(2)
            if view == "Backprop":                   # a click on a training point opens it
                point = page.evaluate(POINT_JS)
                page.mouse.click(point["px"], point["py"])
                page.wait_for_timeout(3000)
            if node is not None:                     # a click holds a node's map on the map
                layer, unit = (int(v) for v in node.split("."))
                at = page.evaluate(NODE_JS, [layer, unit - 1])
                page.mouse.click(at["px"], at["py"])
                page.mouse.move(at["px"], at["py"] + height)      # no hover label
                page.wait_for_timeout(3000)
            print(f"trained {elapsed:.1f} s: Update {metric_text(page, 'Update')}, "
                  f"Train acc {metric_text(page, 'Train acc') or '—'}, "
                  f"Train loss {metric_text(page, 'Train loss')}")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=out)
            print(f"saved {out} ({width}×{height})")
            if page.locator('[data-testid="stException"]').count():
                print("warning: the page shows a Streamlit exception", file=sys.stderr)
            for e in errors:
                print(f"browser console error: {e}", file=sys.stderr)
        finally:
            browser.close()


# the window sizes docs/screens/ shows: a projector, a laptop, a desktop, a phone
SIZES = ((1024, 768), (1440, 900), (1920, 1080), (390, 844))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--url", help="use an already running app instead of starting one")
    parser.add_argument("--query", default="", help="URL query, e.g. '?data=moons'")
    parser.add_argument("--view", help="open this view (Backprop: click a training point)")
    parser.add_argument("--node", help="with --view Network: click this node, e.g. 2.3 (node "
                        "3 of hidden layer 2; 0.1 = the first input), to show its map large")
    parser.add_argument("--all-sizes", action="store_true",
                        help="also save docs/screens/stage-WxH.png at " +
                             ", ".join(f"{w}×{h}" for w, h in SIZES))
    args = parser.parse_args(argv)
    proc = None
    if args.url:
        url = args.url
    else:
        try:
            proc, url = start_server()
        except RuntimeError as exc:
            sys.exit(str(exc))
    try:
        capture(url + "/" + args.query, args.out, view=args.view, node=args.node)
        if args.all_sizes:
            for w, h in SIZES:
                capture(url + "/" + args.query, ROOT / "docs" / "screens" / f"stage-{w}x{h}.png",
                        w, h)
    finally:
        if proc is not None:
            stop_server(proc)


if __name__ == "__main__":
    main()
