"""The reference evaluator: walks the checked AST of a rule set for one case.

This interpreter defines the semantics of the language. It never sees Lark's
parse tree, only the AST, and only after the compiler accepted the rule set.
"""

from __future__ import annotations

import datetime
import operator
from typing import TYPE_CHECKING, Any, Callable

from carag_dsl.compiler.outcomes import (
    APPLIES, NOT_APPLICABLE, PENDING, REFUSED_OVERRIDE_START, consistency_warning, given_values, ignored_answer_warning,
    OVERRULED_START, overruled_answer_end, refused_override_end,
)
from carag_dsl.language import ast
from carag_dsl.errors import CaseDataError, CaseProblem
from carag_dsl.compiler.graph import CASE_TYPE_NODE, expression_inputs, given_inputs, node_label
from carag_dsl.compiler.routing import PYTHON, CaseTypeTable, exclusion_decision, python_kleene, table_key
from carag_dsl.runtime.logic import UNKNOWN, k_and, k_not, k_or
from carag_dsl.runtime.results import QuestionResult
from carag_dsl.compiler.symbols import CASE_TYPE

if TYPE_CHECKING:
    from carag_dsl.runtime.casedata import CaseData
    from carag_dsl.compiler.ruleset import CheckedRules
    from carag_dsl.compiler.symbols import Symbols

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}


class Scope:
    """What an expression can read while one case is evaluated: facts, defined names, case type, answers."""

    def __init__(self, ruleset: "CheckedRules", case: "CaseData"):
        self.ruleset = ruleset
        self.case = case
        self.defined: dict[str, Any] = {}
        self.case_type: Any = UNKNOWN
        self.derived: dict[str, Any] = {}  # question id -> derived value, for unanswered judgements

    def name(self, name: str):
        symbols = self.ruleset.symbols
        if name in symbols.facts:
            return self.case.facts.get(name, UNKNOWN)
        if name in symbols.defines:
            if name not in self.defined:  # read before its turn (explain, constraints): compute now
                self.defined[name] = evaluate(symbols.defines[name].expr, self)
            return self.defined[name]
        if name == CASE_TYPE:
            return self.case_type
        return name  # an option code stands for itself

    def answer(self, question_id: str):
        if question_id in self.case.answers:
            return self.case.answers[question_id]
        return self.derived.get(question_id, UNKNOWN)


def evaluate(node: ast.Expr, scope: Scope):
    """The value of an expression, or UNKNOWN."""
    return _EVALUATORS[type(node)](node, scope)


def _compare(node: ast.Compare, scope: Scope):
    left = evaluate(node.left, scope)
    if left is UNKNOWN:
        return UNKNOWN
    right = evaluate(node.right, scope)
    if right is UNKNOWN:
        return UNKNOWN
    if node.op in ("==", "!="):
        return _COMPARE[node.op](left, right)
    ranks = scope.ruleset.scale_rank(left, right)
    if ranks is not None:
        left, right = ranks
    return _COMPARE[node.op](left, right)


def _bool_op(node: ast.BoolOp, scope: Scope):
    left = evaluate(node.left, scope)
    if node.op == "and":
        return False if left is False else k_and(left, evaluate(node.right, scope))
    return True if left is True else k_or(left, evaluate(node.right, scope))


def _in(node: ast.In, scope: Scope):
    element = evaluate(node.element, scope)
    collection = evaluate(node.collection, scope)
    if element is UNKNOWN or collection is UNKNOWN:
        return UNKNOWN
    found = element in collection
    return not found if node.negated else found


def _is_empty(node: ast.IsEmpty, scope: Scope):
    value = evaluate(node.operand, scope)
    if value is UNKNOWN:
        return UNKNOWN
    return bool(value) if node.negated else not value


def _arith(node: ast.Arith, scope: Scope):
    left = evaluate(node.left, scope)
    right = evaluate(node.right, scope)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    try:
        return left + right if node.op == "+" else left - right
    except OverflowError:  # a date pushed past year 9999: no answer can be given
        return UNKNOWN


def _days_between(node: ast.DaysBetween, scope: Scope):
    start = evaluate(node.start, scope)
    end = evaluate(node.end, scope)
    if start is UNKNOWN or end is UNKNOWN:
        return UNKNOWN
    return end - start


def _if(node: ast.If, scope: Scope):
    condition = evaluate(node.condition, scope)
    if condition is True:
        return evaluate(node.then, scope)
    if condition is False:
        return evaluate(node.otherwise, scope)
    # Unknown condition: the result is still known when both branches agree.
    then, otherwise = evaluate(node.then, scope), evaluate(node.otherwise, scope)
    return then if then is not UNKNOWN and then == otherwise else UNKNOWN


_EVALUATORS: dict[type, Callable[[Any, Scope], Any]] = {
    ast.Name: lambda node, scope: scope.name(node.name),
    ast.AnswerRef: lambda node, scope: scope.answer(node.question_id),
    ast.IntLit: lambda node, scope: node.value,
    ast.DateLit: lambda node, scope: node.value,
    ast.TextLit: lambda node, scope: node.value,
    ast.BoolLit: lambda node, scope: node.value,
    ast.DurationLit: lambda node, scope: datetime.timedelta(days=node.amount * _UNIT_DAYS[node.unit]),
    ast.SetLit: lambda node, scope: frozenset(node.members),
    ast.Not: lambda node, scope: k_not(evaluate(node.operand, scope)),
    ast.BoolOp: _bool_op,
    ast.Compare: _compare,
    ast.In: _in,
    ast.IsEmpty: _is_empty,
    ast.Arith: _arith,
    ast.DaysBetween: _days_between,
    ast.If: _if,
}


# ------------------------------------------------------------------ one case

def status_of(applies: ast.Expr | None, scope: Scope) -> str:
    if applies is None:
        return APPLIES
    value = evaluate(applies, scope)
    if value is UNKNOWN:
        return PENDING
    return APPLIES if value else NOT_APPLICABLE


def decide_case_type(scope: Scope, warnings: list[str]) -> tuple[Any, str | None]:
    """(case type or UNKNOWN, "answer" | "derived" | None), in Kleene logic (compiler.routing).

    Every rule's and every override's condition is read; overrides that certainly hold for different
    types contradict each other. The case type is known only where every way of filling in the unknowns
    gives it: an override decides where the rules certainly give no type or its ``from`` type, is refused
    (with a warning that quotes the rules) where they certainly give another, and leaves the case type
    pending where that is not known. So more facts or answers never change a decided case type.
    """
    decl = scope.ruleset.symbols.case_type
    if decl is None:
        return UNKNOWN, None
    override_values = [evaluate(override.condition, scope) for override in decl.overrides]
    chosen: dict[str, ast.CaseOverride] = {}
    for override, value in zip(decl.overrides, override_values):
        if value is True:
            chosen.setdefault(override.value, override)
    if len(chosen) > 1:
        raise CaseDataError([CaseProblem("answers", _contradiction(chosen, scope))], scope.case.id)
    rule_values = [True if rule.condition is None else evaluate(rule.condition, scope) for rule in decl.rules]
    outcome = scope.ruleset.derived(case_type_table).outcome(table_key(rule_values + override_values))
    if outcome.refused is not None:
        override_index, rule_index = outcome.refused
        override = decl.overrides[override_index]
        given = given_values(_given(override.condition, scope))
        warnings.append(REFUSED_OVERRIDE_START + given + refused_override_end(override, decl, rule_index))
    return (UNKNOWN if outcome.case_type is None else outcome.case_type), outcome.source


def case_type_table(ruleset: "CheckedRules") -> CaseTypeTable:
    """The rule set's case-type table (kept with the rule set: ``ruleset.derived(case_type_table)``)."""
    assert ruleset.symbols.case_type is not None  # asked for only where a case type is declared
    return CaseTypeTable(ruleset.symbols.case_type)


def _given(expr: ast.Expr, scope: Scope) -> list[tuple[str, Any, tuple[str, ...]]]:
    """(label, value, option order) of each fact and answer the expression reads that the case gives."""
    given = []
    for node in given_inputs(expr, scope.ruleset.symbols):
        kind, name = node.split(":", 1)
        values = scope.case.facts if kind == "fact" else scope.case.answers
        if name in values:
            given.append((name, values[name], scope.ruleset.field_options(node)))
    return given


def exclusion(scope: Scope) -> tuple[str | None, tuple[str, ...] | None]:
    """(the reason of the first ``exclude when`` rule that certainly holds, or None;
    when no rule holds and some may: the facts and answers, not given, that would settle it, else None)."""
    values = [evaluate(e.condition, scope) for e in scope.ruleset.symbols.exclusions]
    return exclusion_of(scope.ruleset.symbols, values, scope.case.facts, scope.case.answers)


def exclusion_of(symbols: "Symbols", values, facts, answers) -> tuple[str | None, tuple[str, ...] | None]:
    """:func:`exclusion` from the values of the exclusions' conditions (shared with the compiled back end)."""
    exclusions = symbols.exclusions
    decision = exclusion_decision(PYTHON, [python_kleene(v) for v in values])
    for rule, first in zip(exclusions, decision.first_holding):
        if first:
            return rule.reason, None
    if not decision.not_known:
        return None, None
    found: dict[str, None] = {}  # the facts and questions the unknown conditions read that the case does not give
    for rule, value in zip(exclusions, values):
        if value is UNKNOWN:
            for node in given_inputs(rule.condition, symbols):
                kind, name = node.split(":", 1)
                if name not in (facts if kind == "fact" else answers):
                    found[name] = None
    return None, tuple(found)


def _contradiction(chosen: dict[str, ast.CaseOverride], scope: Scope) -> str:
    parts = []
    for value, override in chosen.items():
        questions = [node_label(n) for n in expression_inputs(override.condition, scope.ruleset.symbols) if n.startswith("question:")]
        given = ", ".join(f"{q} = {scope.case.answers.get(q)!r}" for q in questions if q in scope.case.answers)
        parts.append(f"{given} makes the case {value}")
    return "the answers contradict each other: " + " but ".join(parts) + "; correct one of them"


def run(ruleset: "CheckedRules", case: "CaseData"):
    """Evaluate one validated case. Returns the scope, the per-question results, warnings, case-type source,
    the exclusion reason (or None) and, when it is not known whether the case is inspected, what would settle it.

    An excluded case is routed and checked like any other (bad data is
    rejected whatever else holds), then reported with no routing: no case
    type, every question not applicable, no warnings. A case not known to be
    inspected or excluded is reported the same way with every question pending.
    """
    symbols = ruleset.symbols
    scope = Scope(ruleset, case)
    results: dict[str, QuestionResult] = {}
    warnings: list[str] = []
    case_type_source = None
    overruled: list[CaseProblem] = []  # answers that differ from the value a derive rule gives
    for node in ruleset.order:
        if node == CASE_TYPE_NODE:
            scope.case_type, case_type_source = decide_case_type(scope, warnings)
            continue
        kind, name = node.split(":", 1)
        if kind == "define":
            if name not in scope.defined:
                scope.defined[name] = evaluate(symbols.defines[name].expr, scope)
            continue
        question = symbols.questions[name]
        status = status_of(question.applies, scope)
        derived: Any = UNKNOWN
        derived_by: ast.Derive | None = None
        if status == APPLIES:
            for rule in question.derive:
                if evaluate(rule.condition, scope) is True:
                    derived, derived_by = rule.value, rule
                    break
        if derived is not UNKNOWN:
            scope.derived[name] = derived
        if name in case.answers:
            answer = case.answers[name]
            if status == NOT_APPLICABLE:
                warnings.append(ignored_answer_warning(name))
                results[name] = QuestionResult(status, None, None)
            else:
                if derived_by is not None and answer != derived:
                    overruled.append(CaseProblem(f"answers.{name}", OVERRULED_START + repr(answer) + overruled_answer_end(derived_by)))
                results[name] = QuestionResult(status, answer, "answer")
        elif derived is not UNKNOWN:
            results[name] = QuestionResult(status, derived, "derived")
        else:
            results[name] = QuestionResult(status, None, None)
    problems = [
        CaseProblem(f"facts.{c.field}", c.message)
        for c in symbols.constraints
        if c.field in case.facts and evaluate(c.expr, scope) is False
    ] + overruled
    if problems:
        raise CaseDataError(problems, case.id)
    for check in symbols.consistency:
        if check.field in (case.answers if check.on_answer else case.facts) and evaluate(check.expr, scope) is False:
            warnings.append(consistency_warning(check))
    excluded, settle = exclusion(scope)
    if excluded is not None or settle is not None:
        scope.case_type, case_type_source = UNKNOWN, None
        status = NOT_APPLICABLE if excluded is not None else PENDING
        return scope, {qid: QuestionResult(status, None, None) for qid in symbols.questions}, [], None, excluded, settle
    ordered = {qid: results[qid] for qid in symbols.questions}
    return scope, ordered, warnings, case_type_source, None, None
