"""The exported forms route as carag does: generated cases replayed through the real form engines.

For the bundled CARaG and three fixtures, 500 cases from ``carag_dsl.testing.cases`` (facts and
answers partly blank) go through survey-core (SurveyJS's engine, in one
Node.js process) and through the binds of the XForm that pyxform makes of the
exported XLSForm (openrosa-xpath-evaluator, Enketo's XPath engine, in one
headless Chromium page). Every question must be shown exactly when carag says
it applies: hidden when it does not apply and while it is pending. Generated
rule sets (``carag_dsl.testing.rule_sets``: nested and/or/not/if, dates and
durations, sets, overrides, derived judgements) go through both engines too.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE, PENDING
from hypothesis import HealthCheck, given, settings

from carag_dsl.testing import rule_sets
from carag_dsl.tools.forms import surveyjs_form, surveyjs_plan, to_surveyjs_data, to_xform_values, write_xlsform, xlsform_plan
from form_replay import CASES_PER_RULE_SET, generated_cases, mismatches, surveyjs_runs, surveyjs_visibility, xform_runs, xform_visibility

pyxform = pytest.importorskip("pyxform", reason="pyxform is not installed (pip install -e '.[test]')")
from pyxform.xls2xform import convert  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RULE_SETS = {
    "the bundled CARaG": None,
    "sample (dates, sets, scales, ints, derive, overrides)": FIXTURES / "sample",
    "ratings (sets, derive)": FIXTURES / "ratings" / "sample.carag",
    "off by one (dates and durations)": FIXTURES / "fuzz" / "off_by_one.carag",
    "groupings (bands of numbers and dates, merged options)": FIXTURES / "groupings.carag",
    # Parts written more than once are named once (calc-shared-N): they must route as inline text did.
    "chained set defines (shared parts)": FIXTURES / "forms" / "chained_set_defines.carag",
}
#: Its one question is dead by design ('<' where '<=' was meant): the forms must never show it.
NEVER_APPLIES = {"off by one (dates and durations)"}


@pytest.fixture(scope="module", params=list(RULE_SETS), ids=list(RULE_SETS))
def replayed(request):
    """(name, rules, cases): the cases are drawn once and replayed through both engines."""
    rules = carag_dsl.load(RULE_SETS[request.param])
    return request.param, rules, generated_cases(rules, CASES_PER_RULE_SET)


def test_the_cases_reach_every_status_so_the_replay_proves_something(replayed):
    name, rules, cases = replayed
    assert len(cases) == CASES_PER_RULE_SET >= 500
    statuses = Counter(q.status for case in cases for q in rules.evaluate(case).questions.values())
    assert statuses[PENDING] and statuses[NOT_APPLICABLE], statuses
    assert bool(statuses[APPLIES]) is (name not in NEVER_APPLIES), statuses


def test_surveyjs_shows_a_question_exactly_when_carag_says_it_applies(replayed):
    _, rules, cases = replayed
    _, names = surveyjs_plan(rules)
    outcome = surveyjs_visibility(surveyjs_form(rules), [to_surveyjs_data(rules, names, case) for case in cases])
    assert outcome["jsonErrors"] == []
    problems = mismatches(rules, names, cases, outcome["visible"])
    assert problems == [], f"{len(problems)} differences, the first:\n" + "\n".join(problems[:10])


@pytest.mark.browser
def test_the_xform_shows_a_question_exactly_when_carag_says_it_applies(replayed, tmp_path):
    _, rules, cases = replayed
    _, names = xlsform_plan(rules)
    write_xlsform(rules, tmp_path / "form.xlsx")
    xform = convert(tmp_path / "form.xlsx").xform
    shown = xform_visibility(xform, [to_xform_values(rules, names, case) for case in cases], tmp_path)
    problems = mismatches(rules, names, cases, shown)
    assert problems == [], f"{len(problems)} differences, the first:\n" + "\n".join(problems[:10])


@pytest.mark.browser
def test_the_replay_catches_a_form_that_shows_a_question_while_it_is_pending(tmp_path):
    """A naive form (no blank guard: 'sentence != community') shows 1.2 before the sentence is known."""
    rules = carag_dsl.load(RULE_SETS["sample (dates, sets, scales, ints, derive, overrides)"])
    _, names = xlsform_plan(rules)
    write_xlsform(rules, tmp_path / "form.xlsx")
    guarded = convert(tmp_path / "form.xlsx").xform
    guard = "/data/group-facts/sentence  != '' and "
    assert guard in guarded
    naive = guarded.replace(guard, "")
    case = {"id": "pending", "facts": {}, "answers": {}}
    shown = xform_visibility(naive, [to_xform_values(rules, names, case)], tmp_path)
    problems = mismatches(rules, names, [case], shown)
    assert problems and problems[0].startswith("question 1.2: carag says does not apply / pending, the form shows it")


GENERATED_RULE_SETS = 40
CASES_PER_GENERATED_RULE_SET = 25


@pytest.fixture(scope="module")
def generated_rule_sets():
    """(text, rules, cases) of generated rule sets (derandomized: the same on every run)."""
    found = []

    @settings(max_examples=GENERATED_RULE_SETS, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(rule_sets())
    def collect(pair):
        found.append(pair)

    collect()
    return [(text, rules, generated_cases(rules, CASES_PER_GENERATED_RULE_SET)) for text, rules in found]


def _first_problems(generated, visible_per_rule_set, plan) -> list[str]:
    for (text, rules, cases), visible in zip(generated, visible_per_rule_set, strict=True):
        problems = mismatches(rules, plan(rules)[1], cases, visible)
        if problems:
            return [f"rules:\n{text}"] + problems[:5]
    return []


def test_generated_rule_sets_route_the_same_in_surveyjs(generated_rule_sets):
    runs = [(surveyjs_form(rules), [to_surveyjs_data(rules, surveyjs_plan(rules)[1], case) for case in cases])
            for _, rules, cases in generated_rule_sets]
    outcomes = surveyjs_runs(runs)
    assert all(outcome["jsonErrors"] == [] for outcome in outcomes)
    problems = _first_problems(generated_rule_sets, [outcome["visible"] for outcome in outcomes], surveyjs_plan)
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_generated_rule_sets_route_the_same_in_the_xform(generated_rule_sets, tmp_path):
    runs = []
    for index, (_, rules, cases) in enumerate(generated_rule_sets):
        workbook = tmp_path / f"form{index}.xlsx"
        write_xlsform(rules, workbook)
        runs.append((convert(workbook).xform, [to_xform_values(rules, xlsform_plan(rules)[1], case) for case in cases]))
    problems = _first_problems(generated_rule_sets, xform_runs(runs, tmp_path), xlsform_plan)
    assert problems == [], "\n".join(problems)
