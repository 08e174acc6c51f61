"""JSON Lines read straight into Arrow columns (runtime/columnar/jsonl_in.py) give every line exactly what the
per-case path gives it: the same result, or the same error at the same line number, hostile lines included;
clean lines are decided in columns, and the lines around a bad one stay there."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")
from hypothesis import given, settings, strategies as st  # noqa: E402

from carag_dsl import CaragError, load  # noqa: E402
from carag_dsl.bulk import jsonl_chunks  # noqa: E402
from carag_dsl.runtime.caseinput import MAX_LINE_BYTES, case_lines, iter_jsonl  # noqa: E402
from carag_dsl.runtime.columnar import jsonl_in, result_dicts  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))
from cases import generate  # noqa: E402
from fuzz_inputs import mutate_line  # noqa: E402
from hostile_lines import HOSTILE_LINES  # noqa: E402

RULES = load()
GOOD = [json.dumps(case).encode("utf-8") for case in generate(RULES, 60, seed=7)]


def _case(**facts) -> bytes:
    return json.dumps({"id": "h", "facts": {"sentence": "licence", **facts}}).encode("utf-8")


#: Lines the Arrow reader must not take as they are, or must take exactly as the per-case path does.
TRICKY = [
    b'{"id": "d", "facts": {"sentence": "licence", "sentence": "licence"}}',  # a key twice
    b'{"id": "d", "id": "e"}',
    b'{"id": "u", "facts": {"sentense": "licence"}}',  # keys the rules do not know
    b'{"id": "u", "extra": 1}',
    b'{"id": "u", "answers": {"no such question": "yes"}}',
    b'{"id": "u", "zz": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",  # nested deep under an unknown key
    b'{"id": "r", "reasons": {"2.2.06": "seen on file"}}',
    b'{"id": null, "facts": null, "answers": null}',
    b'{"facts": {"sentence": null, "mappa": null, "X 4": null}}',
    b"{}",
    b'{"id": ""}',
    _case(mappa="yes"), _case(age="3"), _case(age=3.0), _case(age=True), b'{"facts": {"age": 1e2}}',
    _case(sentence=1), _case(sentence=True), _case(sentence=["licence"]), _case(sentence="parole"),
    b'{"answers": {"X 4": "organised_crime"}}', b'{"answers": {"X 4": [1]}}', b'{"answers": {"X 4": ["nope"]}}',
    b'{"answers": {"X 4": ["organised_crime", null]}}', b'{"answers": {"X 4": ["organised_crime", "organised_crime"]}}',
    _case(age=2**63), _case(age=2**62 + 1), _case(age=-(2**63)), _case(age=10**30), _case(age=-0),
    _case(start_date="2024-02-30"), _case(start_date="2024-1-1"), _case(start_date=""), _case(start_date=20240101),
    b'{"id": 7, "facts": {"sentence": "licence"}}', b'{"id": 1.5}', b'{"id": true}', b'{"id": [1]}', b'{"id": {"a": 1}}',
    b'{"id": 99999999999999999999}', b'{"id": -3}',
    b"[1, 2]", b"3", b'"text"', b"null",
    b'{"id": "two"} {"id": "objects"}',
    b'{"id": "tab",\t"facts": {}}', b'{"id": "nul\x00"}', b'{"id": "ctl\x01"}', b'{"id": "cr",\r"facts": {}}',
    '{"id": "é", "answers": {"2.9.06": "café ✓"}}'.encode("utf-8"), b'{"id": "\\u00e9\\n\\"q\\""}',
    b'{"id": "bad \xc3\x28 utf8"}', b"\xef\xbb\xbf{}",  # a byte order mark not at the start of the file
    b'{"id": "long", "answers": {"2.9.06": "' + b"x" * MAX_LINE_BYTES + b'"}}',
    b'{"id": "trailing",}', b'{"id": "unclosed"',
    *(line for line, _ in HOSTILE_LINES),
]


def per_case_outcomes(blob: bytes) -> dict[int, object]:
    """Line number -> the JSON Lines result of the per-case path, or ("error", text)."""
    import io

    found: dict[int, object] = {}
    for number, case, wrong in iter_jsonl(case_lines(io.BytesIO(blob))):
        if wrong is None:
            try:
                found[number] = json.dumps(RULES.evaluate(case).to_dict(), ensure_ascii=False)
            except CaragError as error:
                wrong = str(error)
        if wrong is not None:
            found[number] = ("error", wrong)
    return found


def column_outcomes(blob: bytes, size: int) -> dict[int, object]:
    import io

    found: dict[int, object] = {}
    for chunk in jsonl_chunks(RULES, case_lines(io.BytesIO(blob)), size):
        assert not chunk.unread  # every line is a row of its batch
        for number, row in zip(chunk.numbers, result_dicts(chunk.result)):
            found[number] = ("error", row) if isinstance(row, str) else json.dumps(row, ensure_ascii=False)
    return found


@pytest.fixture
def small_segments(monkeypatch):
    """Runs of a few lines per call of the reader, so refused lines split runs many times over."""
    monkeypatch.setattr(jsonl_in, "SEGMENT_BYTES", 3000)


@pytest.mark.parametrize("size", [5, 64, 4096])
def test_every_tricky_line_gets_the_per_case_result_or_error_at_its_number(size, small_segments):
    lines = list(GOOD)
    for index, tricky in enumerate(TRICKY):
        lines.insert(1 + index * 2 % len(lines), tricky)
    lines.insert(3, b"")
    lines.insert(9, b" \t\x0b\x0c\r")  # blank to bytes.strip: skipped, counted
    blob = b"\xef\xbb\xbf" + b"\n".join(lines[:40]) + b"\r\n" + b"\r\n".join(lines[40:]) + b"\r"  # BOM, CRLF, no last \n
    expected = per_case_outcomes(blob)
    assert column_outcomes(blob, size) == expected
    assert sum(isinstance(v, tuple) for v in expected.values()) > len(TRICKY) // 2  # (the lines are bad, mostly)


def test_clean_lines_are_decided_in_columns_with_text_or_whole_number_ids():
    for ids in (lambda i: f"case-{i}", lambda i: i):
        cases = [dict(case, id=ids(i)) for i, case in enumerate(generate(RULES, 200, seed=3))]
        clean = [case for case in cases if _valid(case)]
        blob = b"".join(json.dumps(case).encode("utf-8") + b"\n" for case in clean)
        for chunk in jsonl_chunks(RULES, case_lines(__import__("io").BytesIO(blob)), 64):
            # Every row decided in columns: none read again the per-case way.
            assert chunk.result.per_case == {}
        assert column_outcomes(blob, 64) == per_case_outcomes(blob)


def _valid(case) -> bool:
    try:
        RULES.evaluate(case)
    except CaragError:
        return False
    return True


def test_good_lines_around_a_refused_one_stay_in_columns(monkeypatch):
    seen: list[bytes] = []
    original = jsonl_in.line_outcome

    def counting(rules, fast, raw):
        seen.append(raw)
        return original(rules, fast, raw)

    monkeypatch.setattr(jsonl_in, "line_outcome", counting)
    clean = [line for line, case in zip(GOOD, generate(RULES, 60, seed=7)) if _valid(case)]
    blob = b"\n".join(clean[:20] + [TRICKY[0], TRICKY[2]] + clean[20:]) + b"\n"
    assert column_outcomes(blob, 4096) == per_case_outcomes(blob)
    assert [raw.rstrip() for raw in seen] == [TRICKY[0], TRICKY[2]]  # the key given twice, the unknown key: only those


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([3, 50]))
def test_mutated_lines_get_the_per_case_result_or_error(seed, size):
    rng = random.Random(seed)
    lines = [mutate_line(rng.choice(GOOD + TRICKY[:20]), rng) for _ in range(30)]
    blob = b"\n".join(lines) + b"\n"
    assert column_outcomes(blob, size) == per_case_outcomes(blob)
