"""The decision map as seen with protanopia, deuteranopia and tritanopia: start the app, train
the default spiral for a while, screenshot the map in Chromium, and apply the Machado et al.
(2009) simulation (``playground.figures.colorvision``) to every pixel.

    python scripts/cvd_screens.py          # -> docs/screens/map-cvd-{normal,protanopia,...}.png

Prints each image's minimum CIE76 ΔE between the classes' most confident region colours,
read from the simulated screenshot itself.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from devtools.local_server import (  # noqa: E402
    CHROMIUM_ARGS,
    NO_BROWSER,
    find_chromium,
    start_server,
    stop_server,
)
from playground.figures import decision_colors  # noqa: E402
from playground.figures.colorvision import MACHADO, min_delta_e, simulate  # noqa: E402

OUT = ROOT / "docs" / "screens"
UPDATES = 400            # trained until the regions are confident


def main():
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        sys.exit(NO_BROWSER)
    proc, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url)
            page.wait_for_function("document.querySelector('.st-key-regions div.live-plotly')"
                                   "?.dataset.frame !== undefined", timeout=60_000)
            button = page.get_by_role("button", name="Step", exact=True)
            switch = page.get_by_role("switch", name="Play")
            page.locator("label").filter(has=switch).click()
            page.wait_for_function(
                "+document.querySelector('.st-key-regions div.live-plotly').dataset.frame"
                f" >= {UPDATES}", timeout=120_000)
            page.locator("label").filter(has=switch).click()
            button.wait_for()
            time.sleep(1.5)                    # the paused run's full redraw
            png = page.locator(".st-key-regions").screenshot()
            browser.close()
    finally:
        stop_server(proc)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    confident = decision_colors(3)[7::8]
    for name in ("normal", *MACHADO):
        seen = pixels if name == "normal" else simulate(pixels, name)
        Image.fromarray(seen).save(OUT / f"map-cvd-{name}.png", optimize=True)
        # the classes' confident colours as this viewer sees them (simulated like the image)
        shown = confident if name == "normal" else simulate(confident, name)
        print(f"{name}: min ΔE76 between the 3 classes' confident regions "
              f"{min_delta_e(shown):.1f} -> docs/screens/map-cvd-{name}.png")


if __name__ == "__main__":
    main()
