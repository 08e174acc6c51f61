"""Where the CARaG V1.1 rules (questions/) follow the text closely: factor routing, overrides, cases not inspected.

Each test quotes the sentence of the CARaG (shared/seeds/004_affcb4f729991297.txt, tests/data/carag_v1.1.txt)
that it encodes, and is checked against that text so a quotation cannot drift from the document.
"""

from __future__ import annotations

import datetime
import itertools
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl import CaseDataError

CARAG_TEXT = " ".join((Path(__file__).resolve().parent / "data" / "carag_v1.1.txt").read_text(encoding="utf-8").split())


def cites(sentence: str) -> str:
    """The sentence, after checking that the CARaG prints it (spacing aside)."""
    assert " ".join(sentence.split()) in CARAG_TEXT, f"not in the CARaG: {sentence!r}"
    return sentence


@pytest.fixture(scope="module")
def rules():
    return carag_dsl.load()


def evaluate(rules, facts=None, answers=None, backend="compiled"):
    """The result of a case whose facts say whether it terminated: as given, else terminated exactly when it gives
    a termination date (an order or licence still running otherwise)."""
    facts = dict(facts or {})
    facts.setdefault("terminated", "termination_date" in facts)
    return rules.evaluate({"id": "t", "facts": facts, "answers": answers or {}}, backend=backend).to_dict()


def on_day(start: str, day: int) -> str:
    return (datetime.date.fromisoformat(start) + datetime.timedelta(days=day)).isoformat()


# ---------------------------------------------------------------- "All cases where this is a factor"

FACTOR_SENTENCE = cites("All cases where this is a factorWas sufficient work delivered in respect of sexually harmful behaviour?")
X4_FACTORS = cites("• Registered sex offender • Non- registered sex offender")

# (X 4 answer or None for unknown, X 6 answer or None) -> status of X 9
SEXUAL_HARM_SOURCES = [
    ([], "not_a_factor", "not_applicable"),          # neither records the factor
    ([], "yes", "applies"),                          # X 6 alone
    (["registered_sex_offender"], "not_a_factor", "applies"),  # X 4 alone
    (["non_registered_sex_offender"], "not_a_factor", "applies"),
    (["cse_perpetrator"], "not_a_factor", "applies"),
    (["registered_sex_offender"], "no", "applies"),  # both
    (["organised_crime"], "not_a_factor", "not_applicable"),  # another X 4 factor is not this one
    (None, "not_a_factor", "pending"),               # X 4 unknown: it may still record the factor
    (None, "yes", "applies"),                        # X 6 settles it alone
    ([], None, "pending"),                           # X 6 unknown
    (["registered_sex_offender"], None, "applies"),  # X 4 settles it alone
    (None, None, "pending"),                         # neither known
]


@pytest.mark.parametrize("x4, x6, expected", SEXUAL_HARM_SOURCES)
@pytest.mark.parametrize("backend", ["compiled", "reference"])
def test_x9_applies_where_x6_or_x4_records_sexual_harm_and_is_pending_while_neither_settles_it(rules, x4, x6, expected, backend):
    answers = {k: v for k, v in {"X 4": x4, "X 6": x6}.items() if v is not None}
    assert evaluate(rules, answers=answers, backend=backend)["questions"]["X 9"]["status"] == expected


HATE_SOURCES = [
    ([], "not_a_factor", "not_applicable"),
    ([], "no", "applies"),
    (["hate_crime"], "not_a_factor", "applies"),
    (["hate_crime"], "yes", "applies"),
    (["registered_sex_offender"], "not_a_factor", "not_applicable"),
    (None, "not_a_factor", "pending"),
    (["hate_crime"], None, "applies"),
    ([], None, "pending"),
    (["organised_crime"], None, "pending"),    # another X 4 factor settles nothing while X 7 is unknown
    (None, "yes", "applies"),                  # X 7 settles it alone
    (None, None, "pending"),
]


@pytest.mark.parametrize("x4, x7, expected", HATE_SOURCES)
@pytest.mark.parametrize("backend", ["compiled", "reference"])
def test_2_5_60a_applies_where_x7_or_hate_crime_in_x4_records_the_factor(rules, x4, x7, expected, backend):
    cites("All cases where this is a factorWas sufficient work delivered in respect of hate-based behaviour?")
    cites("• Hate Crime")
    answers = {k: v for k, v in {"X 4": x4, "X 7": x7}.items() if v is not None}
    assert evaluate(rules, answers=answers, backend=backend)["questions"]["2.5.60a"]["status"] == expected


def test_x10_still_follows_x8_alone(rules):
    # X 4 lists no factor of "violence, threats and harmful attitudes and behaviours (other than ...)".
    assert evaluate(rules, answers={"X 4": ["hate_crime", "registered_sex_offender"], "X 8": "not_a_factor"})["questions"]["X 10"]["status"] == "not_applicable"


@pytest.mark.parametrize("x4, x6, warned", [
    (["registered_sex_offender"], "not_a_factor", True),
    (["cse_perpetrator", "hate_crime"], "not_a_factor", True),
    (["registered_sex_offender"], "yes", False),
    ([], "not_a_factor", False),
    (None, "not_a_factor", False),  # X 4 unknown: nothing contradicts yet
])
def test_x4_recording_sexual_harm_while_x6_says_not_a_factor_warns_naming_both_answers(rules, x4, x6, warned):
    answers = {k: v for k, v in {"X 4": x4, "X 6": x6}.items() if v is not None}
    warnings = evaluate(rules, answers=answers)["warnings"]
    assert warnings == evaluate(rules, answers=answers, backend="reference")["warnings"]
    named = [w for w in warnings if w.startswith("X 6:")]
    if warned:  # both answers named: X 6's 'not a factor' and the X 4 factors that make sexual harm a factor
        assert named == [
            "X 6: X 6 is answered 'not a factor' but X 4 records Registered sex offender, Non-registered sex offender "
            "or Child Sexual Exploitation – Perpetrator, so X 9 applies; check both answers"
        ]
    else:
        assert named == []


def test_hate_crime_in_x4_while_x7_says_not_a_factor_warns_naming_both_answers(rules):
    warnings = evaluate(rules, answers={"X 4": ["hate_crime"], "X 7": "not_a_factor"})["warnings"]
    assert [w for w in warnings if w.startswith("X 7:")] == [
        "X 7: X 7 is answered 'not a factor' but X 4 records Hate Crime, so 2.5.60a applies; check both answers"
    ]


# ---------------------------------------------------------------- overrides as the CARaG allows them

SUBSTANTIVE_CONTACT = cites(
    "If contact of a more substantive nature has continued, beyond the point that the case record indicates contact "
    "has been suspended, we may apply core inspection questions."
)

FACTS_ADJUSTED = {"sentence": "licence", "start_date": "2025-01-06", "suspension": "reset", "suspension_date": "2025-01-16"}
FACTS_CORE = {"sentence": "licence", "start_date": "2025-01-06", "suspension": "none"}
FACTS_UNKNOWN = {"sentence": "licence", "suspension": "reset"}
ASKS = {  # what an answer asks for
    ("2.0.19a", "yes"): "core", ("2.0.19a", "no"): "adjusted",
    ("2.0.20a", "yes"): "adjusted", ("2.0.20a", "no"): "core",
}


def _answer_sets():
    for a19, a20 in itertools.product([None, "yes", "no"], repeat=2):
        yield {k: v for k, v in {"2.0.19a": a19, "2.0.20a": a20}.items() if v is not None}


@pytest.mark.parametrize("answers", list(_answer_sets()), ids=lambda a: ",".join(f"{k}={v}" for k, v in a.items()) or "none")
@pytest.mark.parametrize("facts, by_facts", [(FACTS_ADJUSTED, "adjusted"), (FACTS_CORE, "core"), (FACTS_UNKNOWN, None)], ids=["facts-adjusted", "facts-core", "facts-unknown"])
@pytest.mark.parametrize("backend", ["compiled", "reference"])
def test_every_override_combination_follows_the_carag(rules, facts, by_facts, answers, backend):
    asked = {ASKS[item] for item in answers.items()}
    if len(asked) > 1:  # the two answers ask for different types
        with pytest.raises(CaseDataError, match="contradict"):
            evaluate(rules, facts, answers, backend)
        return
    result = evaluate(rules, facts, answers, backend)
    wanted = next(iter(asked), None)
    refused = [w for w in result["warnings"] if w.startswith("case type:")]
    if wanted is None:  # no answer: a case the facts make adjusted waits, SUBSTANTIVE_CONTACT may make it core
        assert result["case_type"] == (by_facts if by_facts == "core" else None) and refused == []
    elif wanted == "core":  # SUBSTANTIVE_CONTACT: an inspector may make any case core, adjusted or not yet known
        assert result["case_type"] == "core" and refused == []
    elif by_facts is None:  # adjusted asked for while the facts may still make the case core: pending
        assert result["case_type"] is None and refused == []
    elif by_facts == wanted:
        assert result["case_type"] == wanted and refused == []
    else:  # nothing lets an answer make a case adjusted that the facts make core: the rule stands, quoted
        assert result["case_type"] == "core"
        assert len(refused) == 1
        assert "'adjusted when adjusted_by_the_rules' does not hold, so 'core otherwise'" in refused[0]
        assert "would make the case adjusted" in refused[0] and "the case stays core" in refused[0]


def test_a_community_sentence_under_reset_within_eight_weeks_stays_core_with_a_warning(rules):
    cites("in any community sentence case where Probation Impact has been applied up to and including eight weeks from the date of commencement.")
    facts = {"sentence": "community", "start_date": "2025-01-06", "suspension": "reset", "suspension_date": "2025-01-16"}
    result = evaluate(rules, facts)
    assert result["case_type"] == "core"
    assert result["warnings"] == [
        "suspension: a community sentence suspended under Probation Reset stays core: adjusted questions apply to "
        "licence and PSS cases suspended under Probation Reset or Probation Impact, and to community sentences only "
        "under Probation Impact (2.0.20a)"
    ]
    # After eight weeks the case is core for every sentence: nothing to say.
    later = evaluate(rules, {**facts, "suspension_date": "2025-03-10"})
    assert later["case_type"] == "core" and later["warnings"] == []


# ---------------------------------------------------------------- cases not inspected

TERMINATED = cites(
    "We do not inspect cases that were terminated within seven days of the order or licence commencing. For cases "
    "that were terminated between eight and 28 days after sentence/release, we inspect those where there was "
    "continuity of supervision"
)
WITHIN_SEVEN = "terminated within seven days of the order or licence commencing"
EIGHT_TO_28 = "terminated between eight and 28 days after sentence or release, without continuity of supervision"


@pytest.mark.parametrize("day, continuity, expected", [
    (0, None, WITHIN_SEVEN),
    (7, None, WITHIN_SEVEN),      # "within seven days" includes day 7 (start date is day 0)
    (7, True, WITHIN_SEVEN),      # continuity does not save a case terminated within seven days
    (7, False, WITHIN_SEVEN),
    (8, True, None),              # from day 8, continuity of supervision keeps the case in
    (8, False, EIGHT_TO_28),
    (8, None, {"unknown": ["continuity_of_supervision"]}),  # continuity unknown: not known whether inspected
    (28, False, EIGHT_TO_28),
    (28, True, None),
    (28, None, {"unknown": ["continuity_of_supervision"]}),  # the last day, continuity unknown: not known
    (29, False, None),            # after 28 days the case is inspected
    (29, True, None),
    (29, None, None),
])
@pytest.mark.parametrize("backend", ["compiled", "reference"])
def test_terminated_cases_are_excluded_counting_days_as_the_eight_week_rule_does(rules, day, continuity, expected, backend):
    facts = {"sentence": "community", "start_date": "2025-02-24", "suspension": "none", "termination_date": on_day("2025-02-24", day)}
    if continuity is not None:
        facts["continuity_of_supervision"] = continuity
    result = evaluate(rules, facts, {"2.3.24": "yes"}, backend)
    assert result["excluded"] == expected
    if expected is None:
        assert result["case_type"] == "core"
        assert result["questions"]["2.3.24"] == {"status": "applies", "value": "yes", "source": "answer"}
    else:  # no routing at all: not applicable when excluded, pending while that is not known
        assert result["case_type"] is None and result["warnings"] == []
        status = "not_applicable" if isinstance(expected, str) else "pending"
        assert {q["status"] for q in result["questions"].values()} == {status}
        assert {q["value"] for q in result["questions"].values()} == {None}


def test_a_case_known_not_to_have_terminated_is_inspected_and_one_that_says_nothing_is_not_known(rules):
    assert evaluate(rules, {"sentence": "licence", "terminated": False})["excluded"] is None
    result = rules.evaluate({"facts": {"sentence": "licence"}}).to_dict()
    assert result["excluded"] == {"unknown": ["terminated", "termination_date", "start_date", "continuity_of_supervision"]}


@pytest.mark.parametrize("backend", ["compiled", "reference"])
def test_a_termination_date_without_a_start_date_leaves_it_not_known_until_the_start_date_is_known(rules, backend):
    cites(TERMINATED)
    facts = {"sentence": "licence", "suspension": "none", "termination_date": "2025-03-01"}
    assert evaluate(rules, facts, backend=backend)["excluded"] == {"unknown": ["start_date", "continuity_of_supervision"]}
    assert evaluate(rules, {**facts, "start_date": "2025-02-22"}, backend=backend)["excluded"] == WITHIN_SEVEN  # day 7


def test_a_termination_date_before_the_start_is_rejected(rules):
    with pytest.raises(CaseDataError, match="termination date is before the start date"):
        evaluate(rules, {"start_date": "2025-02-24", "termination_date": "2025-02-23"})


def test_an_excluded_case_still_has_its_bad_data_rejected(rules):
    with pytest.raises(CaseDataError, match="suspension date is before the start date"):
        evaluate(rules, {"start_date": "2025-02-24", "termination_date": "2025-02-25", "suspension": "reset", "suspension_date": "2025-01-01"})


# ---------------------------------------------------------------- results say which rules made them


def test_every_result_names_the_rule_set_version_and_content_hash(rules):
    result = evaluate(rules)
    assert list(result) == ["id", "case_type", "excluded", "questions", "warnings", "reasons", "ruleset"]
    assert result["ruleset"] == {"name": rules.name, "version": "1.1", "hash": rules.content_hash}
    assert len(rules.content_hash) == 16


# ---------------------------------------------------------------- answers the CARaG derives, and reasons recorded

CHILDREN_POSITIVE = cites(
    "Where an individual is assessed as medium risk of harm to children or higher, but there are no active concerns "
    "(they have no children of their own and are not known to be in contact with any children) then it may be that no "
    "further multi-agency liaison is required, beyond initial enquiries to verify this, or additional enquiries to confirm "
    "there are no changes. In this situation, inspectors will answer this question positively."
)
CORE = {"sentence": "community", "start_date": "2025-01-06", "suspension": "none"}
ADJUSTED = {"sentence": "licence", "start_date": "2025-01-06", "suspension": "reset", "suspension_date": "2025-01-16"}


@pytest.mark.parametrize("question_id, facts", [("2.5.43", CORE), ("X 11", ADJUSTED)])
@pytest.mark.parametrize("rosh, own, contact, derived", [
    ("medium", False, False, "yes"),
    ("very_high", False, False, "yes"),
    ("low", False, False, None),        # below medium: the inspector judges
    ("high", True, False, None),        # children of their own: active concerns may exist
    ("high", False, True, None),        # in contact with children
    ("high", False, None, None),        # contact not known: nothing derived yet
    (None, False, False, None),
])
@pytest.mark.parametrize("backend", ["compiled", "reference"])
def test_2_5_43_and_x11_are_answered_positively_for_medium_risk_to_children_without_active_concerns(rules, question_id, facts, rosh, own, contact, derived, backend):
    given = {**facts, **{k: v for k, v in {"rosh_to_children": rosh, "children_of_their_own": own, "known_contact_with_children": contact}.items() if v is not None}}
    answers = {"2.0.20a": "yes"} if facts is ADJUSTED else {}  # the inspector confirms the adjusted case
    result = evaluate(rules, given, answers, backend=backend)["questions"][question_id]
    assert result["status"] == "applies"
    assert (result["value"], result["source"]) == ((derived, "derived") if derived else (None, None))


def test_an_answer_to_2_5_43_against_the_derived_yes_is_an_error_naming_the_rule(rules):
    cites("In this situation, inspectors will answer this question positively.")
    facts = {**CORE, "rosh_to_children": "high", "children_of_their_own": False, "known_contact_with_children": False}
    with pytest.raises(CaseDataError, match="answers.2.5.43: answered 'no' where the rule 'derive yes when "
                                            "medium_risk_to_children_without_active_concerns' gives 'yes'"):
        evaluate(rules, facts, {"2.5.43": "no"})
    assert evaluate(rules, facts, {"2.5.43": "yes"})["questions"]["2.5.43"] == {"status": "applies", "value": "yes", "source": "answer"}


def test_exactly_the_questions_whose_guidance_asks_inspectors_to_record_something_are_marked(rules):
    cites("Depending on their answer to this question, inspectors will record why this has or has not been completed to a sufficient standard.")
    cites("inspectors will record how well use of the services has contributed to supporting public protection.")  # 2.5.25a
    cites("Inspectors will record how well the programme has been delivered.")  # 2.5.26a
    cites("Inspectors will record their findings about the quality and impact of MAPPA management")  # 2.5.47
    cites("If inspectors do not think the practitioner’s classification is reasonable, they will record the reasons for that.")
    asks = {qid for qid, q in rules.symbols.questions.items()
            if q.guidance and ("nspectors will record" in q.guidance or "they will record the reasons" in q.guidance)}
    marked = {qid for qid, q in rules.symbols.questions.items() if q.record_reasons}
    assert marked == asks
    assert {"2.5.25a", "2.5.26a", "2.5.47"} <= marked
    assert len(marked) == 19


@pytest.mark.parametrize("backend", ["compiled", "reference"])
@pytest.mark.parametrize("question_id", ["2.5.25a", "2.5.26a", "2.5.47"])
def test_reasons_recorded_for_the_questions_whose_guidance_says_inspectors_will_record_bring_no_warning(rules, question_id, backend):
    facts = {**CORE, "accredited_programme": True, "mappa": True}
    answer = "Thinking Skills Programme" if question_id == "2.5.26a" else "yes"
    case = {"facts": facts, "answers": {question_id: answer}, "reasons": {question_id: "delivered promptly, with updates shared"}}
    result = rules.evaluate(case, backend=backend).to_dict()
    assert result["reasons"] == {question_id: "delivered promptly, with updates shared"}
    assert result["warnings"] == []


def test_2_9_06_is_answered_by_the_inspectors_description_as_the_carag_prints_no_options(rules):
    cites("2.9.06  All cases  How would you describe management oversight in the case?")
    question = rules.symbols.questions["2.9.06"]
    assert question.answer.kind == "text"
    described = "Countersigned, but no oversight at the point of suspension"
    result = evaluate(rules, CORE, {"2.9.06": described})
    assert result["questions"]["2.9.06"] == {"status": "applies", "value": described, "source": "answer"}
    with pytest.raises(CaseDataError):  # the options of earlier versions were not the CARaG's, and are no answer now
        rules.evaluate({"facts": CORE, "answers": {"2.9.06": ["sufficient"]}})


# ---------------------------------------------------------------- "no available information to review"

NO_INFORMATION_RESET_OR_IMPACT = cites(
    "In cases where contact has been suspended immediately or very early under Probation Reset or Probation Impact, "
    "inspectors may record that there is no available information to review."
)
NO_INFORMATION_RESET = cites(
    "In cases where supervision has been suspended immediately or very early under Probation Reset, inspectors may "
    "record that there is no available information to review."
)
SUSPENDED_EARLY = {"terminated": False, "sentence": "licence", "start_date": "2025-01-06", "suspension_date": "2025-01-07"}


@pytest.mark.parametrize("question_id, allowed", [
    ("2.6.20", {"reset", "impact"}),  # NO_INFORMATION_RESET_OR_IMPACT
    ("2.6.21", {"reset", "impact"}),
    ("P 2.4.3", {"reset"}),           # NO_INFORMATION_RESET: Probation Reset only
])
@pytest.mark.parametrize("suspension", ["reset", "impact", "none", None])
@pytest.mark.parametrize("backend", ["compiled", "reference"])
def test_no_information_to_review_is_accepted_only_where_contact_was_suspended(rules, question_id, allowed, suspension, backend):
    facts = {"sentence": "licence", "start_date": "2025-01-06"}
    if suspension is not None:
        facts["suspension"] = suspension
    if suspension in ("reset", "impact"):
        facts["suspension_date"] = "2025-01-07"
    answers = {question_id: "no_information", "2.0.20a": "no"}  # core, so P 2.4.3 applies
    result = evaluate(rules, facts, answers, backend)
    assert result["questions"][question_id] == {"status": "applies", "value": "no_information", "source": "answer"}
    warned = [w for w in result["warnings"] if w.startswith(f"{question_id}: ")]
    if suspension is None or suspension in allowed:  # allowed, or not yet known not to be
        assert warned == []
    else:  # kept, with a warning that quotes the CARaG's rule
        assert len(warned) == 1
        quoted_rule = NO_INFORMATION_RESET if question_id == "P 2.4.3" else NO_INFORMATION_RESET_OR_IMPACT
        assert "there is no available information to review" in warned[0]
        assert quoted_rule.split(",")[0][len("In "):] in warned[0]


ACTIVE_PERIOD = cites(
    "In cases where there is an active period of supervision before suspension, we expect reviewing before suspension "
    "to analyse any changes in factors related to risk of harm, and identify outstanding areas of work."
)
EIGHT_WEEKS = cites(
    "In cases where contact is suspended up to eight weeks after order commencement or release on licence, we apply adjusted questions."
)


@pytest.mark.parametrize("question_id", ["2.6.20", "2.6.21", "P 2.4.3"])
@pytest.mark.parametrize("day, warned", [(0, False), (1, False), (56, False), (57, True), (200, True), (None, False)])
@pytest.mark.parametrize("backend", ["compiled", "reference"])
def test_no_information_after_a_suspension_past_eight_weeks_of_active_supervision_warns_quoting_the_carag(rules, question_id, day, warned, backend):
    # "Very early" is read as within the eight weeks the CARaG itself draws for suspension (EIGHT_WEEKS):
    # later, there was an active period of supervision before suspension (ACTIVE_PERIOD). Day unknown: no warning yet.
    facts = {"sentence": "licence", "start_date": "2025-01-06", "suspension": "reset"}
    if day is not None:
        facts["suspension_date"] = on_day("2025-01-06", day)
    answers = {question_id: "no_information", "2.0.20a": "no"}  # core, so P 2.4.3 applies
    result = evaluate(rules, facts, answers, backend)
    assert result["questions"][question_id]["value"] == "no_information"  # kept: the inspector's answer stands
    late = [w for w in result["warnings"] if w.startswith(f"{question_id}: ") and "more than eight weeks after the start" in w]
    assert len(late) == (1 if warned else 0)
    if warned:
        assert "'in cases where there is an active period of supervision before suspension, we expect" in late[0]
        assert not [w for w in result["warnings"] if w.startswith(f"{question_id}: ") and "was not suspended" in w]


def test_no_information_with_contact_not_suspended_gets_one_warning_not_two(rules):
    facts = {"sentence": "licence", "start_date": "2025-01-06", "suspension": "none"}
    result = evaluate(rules, facts, {"2.6.20": "no_information"})
    assert len([w for w in result["warnings"] if w.startswith("2.6.20: ")]) == 1


def _reviewing_sample() -> list[dict]:
    facts = {**SUSPENDED_EARLY, "suspension": "reset"}
    answers = ["yes", "yes", "no", "no_information", "no_information", "no_information"]
    return [{"id": n, "facts": facts, "answers": {"2.0.20a": "no", "P 2.4.3": value}} for n, value in enumerate(answers)]


def test_no_information_to_review_is_left_out_of_the_rating_share_as_not_a_factor_is(rules):
    reviewing = rules.rate(_reviewing_sample()).key_questions["P 2.4.3"]
    assert (reviewing.n_judged, reviewing.n_yes) == (3, 2)  # 2 of 3 judged, the three without information left out
    assert reviewing.percent == 66.7 and reviewing.band == "Good"


def test_a_rating_counts_the_answers_it_left_out_of_each_share_by_answer(rules):
    rated = rules.rate(_reviewing_sample(), by="sentence")
    assert rated.key_questions["P 2.4.3"].left_out == {"no_information": 3}
    assert rated.to_dict()["key_questions"]["P 2.4.3"]["left_out"] == {"no_information": 3}
    assert rated.groups[0].key_questions["P 2.4.3"].left_out == {"no_information": 3}
    assert rated.key_questions["P 2.1.3"].left_out == {}


def test_the_rating_report_says_how_many_answers_it_left_out_in_words(rules):
    from carag_dsl.rating.report_html import render_html
    from carag_dsl.rating.report_text import render_csv, render_table

    rated = rules.rate(_reviewing_sample()).to_dict()
    line = "P 2.4.3: left out of the share (neither yes nor no): 3 answered 'No available information to review'"
    assert line in [text.strip() for text in render_table(rules, rated).splitlines()]
    assert "3 answered &#x27;No available information to review&#x27;" in render_html(rules, rated)
    import csv

    rows = csv.DictReader(render_csv(rated).splitlines())
    [row] = [r for r in rows if r["kind"] == "key question" and r["name"] == "P 2.4.3"]
    assert row["left_out"] == "no_information=3"


def test_the_columnar_engine_leaves_no_information_out_of_the_share_too(rules):
    pytest.importorskip("pyarrow")
    from carag_dsl.rating.tally import RatingTally
    from carag_dsl.runtime.columnar import evaluate_cases

    tally = RatingTally(rules)
    tally.add_batch(evaluate_cases(rules, _reviewing_sample()))
    assert tally.result().to_dict()["key_questions"]["P 2.4.3"] == rules.rate(_reviewing_sample()).to_dict()["key_questions"]["P 2.4.3"]
    assert tally.result().key_questions["P 2.4.3"].n_judged == 3
    assert tally.result().key_questions["P 2.4.3"].left_out == {"no_information": 3}


# ---------------------------------------------------------------- reasons recorded with the answers

RECORD_WHY = cites("Depending on their answer to this question, inspectors will record why this has or has not been completed to a sufficient standard.")
WHY_X9 = "good working relationship with police offender managers"


@pytest.mark.parametrize("backend", ["compiled", "reference"])
def test_reasons_given_for_a_record_reasons_question_are_carried_to_the_result(rules, backend):
    case = {"id": "r", "facts": CORE, "answers": {"X 6": "yes", "X 9": "yes"}, "reasons": {"X 9": WHY_X9}}
    result = rules.evaluate(case, backend=backend).to_dict()
    assert result["reasons"] == {"X 9": WHY_X9}
    assert result["warnings"] == []


@pytest.mark.parametrize("backend", ["compiled", "reference"])
def test_reasons_for_a_question_that_does_not_ask_for_them_are_kept_with_a_warning(rules, backend):
    case = {"facts": CORE, "answers": {"2.3.24": "no"}, "reasons": {"2.3.24": "no plan yet", "X 9": None}}
    result = rules.evaluate(case, backend=backend).to_dict()
    assert result["reasons"] == {"2.3.24": "no plan yet"}  # null: no reasons, as for answers
    assert result["warnings"] == [
        "reasons.2.3.24: reasons are recorded for 2.3.24, whose guidance does not ask inspectors to record why "
        "(it is not marked 'record reasons'); they are kept with the result"
    ]


def test_a_result_with_no_reasons_says_so_with_an_empty_object(rules):
    assert evaluate(rules, CORE)["reasons"] == {}


@pytest.mark.parametrize("reasons, field, words", [
    (["why"], "reasons", "must be a JSON object of question → text, not list"),
    ({"X 99": "why"}, "reasons.X 99", "the rule set has no question 'X 99'"),
    ({"X 9": 3}, "reasons.X 9", "expected a text string"),
])
def test_bad_reasons_are_rejected_naming_the_field(rules, reasons, field, words):
    with pytest.raises(CaseDataError) as caught:
        rules.evaluate({"facts": CORE, "reasons": reasons})
    [problem] = caught.value.problems
    assert problem.field == field and words in problem.message


def test_every_writer_of_results_carries_the_reasons(rules):
    import json

    from carag_dsl.runtime.result_writer import ResultWriter, compact_result

    case = {"id": "w", "facts": CORE, "answers": {"X 6": "yes"}, "reasons": {"X 9": WHY_X9}}
    evaluation = rules.evaluate(case)
    assert ResultWriter(rules).line(evaluation) == json.dumps(evaluation.to_dict(), ensure_ascii=False)
    assert compact_result(evaluation.to_dict())["reasons"] == {"X 9": WHY_X9}
    assert "reasons" not in compact_result(evaluate(rules, CORE))


def test_the_columnar_engine_carries_reasons_as_the_per_case_path_does(rules):
    pytest.importorskip("pyarrow")
    from carag_dsl.runtime.columnar import evaluate_cases, result_dicts

    cases = [{"id": 1, "facts": CORE, "answers": {"X 6": "yes"}, "reasons": {"X 9": WHY_X9}}, {"id": 2, "facts": CORE}]
    assert list(result_dicts(evaluate_cases(rules, cases))) == [rules.evaluate(case).to_dict() for case in cases]
