"""Rules on parts of conditions that cannot change anything: always true, always false."""

from __future__ import annotations

from typing import Iterator

from carag_dsl.language import ast
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.finding import Expect
from carag_dsl.tools.lint.registry import lint_rule


def _rule_expressions(context: LintContext) -> Iterator[tuple[ast.Expr, str | None, bool]]:
    """(expression, question id or None, whether its root is checked here) for every rule of the rule set.

    A question's whole 'applies when' rule is the business of always-applies and never-applies; its parts are checked here.
    """
    symbols = context.symbols
    for define in symbols.defines.values():
        yield define.expr, None, True
    if symbols.case_type is not None:
        for rule in symbols.case_type.rules:
            if rule.condition is not None:
                yield rule.condition, None, True
        for override in symbols.case_type.overrides:
            yield override.condition, None, True
    for question in symbols.questions.values():
        if question.applies is not None:
            yield question.applies, question.id, False
        for derive in question.derive:
            yield derive.condition, question.id, False
    for check in symbols.consistency:
        yield check.expr, None, True


def _conditions(expr: ast.Expr, include_root: bool) -> Iterator[ast.Expr]:
    """The true/false parts of an expression, outermost first: and/or/not, comparisons, memberships, emptiness
    tests, names of yes/no values."""
    for node in ast.walk(expr):
        if node is expr and not include_root:
            continue
        if isinstance(node, (ast.BoolOp, ast.Not, ast.Compare, ast.In, ast.IsEmpty, ast.Name)):
            yield node


def _is_condition(context: LintContext, node: ast.Expr) -> bool:
    """Comparisons and the like always; a name when it stands for a yes/no fact or a defined condition."""
    if isinstance(node, (ast.BoolOp, ast.Not, ast.Compare, ast.In, ast.IsEmpty)):
        return True
    if isinstance(node, ast.Name) and (node.name in context.symbols.facts or node.name in context.symbols.defines):
        values = context.space.truth(node, values=True)
        return all(isinstance(v, bool) or v is UNKNOWN for v in values)
    return False


def _check(context: LintContext, value: bool):
    rule = "condition-always-true" if value else "condition-always-false"
    seen: set[int] = set()
    for expr, question, include_root in _rule_expressions(context):
        for node in _conditions(expr, include_root):
            if id(node) in seen or not _is_condition(context, node):
                continue
            seen.add(id(node))
            truth = context.space.truth(node)
            if truth[not value].is_empty and truth[value]:
                seen.update(id(inner) for inner in ast.walk(node))  # the parts of a constant part say nothing more
                text = node.span.one_line() if node.span.source is not None else "the condition"
                yield context.finding(
                    rule, node.span,
                    f"the condition '{text}' is always {'true' if value else 'false'} when known, so it cannot change the outcome",
                    question, truth[value], Expect(question, condition=value), prefer_given=context.reads(node), subject=node,
                )


_EXPLANATION = """
Part of a rule is {value} in every case the engine accepts (whenever it is known), so it never decides
anything: the rule reads the same without it. Usually a slip (a wrong option, a comparison the wrong way round,
a date boundary that the constraints already exclude); otherwise simplify the rule. The witness gives what the
condition reads, and the condition is still {value}.
"""


@lint_rule(
    "condition-always-true", "warning",
    "Part of a rule is true in every accepted case where it is known.",
    _EXPLANATION.format(value="true"),
    """
fact sentence: one of community, licence
question "Q 1" prompt
    text "Was the licence recalled?"
    applies when sentence in {community, licence} and sentence == licence
    answer yes_no
""",
)
def condition_always_true(context: LintContext):
    yield from _check(context, True)


@lint_rule(
    "condition-always-false", "warning",
    "Part of a rule is false in every accepted case where it is known.",
    _EXPLANATION.format(value="false"),
    """
fact start_date: date
fact end_date: date
constraint end_date requires end_date >= start_date
    message "the end date is before the start date"
fact mappa: bool
question "Q 1" prompt
    text "Is the MAPPA level recorded?"
    applies when mappa or end_date < start_date
    answer yes_no
""",
)
def condition_always_false(context: LintContext):
    yield from _check(context, False)
