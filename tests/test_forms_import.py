"""From the form back to the rules: cases filled in the real form engines, exported as the servers export them,
imported with ``carag import``, evaluate exactly as the cases they came from.

For the bundled CARaG and the form fixtures, 300 generated cases each (``carag_dsl.testing.cases``) are made
into the cases an inspector can fill in: the answers to questions carag says do not apply are left out (a
form hides them), and a question marked ``record reasons`` that applies gets reasons, in text that a CSV or
JSON writer must escape. Then:

- SurveyJS: survey-core fills the exported survey with each case, a question answered only while it is
  shown (tests/node/surveyjs_fill.js), and ``survey.data`` goes into a JSON array;
- ODK: the XForm pyxform makes of the exported workbook is filled with each case and its calculations worked
  out by openrosa-xpath-evaluator (Enketo's XPath engine) in Chromium, and the submissions are written as
  ODK Central exports them (a column per leaf of the instance, group paths joined with ``-``, the metadata
  columns, blank where the form hides a question) and as KoboToolbox does (``;``, ``/``, a 0/1 column per
  choice, ``_uuid``), CSV and XLSX.

Bad submissions are planted among them: every one must be reported at its place, naming its field, and every
other imported: its facts, answers and reasons those of the case it came from, its evaluation (statuses,
values, case type, warnings) the same.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import carag_dsl
from carag_dsl.cli import main
from carag_dsl.compiler import types as T
from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE, PENDING
from carag_dsl.language.resources import bundled_rules_path
from carag_dsl.tools.forms import form_version, surveyjs_form, surveyjs_plan, to_surveyjs_data, to_xform_values, write_xlsform, xlsform_plan
from carag_dsl.tools.forms.expressions import EMPTY_SET_CHOICE
from form_replay import CASES_PER_RULE_SET as CASES_DRAWN, generated_cases, surveyjs_fills, xform_fills

pyxform = pytest.importorskip("pyxform", reason="pyxform is not installed (pip install -e '.[test]')")
openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is not installed (pip install -e '.[test]')")
from pyxform.xls2xform import convert  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: 300 in the test run; CARAG_IMPORT_CASES=3000 pytest tests/test_forms_import.py fills more on demand.
CASES_PER_RULE_SET = int(os.environ.get("CARAG_IMPORT_CASES", "300"))
RULE_SETS = {
    "the bundled CARaG": bundled_rules_path(),
    "sample (dates, sets, scales, ints, derive, overrides)": FIXTURES / "sample",
    "ratings (sets, derive, record reasons)": FIXTURES / "ratings" / "sample.carag",
    "off by one (dates and durations)": FIXTURES / "fuzz" / "off_by_one.carag",
}
#: Reasons as inspectors write them, and as a CSV or JSON writer must escape them.
REASONS = ["no work before suspension; the caseload was over 70", 'said "not now", twice', "line one\nline two",
           "=SUM(A1) is not a formula", "commas, semicolons; and tabs\there", "Cymraeg: ŵ ŷ — “quotes”"]
#: ODK Central's metadata columns, after the fields (lib/data/briefcase.js of central-backend).
CENTRAL_METADATA = ["KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                    "ReviewState", "DeviceID", "Edits", "FormVersion"]
#: KoboToolbox's metadata columns, after the fields (formpack and kpi's export settings).
KOBO_METADATA = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
                 "__version__", "_tags", "_index"]


def as_filled(rules, case: dict[str, Any], number: int) -> dict[str, Any] | None:
    """The case an inspector can fill in: no answers to questions that do not apply (the form hides them, and
    leaving one out may hide another), reasons where a 'record reasons' question applies. None if the answers
    left never settle (routing that changes as answers are taken away)."""
    case = {"id": case["id"], "facts": dict(case["facts"]), "answers": dict(case["answers"])}
    for _ in range(10):
        result = rules.evaluate(case)
        kept = {qid: value for qid, value in case["answers"].items() if result.questions[qid].status == APPLIES}
        if kept == case["answers"]:
            reasons = {qid: REASONS[(number + index) % len(REASONS)]
                       for index, (qid, q) in enumerate(result.questions.items())
                       if q.status == APPLIES and rules.symbols.questions[qid].record_reasons and (number + index) % 3}
            return {**case, "reasons": reasons} if reasons else case
        case["answers"] = kept
    return None


def evaluated(rules, case: dict[str, Any]) -> dict[str, Any]:
    result = rules.evaluate(case).to_dict()
    result.pop("id")
    return result


@pytest.fixture(scope="module", params=list(RULE_SETS), ids=list(RULE_SETS))
def filled(request):
    """(rules path, rules, cases an inspector can fill in), drawn once for both engines."""
    rules = carag_dsl.load(RULE_SETS[request.param])
    # The cases the replay draws (drawn once for both tests), as many more as asked for.
    drawn = generated_cases(rules, max(CASES_DRAWN, CASES_PER_RULE_SET + 30))
    found = [as_filled(rules, case, number) for number, case in enumerate(drawn)]
    cases = [dict(case, id=f"case {number}") for number, case in enumerate(c for c in found if c is not None)][:CASES_PER_RULE_SET]
    return RULE_SETS[request.param], rules, cases


def test_the_filled_cases_reach_every_status_and_carry_answers(filled):
    _, rules, cases = filled
    assert len(cases) == CASES_PER_RULE_SET >= 300
    statuses = Counter(q.status for case in cases for q in rules.evaluate(case).questions.values())
    assert statuses[PENDING] and statuses[NOT_APPLICABLE], statuses
    if statuses[APPLIES]:  # (off by one's only question never applies, by design)
        assert sum(bool(case["answers"]) for case in cases) > len(cases) // 10


# ------------------------------------------------------------------ planting bad submissions

def _fields_by_kind(names) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for field in names.fields():
        kind = "choice" if field.type.kind in T.SINGLE_OPTION_KINDS else field.type.kind
        found.setdefault(kind, field)
    return found


SURVEYJS_BAD = {  # kind of field -> a value its question could not have given
    "choice": "not-a-choice", "bool": "yes", "int": 2.5, "date": "2025-02-30", "any": None,
}


def plant_surveyjs(names, submissions: list[Any]) -> dict[int, str]:
    """Bad results put among the good ones: element number -> what its error must name."""
    fields = _fields_by_kind(names)
    bad: list[tuple[Any, str]] = [({"no such question": 1}, "'no such question'"), (42, "not 42")]
    for kind, value in SURVEYJS_BAD.items():
        field = fields.get(kind)
        if field is not None:
            if kind == "any":
                value = [EMPTY_SET_CHOICE, T.option_codes(field.type)[0]]
            bad.append(({field.form_name: value}, f"field {field.form_name!r}"))
    expected = {}
    for index, (result, named) in enumerate(bad):
        position = min(len(submissions), 7 + index * 13)
        submissions.insert(position, result)
        expected[position + 1] = named
    return expected


def _errors(stderr: str, path: Path, unit: str) -> dict[int, str]:
    found = {}
    for line in stderr.splitlines():
        match = re.match(re.escape(str(path)) + rf":{unit}(\d+): error: (.*)", line)
        if match:
            found[int(match.group(1))] = match.group(2)
    return found


def _imported(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


def _as_sets(values: dict[str, Any]) -> dict[str, Any]:
    """A multiple choice is a set: the order of its choices is the form's, or the case's."""
    return {key: sorted(value) if isinstance(value, list) else value for key, value in values.items()}


def assert_round_trip(rules, cases, imported, ids=None):
    assert len(imported) == len(cases)
    for case, back in zip(cases, imported, strict=True):
        if ids is not None:
            assert back["id"] == ids.pop(0)
        for section in ("facts", "answers", "reasons"):
            assert _as_sets(back.get(section, {})) == _as_sets(case.get(section, {})), (section, case, back)
        assert evaluated(rules, back) == evaluated(rules, case), case


# ------------------------------------------------------------------ SurveyJS

def test_cases_filled_in_survey_core_import_and_evaluate_as_they_were_and_bad_results_are_named(filled, tmp_path, capsys):
    rules_path, rules, cases = filled
    _, names = surveyjs_plan(rules)
    (outcome,) = surveyjs_fills([(surveyjs_form(rules), [to_surveyjs_data(rules, names, case) for case in cases])])
    assert outcome["jsonErrors"] == []
    submissions: list[Any] = list(outcome["data"])
    planted = plant_surveyjs(names, submissions)
    results = tmp_path / "results.json"
    results.write_text(json.dumps(submissions, ensure_ascii=False, indent=1), encoding="utf-8")
    output = tmp_path / "cases.jsonl"
    assert main(["import", "surveyjs", str(rules_path), str(results), "--output", str(output)]) == 1
    errors = _errors(capsys.readouterr().err, results, "element ")
    assert set(errors) == set(planted)
    assert all(planted[number] in errors[number] for number in planted), errors
    assert_round_trip(rules, cases, _imported(output))


# ------------------------------------------------------------------ ODK Central and KoboToolbox

def _filled_xform(rules, cases, tmp_path):
    """(names, the instances filled in the XForm): per case the form's shown fields and every leaf's text."""
    _, names = xlsform_plan(rules)
    workbook = tmp_path / "form.xlsx"
    write_xlsform(rules, workbook)
    warnings: list[str] = []
    xform = convert(workbook, warnings=warnings).xform
    assert warnings == []
    (fills,) = xform_fills([(xform, [to_xform_values(rules, names, case) for case in cases])], tmp_path)
    return names, fills


def _submitted(fill: dict[str, Any], path: str) -> str:
    """A leaf's text in the submission: blank where the form does not show the field (engines drop those values)."""
    name = path.rsplit("/", 1)[-1]
    return fill["values"][path] if fill["shown"].get(name, True) else ""


def central_table(rules, fills: list[dict[str, Any]]) -> list[list[str]]:
    """The submissions as ODK Central's CSV export lays them out."""
    leaves = list(fills[0]["values"])
    header = ["SubmissionDate"] + ["-".join(leaf.split("/")[2:]) for leaf in leaves] + CENTRAL_METADATA
    rows = [header]
    for number, fill in enumerate(fills):
        instance = f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'case {number}')}"
        values = {**fill["values"], leaves[leaves.index("/data/meta/instanceID")]: instance}
        cells = [_submitted({**fill, "values": values}, leaf) for leaf in leaves]
        meta = {"KEY": instance, "SubmitterID": "7", "SubmitterName": "An Inspector", "AttachmentsPresent": "0",
                "AttachmentsExpected": "0", "Status": "", "ReviewState": "", "DeviceID": "collect:x1", "Edits": "0",
                "FormVersion": form_version(rules)}
        rows.append([f"2026-01-{number % 28 + 1:02d}T10:00:00.000Z"] + cells + [meta[column] for column in CENTRAL_METADATA])
    return rows


def kobo_table(names, fills: list[dict[str, Any]]) -> list[list[str]]:
    """The submissions as KoboToolbox exports them ('XML values and headers', group separator '/', a 0/1 column per
    choice of a multiple choice field), without the meta group: the case id is _uuid."""
    choices = {field.form_name: [*T.option_codes(field.type), EMPTY_SET_CHOICE] for field in names.fields() if field.type.kind == "any"}
    leaves = [leaf for leaf in fills[0]["values"] if not leaf.startswith("/data/meta/")]
    header: list[str] = []
    for leaf in leaves:
        column = "/".join(leaf.split("/")[2:])
        header.append(column)
        header.extend(f"{column}/{choice}" for choice in choices.get(leaf.rsplit("/", 1)[-1], ()))
    rows = [header + KOBO_METADATA]
    for number, fill in enumerate(fills):
        cells = []
        for leaf in leaves:
            text = _submitted(fill, leaf)
            cells.append(text)
            chosen = text.split()
            cells.extend(("1" if choice in chosen else "0") if text else "" for choice in choices.get(leaf.rsplit("/", 1)[-1], ()))
        meta = [str(1000 + number), str(uuid.uuid5(uuid.NAMESPACE_URL, f"kobo {number}")), "2026-01-05T10:00:00", "", "[]",
                "submitted_via_web", "", "vGc4", "[]", str(number + 1)]
        rows.append(cells + meta)
    return rows


def plant_odk(names, rows: list[list[str]], version_column: int | None) -> dict[int, str]:
    """Bad rows put among the good ones (copies of good rows with one cell spoilt): row number -> what its error names."""
    header = rows[0]
    fields = _fields_by_kind(names)
    spoilt = {"bool": "Yes", "int": "12.5", "date": "31/01/2025", "choice": "not-a-choice", "any": None}
    bad: list[tuple[list[str], str]] = []
    for kind, text in spoilt.items():
        field = fields.get(kind)
        if field is None:
            continue
        index = next(i for i, column in enumerate(header) if column.endswith(("-" + field.form_name, "/" + field.form_name)))
        row = list(rows[1])
        row[index] = f"{EMPTY_SET_CHOICE} {T.option_codes(field.type)[0]}" if kind == "any" else text
        bad.append((row, f"field {field.form_name!r}"))
    if version_column is not None:
        row = list(rows[1])
        row[version_column] = "0.1+0000000000000000"
        bad.append((row, "rules version '0.1+0000000000000000'"))
    bad.append((rows[1] + ["one cell too many"], f"the header names {len(header)} columns"))
    expected = {}
    for index, (row, named) in enumerate(bad):
        position = min(len(rows), 5 + index * 11)
        rows.insert(position, row)
        expected[position + 1] = named  # the header is row 1
    return expected


def _write_csv(path: Path, rows: list[list[str]], delimiter: str, quote_all: bool) -> None:
    """Rows ending in a line feed, a cell in quotes (doubled inside) when it must be or ``quote_all``: csv-stringify's
    way (ODK Central) quotes a cell holding the delimiter, a quote, a line feed or a carriage return."""
    def cell(text: str) -> str:
        if quote_all or any(mark in text for mark in (delimiter, '"', "\n", "\r")):
            return '"' + text.replace('"', '""') + '"'
        return text

    path.write_text("".join(delimiter.join(map(cell, row)) + "\n" for row in rows), encoding="utf-8", newline="")


@pytest.mark.browser
def test_cases_filled_in_the_xform_import_from_odk_central_and_kobotoolbox_exports_as_they_were(filled, tmp_path, capsys):
    rules_path, rules, cases = filled
    names, fills = _filled_xform(rules, cases, tmp_path)
    central = central_table(rules, fills)
    ids = [row[central[0].index("meta-instanceID")] for row in central[1:]]
    planted = plant_odk(names, central, central[0].index("FormVersion"))
    export = tmp_path / "submissions.csv"
    _write_csv(export, central, ",", quote_all=False)  # csv-stringify's way: quotes only where needed
    output = tmp_path / "cases.jsonl"
    assert main(["import", "odk", str(rules_path), str(export), "--output", str(output)]) == 1
    errors = _errors(capsys.readouterr().err, export, "row ")
    assert set(errors) == set(planted), {n: e for n, e in errors.items() if n not in planted}
    assert all(planted[number] in errors[number] for number in planted), errors
    assert_round_trip(rules, cases, _imported(output), ids)

    kobo = kobo_table(names, fills)
    kobo_ids = [row[kobo[0].index("_uuid")] for row in kobo[1:]]
    export = tmp_path / "kobo.csv"
    _write_csv(export, kobo, ";", quote_all=True)  # KoboToolbox's way: ';' and every cell quoted
    assert main(["import", "odk", str(rules_path), str(export), "--output", str(output)]) == 0
    assert_round_trip(rules, cases, _imported(output), kobo_ids)


@pytest.mark.browser
def test_a_kobotoolbox_xlsx_export_without_the_fields_own_choice_columns_imports_the_same(tmp_path):
    """XLSX, numbers and dates as a spreadsheet keeps them, a multiple choice field only as its 0/1 columns."""
    rules = carag_dsl.load(RULE_SETS["sample (dates, sets, scales, ints, derive, overrides)"])
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # control characters, which no workbook can hold

    def fits_a_workbook(value: Any) -> bool:  # (and a carriage return, which a workbook's XML reads as a line feed)
        return not ILLEGAL_CHARACTERS_RE.search(str(value)) and "\r" not in str(value)

    found = [as_filled(rules, case, number) for number, case in enumerate(generated_cases(rules, 40))]
    cases = [case for case in found if case is not None
             and all(fits_a_workbook(value) for section in ("facts", "answers") for value in case[section].values())]
    names, fills = _filled_xform(rules, cases, tmp_path)
    table = kobo_table(names, fills)
    multiple = {field.form_name for field in names.fields() if field.type.kind == "any"}
    keep = [index for index, column in enumerate(table[0]) if column.rsplit("/", 1)[-1] not in multiple]
    workbook = openpyxl.Workbook()
    for row in table:
        workbook.active.append([_as_spreadsheet_keeps_it(row[index]) for index in keep])
    export = tmp_path / "kobo.xlsx"
    workbook.save(export)
    output = tmp_path / "cases.jsonl"
    assert main(["import", "odk", str(FIXTURES / "sample"), str(export), "--output", str(output)]) == 0
    assert_round_trip(rules, cases, _imported(output))


def _as_spreadsheet_keeps_it(text: str) -> Any:
    if re.fullmatch(r"-?\d+", text) and len(text) < 10:
        return int(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        import datetime

        return datetime.datetime.fromisoformat(text)
    return text


# ------------------------------------------------------------------ eval and rate read submissions through the same reader

def test_eval_and_rate_read_submissions_with_from_as_import_reads_them(tmp_path, capsys):
    sample = FIXTURES / "sample"
    rules = carag_dsl.load(sample)
    _, names = surveyjs_plan(rules)
    cases = [case for case in (as_filled(rules, c, n) for n, c in enumerate(generated_cases(rules, 30))) if case is not None]
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(to_surveyjs_data(rules, names, case)) + "\n" for case in cases) + '{"sentence": 3}\n',
                       encoding="utf-8")
    imported = tmp_path / "cases.jsonl"
    assert main(["import", "surveyjs", str(sample), str(results), "--output", str(imported)]) == 1
    import_errors = capsys.readouterr().err
    assert f"{results}:{len(cases) + 1}: error: field 'sentence' (fact sentence): 3 is not allowed" in import_errors
    assert main(["eval", str(sample), "--from", "surveyjs", "--cases", str(results), "--output", str(tmp_path / "direct.jsonl")]) == 1
    assert f"{results}:{len(cases) + 1}: error: field 'sentence'" in capsys.readouterr().err
    assert main(["eval", str(sample), "--cases", str(imported), "--output", str(tmp_path / "via.jsonl")]) == 0
    assert (tmp_path / "direct.jsonl").read_text() == (tmp_path / "via.jsonl").read_text()
    capsys.readouterr()
    assert main(["rate", str(sample), "--from", "surveyjs", "--cases", str(results), "--format", "json"]) == 1
    direct = json.loads(capsys.readouterr().out)
    assert main(["rate", str(sample), "--cases", str(imported), "--format", "json"]) == 0
    via = json.loads(capsys.readouterr().out)
    assert direct["counts"]["rejected"] == 1 and direct["counts"]["rejected_lines"] == [len(cases) + 1]
    assert {k: v for k, v in direct.items() if k != "counts"} == {k: v for k, v in via.items() if k != "counts"}


def test_from_is_refused_where_it_cannot_apply(capsys):
    assert main(["eval", "--from", "odk", "--case", "x.json"]) == 2
    assert "--from reads a file of submissions" in capsys.readouterr().err
    assert main(["rate", "--from", "odk", "--cases", "x.csv", "--engine", "dask"]) == 2
    assert "leave out --engine dask" in capsys.readouterr().err
