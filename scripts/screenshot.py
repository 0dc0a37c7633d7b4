"""Regenerate the README screenshot: start the app, press Play, let it train, save a PNG.

    python scripts/screenshot.py                 # -> docs/screenshot.png
    python scripts/screenshot.py --out /tmp/x.png --url http://127.0.0.1:8501/?data=moons

Uses the system Chromium (``CHROMIUM_PATH``, /usr/bin/chromium or ``chromium`` on PATH);
Playwright's own browser download is not needed. Without ``--url`` the app is started from
the repository root on a free port and stopped afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
WIDTH, HEIGHT = 1400, 1000
MIN_TRAIN_SECONDS = 6
MAX_TRAIN_SECONDS = 15
TARGET_ACC = 80.0          # percent, "Train acc"
MAX_PAGE_HEIGHT = 6000     # px; the full-page shot grows the window up to this


def find_chromium():
    for path in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    sys.exit("Chromium not found: apt-get install -y chromium, or set CHROMIUM_PATH")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port):
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
           "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
           "--browser.gatherUsageStats=false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_app(proc)
            sys.exit("streamlit did not start (no 'ok' from /_stcore/health within 60 s)")
        time.sleep(0.25)


def stop_app(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


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

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
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
    proc, url = start_app(free_port())
    try:
        capture(url, args.out)
    finally:
        stop_app(proc)


if __name__ == "__main__":
    main()
