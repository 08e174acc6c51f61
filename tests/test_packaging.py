"""The wheel carries the grammar and the CARaG rule set, and a non-editable install works away from the
repository, yet uses the rule set of the folder it is run in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_non_editable_install_ships_its_data_and_tests_the_edited_copy_of_questions(tmp_path):
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
    # One real, non-editable install (what the README's `pip install .` does), into a folder of its own;
    # the dependencies come from the interpreter running the tests.
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", str(site), str(wheel)],
        capture_output=True, text=True,
    )
    assert install.returncode == 0, install.stderr
    env = {**os.environ, "PYTHONPATH": str(site)}
    carag = [str(site / "bin" / "carag")] if (site / "bin" / "carag").exists() else [sys.executable, "-m", "carag_dsl"]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    located = subprocess.run(
        [sys.executable, "-c", "import carag_dsl.language.resources as r; print(r.grammar_path()); print(r.bundled_rules_path())"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )
    assert located.returncode == 0, located.stderr
    assert [Path(line).parent for line in located.stdout.split()] == [site / "carag_dsl" / "_data"] * 2
    # carag studio builds its page from the npm project shipped in the wheel (sources and lock file, no node_modules).
    studio = subprocess.run(
        [sys.executable, "-c", "from carag_dsl.tools.studio.frontend import sources_folder; print(sources_folder())"],
        capture_output=True, text=True, cwd=elsewhere, env=env,
    )
    assert Path(studio.stdout.strip()) == site / "carag_dsl" / "_data" / "studio", studio.stderr
    assert {"carag_dsl/_data/studio/package-lock.json", "carag_dsl/_data/studio/src/main.js"} <= names
    assert not any("node_modules" in name for name in names)
    bundled = subprocess.run([*carag, "check"], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert bundled.returncode == 0, bundled.stderr
    assert f"from {site / 'carag_dsl' / '_data' / 'questions' / 'carag.carag'} (bundled with carag-dsl" in bundled.stderr

    # A member of staff edits a copy of questions/: a new version, a changed rule and a test of the change.
    work = tmp_path / "work" / "questions"
    shutil.copytree(REPO / "questions", work)
    root = work / "carag.carag"
    root.write_text(root.read_text(encoding="utf-8").replace('version "1.1"', 'version "1.1-draft"', 1), encoding="utf-8")
    section = work / "05_implementation_and_delivery_information.carag"
    text = section.read_text(encoding="utf-8")
    rule = "applies when [X 6] != not_a_factor or sexual_harm_factor_in_x4"
    assert rule in text
    section.write_text(text.replace(rule, "applies when case_type == core and ([X 6] != not_a_factor or sexual_harm_factor_in_x4)", 1), encoding="utf-8")
    (work / "tests" / "draft.carag").write_text(
        'test "X 9 is asked in core cases only"\n'
        "    facts terminated = false, sentence = community, start_date = 2025-01-06\n"
        "    facts suspension = impact, suspension_date = 2025-01-20\n"
        "    answers [2.0.19a] = no, [X 6] = yes\n"
        "    expect not applicable [X 9]\n",
        encoding="utf-8",
    )
    tested = subprocess.run([*carag, "test"], capture_output=True, text=True, cwd=work, env=env)
    first = tested.stdout.splitlines()[0]
    assert first.startswith('using rule set "Dynamic inspection of public protection.') and "version 1.1-draft from carag.carag (found from the working directory)" in first, tested.stdout
    assert "PASS tests/draft.carag:1  X 9 is asked in core cases only" in tested.stdout, tested.stdout + tested.stderr
