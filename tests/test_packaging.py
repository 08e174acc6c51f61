"""The wheel carries the grammar and the CARaG rule set, and works away from the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_wheel_ships_grammar_and_rule_set_and_runs_outside_the_repo(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(REPO)],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("carag_dsl-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "carag_dsl/_data/carag.lark" in names
        assert "carag_dsl/_data/questions/carag.carag" in names
        archive.extractall(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    result = subprocess.run([sys.executable, "-m", "carag_dsl", "check"], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    located = subprocess.run(
        [sys.executable, "-c", "import carag_dsl.resources as r; print(r.grammar_path()); print(r.bundled_rules_path())"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )
    assert all(line.startswith(str(tmp_path / "site")) for line in located.stdout.split()), located.stdout
