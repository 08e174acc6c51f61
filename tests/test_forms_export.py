"""carag export xlsform / surveyjs: valid forms that carry the rules' version, carag's ids and values, escaped text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given

import carag_dsl
from carag_dsl.cli import main
from carag_dsl.compiler.outcomes import consistency_warning
from carag_dsl.testing import cases
from carag_dsl.tools.forms import (
    CannotExpress, form_version, write_xlsform, from_surveyjs_data, from_xform_values, surveyjs_form, surveyjs_plan,
    to_surveyjs_data, to_xform_values, xlsform_plan, xlsform_sheets,
)
from carag_dsl.tools.forms.names import xml_name
from carag_dsl.tools.forms.surveyjs import SurveyJSDialect
from carag_dsl.tools.forms.xlsform import xpath_string
from browser import open_page
from form_replay import surveyjs_visibility, xform_visibility
from node_env import NODE_PROJECT, run_node

openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is not installed (pip install -e '.[test]')")
pyxform = pytest.importorskip("pyxform", reason="pyxform is not installed (pip install -e '.[test]')")
from pyxform.xls2xform import convert  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = FIXTURES / "sample"
CARAG = carag_dsl.load()
HOSTILE_TEXT = ["it's", 'say "hi"', """both ' and " here""", "${sentence} and $ { }", "=SUM(A1)", "back\\slash", "a{b}c", ""]


def _rules_with(tmp_path, text: str) -> Path:
    path = tmp_path / "rules.carag"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ XLSForm

@pytest.mark.parametrize("rules_path", [None, SAMPLE], ids=["CARaG", "sample"])
def test_the_xlsform_converts_with_pyxform_and_carries_the_version_and_carag_ids(rules_path, tmp_path, capsys):
    output = tmp_path / "form.xlsx"
    assert main(["export", "xlsform", *([str(rules_path)] if rules_path else []), "--output", str(output)]) == 0
    rules = carag_dsl.load(rules_path)
    version = form_version(rules)
    assert version.startswith(f"{rules.version}+") and rules.content_hash in version
    assert f"rules version {version}" in capsys.readouterr().out
    workbook = openpyxl.load_workbook(output)
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    settings = dict(zip(*[[c.value for c in row] for row in workbook["settings"].iter_rows()]))
    assert settings["version"] == version and settings["form_title"] == rules.name
    warnings: list[str] = []
    xform = convert(output, warnings=warnings).xform
    assert warnings == []
    assert f'version="{version}"' in xform
    _, names = xlsform_plan(rules)
    for qid in rules.questions:
        assert f'carag:id="{qid}"' in xform and f"/{names.question(qid)}\"" in xform
    for fact in rules.facts:
        assert f'carag:id="{fact}"' in xform


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java (apt-get install default-jre-headless)")
def test_the_xlsform_of_the_carag_passes_odk_validate(tmp_path):
    assert main(["export", "xlsform", "--output", str(tmp_path / "form.xlsx")]) == 0
    convert(tmp_path / "form.xlsx", validate=True)  # raises ODKValidateError on any problem


def test_every_question_of_the_xlsform_has_its_type_label_hint_relevance_and_required():
    sheets = xlsform_sheets(CARAG)
    rows = {row.get("bind::carag:id"): row for row in sheets["survey"] if row["type"] not in ("begin group", "end group", "calculate")}
    assert rows["2.3.01"]["type"] == "select_one yes_no" and rows["2.3.01"]["required"] == "yes"
    assert rows["2.3.01"]["label"].startswith("2.3.01 Does assessment")
    assert rows["2.3.01"]["hint"].startswith("Core cases only")
    # A case not inspected (terminated early: 'exclude when') has no questions.
    # Shown only once the case is known to be inspected: a case that may be excluded has no questions yet.
    assert rows["2.3.01"]["relevant"] == "((${calc-case_type} != '' and ${calc-case_type} = 'core') and ${calc-excluded} = 'false')"
    assert rows["X 4"]["type"].startswith("select_multiple ") and rows["X 4"]["name"] == "X_4"
    assert rows["start_date"]["type"] == "date" and rows["mappa"]["type"] == "select_one carag-boolean"
    calculations = [row["bind::carag:id"] for row in sheets["survey"] if row["type"] == "calculate"]
    assert calculations.index("suspended_within_eight_weeks") < calculations.index("adjusted_by_the_rules") < calculations.index("case_type")
    assert "excluded" in calculations
    groups = [row["label"] for row in sheets["survey"] if row["type"] == "begin group"]
    assert groups[0] == "Case facts" and "Assessment information" in groups


def test_xml_names_keep_the_id_where_they_can_and_never_clash(tmp_path):
    assert [xml_name(i) for i in ("X 4", "2.3.01", "P 2.1.3", "xml_thing", "sentence")] == ["X_4", "_2.3.01", "P_2.1.3", "_xml_thing", "sentence"]
    rules = carag_dsl.load(_rules_with(tmp_path, (
        'fact x_1: bool\n'
        'question "x 1" prompt\n    text "One?"\n    answer yes_no\n'
        'question "x.1" prompt\n    text "Two?"\n    answer yes_no\n'
    )))
    _, names = xlsform_plan(rules)
    assert (names.fact("x_1"), names.question("x 1"), names.question("x.1")) == ("x_1", "x_1-2", "x.1")


def test_text_in_an_xpath_literal_reads_back_unchanged_in_a_browser(tmp_path):
    page_file = tmp_path / "xpath.html"
    page_file.write_text("<!doctype html><title>xpath</title>", encoding="utf-8")
    with open_page(page_file) as (page, errors, _):
        read = page.evaluate(
            "(literals) => literals.map((l) => document.evaluate('string(' + l + ')', document, null, XPathResult.STRING_TYPE, null).stringValue)",
            [xpath_string(text) for text in HOSTILE_TEXT],
        )
    assert read == HOSTILE_TEXT
    assert all("${" not in xpath_string(text) for text in HOSTILE_TEXT)


def test_labels_and_text_that_look_like_references_or_formulas_stay_text(tmp_path):
    rules_path = _rules_with(tmp_path, (
        'fact notes: text\n'
        'constraint notes requires notes != "${notes}" message "=HYPERLINK(\\"x\\") ${notes}"\n'
        'question "Q 1" prompt\n    text "=1+1 costs ${notes}"\n    answer yes_no\n'
        '    applies when notes == "it\'s \\"quoted\\""\n'
    ))
    output = tmp_path / "form.xlsx"
    assert main(["export", "xlsform", str(rules_path), "--output", str(output)]) == 0
    cells = [cell for row in openpyxl.load_workbook(output)["survey"].iter_rows() for cell in row if cell.value]
    assert all(cell.data_type == "s" for cell in cells)
    assert any(str(cell.value).startswith("Q 1 =1+1 costs $\u2060{notes}") for cell in cells)
    warnings: list[str] = []
    xform = convert(output, warnings=warnings).xform
    assert "costs $\u2060{notes}" in xform


def test_a_surveyjs_title_shows_braces_as_written_never_a_value_piped_in(tmp_path):
    rules = carag_dsl.load(_rules_with(tmp_path, 'fact notes: text\nquestion "Q 1" prompt\n    text "costs {notes}"\n    answer yes_no\n'))
    titles = surveyjs_visibility(surveyjs_form(rules), [{"notes": "SECRET"}])["titles"]
    assert titles["Q 1"] == "Q 1 costs {\u2060notes}"


# ------------------------------------------------------------------ SurveyJS

@pytest.mark.parametrize("rules_path", [None, SAMPLE, FIXTURES / "ratings" / "sample.carag"], ids=["CARaG", "sample", "ratings"])
def test_the_surveyjs_json_loads_in_survey_core_without_errors_or_linter_warnings(rules_path, tmp_path):
    output = tmp_path / "form.json"
    assert main(["export", "surveyjs", *([str(rules_path)] if rules_path else []), "--output", str(output)]) == 0
    survey = json.loads(output.read_text(encoding="utf-8"))
    rules = carag_dsl.load(rules_path)
    assert form_version(rules) in survey["description"]
    outcome = surveyjs_visibility(survey, [{}])
    assert outcome["jsonErrors"] == []
    assert outcome["lint"] == []
    names = [element["name"] for page in survey["pages"] for element in page["elements"]]
    reasons = [f"reasons-{qid}" for qid, question in rules.symbols.questions.items() if question.record_reasons]
    # carag's own ids, each 'record reasons' question followed by the field for its reasons
    assert [name for name in names if name not in reasons] == list(rules.facts) + list(rules.questions)
    assert all(names[names.index(name) - 1] == name.removeprefix("reasons-") for name in reasons)


def test_text_in_a_surveyjs_literal_reads_back_unchanged_in_survey_core():
    dialect = SurveyJSDialect()
    writable = [text for text in HOSTILE_TEXT if not text.endswith("\\")]
    done = run_node(NODE_PROJECT / "surveyjs_evaluate.js", stdin=json.dumps([{"expressions": [dialect.string(t) for t in writable]}]))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [writable]


def test_a_rule_surveyjs_cannot_express_exactly_is_refused_with_its_place(tmp_path, capsys):
    rules_path = _rules_with(tmp_path, (
        'fact notes: text\n'
        'question "Q 1" prompt\n    text "Noted?"\n    answer yes_no\n    applies when notes == "Urgent"\n'
    ))
    with pytest.raises(CannotExpress, match="ignoring case"):
        surveyjs_form(carag_dsl.load(rules_path))
    assert main(["export", "surveyjs", str(rules_path), "--output", str(tmp_path / "form.json")]) == 1
    err = capsys.readouterr().err
    assert f"{rules_path}:5:18:" in err and 'notes == "Urgent"' in err
    assert not (tmp_path / "form.json").exists()


# ------------------------------------------------------------------ case data

_SAMPLE_RULES = carag_dsl.load(SAMPLE)


@given(cases(_SAMPLE_RULES))
def test_a_case_moves_into_either_form_and_back_unchanged(case):
    rules = _SAMPLE_RULES
    expected = {
        "facts": {k: v for k, v in case["facts"].items() if v != ""},
        "answers": {k: v for k, v in case["answers"].items() if v != ""},
    }
    _, survey_names = surveyjs_plan(rules)
    assert from_surveyjs_data(rules, survey_names, json.loads(json.dumps(to_surveyjs_data(rules, survey_names, case)))) == expected
    _, xform_names = xlsform_plan(rules)
    assert from_xform_values(rules, xform_names, to_xform_values(rules, xform_names, case)) == expected
    rules.evaluate({"id": "back", **expected})  # evaluates as it is


def test_an_empty_set_is_the_none_of_these_choice_in_both_forms():
    _, names = surveyjs_plan(_SAMPLE_RULES)
    case = {"facts": {"needs": [], "mappa": False, "start_date": "2025-01-31"}, "answers": {"1.2": ["housing"]}}
    assert to_surveyjs_data(_SAMPLE_RULES, names, case) == {"needs": ["none-of-these"], "mappa": False, "start_date": "2025-01-31", "1.2": ["housing"]}
    _, names = xlsform_plan(_SAMPLE_RULES)
    assert to_xform_values(_SAMPLE_RULES, names, case) == {"needs": "none-of-these", "mappa": "false", "start_date": "2025-01-31", "_1.2": "housing"}


# ------------------------------------------------------------------ the command

def test_export_xlsform_without_openpyxl_names_the_extra_to_install(tmp_path):
    code = (
        "import sys; sys.modules['openpyxl'] = None\n"
        "from carag_dsl.cli import main\n"
        f"sys.exit(main(['export', 'xlsform', '--output', {str(tmp_path / 'f.xlsx')!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert done.returncode == 2
    assert "pip install 'carag-dsl[forms]'" in done.stderr


def test_export_needs_a_target_and_a_file_to_write(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["export", "pdf", "--output", "x"])
    assert exit_.value.code == 2
    assert main(["export", "surveyjs", "--output", str(tmp_path)]) == 2
    assert "this is a folder" in capsys.readouterr().err


def test_a_consistency_warning_shows_in_both_forms_exactly_when_carag_warns(tmp_path):
    cases_ = [
        {"id": "broken", "facts": {"terminated": False}, "answers": {"X 9": "yes", "X 6": "not_a_factor", "X 4": ["organised_crime"]}},
        {"id": "kept", "facts": {"terminated": False}, "answers": {"X 9": "yes", "X 6": "yes"}},
        {"id": "unanswered", "facts": {"terminated": False}, "answers": {"X 6": "not_a_factor"}},
    ]
    warning = consistency_warning(next(rule for rule in CARAG.symbols.consistency if rule.field == "X 9"))
    warned = [warning in CARAG.evaluate(case).warnings for case in cases_]
    assert warned == [True, False, False]
    write_xlsform(CARAG, tmp_path / "form.xlsx")
    _, names = xlsform_plan(CARAG)
    shown = xform_visibility(convert(tmp_path / "form.xlsx").xform, [to_xform_values(CARAG, names, c) for c in cases_], tmp_path)
    assert [s["X_9-warning-1"] for s in shown] == warned
    survey = surveyjs_form(CARAG)
    (validator,) = next(e for page in survey["pages"] for e in page["elements"] if e["name"] == "X 9")["validators"]
    assert validator["notificationType"] == "warning"  # the answer is kept
    _, names = surveyjs_plan(CARAG)
    runs = [{"expressions": [validator["expression"]], "values": to_surveyjs_data(CARAG, names, case)} for case in cases_]
    done = run_node(NODE_PROJECT / "surveyjs_evaluate.js", stdin=json.dumps(runs))
    assert done.returncode == 0, done.stderr
    assert [not kept for (kept,) in json.loads(done.stdout)] == warned


def test_a_rule_set_without_facts_or_sections_gives_forms_without_empty_groups(tmp_path):
    rules_path = _rules_with(tmp_path, 'question "Q 1" prompt\n    text "One?"\n    answer yes_no\n')
    assert main(["export", "xlsform", str(rules_path), "--output", str(tmp_path / "form.xlsx")]) == 0
    warnings: list[str] = []
    convert(tmp_path / "form.xlsx", warnings=warnings)
    assert warnings == []
    survey = surveyjs_form(carag_dsl.load(rules_path))
    assert [page["title"] for page in survey["pages"]] == ["Questions"]
    assert surveyjs_visibility(survey, [{}])["lint"] == []


def test_a_record_reasons_question_is_followed_by_an_optional_field_for_its_reasons_shown_with_it():
    sheets = xlsform_sheets(CARAG)
    rows = {row.get("bind::carag:id"): row for row in sheets["survey"] if row["type"] not in ("begin group", "end group", "calculate", "note")}
    marked = [qid for qid, q in CARAG.symbols.questions.items() if q.record_reasons]
    assert len(marked) == 19
    names = [row["name"] for row in sheets["survey"]]
    for qid in marked:
        question, reasons = rows[qid], rows[f"reasons.{qid}"]
        assert names.index(reasons["name"]) > names.index(question["name"])
        between = names[names.index(question["name"]) + 1:names.index(reasons["name"])]
        assert all(name.startswith(question["name"] + "-warning-") for name in between)  # after the question's warnings
        assert reasons["type"] == "text" and "required" not in reasons
        assert reasons.get("relevant") == question.get("relevant")
    assert "reasons.2.3.24" not in rows  # its guidance asks for no reasons


def test_reasons_move_into_either_form_and_back_unchanged():
    case = {"facts": {"sentence": "licence"}, "answers": {"X 6": "yes", "X 9": "no"},
            "reasons": {"X 9": "no work before suspension; the practitioner's caseload was over 70"}}
    _, survey_names = surveyjs_plan(CARAG)
    data = to_surveyjs_data(CARAG, survey_names, case)
    assert data["reasons-X 9"] == case["reasons"]["X 9"]
    assert from_surveyjs_data(CARAG, survey_names, json.loads(json.dumps(data))) == case
    _, xform_names = xlsform_plan(CARAG)
    assert from_xform_values(CARAG, xform_names, to_xform_values(CARAG, xform_names, case)) == case
    assert "reasons" not in from_xform_values(CARAG, xform_names, to_xform_values(CARAG, xform_names, {**case, "reasons": {}}))
