"""Write the studio's folder: a static web app that runs carag in the page, offline.

    DIR/index.html, app.js, worker.js, studio.css   the page (frontend.py)
    DIR/pyodide/                                    Python for the browser, from Pyodide's npm package
    DIR/python/                                     carag's package and its dependencies' wheels
    DIR/rules.json                                  the rule folder as built: the published version
    DIR/highlight.json                              the TextMate grammar written from grammar/carag.lark
    DIR/manifest.json                               what the page loads, and the rule set's identity
    DIR/handbook/index.html                         the published rules' handbook (carag docs), linked to the studio
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import UsageError
from carag_dsl.language.loader import find_root
from carag_dsl.language.private_cache import private_cache_folder
from carag_dsl.tools.studio.frontend import build_page
from carag_dsl.tools.studio.python_files import carag_archive, dependency_wheels
from carag_dsl.tools.handbook import SCRIPT as HANDBOOK_SCRIPT, render_handbook
from carag_dsl.tools.textmate import textmate_grammar

# The files of a rule folder the studio edits: the rules, their tests, the example cases.
RULE_FILES = ("*.carag", "tests/*.carag", "examples/*.json")


@attrs.frozen
class BuiltStudio:
    folder: Path
    bytes_by_part: dict[str, int]  # the page, pyodide, python, rules: what each weighs

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes_by_part.values())


def rule_folder_files(folder: Path) -> dict[str, str]:
    files = {}
    for pattern in RULE_FILES:
        for file in sorted(folder.glob(pattern)):
            files[file.relative_to(folder).as_posix()] = file.read_text(encoding="utf-8")
    return files


@contextmanager
def _build_cache() -> Iterator[Path]:
    """The private cache (npm packages and wheels kept between builds), or a folder for this build only."""
    cache = private_cache_folder()
    if cache is not None:
        yield cache
        return
    with tempfile.TemporaryDirectory(prefix="carag-studio-build-") as temporary:
        yield Path(temporary)


def build_studio(rules: CheckedRules, rules_path: Path, output: Path) -> BuiltStudio:
    """Write the studio for the rule set read from ``rules_path`` (checked as ``rules``) into ``output``."""
    folder = rules_path if rules_path.is_dir() else rules_path.parent
    root = find_root(rules_path)
    if output.exists() and not output.is_dir():
        raise UsageError(f"--output {output}: this is a file; give a folder to write the studio into")
    output.mkdir(parents=True, exist_ok=True)
    with _build_cache() as cache:
        build_page(output, cache)
        _allow_handbook_script(output / "index.html")
        python = output / "python"
        shutil.rmtree(python, ignore_errors=True)
        python.mkdir()
        archives = [shutil.copy2(wheel, python / wheel.name) for wheel in dependency_wheels(cache)]
        archives.append(carag_archive(python))
    manifest: dict[str, Any] = {
        "python": [Path(a).name for a in archives],
        "rules": {"folder": folder.name, "root": root.relative_to(folder).as_posix(), "name": rules.name,
                  "version": rules.version, "hash": rules.content_hash},
    }
    _write_json(output / "manifest.json", manifest)
    _write_json(output / "rules.json", {"files": rule_folder_files(folder)})
    _write_json(output / "highlight.json", textmate_grammar())
    handbook = output / "handbook"  # the published rules' handbook, linked back to the studio
    handbook.mkdir(exist_ok=True)
    (handbook / "index.html").write_text(render_handbook(rules, studio_url="../"), encoding="utf-8")
    return BuiltStudio(output, _sizes(output))


def _allow_handbook_script(page: Path) -> None:
    """Let the handbook's search script run in the page's handbook tab, and no other inline script.

    The tab shows the handbook in a sandboxed frame of its own (``srcdoc``), which keeps the page's
    Content-Security-Policy; the policy names the script by its hash rather than allowing inline scripts.
    """
    digest = base64.b64encode(hashlib.sha256(HANDBOOK_SCRIPT.encode("utf-8")).digest()).decode("ascii")
    html = page.read_text(encoding="utf-8")
    if "script-src 'self'" not in html:
        raise UsageError(f"{page} has no script-src 'self' in its Content-Security-Policy: the studio's page sources are damaged")
    page.write_text(html.replace("script-src 'self'", f"script-src 'self' 'sha256-{digest}'", 1), encoding="utf-8")


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def _sizes(output: Path) -> dict[str, int]:
    parts: dict[str, int] = {}
    for file in output.rglob("*"):
        if file.is_file():
            part = file.relative_to(output).parts[0]
            part = part if (output / part).is_dir() else ("rules" if part == "rules.json" else "page")
            parts[part] = parts.get(part, 0) + file.stat().st_size
    return parts
