"""Condition coverage (MC/DC) in `carag test`, and `carag lint --suggest-tests`."""

from __future__ import annotations

import shutil
from pathlib import Path

from carag_dsl.cli import main
from carag_dsl.compiler.ruleset import load, loads
from carag_dsl.language.parser import parse
from carag_dsl.tools.condition_coverage import atomic_conditions, condition_coverage
from carag_dsl.tools.lint.suggest import suggest_tests
from carag_dsl.tools.rule_tests import load_tests, run_test, run_tests

REPO = Path(__file__).resolve().parent.parent

AND_RULE = loads('''
fact mappa: bool
fact court_report: bool
question "Q 1" prompt
    text "Was the MAPPA level reviewed with the court report?"
    applies when mappa and court_report
    answer yes_no
''')


def _case(**facts):
    return {"id": "t", "facts": facts, "answers": {}}


def test_two_cases_that_reach_both_routes_need_not_show_every_condition():
    coverage = condition_coverage(AND_RULE, [_case(mappa=True, court_report=True), _case(mappa=False, court_report=False)])
    assert coverage.covered == 0 and coverage.total == 2
    assert [c.name for c in coverage.missing()["Q 1"]] == ["mappa", "court_report"]


def test_a_pair_differing_in_one_condition_and_in_the_route_shows_that_condition():
    cases = [_case(mappa=True, court_report=True), _case(mappa=False, court_report=True)]
    coverage = condition_coverage(AND_RULE, cases)
    assert [c.name for c in coverage.missing()["Q 1"]] == ["court_report"]
    cases.append(_case(mappa=True, court_report=False))
    assert condition_coverage(AND_RULE, cases).missing() == {}


def test_a_defined_name_is_one_condition():
    rules = load(REPO / "questions")
    conditions = atomic_conditions(rules, rules.symbols.questions["2.3.01"].applies)
    assert len(conditions) == 1


def test_carag_test_reports_the_conditions_no_pair_of_tests_shows(capsys):
    assert main(["test", str(REPO / "tests" / "fixtures" / "coverage" / "partial"), "--coverage-only"]) == 0
    out = capsys.readouterr().out
    assert "condition coverage: 1 of 2 conditions shown deciding their question's route on their own" in out
    assert "    [C 2] not shown: case_type == core" in out


def test_the_suggested_suite_for_the_carag_passes_and_reaches_every_route_and_every_condition_that_can_be_shown_alone(tmp_path):
    folder = tmp_path / "questions"
    shutil.copytree(REPO / "questions", folder, ignore=shutil.ignore_patterns("tests"))
    (folder / "tests").mkdir()
    rules = load(folder)
    (folder / "tests" / "suggested.carag").write_text(suggest_tests(rules), encoding="utf-8")
    ruleset, tests = load_tests(folder)
    report = run_tests(ruleset, tests)
    assert report.failed == ()
    assert report.coverage.complete
    # Every condition is shown deciding alone: P 2.4.3's rule no longer ties two tests of the case type
    # ('case_type == core or contact_reinstigated', issue 22)
    assert report.conditions.missing() == {}


def test_suggest_tests_shows_each_condition_of_an_and_deciding_alone():
    tests = [item for item in parse(suggest_tests(AND_RULE)).items]
    report = run_tests(AND_RULE, tests)
    assert report.failed == () and report.coverage.complete
    assert report.conditions.missing() == {} and report.conditions.covered == 2


def test_suggested_route_tests_state_the_labels_reading_so_a_contradicted_label_fails_until_fixed():
    rules = load(REPO / "tests" / "fixtures" / "lint" / "label_all_mappa_over_not_mappa")
    text = suggest_tests(rules)
    tests = {t.name: t for t in parse(text).items}
    labelled = [name for name in tests if "[P 2]" in name]
    assert labelled and all("as its label reads" in name for name in labelled)
    decided = [name for name in labelled if "pending" not in name]  # P 2's rule 'not mappa' is pending where the label is
    assert len(decided) == 2 and not any(run_test(rules, tests[name]).passed for name in decided)
    assert text.count("# as the questions' labels read: what the rules should do\n") == len(labelled)
    assert "# records what the rules do today" in text  # the case-type tests cannot know the intention


def test_the_suggested_suite_reaches_every_override_and_exclude_rule():
    rules = loads('''
fact sentence: one of community, licence
fact terminated: bool
exclude when terminated because "it terminated"
case type
    adjusted when sentence == licence
    core otherwise
    override core from adjusted when [Q 1] == yes
    override adjusted when [Q 1] == no
question "Q 1" information
    text "Does the case meet the core criteria?"
    answer yes_no
''')
    tests = list(parse(suggest_tests(rules)).items)
    report = run_tests(rules, tests)
    assert report.failed == ()
    assert report.coverage.missing_rules() == () and report.coverage.complete
