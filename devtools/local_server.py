"""Development tooling: run the app on a local port, find the system Chromium, and find a
training point on the map (``POINT_JS``).

Shared by the browser tests (``tests/e2e``), the benchmarks and the screenshot script; the
app itself never imports it. The server listens on 127.0.0.1 only and is stopped by its PID.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60  # seconds for /_stcore/health to answer "ok"

# Headless, and quiet on a machine without internet: without the background-networking flags
# Chromium keeps trying (and failing) to reach Google's services.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
# What Streamlit Community Cloud forces on every app, over .streamlit/config.toml (its "Status
# and limitations" page); browser.gatherUsageStats is left off here (no network).
COMMUNITY_CLOUD = ("--runner.fastReruns=true", "--client.showErrorDetails=false",
                   "--server.runOnSave=true", "--server.enableXsrfProtection=true")
NO_BROWSER = "Chromium not found: apt-get install -y chromium, or set CHROMIUM_PATH"


def find_chromium():
    """The Chromium executable (``CHROMIUM_PATH``, /usr/bin/chromium, or on PATH), or None."""
    for path in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root=ROOT, server_args=(), log=None, timeout=START_TIMEOUT):
    """Start ``streamlit run streamlit_app.py`` in ``root`` (so its .streamlit/config.toml
    applies) on a free 127.0.0.1 port; return ``(process, url)`` once /_stcore/health says
    "ok". ``log`` is a binary file for the server's output. Raises RuntimeError (after
    stopping the process) if it does not come up."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
           "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
           "--browser.gatherUsageStats=false", *server_args]
    proc = subprocess.Popen(cmd, cwd=root, stdout=log or subprocess.DEVNULL,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within "
                               f"{timeout} s (exit code {proc.returncode})")
        time.sleep(0.1)


def stop_server(proc):
    """Stop a server started by :func:`start_server`, by its PID."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# the outermost point of the first class's training trace (clear of the crowded centre), and
# where it is on the screen, from Plotly's own axes: the drag layer covers the plot area
POINT_JS = """() => {
  const div = document.querySelector('.st-key-regions div.live-plotly');
  const t = div.data.find(t => t.type === 'scatter');          // class 0's training points
  let i = 0;
  for (let j = 0; j < t.x.length; j++)
    if (t.x[j] ** 2 + t.y[j] ** 2 > t.x[i] ** 2 + t.y[i] ** 2) i = j;
  const xa = div._fullLayout.xaxis, ya = div._fullLayout.yaxis;
  const box = div.querySelector('.nsewdrag').getBoundingClientRect();
  return {x: t.x[i], y: t.y[i], px: box.left + xa.l2p(t.x[i]), py: box.top + ya.l2p(t.y[i])};
}"""


# where a node of the Network view's diagram is on the screen (layer 0 = the inputs, unit
# 0-based), from its node trace (meta.layer, customdata = units) and Plotly's own axes
NODE_JS = """([layer, unit]) => {
  const div = document.querySelector('.st-key-network div.live-plotly');
  const t = div._fullData.find(t => t.meta && t.meta.layer === layer);
  const i = Array.from(t.customdata).indexOf(unit);
  const box = div.querySelector('.nsewdrag').getBoundingClientRect();
  return {px: box.left + div._fullLayout.xaxis.l2p(t.x[i]),
          py: box.top + div._fullLayout.yaxis.l2p(t.y[i])};
}"""


# What the page says of its learning rate, in each of the four places it shows it: the
# slider, the Auto switch with its "Automatic:" line, the URL, and the Math view's optimizer
# line (the server's trainer: eta as the model uses it). Shared by the
# browser tests and benchmarks/bench_setting_changes.py.
LR_STATE_JS = r"""() => {
  const slider = document.querySelector('input[type=range][aria-label="Learning rate"]');
  const auto = document.querySelector('input[role=switch][aria-label="Auto"]');
  const caption = Array.from(document.querySelectorAll('[data-testid=stCaptionContainer]'))
      .map(e => e.innerText).find(t => t.startsWith('Automatic:'));
  const eta = Array.from(document.querySelectorAll('.katex-mathml annotation'))
      .map(e => e.textContent).find(t => t.includes('\\eta ='));
  const m = eta && eta.match(/\\eta = ([0-9.e+-]+)/);
  const c = caption && caption.match(/^Automatic: ([0-9.e+-]+)/);
  return {widget: slider ? slider.getAttribute('aria-valuetext') : null,
          auto: auto ? auto.checked : null, caption: c ? c[1] : null,
          url: new URLSearchParams(location.search).get('lr'),
          model: m ? m[1] : null};
}"""


def lr_agrees(state, lr, auto):
    """Whether the page shows learning rate ``lr`` (text, e.g. "0.3") with Auto ``auto``
    everywhere: slider, switch, Automatic: line, URL (no lr when automatic, as the default
    is) and the model."""
    return (state["widget"] == lr and state["model"] == lr and state["auto"] == auto
            and state["caption"] == (lr if auto else None)
            and state["url"] == (None if auto else lr))
