"""Golden diagnostics: `carag check` on each file in tests/fixtures/errors/ prints exactly its .expected file.

Run with UPDATE_GOLDEN=1 to rewrite the .expected files after an intended change
of wording, then review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carag_dsl.cli import main
from golden import check_matches_golden, fixture_names

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path("tests/fixtures/errors")
CASES = fixture_names(FIXTURES)


@pytest.mark.parametrize("name", CASES)
def test_check_prints_the_golden_diagnostics(name, monkeypatch, capsys):
    status, output = check_matches_golden(FIXTURES, name, monkeypatch, capsys)
    assert status == 1
    assert "Traceback" not in output


def test_one_run_reports_unknown_name_duplicate_id_type_error_and_cycle(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    main(["check", str(FIXTURES / "four_errors")])
    output = capsys.readouterr().err
    assert "questions.carag:1:10: error: question '1.1' is declared twice, here and at tests/fixtures/errors/four_errors/rules.carag:9:10" in output
    assert "rules.carag:9:10: note: the other question '1.1' is here" in output
    assert "questions.carag:8:18: error: cannot compare date with duration" in output
    assert "dependency cycle: 1.3 -> 1.4 -> 1.3" in output
    assert "rules.carag:12:18: error: unknown name 'sentance' (did you mean 'sentence'?)" in output
    assert output.rstrip().endswith("4 errors found")


def test_syntax_error_is_located_at_the_offending_token(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    main(["check", str(FIXTURES / "syntax_error.carag")])
    first_line = capsys.readouterr().err.splitlines()[0]
    assert first_line.startswith("tests/fixtures/errors/syntax_error.carag:6:40: error: unexpected end of file")
