"""End-to-end fixtures: one Streamlit server per test session, driven by the system Chromium.

Browser downloads are blocked here, so pytest-playwright's ``browser_type_launch_args`` is
overridden to launch the Debian ``chromium`` binary (``CHROMIUM_PATH`` wins if set). Without a
browser the tests skip locally and fail when ``CI`` is set.
"""

from __future__ import annotations

import os

import pytest

from devtools.local_server import (
    CHROMIUM_ARGS,
    COMMUNITY_CLOUD,
    NO_BROWSER,
    find_chromium,
    start_server,
    stop_server,
)


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


def _serve(tmp_path_factory, server_args=()):
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    with open(log_path, "wb") as log:
        try:
            proc, url = start_server(server_args=server_args, log=log)
        except RuntimeError as exc:
            pytest.fail(f"{exc}\n--- server log ---\n{log_path.read_text(errors='replace')}",
                        pytrace=False)
        try:
            yield url
        finally:
            stop_server(proc)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, chromium_path):
    """The URL of a Streamlit server running the app with the repository's config (one per
    test session)."""
    # chromium_path is requested first so that a missing browser skips before the server
    # is started for nothing.
    yield from _serve(tmp_path_factory)


@pytest.fixture(scope="session")
def cloud_url(tmp_path_factory, chromium_path):
    """The URL of a server started with the settings Streamlit Community Cloud forces on
    every app, over the repository's config (see COMMUNITY_CLOUD)."""
    yield from _serve(tmp_path_factory, COMMUNITY_CLOUD)


@pytest.fixture(params=["repository config", "Community Cloud"])
def any_config_url(request):
    """Each of the two servers in turn: a test of live changes runs against both."""
    return request.getfixturevalue("app_url" if request.param == "repository config"
                                   else "cloud_url")


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
