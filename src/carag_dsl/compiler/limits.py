"""Limits that keep every accepted rule set evaluable: found at check time, reported at their place.

The evaluators and the code generator walk expressions recursively, Python
dates end at year 9999 and ``datetime.timedelta`` at 999,999,999 days, and the
generated function grows with the rule set. Rather than failing at the first
evaluation (RecursionError, OverflowError, MemoryError), ``check`` refuses
what goes past these limits with a located error that says what is allowed.
This pass walks without recursion, so it works on any input the parser gave.
"""

from __future__ import annotations

import datetime
from typing import Iterator

from carag_dsl.errors import Diagnostic
from carag_dsl.language import ast

#: Deepest nesting of one expression (brackets, 'not', chains of 'and'/'or'/'+').
MAX_EXPRESSION_DEPTH = 200
#: Most expression nodes and declarations in one rule set (the generated code grows linearly with them).
MAX_RULE_SET_SIZE = 100_000
#: Longest duration literal: the whole calendar, 0001-01-01 to 9999-12-31.
MAX_DURATION_DAYS = (datetime.date.max - datetime.date.min).days
_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}


def declaration_expressions(item: ast.Decl) -> Iterator[ast.Expr]:
    """Every expression a declaration holds."""
    if isinstance(item, (ast.DefineDecl, ast.ConstraintDecl)):
        yield item.expr
    elif isinstance(item, ast.CaseTypeDecl):
        yield from (rule.condition for rule in item.rules if rule.condition is not None)
        yield from (override.condition for override in item.overrides)
    elif isinstance(item, ast.QuestionDecl):
        if item.applies is not None:
            yield item.applies
        yield from (derive.condition for derive in item.derive)


def check_limits(modules: list[ast.Module]) -> list[Diagnostic]:
    """Diagnostics for expressions nested too deeply, durations past the calendar and a rule set too big."""
    diagnostics: list[Diagnostic] = []
    size = 0
    for module in modules:
        for item in module.items:
            size += 1
            for expression in declaration_expressions(item):
                size += _check_expression(expression, diagnostics)
            if size > MAX_RULE_SET_SIZE:
                diagnostics.append(Diagnostic(item.span, "too-large", (
                    f"the rule set is too large to compile: it passes {MAX_RULE_SET_SIZE:,} declarations and expression "
                    "parts here; split it into smaller rule sets")))
                return diagnostics
    return diagnostics


def _check_expression(expression: ast.Expr, diagnostics: list[Diagnostic]) -> int:
    """Check one expression; returns its number of nodes."""
    count, too_deep = 0, False
    stack = [(expression, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_EXPRESSION_DEPTH and not too_deep:
            too_deep = True  # once per expression: its deepest part would repeat the same advice
            diagnostics.append(Diagnostic(node.span, "too-deep", (
                f"an expression is nested more than {MAX_EXPRESSION_DEPTH} levels deep (brackets, 'not', or a chain of "
                "'and', 'or', '+'); split it into defined names")))
        if isinstance(node, ast.DurationLit) and node.amount * _UNIT_DAYS.get(node.unit, 1) > MAX_DURATION_DAYS:
            diagnostics.append(Diagnostic(node.span, "duration-too-long", (
                f"a duration of {node.amount} {node.unit} is longer than the calendar; at most {MAX_DURATION_DAYS:,} "
                f"days ({MAX_DURATION_DAYS // 7:,} weeks) is allowed")))
        stack.extend((child, depth + 1) for child in ast.children(node))
    return count
