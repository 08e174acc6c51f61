"""`carag schema`: the JSON Schema accepts the example cases and rejects what the engine rejects by type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl.tools.schema import case_schema

jsonschema = pytest.importorskip("jsonschema")

EXAMPLES = sorted(p for p in (Path(__file__).resolve().parent.parent / "questions" / "examples").glob("*.json") if not p.name.endswith(".expected.json"))


@pytest.fixture(scope="module")
def validator():
    schema = case_schema(carag_dsl.load())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_case_is_valid_against_the_schema(validator, path):
    validator.validate(json.loads(path.read_text()))


@pytest.mark.parametrize("case", [
    {"facts": {"sentense": "licence"}},
    {"facts": {"mappa": "yes"}},
    {"facts": {"sentence": "prison"}},
    {"facts": {"start_date": "30/01/2025"}},
    {"answers": {"X 44": []}},
    {"answers": {"X 4": ["organized_crime"]}},
    {"answers": {"X 4": "hate_crime"}},
    {"answers": {"2.3.29": "extreme"}},
    {"fact": {}},
    {"reasons": {"X 99": "why"}},
    {"reasons": {"X 9": 3}},
    {"reasons": ["why"]},
])
def test_the_schema_rejects_what_the_engine_rejects(validator, case):
    assert not validator.is_valid(case)
    with pytest.raises(carag_dsl.CaseDataError):
        carag_dsl.load().evaluate(case)


def test_the_schema_accepts_reasons_for_any_question_as_the_engine_does(validator):
    case = {"answers": {"X 6": "yes"}, "reasons": {"X 9": "good police liaison", "2.3.24": "kept, with a warning", "X 6": None}}
    validator.validate(case)
    assert carag_dsl.load().evaluate(case).to_dict()["reasons"] == {"X 9": "good police liaison", "2.3.24": "kept, with a warning"}
