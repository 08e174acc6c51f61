"""Static checking of ``test`` blocks: every name, question, option and value a test writes must exist and fit.

A test describes a case, so a misspelt fact (``facts mapa = true``) or an
answer the question does not take (``expect [P 2.1.3] = maybe``) is a mistake
in the rule files, found by ``carag check`` and located to line and column,
not a failing test found only when the tests run. ``carag check`` and
``carag test`` both run this pass (through :mod:`carag_dsl.compiler.ruleset`).
"""

from __future__ import annotations

import datetime
from typing import Iterable

from carag_dsl.compiler import types as T
from carag_dsl.compiler.symbols import Symbols
from carag_dsl.errors import Diagnostic, did_you_mean, did_you_mean_question
from carag_dsl.language import ast
from carag_dsl.source import Span

_SIMPLE_WORDS = {
    "bool": "true or false",
    "int": "a whole number, like 3",
    "date": "a date, like 2025-01-06",
    "text": 'text in quotes, like "a note"',
}


def check_tests(symbols: Symbols, tests: Iterable[ast.TestDecl]) -> list[Diagnostic]:
    """Every problem in the tests' facts, answers and expectations, each at the spot it is written."""
    diagnostics: list[Diagnostic] = []
    for test in tests:
        diagnostics += _check_test(symbols, test)
    return diagnostics


def _check_test(symbols: Symbols, test: ast.TestDecl) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for (name, value), (name_span, value_span) in zip(test.facts, test.fact_spans):
        fact = symbols.facts.get(name)
        if fact is None:
            found.append(_unknown_fact(symbols, name, name_span))
            continue
        found += _value_problems(fact.type, value, value_span, f"fact '{name}'")
    for (qid, value), (ref_span, value_span) in zip(test.answers, test.answer_spans):
        question = _question(symbols, qid, ref_span, found)
        if question is not None and question.answer is not None:
            found += _value_problems(question.answer, value, value_span, f"question [{qid}]")
    for expectation in test.expectations:
        if expectation.kind == "case_type":
            found += _case_type_problems(symbols, expectation)
        for ref in expectation.questions:
            question = _question(symbols, ref.question_id, ref.span, found)
            if expectation.kind == "value" and question is not None and question.answer is not None:
                found += _value_problems(question.answer, expectation.value, expectation.value_span, f"question [{ref.question_id}]")
    return found


def _unknown_fact(symbols: Symbols, name: str, span: Span) -> Diagnostic:
    if name in symbols.defines:
        return Diagnostic(span, "unknown-name", f"'{name}' is a defined name, worked out by the rules; a test sets the facts it reads, not '{name}' itself")
    known = ", ".join(symbols.facts) or "none"
    return Diagnostic(span, "unknown-name", f"the test sets '{name}', but there is no such fact{did_you_mean(name, symbols.facts)}; the facts are: {known}")


def _question(symbols: Symbols, qid: str, span: Span, found: list[Diagnostic]) -> ast.QuestionDecl | None:
    question = symbols.questions.get(qid)
    if question is None:
        found.append(Diagnostic(span, "unknown-question", f"the test names question [{qid}], but there is no such question{did_you_mean_question(qid, symbols.questions)}"))
    return question


def _case_type_problems(symbols: Symbols, expectation: ast.Expectation) -> list[Diagnostic]:
    case_types = symbols.case_types()
    if expectation.value in case_types:
        return []
    if not case_types:
        return [Diagnostic(expectation.value_span, "unknown-name", "the test expects a case type, but the rule set has no 'case type' block")]
    hint = did_you_mean(str(expectation.value), case_types)
    return [Diagnostic(expectation.value_span, "unknown-name", f"there is no case type '{expectation.value}'{hint}; the case types are: {', '.join(case_types)}")]


def _value_problems(type_expr: ast.TypeExpr, value: object, span: Span, what: str) -> list[Diagnostic]:
    """Whether a test's value fits the declared type of a fact or an answer (empty when it does)."""
    kind = type_expr.kind
    quoted = span.source_text().startswith('"')
    if kind in _SIMPLE_WORDS:
        fits = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "date": isinstance(value, datetime.date),
            "text": isinstance(value, str) and quoted,
        }[kind]
        if fits:
            return []
        return [Diagnostic(span, "type-mismatch", f"{what} takes {_SIMPLE_WORDS[kind]}, not {_written(span, value)}")]
    codes = T.option_codes(type_expr)
    allowed = f"{what} takes {T.describe_declared(type_expr)}"
    if kind == "any":
        if not isinstance(value, tuple):
            example = f"{{{value}}}" if isinstance(value, str) and value in codes else "{" + ", ".join(codes[:2]) + "}"
            return [Diagnostic(span, "type-mismatch", f"{allowed}, written as a set in braces, like {example}")]
        members = value
    elif isinstance(value, str):
        if quoted and value in codes:
            return [Diagnostic(span, "type-mismatch", f"remove the quotes: option codes are written bare, like {value} ({allowed})")]
        members = (value,)
    else:
        return [Diagnostic(span, "type-mismatch", f"{allowed}, not {_written(span, value)}")]
    return [
        Diagnostic(span, "unknown-option", f"'{code}' is not an option of {what}{did_you_mean(code, codes)}; it takes {T.describe_declared(type_expr)}")
        for code in members if code not in codes
    ]


def _written(span: Span, value: object) -> str:
    return span.one_line() or repr(value)
