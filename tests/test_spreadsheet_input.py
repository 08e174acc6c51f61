"""Case data as spreadsheets write it (issue 13, point 6, input): option labels as well as codes, Yes/No in any
capitals, UK dates, blank cells as unknown in CSV and Parquet; a ``.json`` file holding a JSON array of cases.
Both engines read them alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carag_dsl import load
from carag_dsl.cli import main
from carag_dsl.runtime.wide import csv_cell_value

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "sample"
ENGINES = ["per-case", "columnar"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE)


def types(sample):
    facts = sample.symbols.facts
    questions = sample.symbols.questions
    return {"sentence": facts["sentence"].type, "mappa": facts["mappa"].type, "start_date": facts["start_date"].type,
            "needs": facts["needs"].type, "1.1": questions["1.1"].answer, "1.3": questions["1.3"].answer,
            "1.5": questions["1.5"].answer, "previous_orders": facts["previous_orders"].type}


@pytest.mark.parametrize("name,cell,value", [
    ("sentence", "Post-sentence supervision", "pss"),
    ("sentence", "post-sentence SUPERVISION", "pss"),
    ("sentence", "licence", "licence"),
    ("sentence", "LICENCE", "licence"),
    ("1.3", "Not a factor", "not_a_factor"),
    ("1.3", "NOT_A_FACTOR", "not_a_factor"),
    ("1.1", "Yes", "yes"),
    ("1.1", "YES", "yes"),
    ("1.1", "no", "no"),
    ("1.5", "Medium", "medium"),
    ("mappa", "Yes", True),
    ("mappa", "YES", True),
    ("mappa", "No", False),
    ("mappa", "FALSE", False),
    ("needs", "Housing; employment", ["housing", "employment"]),
    ("start_date", "2025-02-28", "2025-02-28"),
    ("start_date", "28/02/2025", "2025-02-28"),
    ("start_date", "1/2/2025", "2025-02-01"),
])
def test_a_cell_is_read_as_a_spreadsheet_writes_it(sample, name, cell, value):
    assert csv_cell_value(types(sample)[name], cell) == (value, None)


@pytest.mark.parametrize("name,cell,words", [
    ("start_date", "2025-W01-1", "is not a date; expected a date written YYYY-MM-DD or dd/mm/yyyy"),
    ("start_date", "20250101XX", "is not a date"),
    ("start_date", "02/28/2025", "is not a real date (read as day/month/year)"),
    ("start_date", "31/02/2025", "is not a real date"),
    ("start_date", "2025/02/28", "is not a date"),
    ("needs", "Housing;Transport", "'Transport' is not an option"),
    ("mappa", "maybe", "expected true or false"),
    ("previous_orders", "9" * 5000, "too many digits"),
])
def test_a_cell_no_spreadsheet_form_fits_is_refused_saying_what_is_allowed(sample, name, cell, words):
    value, wrong = csv_cell_value(types(sample)[name], cell)
    assert value is None and words in wrong and len(wrong) < 400


SPREADSHEET_CSV = """id,sentence,start_date,mappa,1.1,1.3,1.5,needs,notes
a,Licence,06/01/2025,Yes,YES,Not a factor,Medium,Housing;Employment,
b,licence,2025-01-06,true,yes,not_a_factor,medium,housing;employment,
c,Community sentence,,NO,,,,,
d,Licence,2025-W01-1,,,,,,
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_csv_written_with_labels_yes_no_and_uk_dates_gives_the_results_of_the_codes(tmp_path, engine, capsys):
    path = tmp_path / "cases.csv"
    path.write_text(SPREADSHEET_CSV, encoding="utf-8")
    code, out, err = run(capsys, "eval", SAMPLE, "--cases", path, "--engine", engine)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [r["id"] for r in results] == ["a", "b", "c"]
    first, second = ({k: v for k, v in r.items() if k != "id"} for r in results[:2])
    assert first == second  # labels, Yes, dd/mm/yyyy read as the codes, true and YYYY-MM-DD
    assert results[2]["questions"]["1.1"]["value"] is None  # a blank cell is unknown
    assert f"{path}:5: error: case 'd': column 3 ('start_date'): '2025-W01-1' is not a date" in err


def test_both_engines_read_a_spreadsheet_csv_alike(tmp_path, capsys):
    path = tmp_path / "cases.csv"
    path.write_text(SPREADSHEET_CSV, encoding="utf-8")
    for command in (["eval"], ["rate", "--format", "json", "--by", "sentence"]):
        per_case = run(capsys, command[0], SAMPLE, "--cases", path, "--engine", "per-case", *command[1:])
        columnar = run(capsys, command[0], SAMPLE, "--cases", path, "--engine", "columnar", *command[1:])
        assert per_case == columnar


def test_parquet_text_cells_are_read_as_csv_cells_are(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"id": ["a", "b"], "sentence": ["Licence", "licence"], "start_date": ["06/01/2025", "2025-01-06"],
                      "mappa": ["Yes", None], "1.3": ["Not a factor", "not_a_factor"], "1.1": ["", None]})
    path = tmp_path / "cases.parquet"
    pq.write_table(table, path)
    outputs = [run(capsys, "eval", SAMPLE, "--cases", path, "--engine", engine) for engine in ENGINES]
    assert outputs[0] == outputs[1]
    code, out, _ = outputs[0]
    first, second = (json.loads(line) for line in out.splitlines())
    assert code == 0 and first["questions"]["1.3"]["value"] == "not_a_factor" == second["questions"]["1.3"]["value"]
    assert first["questions"]["1.1"]["value"] is None  # a blank text cell is unknown, as a null


def cases_json_array(tmp_path: Path) -> Path:
    path = tmp_path / "cases.json"
    path.write_bytes(b'[\n  {"id": "one", "facts": {"sentence": "licence"}},\n  {"id": NaN},\n  {"id": "\xff"},\n'
                     b'  {"id": "three", "facts": {"sentense": "licence"}},\n  {"id": "four", "facts": {"sentence": "pss"}}\n]\n')
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_a_json_file_holding_an_array_of_cases_is_read_element_by_element(tmp_path, engine, capsys):
    path = cases_json_array(tmp_path)
    code, out, err = run(capsys, "eval", SAMPLE, "--cases", path, "--engine", engine)
    assert code == 1 and [json.loads(line)["id"] for line in out.splitlines()] == ["one", "four"]
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert [line.split(": error: ")[0] for line in errors] == [f"{path}:element {n}" for n in (2, 3, 4)]
    assert "NaN" in errors[0] and "not UTF-8" in errors[1] and "sentense" in errors[2]
    assert f"3 bad elements in {path}; the others were evaluated" in err  # counted as they are placed
    code, out, err = run(capsys, "rate", SAMPLE, "--cases", path, "--format", "json", "--engine", engine)
    assert code == 1 and json.loads(out)["cases"] == 2
    assert f"3 bad elements in {path} left out of the rating" in err


def test_a_broken_json_array_says_where_and_keeps_the_elements_before(tmp_path, capsys):
    path = tmp_path / "cases.json"
    path.write_text('[{"id": "one", "facts": {}}, {"id": "two"} {"id": "three"}]', encoding="utf-8")
    code, out, err = run(capsys, "eval", SAMPLE, "--cases", path)
    assert code == 1 and [json.loads(line)["id"] for line in out.splitlines()] == ["one", "two"]
    assert f"{path}:element 3: error: not valid JSON: expected ',' or ']' after element 2" in err


def test_a_json_lines_file_named_json_is_still_read_line_by_line(tmp_path, capsys):
    path = tmp_path / "cases.json"
    path.write_text('{"id": 1}\n{"id": 2}\n', encoding="utf-8")
    code, out, _ = run(capsys, "eval", SAMPLE, "--cases", path)
    assert code == 0 and len(out.splitlines()) == 2


@pytest.mark.parametrize("content,words", [
    (b'[{"id": NaN', "NaN is not a JSON number"),
    (b'[{"id": 1, "id": 2}]', "given twice"),
    (b'[{"id": 1}, {"id": ', "not valid JSON"),
    (b'[{"id": 1}] and more', "text after the end of the array"),
])
def test_an_array_broken_past_repair_ends_with_the_error_of_its_element(tmp_path, content, words, capsys):
    path = tmp_path / "cases.json"
    path.write_bytes(content)
    code, _, err = run(capsys, "eval", SAMPLE, "--cases", path)
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert code == 1 and len(errors) == 1 and words in errors[0] and "_Problem" not in errors[0]
