"""Bulk paths: both engines of ``carag eval --cases`` and ``carag rate`` give the same lines, errors and
ratings from JSON Lines, CSV and Parquet; CSV and Parquet results; carag_dsl.bulk over Arrow batches;
and a real Dask cluster rates partitioned Parquet exactly as one process does."""

from __future__ import annotations

import csv
import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from carag_dsl import CaragError, load  # noqa: E402
from carag_dsl.bulk import RulesSource, evaluate_batch, rate_batch  # noqa: E402
from carag_dsl.cli import main  # noqa: E402
from carag_dsl.rating.tally import RatingTally  # noqa: E402
from carag_dsl.runtime.evaluation import excluded_text  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from cases import generate  # noqa: E402
from hostile_lines import HOSTILE_LINES  # noqa: E402  (bad UTF-8, a lone surrogate, deep nesting, NaN, ...)

BAD_LINES = ['{"id": "broken", "facts": ', "[1, 2]", '{"id": "typo", "facts": {"sentense": "licence"}}']


@pytest.fixture(scope="module")
def bundled():
    return load()


@pytest.fixture(scope="module")
def sample(bundled):
    """300 realistic cases of the bundled CARaG (about 1% with bad data) as dicts."""
    return list(generate(bundled, 300, seed=2))  # a seed whose cases include bad ones in the first 120 rows


def wide_rows(bundled, cases):
    names = ["id", *bundled.symbols.facts, *(q for q, d in bundled.symbols.questions.items() if d.answer is not None)]
    rows = [{"id": c["id"], **c.get("facts", {}), **c.get("answers", {})} for c in cases]
    return names, rows


def csv_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "FALSE"
    if isinstance(value, list):
        return ";".join(value) if value else "(none)"
    return str(value)


@pytest.fixture(scope="module")
def files(bundled, sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulk")
    jsonl = folder / "cases.jsonl"
    lines = [json.dumps(c) for c in sample]
    for index, bad in enumerate(BAD_LINES):
        lines.insert(10 + 50 * index, bad)
    lines.insert(5, "")
    data = [line.encode("utf-8") for line in lines]
    for index, (hostile, _) in enumerate(HOSTILE_LINES):
        data.insert(200 + 3 * index, hostile)
    jsonl.write_bytes(b"\n".join(data) + b"\n")
    names, rows = wide_rows(bundled, sample)
    with open(folder / "cases.csv", "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(names)
        for index, row in enumerate(rows):
            writer.writerow([csv_text(row.get(name)) for name in names])
            if index == 20:
                writer.writerow(["too", "few"])
            if index == 40:
                stream.write('hostile-quote,"licence\n')  # a quote left open: that row's error, not the rest's
    with open(folder / "cases.csv", "ab") as raw:
        raw.write(b"bad-bytes,lic\xffence\n")
        raw.write(b",".join([b"after-bad-bytes"] + [b""] * (len(names) - 1)) + b"\n")
    # Parquet with native types: date32, bool, list<string>; a text column where values are not all of one type.
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        if name in bundled.symbols.facts and bundled.symbols.facts[name].type.kind == "date":
            values = [_date_or_text(v) for v in values]
        try:
            columns[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            columns[name] = pa.array([None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values])
    table = pa.table(columns)
    assert pa.types.is_date32(table.schema.field("start_date").type) and pa.types.is_boolean(table.schema.field("mappa").type)
    pq.write_table(table, folder / "cases.parquet")
    parts = folder / "parts"
    parts.mkdir()
    for index, start in enumerate(range(0, table.num_rows, 80)):
        pq.write_table(table.slice(start, 80), parts / f"part-{index:02d}.parquet")
    return {"jsonl": jsonl, "csv": folder / "cases.csv", "parquet": folder / "cases.parquet", "parts": parts, "table": table}


def _date_or_text(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_eval_gives_the_same_lines_and_errors_with_either_engine(kind, files, capsys):
    per_case = run(capsys, "eval", "--cases", files[kind], "--engine", "per-case")
    columnar = run(capsys, "eval", "--cases", files[kind], "--engine", "columnar")
    assert per_case == columnar
    code, out, err = columnar
    assert code == 1 and len(out.splitlines()) > 250
    assert f"{files[kind]}:" in err and ": error: " in err


@pytest.mark.parametrize("kind", ["jsonl", "csv", "parquet"])
def test_rate_gives_the_same_rating_and_errors_with_either_engine(kind, files, capsys):
    for by in (None, "sentence", "start_date", "2.0.19a"):
        extra = ["--by", by] if by else []
        per_case = run(capsys, "rate", "--cases", files[kind], "--engine", "per-case", "--format", "json", *extra)
        columnar = run(capsys, "rate", "--cases", files[kind], "--engine", "columnar", "--format", "json", *extra)
        assert per_case == columnar
        assert json.loads(columnar[1])["counts"]["read"] > 250


def test_bad_lines_of_json_lines_keep_their_numbers_with_the_columnar_engine(files, capsys):
    _, _, err = run(capsys, "eval", "--cases", files["jsonl"], "--engine", "columnar")
    assert f"{files['jsonl']}:12: error: not valid JSON" in err
    assert f"{files['jsonl']}:62: error: case must be" in err or f"{files['jsonl']}:62: error: the case" in err
    assert "facts.sentense: the rule set has no fact 'sentense' (did you mean 'sentence'?)" in err


@pytest.mark.parametrize("engine", ["per-case", "columnar"])
def test_hostile_lines_are_each_their_own_located_error_with_either_engine(engine, files, capsys):
    _, _, err = run(capsys, "eval", "--cases", files["jsonl"], "--engine", engine)
    for index, (_, words) in enumerate(HOSTILE_LINES):
        assert f"{files['jsonl']}:{201 + 3 * index}: error: " in err and words in err.split(f"{files['jsonl']}:{201 + 3 * index}: error: ")[1].split("\n")[0]
    _, out, err = run(capsys, "eval", "--cases", files["csv"], "--engine", engine)
    assert f"{files['csv']}:44: error: not valid CSV: a quoted cell is not closed on its line" in err
    assert f"{files['csv']}:304: error: not UTF-8 text" in err
    assert json.loads(out.splitlines()[-1])["id"] == "after-bad-bytes"  # the rows after a stray quote are read


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_results_written_as_csv_or_parquet_hold_what_the_json_lines_hold(suffix, files, tmp_path, capsys):
    _, out, _ = run(capsys, "eval", "--cases", files["jsonl"], "--engine", "per-case")
    expected = [json.loads(line) for line in out.splitlines()]
    target = tmp_path / f"results{suffix}"
    for engine in ("per-case", "columnar"):
        assert run(capsys, "eval", "--cases", files["jsonl"], "--engine", engine, "--output", target)[0] == 1
        if suffix == ".csv":
            with open(target, newline="", encoding="utf-8") as stream:
                rows = list(csv.DictReader(stream))
        else:
            rows = pq.read_table(target).to_pylist()
        assert len(rows) == len(expected)
        for row, data in zip(rows, expected):
            assert row["id"] == data["id"] and (row["case_type"] or None) == data["case_type"]
            for qid, entry in data["questions"].items():
                value = entry["value"]
                shown = (";".join(value) or "(none)") if isinstance(value, list) else value
                # An empty text answer and no value are both an empty cell.
                assert (row[f"{qid}.status"], row[f"{qid}.value"] or None) == (entry["status"], shown or None)
            warnings = row["warnings"].split("\n") if suffix == ".csv" and row["warnings"] else row["warnings"] or []
            assert warnings == data["warnings"]
            assert (row["excluded"] or None, _reasons_cell(row["reasons"])) == (excluded_text(data["excluded"]), data["reasons"])


def _reasons_cell(cell) -> dict:
    """The reasons column read back: CSV lines 'QID: text', Parquet a map (pairs)."""
    if isinstance(cell, str):
        return dict(line.split(": ", 1) for line in cell.split("\n")) if cell else {}
    return dict(cell or [])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_results_written_as_csv_or_parquet_keep_why_a_case_is_excluded_and_the_inspectors_reasons(suffix, tmp_path, capsys):
    examples = REPO / "questions" / "examples"
    names = ["terminated_day_7", "licence_reset_day_1_no_information", "licence_reset_day_56"]
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(json.loads((examples / f"{name}.json").read_text())) + "\n" for name in names))
    expected = [json.loads((examples / f"{name}.expected.json").read_text()) for name in names]
    assert expected[0]["excluded"] and expected[1]["reasons"]  # the examples still hold what this test is about
    target = tmp_path / f"results{suffix}"
    for engine in ("per-case", "columnar"):
        assert run(capsys, "eval", "--cases", cases, "--engine", engine, "--output", target)[0] == 0
        if suffix == ".csv":
            with open(target, newline="", encoding="utf-8") as stream:
                rows = list(csv.DictReader(stream))
        else:
            rows = pq.read_table(target).to_pylist()
        assert [(row["excluded"] or None, _reasons_cell(row["reasons"])) for row in rows] == \
            [(data["excluded"], data["reasons"]) for data in expected]


def test_evaluate_batch_keeps_every_row_in_order_with_its_error(bundled, files):
    table = files["table"].slice(0, 120)
    results = evaluate_batch(RulesSource.of(bundled), table)
    assert results.num_rows == 120
    assert results.column("id").to_pylist() == table.column("id").to_pylist()
    errors = [e for e in results.column("error").to_pylist() if e is not None]
    statuses = results.column("2.3.01.status").to_pylist()
    for row, error in enumerate(results.column("error").to_pylist()):
        assert (error is None) == (statuses[row] is not None)
    assert errors, "the sample has bad rows"


def test_evaluate_batch_names_the_reason_a_case_is_excluded_as_the_per_case_path_does(bundled, files, sample):
    table = files["table"]
    results = evaluate_batch(RulesSource.of(bundled), table)
    expected = []
    for case in sample:
        try:
            expected.append(excluded_text(bundled.evaluate(case).to_dict()["excluded"]))
        except CaragError:
            expected.append(None)
    assert results.column("excluded").to_pylist() == expected
    assert any(isinstance(e, str) and not e.startswith("not known") for e in expected), "the sample has excluded cases"


def test_rate_batch_counts_add_up_to_the_rating_of_the_whole(bundled, files):
    whole = RatingTally(bundled, "sentence")
    parts = RatingTally(bundled, "sentence")
    table = files["table"]
    done = rate_batch(bundled, table, "sentence")
    whole.merge(done["counts"])
    for start in range(0, table.num_rows, 70):
        parts.merge(rate_batch(bundled, table.slice(start, 70), "sentence")["counts"])
    assert whole.result().to_dict() == parts.result().to_dict()
    counts = whole.result().counts()
    assert counts["rated"] + counts["excluded"] + counts["not_known_whether_inspected"] == table.num_rows - len(done["errors"])


def test_rules_sent_to_a_worker_are_checked_there_from_their_trees_without_the_parser(bundled):
    """What a Dask worker receives is the rule files' text with their parsed trees: the worker checks the trees
    (no Lark: building its parser took 0.28 s a worker) and gets the rule set the text gives."""
    import pickle
    import subprocess
    import sys

    sent = pickle.dumps(RulesSource.of(bundled))
    script = ("import pickle, sys\n"
              "rules = pickle.loads(sys.stdin.buffer.read()).rules()\n"
              "print(len(rules.questions), 'lark' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], input=sent, capture_output=True, timeout=120)
    assert done.stdout.decode().split() == [str(len(bundled.questions)), "False"], done.stderr.decode()


def test_rules_whose_trees_do_not_read_are_parsed_from_their_text(bundled):
    import carag_dsl.bulk as bulk

    source = RulesSource.of(bundled)
    unreadable = RulesSource(source.files, tuple(["not a tree"] for _ in source.files))
    bulk._COMPILED.pop(source.files, None)  # so the rule set is made again, from the text
    rules = unreadable.rules()
    assert rules.questions.keys() == bundled.questions.keys()
    assert rules.evaluate({"id": 1, "facts": {"sentence": "licence"}}).to_dict() == bundled.evaluate({"id": 1, "facts": {"sentence": "licence"}}).to_dict()


def test_a_dask_cluster_of_two_worker_processes_rates_partitioned_parquet_as_one_process_does(files, capsys):
    pytest.importorskip("distributed")
    single = run(capsys, "rate", "--cases", files["parquet"], "--engine", "columnar", "--format", "json", "--by", "sentence")
    code, out, err = run(capsys, "rate", "--cases", f"{files['parts']}/*.parquet", "--engine", "dask", "--format", "json", "--by", "sentence")
    # Rejected rows are numbered within their own file (the error stream names the file), so only their count agrees.
    dask_rating, single_rating = json.loads(out), json.loads(single[1])
    assert len(dask_rating["counts"].pop("rejected_lines")) == len(single_rating["counts"].pop("rejected_lines"))
    assert all(re.fullmatch(r"part-\d\d\.parquet", Path(name).name) for name in dask_rating["counts"].pop("rejected_files"))
    assert (code, dask_rating) == (single[0], single_rating)
    assert err.count(": error: ") == single[2].count(": error: ") > 0
    assert re.search(r"part-\d\d\.parquet:\d+: error: ", err)  # each bad row named by its partition file and row


def test_the_columnar_engine_without_the_bulk_extra_says_what_to_install(files):
    script = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from carag_dsl.cli import main\n"
        f"sys.exit(main(['eval', '--cases', {str(files['jsonl'])!r}, '--engine', 'columnar']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "pip install 'carag-dsl[bulk]'" in done.stderr


def test_the_compact_format_says_what_the_full_results_say_in_fewer_bytes(bundled, files, capsys):
    _, full, _ = run(capsys, "eval", "--cases", files["jsonl"], "--engine", "per-case")
    outputs = [run(capsys, "eval", "--cases", files["jsonl"], "--format", "compact", "--engine", engine)[1] for engine in ("per-case", "columnar")]
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) * 3 < len(full)
    letters = {"a": "applies", "n": "not_applicable", "p": "pending"}
    for full_line, compact_line in zip(full.splitlines(), outputs[0].splitlines(), strict=True):
        data, compact = json.loads(full_line), json.loads(compact_line)
        assert compact["id"] == data["id"] and compact.get("case_type") == data["case_type"]
        assert [letters[c] for c in compact["statuses"]] == [q["status"] for q in data["questions"].values()]
        assert compact["values"] == {qid: q["value"] for qid, q in data["questions"].items() if q["value"] is not None}
        assert compact.get("derived", []) == [qid for qid, q in data["questions"].items() if q["source"] == "derived"]
        assert compact.get("warnings", []) == data["warnings"]


def test_results_written_as_csv_never_run_as_spreadsheet_formulas(tmp_path, capsys):
    rules = tmp_path / "rules.carag"
    rules.write_text('question "Q" prompt\n    text "Notes?"\n    answer text\n', encoding="utf-8")
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": "=1+1", "answers": {"Q": '=HYPERLINK("x")'}}) + "\n", encoding="utf-8")
    for engine in ("per-case", "columnar"):
        target = tmp_path / f"{engine}.csv"
        assert run(capsys, "eval", rules, "--cases", cases, "--engine", engine, "--output", target)[0] == 0
        with open(target, newline="", encoding="utf-8") as stream:
            row = list(csv.DictReader(stream))[0]
        assert row["id"] == "'=1+1" and row["Q.value"].startswith("'=HYPERLINK")


def test_parquet_results_of_both_engines_are_the_same_table(files, tmp_path, capsys):
    # The columnar engine builds them from its result columns (runtime/columnar/arrow_out.py), the per-case one row by row.
    tables = []
    for engine in ("per-case", "columnar"):
        target = tmp_path / f"{engine}.parquet"
        assert run(capsys, "eval", "--cases", files["jsonl"], "--engine", engine, "--output", target)[0] == 1
        tables.append(pq.read_table(target))
    assert tables[0].num_rows > 250 and tables[0].equals(tables[1])


@pytest.mark.parametrize("kind", ["jsonl", "parquet"])
def test_compact_lines_of_both_engines_are_the_same_bytes(kind, files, capsys):
    # The columnar engine writes them from its result columns (runtime/columnar/encode.compact_lines).
    per_case, columnar = (run(capsys, "eval", "--cases", files[kind], "--engine", engine, "--format", "compact")
                          for engine in ("per-case", "columnar"))
    assert per_case == columnar and len(per_case[1].splitlines()) > 250
    assert '"derived":[' in per_case[1] and '"warnings":[' in per_case[1]  # the optional parts occur


@pytest.mark.parametrize("kind", ["jsonl", "parquet"])
def test_csv_results_of_both_engines_are_the_same_bytes(kind, files, tmp_path, capsys):
    # The columnar engine writes them from its result columns (runtime/columnar/encode.csv_lines), the per-case one
    # from each result's dict; both through runtime/spreadsheet.csv_line.
    found = []
    for engine in ("per-case", "columnar"):
        target = tmp_path / f"{engine}.csv"
        assert run(capsys, "eval", "--cases", files[kind], "--engine", engine, "--output", target)[0] == 1
        found.append(target.read_bytes())
    assert found[0] == found[1] and found[0].count(b"\n") > 250
    assert b"not known: " in found[0] and b'"' in found[0]  # cells of every kind occur: not-known exclusions, quoted ones


def test_csv_results_with_quotes_commas_line_breaks_and_formulas_are_the_same_bytes_with_either_engine(tmp_path, capsys):
    rules = tmp_path / "rules.carag"
    rules.write_text('question "Q" prompt\n    text "Notes?"\n    answer text\n', encoding="utf-8")
    texts = ['say "no"', "a, b", "two\nlines", "=1+1", "-3", "", " spaced ", "plain", "é ✓", '"', ","]
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps({"id": text or None, "answers": {"Q": text}}) + "\n" for text in texts * 2 + ["cr\rhere"]), encoding="utf-8")
    found = []
    for engine in ("per-case", "columnar"):
        target = tmp_path / f"{engine}.csv"
        assert run(capsys, "eval", rules, "--cases", cases, "--engine", engine, "--output", target)[0] == 0
        found.append(target.read_bytes())
    assert found[0] == found[1]
    # (The last case's carriage return: Python 3.11's csv module leaves it unquoted, so that row does not read back.)
    assert found[0].count(b"cr\rhere") == 2
    with open(tmp_path / "per-case.csv", newline="", encoding="utf-8") as stream:
        values = [row["Q.value"] for row in csv.DictReader(stream)]
    assert values[: 2 * len(texts)] == ["'" + t if t[:1] in ("=", "-") else t for t in texts] * 2


def test_csv_line_writes_the_bytes_of_the_csv_module():
    from carag_dsl.runtime.spreadsheet import csv_line

    cells = ['say "no"', "a, b", "two\nlines", "cr\rhere", "", " ", "plain", '"', ",", "\r\n", "é"]
    for first in cells:
        for second in cells:
            out = __import__("io").StringIO()
            csv.writer(out, lineterminator="\n").writerow([first, second, "x"])
            assert csv_line([first, second, "x"]) + "\n" == out.getvalue()


def test_a_rating_of_parquet_counts_its_bad_rows_as_rows(files, capsys):
    code, out, err = run(capsys, "rate", "--cases", files["parquet"], "--engine", "columnar", "--format", "json")
    counts = json.loads(out)["counts"]
    assert code == 1 and counts["rejected_lines"] and counts["rejected_unit"] == "row"
    assert " bad rows in " in err


def test_auto_evaluates_json_lines_to_lines_per_case_until_the_columnar_start_pays_for_itself(tmp_path, monkeypatch):
    from carag_dsl.cli import _cases

    monkeypatch.setattr(_cases, "COLUMNAR_FROM_BYTES", 100)
    monkeypatch.setattr(_cases, "COLUMNAR_LINES_TO_LINES_FROM_BYTES", 1000)
    medium, large = tmp_path / "medium.jsonl", tmp_path / "large.jsonl"
    medium.write_bytes(b"{}\n" * 100)
    large.write_bytes(b"{}\n" * 400)
    picks = {output: _cases.choose_engine("auto", str(medium), "jsonl", output) for output in ("jsonl", "compact", "csv", "parquet", None)}
    assert picks == {"jsonl": "per-case", "compact": "per-case", "csv": "columnar", "parquet": "columnar", None: "columnar"}
    assert {_cases.choose_engine("auto", str(large), "jsonl", output) for output in ("jsonl", "compact")} == {"columnar"}
    assert _cases.choose_engine("auto", str(medium), "csv", "jsonl") == "columnar"
