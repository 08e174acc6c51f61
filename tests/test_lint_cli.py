"""`carag lint`: the CARaG is clean, outputs (text, JSON, SARIF), exit codes, suppressions, docs pages."""

from __future__ import annotations

import json
from pathlib import Path

from carag_dsl.cli import main
from carag_dsl.compiler.ruleset import load, loads
from carag_dsl.errors import Diagnostic
from carag_dsl.tools.lint import RULES, lint
from carag_dsl.tools.lint import docs as lint_docs

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "fixtures" / "lint"


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def test_the_carag_has_no_unsuppressed_finding_and_every_suppression_gives_a_reason(capsys):
    status, out, _ = run(capsys, "lint", REPO / "questions", "--strict")
    assert status == 0, out
    assert out.strip().startswith("no findings")
    report = lint(load(REPO / "questions"))
    assert report.findings == ()
    assert all(suppression.reason for _, suppression in report.suppressed)


def test_errors_exit_1_and_the_text_shows_the_place_and_the_witness_as_a_test(capsys):
    status, out, _ = run(capsys, "lint", CORPUS / "label_all_mappa_over_not_mappa")
    assert status == 1
    assert "rules.carag:40:18: error[label-contradicts-rule]: question P 2 is labelled \"All MAPPA cases\"" in out
    assert ('        # what the rules should do here: this test fails until they are fixed\n'
            '        test "lint label-contradicts-rule of P 2"\n            facts mappa = false\n            expect not applicable [P 2]') in out


def _witness_tests(name: str):
    """(rules, [(finding, its witness test block parsed)]) for a planted mistake."""
    from carag_dsl.language.parser import parse
    from carag_dsl.tools.lint.render import witness_test

    rules = load(CORPUS / name)
    blocks = [(f, witness_test(rules, f)) for f in lint(rules).findings]
    return rules, [(f, block, parse(block).items[0]) for f, block in blocks if block]


def test_a_witness_test_states_the_intended_behaviour_where_known_so_it_fails_until_the_rules_are_fixed():
    from carag_dsl.tools.rule_tests import run_test

    for name, rule in (("label_all_mappa_over_not_mappa", "label-contradicts-rule"), ("never_applies_to_adjusted_through_a_define", "never-applies")):
        rules, tests = _witness_tests(name)
        finding, block, test = next(t for t in tests if t[0].rule == rule)
        assert finding.intended is not None and block.startswith("# what the rules should do here")
        assert not run_test(rules, test).passed, block  # pasting it pins the fix, not the bug


def test_a_witness_test_that_cannot_know_the_intention_records_today_and_says_so():
    from carag_dsl.tools.rule_tests import RECORDS_TODAY_COMMENT, run_test

    rules, tests = _witness_tests("derive_rules_conflict")
    finding, block, test = next(t for t in tests if t[0].rule == "derive-conflict")
    assert finding.intended is None and block.startswith(RECORDS_TODAY_COMMENT + "\n")
    assert run_test(rules, test).passed


def test_only_warnings_exit_0_unless_strict(capsys):
    folder = CORPUS / "fact_nobody_reads"
    assert run(capsys, "lint", folder)[0] == 0
    assert run(capsys, "lint", folder, "--strict")[0] == 1


def test_json_output_lists_findings_with_the_contract_keys_and_a_witness_in_the_eval_shape(capsys):
    status, out, _ = run(capsys, "lint", CORPUS / "blocked_by_the_date_constraint", "--format", "json")
    findings = json.loads(out)
    assert status == 1
    (finding,) = [f for f in findings if f["rule"] == "blocked-by-constraint"]
    assert {"rule", "severity", "file", "line", "column", "message", "question", "witness"} <= set(finding)
    assert finding["severity"] == "error" and finding["question"] == "P 2" and finding["line"] == 39
    assert finding["witness"] == {"id": "witness", "facts": {"start_date": "2025-01-06", "suspension_date": "2025-01-05"}, "answers": {}}


def test_a_structural_finding_has_a_null_witness_in_json(capsys):
    _, out, _ = run(capsys, "lint", CORPUS / "fact_nobody_reads", "--format", "json")
    (finding,) = json.loads(out)
    assert finding["rule"] == "unused-fact" and finding["witness"] is None and finding["question"] is None


def test_sarif_output_names_every_rule_and_locates_every_result(capsys):
    _, out, _ = run(capsys, "lint", CORPUS / "derive_rules_conflict", "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    (run_,) = sarif["runs"]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == list(RULES)
    (result,) = [r for r in run_["results"] if r["ruleId"] == "derive-conflict"]
    assert result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 44 and region["startColumn"] == 5
    assert result["properties"]["witness"]["facts"] == {"mappa": True, "court_report": True}


RULES_WITH_UNUSED = '''
fact mappa: bool
# carag: ignore[unused-fact] kept for the MAPPA questions of the next edition
fact court_report: bool
fact accredited_programme: bool
question "Q 1" prompt
    text "Is the MAPPA level recorded?"
    applies when mappa
    answer yes_no
'''


def test_a_suppression_with_a_reason_hides_the_finding_on_its_declaration_only():
    report = lint(loads(RULES_WITH_UNUSED))
    assert [(f.rule, f.message) for f in report.findings] == [("unused-fact", "no rule reads the fact 'accredited_programme'")]
    ((finding, suppression),) = report.suppressed
    assert "court_report" in finding.message and suppression.reason.startswith("kept for")


def test_a_suppression_naming_an_unknown_rule_is_reported():
    report = lint(loads(RULES_WITH_UNUSED.replace("ignore[unused-fact]", "ignore[unused-facts]")))
    assert "the suppression names unused-facts, which is not a lint rule" in [f.message for f in report.findings]


def test_a_finding_converts_to_a_diagnostic_with_the_rule_id_as_its_code():
    finding = lint(loads(RULES_WITH_UNUSED)).findings[0]
    diagnostic = finding.to_diagnostic()
    assert isinstance(diagnostic, Diagnostic)
    assert (diagnostic.code, diagnostic.severity, diagnostic.span) == ("unused-fact", "warning", finding.span)


def test_the_docs_have_a_page_per_rule_written_from_its_metadata():
    for name, text in lint_docs.pages().items():
        page = REPO / "docs" / "lint" / name
        assert page.read_text(encoding="utf-8") == text, f"docs/lint/{name} is stale: python -m carag_dsl.tools.lint.docs docs"
    assert {p.stem for p in (REPO / "docs" / "lint").glob("*.md")} == set(RULES) | {"index"}


def test_the_issue_slip_x10_reading_x7_is_caught_on_the_carag_with_a_witness_that_gives_the_warning(tmp_path):
    import shutil

    from carag_dsl.runtime.evaluate import evaluate_case

    folder = tmp_path / "questions"
    shutil.copytree(REPO / "questions", folder)
    section = folder / "05_implementation_and_delivery_information.carag"
    text = section.read_text(encoding="utf-8")
    assert text.count("applies when [X 8] != not_a_factor") == 1
    section.write_text(text.replace("applies when [X 8] != not_a_factor", "applies when [X 7] != not_a_factor"), encoding="utf-8")
    rules = load(folder)
    (finding,) = lint(rules).findings
    assert (finding.rule, finding.question) == ("answers-contradict", "X 10")
    result = evaluate_case(rules, finding.witness, backend="reference").to_dict()
    assert result["questions"]["X 10"]["status"] == "applies"
    assert finding.expect.warning in result["warnings"]


# A derive conflict that only cases not inspected reach: such a case has no routing and no judgement to
# derive, so the conflict is no finding. Without the exclusion it is one.
CONFLICT_ONLY_WHERE_EXCLUDED = '''
fact mappa: bool
fact risk: one of low "Low", high "High"
exclude when mappa and risk == high because "inspected by the MAPPA thematic instead"
question "J 1" judgement
    text "Does assessment focus on keeping people safe?"
    applies always
    answer yes_no
    derive yes when mappa
    derive no when risk == high
'''


def test_lint_reports_no_finding_that_only_cases_not_inspected_reach():
    with_exclusion = [f.rule for f in lint(loads(CONFLICT_ONLY_WHERE_EXCLUDED)).findings]
    without = lint(loads(CONFLICT_ONLY_WHERE_EXCLUDED.replace("exclude when", "# exclude when"))).findings
    (conflict,) = [f for f in without if f.rule == "derive-conflict"]
    assert conflict.witness["facts"] == {"mappa": True, "risk": "high"}
    assert sorted(with_exclusion + ["derive-conflict"]) == sorted(f.rule for f in without)
