"""Hostile and broken case files through the commands (issue 11): ``carag eval --cases``, ``carag rate`` (both
engines), ``--case`` and ``explain --case`` read bytes and decode line by line; each bad line gets its located
error, the run goes on, every other result is written, exit status 1; CSV is one record per line; control
characters are escaped in text output; a full disk ends in one line and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from carag_dsl.cli import main
from carag_dsl.runtime.caseinput import MAX_LINE_BYTES

from hostile_lines import HOSTILE_LINES  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "sample"
GOOD = {"facts": {"sentence": "licence", "mappa": True}}
ENGINES = ["per-case", "columnar", "auto"]



def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_carag(*argv, stdin: bytes | None = None, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "carag_dsl", *map(str, argv)], input=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, timeout=300)


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory) -> tuple[Path, list[object], dict[int, str]]:
    """Good cases with every hostile line between them: (file, ids of the good cases, bad line number -> words)."""
    lines: list[bytes] = []
    good_ids: list[object] = []
    bad: dict[int, str] = {}
    for index, (hostile, words) in enumerate(HOSTILE_LINES):
        lines.append(json.dumps({"id": index, **GOOD}).encode())
        good_ids.append(index)
        lines.append(hostile)
        bad[len(lines)] = words
    lines.append(json.dumps({"id": "\u2028 and \x0c and \x85 stay in their line", **GOOD}).encode())
    good_ids.append("\u2028 and \x0c and \x85 stay in their line")
    lines.append(b"")
    lines.append(b'{"id": "last", "facts": {"sentence": "licence"}}')
    good_ids.append("last")
    path = tmp_path_factory.mktemp("hostile") / "cases.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines) + b"\n")  # a byte order mark at the start too
    return path, good_ids, bad


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


@pytest.mark.parametrize("engine", ENGINES)
def test_every_hostile_line_in_eval_cases_gets_its_located_error_and_every_other_result_is_written(hostile_file, engine, capsys):
    path, good_ids, bad = hostile_file
    code, out, err = run(capsys, "eval", SAMPLE, "--cases", path, "--engine", engine)
    assert code == 1
    results = [json.loads(line) for line in out.split("\n") if line]  # JSON Lines: split at \n only
    assert [result["id"] for result in results] == good_ids
    errors = error_lines(err)
    assert len(errors) == len(bad)
    for line, (number, words) in zip(errors, sorted(bad.items())):
        assert line.startswith(f"{path}:{number}: error: ") and words in line, line
        assert len(line) < 500  # nothing echoed whole


def test_both_engines_give_the_same_results_errors_and_numbers_for_hostile_lines(hostile_file, capsys):
    path, _, _ = hostile_file
    for command in (["eval"], ["rate", "--format", "json", "--by", "mappa"]):
        per_case = run(capsys, *command[:1], SAMPLE, "--cases", path, "--engine", "per-case", *command[1:])
        columnar = run(capsys, *command[:1], SAMPLE, "--cases", path, "--engine", "columnar", *command[1:])
        assert per_case == columnar


@pytest.mark.parametrize("engine", ENGINES)
def test_carag_rate_reads_past_hostile_lines_and_rates_the_rest(hostile_file, engine, capsys):
    path, good_ids, bad = hostile_file
    code, out, err = run(capsys, "rate", SAMPLE, "--cases", path, "--format", "json", "--engine", engine)
    assert code == 1 and json.loads(out)["cases"] == len(good_ids)
    assert [line.split(": error: ")[0] for line in error_lines(err)] == [f"{path}:{number}" for number in sorted(bad)]


def test_hostile_lines_on_standard_input_are_read_the_same_way(hostile_file):
    path, good_ids, bad = hostile_file
    done = run_carag("eval", SAMPLE, "--cases", "-", stdin=path.read_bytes())
    stderr = done.stderr.decode()
    assert done.returncode == 1 and "Traceback" not in stderr
    assert len(done.stdout.decode().strip().split("\n")) == len(good_ids)
    assert sum(line.startswith("-:") for line in stderr.splitlines()) == len(bad)


@pytest.mark.parametrize("hostile,words", HOSTILE_LINES)
@pytest.mark.parametrize("command", ["eval", "explain"])
def test_a_bad_case_file_gives_the_cases_error_and_exits_1(tmp_path, hostile, words, command, capsys):
    case = tmp_path / "case.json"
    case.write_bytes(hostile)
    argv = ["eval", SAMPLE, "--case", case] if command == "eval" else ["explain", SAMPLE, "--case", case, "0.1"]
    code, _, err = run(capsys, *argv)
    assert code == 1  # bad JSON exited 2 with --case and 1 with --cases
    (message,) = [line for line in err.splitlines() if line.startswith("error: ")]
    assert message.startswith(f"error: {case}: ") and words in message and len(message) < 500


def test_a_multi_line_case_file_says_where_its_json_is_broken(tmp_path, capsys):
    case = tmp_path / "case.json"
    case.write_text('{\n  "id": 1,\n  "facts": {"sentence": "licence",}\n}\n', encoding="utf-8")
    code, _, err = run(capsys, "eval", SAMPLE, "--case", case)
    assert code == 1 and f"error: {case}: not valid JSON: " in err and "(line 3, column" in err


def test_a_stray_quote_in_one_csv_row_is_that_rows_error_and_the_others_are_rated(tmp_path, capsys):
    rows = ["id,sentence", "1,licence", '2,"licence', "3,licence", "4,community"]
    path = tmp_path / "cases.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    outputs = []
    for engine in ENGINES:
        code, out, err = run(capsys, "rate", SAMPLE, "--cases", path, "--format", "json", "--engine", engine)
        assert code == 1 and json.loads(out)["cases"] == 3  # "1 bad line ... 0 cases rated" before
        assert error_lines(err) == [f"{path}:3: error: not valid CSV: a quoted cell is not closed on its line "
                                    "(each case is one line; a cell cannot hold a line break)"]
        outputs.append((code, out, err))
        code, out, err = run(capsys, "eval", SAMPLE, "--cases", path, "--engine", engine)
        assert code == 1 and [json.loads(line)["id"] for line in out.splitlines()] == ["1", "3", "4"]
    assert outputs[0] == outputs[1] == outputs[2]


def test_bad_bytes_in_one_csv_row_are_that_rows_error(tmp_path, capsys):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"\xef\xbb\xbfid,sentence\n1,licence\n2,lic\xffence\n3,licence\n" + b"4," + b"x" * (MAX_LINE_BYTES + 5) + b"\n5,licence\n")
    for engine in ("per-case", "columnar"):
        code, out, err = run(capsys, "rate", SAMPLE, "--cases", path, "--format", "json", "--engine", engine)
        assert code == 1 and json.loads(out)["cases"] == 3
        errors = error_lines(err)
        assert errors[0].startswith(f"{path}:3: error: not UTF-8 text: byte 0xff at column 6")
        assert errors[1].startswith(f"{path}:5: error: the line is longer than")


ESCAPE = "\x1b[2J\x1b]0;owned\x07"


def test_terminal_escape_codes_in_case_data_are_escaped_in_errors_and_text_output(tmp_path, capsys):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"id": ESCAPE, "facts": {"\x1b[31mred": 1}}) + "\n", encoding="utf-8")
    for engine in ("per-case", "columnar"):
        code, _, err = run(capsys, "eval", SAMPLE, "--cases", cases, "--engine", engine)
        assert code == 1 and "\x1b" not in err and "\x07" not in err and "\\x1b[31mred" in err
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"id": ESCAPE, "facts": {"sentence": "licence", "notes": "\x1b[31m"},
                                "answers": {"1.1": "yes"}}), encoding="utf-8")
    code, out, _ = run(capsys, "eval", SAMPLE, "--case", case)
    assert code == 0 and "\x1b" not in out and "\\x1b[2J" in out
    code, out, _ = run(capsys, "explain", SAMPLE, "--case", case, "1.1")
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    many = tmp_path / "many.jsonl"
    many.write_text(json.dumps({"id": ESCAPE, "facts": {"sentence": "licence", "notes": ESCAPE}}) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "rate", SAMPLE, "--cases", many, "--by", "notes")
    assert code == 0 and "\x1b" not in out and "\\x1b[2J" in out
    code, out, _ = run(capsys, "eval", SAMPLE, "--cases", many, "--format", "text")
    assert code == 0 and "\x1b" not in out and "\\x1b[2J" in out


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [
    ["eval", SAMPLE, "--cases", "-"],
    ["eval", SAMPLE, "--cases", "-", "--output", "/dev/full", "--format", "jsonl"],
    ["eval", SAMPLE, "--cases", "-", "--format", "csv"],
    ["rate", SAMPLE, "--cases", "-"],
    ["rate", SAMPLE, "--cases", "-", "--output", "/dev/full"],
    ["eval", SAMPLE, "--case", SAMPLE / "case_licence.json"],
])
def test_a_full_disk_ends_with_one_line_and_exit_2(argv):
    with open("/dev/full", "wb") as full:
        done = run_carag(*argv, stdin=(json.dumps(GOOD) + "\n").encode() * 300, stdout=full)
    stderr = done.stderr.decode()
    assert done.returncode == 2 and "Traceback" not in stderr and "Exception ignored" not in stderr, stderr
    (message,) = [line for line in stderr.splitlines() if "error" in line]
    assert "no space left on device" in message.lower()
