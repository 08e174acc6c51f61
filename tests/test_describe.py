"""Regions read for people (analysis/describe.py, analysis/cover.py): kinds of case, exact, fully known first."""

from __future__ import annotations

import pytest

pytest.importorskip("dd")  # the analysis extra

from carag_dsl.analysis import CaseSpace  # noqa: E402
from carag_dsl.analysis.cover import cube_node, minimal_cover  # noqa: E402
from carag_dsl.analysis.describe import _variables_in  # noqa: E402
from carag_dsl.compiler.ruleset import load, loads  # noqa: E402
from pathlib import Path  # noqa: E402

SAMPLE = load(Path(__file__).parent / "fixtures" / "sample")

RULES = loads('''
fact sentence: one of community, licence, pss
fact mappa: bool
fact court_report: bool
fact suspension: one of none, reset
fact start_date: date
fact suspension_date: date
constraint suspension_date requires suspension != none
    message "a suspension date needs a suspension"
question "Q 1" prompt
    text "Q 1?"
    applies when (sentence in {licence, pss} and mappa) or (sentence in {licence, pss} and court_report)
    answer yes_no
question "Q 2" prompt
    text "Q 2?"
    applies when suspension == reset and suspension_date <= start_date + 56 days
    answer yes_no
''')
SPACE = CaseSpace(RULES)


@pytest.mark.parametrize("question", list(SAMPLE.questions))
def test_the_cover_of_every_status_region_of_the_sample_is_exactly_the_region(question):
    space = CaseSpace(SAMPLE)
    for region in space.status(question).values():
        if region.is_empty:
            continue
        variables = _variables_in(space, region.node, region.within)
        cubes, complete = minimal_cover(space, region.node, region.within, variables)
        union = space.bdd.false
        for cube in cubes:
            union |= cube_node(space, cube)
        assert complete and (union & region.within) == region.node


def test_an_or_of_two_conditions_reads_as_two_kinds_of_case_with_nothing_that_does_not_matter():
    found = SPACE.description(SPACE.status("Q 1")["applies"])
    assert sorted(found.kinds) == ["court_report is true and sentence is licence or pss", "mappa is true and sentence is licence or pss"] \
        or sorted(found.kinds) == ["sentence is licence or pss and court_report is true", "sentence is licence or pss and mappa is true"]
    assert found.missing_only == ()


def test_a_region_only_of_cases_with_a_missing_fact_is_described_as_it_is():
    pending = SPACE.description(SPACE.status("Q 1")["pending"])
    assert not pending.known_only and pending.missing_only == ()
    assert any("sentence is not given" in kind for kind in pending.kinds)


def test_cases_that_arise_only_because_a_fact_is_missing_are_one_short_line():
    status = SPACE.status("Q 1")
    pending = SPACE.description(status["applies"] | status["pending"])
    assert pending.known_only and "sentence" in pending.missing_only
    assert all("not given" not in kind for kind in pending.kinds)  # the kinds are of fully known cases
    assert all(name in ("sentence", "mappa", "court_report") for name in pending.missing_only)


def test_a_fact_a_constraint_makes_depend_on_another_is_rightly_absent_in_a_known_case():
    found = SPACE.description(SPACE.status("Q 2")["not_applicable"])
    assert "suspension is none" in " ".join(found.kinds)  # no suspension date is needed for that
    assert "suspension_date" not in found.missing_only and "suspension" in found.missing_only or found.missing_only == ()


def test_the_witness_of_a_description_is_a_fully_known_case_of_the_region():
    region = SPACE.status("Q 1")["applies"]
    found = SPACE.description(region)
    witness = SPACE.witness(found.known, prefer_given=SPACE.record_facts(), ordinary=True)
    assert witness["facts"]["sentence"] in ("licence", "pss")
    assert not (SPACE.region_of(witness) & region).is_empty
    assert all(isinstance(v, bool) is False or v is False for k, v in witness["facts"].items() if k not in ("mappa", "court_report"))


def test_a_change_shows_a_handful_of_kinds_then_how_many_more_in_at_most_six_lines():
    from carag_dsl.tools.diff.render import description_lines

    change = {"cause": "because X now reads `y`", "kinds": [f"kind {n}" for n in range(7)], "also_missing": ["sentence"]}
    assert description_lines(change) == [
        "because X now reads `y`", "- kind 0", "- kind 1", "- kind 2", "- and 4 more kinds of case", "also while sentence is not given",
    ]
    long = {"cause": None, "kinds": [" and ".join(f"fact_{n} is true" for n in range(12))], "also_missing": []}
    lines = description_lines(long)
    assert len(lines) == 2 and all(len(line) <= 150 for line in lines) and lines[1].startswith("  and ")
