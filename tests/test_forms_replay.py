"""The exported forms route as carag does: generated cases replayed through the real form engines.

For each rule set, 500 cases from ``carag_dsl.testing.cases`` (facts and
answers partly blank) go through survey-core (SurveyJS's engine, in one
Node.js process) and through the binds of the XForm that pyxform makes of the
exported XLSForm (openrosa-xpath-evaluator, Enketo's XPath engine, in one
headless Chromium page). Every question must be shown exactly when carag says
it applies: hidden when it does not apply and while it is pending.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE, PENDING
from carag_dsl.tools.forms import surveyjs_form, surveyjs_plan, to_surveyjs_data, to_xform_values, write_xlsform, xlsform_plan
from form_replay import generated_cases, mismatches, surveyjs_visibility, xform_visibility

pyxform = pytest.importorskip("pyxform", reason="pyxform is not installed (pip install -e '.[test]')")
from pyxform.xls2xform import convert  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CASES_PER_RULE_SET = 500
RULE_SETS = {
    "the bundled CARaG": None,
    "sample (dates, sets, scales, ints, derive, overrides)": FIXTURES / "sample",
    "ratings (sets, derive)": FIXTURES / "ratings" / "sample.carag",
    "off by one (dates and durations)": FIXTURES / "fuzz" / "off_by_one.carag",
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
    assert len(cases) == CASES_PER_RULE_SET
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
