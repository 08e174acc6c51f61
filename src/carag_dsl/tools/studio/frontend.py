"""The page's scripts: the npm project ``studio/`` (CodeMirror 6, fflate, esbuild, Pyodide) built with Node.

The project ships inside carag's wheel (``carag_dsl/_data/studio``; in a checkout
it is the top-level ``studio/`` folder). It is installed with ``npm ci`` from
its lock file, so every build uses the same pinned packages, in a build folder
of the cache (kept between builds), and bundled by its ``build.mjs``.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from carag_dsl.errors import UsageError

_PACKAGE = Path(__file__).resolve().parents[2]  # carag_dsl/
_SOURCES = ("package.json", "package-lock.json", "build.mjs", "src")
NODE_NEEDED = ("carag studio builds its page with Node.js and npm (Node 18 or newer), which are not installed: "
               "install them (Debian and Ubuntu: apt-get install nodejs npm; otherwise https://nodejs.org) and run it again")


def sources_folder() -> Path:
    for candidate in (_PACKAGE / "_data" / "studio", _PACKAGE.parent.parent / "studio"):
        if (candidate / "package-lock.json").exists():
            return candidate
    raise UsageError("carag-dsl is installed without the studio's page sources (carag_dsl/_data/studio); reinstall it")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise UsageError(NODE_NEEDED)
    return found


def _run(command: list[str], folder: Path, what: str) -> None:
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    if done.returncode != 0:
        raise UsageError(f"{what} failed (exit {done.returncode}) in {folder}:\n{(done.stderr or done.stdout)[-3000:]}")


def build_page(output: Path, cache: Path) -> None:
    """Bundle the page into ``output`` (app.js, worker.js, index.html, studio.css, pyodide/)."""
    node, npm = _tool("node"), _tool("npm")
    sources = sources_folder()
    lock = (sources / "package-lock.json").read_bytes()
    project = cache / ("studio-npm-" + hashlib.sha256(lock).hexdigest()[:16])
    project.mkdir(parents=True, exist_ok=True)
    for name in _SOURCES:
        source, target = sources / name, project / name
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)
    installed = project / "node_modules" / ".carag-installed"
    if not installed.exists():  # npm ci: exactly the lock file's packages
        _run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], project, "npm ci (installing the studio's npm packages)")
        installed.touch()
    _run([node, "build.mjs", str(output.resolve())], project, "node build.mjs (bundling the studio's page)")
