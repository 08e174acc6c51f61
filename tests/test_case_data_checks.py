"""Case data: the per-line decoder for bulk input, strict dates, JSON-safe ids, short quotes, output errors (issue 11)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from carag_dsl import CaseDataError, load
from carag_dsl.runtime.caseinput import CaseInputError, case_lines, decode_case, iter_jsonl

from hostile_lines import HOSTILE_LINES  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "sample"



@pytest.mark.parametrize("raw,words", HOSTILE_LINES)
def test_each_hostile_line_is_a_caseinputerror_saying_what_is_wrong(raw, words):
    with pytest.raises(CaseInputError) as raised:
        decode_case(raw)
    assert words in str(raised.value) and len(str(raised.value)) < 300


def test_the_line_reader_numbers_every_line_and_goes_on_after_bad_ones():
    blob = b"\xef\xbb\xbf" + b"\n".join([b'{"id": 1}'] + [raw for raw, _ in HOSTILE_LINES] + [b"", b'{"id": "\xe2\x80\xa8 \xc2\x85"}']) + b"\n"
    read = list(iter_jsonl(case_lines(io.BytesIO(blob))))
    assert [number for number, _, _ in read] == list(range(1, len(HOSTILE_LINES) + 2)) + [len(HOSTILE_LINES) + 3]
    assert read[0][1] == {"id": 1} and read[-1][1]["id"] == "\u2028 \x85"
    assert all(wrong for _, _, wrong in read[1:-1])


def test_a_json_error_says_column_once():
    with pytest.raises(CaseInputError) as raised:
        decode_case(b'{"id": 1,}')
    assert str(raised.value) == "not valid JSON: Expecting property name enclosed in double quotes (column 10)"


def test_an_over_long_line_is_cut_and_the_next_line_still_read():
    lines = list(case_lines(io.BytesIO(b"x" * 5000 + b"\n{}\n"), limit=100))
    assert len(lines) == 2 and len(lines[0]) == 101 and lines[1] == b"{}\n"


@pytest.mark.parametrize("written", ["2025-W01-1", "20250101XX", "20250101", "2025-1-01", "2025-02-30", "２０２５-01-01"])
def test_dates_in_case_data_are_only_yyyy_mm_dd(written):
    rules = load(SAMPLE)
    with pytest.raises(CaseDataError) as raised:
        rules.evaluate({"facts": {"sentence": "licence", "start_date": written}})
    assert "is not a real date" in str(raised.value)
    rules.evaluate({"facts": {"sentence": "licence", "start_date": "2025-02-28"}})


def test_a_nan_id_given_through_the_library_is_refused():
    with pytest.raises(CaseDataError) as raised:
        load(SAMPLE).evaluate({"id": float("nan"), "facts": {"sentence": "licence"}})
    assert "cannot be written as JSON" in str(raised.value)


def test_a_huge_value_is_quoted_short_in_the_error():
    with pytest.raises(CaseDataError) as raised:
        load(SAMPLE).evaluate({"facts": {"sentence": "x" * 1_000_000}})
    assert len(str(raised.value)) < 500


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_ends_with_one_line_and_exit_2():
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "carag_dsl", "schema", str(SAMPLE)], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].endswith("cannot write the output: no space left on device")


def test_docs_refuses_an_empty_output_folder(tmp_path):
    done = subprocess.run([sys.executable, "-m", "carag_dsl", "docs", str(SAMPLE), "--output", ""], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--output is empty" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_short_fuzz_of_case_lines_loses_no_line_and_raises_nothing_but_caragerror():
    from fuzz_inputs import fuzz_case_lines

    report = fuzz_case_lines(1500, seed=5)
    assert report.tried >= 1500 and 0 < report.refused < report.tried
    assert report.ok, report.samples
