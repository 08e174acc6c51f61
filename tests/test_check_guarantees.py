"""What ``check`` accepts evaluates without any exception but CaragError, for any case data (issue 11, point 6)."""

from __future__ import annotations

import json

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from carag_dsl import loads
from carag_dsl.cli import main
from carag_dsl.testing import rule_sets, unchecked_cases
from fuzz_inputs import SEED_RULES, Report, check_and_evaluate, fuzz_rule_sets, mutate_rules


def assert_clean(report: Report) -> None:
    assert report.ok, report.samples


@settings(max_examples=60)
@given(data=st.data(), rng=st.randoms(use_true_random=False))
def test_mutated_rule_sets_are_refused_with_caragerror_or_evaluate_any_case_without_other_exceptions(data, rng):
    text, rules = data.draw(rule_sets())
    cases = [data.draw(unchecked_cases(rules)) for _ in range(2)]
    report = Report()
    check_and_evaluate(mutate_rules(text, rng), None, rng, report)  # the mutant, with wild cases
    check_and_evaluate(text, cases, rng, report)  # the rule set as generated, with its own cases
    assert_clean(report)


@settings(max_examples=40)
@given(seed=st.sampled_from(SEED_RULES), rng=st.randoms(use_true_random=False))
def test_mutations_of_the_seed_rule_sets_hold_the_check_guarantee(seed, rng):
    report = Report()
    check_and_evaluate(mutate_rules(seed, rng), None, rng, report)
    assert_clean(report)


def test_a_short_fuzz_of_rule_sets_finds_no_crash_hang_or_disagreement():
    report = fuzz_rule_sets(60, seed=11)
    assert report.tried == 60 and report.refused < 60  # some mutants are accepted, so evaluation is exercised
    assert_clean(report)


def test_explain_on_a_rule_set_without_a_case_type_says_so(tmp_path, capsys):
    rules = tmp_path / "r.carag"
    rules.write_text('fact a: bool\nquestion "Q" prompt\n    text "t"\n    applies when a\n    answer yes_no\n', encoding="utf-8")
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": {"a": True}}), encoding="utf-8")
    assert main(["explain", str(rules), "--case", str(case), "Q"]) == 0  # AttributeError/AssertionError before
    out = capsys.readouterr().out
    assert "It applies" in out and "The rule set has no case type." in out
    assert loads(rules.read_text(encoding="utf-8")).evaluate({"facts": {}}).case_type is None


def test_a_short_fuzz_of_expensive_rule_sets_finds_no_crash_hang_or_disagreement():
    """Issue 24: rule sets made to be expensive through check, both back ends, lint, diff and the exports."""
    from fuzz_inputs import fuzz_expensive

    report = fuzz_expensive(4, seed=3)
    assert report.tried >= 4 and report.ok, report.samples


def test_a_short_fuzz_of_the_language_server_with_random_json_rpc_finds_no_crash_or_hang():
    pytest.importorskip("pygls")
    from fuzz_inputs import fuzz_lsp

    report = fuzz_lsp(80, seed=4)
    assert report.tried == 80 and report.ok, report.samples
