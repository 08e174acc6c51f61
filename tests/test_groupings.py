"""Groupings: named bands of a number or a date and merged options, declared in the rules.

The parser, the formatter and the checks; conditions on groupings evaluated exactly as the group a value
falls in (what ``carag rate --by`` counts); the bundled characteristics of the Bulletin. That the compiled,
columnar and form back ends agree with the reference on groupings is proven by test_codegen.py,
test_columnar.py and test_forms_replay.py, whose rule sets include tests/fixtures/groupings.carag.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl import CaragError, loads
from carag_dsl.compiler.groupings import group_of
from carag_dsl.language import ast
from carag_dsl.language.ast_json import decode_module, encode_module
from carag_dsl.language.formatter import format_module
from carag_dsl.language.parser import parse

FIXTURE = Path(__file__).parent / "fixtures" / "groupings.carag"

AGES = '''
fact age: int
grouping age_group of age
    young "18-24" from 18 to 24
    middle "25-59" from 25 to 59
    old "60+" from 60
question "Y" prompt
    text "young"
    applies when age_group == young
    answer yes_no
question "NOT_OLD" prompt
    text "not old"
    applies when age_group != old
    answer yes_no
question "EITHER" prompt
    text "young or old"
    applies when age_group in {young, old}
    answer yes_no
question "NEITHER" prompt
    text "neither young nor old"
    applies when age_group not in {young, old}
    answer yes_no
'''


def diagnostics_of(text: str) -> list[tuple[str, str]]:
    with pytest.raises(CaragError) as raised:
        loads(text)
    return [(d.code, d.message) for d in raised.value.diagnostics]


def test_a_grouping_parses_to_its_bands_and_merged_options_and_formats_back_unchanged():
    text = FIXTURE.read_text(encoding="utf-8")
    module = parse(text)
    groupings = [item for item in module.items if isinstance(item, ast.GroupingDecl)]
    assert [g.name for g in groupings] == ["n_group", "day_group", "level_group", "kind_group"]
    assert groupings[0].members[0] == ast.GroupMember("low_n", "0-9", 0, 9)
    assert groupings[0].members[2] == ast.GroupMember("high_n", "40+", 40, None)
    assert groupings[1].members[0] == ast.GroupMember("early", "2024 and before", None, datetime.date(2024, 12, 31))
    assert groupings[2].members[1] == ast.GroupMember("upper", "High/very high", options=("high", "very_high"))
    assert format_module(module) == text
    assert decode_module(encode_module(module), "x.carag", text).items == module.items  # the parse cache keeps them


@pytest.mark.parametrize("age", [None, -1, 0, 17, 18, 24, 25, 59, 60, 61, 120])
def test_a_condition_on_a_grouping_holds_exactly_when_the_value_falls_in_that_group(age):
    rules = loads(AGES)
    grouping = rules.symbols.groupings["age_group"]
    facts = {} if age is None else {"age": age}
    for backend in ("reference", "compiled"):
        result = rules.evaluate({"facts": facts}, backend=backend).questions
        group = None if age is None else group_of(grouping, age)
        expected = {
            "Y": group == "young", "NOT_OLD": group != "old", "EITHER": group in ("young", "old"), "NEITHER": group not in ("young", "old"),
        }
        for qid, holds in expected.items():
            assert result[qid].status == ("pending" if age is None else "applies" if holds else "not_applicable"), (backend, qid)


def test_an_age_in_no_band_is_in_no_group_and_known_so_conditions_on_it_are_decided():
    grouping = loads(AGES).symbols.groupings["age_group"]
    assert group_of(grouping, 17) is None and group_of(grouping, 18) == "young" and group_of(grouping, 60) == "old"


BAD = [
    ("grouping g of nothing\n    a \"A\" from 1 to 2\n", "unknown-name", "'nothing' is not one"),
    ("fact k: one of x, y\ngrouping g of k\n    a \"A\" from 1 to 2\n", "type-mismatch", "bands ('from ... to ...') group a number or a date"),
    ("fact n: int\ngrouping g of n\n    a \"A\" is x\n", "type-mismatch", "'is ...' merges options of a fact that takes one option"),
    ("fact n: int\ngrouping g of n\n    a \"A\" from 1 to 5\n    b \"B\" from 5 to 9\n", "overlapping-groups", "groups 'a' and 'b' of 'g' share 5;"),
    ("fact n: int\ngrouping g of n\n    a \"A\" up to 5\n    b \"B\" from 3\n", "overlapping-groups", "share the values from 3 to 5;"),
    ("fact n: int\ngrouping g of n\n    a \"A\" from 9 to 1\n", "bad-band", "the first bound must not be above the second"),
    ("fact n: int\ngrouping g of n\n    a \"A\" from 2025-01-01\n", "type-mismatch", "must be whole numbers"),
    ("fact d: date\ngrouping g of d\n    a \"A\" from 3\n", "type-mismatch", "dates written YYYY-MM-DD"),
    ("fact k: one of x, y\ngrouping g of k\n    a \"A\" is x\n    b \"B\" is x, y\n", "overlapping-groups", "'x' is in two groups of 'g'"),
    ("fact k: one of x, y\ngrouping g of k\n    a \"A\" is z\n", "unknown-option", "'z' is not an option of k"),
    ("fact k: one of x, y\ngrouping g of k\n    a \"A\" is x\n    a \"B\" is y\n", "duplicate-option", "group 'a' is listed twice"),
    ("fact n: int\nfact k: one of x, y\ngrouping g of k\n    a \"A\" is x\n    b \"B\" from 1\n", "mixed-grouping", "mixes bands"),
    ("fact n: int\ngrouping n of n\n    a \"A\" from 1\n", "duplicate-declaration", "'n' is declared twice"),
]


@pytest.mark.parametrize("text, code, words", BAD, ids=[code + ":" + words[:20] for _, code, words in BAD])
def test_a_wrong_grouping_is_refused_where_it_is_written_saying_what_is_allowed(text, code, words):
    found = diagnostics_of(text)
    assert any(c == code and words in message for c, message in found), found


USES = "fact n: int\ngrouping g of n\n    a \"A\" from 1 to 5\n    b \"B\" from 6\n"


@pytest.mark.parametrize("condition, code, words", [
    ("g", "type-mismatch", "expected a condition"),
    ("g < a", "not-ordered", "needs values with an order"),
    ("g == c", "unknown-option", "'c' is not an option of g"),
    ("g == n", "type-mismatch", "cannot compare"),
    ("g in {}", "grouping-not-compared", "empty set of groups"),
    ("(if g == a then g else g) == a", "grouping-not-compared", "can only be compared with its groups"),
])
def test_a_grouping_used_other_than_compared_with_its_groups_is_refused_at_the_spot(condition, code, words):
    found = diagnostics_of(USES + f"question \"Q\" prompt\n    text \"q\"\n    applies when {condition}\n    answer yes_no\n")
    assert any(c == code and words in message for c, message in found), found


def test_a_grouping_is_lowered_to_conditions_on_its_fact_so_the_graph_reads_the_fact():
    rules = loads(AGES)
    assert rules.symbols.questions["EITHER"].applies == ast.BoolOp(
        "or", ast.BoolOp("and", ast.Compare(">=", ast.Name("age"), ast.IntLit(18)), ast.Compare("<=", ast.Name("age"), ast.IntLit(24))),
        ast.Compare(">=", ast.Name("age"), ast.IntLit(60)))
    assert ("fact:age", "question:EITHER") in rules.graph.edges


def test_the_bundled_carag_declares_the_bulletins_characteristics_and_groups():
    rules = carag_dsl.load()
    facts = rules.symbols.facts
    assert [o.code for o in facts["sex"].type.options] == ["male", "female"]
    assert [o.code for o in facts["ethnicity"].type.options] == ["white", "ethnic_minority"]
    for name in ("likelihood_of_reoffending", "rosh"):
        assert facts[name].type.kind == "scale" and [o.code for o in facts[name].type.options] == ["low", "medium", "high", "very_high"]
    assert facts["age"].type.kind == facts["previous_sanctions"].type.kind == "int"
    labels = {name: [m.label for m in g.members] for name, g in rules.symbols.groupings.items()}
    assert labels == {
        "age_group": ["18-24", "25-29", "30-39", "40-59", "60+"],
        "likelihood_group": ["Low", "Medium", "High/very high"],
        "rosh_group": ["Low", "Medium", "High/very high"],
        "case_group": ["Community", "Post-custody"],
        "sanctions_group": ["None", "1", "2-5", "6-10", "11-20", "21+"],
    }
    case_group = rules.symbols.groupings["case_group"]
    assert [group_of(case_group, s) for s in ("community", "licence", "pss")] == ["community", "post_custody", "post_custody"]
    sanctions = rules.symbols.groupings["sanctions_group"]
    assert [group_of(sanctions, n) for n in (0, 1, 2, 5, 6, 10, 11, 20, 21, 99)] == [
        "no_previous", "one_previous", "two_to_five", "two_to_five", "six_to_ten", "six_to_ten", "eleven_to_twenty",
        "eleven_to_twenty", "twenty_one_or_more", "twenty_one_or_more"]


def test_the_characteristics_are_optional_and_checked_in_case_data():
    rules = carag_dsl.load()
    assert rules.evaluate({"facts": {"sentence": "licence", "suspension": "none", "terminated": False}}).to_dict()["case_type"] == "core"  # none given
    with pytest.raises(CaragError, match="the age is below 0"):
        rules.evaluate({"facts": {"age": -1}})
    with pytest.raises(CaragError, match="'other' is not allowed"):
        rules.evaluate({"facts": {"sex": "other"}})


def test_the_language_server_indexes_a_grouping_its_groups_and_the_options_it_merges():
    from carag_dsl.lsp import index as ix
    from carag_dsl.lsp.resolve import key_of

    text = FIXTURE.read_text(encoding="utf-8")
    symbols = loads(text).symbols
    keys = [(o.text, key_of(o, symbols), o.line) for o in ix.index_text(text).occurrences]
    declared = next(line for name, key, line in keys if name == "n_group" and key == ("name", "n_group"))
    uses = [line for name, key, line in keys if key == ("name", "n_group")]
    assert len(uses) == 5 and declared == min(uses)  # the declaration, then `n_group` in four conditions
    assert sum(1 for name, key, _ in keys if key == ("option", "name", "n_group", "mid_n")) == 3  # its group, used twice
    assert ("very_high", ("option", "name", "level", "very_high")) in [(name, key) for name, key, _ in keys]
