"""The studio built once per test run, served from 127.0.0.1, and pages of it with the network cut off.

:func:`built_studio` runs ``carag studio`` (npm, pip and Node as a user's
machine has them; the build cache in a temporary folder, ``CARAG_NO_CACHE=1``),
:func:`serve` serves the folder on 127.0.0.1, :func:`offline_page` opens it in
the shared Chromium with every request that leaves 127.0.0.1 refused and
recorded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from browser import shared_browser
from node_env import node_executable

REPOSITORY = Path(__file__).resolve().parent.parent
BUILT: list[str] = []  # what each build said it wrote (sizes), for the end of the test run (conftest.py)


def build_studio(output: Path) -> subprocess.CompletedProcess[str]:
    node_executable()  # skipped (failed under CI) without Node.js
    env = dict(os.environ, CARAG_NO_CACHE="1")
    done = subprocess.run(
        [sys.executable, "-m", "carag_dsl", "studio", str(REPOSITORY / "questions"), "--output", str(output)],
        capture_output=True, text=True, env=env, timeout=900,
    )
    if done.returncode != 0:
        pytest.fail(f"carag studio failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    BUILT.extend(line for line in done.stdout.splitlines() if line.startswith("wrote the studio"))
    return done


@contextmanager
def serve(folder: Path):
    from carag_dsl.tools.studio.serve import studio_server

    server = studio_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def offline_page(base_url: str):
    """A page in a fresh context where only ``base_url`` answers. Yields (page, refused, requested, errors)."""
    context = shared_browser().new_context()  # type: ignore[attr-defined]
    refused: list[str] = []
    requested: list[str] = []
    errors: list[str] = []

    def route(route) -> None:
        url = route.request.url
        requested.append(url)
        if url.startswith(base_url):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", route)
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        yield page, refused, requested, errors
    finally:
        context.close()
