"""Ratings over a sample of cases (carag_dsl.rating): exact bands, lowest banding, caps, subgroups, streaming."""

from __future__ import annotations

import datetime
import random
import weakref
from fractions import Fraction
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl.errors import CaseDataError, UsageError
from carag_dsl.rating.tally import RatingTally, band_of, display_percent, rate as rate_sample, run_date


def rate(rules, cases, by=None):
    """The rating as its JSON shape (the documented contract these tests pin down)."""
    return rate_sample(rules, cases, by).to_dict()

FIXTURE = Path(__file__).parent / "fixtures" / "ratings" / "sample.carag"


@pytest.fixture(scope="module")
def rules():
    return carag_dsl.load(FIXTURE)


def case(answers=None, **facts):
    return {"facts": facts, "answers": answers or {}}


def judged(question_id: str, n_yes: int, n_judged: int, **facts):
    """n_judged cases where question_id is answered, n_yes of them 'yes'."""
    return [case({question_id: "yes" if i < n_yes else "no"}, **facts) for i in range(n_judged)]


# ---------------------------------------------------------------- the arithmetic


@pytest.mark.parametrize(
    ("n_yes", "n_judged", "band"),
    [
        (0, 1, "Inadequate"),
        (4999, 10000, "Inadequate"),      # 49.99%
        (99999, 200001, "Inadequate"),    # 49.99975...%: just below 50 on the exact fraction
        (1, 2, "Requires improvement"),   # 50% exactly: lower bounds are inclusive
        (6499, 10000, "Requires improvement"),  # 64.99%
        (12999, 20001, "Requires improvement"),  # 64.9918%
        (13, 20, "Good"),                 # 65% exactly
        (1599, 2000, "Good"),             # 79.95%: shown as 80.0% but below 80%
        (4, 5, "Outstanding"),            # 80% exactly
        (1, 1, "Outstanding"),
    ],
)
def test_band_is_decided_on_the_exact_fraction_with_inclusive_lower_bounds(rules, n_yes, n_judged, band):
    assert band_of(Fraction(100 * n_yes, n_judged), rules.symbols.bands) == band


@pytest.mark.parametrize(
    ("n_yes", "n_judged", "shown"),
    [
        (1599, 2000, 80.0),   # 79.95 rounds half up
        (3, 2000, 0.2),       # 0.15 rounds half up (float rounding would give 0.1)
        (1, 2000, 0.1),       # 0.05
        (2, 3, 66.7),
        (1, 3, 33.3),
        (1, 8, 12.5),
        (13, 20, 65.0),
    ],
)
def test_percentage_is_rounded_half_up_to_one_decimal_from_the_exact_figure(n_yes, n_judged, shown):
    assert display_percent(Fraction(100 * n_yes, n_judged)) == shown


def test_1599_of_2000_is_shown_as_80_percent_but_rated_good(rules):
    rated = rate(rules, judged("J 1", 1599, 2000))
    assert rated["key_questions"]["J 1"] == {"n_judged": 2000, "n_yes": 1599, "percent": 80.0, "band": "Good", "small_sample": False, "left_out": {}}
    assert rated["standards"]["Capped"] == {"band": "Good", "lowest": "J 1"}


def test_a_key_question_judged_in_no_case_has_no_percentage_and_no_band(rules):
    rated = rate(rules, judged("J 1", 3, 4, mappa=False))  # J 3 applies to MAPPA cases only
    assert rated["key_questions"]["J 3"] == {"n_judged": 0, "n_yes": 0, "percent": None, "band": None, "small_sample": False, "left_out": {}}
    assert rated["standards"]["Third"] == {"band": None, "lowest": None}


def test_an_empty_sample_rates_every_figure_as_unknown(rules):
    rated = rate(rules, [])
    assert rated["cases"] == 0
    assert all(entry["percent"] is None and entry["band"] is None for entry in rated["key_questions"].values())
    assert all(entry == {"band": None, "lowest": None} for entry in rated["standards"].values())
    assert rated["groups"] == []


def test_unanswered_and_not_applicable_questions_are_not_counted(rules):
    cases = judged("J 3", 1, 2, mappa=True) + [case({"J 3": "no"}, mappa=False), case(mappa=True)]
    rated = rate(rules, cases)
    assert rated["cases"] == 4
    assert rated["key_questions"]["J 3"] == {"n_judged": 2, "n_yes": 1, "percent": 50.0, "band": "Requires improvement", "small_sample": True, "left_out": {}}


def test_derived_judgements_are_counted_like_answers(rules):
    cases = [case(no_risk=True), case({"J 2": "yes"}, no_risk=True), case({"J 2": "no"}, no_risk=False), case({"J 2": "no"}, no_risk=False)]
    assert rate(rules, cases)["key_questions"]["J 2"] == {"n_judged": 4, "n_yes": 2, "percent": 50.0, "band": "Requires improvement", "small_sample": True, "left_out": {}}


# ---------------------------------------------------------------- standards


def both(j1_yes: int, j2_yes: int, n: int = 100):
    return [case({"J 1": "yes" if i < j1_yes else "no", "J 2": "yes" if i < j2_yes else "no"}) for i in range(n)]


def test_a_standard_takes_the_lowest_band_of_its_key_questions(rules):
    rated = rate(rules, both(85, 60))
    assert rated["key_questions"]["J 1"]["band"] == "Outstanding"
    assert rated["key_questions"]["J 2"]["band"] == "Requires improvement"
    assert rated["standards"]["Both"] == {"band": "Requires improvement", "lowest": "J 2"}


def test_lowest_names_the_key_question_with_the_lowest_share_when_both_share_a_band(rules):
    assert rate(rules, both(70, 66))["standards"]["Both"] == {"band": "Good", "lowest": "J 2"}
    assert rate(rules, both(66, 70))["standards"]["Both"] == {"band": "Good", "lowest": "J 1"}


def test_lowest_names_the_first_declared_key_question_on_an_exact_tie(rules):
    assert rate(rules, both(70, 70))["standards"]["Both"] == {"band": "Good", "lowest": "J 1"}


def test_a_key_question_judged_in_no_case_takes_no_part_in_lowest_banding(rules):
    cases = [case({"J 1": "yes"}) for _ in range(9)] + [case({"J 1": "no"})]
    rated = rate(rules, cases)
    assert rated["key_questions"]["J 2"]["band"] is None
    assert rated["standards"]["Both"] == {"band": "Outstanding", "lowest": "J 1"}


def test_a_standard_without_rated_by_lowest_band_is_rated_by_lowest_band(rules):
    assert rules.symbols.standards["Third"].lowest_band is False
    rated = rate(rules, judged("J 3", 7, 10, mappa=True))
    assert rated["standards"]["Third"] == {"band": "Good", "lowest": "J 3"}


def mappa_cases(j1_yes: int, j3_yes: int, n: int = 10):
    return [case({"J 1": "yes" if i < j1_yes else "no", "J 3": "yes" if i < j3_yes else "no"}, mappa=True) for i in range(n)]


def test_a_cap_lowers_the_band_when_its_judgement_is_in_the_named_band(rules):
    rated = rate(rules, mappa_cases(9, 4))  # J 1 90% Outstanding; J 3 40% Inadequate
    assert rated["key_questions"]["J 1"]["band"] == "Outstanding"
    assert rated["key_questions"]["J 3"]["band"] == "Inadequate"
    assert rated["standards"]["Capped"] == {"band": "Requires improvement", "lowest": "J 1"}
    assert rated["standards"]["Both"]["band"] == "Outstanding"  # no cap on Both (J 2 unjudged)


def test_a_cap_does_nothing_when_its_judgement_is_in_another_band(rules):
    assert rate(rules, mappa_cases(9, 5))["standards"]["Capped"] == {"band": "Outstanding", "lowest": "J 1"}


def test_a_cap_never_raises_a_band(rules):
    assert rate(rules, mappa_cases(3, 4))["standards"]["Capped"] == {"band": "Inadequate", "lowest": "J 1"}


def test_a_cap_whose_judgement_was_judged_in_no_case_does_not_apply(rules):
    assert rate(rules, judged("J 1", 9, 10, mappa=False))["standards"]["Capped"] == {"band": "Outstanding", "lowest": "J 1"}


# ---------------------------------------------------------------- subgroups


def test_groups_by_a_fact_in_declared_order_with_unknown_last(rules):
    cases = judged("J 1", 1, 2, sentence="pss") + judged("J 1", 3, 4, sentence="community") + judged("J 1", 0, 1)
    rated = rate(rules, cases, by="sentence")
    assert [(g["by"], g["value"], g["cases"]) for g in rated["groups"]] == [
        ("sentence", "community", 4), ("sentence", "pss", 2), ("sentence", None, 1),
    ]
    community, pss, unknown = rated["groups"]
    assert community["key_questions"]["J 1"] == {"n_judged": 4, "n_yes": 3, "percent": 75.0, "band": "Good", "small_sample": True, "left_out": {}}
    assert pss["standards"]["Capped"] == {"band": "Requires improvement", "lowest": "J 1"}
    assert unknown["key_questions"]["J 1"]["band"] == "Inadequate"
    assert rated["key_questions"]["J 1"] == {"n_judged": 7, "n_yes": 4, "percent": 57.1, "band": "Requires improvement", "small_sample": True, "left_out": {}}


def test_groups_by_a_question_use_its_answer_and_unknown_when_unanswered(rules):
    cases = [case({"F 2": "high", "J 1": "yes"}), case({"F 2": "low", "J 1": "no"}), case({"J 1": "yes"})]
    rated = rate(rules, cases, by="F 2")
    assert [(g["value"], g["key_questions"]["J 1"]["n_yes"]) for g in rated["groups"]] == [("low", 0), ("high", 1), (None, 1)]


def test_a_question_that_does_not_apply_groups_as_unknown(rules):
    cases = [case({"J 3": "yes"}, mappa=True), case({"J 3": "no"}, mappa=False)]
    assert [(g["value"], g["cases"]) for g in rate(rules, cases, by="J 3")["groups"]] == [("yes", 1), (None, 1)]


def test_a_multi_choice_answer_is_one_group_per_combination_in_option_order(rules):
    cases = [
        case({"F 1": ["housing", "drugs"], "J 1": "yes"}),
        case({"F 1": ["drugs", "housing"], "J 1": "no"}),
        case({"F 1": ["debt"], "J 1": "yes"}),
        case({"F 1": [], "J 1": "yes"}),
        case({"J 1": "no"}),
    ]
    rated = rate(rules, cases, by="F 1")
    assert [(g["value"], g["cases"]) for g in rated["groups"]] == [
        ([], 1), (["debt"], 1), (["drugs", "housing"], 2), (None, 1),
    ]
    assert sum(g["cases"] for g in rated["groups"]) == rated["cases"]


def test_groups_by_bool_and_date_facts_are_json_values(rules):
    cases = [case({"J 1": "yes"}, mappa=True, start_date="2025-02-01"), case({"J 1": "no"}, mappa=False, start_date="2025-01-01")]
    assert [g["value"] for g in rate(rules, cases, by="mappa")["groups"]] == [False, True]
    assert [g["value"] for g in rate(rules, cases, by="start_date")["groups"]] == ["2025-01-01", "2025-02-01"]


def test_grouping_by_an_unknown_name_is_a_usage_error_with_a_suggestion(rules):
    with pytest.raises(UsageError, match=r"'sentense'.*did you mean 'sentence'"):
        rate(rules, [], by="sentense")


def test_bad_case_data_raises_case_data_error(rules):
    with pytest.raises(CaseDataError, match=r"answers.J 1"):
        rate(rules, [case({"J 1": "maybe"})])


# ---------------------------------------------------------------- streaming and the bundled rules


class TrackedCase(dict):
    """A case dict that can be weakly referenced, to see whether the rater keeps it."""


def test_cases_are_streamed_and_not_kept(rules):
    refs: list[weakref.ref] = []
    most_alive = 0

    def cases():
        nonlocal most_alive
        for i in range(200):
            item = TrackedCase(answers={"J 1": "yes" if i % 2 else "no"}, facts={"sentence": "pss"})
            refs.append(weakref.ref(item))
            most_alive = max(most_alive, sum(ref() is not None for ref in refs[-10:]))
            yield item
            del item

    rated = rate(rules, cases(), by="sentence")
    assert rated["key_questions"]["J 1"]["n_judged"] == 200
    assert most_alive <= 2


def test_ruleset_rate_gives_the_same_result_as_rating_rate(rules):
    cases = both(70, 40, 20)
    assert rules.rate(cases, by="F 2").to_dict() == rate(rules, cases, by="F 2")


def test_a_generated_sample_of_thousands_of_cases_rates_against_the_bundled_carag():
    rules = carag_dsl.load()
    key_questions = ["P 2.1.3", "P 2.2.3", "P 2.3.3", "P 2.4.3"]
    rng = random.Random(20250101)
    expected = {qid: [0, 0] for qid in key_questions}
    expected_by_sentence: dict[str, int] = {}
    cases = []
    for i in range(3000):
        sentence = rng.choice(["community", "licence", "pss"])
        answers = {qid: rng.choice(["yes", "no"]) for qid in key_questions if rng.random() < 0.9}
        facts = {"terminated": False, "sentence": sentence, "start_date": "2025-01-06", "suspension": "none"}
        cases.append({"id": i, "facts": facts, "answers": answers})
        expected_by_sentence[sentence] = expected_by_sentence.get(sentence, 0) + 1
        for qid, value in answers.items():
            expected[qid][0] += 1
            expected[qid][1] += value == "yes"
    rated = rules.rate(iter(cases), by="sentence").to_dict()
    assert rated["cases"] == 3000
    for qid, (n_judged, n_yes) in expected.items():
        entry = rated["key_questions"][qid]
        assert (entry["n_judged"], entry["n_yes"]) == (n_judged, n_yes)
        assert entry["band"] == band_of(Fraction(100 * n_yes, n_judged), rules.symbols.bands)
    assert {g["value"]: g["cases"] for g in rated["groups"]} == expected_by_sentence
    assert set(rated["standards"]) == {"Assessment", "Planning", "Implementation and delivery", "Reviewing"}


def test_the_bundled_carag_declares_the_inspectorate_bands_and_one_key_question_per_standard():
    rules = carag_dsl.load()
    assert [(b.name, b.lower_percent) for b in rules.symbols.bands.bands] == [
        ("Inadequate", "0"), ("Requires improvement", "50"), ("Good", "65"), ("Outstanding", "80"),
    ]
    assert {name: [r.question_id for r in s.key_questions] for name, s in rules.symbols.standards.items()} == {
        "Assessment": ["P 2.1.3"], "Planning": ["P 2.2.3"], "Implementation and delivery": ["P 2.3.3"], "Reviewing": ["P 2.4.3"],
    }


# ---------------------------------------------------------------- what a rating says about itself

EXCLUSION = '''
fact terminated_in_first_week: bool

exclude when terminated_in_first_week
    because "terminated within seven days of the order or licence commencing"

exclude when sentence == pss and not mappa
    because "a made-up second reason"
'''


@pytest.fixture(scope="module")
def excluding():
    """The rating fixture with two exclusion rules (cases not inspected), as the CARaG's 'exclude when'."""
    return carag_dsl.loads(FIXTURE.read_text(encoding="utf-8") + EXCLUSION, "excluding.carag")


def test_a_rating_says_what_it_is_and_names_the_rules_that_made_it(rules):
    rated = rate_sample(rules, judged("J 1", 1, 2), date=datetime.date(2025, 3, 31)).to_dict()
    assert rated["description"] == "Share of cases judged sufficient per key question, with the bands of the core inspection framework"
    assert rated["ruleset"] == {"name": "Rating fixture", "version": "1", "hash": rules.content_hash}
    assert rated["ruleset"] == rules.evaluate(case()).to_dict()["ruleset"]  # the same "ruleset" as every eval result
    assert rated["date"] == "2025-03-31"


def test_a_rating_is_dated_today_unless_source_date_epoch_says_otherwise(rules, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert rules.rate([]).date == datetime.date.today()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01T00:00:00Z
    assert rules.rate([]).to_dict()["date"] == "2025-01-01"
    assert run_date({"SOURCE_DATE_EPOCH": "1735689599"}) == datetime.date(2024, 12, 31)


def test_a_source_date_epoch_that_is_not_whole_seconds_is_a_usage_error_saying_what_is_expected():
    with pytest.raises(UsageError, match=r"SOURCE_DATE_EPOCH is '2025-01-01'; expected whole seconds since 1970-01-01 UTC"):
        run_date({"SOURCE_DATE_EPOCH": "2025-01-01"})


def test_cases_not_inspected_are_counted_apart_by_reason_and_take_no_part_in_any_share(excluding):
    cases = (judged("J 1", 2, 3, sentence="community", terminated_in_first_week=False)
             + judged("J 1", 0, 2, sentence="community", terminated_in_first_week=True)
             + judged("J 1", 0, 1, sentence="pss", mappa=False))
    rated = rate(excluding, cases, by="sentence")
    assert rated["cases"] == 3
    assert rated["key_questions"]["J 1"]["n_judged"] == 3 and rated["key_questions"]["J 1"]["band"] == "Good"
    assert rated["counts"] == {
        "read": 6, "rated": 3, "excluded": 3, "not_known_whether_inspected": 0, "rejected": 0,
        "excluded_by_reason": {"terminated within seven days of the order or licence commencing": 2, "a made-up second reason": 1},
        "rejected_lines": [], "rejected_unit": "position",
    }
    assert [(g["value"], g["cases"], g["excluded"]) for g in rated["groups"]] == [("community", 3, 2), ("pss", 0, 1)]
    assert rated["groups"][1]["key_questions"]["J 1"]["n_judged"] == 0


def test_excluded_counts_survive_counting_in_pieces_and_adding_up(excluding):
    cases = judged("J 1", 1, 2, terminated_in_first_week=False) + judged("J 1", 1, 1, terminated_in_first_week=True)
    whole, parts = RatingTally(excluding, "sentence"), RatingTally(excluding, "sentence")
    for item in cases:
        whole.add_case(item)
    for piece in (cases[:2], cases[2:]):
        tally = RatingTally(excluding, "sentence")
        for item in piece:
            tally.add_case(item)
        parts.merge(tally.counts())
    when = datetime.date(2025, 1, 1)
    assert parts.result(date=when).to_dict() == whole.result(date=when).to_dict()
    assert whole.result().counts()["excluded"] == 1


def test_rejected_cases_are_counted_with_their_positions_when_collected(rules):
    cases = [case({"J 1": "yes"}), case({"J 1": "maybe"}), case({"J 1": "no"}), case({"J 1": "nope"})]
    rated = rules.rate(cases, on_error="collect").to_dict()
    assert (rated["counts"]["read"], rated["counts"]["rated"], rated["counts"]["rejected"]) == (4, 2, 2)
    assert (rated["counts"]["rejected_lines"], rated["counts"]["rejected_unit"]) == ([2, 4], "position")
    assert [failure["index"] for failure in rated["failures"]] == [1, 3]


# ---------------------------------------------------------------- small samples


@pytest.mark.parametrize(("n_judged", "small"), [(0, False), (1, True), (9, True), (10, False), (11, False)])
def test_a_figure_judged_in_fewer_than_ten_cases_is_a_small_sample(rules, n_judged, small):
    rated = rate(rules, judged("J 1", 0, n_judged) + [case()] * 12)  # the unjudged cases do not count towards the size
    assert rated["small_sample_below"] == 10
    assert rated["key_questions"]["J 1"]["small_sample"] is small
    assert rated["key_questions"]["J 1"]["band"] == (None if n_judged == 0 else "Inadequate")  # the figure still stands


def test_the_small_sample_size_is_the_one_the_bands_declare():
    text = FIXTURE.read_text(encoding="utf-8").replace('    "Outstanding" from 80%\n', '    "Outstanding" from 80%\n    small sample below 3 cases\n')
    declared = carag_dsl.loads(text)
    assert declared.small_sample_below == 3
    rated = rate(declared, judged("J 1", 1, 2) + judged("J 2", 1, 3))
    assert rated["small_sample_below"] == 3
    assert (rated["key_questions"]["J 1"]["small_sample"], rated["key_questions"]["J 2"]["small_sample"]) == (True, False)


def test_the_bundled_carag_declares_a_small_sample_below_ten_cases():
    assert carag_dsl.load().symbols.bands.small_sample == 10


def test_a_group_of_fewer_rated_cases_than_the_small_sample_size_is_marked(rules):
    cases = judged("J 1", 5, 10, sentence="community") + judged("J 1", 1, 1, sentence="pss")
    groups = rate(rules, cases, by="sentence")["groups"]
    assert [(g["value"], g["cases"], g["small_sample"]) for g in groups] == [("community", 10, False), ("pss", 1, True)]
    assert groups[1]["key_questions"]["J 1"]["small_sample"] is True


# ---------------------------------------------------------------- subgroup labels


@pytest.mark.parametrize(("by", "answers", "facts", "label"), [
    ("sentence", {}, {"sentence": "pss"}, "Post-sentence supervision"),
    ("sentence", {}, {}, "not known"),
    ("mappa", {}, {"mappa": True}, "yes"),
    ("F 1", {"F 1": ["housing", "drugs"]}, {}, "Drugs + Housing"),
    ("F 1", {"F 1": []}, {}, "none of the options"),
    ("F 2", {"F 2": "high"}, {}, "High"),
    ("J 3", {"J 3": "no"}, {"mappa": True}, "No"),
    ("start_date", {}, {"start_date": "2025-02-01"}, "2025-02-01"),
    ("case_type", {}, {}, "not known"),
])
def test_groups_are_labelled_with_the_labels_the_rules_declare(rules, by, answers, facts, label):
    (group,) = rate(rules, [case(answers, **facts)], by=by)["groups"]
    assert group["label"] == label


# ---------------------------------------------------------------- the bundled CARaG


def test_the_carag_cases_not_inspected_are_counted_apart_in_its_rating_with_its_reasons():
    from test_carag_fidelity import EIGHT_TO_28, TERMINATED, WITHIN_SEVEN, on_day

    assert "We do not inspect cases that were terminated within seven days" in TERMINATED  # quoted from the CARaG
    rules = carag_dsl.load()
    start = "2025-02-24"

    def terminated(day: int, **facts):
        return {"facts": {"terminated": True, "sentence": "community", "start_date": start, "suspension": "none",
                          "termination_date": on_day(start, day), **facts}, "answers": {"P 2.1.3": "no"}}

    inspected = {"facts": {"terminated": False, "sentence": "community", "start_date": start, "suspension": "none"},
                 "answers": {"P 2.1.3": "yes"}}
    cases = [inspected, terminated(7), terminated(8, continuity_of_supervision=False), terminated(8, continuity_of_supervision=True),
             terminated(29, continuity_of_supervision=False)]
    rated = rules.rate(cases).to_dict()
    assert rated["counts"]["excluded_by_reason"] == {WITHIN_SEVEN: 1, EIGHT_TO_28: 1}
    assert (rated["counts"]["read"], rated["counts"]["rated"], rated["counts"]["excluded"]) == (5, 3, 2)
    # Only the inspected cases are judged: the one answered yes, and days 8 (with continuity) and 29 answered no.
    assert rated["key_questions"]["P 2.1.3"] == {"n_judged": 3, "n_yes": 1, "percent": 33.3, "band": "Inadequate", "small_sample": True, "left_out": {}}
