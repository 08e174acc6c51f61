"""The msgspec fast path for case lines agrees with the usual path on every line, bad data included (issue 18, point 3).

The fast decoder either gives exactly the CaseData the usual path (caseinput.decode_case, then
casedata.read_case) gives, or declines (None) and the usual path words the error; so results and
messages never depend on whether msgspec is installed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carag_dsl
from carag_dsl.errors import CaragError
from carag_dsl.runtime import fastcase
from carag_dsl.runtime.casedata import read_case
from carag_dsl.runtime.caseinput import decode_case
from carag_dsl.runtime.evaluate import compiled_rules
from carag_dsl.testing import rule_sets, unchecked_cases

pytest.importorskip("msgspec")

CARAG = carag_dsl.load()
EXAMPLES = Path(__file__).resolve().parent.parent / "questions" / "examples"


def usual(rules, raw: bytes):
    """The result (or error) of a line read the usual way."""
    try:
        data = read_case(rules, decode_case(raw))
    except CaragError as error:
        return None, ("error", str(error))
    try:
        return data, compiled_rules(rules).evaluate(data).to_dict()
    except CaragError as error:  # constraints, contradicting overrides: after reading
        return data, ("error", str(error))


def fast_first(rules, raw: bytes):
    """The same, with the fast decoder tried first."""
    data = fastcase.fast_case_decoder(rules)(raw)
    if data is None:
        return None, usual(rules, raw)[1]
    try:
        return data, compiled_rules(rules).evaluate(data).to_dict()
    except CaragError as error:
        return data, ("error", str(error))


#: Ways to spoil a case line: each keeps or breaks it in a way the usual path words.
SPOILERS = [
    lambda text: text,
    lambda text: text.replace('{"id"', '{"id": 1, "id"', 1),  # the id twice
    lambda text: text.replace('"facts": {', '"facts": {"sentence": "licence", ', 1),  # a fact perhaps twice
    lambda text: text.replace('"answers": {', '"answers": {"X 1": "yes", ', 1),
    lambda text: text.replace('"answers": {', '"answers": {"X 1" : "maybe", ', 1),  # space before the colon
    lambda text: text.replace('"facts": {', '"facts": {"sentense": true, ', 1),  # an unknown fact
    lambda text: text.replace('"id": "generated"', '"id": [[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]', 1),  # nested too deeply
    lambda text: text.replace('"id": "generated"', '"id": 1e999', 1),
    lambda text: text.replace('"id": "generated"', '"id": 2.5', 1),
    lambda text: text.replace('"id": "generated"', '"id": "\\ud800"', 1),  # a lone surrogate
    lambda text: text.replace('"id": "generated"', '"id": "caf\\u00e9"', 1),
    lambda text: text.replace('"id": "generated"', '"id": null', 1),
    lambda text: text.replace('"id": "generated"', '"id": true', 1),
    lambda text: text.replace('"id": "generated"', '"id": {"a": 1, "a": 2}', 1),
    lambda text: text.replace('-', '/', 1),  # a date that is not YYYY-MM-DD
    lambda text: text.replace('-0', '-1', 1).replace('-3', '-4', 1),  # perhaps not a real date (2021-13-15, 2021-02-30)
    lambda text: text.replace('"2', '"0000-01-01", "x": "2', 1),
    lambda text: text.replace('true', '1', 1),
    lambda text: text.replace('true', 'null', 1),
    lambda text: text.replace('"yes"', '"Yes"', 1),
    lambda text: text.replace('"yes"', '["yes"]', 1),
    lambda text: text.replace('["', '[1, "', 1),  # a multiple-choice list with a number in it
    lambda text: text.replace('["', '["nonsense", "', 1),
    lambda text: text.replace('"facts": {', '"facts": null, "other": {', 1),
    lambda text: text.replace('"answers": {', '"answers": [], "x": {', 1),
    lambda text: "[" + text + "]",
    lambda text: text + " x",
    lambda text: text[:-3],
    lambda text: text.replace('"', "\u201c", 1),
    lambda text: "\ufeff" + text,
    lambda text: text.replace(": ", ":\t", 3),
    lambda text: text.replace('"answers": {', '"reasons": {"X 1": "seen in the notes"}, "answers": {', 1),
]


@pytest.mark.parametrize("spoil", SPOILERS)
@settings(max_examples=4)
@given(data=st.data())
def test_the_fast_path_gives_the_usual_results_and_errors_on_carag_cases(data, spoil):
    assert_agree(CARAG, spoil(json.dumps(data.draw(unchecked_cases(CARAG)))).encode("utf-8"))


@settings(max_examples=40)
@given(data=st.data(), garbage=st.binary(min_size=1, max_size=3), at=st.integers(0, 2000))
def test_the_fast_path_gives_the_usual_errors_with_stray_bytes_in_a_line(data, garbage, at):
    raw = json.dumps(data.draw(unchecked_cases(CARAG))).encode("utf-8")
    assert_agree(CARAG, raw[:at] + garbage + raw[at:])


def assert_agree(rules, raw: bytes) -> None:
    fast_data, fast_result = fast_first(rules, raw)
    usual_data, usual_result = usual(rules, raw)
    assert fast_result == usual_result
    if fast_data is not None:
        assert fast_data == usual_data


@settings(max_examples=40)
@given(data=st.data())
def test_the_fast_path_agrees_on_generated_rule_sets(data):
    _, rules = data.draw(rule_sets())
    for _ in range(3):
        case = data.draw(unchecked_cases(rules))
        assert_agree(rules, json.dumps(case).encode("utf-8"))


def test_the_fast_path_takes_the_example_cases():
    for path in sorted(p for p in EXAMPLES.glob("*.json") if not p.name.endswith(".expected.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        case.pop("reasons", None)  # a case with reasons goes the usual way (their order makes warnings)
        raw = json.dumps(case).encode()
        data = fastcase.fast_case_decoder(CARAG)(raw)
        assert data is not None and data == read_case(CARAG, decode_case(raw)), path


@pytest.mark.parametrize("line", [
    b'{"id": "a", "id": "b"}',
    b'{"id": "a", "facts": {"mappa": "level_1", "mappa" : "none"}}',
    b'{"id": "caf\\u00e9"}',
    b'{"id": [1]}',
    b'{"facts": {"start_date": "2025-02-30"}}',
    b'{"answers": {"X 4": ["cse_perpetrator", 3]}}',
])
def test_the_fast_path_declines_what_it_cannot_vouch_for(line):
    assert fastcase.fast_case_decoder(CARAG)(line) is None


def test_without_msgspec_there_is_no_fast_path(monkeypatch):
    monkeypatch.setitem(sys.modules, "msgspec", None)  # import msgspec raises ImportError
    rules = carag_dsl.loads("fact a: bool\n")
    assert fastcase.fast_case_decoder(rules) is None
