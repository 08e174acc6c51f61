"""The mistakes corpus: realistic errors of people editing rules, each with the exact output of `carag check`.

Every file (or folder) under tests/fixtures/mistakes/ holds one mistake; the
.expected file beside it is what `carag check` prints. Run with
UPDATE_GOLDEN=1 to rewrite them after an intended change of wording, then read
the diff. Together they cover every code in docs/diagnostics.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from carag_dsl.cli import main
from carag_dsl.errors import RuleError
from carag_dsl.tools.rule_tests import load_tests
from golden import check_matches_golden, fixture_names

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path("tests/fixtures/mistakes")
CASES = fixture_names(CORPUS)
LOCATED = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<column>\d+): (error|warning): (?P<message>.+)$")


def test_the_corpus_holds_at_least_forty_mistakes():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", CASES)
def test_check_prints_the_exact_expected_output_for_each_mistake(name, monkeypatch, capsys):
    status, output = check_matches_golden(CORPUS, name, monkeypatch, capsys)
    errors = [line for line in output.splitlines() if ": error: " in line or ": warning: " in line]
    assert status == (1 if any(": error: " in line for line in errors) else 0)  # a warning alone never fails check
    assert errors and all(LOCATED.match(line) for line in errors), output  # every finding at file:line:col
    assert "Traceback" not in output and "Token(" not in output and "$END" not in output


def test_the_corpus_covers_every_code_in_the_diagnostics_catalogue():
    catalogue = set(re.findall(r"^### `([a-z-]+)`\s*$", (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8"), re.M))
    seen: set[str] = set()
    for name in CASES:
        try:
            seen |= {d.code for d in load_tests(REPO / CORPUS / name)[0].warnings}
        except RuleError as error:
            seen |= {d.code for d in error.diagnostics}
    assert sorted(catalogue - seen) == []


def test_a_folder_with_a_syntax_error_and_a_type_error_in_two_files_reports_both(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    assert main(["check", str(CORPUS / "syntax_error_and_type_error_in_two_files")]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert [line.split(": error: ")[0] for line in errors] == [
        f"{CORPUS}/syntax_error_and_type_error_in_two_files/assessment.carag:3:5",
        f"{CORPUS}/syntax_error_and_type_error_in_two_files/assessment.carag:8:18",
    ]
    assert "did you mean 'applies'?" in errors[0]


def test_a_slip_in_a_question_is_reported_once_and_a_real_unknown_question_still_is(monkeypatch, capsys, tmp_path):
    rules = (REPO / CORPUS / "single_equals_in_a_question_others_read.carag").read_text(encoding="utf-8")
    (tmp_path / "rules.carag").write_text(rules.replace("expect applies [2.6.26]", "expect applies [2.6.26], [2.6.28]"), encoding="utf-8")
    assert main(["check", str(tmp_path / "rules.carag")]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert len(errors) == 2, errors  # the '=' and the test's [2.6.28]; none for the skipped [2.6.26]
    assert "write '=='" in errors[0] and "no such question" in errors[1] and "2.6.26" not in errors[1]
