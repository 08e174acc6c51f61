"""Node.js and the npm packages some tests drive (the VS Code grammar, the form engines).

One install for the whole run: ``tests/node/package.json`` lists every npm
package the tests use; :func:`node_modules` runs ``npm install`` there once
(when ``node_modules`` is missing or older than ``package.json``) and returns
the folder. ``.ci/run`` installs Node.js and npm from Debian when missing.
Without them a test is skipped with the reason, except under CI, where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_PROJECT = Path(__file__).resolve().parent / "node"


def _missing(what: str) -> None:
    if os.environ.get("CI"):  # CI installs Node.js: a missing tool there is a failure, not a skip
        pytest.fail(f"{what} is not installed, but CI must run the Node tests (.ci/run installs it)")
    pytest.skip(f"{what} is not installed (apt-get install nodejs npm); .ci/run installs it")


def node_executable() -> str:
    found = shutil.which("node")
    if found is None:
        _missing("Node.js")
    return found  # type: ignore[return-value]


def node_modules() -> Path:
    """``tests/node/node_modules``, installed from ``tests/node/package.json`` if it is missing or stale."""
    node_executable()
    npm = shutil.which("npm")
    if npm is None:
        _missing("npm")
    folder = NODE_PROJECT / "node_modules"
    stamp = folder / ".carag-installed"
    manifest = NODE_PROJECT / "package.json"
    if not stamp.exists() or stamp.stat().st_mtime < manifest.stat().st_mtime:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],  # type: ignore[list-item]
            cwd=NODE_PROJECT, capture_output=True, text=True, timeout=600,
        )
        if done.returncode != 0:
            pytest.fail(f"npm install in {NODE_PROJECT} failed:\n{done.stderr[-4000:]}")
        stamp.touch()
    return folder


def run_node(script: Path, *args: str, stdin: str | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run a Node.js script with ``tests/node/node_modules`` on its module path."""
    modules = node_modules()
    env = dict(os.environ, NODE_PATH=str(modules))
    return subprocess.run(
        [node_executable(), str(script), *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=env,
    )
