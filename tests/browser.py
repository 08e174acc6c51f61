"""Headless Chromium for tests of generated HTML (the rating report, the handbook).

Uses Playwright's Python API driving the system Chromium (Debian's package,
/usr/bin/chromium), never a downloaded browser, and one browser for the whole
test run (:func:`shared_browser`). ``.ci/run`` installs both; on
a machine without them the browser tests are skipped with the reason.
"""

from __future__ import annotations

import atexit
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


_SHARED: dict[str, object] = {}


def shared_browser():
    """The one headless Chromium of the test run (started on first use, closed when the run ends).

    Starting Chromium costs about a second; every browser test shares this one
    and opens pages of its own in a fresh context.
    """
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):  # CI installs Chromium: a missing browser there is a failure, not a skip
            pytest.fail("Chromium is not installed, but CI must run the browser tests (.ci/run installs it)")
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    if "browser" not in _SHARED:
        playwright = playwright_api.sync_playwright().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        atexit.register(_close_shared_browser)
    return _SHARED["browser"]


def _close_shared_browser() -> None:
    browser, playwright = _SHARED.pop("browser", None), _SHARED.pop("playwright", None)
    if browser is not None:
        browser.close()  # type: ignore[attr-defined]
    if playwright is not None:
        playwright.stop()  # type: ignore[attr-defined]


@contextmanager
def open_page(path: Path, timezone_id: str | None = None):
    """Open a local HTML file in the shared headless Chromium. Yields (page, console_errors, failed_requests).

    ``timezone_id`` (e.g. "Europe/London") runs the page in that time zone.

    ``console_errors`` collects console errors and uncaught page errors;
    ``failed_requests`` collects every request that left the file (a
    self-contained page makes none).
    """
    context = shared_browser().new_context(timezone_id=timezone_id)  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        console_errors: list[str] = []
        outside_requests: list[str] = []
        page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        page.on("request", lambda request: outside_requests.append(request.url) if not request.url.startswith(("file:", "data:", "about:")) else None)
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        yield page, console_errors, outside_requests
    finally:
        context.close()
