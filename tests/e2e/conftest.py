"""End-to-end fixtures: one Streamlit server per test session, driven by the system Chromium.

Browser downloads are blocked here, so pytest-playwright's ``browser_type_launch_args`` is
overridden to launch the Debian ``chromium`` binary (``CHROMIUM_PATH`` wins if set). Without a
browser the tests skip locally and fail when ``CI`` is set.
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

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60  # seconds for /_stcore/health to answer "ok"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

NO_BROWSER = "Chromium not found: apt-get install -y chromium, or set CHROMIUM_PATH"


def find_chromium():
    """The Chromium executable to use, or None."""
    candidates = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port, log_file=None):
    """Start ``streamlit run streamlit_app.py`` from the repo root (so .streamlit/config.toml
    applies); returns the process."""
    cmd = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
        "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
    ]
    out = log_file if log_file is not None else subprocess.DEVNULL
    return subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)


def wait_healthy(proc, url, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"streamlit did not answer {url}/_stcore/health in {timeout} s")
        time.sleep(0.25)


def stop_app(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but no browser was found. {NO_BROWSER}", pytrace=False)
        pytest.skip(NO_BROWSER)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    """pytest-playwright's launch args, pointed at the system Chromium."""
    return {**browser_type_launch_args, "executable_path": chromium_path,
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A desktop-sized window, so the sidebar is open and both charts sit side by side."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, chromium_path):
    """The URL of a Streamlit server running the app (one per session)."""
    # chromium_path is requested first so that a missing browser skips before the server
    # is started for nothing.
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = start_app(port, log)
        try:
            wait_healthy(proc, url)
        except RuntimeError as exc:
            stop_app(proc)
            pytest.fail(f"{exc}\n--- server log ---\n{log_path.read_text(errors='replace')}",
                        pytrace=False)
        try:
            yield url
        finally:
            stop_app(proc)


@pytest.fixture
def console_errors(page):
    """Browser console errors and uncaught page errors of the ``page`` fixture."""
    errors = []
    page.on("console", lambda msg: errors.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


@pytest.fixture
def shot(tmp_path):
    """``shot(page, name)`` saves a full-page screenshot under the test's tmp_path."""
    def save(page, name):
        path = tmp_path / f"{name}.png"
        try:
            page.screenshot(path=path, full_page=True, timeout=15_000)
        except Exception as exc:  # a screenshot is a diagnostic, never the failure itself
            print(f"screenshot {name} failed: {exc}")
        return path
    return save
