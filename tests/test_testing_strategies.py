"""carag_dsl.testing: the case strategy is valid, honours overrides, aims at boundaries and shrinks small."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carag_dsl
from carag_dsl import load
from carag_dsl.tools.fuzz import search
from carag_dsl.testing import anchor_dates, boundary_days, cases, rule_sets

CARAG = load()
FIXTURE = load(Path(__file__).resolve().parent / "fixtures" / "fuzz" / "impossible_constraint.carag")


@given(cases(CARAG))
def test_every_generated_case_is_accepted_by_the_engine(case):
    CARAG.evaluate(case)  # raises CaseDataError if the strategy made an invalid case
    if "suspension_date" in case["facts"]:
        assert case["facts"].get("suspension") != "none"
        if "start_date" in case["facts"]:
            assert case["facts"]["suspension_date"] >= case["facts"]["start_date"]


@given(cases(CARAG))
def test_contradicting_override_answers_are_never_generated(case):
    answers = case["answers"]
    makes_core = answers.get("2.0.19a") == "yes" or answers.get("2.0.20a") == "no"
    makes_adjusted = answers.get("2.0.20a") == "yes" or answers.get("2.0.19a") == "no"
    assert not (makes_core and makes_adjusted)


@given(cases(CARAG, sentence="licence", answers={"X 6": st.sampled_from(["yes", "no"]), "X 7": None}))
def test_overrides_fix_facts_draw_from_strategies_and_remove_answers(case):
    assert case["facts"]["sentence"] == "licence"
    assert case["answers"]["X 6"] in ("yes", "no")
    assert "X 7" not in case["answers"]


def test_an_unknown_override_name_is_refused():
    with pytest.raises(ValueError, match="no fact 'sentense'"):
        cases(CARAG, sentense="licence")
    with pytest.raises(ValueError, match="no question 'X 99'"):
        cases(CARAG, answers={"X 99": "yes"})


def test_boundaries_come_from_the_rules_durations_and_dates():
    assert {55, 56, 57, 0, -1, 1} <= set(boundary_days(CARAG))
    anchors = set(anchor_dates(CARAG))
    assert datetime.date(2024, 2, 29) in anchors and datetime.date(2025, 1, 31) in anchors


def _day(case):
    start, suspended = case["facts"].get("start_date"), case["facts"].get("suspension_date")
    if start is None or suspended is None:
        return None
    return (datetime.date.fromisoformat(suspended) - datetime.date.fromisoformat(start)).days


@pytest.mark.parametrize("day", [55, 56, 57])
def test_dates_land_exactly_on_the_boundary_days_of_the_rules(day):
    strategy = cases(CARAG, start_date="2024-01-31", suspension="reset")
    # About one draw in forty lands on a given day (the date is optional, near the start date three times in four,
    # and one of the rules' 15 boundary offsets): 1,000 tries miss it with odds far below one in a million.
    found = search(strategy, lambda c: _day(c) == day, 1000, seed=0)
    assert found is not None and found["facts"]["suspension_date"] == str(datetime.date(2024, 1, 31) + datetime.timedelta(days=day))


def test_a_case_shrinks_to_the_one_fact_that_matters():
    found = search(cases(CARAG), lambda c: c["facts"].get("sentence") == "pss", 200, seed=0)
    assert found == {"id": "generated", "facts": {"sentence": "pss"}, "answers": {}}


def test_fixed_values_that_break_a_constraint_are_filtered_not_repaired():
    strategy = cases(FIXTURE, review_date="2025-01-01", start_date="2025-01-01")
    assert search(strategy, lambda c: True, 20, seed=0) is None


@settings(max_examples=20)
@given(rule_sets())
def test_generated_rule_sets_compile_and_evaluate_their_own_cases(pair):
    text, ruleset = pair
    assert text.startswith('ruleset "Generated rules"')
    ruleset.evaluate({"facts": {}, "answers": {}})


def test_cases_stay_within_the_calendar_when_a_rule_mentions_millions_of_days():
    rules = carag_dsl.loads(
        'fact d: date\nfact e: date\nquestion "Q" prompt\n    text "q"\n    answer yes_no\n    applies when d + 3000000 days > e\n'
    )

    @settings(max_examples=100, database=None)
    @given(cases(rules))
    def evaluates(case):
        rules.evaluate(case)

    evaluates()
