"""Replaying generated cases through the real form engines, against carag's own statuses.

``generated_cases`` draws cases with the Hypothesis strategy of
``carag_dsl.testing`` (facts and answers partly blank); ``surveyjs_visibility``
runs them all through survey-core in one Node.js process;
``xform_visibility`` evaluates the binds of the XForm that pyxform makes of
the exported XLSForm with openrosa-xpath-evaluator (Enketo's XPath engine) in
one headless Chromium page. ``mismatches`` names every question (and field for
a question's reasons) whose visibility differs from "carag says it applies".
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from carag_dsl.compiler.outcomes import APPLIES
from carag_dsl.testing import cases
from browser import open_page
from node_env import NODE_PROJECT, node_modules, run_node

SURVEYJS_REPLAY = NODE_PROJECT / "surveyjs_replay.js"
SURVEYJS_FILL = NODE_PROJECT / "surveyjs_fill.js"
XFORM_REPLAY_PAGE = NODE_PROJECT / "xform_replay_page.js"
#: Forms are filled in England: the XForm replay runs in its time zone, summer time and all.
TIME_ZONE = "Europe/London"


#: Cases replayed per rule set; CARAG_FORMS_CASES=5000 pytest tests/test_forms_replay.py replays more on demand.
CASES_PER_RULE_SET = int(os.environ.get("CARAG_FORMS_CASES", "500"))
_drawn: dict[tuple[str, int], list[dict[str, Any]]] = {}


def generated_cases(rules, count: int) -> list[dict[str, Any]]:
    """``count`` cases from the strategy (derandomized: the same cases on every run), drawn once per rule set
    and count in a test run (the replay and the import tests fill the same cases)."""
    key = (rules.content_hash, count)
    if key not in _drawn:
        _drawn[key] = _draw(rules, count)
    return [dict(case) for case in _drawn[key]]


def _draw(rules, count: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    @settings(max_examples=count, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(cases(rules))
    def collect(case):
        found.append(_without_empty_text(case))

    collect()
    return found[:count]


def _without_empty_text(case: dict[str, Any]) -> dict[str, Any]:
    """A form cannot hold an empty text apart from a blank field: both are a missing value."""
    return {
        "id": case["id"],
        "facts": {k: v for k, v in case["facts"].items() if v != ""},
        "answers": {k: v for k, v in case["answers"].items() if v != ""},
    }


def carag_applies(rules, case) -> dict[str, bool]:
    result = rules.evaluate(case)
    return {qid: question.status == APPLIES for qid, question in result.questions.items()}


def surveyjs_visibility(survey: dict[str, Any], data: list[dict[str, Any]]) -> dict[str, Any]:
    """One survey's load errors, linter findings, titles and, per case, which questions it shows."""
    return surveyjs_runs([(survey, data)])[0]


def surveyjs_runs(runs: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """:func:`surveyjs_visibility` of several surveys, all in one Node.js process."""
    payload = {"runs": [{"survey": survey, "cases": data} for survey, data in runs]}
    done = run_node(SURVEYJS_REPLAY, stdin=json.dumps(payload), timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)["runs"]


def surveyjs_fills(runs: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Each survey filled in survey-core with each case's answers, as an inspector fills it (only what is shown):
    per survey its load errors and, per case, ``survey.data``. One Node.js process for all of them."""
    payload = {"runs": [{"survey": survey, "cases": data} for survey, data in runs]}
    done = run_node(SURVEYJS_FILL, stdin=json.dumps(payload), timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)["runs"]


def mismatches(rules, names, cases_: list[dict[str, Any]], visible: list[dict[str, bool]]) -> list[str]:
    """One line per question whose visibility in the form is not 'carag says it applies'."""
    problems = []
    for case, shown in zip(cases_, visible, strict=True):
        for qid, applies in carag_applies(rules, case).items():
            fields = [("question", names.question(qid))]
            if rules.symbols.questions[qid].record_reasons:  # its reasons are asked for exactly when it is
                fields.append(("the reasons for question", names.reasons(qid)))
            for what, field in fields:
                if shown.get(field) != applies:
                    problems.append(
                        f"{what} {qid}: carag says {'applies' if applies else 'does not apply / pending'}, "
                        f"the form {'shows' if shown.get(field) else 'hides'} it; case {json.dumps(case, sort_keys=True)}"
                    )
    return problems


def xform_visibility(xform: str, values: list[dict[str, str]], folder: Path) -> list[dict[str, bool]]:
    """Every case through the XForm's binds in ONE headless Chromium page (openrosa-xpath-evaluator)."""
    return xform_runs([(xform, values)], folder)[0]


def xform_runs(runs: list[tuple[str, list[dict[str, str]]]], folder: Path) -> list[list[dict[str, bool]]]:
    """:func:`xform_visibility` of several XForms, all in one page."""
    return _in_xform_page(runs, folder, "replayXForm")


def xform_fills(runs: list[tuple[str, list[dict[str, str]]]], folder: Path) -> list[list[dict[str, Any]]]:
    """Each XForm's instance filled with each case's values in one page: per case ``shown`` (field name -> whether
    the form shows it) and ``values`` (the path of every leaf of the instance -> its text, calculations worked out)."""
    return _in_xform_page(runs, folder, "fillXForm")


def _in_xform_page(runs, folder: Path, function: str):
    package = node_modules() / "openrosa-xpath-evaluator"
    modules = {
        f"openrosa-xpath-evaluator/{path.relative_to(package).as_posix()}": path.read_text(encoding="utf-8")
        for path in sorted((package / "src").rglob("*.js"))
    }
    bundle = json.dumps(modules).replace("</", "<\\/")
    page_file = folder / "xform_replay.html"
    page_file.write_text(
        "<!doctype html><meta charset=utf-8><title>XForm replay</title>"
        f"<script>const MODULES = {bundle};</script>"
        f"<script>{XFORM_REPLAY_PAGE.read_text(encoding='utf-8')}</script>",
        encoding="utf-8",
    )
    with open_page(page_file, timezone_id=TIME_ZONE) as (page, errors, outside):
        shown = page.evaluate(f"(runs) => runs.map(([xform, cases]) => {function}(xform, cases))", [list(run) for run in runs])
        assert errors == [] and outside == [], (errors, outside)
    return shown
