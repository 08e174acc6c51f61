"""`carag fuzz`: it finds planted routing bugs with a minimal case, and nothing in the CARaG."""

from __future__ import annotations

from pathlib import Path

from carag_dsl import load, loads
from carag_dsl.cli import main
from carag_dsl.tools import fuzz as fuzz_module
from carag_dsl.tools.fuzz import fuzz, search
from carag_dsl.language.parser import parse
from carag_dsl.tools.rule_tests import run_test
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "fuzz"
EXAMPLES = 60


def test_the_off_by_one_is_found_at_day_56_and_printed_as_a_test_that_fails_today(capsys):
    status = main(["fuzz", str(FIXTURES / "off_by_one.carag"), "--examples", str(EXAMPLES)])
    out, err = capsys.readouterr()
    assert status == 1 and "Traceback" not in out + err
    assert "finding 1: dead for a case type: [A 1]" in out
    assert "the rules make that case core, not adjusted" in out
    # The printed case is a suspension on day 56 exactly: the boundary the '<' gets wrong.
    findings = fuzz(load(FIXTURES / "off_by_one.carag"), examples=EXAMPLES)
    test = parse(findings[0].test_block).items[0]
    facts = dict(test.facts)
    assert set(facts) == {"start_date", "suspension_date"}
    assert (facts["suspension_date"] - facts["start_date"]).days == 56
    # Pasted into the rule set it fails now, and passes once '<' is corrected to '<='.
    assert not run_test(load(FIXTURES / "off_by_one.carag"), test).passed
    fixed = (FIXTURES / "off_by_one.carag").read_text().replace("suspension_date < start_date + 56 days", "suspension_date <= start_date + 56 days")
    assert run_test(loads(fixed), test).passed
    assert fuzz(loads(fixed), examples=EXAMPLES) == []


def test_a_dead_question_is_found():
    findings = fuzz(load(FIXTURES / "dead_question.carag"), examples=EXAMPLES)
    assert [(f.kind, f.message.split(" applied")[0]) for f in findings] == [("dead question", "[B 2]")]
    assert "in the cases where 'suspension_date >= 2020-01-01' holds, 'suspension == none' never does" in findings[0].message
    assert 'test "[B 2] should apply to some case"' in findings[0].test_block


def test_a_constraint_no_case_can_meet_is_found_with_a_rejected_case():
    findings = fuzz(load(FIXTURES / "impossible_constraint.carag"), examples=EXAMPLES)
    kinds = {f.kind: f for f in findings}
    assert "constraint rejects everything" in kinds
    block = kinds["constraint rejects everything"].test_block
    assert "review_date =" in block and 'expect error "the review date must be on another day' in block


def test_a_condition_that_never_excludes_a_case_is_found():
    ruleset = loads('fact f: bool\nquestion "R" prompt text "R?" applies when f or not f answer yes_no')
    findings = fuzz(ruleset, examples=EXAMPLES)
    assert [f.kind for f in findings] == ["redundant condition"]


def test_the_bundled_carag_has_no_findings():
    assert fuzz(load(), examples=30) == []


def test_search_returns_the_shrunk_example_or_none():
    assert search(st.integers(0, 1000), lambda n: n >= 17, 100, seed=1) == 17
    assert search(st.integers(0, 10), lambda n: n > 10, 50, seed=1) is None


def test_the_same_seed_gives_the_same_findings():
    ruleset = load(FIXTURES / "off_by_one.carag")
    assert fuzz(ruleset, examples=30, seed=5) == fuzz(ruleset, examples=30, seed=5)


SMALL = 'fact f: bool\nfact g: bool\nquestion "S" prompt text "S?" applies when f answer yes_no'


def test_an_exception_that_is_not_a_carag_error_is_reported_as_a_crash_with_its_case(monkeypatch):
    ruleset = loads(SMALL)
    real = fuzz_module.evaluate_case

    def broken(rules, case, backend="compiled"):  # an evaluator bug planted for the test: g = true crashes
        if case["facts"].get("g") is True:
            raise ZeroDivisionError("planted")
        return real(rules, case, backend)

    monkeypatch.setattr(fuzz_module, "evaluate_case", broken)
    crashes = [f for f in fuzz(ruleset, examples=EXAMPLES) if f.kind == "crash"]
    assert len(crashes) == 1 and "ZeroDivisionError: planted" in crashes[0].message
    assert "facts g = true\n" in crashes[0].test_block


def test_a_decided_status_that_changes_when_data_are_added_is_reported(monkeypatch):
    ruleset = loads(SMALL)
    real = fuzz_module.evaluate_case

    class Flipped:
        def __init__(self, evaluation):
            self.evaluation = evaluation

        def to_dict(self):
            result = self.evaluation.to_dict()
            result["questions"]["S"]["status"] = "not_applicable"
            return result

    def non_monotone(rules, case, backend="compiled"):  # planted: knowing g turns a decided S around
        evaluation = real(rules, case, backend)
        return Flipped(evaluation) if "g" in case["facts"] and case["facts"].get("f") is True else evaluation

    monkeypatch.setattr(fuzz_module, "evaluate_case", non_monotone)
    findings = [f for f in fuzz(ruleset, examples=EXAMPLES) if f.kind == "monotonicity"]
    assert len(findings) == 1
    assert findings[0].message == "adding data changed [S] from applies to not_applicable"
    assert 'test "the smaller case"\n    facts f = true\n' in findings[0].test_block


def test_a_question_that_needs_many_facts_at_once_is_not_reported_dead():
    # Random cases leave each fact out half the time, so all seven facts rarely come true together;
    # the follow-up search gives every fact the rule reads, and is steered by how many parts hold.
    names = "abcdefg"
    rules = loads(
        "".join(f"fact {n}: bool\n" for n in names)
        + 'question "Q" prompt\n    text "q"\n    answer yes_no\n    applies when ' + " and ".join(names) + "\n"
    )
    for seed in range(4):
        assert [f for f in fuzz(rules, examples=60, seed=seed) if f.kind == "dead question"] == []


def test_fuzz_says_how_many_generated_cases_it_tried(capsys):
    main(["fuzz", str(FIXTURES / "dead_question.carag"), "--examples", str(EXAMPLES)])
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    count, words = last.split(" ", 1)
    assert words == f"generated cases tried (seed 0, up to {EXAMPLES} per search)"
    assert int(count) >= EXAMPLES  # at least one full search ran, every case counted


def test_a_fuzz_test_block_that_records_todays_rules_says_so_and_one_stating_the_intention_does_not():
    from carag_dsl.tools.rule_tests import RECORDS_TODAY_COMMENT

    ruleset = loads('fact f: bool\nquestion "R" prompt\n    text "R?"\n    applies when f\n    answer yes_no\n')
    recorded = fuzz_module.test_block(ruleset, {"facts": {"f": False}, "answers": {}}, "today")
    assert recorded.startswith(RECORDS_TODAY_COMMENT + "\n") and "expect not applicable [R]" in recorded
    intended = fuzz_module.test_block(ruleset, {"facts": {"f": False}, "answers": {}}, "should apply", expect_applies="R")
    assert intended.startswith('test "should apply"') and "expect applies [R]" in intended
    assert not run_test(ruleset, parse(intended).items[0]).passed  # it fails until the rule is fixed
