"""`carag check` checks everything a rule folder holds: files no root includes, and the test blocks."""

from __future__ import annotations

import shutil
from pathlib import Path

from carag_dsl.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_a_file_the_root_does_not_include_fails_check_with_the_include_line_to_add(tmp_path, monkeypatch, capsys):
    shutil.copytree(REPO / "questions", tmp_path / "questions")
    (tmp_path / "questions" / "09_new.carag").write_text(
        'question "9.1" prompt\n    text "Is it new?"\n    applies when mappa\n    answer yes_no\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    for target in (["questions"], ["questions/09_new.carag"]):
        assert main(["check", *target]) == 1
        err = capsys.readouterr().err
        assert err.startswith("questions/09_new.carag:1:1: error: carag.carag does not include this file, so its rules are never read; "
                              "add the line 'include \"09_new.carag\"' to questions/carag.carag"), err
        assert "unknown name 'mappa'" not in err


def test_a_misspelt_fact_in_a_test_file_fails_check_located_to_its_column(tmp_path, monkeypatch, capsys):
    shutil.copytree(REPO / "questions", tmp_path / "questions")
    (tmp_path / "questions" / "tests" / "typo.carag").write_text(
        'test "a MAPPA case"\n    facts mapa = true\n    expect applies [2.3.01]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "questions"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("questions/tests/typo.carag:2:11: error: the test sets 'mapa', but there is no such fact (did you mean 'mappa'?)"), err
    assert main(["test", "questions"]) == 1  # carag test stops at the same error, before running anything
    assert "questions/tests/typo.carag:2:11: error: the test sets 'mapa'" in capsys.readouterr().err
