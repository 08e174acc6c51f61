"""`carag test`: running test blocks, the failure report, and route coverage."""

from __future__ import annotations

from pathlib import Path

from carag_dsl import loads
from carag_dsl.cli import main
from carag_dsl.errors import RuleError
from carag_dsl.language.parser import parse
from carag_dsl.tools.rule_tests import load_tests, read_test_files, run_test, run_tests

REPO = Path(__file__).resolve().parent.parent
COVERAGE = REPO / "tests" / "fixtures" / "coverage"


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def test_the_bundled_carag_tests_pass_with_every_route_covered(capsys):
    status, out, _ = run(capsys, "test", REPO / "questions", "--require-full-coverage")
    assert status == 0
    assert " 0 failed" in out
    assert "route coverage: 58 of 58 questions had every route reached by a test" in out
    assert "every route, case type, derive rule, override and exclude rule is reached" in out


def test_tests_come_from_the_rule_files_and_the_tests_folder():
    _, tests = load_tests(REPO / "questions")
    places = {Path(t.span.path).name for t in tests}
    assert {"case_facts.carag", "eight_week_boundary.carag", "question_routes.carag", "overrides_and_case_data.carag"} <= places


def test_every_sentence_and_scheme_is_tested_on_both_sides_of_day_56():
    _, tests = load_tests(REPO / "questions")
    names = [t.name for t in tests]
    for sentence in ("a licence", "a PSS", "a community sentence"):
        for scheme in ("Probation Reset", "Probation Impact"):
            for day in (56, 57):
                assert any(n.startswith(f"{sentence} case suspended under {scheme} on day {day} ") for n in names)


def test_missing_routes_are_listed_per_question(capsys):
    status, out, _ = run(capsys, "test", COVERAGE / "partial")
    assert status == 0  # the tests pass; coverage alone does not fail the run
    assert "3 passed, 0 failed" in out
    assert "[C 2] never not applicable, never pending" in out
    assert "no test case is adjusted" in out
    assert "[C 1]" not in out.split("route coverage")[1]  # all three routes of C 1 are walked
    assert "[C 3]" not in out  # applies always: its one route is walked


def test_an_excluded_case_reaches_no_route_and_an_unreached_derive_rule_is_not_covered(capsys):
    status, out, _ = run(capsys, "test", COVERAGE / "excluded_and_derived", "--require-full-coverage")
    assert "4 passed, 0 failed" in out
    gaps = out.split("route coverage")[1]
    assert "[E 2] never not applicable" in gaps  # only the excluded case has E 2 not applicable
    assert "no test reached the derive rule: [J 1] derive yes when [E 1] == yes and court_report (" in gaps
    assert len(gaps.splitlines()) == 3  # the first derive rule and the exclusion are reached: no more lines
    assert status == 1


def test_every_override_and_exclude_rule_is_a_route_of_its_own():
    ruleset = loads('''
fact sentence: one of community, licence
fact terminated: bool
exclude when terminated because "it terminated"
exclude when sentence == community and not terminated because "community cases are out of scope"
case type
    adjusted when sentence == licence
    core otherwise
    override core from adjusted when [Q 1] == yes
    override adjusted when [Q 1] == no
question "Q 1" information
    text "Does the case meet the core criteria?"
    answer yes_no
''')
    test = parse('test "a licence case made core"\n    facts sentence = licence, terminated = false\n    answers [Q 1] = yes\n    expect case type core\n').items[0]
    coverage = run_tests(ruleset, [test]).coverage
    assert [r.words for r in coverage.missing_rules()] == [
        "override adjusted when [Q 1] == no",
        "exclude when terminated",
        "exclude when sentence == community and not terminated",
    ]
    excluded = parse('test "terminated"\n    facts sentence = licence, terminated = true\n    expect excluded "terminated"\n').items[0]
    coverage = run_tests(ruleset, [test, excluded]).coverage
    assert [r.words for r in coverage.missing_rules()] == ["override adjusted when [Q 1] == no", "exclude when sentence == community and not terminated"]


def test_require_full_coverage_turns_missing_routes_into_exit_1(capsys):
    assert run(capsys, "test", COVERAGE / "partial", "--require-full-coverage")[0] == 1


def test_a_failing_test_is_reported_with_its_place_and_expected_and_actual_in_words(capsys):
    status, out, _ = run(capsys, "test", COVERAGE / "failing", "--quiet")
    assert status == 1
    assert "FAIL tests/fixtures/coverage/failing/rules.carag:16  a licence case is core (wrong on purpose)" in out or "rules.carag:16  a licence case is core" in out
    assert "expected case type 'core', but it is 'adjusted'" in out
    assert "expected [D 1] to apply, but it is not applicable" in out
    assert "expected [D 1] = yes, but the question is not applicable and has no value" in out
    assert "1 passed, 1 failed" in out
    assert "PASS" not in out  # --quiet lists failures only


def test_coverage_only_shows_no_test_lines(capsys):
    status, out, _ = run(capsys, "test", COVERAGE / "partial", "--coverage-only")
    assert status == 0 and "PASS" not in out and "passed" not in out and "route coverage" in out


RULES = """
fact start_date: date
fact suspension_date: date
constraint suspension_date requires suspension_date >= start_date
    message "the suspension date is before the start date"
question "Q 1" prompt
    text "Q 1?"
    applies when suspension_date <= start_date + 56 days
    answer yes_no
"""


def _outcome(test_text: str):
    ruleset = loads(RULES)
    test = parse(test_text).items[0]
    return run_test(ruleset, test)


def test_an_expected_error_passes_when_the_message_contains_the_text():
    outcome = _outcome('test "x" facts start_date = 2025-02-01, suspension_date = 2025-01-01 expect error "before the start"')
    assert outcome.passed


def test_an_expected_error_that_does_not_happen_fails():
    outcome = _outcome('test "x" facts start_date = 2025-01-01, suspension_date = 2025-01-01 expect error "before"')
    assert outcome.failures == ('expected a case-data error containing "before", but the case was accepted',)


def test_an_unexpected_case_data_error_fails_with_the_error():
    outcome = _outcome('test "x" facts start_date = 2025-02-01, suspension_date = 2025-01-01 expect applies [Q 1]')
    assert len(outcome.failures) == 1 and "the rules rejected the case data" in outcome.failures[0]
    assert "before the start date" in outcome.failures[0]


def test_an_unknown_question_in_an_expectation_is_a_failure_that_names_it():
    outcome = _outcome('test "x" expect applies [Q 9]')
    assert outcome.failures == ("the test names question [Q 9], but the rule set has no such question",)


def test_set_values_compare_as_sets():
    ruleset = loads('question "Q 1" prompt text "Q 1?" answer any of a, b, c')
    test = parse('test "x" answers [Q 1] = {c, a} expect [Q 1] = {a, c}').items[0]
    assert run_test(ruleset, test).passed


def test_pending_is_a_route_only_for_questions_whose_rule_reads_something():
    ruleset = loads(
        'fact f: bool\nquestion "A" prompt text "A?" applies when f answer yes_no\n'
        'question "B" prompt text "B?" answer yes_no\nquestion "C" prompt text "C?" applies when 1 < 2 answer yes_no'
    )
    report = run_tests(ruleset, [])
    assert report.coverage.possible == {"A": ("applies", "not_applicable", "pending"), "B": ("applies",), "C": ("applies",)}


def test_a_test_file_with_something_other_than_tests_is_an_error(tmp_path):
    bad = tmp_path / "bad.carag"
    bad.write_text('test "ok"\n    expect pending [Q 1]\n\nfact f: bool\n', encoding="utf-8")
    try:
        read_test_files([bad])
    except RuleError as error:
        assert "bad.carag:4:1" in error.render()
        assert "holds only test blocks" in error.render()
    else:
        raise AssertionError("a fact in a test file was accepted")


def test_a_rule_set_without_tests_says_so(capsys):
    status, out, _ = run(capsys, "test", REPO / "tests" / "fixtures" / "fuzz" / "off_by_one.carag")
    assert status == 0
    assert "no test blocks found" in out and "0 passed, 0 failed" in out
