"""Plain-English explanations of one question's status for one case.

An explanation quotes the rule and where it is written, gives the values the
rule read, and for a pending question says which facts or answers would
settle it.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol

from carag_dsl.compiler.graph import CASE_TYPE_NODE, expression_inputs, node_label
from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.language import ast
from carag_dsl.runtime.evaluator import evaluate
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.runtime.results import QuestionResult, json_value


class Evaluation(Protocol):
    """What an explanation reads of an evaluation (:class:`carag_dsl.Evaluation` has all of it).

    A protocol rather than an import, because ``Evaluation.explain`` calls this module.
    """

    @property
    def ruleset(self) -> CheckedRules: ...
    @property
    def case_type(self) -> str | None: ...
    @property
    def case_type_source(self) -> str | None: ...
    @property
    def questions(self) -> Mapping[str, QuestionResult]: ...
    @property
    def scope(self) -> Any: ...
    @property
    def excluded(self) -> str | None: ...
    @property
    def exclusion_pending(self) -> tuple[str, ...] | None: ...


def _show(value) -> str:
    shown = json_value(value)
    if isinstance(shown, list):
        return "{" + ", ".join(shown) + "}" if shown else "none"
    if isinstance(shown, bool):
        return "true" if shown else "false"
    return repr(shown) if isinstance(shown, str) else str(shown)


def _rule_text(node) -> str:
    text = node.span.one_line()
    return text or "(rule)"


def _where(node) -> str:
    return f"{node.span.path}:{node.span.line}"


def _read_values(expr: ast.Expr, evaluation: "Evaluation") -> tuple[list[str], list[str]]:
    """(what the rule read that is known, as 'x is v'; what it read that is unknown, as names)."""
    scope = evaluation.scope
    symbols = evaluation.ruleset.symbols
    known, unknown = [], []
    for node in expression_inputs(expr, symbols):
        if node == CASE_TYPE_NODE:
            value, what = scope.case_type, "the case type"
        elif node.startswith("question:"):
            qid = node_label(node)
            value, what = scope.answer(qid), f"the answer to {qid}"
        else:
            name = node_label(node)
            value, what = scope.name(name), name
        if value is UNKNOWN:
            unknown.append(node)
        else:
            known.append(f"{what} is {_show(value)}")
    return known, unknown


def settling_inputs(node: str, evaluation: "Evaluation", seen: set | None = None) -> list[str]:
    """The facts and answers, not yet given, that an unknown node waits for (through defined names and the case type)."""
    seen = set() if seen is None else seen
    if node in seen:
        return []
    seen.add(node)
    symbols = evaluation.ruleset.symbols
    if node.startswith("fact:"):
        return [f"the fact {node_label(node)}"]
    if node.startswith("question:"):
        qid = node_label(node)
        found = [f"an answer to {qid}"]
        question = symbols.questions[qid]
        if evaluation.questions[qid].status != NOT_APPLICABLE and question.derive:
            for rule in question.derive:
                for inner in expression_inputs(rule.condition, symbols):
                    found += settling_inputs(inner, evaluation, seen)
        return found
    if node == CASE_TYPE_NODE:
        decl = symbols.case_type
        assert decl is not None  # the case-type node exists only when the case type is declared
        exprs = [r.condition for r in decl.rules if r.condition is not None]
    else:
        exprs = [symbols.defines[node_label(node)].expr]
    found = []
    for expr in exprs:
        for inner in expression_inputs(expr, symbols):
            if _node_value(inner, evaluation) is UNKNOWN:
                found += settling_inputs(inner, evaluation, seen)
    if node == CASE_TYPE_NODE and symbols.case_type is not None:
        for override in symbols.case_type.overrides:
            for inner in expression_inputs(override.condition, symbols):
                if inner.startswith("question:"):
                    found += settling_inputs(inner, evaluation, seen)
    return found


def _node_value(node: str, evaluation: "Evaluation"):
    scope = evaluation.scope
    if node == CASE_TYPE_NODE:
        return scope.case_type
    if node.startswith("question:"):
        return scope.answer(node_label(node))
    return scope.name(node_label(node))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def explain_question(evaluation: "Evaluation", question_id: str) -> str:
    question = evaluation.ruleset.symbols.questions[question_id]
    result = evaluation.questions[question_id]
    lines = []
    heading = f"{question_id}: {question.text}" if question.text else question_id
    lines.append(heading)
    if evaluation.excluded is not None:
        lines.append(f"It does not apply: the case is not inspected ({evaluation.excluded}), so no question applies.")
        return "\n".join(lines)
    if evaluation.exclusion_pending is not None:
        lines.append(f"It is pending: {_not_known_whether_inspected(evaluation)}")
        return "\n".join(lines)
    if question.applies is None:
        lines.append(f"It applies: it applies to all cases ({_where(question)}).")
    else:
        rule = f"'applies when {_rule_text(question.applies)}' ({_where(question.applies)})"
        known, unknown = _read_values(question.applies, evaluation)
        facts = f" Here {', '.join(known)}." if known else ""
        if result.status == APPLIES:
            lines.append(f"It applies: the rule {rule} holds.{facts}")
        elif result.status == NOT_APPLICABLE:
            lines.append(f"It does not apply: the rule {rule} does not hold.{facts}")
        else:
            missing = _unique([s for node in unknown for s in settling_inputs(node, evaluation)])
            lines.append(f"It is pending: the rule {rule} cannot be decided yet.{facts}")
            if missing:
                lines.append("It will be settled by " + _or_list(missing) + ".")
    if question.label:
        lines.append(f"The CARaG label reads: \"{question.label}\".")
    lines.extend(_value_lines(evaluation, question, result))
    return "\n".join(lines)


def _value_lines(evaluation, question: ast.QuestionDecl, result) -> list[str]:
    if result.source == "answer":
        return [f"Value: {_show(result.value)}, as answered."]
    if result.source == "derived":
        rule = next(r for r in question.derive if evaluate(r.condition, evaluation.scope) is True)
        return [f"Value: {_show(result.value)}, derived by 'derive {rule.value} when {_rule_text(rule.condition)}' ({_where(rule)}); an answer from the inspector must agree with it."]
    if result.status == APPLIES and question.derive:
        return ["Value: none yet. The inspector's answer is needed, unless the derivation rule comes to hold: "
                + "; ".join(f"'derive {r.value} when {_rule_text(r.condition)}'" for r in question.derive) + "."]
    if result.status == APPLIES:
        return ["Value: none yet; waiting for the inspector's answer."]
    return []


def _not_known_whether_inspected(evaluation: "Evaluation") -> str:
    """Why nothing is routed for a case not known to be inspected, and what would settle it."""
    symbols = evaluation.ruleset.symbols
    rules = ", ".join(_where(e) for e in symbols.exclusions)
    settle = [f"the fact {name}" if name in symbols.facts else f"an answer to {name}" for name in evaluation.exclusion_pending or ()]
    text = (f"it is not known whether the case is inspected (the 'exclude when' rules at {rules} cannot be decided "
            "yet), so every question is pending.")
    return text + (f" Whether it is inspected will be settled by {_or_list(settle)}." if settle else "")


def _or_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


def explain_case_type(evaluation: "Evaluation") -> str:
    """Why the case is core or adjusted, or what would decide it."""
    if evaluation.excluded is not None:
        return f"The case is not inspected: {evaluation.excluded}."
    if evaluation.exclusion_pending is not None:
        return "The case type is not known: " + _not_known_whether_inspected(evaluation)
    if evaluation.ruleset.symbols.case_type is None:
        return "The rule set has no case type."
    if evaluation.case_type is None:
        missing = _unique(settling_inputs(CASE_TYPE_NODE, evaluation))
        return "The case type is not known yet." + (f" It will be settled by {_or_list(missing)}." if missing else "")
    how = "set by the inspector's answer (an override)" if evaluation.case_type_source == "answer" else "derived from the facts"
    return f"The case type is {evaluation.case_type}, {how}."
