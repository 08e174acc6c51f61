"""Form names one to one for any id a rule set can have, the XLSForm as ODK users expect it, and what
carag import says about files that are not an export of the form."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import carag_dsl
from carag_dsl.cli import main
from carag_dsl.language.resources import bundled_rules_path
from carag_dsl.tools.forms import surveyjs_form, surveyjs_plan, to_surveyjs_data, to_xform_values, write_xlsform, xlsform_plan, xlsform_sheets
from carag_dsl.tools.forms.names import XLSFORM_RESERVED, surveyjs_name, xml_name
from carag_dsl.tools.forms.xlsform import default_form_id
from form_replay import surveyjs_fills, surveyjs_visibility, xform_fills

openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is not installed (pip install -e '.[test]')")
pyxform = pytest.importorskip("pyxform", reason="pyxform is not installed (pip install -e '.[test]')")
from pyxform.xls2xform import convert  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RATINGS = FIXTURES / "ratings" / "sample.carag"

#: Question ids that meet each other ignoring case, meet names the engines keep, or hold what survey-core and
#: XML names cannot: every one must get a name of its own in both forms, and read back to itself.
HOSTILE_IDS = ["x 1", "X 1", "X_1", "meta", "KEY", "calc-case_type", "a{b}", "c[0]", "$x", " padded ", "#h", "p|q",
               "_id", "2.3.01", "Ünïcode ß", "SS", "xml thing", "reasons-x 1", ""]


def _hostile_rules(tmp_path: Path):
    text = ['fact sentence: one of licence "Licence", community "Community"', 'fact meta: bool']
    for number, qid in enumerate(HOSTILE_IDS):
        text.append(f'question "{qid}" prompt\n    text "Question {number}?"\n    answer yes_no')
        if number % 3 == 0:
            text.append("    record reasons")
    # routing that reads ids differing only in case, so each name must be the right one in an expression
    text.append('question "r 1" prompt\n    text "Routed?"\n    answer yes_no\n    applies when [x 1] == yes and [X 1] == no and meta')
    path = tmp_path / "hostile.carag"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return carag_dsl.load(path), path


def test_every_id_gets_a_name_of_its_own_in_both_forms_and_reads_back_to_itself(tmp_path):
    rules, _ = _hostile_rules(tmp_path)
    for plan in (xlsform_plan, surveyjs_plan):
        _, names = plan(rules)
        form_names = [field.form_name for field in names.fields()] + sorted(names.calculated())
        assert len({name.casefold() for name in form_names}) == len(form_names)
        assert {(f.section, f.carag_name) for f in names.fields()} == (
            {("facts", n) for n in rules.facts} | {("answers", q) for q in rules.questions}
            | {("reasons", q) for q, d in rules.symbols.questions.items() if d.record_reasons})
    _, names = xlsform_plan(rules)
    assert names.question("meta") != "meta" and names.fact("meta") != "meta" and names.question("KEY") != "KEY"
    _, names = surveyjs_plan(rules)
    assert (names.question("x 1"), names.question("X 1")) == ("x 1", "X 1-2")
    assert (names.question("a{b}"), names.question("c[0]"), names.question("$x"), names.question(" padded ")) == ("a(b)", "c(0)", "_$x", "_padded_")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_the_spellings_are_names_the_targets_keep(text):
    name = xml_name(text)
    assert name[0].isalpha() or name[0] == "_"
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in name) and not name.lower().startswith("xml")
    name = surveyjs_name(text)
    assert name == name.strip() or name != text  # survey-core trims names: a name never ends in a space it would cut
    assert not any(c in name for c in "{}[]|") and name[:1] not in ("#", "$", "")


def test_hostile_ids_give_forms_both_engines_load_without_a_warning_and_a_case_comes_back_through_both(tmp_path):
    rules, path = _hostile_rules(tmp_path)
    case = {"id": "c", "facts": {"sentence": "licence", "meta": True},
            "answers": {qid: "yes" if n % 2 else "no" for n, qid in enumerate(HOSTILE_IDS)} | {"x 1": "yes", "X 1": "no", "r 1": "yes"},
            "reasons": {qid: f"why {qid}" for n, qid in enumerate(HOSTILE_IDS) if n % 3 == 0}}
    expected = rules.evaluate(case).to_dict()
    assert expected["questions"]["r 1"]["status"] == "applies"
    # SurveyJS: loads without errors or linter findings, and survey.data imports back to the case
    survey = surveyjs_form(rules)
    # The linter reads any braces in a title as a reference; the titles show them as written (display_text), and
    # a name in braces that is no question's is shown as it is, so the only findings are those, on "a{b}"'s titles.
    lint = surveyjs_visibility(survey, [{}])["lint"]
    assert {(f["ruleId"], f["message"].split(" is not found")[0]) for f in lint} == {("reference/unknown", '"\u2060b"')}
    _, names = surveyjs_plan(rules)
    (filled,) = surveyjs_fills([(survey, [to_surveyjs_data(rules, names, case)])])
    assert filled["jsonErrors"] == []
    results = tmp_path / "results.json"
    results.write_text(json.dumps(filled["data"]), encoding="utf-8")
    output = tmp_path / "cases.jsonl"
    assert main(["import", "surveyjs", str(path), str(results), "--output", str(output)]) == 0
    (back,) = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert rules.evaluate(back).to_dict() == {**expected, "id": back["id"]}
    # XLSForm: pyxform converts it without a warning
    write_xlsform(rules, tmp_path / "form.xlsx")
    warnings: list[str] = []
    convert(tmp_path / "form.xlsx", warnings=warnings)
    assert warnings == []


# ------------------------------------------------------------------ the XLSForm as ODK users expect it

def test_the_xlsform_speaks_english_in_columns_a_translation_can_sit_beside(tmp_path):
    write_xlsform(carag_dsl.load(), tmp_path / "form.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "form.xlsx")
    survey_header = [cell.value for cell in next(workbook["survey"].iter_rows())]
    assert {"label::English (en)", "hint::English (en)", "guidance_hint::English (en)", "constraint_message::English (en)"} <= set(survey_header)
    assert "label" not in survey_header and "hint" not in survey_header
    assert [cell.value for cell in next(workbook["choices"].iter_rows())] == ["list_name", "name", "label::English (en)"]
    settings = dict(zip(*[[c.value for c in row] for row in workbook["settings"].iter_rows()]))
    assert settings["default_language"] == "English (en)" and settings["form_id"] == "carag"
    # a Welsh column added by hand converts, and the XForm carries both languages
    sheet = workbook["survey"]
    column = sheet.max_column + 1
    sheet.cell(row=1, column=column, value="label::Cymraeg (cy)")
    label_column = survey_header.index("label::English (en)") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=label_column).value:
            sheet.cell(row=row, column=column, value="Cwestiwn")
    workbook.save(tmp_path / "welsh.xlsx")
    xform = convert(tmp_path / "welsh.xlsx").xform
    assert 'lang="Cymraeg (cy)"' in xform and 'lang="English (en)"' in xform


def test_yes_no_facts_offer_yes_and_no_and_guidance_goes_in_guidance_hint_with_a_short_hint():
    sheets = xlsform_sheets(carag_dsl.load())
    assert [(c["name"], c["label"]) for c in sheets["choices"] if c["list_name"] == "carag-boolean"] == [("true", "Yes"), ("false", "No")]
    rows = {row.get("bind::carag:id"): row for row in sheets["survey"]}
    question = carag_dsl.load().symbols.questions["2.3.01"]
    assert rows["2.3.01"]["hint"] == "Core cases only"
    assert rows["2.3.01"]["guidance_hint"].split("\n\n")[0] == " ".join(question.guidance.split("\n\n")[0].split())
    assert max(len(row.get("hint") or "") for row in sheets["survey"]) < 200


def test_the_form_id_is_short_stays_across_versions_and_can_be_given(tmp_path, capsys):
    rules = carag_dsl.load()
    assert default_form_id(rules) == "carag"
    assert default_form_id(carag_dsl.load(RATINGS)) == "rating_fixture"
    rules_path = tmp_path / "long.carag"
    rules_path.write_text('ruleset "Case assessment rules and guidance for the inspection of probation services in England" version "2" published 2025-01-01\n'
                          'question "Q" prompt\n    text "Q?"\n    answer yes_no\n', encoding="utf-8")
    found = default_form_id(carag_dsl.load(rules_path))
    assert found == "case_assessment_rules_and" and len(found) <= 32  # whole words, never cut in one
    output = tmp_path / "form.xlsx"
    assert main(["export", "xlsform", str(RATINGS), "--output", str(output), "--form-id", "hmip-trial.2", "--title", "Trial {1}"]) == 0
    settings = dict(zip(*[[c.value for c in row] for row in openpyxl.load_workbook(output)["settings"].iter_rows()]))
    assert (settings["form_id"], settings["form_title"]) == ("hmip-trial.2", "Trial {1}")
    assert 'id="hmip-trial.2"' in convert(output).xform
    for bad in ("2trial", "has space", "x" * 65):
        assert main(["export", "xlsform", str(RATINGS), "--output", str(output), "--form-id", bad]) == 2
        assert "--form-id" in capsys.readouterr().err
    assert main(["export", "surveyjs", str(RATINGS), "--output", str(tmp_path / "f.json"), "--title", "two\nlines"]) == 2
    assert main(["export", "surveyjs", str(RATINGS), "--output", str(tmp_path / "f.json"), "--title", "Rating trial"]) == 0
    assert json.loads((tmp_path / "f.json").read_text())["title"] == "Rating trial"


# ------------------------------------------------------------------ files that are not an export of the form

def _central_csv(rows: list[str]) -> str:
    header = ("SubmissionDate,group-facts-sentence,group-facts-mappa,group-facts-start_date,group-facts-no_risk,derived-J_2,"
              "group-1-J_1,group-1-J_2,group-1-J_3,group-1-F_1,group-1-F_2,meta-instanceID,KEY,FormVersion")
    return "\n".join([header, *rows]) + "\n"


def _import(tmp_path, name: str, content: bytes | str, *extra: str) -> tuple[int, str, list[dict]]:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    output = tmp_path / "out.jsonl"
    code = main(["import", "odk", str(RATINGS), str(path), "--output", str(output), *extra])
    cases = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()] if output.exists() else []
    return code, str(path), cases


def test_an_export_of_another_form_or_with_labels_for_headers_is_refused_as_a_whole(tmp_path, capsys):
    code, path, cases = _import(tmp_path, "labels.csv", "Sentence;Is the first piece of work sufficient?\nLicence;Yes\n")
    assert code == 1 and cases == []
    assert f"{path}: no column names a field of the form" in capsys.readouterr().err
    code, path, _ = _import(tmp_path, "other.csv", _central_csv([]).replace("group-1-F_2", "group-1-F_9"))
    assert code == 1
    assert "column 11 ('group-1-F_9') is not a field of the form made from these rules" in capsys.readouterr().err
    code, path, _ = _import(tmp_path, "twice.csv", _central_csv([]).replace("group-1-F_2", "group-1-F_1"))
    assert code == 1 and "the column 'group-1-F_1' is in the header twice" in capsys.readouterr().err


def test_rows_of_an_export_are_read_each_on_its_own(tmp_path, capsys):
    good = "2025-04-01T09:30:00.000Z,licence,false,2025-02-03,false,,yes,yes,,housing,low,uuid:1,uuid:1,1+09955e2e3663f3a7"
    content = _central_csv([good, "", good.replace("uuid:1", "uuid:2").replace(",low,", ",l\xe9w,"), ",,,,,,,,,,,,,",
                            good.replace("uuid:1,uuid:1", ",uuid:3")]).encode("utf-8").replace("l\xe9w".encode(), b"l\xffw")
    code, path, cases = _import(tmp_path, "rows.csv", content)
    assert code == 1
    err = capsys.readouterr().err
    assert f"{path}:row 4: error: not UTF-8 text" in err
    assert [case["id"] for case in cases] == ["uuid:1", "uuid:3"]  # blank rows skipped; KEY when instanceID is blank


def test_an_export_without_group_names_is_read_by_the_fields_names(tmp_path):
    header = "SubmissionDate,sentence,mappa,start_date,no_risk,derived-J_2,J_1,J_2,J_3,F_1,F_2,instanceID,KEY"
    row = "2025-04-01T09:30:00.000Z,pss,true,2025-02-03,true,yes,no,,yes,,high,uuid:7,uuid:7"
    code, _, cases = _import(tmp_path, "bare.csv", f"{header}\n{row}\n")
    assert code == 0 and cases == [{"id": "uuid:7", "facts": {"sentence": "pss", "mappa": True, "start_date": "2025-02-03", "no_risk": True},
                                    "answers": {"J 1": "no", "J 3": "yes", "F 2": "high"}}]


def test_odk_centrals_zip_is_read_through_its_one_table(tmp_path):
    good = "2025-04-01T09:30:00.000Z,licence,false,2025-02-03,false,,yes,yes,,housing debt,low,uuid:1,uuid:1,1+09955e2e3663f3a7"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("rating_fixture.csv", _central_csv([good]))
        zipped.writestr("media/photo.jpg", b"\xff\xd8")
    code, _, cases = _import(tmp_path, "submissions.zip", archive.getvalue())
    assert code == 0 and cases == [{"id": "uuid:1", "facts": {"sentence": "licence", "mappa": False, "start_date": "2025-02-03", "no_risk": False},
                                    "answers": {"J 1": "yes", "J 2": "yes", "F 1": ["housing", "debt"], "F 2": "low"}}]


def test_surveyjs_results_as_one_object_over_many_lines_or_json_lines(tmp_path, capsys):
    result = {"sentence": "licence", "J 1": "yes", "calc-case_type": ""}
    one = tmp_path / "one.json"
    one.write_text(json.dumps(result, indent=2), encoding="utf-8")
    assert main(["import", "surveyjs", str(RATINGS), str(one)]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": "one.json:1", "facts": {"sentence": "licence"}, "answers": {"J 1": "yes"}}
    lines = tmp_path / "results.jsonl"
    lines.write_text(json.dumps(result) + "\n" + json.dumps({"sentence": "licence", "sentence": "pss"}).replace('"pss"', '"pss", "sentence": "x"') + "\n[1]\n", encoding="utf-8")
    assert main(["import", "surveyjs", str(RATINGS), str(lines)]) == 1
    err = capsys.readouterr().err
    assert f"{lines}:2: error: the key 'sentence' is given twice" in err
    assert f"{lines}:3: error: a SurveyJS result is a JSON object" in err
