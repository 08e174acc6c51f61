"""`carag check` runs lint's error rules after the compiler passes: "ok" means no known defect.

Every planted mistake of the lint corpus (tests/fixtures/lint/) whose expected findings include an error
must fail `carag check`, with that rule's finding; one with warnings only passes, the warnings counted
and not printed. `--no-lint` runs the compiler passes alone, and without the analysis extra check says
plainly that it checked only that.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from carag_dsl.cli import main
from carag_dsl.compiler.ruleset import load
from carag_dsl.tools.lint import RULES, lint

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "fixtures" / "lint"
PLANTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def expected_findings(name: str) -> list[dict]:
    return json.loads((CORPUS / name / "expected.json").read_text(encoding="utf-8"))["findings"]


def check(capsys, *argv) -> tuple[int, str]:
    status = main(["check", *map(str, argv)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return status, err


@pytest.mark.parametrize("name", PLANTS)
def test_check_fails_on_each_proven_defect_and_passes_warnings_with_a_count(name, capsys):
    findings = expected_findings(name)
    errors = [f for f in findings if RULES[f["rule"]].severity == "error"]
    status, err = check(capsys, CORPUS / name)
    last = err.splitlines()[-1]
    for finding in errors:
        assert f"error[{finding['rule']}]: " in err, err
    assert "warning[" not in err  # warnings stay with carag lint
    report = lint(load(CORPUS / name, tests=True))  # every finding, the planted one and any others
    warnings = len(report.findings) - len(report.errors)
    if warnings:
        assert f"{warnings} lint warning{'s' if warnings != 1 else ''}: see " in err and f"'carag lint {CORPUS / name}'" in err
    if errors:
        count = len(report.errors)
        assert status == 1 and last == f"{count} error{'s' if count != 1 else ''} found", err
        assert f"{count} proven defect" in err
    else:
        assert status == 0 and "no known defect" in last, err


def test_no_lint_runs_the_compiler_passes_alone(capsys):
    status, err = check(capsys, "--no-lint", CORPUS / "derive_rules_conflict")
    assert status == 0
    assert err.splitlines()[-1].endswith(": ok (3 questions; compiler checks only: 'carag lint "
                                         f"{CORPUS / 'derive_rules_conflict'}' proves the routing)")


def test_without_the_analysis_extra_check_says_it_checked_the_compiler_passes_only(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "carag_dsl.tools.lint", None)  # as if dd could not be imported
    status, err = check(capsys, CORPUS / "derive_rules_conflict")
    assert status == 0
    assert "compiler checks only: proving the routing free of known defects needs the analysis extra, pip install 'carag-dsl[analysis]'" in err


def test_the_carag_checks_ok_with_no_known_defect(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    status, err = check(capsys, "questions")
    assert status == 0 and err.splitlines()[-1] == "questions: ok (58 questions, no known defect)"
