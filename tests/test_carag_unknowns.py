"""What the CARaG leaves open stays open (issue 22): termination, the eight-week rule and the overrides of
2.0.19a and 2.0.20a with facts and answers unknown, on every back end, each point citing the CARaG."""

from __future__ import annotations

import datetime
import itertools

import pytest

import carag_dsl
from carag_dsl import CaseDataError
from carag_dsl.runtime.columnar import evaluate_cases, result_dicts

from test_carag_fidelity import cites

RULES = carag_dsl.load()
START = "2025-01-01"
TERMINATED_EARLY = cites("We do not inspect cases that were terminated within seven days of the order or licence commencing.")
CONTINUITY = cites("For cases that were terminated between eight and 28 days after sentence/release, we inspect those "
                   "where there was continuity of supervision")
RESET_OR_IMPACT = cites("in any licence or PSS cases where contact has been suspended under Probation Reset or Probation "
                        "Impact, at a point up to and including eight weeks from the date of the release")
IMPACT_COMMUNITY = cites("in any community sentence case where Probation Impact has been applied up to and including "
                         "eight weeks from the date of commencement.")
MAY_APPLY_CORE = cites("If contact of a more substantive nature has continued, beyond the point that the case record "
                       "indicates contact has been suspended, we may apply core inspection questions.")
WITHIN_SEVEN = "terminated within seven days of the order or licence commencing"
EIGHT_TO_28 = "terminated between eight and 28 days after sentence or release, without continuity of supervision"


def on_day(day: int) -> str:
    return (datetime.date.fromisoformat(START) + datetime.timedelta(days=day)).isoformat()


def every_back_end(facts: dict, answers: dict | None = None) -> dict:
    """The result of the case, after checking the reference, compiled and columnar back ends give the same."""
    case = {"id": "t", "facts": facts, "answers": answers or {}}
    reference = RULES.evaluate(case, backend="reference").to_dict()
    assert RULES.evaluate(case, backend="compiled").to_dict() == reference
    (columnar,) = result_dicts(evaluate_cases(RULES, [case]))
    assert columnar == reference
    return reference


# ---------------------------------------------------------------- termination


def terminated_on(day: int, continuity: bool | None) -> dict:
    facts = {"terminated": True, "sentence": "licence", "start_date": START, "suspension": "none", "termination_date": on_day(day)}
    if continuity is not None:
        facts["continuity_of_supervision"] = continuity
    return facts


# (day, continuity) -> "excluded": the reason, None when inspected, {"unknown": [...]} when not known.
TERMINATION_BOUNDARIES = {
    (7, True): WITHIN_SEVEN, (7, False): WITHIN_SEVEN, (7, None): WITHIN_SEVEN,
    **{(day, True): None for day in (8, 15, 28)},
    **{(day, False): EIGHT_TO_28 for day in (8, 15, 28)},
    **{(day, None): {"unknown": ["continuity_of_supervision"]} for day in (8, 15, 28)},
    (29, True): None, (29, False): None, (29, None): None,
}


@pytest.mark.parametrize(("day", "continuity"), TERMINATION_BOUNDARIES, ids=lambda v: str(v))
def test_termination_on_the_boundary_days_is_excluded_inspected_or_not_known_as_the_carag_says(day, continuity):
    assert TERMINATED_EARLY and CONTINUITY
    result = every_back_end(terminated_on(day, continuity))
    expected = TERMINATION_BOUNDARIES[day, continuity]
    assert result["excluded"] == expected
    statuses = {q["status"] for q in result["questions"].values()}
    if expected is None:
        assert result["case_type"] == "core" and "applies" in statuses
    else:  # no routing: not applicable when excluded, pending while it is not known
        assert result["case_type"] is None
        assert statuses == {"not_applicable" if isinstance(expected, str) else "pending"}


def test_a_case_terminated_on_day_15_without_continuity_recorded_is_not_rated_and_explain_names_continuity():
    case = {"id": "day-15", "facts": terminated_on(15, None), "answers": {"2.3.24": "yes"}}
    result = RULES.evaluate(case)
    assert result.status("2.3.24") == "pending"
    assert "continuity_of_supervision" in result.explain("2.3.24")
    rating = RULES.rate([case])
    assert rating.cases == 0 and rating.counts()["not_known_whether_inspected"] == 1


def test_a_case_known_not_to_have_terminated_is_inspected_and_one_that_says_nothing_is_not_known():
    assert every_back_end({"terminated": False})["excluded"] is None
    assert every_back_end({})["excluded"] == {"unknown": ["terminated", "termination_date", "start_date", "continuity_of_supervision"]}
    with pytest.raises(CaseDataError, match="terminated is false"):
        RULES.evaluate({"facts": {"terminated": False, "start_date": START, "termination_date": on_day(3)}})


# ---------------------------------------------------------------- the eight-week rule with the sentence unknown


def suspended(scheme: str, day: int, sentence: str | None = None) -> dict:
    facts = {"terminated": False, "start_date": START, "suspension": scheme, "suspension_date": on_day(day)}
    if sentence is not None:
        facts["sentence"] = sentence
    return facts


# (scheme, day) -> the case type with the sentence unknown and 2.0.20a answered yes (the inspector asks for adjusted).
SENTENCE_UNKNOWN = {
    ("impact", 56): "adjusted",  # every sentence under Impact within eight weeks is adjusted
    ("impact", 57): "core",
    ("reset", 56): None,  # a community sentence under Reset stays core: it depends on the sentence
    ("reset", 57): "core",
}


@pytest.mark.parametrize(("scheme", "day"), SENTENCE_UNKNOWN, ids=lambda v: str(v))
def test_reset_and_impact_within_and_past_eight_weeks_with_the_sentence_unknown(scheme, day):
    assert RESET_OR_IMPACT and IMPACT_COMMUNITY
    result = every_back_end(suspended(scheme, day), {"2.0.20a": "yes"})
    assert result["case_type"] == SENTENCE_UNKNOWN[scheme, day]
    refused = any(w.startswith("case type: the answers (2.0.20a = yes)") for w in result["warnings"])
    assert refused == (result["case_type"] == "core")  # the rules make it core: the answer is refused, with a warning
    for sentence in ("community", "licence", "pss"):  # a decided type is what every sentence gives
        settled = every_back_end(suspended(scheme, day, sentence), {"2.0.20a": "yes"})["case_type"]
        assert result["case_type"] in (None, settled)


def test_a_community_sentence_under_reset_on_day_28_with_the_sentence_unknown_is_pending_not_adjusted():
    result = every_back_end(suspended("reset", 28), {"2.0.20a": "yes"})
    assert result["case_type"] is None and result["questions"]["2.3.01"]["status"] == "pending"
    community = every_back_end(suspended("reset", 28, "community"), {"2.0.20a": "yes"})
    assert community["case_type"] == "core" and community["questions"]["2.3.01"]["status"] == "applies"


def test_an_adjusted_case_stays_pending_until_the_inspector_says_whether_core_questions_apply():
    assert MAY_APPLY_CORE
    assert every_back_end(suspended("impact", 10, "licence"))["case_type"] is None
    assert every_back_end(suspended("impact", 10, "licence"), {"2.0.19a": "no"})["case_type"] == "adjusted"
    assert every_back_end(suspended("impact", 10, "licence"), {"2.0.19a": "yes"})["case_type"] == "core"


# ---------------------------------------------------------------- every override combination, each fact unknown


BASE_FACTS = {"terminated": False, "sentence": "licence", "start_date": START, "suspension": "reset", "suspension_date": on_day(20)}
#: The values a fact may take, to fill it in every way (dates on both sides of day 56).
COMPLETIONS = {
    "sentence": ["community", "licence", "pss"],
    "suspension": ["none", "reset", "impact"],
    "start_date": [on_day(d) for d in (-60, -40, 0)],
    "suspension_date": [on_day(d) for d in (0, 20, 56, 57, 90)],
}
ANSWERS = [None, "yes", "no"]


def case_type_or_error(facts: dict, answers: dict) -> str:
    """The case type, "pending", or the field of the case's first error ("answers": they contradict each other)."""
    try:
        return every_back_end(facts, answers)["case_type"] or "pending"
    except CaseDataError as error:
        return error.problems[0].field


def completions(facts: dict, answers: dict):
    """Every way of filling in the unknown fact and the unanswered override questions."""
    unknown_facts = [name for name in COMPLETIONS if name not in facts]
    unknown_answers = [qid for qid in ("2.0.19a", "2.0.20a") if qid not in answers]
    for values in itertools.product(*(COMPLETIONS[n] for n in unknown_facts), *(("yes", "no") for _ in unknown_answers)):
        yield ({**facts, **dict(zip(unknown_facts, values))}, {**answers, **dict(zip(unknown_answers, values[len(unknown_facts):]))})


@pytest.mark.parametrize("unknown", [None, *COMPLETIONS])
def test_every_override_combination_with_each_fact_unknown_decides_only_what_every_completion_agrees_on(unknown):
    """Decided means every valid completion gives it; pending means completions differ, unless a constraint on
    the facts (which three-valued logic does not read) rules some out: 'suspension_date requires suspension !=
    none' makes a case with a suspension date and no scheme one that cannot be."""
    assert MAY_APPLY_CORE and RESET_OR_IMPACT
    for answer_19a, answer_20a in itertools.product(ANSWERS, ANSWERS):
        answers = {q: a for q, a in (("2.0.19a", answer_19a), ("2.0.20a", answer_20a)) if a is not None}
        facts = {k: v for k, v in BASE_FACTS.items() if k != unknown}
        found = case_type_or_error(facts, answers)
        if found == "answers":
            continue  # the answers contradict each other
        results = [case_type_or_error(f, a) for f, a in completions(facts, answers)]
        settled = {t for t in results if t in ("core", "adjusted")}
        if found != "pending":
            assert settled == {found}, (unknown, answers, found, results)
        elif not any(t.startswith("facts.") for t in results):
            assert len(settled) > 1, (unknown, answers, found, results)
