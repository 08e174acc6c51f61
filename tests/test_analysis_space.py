"""The case space of the CARaG: its date classes, regions, witnesses and descriptions."""

from __future__ import annotations

import pytest

from carag_dsl.analysis import AnalysisUnsupported, CaseSpace
from carag_dsl.compiler.ruleset import load, loads
from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.runtime.logic import UNKNOWN

CARAG = load()
SPACE = CaseSpace(CARAG)


def _days_after_start(dates, other: str) -> list[int]:
    """The day offsets of ``other`` from start_date over the classes where both are given."""
    offsets = set()
    for cell in dates.classes:
        values = dict(cell.values)
        if values.get("start_date", UNKNOWN) is not UNKNOWN and values.get(other, UNKNOWN) is not UNKNOWN:
            offsets.add((values[other] - values["start_date"]).days)
    return sorted(offsets)


def test_the_carag_dates_split_into_the_classes_its_comparisons_create():
    (dates,) = [v for v in SPACE.variables if v.key[0] == "numbers" and "start_date" in v.key[1]]
    assert dates.key == ("numbers", ("start_date", "suspension_date", "termination_date"))
    # before the start, day 0, days 1-55 (shown by day 1), day 56, day 57 and later (shown by 57)
    assert _days_after_start(dates, "suspension_date") == [-1, 0, 1, 56, 57]
    # terminated within seven days (day 7 in, day 8 out) and between eight and 28 days (day 28 in, day 29 out)
    assert {-1, 0, 7, 8, 28, 29} <= set(_days_after_start(dates, "termination_date"))


def test_a_core_only_question_never_applies_to_an_adjusted_case():
    adjusted = SPACE.case_type()["adjusted"]
    assert (SPACE.status("2.3.01")["applies"] & adjusted).is_empty
    assert not (SPACE.status("2.3.01")["not_applicable"] & adjusted).is_empty


def test_a_witness_is_a_case_the_engine_evaluates_as_the_region_says():
    region = SPACE.reported_case_type()["adjusted"] & SPACE.truth(CARAG.symbols.defines["adjusted_by_the_rules"].expr)[True]
    witness = SPACE.witness(region)
    result = evaluate_case(CARAG, witness, backend="reference").to_dict()
    assert result["case_type"] == "adjusted"
    assert set(witness) == {"id", "facts", "answers"}


def test_an_empty_region_has_no_witness_and_reads_as_no_case():
    assert SPACE.witness(SPACE.nothing) is None
    assert SPACE.describe(SPACE.nothing) == "no case"
    assert SPACE.describe(SPACE.everything) == "every case"


def test_a_region_reads_in_plain_english_with_its_date_classes():
    late = SPACE.case_type()["core"] & SPACE.truth(CARAG.symbols.defines["suspended_within_eight_weeks"].expr)[False]
    assert "suspension_date is 57 days or more after start_date" in SPACE.describe(late)


def test_constraints_are_assumptions_so_no_witness_breaks_one():
    rules = loads('''
fact a: date
fact b: date
constraint b requires b >= a message "b before a"
question "Q 1" prompt
    text "Q?"
    applies when b < a
    answer yes_no
''')
    space = CaseSpace(rules)
    assert space.status("Q 1")["applies"].is_empty
    assert not space.status("Q 1")["pending"].is_empty


def test_a_comparison_of_three_dates_is_outside_the_exact_analysis():
    rules = loads('''
fact a: date
fact b: date
fact c: date
question "Q 1" prompt
    text "Q?"
    applies when days from a to b > days from b to c
    answer yes_no
''')
    with pytest.raises(AnalysisUnsupported, match="more than two"):
        CaseSpace(rules)


def test_two_rule_sets_share_one_space():
    old = loads('fact m: bool\nquestion "Q 1" prompt\n    text "Q?"\n    applies when m\n    answer yes_no\n')
    new = loads('fact m: bool\nquestion "Q 1" prompt\n    text "Q?"\n    applies when not m\n    answer yes_no\n')
    space = CaseSpace(old, new)
    changed = space.status("Q 1", old)["applies"] & space.status("Q 1", new)["not_applicable"]
    assert space.witness(changed)["facts"] == {"m": True}


def test_each_alternative_of_a_description_names_each_variable_once():
    description = SPACE.describe(SPACE.case_type()["core"], limit=10)
    for alternative in description.split("; or "):
        assert alternative.count("[2.0.19a]") <= 1 and alternative.count("[2.0.20a]") <= 1, alternative


def test_the_space_of_inspected_cases_holds_no_excluded_case_and_still_every_route():
    inspected = CaseSpace(CARAG, inspected_only=True)
    assert not SPACE.excluded().is_empty and inspected.excluded().is_empty
    assert evaluate_case(CARAG, inspected.witness(inspected.everything), backend="reference").excluded is None
    terminated_day_7 = SPACE.witness(SPACE.excluded())
    assert evaluate_case(CARAG, terminated_day_7, backend="reference").excluded is not None
    assert inspected.status("2.3.01")["applies"] and inspected.case_type()["adjusted"]
