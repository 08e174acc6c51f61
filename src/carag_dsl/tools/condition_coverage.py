"""Condition coverage (MC/DC) of the test cases: which conditions were shown to decide a route on their own.

A question's rule is built from *atomic conditions* (comparisons, memberships, emptiness tests, yes/no
facts and defined names) joined by ``and``, ``or``, ``not`` and ``if``. A condition is *shown* when two
test cases give it different values, give every other condition of the rule the same value, and give the
question different routes: then that condition alone changed the route (unique-cause MC/DC, with
"unknown" as a third value). The report lists, per question, the conditions no pair of tests shows;
``carag lint --suggest-tests`` writes tests that show every condition that can be shown.
"""

from __future__ import annotations

from typing import Any, Iterable

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import CaseDataError
from carag_dsl.language import ast
from carag_dsl.runtime import evaluator
from carag_dsl.runtime.casedata import read_case


def atomic_conditions(rules: CheckedRules, expr: ast.Expr | None) -> list[ast.Expr]:
    """The atomic conditions of a rule, in reading order (a defined name is one condition)."""
    found: list[ast.Expr] = []

    def visit(node: ast.Expr) -> None:
        if isinstance(node, ast.BoolOp):
            visit(node.left)
            visit(node.right)
        elif isinstance(node, ast.Not):
            visit(node.operand)
        elif isinstance(node, ast.If):
            for part in (node.condition, node.then, node.otherwise):
                visit(part)
        elif isinstance(node, (ast.Compare, ast.In, ast.IsEmpty)):
            found.append(node)
        elif isinstance(node, ast.Name) and (_is_bool_fact(rules, node.name) or node.name in rules.symbols.defines):
            found.append(node)

    if expr is not None:
        visit(expr)
    return found


def _is_bool_fact(rules: CheckedRules, name: str) -> bool:
    decl = rules.symbols.facts.get(name)
    return decl is not None and decl.type.kind == "bool"


def condition_text(node: ast.Expr) -> str:
    return node.span.one_line() if node.span.source is not None else type(node).__name__


@attrs.frozen
class ConditionCoverage:
    conditions: dict[str, tuple[ast.Expr, ...]]  # question id -> its atomic conditions
    shown: dict[str, frozenset[int]]  # question id -> indexes of the conditions shown

    def missing(self) -> dict[str, tuple[ast.Expr, ...]]:
        return {
            qid: tuple(c for i, c in enumerate(conds) if i not in self.shown.get(qid, frozenset()))
            for qid, conds in self.conditions.items()
            if len(self.shown.get(qid, frozenset())) < len(conds)
        }

    @property
    def total(self) -> int:
        return sum(len(c) for c in self.conditions.values())

    @property
    def covered(self) -> int:
        return sum(len(s) for s in self.shown.values())


def observations(rules: CheckedRules, case: dict[str, Any]) -> dict[str, tuple[tuple, str]] | None:
    """Per question with conditions: (the values of its conditions, its route) for one case; None if rejected."""
    try:
        scope, results = evaluator.run(rules, read_case(rules, case))[:2]
    except CaseDataError:
        return None
    seen = {}
    for qid, question in rules.symbols.questions.items():
        conditions = atomic_conditions(rules, question.applies)
        if conditions:
            seen[qid] = (tuple(_key(evaluator.evaluate(c, scope)) for c in conditions), results[qid].status)
    return seen


def _key(value: Any) -> Any:
    return "unknown" if value is evaluator.UNKNOWN else value


def shown_conditions(pairs: Iterable[tuple[tuple, str]]) -> frozenset[int]:
    """Indexes of the conditions that some two observations show deciding the route on their own."""
    observed = list(dict.fromkeys(pairs))
    shown: set[int] = set()
    for i, (values, route) in enumerate(observed):
        for other_values, other_route in observed[i + 1:]:
            if route == other_route:
                continue
            differing = [k for k, (a, b) in enumerate(zip(values, other_values)) if a != b]
            if len(differing) == 1:
                shown.add(differing[0])
    return frozenset(shown)


def condition_coverage(rules: CheckedRules, cases: Iterable[dict[str, Any]]) -> ConditionCoverage:
    by_question: dict[str, list[tuple[tuple, str]]] = {}
    for case in cases:
        seen = observations(rules, case)
        for qid, observation in (seen or {}).items():
            by_question.setdefault(qid, []).append(observation)
    conditions = {
        qid: tuple(atomic_conditions(rules, q.applies))
        for qid, q in rules.symbols.questions.items() if atomic_conditions(rules, q.applies)
    }
    return ConditionCoverage(conditions, {qid: shown_conditions(by_question.get(qid, [])) for qid in conditions})


def render_condition_coverage(coverage: ConditionCoverage) -> list[str]:
    lines = [f"condition coverage: {coverage.covered} of {coverage.total} conditions shown deciding their question's route on their own"]
    for qid, conditions in coverage.missing().items():
        lines.append(f"    [{qid}] not shown: " + "; ".join(condition_text(c) for c in conditions))
    return lines
