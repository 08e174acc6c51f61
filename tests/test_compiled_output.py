"""compiler/ holds the dependency graphs of questions/ per case type; they must match the rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import carag_dsl
from carag_dsl.tools.regenerate import stale_files

COMPILER = Path(__file__).resolve().parent.parent / "compiler"


def test_compiled_output_is_up_to_date_with_the_rules():
    stale = stale_files(carag_dsl.load(), COMPILER)
    assert not stale, f"out of date: {stale}; run `python -m carag_dsl.regenerate` and commit compiler/"


def test_a_rule_change_shows_in_the_compiled_output(tmp_path):
    rules_dir = tmp_path / "questions"
    shutil.copytree(Path(carag_dsl.load().symbols.questions["2.3.01"].span.path).resolve().parent, rules_dir)
    section = rules_dir / "02_assessment_information.carag"
    text = section.read_text()
    assert "applies when case_type == core" in text
    section.write_text(text.replace("applies when case_type == core", "applies always", 1))
    assert stale_files(carag_dsl.load(rules_dir), COMPILER) == ["all.json", "adjusted.json", "adjusted.dot", "core.json"]
