"""The routing rules of the CARaG V1.1 rule set (questions/), as issue 3 fixes them."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl import CaseDataError

EXAMPLES = Path(__file__).resolve().parent.parent / "questions" / "examples"


@pytest.fixture(scope="module")
def rules():
    return carag_dsl.load()


def facts(sentence="community", start="2025-01-06", suspension="none", days=None, **more):
    result = {"terminated": False, "sentence": sentence, "start_date": start, "suspension": suspension,
              "court_report": False, "mappa": False, "accredited_programme": False, "contact_reinstigated": False}
    if days is not None:
        result["suspension_date"] = (datetime.date.fromisoformat(start) + datetime.timedelta(days=days)).isoformat()
    result.update(more)
    return result


#: 2.0.20a answered yes: the inspector asks for adjusted questions (needed before an adjusted case is decided).
ASK_ADJUSTED = {"2.0.20a": "yes"}


def evaluate(rules, facts=None, answers=None):
    return rules.evaluate({"id": "t", "facts": facts or {}, "answers": answers or {}}).to_dict()


def status(result, question_id):
    return result["questions"][question_id]["status"]


# ---------------------------------------------------------------- case type


@pytest.mark.parametrize("sentence, scheme, adjusted_up_to_day_56", [
    ("licence", "reset", True),
    ("licence", "impact", True),
    ("pss", "reset", True),
    ("pss", "impact", True),
    ("community", "impact", True),
    ("community", "reset", False),
])
@pytest.mark.parametrize("day", [0, 1, 55, 56, 57, 58, 200])
def test_case_type_on_both_sides_of_the_56_day_boundary(rules, sentence, scheme, adjusted_up_to_day_56, day):
    # With 2.0.20a answered yes: adjusted where the rules make it so, else core (the answer refused, with a warning).
    result = evaluate(rules, facts(sentence, suspension=scheme, days=day), ASK_ADJUSTED)
    expected = "adjusted" if adjusted_up_to_day_56 and day <= 56 else "core"
    assert result["case_type"] == expected
    # Without an answer to 2.0.19a or 2.0.20a an adjusted case is pending: the inspector may still make it core.
    assert evaluate(rules, facts(sentence, suspension=scheme, days=day))["case_type"] == (None if expected == "adjusted" else "core")


@pytest.mark.parametrize("sentence", ["community", "licence", "pss"])
def test_a_case_with_no_suspension_is_core(rules, sentence):
    assert evaluate(rules, facts(sentence))["case_type"] == "core"


@pytest.mark.parametrize("start, suspended, expected", [
    ("2024-02-29", "2024-04-25", "adjusted"),  # 29 February + 56 days
    ("2024-02-29", "2024-04-26", "core"),
    ("2024-01-04", "2024-02-29", "adjusted"),  # the window crosses 29 February: day 56
    ("2024-01-04", "2024-03-01", "core"),
    ("2025-01-31", "2025-03-28", "adjusted"),  # a month end + 56 days
    ("2025-01-31", "2025-03-29", "core"),
    ("2025-11-30", "2026-01-25", "adjusted"),  # across a year end
    ("2025-11-30", "2026-01-26", "core"),
])
def test_month_ends_and_29_february_count_days_exactly(rules, start, suspended, expected):
    case = facts("licence", start, "reset", suspension_date=suspended)
    assert evaluate(rules, case, ASK_ADJUSTED)["case_type"] == expected


# Overrides: every combination of facts and answers is in tests/test_carag_fidelity.py.


@pytest.mark.parametrize("answers", [{"2.0.19a": "yes", "2.0.20a": "yes"}, {"2.0.19a": "no", "2.0.20a": "no"}])
def test_contradicting_override_answers_are_an_error(rules, answers):
    with pytest.raises(CaseDataError, match="contradict"):
        evaluate(rules, facts(), answers)


@pytest.mark.parametrize("known", [
    {},
    {"sentence": "licence"},
    {"sentence": "licence", "suspension": "reset"},
    {"sentence": "licence", "suspension": "reset", "start_date": "2025-01-01"},
])
def test_case_type_is_unknown_while_the_deciding_facts_are_missing(rules, known):
    result = evaluate(rules, known)
    assert result["case_type"] is None
    assert status(result, "2.3.01") == "pending"
    assert status(result, "2.3.05") == "pending"


def test_unknown_dates_do_not_matter_when_the_scheme_cannot_make_a_case_adjusted(rules):
    assert evaluate(rules, {"terminated": False, "sentence": "community", "suspension": "reset"})["case_type"] == "core"
    assert evaluate(rules, {"terminated": False, "suspension": "none"})["case_type"] == "core"


# ---------------------------------------------------------------- labels

CORE_ONLY = ["2.3.01", "2.3.02", "2.5.01a", "2.5.05a", "2.5.43", "2.5.44", "2.5.41", "2.5.49", "2.5.50", "2.6.22", "2.6.23"]
ADJUSTED_ONLY = ["2.3.05", "X 11", "X 12", "2.6.25"]


def test_every_label_in_the_rule_set_is_one_the_routing_rules_know(rules):
    known = {
        "All cases", "Core cases only", "Adjusted cases only", "Cases with court report only",
        "Resettlement cases only", "All cases with an accredited programme", "All MAPPA cases",
        "All cases where this is a factor", "Probation Reset cases where contact should be re-instigated only",
        "All core cases, and any adjusted cases where supervision should have been re-instigated",
    }
    assert {q.label for q in rules.questions.values() if q.label is not None} <= known
    # The two summary judgements the CARaG prints without a label have none.
    assert [q.id for q in rules.questions.values() if q.label is None] == ["P 2.1.3", "P 2.2.3"]


def test_all_cases_questions_always_apply(rules):
    result = evaluate(rules, {"terminated": False})
    for question in rules.questions.values():
        if question.label in ("All cases", None):  # no label: P 2.1.3 and P 2.2.3 apply to all cases
            assert status(result, question.id) == "applies", question.id


def test_core_and_adjusted_only_questions_follow_the_case_type(rules):
    core = evaluate(rules, facts("community"))
    adjusted = evaluate(rules, facts("licence", suspension="reset", days=30), ASK_ADJUSTED)
    labelled_core = [q.id for q in rules.questions.values() if q.label == "Core cases only"]
    labelled_adjusted = [q.id for q in rules.questions.values() if q.label == "Adjusted cases only"]
    assert sorted(labelled_core) == sorted(CORE_ONLY)
    assert sorted(labelled_adjusted) == sorted(ADJUSTED_ONLY)
    for question_id in CORE_ONLY:
        assert (status(core, question_id), status(adjusted, question_id)) == ("applies", "not_applicable")
    for question_id in ADJUSTED_ONLY:
        assert (status(core, question_id), status(adjusted, question_id)) == ("not_applicable", "applies")


@pytest.mark.parametrize("fact, questions", [
    ("court_report", ["X 1", "X 2"]),
    ("accredited_programme", ["2.5.26a"]),
    ("mappa", ["2.5.47"]),
])
def test_fact_labels_follow_their_fact(rules, fact, questions):
    for question_id in questions:
        assert status(evaluate(rules, facts(**{fact: True})), question_id) == "applies"
        assert status(evaluate(rules, facts(**{fact: False})), question_id) == "not_applicable"
        assert status(evaluate(rules, {}), question_id) == "pending"


@pytest.mark.parametrize("sentence, expected", [("licence", "applies"), ("pss", "applies"), ("community", "not_applicable")])
def test_resettlement_questions_apply_to_licence_and_pss(rules, sentence, expected):
    result = evaluate(rules, facts(sentence))
    assert status(result, "2.2.06") == expected
    assert status(result, "X 3") == expected


@pytest.mark.parametrize("factor, question_id", [("X 6", "X 9"), ("X 7", "2.5.60a"), ("X 8", "X 10")])
def test_where_this_is_a_factor_questions_follow_their_assessment_question(rules, factor, question_id):
    assert status(evaluate(rules, facts(), {factor: "yes"}), question_id) == "applies"
    assert status(evaluate(rules, facts(), {factor: "no"}), question_id) == "applies"
    assert status(evaluate(rules, facts(), {factor: "not_a_factor", "X 4": []}), question_id) == "not_applicable"
    assert status(evaluate(rules, facts(), {}), question_id) == "pending"


@pytest.mark.parametrize("scheme, reinstigated, expected", [
    ("reset", True, "applies"), ("reset", False, "not_applicable"),
    ("impact", True, "not_applicable"), ("none", True, "not_applicable"),
])
def test_reset_reinstigation_questions(rules, scheme, reinstigated, expected):
    case = facts("licence", suspension=scheme, days=None if scheme == "none" else 20, contact_reinstigated=reinstigated)
    result = evaluate(rules, case)
    assert status(result, "2.6.26") == expected
    assert status(result, "2.6.27") == expected


@pytest.mark.parametrize("case, expected", [
    (facts("community"), "applies"),  # core
    (facts("licence", suspension="reset", days=20, contact_reinstigated=True), "applies"),
    (facts("licence", suspension="reset", days=20, contact_reinstigated=False), "not_applicable"),
    ({"terminated": False, "sentence": "licence", "suspension": "reset", "start_date": "2025-01-01",
      "suspension_date": "2025-01-21"}, "pending"),
])
def test_reviewing_judgement_applies_to_core_and_reinstigated_adjusted_cases(rules, case, expected):
    assert status(evaluate(rules, case, ASK_ADJUSTED), "P 2.4.3") == expected


# ---------------------------------------------------------------- summary judgements

NO_FACTORS = {"2.1.04a": "no", "2.1.07a": "no", "X 4": [], "X 6": "not_a_factor", "X 7": "not_a_factor", "X 8": "not_a_factor"}
JUDGEMENTS = ["P 2.1.3", "P 2.2.3", "P 2.3.3", "P 2.4.3"]


def test_judgements_are_derived_yes_when_there_are_no_risk_of_harm_factors(rules):
    result = evaluate(rules, facts(), NO_FACTORS)
    for question_id in JUDGEMENTS:
        assert result["questions"][question_id] == {"status": "applies", "value": "yes", "source": "derived"}


@pytest.mark.parametrize("change", [{"2.1.04a": "yes"}, {"X 4": ["hate_crime"]}, {"X 8": "no"}, {"2.1.07a": None}])
def test_judgements_wait_for_the_inspector_when_a_factor_is_present_or_unknown(rules, change):
    answers = {**NO_FACTORS, **change}
    result = evaluate(rules, facts(), {k: v for k, v in answers.items() if v is not None})
    for question_id in JUDGEMENTS:
        assert result["questions"][question_id] == {"status": "applies", "value": None, "source": None}


def test_an_answer_against_a_derived_value_is_an_error_naming_the_rule(rules):
    # "Where there were no factors related to risk of harm, inspectors answer 'yes'": a 'no' there is a mistake in
    # the case data; were it to stand, the derived 'yes' would change when the answer arrived.
    with pytest.raises(CaseDataError) as caught:
        evaluate(rules, facts(), {**NO_FACTORS, "P 2.2.3": "no"})
    (problem,) = caught.value.problems
    assert problem.field == "answers.P 2.2.3"
    assert problem.message.startswith("answered 'no' where the rule 'derive yes when no_risk_of_harm_factors' gives 'yes'")
    result = evaluate(rules, facts(), {**NO_FACTORS, "P 2.2.3": "yes"})
    assert result["questions"]["P 2.2.3"] == {"status": "applies", "value": "yes", "source": "answer"}


# ---------------------------------------------------------------- case-data errors


@pytest.mark.parametrize("case, field, words", [
    ({"facts": {"sentense": "licence"}}, "facts.sentense", "did you mean 'sentence'"),
    ({"facts": {"mappa": "yes"}}, "facts.mappa", "expected true or false"),
    ({"facts": {"sentence": "prison"}}, "facts.sentence", 'one of "community", "licence", "pss"'),
    ({"facts": {"start_date": "2025-02-30"}}, "facts.start_date", "is not a real date"),
    ({"facts": {"start_date": "30/01/2025"}}, "facts.start_date", "is not a real date"),
    ({"facts": {"suspension": "none", "suspension_date": "2025-02-01"}}, "facts.suspension_date", "only"),
    ({"facts": {"start_date": "2025-03-01", "suspension": "reset", "suspension_date": "2025-02-01"}}, "facts.suspension_date", "before"),
    ({"answers": {"X 44": []}}, "answers.X 44", "did you mean 'X 4'"),
    ({"answers": {"X 4": ["organized_crime"]}}, "answers.X 4", "did you mean 'organised_crime'"),
    ({"answers": {"X 4": "hate_crime"}}, "answers.X 4", "a list"),
    ({"answers": {"X 6": "maybe"}}, "answers.X 6", '"not_a_factor"'),
    ({"answers": {"2.3.29": "extreme"}}, "answers.2.3.29", '"very_high"'),
    ({"answers": {"2.3.24": True}}, "answers.2.3.24", '"yes", "no"'),
    ({"fact": {}}, "fact", "did you mean 'facts'"),
])
def test_bad_case_data_is_an_error_naming_the_field_and_what_is_allowed(rules, case, field, words):
    with pytest.raises(CaseDataError) as caught:
        rules.evaluate(case)
    problems = {p.field: p.message for p in caught.value.problems}
    assert field in problems, problems
    assert words in problems[field]


def test_every_problem_in_a_case_is_reported_at_once(rules):
    with pytest.raises(CaseDataError) as caught:
        rules.evaluate({"facts": {"mappa": 1, "sentence": "x"}, "answers": {"nope": "yes"}})
    assert [p.field for p in caught.value.problems] == ["facts.mappa", "facts.sentence", "answers.nope"]


def test_null_means_unknown(rules):
    result = evaluate(rules, {"sentence": None, "court_report": None}, {"X 6": None})
    assert status(result, "X 1") == "pending"
    assert status(result, "X 9") == "pending"


# ---------------------------------------------------------------- examples


EXAMPLE_FILES = sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".expected.json"))


def test_there_are_at_least_twelve_examples():
    assert len(EXAMPLE_FILES) >= 12


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_evaluates_to_its_expected_output(rules, path):
    case = json.loads(path.read_text())
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text())
    result = rules.evaluate(case).to_dict()
    # The rule set's identity is checked against the rules, so an edit anywhere in questions/ need not touch every example.
    assert result.pop("ruleset") == {"name": rules.name, "version": rules.version, "hash": rules.content_hash}
    assert result == expected


def test_examples_cover_every_label_both_ways(rules):
    seen: dict[str, set[str]] = {}
    for path in EXAMPLE_FILES:
        result = rules.evaluate(json.loads(path.read_text())).to_dict()
        if result["excluded"] is not None:  # a case not inspected has no routing to cover
            continue
        for question_id, outcome in result["questions"].items():
            seen.setdefault(rules.questions[question_id].label, set()).add(outcome["status"])
    for label, statuses in seen.items():
        if label in ("All cases", None):  # no label: P 2.1.3 and P 2.2.3, which apply to all cases
            assert statuses == {"applies"}
        else:
            assert {"applies", "not_applicable"} <= statuses, label
