"""Every Arrow type in a Parquet case file is either accepted with one meaning by both engines or refused,
row by row, with the same located error (docs/bulk.md, "Arrow types").

A timestamp is refused for a date fact (which day it falls on depends on a time zone the rules cannot know),
a date past Python's range is refused, a list of lists for an ``any of`` fact and a NaN id are each their
row's error: the other rows are evaluated, the output stays valid JSON, the exit status is 1.
"""

from __future__ import annotations

import datetime
import decimal
import json
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from carag_dsl.cli import main  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "sample"
ENGINES = ["per-case", "columnar"]
#: A column of every kind the sample rule set declares, and the id.
COLUMNS = ["id", "mappa", "previous_orders", "start_date", "needs", "sentence", "risk_level", "notes", "1.2", "1.3"]

_DAY = datetime.date(2025, 1, 6)
_MOMENT = datetime.datetime(2025, 1, 6, 23, 30)


def _far(kind):
    """A date past Python's (to 9999-12-31): day 3,000,000 is in year 10183; 2**52 ms in year 142,000."""
    return pa.array([3_000_000], pa.int32()).cast(kind) if kind == pa.date32() else pa.array([2**52], pa.int64()).cast(kind)


def _far_dates(kind):
    return pa.concat_arrays([pa.array([_DAY, None], kind), _far(kind)])


#: One three-row column (a value, a null, another value) of each Arrow type a file may hold.
ARROW_COLUMNS = {
    "bool": lambda: pa.array([True, None, False]),
    **{str(kind): (lambda kind=kind: pa.array([1, None, 2], kind)) for kind in
       (pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32())},
    "uint64": lambda: pa.array([1, None, 2**63 + 1], pa.uint64()),
    "float32": lambda: pa.array([1.0, None, 2.5], pa.float32()),
    "float64": lambda: pa.array([1.0, None, float("nan")], pa.float64()),
    "decimal": lambda: pa.array([decimal.Decimal("1.50"), None, decimal.Decimal("2")], pa.decimal128(5, 2)),
    "string": lambda: pa.array(["licence", None, "yes"]),
    "large_string": lambda: pa.array(["2025-01-06", None, "housing;health"], pa.large_string()),
    "binary": lambda: pa.array([b"licence", None, b"\xff"], pa.binary()),
    "date32": lambda: _far_dates(pa.date32()),
    "date64": lambda: _far_dates(pa.date64()),
    **{f"timestamp[{unit}, {zone}]": (lambda unit=unit, zone=zone: pa.array([_MOMENT, None, _MOMENT], pa.timestamp(unit, tz=zone)))
       for unit in ("s", "ns") for zone in (None, "Europe/London")},
    "time32": lambda: pa.array([datetime.time(1, 2), None, datetime.time(0, 0)], pa.time32("s")),
    "duration": lambda: pa.array([datetime.timedelta(days=1), None, datetime.timedelta(0)], pa.duration("s")),
    "list<string>": lambda: pa.array([["housing"], None, ["housing", "bad"]], pa.list_(pa.string())),
    "large_list<string>": lambda: pa.array([["health"], None, []], pa.large_list(pa.string())),
    "list<list<string>>": lambda: pa.array([[["housing"]], None, [["health"], []]], pa.list_(pa.list_(pa.string()))),
    "list<int64>": lambda: pa.array([[1], None, []], pa.list_(pa.int64())),
    "list<date32>": lambda: pa.array([[_DAY], None, [_DAY]], pa.list_(pa.date32())),
    "struct": lambda: pa.array([{"a": "housing"}, None, {"a": None}], pa.struct([("a", pa.string())])),
    "map": lambda: pa.array([[("a", "b")], None, []], pa.map_(pa.string(), pa.string())),
    "dictionary": lambda: pa.array(["licence", None, "community"]).dictionary_encode(),
    "null": lambda: pa.nulls(3),
}


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, columns: dict) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


@pytest.mark.parametrize("arrow_type", list(ARROW_COLUMNS))
def test_both_engines_read_every_arrow_type_alike_in_every_column(tmp_path, arrow_type, capsys):
    column = ARROW_COLUMNS[arrow_type]()
    path = write(tmp_path / "cases.parquet", {name: column for name in COLUMNS})
    outputs = [run(capsys, "eval", SAMPLE, "--cases", path, "--engine", engine) for engine in ENGINES]
    assert outputs[0] == outputs[1]
    code, out, err = outputs[0]
    assert code in (0, 1) and "Traceback" not in err
    for line in out.splitlines():
        json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} in the results: not JSON"))
    assert len(out.splitlines()) + err.count(": error: ") == 3  # every row: a result or its located error


def _eval_both(capsys, path):
    outputs = [run(capsys, "eval", SAMPLE, "--cases", path, "--engine", engine) for engine in ENGINES]
    assert outputs[0] == outputs[1]
    return outputs[0]


def test_a_timestamp_for_a_date_fact_is_that_rows_error_in_both_engines(tmp_path, capsys):
    moments = pa.array([_MOMENT, None], pa.timestamp("us", tz="Europe/London"))
    code, out, err = _eval_both(capsys, write(tmp_path / "t.parquet", {"id": ["a", "b"], "start_date": moments}))
    assert code == 1 and [json.loads(line)["id"] for line in out.splitlines()] == ["b"]
    assert (f"{tmp_path / 't.parquet'}:1: error: case 'a': column 2 ('start_date'): a timestamp (2025-01-06 23:30:00.000000+0000) "
            'is not allowed; expected a date written "YYYY-MM-DD"') in err


def test_a_date_past_pythons_range_is_that_rows_error_in_both_engines(tmp_path, capsys):
    days = pa.concat_arrays([_far(pa.date32()), pa.array([_DAY])])
    code, out, err = _eval_both(capsys, write(tmp_path / "d.parquet", {"id": ["far", "near"], "start_date": days}))
    assert code == 1 and [json.loads(line)["id"] for line in out.splitlines()] == ["near"]
    assert "d.parquet:1: error: case 'far': column 2 ('start_date'): the date 10183-09-21 (out of range" in err


def test_a_list_of_lists_for_an_any_of_fact_is_that_rows_error_in_both_engines(tmp_path, capsys):
    nested = pa.array([[["housing"]], [], None], pa.list_(pa.list_(pa.string())))
    code, out, err = _eval_both(capsys, write(tmp_path / "n.parquet", {"id": ["a", "b", "c"], "needs": nested}))
    assert code == 1 and [json.loads(line)["id"] for line in out.splitlines()] == ["b", "c"]
    assert "n.parquet:1: error: case 'a': column 2 ('needs'): ['housing'] is not an option" in err


def test_a_nan_id_is_that_rows_error_and_the_results_stay_json_in_both_engines(tmp_path, capsys):
    code, out, err = _eval_both(capsys, write(tmp_path / "i.parquet", {"id": [1.0, float("nan")], "mappa": [True, False]}))
    assert code == 1 and [json.loads(line, parse_constant=pytest.fail)["id"] for line in out.splitlines()] == [1.0]
    assert "i.parquet:2: error: the case: id: nan cannot be written as JSON" in err


def test_a_date_id_is_refused_by_both_engines_as_results_are_json(tmp_path, capsys):
    code, out, err = _eval_both(capsys, write(tmp_path / "j.parquet", {"id": [_DAY], "mappa": [True]}))
    assert code == 1 and out == ""
    assert "j.parquet:1: error: the case: column 1 ('id'): datetime.date(2025, 1, 6) is not allowed as an id" in err


@pytest.mark.parametrize("engine", ENGINES)
def test_rate_leaves_out_rows_with_refused_arrow_cells_in_both_engines(tmp_path, engine, capsys):
    days = pa.concat_arrays([_far(pa.date32()), pa.array([_DAY, None])])
    path = write(tmp_path / "r.parquet", {"id": ["far", "near", "none"], "start_date": days})
    code, out, err = run(capsys, "rate", SAMPLE, "--cases", path, "--engine", engine, "--format", "json")
    assert code == 1 and json.loads(out)["cases"] == 2 and "r.parquet:1: error:" in err
