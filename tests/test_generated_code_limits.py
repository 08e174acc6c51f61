"""Generated code grows linearly with the rules and never passes Python's limits; what would is a check error.

Issue 11, points 2 and 6: a chain of ``if ... then ... else`` used to copy both branches into the unknown
branch at every level (66 million characters for 16 levels), and more than ~100 case-type rules, derive
clauses or nested ``and``s went past Python's 100 levels of indentation after ``check`` had accepted them.
"""

from __future__ import annotations

import contextlib
import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carag_dsl import CaragError, RuleError, loads
from carag_dsl.compiler import limits
from carag_dsl.compiler.codegen import NEST_LIMIT, generate_source
from carag_dsl.compiler.limits import declaration_expressions
from carag_dsl.language import ast
from carag_dsl.language.formatter import format_module
from carag_dsl.testing import rule_sets, unchecked_cases

#: Characters of generated Python per AST node and per character of rule text: the constant factors.
PER_NODE, PER_CHARACTER = 600, 8


def ast_size(rules) -> int:
    """Declarations and expression nodes of a rule set."""
    count = 0
    for module in rules.modules:
        for item in module.items:
            count += 1 + sum(sum(1 for _ in ast.walk(e)) for e in declaration_expressions(item))
    return count


def assert_linear(rules) -> None:
    text = sum(len(module.text) for module in rules.modules)
    assert len(generate_source(rules)) <= PER_NODE * ast_size(rules) + PER_CHARACTER * text


def outcome(rules, case, backend):
    try:
        return rules.evaluate(case, backend=backend).to_dict()
    except CaragError as error:
        return (type(error).__name__, str(error))


def assert_backends_agree(rules, cases) -> None:
    for case in cases:
        assert outcome(rules, case, "compiled") == outcome(rules, case, "reference"), case


BOOL_CASES = [{"id": i, "facts": facts} for i, facts in enumerate(
    [{}, {"a": True}, {"a": False}, {"a": True, "b": False}, {"a": False, "b": True}, {"a": True, "b": True}, {"b": False}]
)]


# ------------------------------------------------------------------ the defects, one by one


@pytest.mark.parametrize("levels", [16, 20, 60])
def test_a_chain_of_if_expressions_generates_code_linear_in_its_length(levels):
    rules = loads("fact a: bool\nfact b: bool\ndefine x = " + "if a then " * levels + "1" + " else if b then 2 else 3" * levels + "\n")
    assert len(generate_source(rules)) < 2_000 * levels  # 66 million characters for 16 levels before
    assert_linear(rules)
    assert_backends_agree(rules, BOOL_CASES)


def test_an_unknown_if_condition_runs_both_branches_written_once():
    rules = loads("fact a: bool\nfact b: bool\ndefine x = if a then (if b then 1 else 2) else (if b then 1 else 3)\n"
                  'question "Q" prompt\n    text "t"\n    applies when x == 1\n    answer yes_no\n')
    source = generate_source(rules)
    assert source.count(" is True:") == 3  # once per 'if': the inner ones were copied into the unknown branch before
    assert_backends_agree(rules, BOOL_CASES)


def test_more_than_a_hundred_case_type_rules_evaluate_with_both_back_ends():
    rules = loads("fact n: int\ncase type\n" + "".join(f"    t{i} when n == {i}\n" for i in range(150)) + "    rest otherwise\n")
    assert_backends_agree(rules, [{"facts": {"n": n}} for n in (0, 77, 149, 150, -1)] + [{"facts": {}}])
    assert rules.evaluate({"facts": {"n": 149}}).case_type == "t149"


def test_more_than_a_hundred_derive_clauses_evaluate_with_both_back_ends():
    derives = "".join(f"    derive {'yes' if i % 2 else 'no'} when n == {i}\n" for i in range(150))
    rules = loads(f'fact n: int\nquestion "J" judgement\n    text "t"\n    answer yes_no\n{derives}')
    assert_backends_agree(rules, [{"facts": {"n": n}} for n in (0, 1, 148, 149, 500)] + [{"facts": {}, "answers": {"J": "yes"}}])
    assert rules.evaluate({"facts": {"n": 149}}).questions["J"].value == "yes"


@pytest.mark.parametrize("op", ["and", "or"])
@pytest.mark.parametrize("levels", [150, limits.MAX_EXPRESSION_DEPTH - 2])
def test_deeply_nested_and_or_evaluate_with_both_back_ends(op, levels):
    rules = loads("fact a: bool\nfact b: bool\ndefine x = " + f"(a {op} " * levels + "b" + ")" * levels
                  + '\nquestion "Q" prompt\n    text "t"\n    applies when x\n    answer yes_no\n')
    assert_linear(rules)
    assert_backends_agree(rules, BOOL_CASES)
    assert max(len(line) - len(line.lstrip()) for line in generate_source(rules).splitlines()) <= 4 * (NEST_LIMIT + 12)


def test_an_expression_nested_past_the_limit_is_a_located_too_deep_error():
    for text in ["fact a: bool\ndefine x = " + "(a or " * 500 + "a" + ")" * 500,  # RecursionError escaped parse() before
                 "fact a: bool\ndefine x = " + "(a and " * 250 + "a" + ")" * 250]:  # IndentationError at evaluation before
        with pytest.raises(RuleError) as raised:
            loads(text)
        assert [d.code for d in raised.value.diagnostics] == ["too-deep"]
        assert raised.value.diagnostics[0].span.line == 2


def test_a_duration_past_the_calendar_is_a_located_check_error():
    with pytest.raises(RuleError) as raised:
        loads("fact d: date\ndefine later = d + 200000000 weeks\n")  # OverflowError at evaluation before
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.code == "duration-too-long" and (diagnostic.span.line, diagnostic.span.column) == (2, 20)
    assert "at most 3,652,058 days" in diagnostic.message
    rules = loads(f"fact d: date\ndefine later = d + {limits.MAX_DURATION_DAYS} days\n")
    assert_backends_agree(rules, [{"facts": {"d": "2020-01-01"}}, {"facts": {"d": "0001-01-01"}}])


def test_a_number_of_thousands_of_digits_is_a_located_check_error():
    with pytest.raises(RuleError) as raised:
        loads("fact n: int\ndefine big = n + " + "9" * 5000 + "\n")  # ValueError from int() escaped before
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.code == "number-too-large" and diagnostic.span.line == 2
    assert len(diagnostic.render()) < 1_000  # the number is not echoed whole


def test_a_rule_set_past_the_size_cap_is_a_located_too_large_error(monkeypatch):
    monkeypatch.setattr(limits, "MAX_RULE_SET_SIZE", 40)
    text = "fact a: bool\n" + "".join(f"define x{i} = a and a or not a\n" for i in range(20))
    with pytest.raises(RuleError) as raised:
        loads(text)
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.code == "too-large" and diagnostic.span.line == 7  # 1 + 6 * 7 parts > 40


# ------------------------------------------------------------------ properties

_LEAVES = st.sampled_from([ast.Name("a"), ast.Name("b"), ast.BoolLit(True),
                           ast.Compare("<", ast.Name("n"), ast.IntLit(3)),
                           ast.Compare("<=", ast.Name("d"), ast.Arith("+", ast.DateLit(datetime.date(2025, 1, 1)), ast.DurationLit(8, "weeks")))])


def _deep(inner):
    return st.one_of(
        st.builds(ast.Not, inner),
        st.builds(ast.BoolOp, st.sampled_from(("and", "or")), inner, inner),
        st.builds(ast.If, inner, inner, inner),
        st.builds(lambda e: ast.Compare("==", e, ast.BoolLit(False)), inner),
    )


def _deep_rule_set(expressions: list[ast.Expr]) -> str:
    items: list = [ast.FactDecl("a", ast.TypeExpr("bool")), ast.FactDecl("b", ast.TypeExpr("bool")),
                   ast.FactDecl("n", ast.TypeExpr("int")), ast.FactDecl("d", ast.TypeExpr("date"))]
    items += [ast.DefineDecl(f"x{i}", e) for i, e in enumerate(expressions)]
    items.append(ast.CaseTypeDecl(tuple(ast.CaseRule(f"t{i}", ast.Name(f"x{i}")) for i in range(len(expressions))) + (ast.CaseRule("rest", None),)))
    return format_module(ast.Module(tuple(items)))


_DEEP_CASES = st.fixed_dictionaries({}, optional={"a": st.booleans(), "b": st.booleans(), "n": st.integers(0, 5),
                                                  "d": st.sampled_from(["2025-02-26", "2025-02-27", "9999-12-31"])})


@settings(max_examples=30)
@given(expressions=st.lists(st.recursive(_LEAVES, _deep, max_leaves=80), min_size=1, max_size=3),
       facts=st.lists(_DEEP_CASES, min_size=1, max_size=4))
def test_generated_source_is_within_a_constant_factor_of_the_ast_and_agrees(expressions, facts):
    rules = loads(_deep_rule_set(expressions))
    assert_linear(rules)
    assert_backends_agree(rules, [{"facts": f} for f in facts])


@settings(max_examples=30)
@given(data=st.data())
def test_generated_source_of_generated_rule_sets_is_within_a_constant_factor_of_the_ast(data):
    _, rules = data.draw(rule_sets())
    assert_linear(rules)
    assert_backends_agree(rules, [data.draw(unchecked_cases(rules)) for _ in range(3)])


# ------------------------------------------------------------------ chunks (issue 18, point 4)


@contextlib.contextmanager
def chunks_of_three():
    """Chunks of three declarations, and no cache (its key does not cover the chunk size)."""
    from carag_dsl.compiler import codegen

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codegen, "CHUNK_DECLARATIONS", 3)
        patch.setenv("CARAG_NO_CACHE", "1")
        yield


@pytest.fixture
def small_chunks():
    with chunks_of_three():
        yield


CONTRADICTING = """fact a: bool
fact b: bool
define x = a and b
define y = a or b
define z = not a
define w = x or z
case type
    adjusted when w
    core otherwise
    override core when a
    override adjusted when b
question "Q" prompt
    text "t"
    applies when case_type == core and y
    answer yes_no
"""


def test_a_long_evaluation_order_is_written_as_chunk_functions_that_agree_with_the_reference(small_chunks):
    rules = loads(CONTRADICTING)
    source = generate_source(rules)
    assert "def _c0(" in source and "def _c1(" in source  # six declarations, three to a chunk
    cases = [{"facts": {"a": a, "b": b}} for a in (True, False, None) for b in (True, False, None)]
    cases = [{"facts": {k: v for k, v in case["facts"].items() if v is not None}, "answers": {"Q": "yes"}} for case in cases]
    assert_backends_agree(rules, cases)
    # Both overrides hold: the contradiction raised from inside the chunk is the reference's error.
    with pytest.raises(CaragError) as raised:
        rules.evaluate({"facts": {"a": True, "b": True}}, backend="compiled")
    assert "contradict each other" in str(raised.value)


def test_a_rule_set_within_one_chunk_is_one_function():
    rules = loads(CONTRADICTING)
    assert "def _c0(" not in generate_source(rules)


@settings(max_examples=30)
@given(data=st.data())
def test_chunked_code_of_generated_rule_sets_agrees_with_the_reference(data):
    _, rules = data.draw(rule_sets())
    with chunks_of_three():
        assert len(rules.order) <= 3 or "def _c1(" in rules.compiled.source
        assert_backends_agree(rules, [data.draw(unchecked_cases(rules)) for _ in range(3)])
