"""A JSON Schema (draft 2020-12) for the case files of a rule set, generated from its declarations.

The schema says what the types allow; the rule set's constraints (a suspension
date needs a suspension, ...) are written into the descriptions, since they
relate fields to each other and are checked by ``RuleSet.evaluate``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from carag_dsl.language import ast
from carag_dsl.compiler import types as T

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def value_schema(type_expr: ast.TypeExpr) -> dict[str, Any]:
    kind = type_expr.kind
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "int":
        return {"type": "integer"}
    if kind == "text":
        return {"type": "string"}
    if kind == "date":
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    codes = list(T.option_codes(type_expr))
    if kind == "any":
        return {"type": "array", "items": {"enum": codes}, "uniqueItems": True}
    return {"enum": codes}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """Any fact or answer may be null: unknown, the same as leaving it out."""
    return {"anyOf": [schema, {"type": "null"}]}


def case_schema(ruleset: "CheckedRules") -> dict[str, Any]:
    symbols = ruleset.symbols
    constraints: dict[str, list[str]] = {}
    for constraint in symbols.constraints:
        constraints.setdefault(constraint.field, []).append(constraint.message)
    facts = {}
    for name, fact in symbols.facts.items():
        schema = _nullable(value_schema(fact.type))
        notes = [fact.doc] if fact.doc else []
        notes += [f"Constraint: {m}" for m in constraints.get(name, [])]
        if notes:
            schema["description"] = " ".join(notes)
        facts[name] = schema
    answers, reasons = {}, {}
    for question_id, question in symbols.questions.items():
        reasons[question_id] = _reasons_schema(question)
        if question.answer is None:
            continue
        schema = _nullable(value_schema(question.answer))
        if question.text:
            schema["description"] = question.text
        answers[question_id] = schema
    title = f"A case for {ruleset.name}" if ruleset.name else "A case"
    return {
        "$schema": DRAFT,
        "title": title + (f" (version {ruleset.version})" if ruleset.version else ""),
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "id": {"description": "the case's identifier, echoed in the result", "type": ["string", "integer", "null"]},
            "facts": {"type": "object", "additionalProperties": False, "properties": facts},
            "answers": {"type": "object", "additionalProperties": False, "properties": answers},
            "reasons": {
                "description": "why each question was answered as it was, in the inspector's words; carried to the result",
                "type": "object", "additionalProperties": False, "properties": reasons,
            },
        },
    }


def _reasons_schema(question: ast.QuestionDecl) -> dict[str, Any]:
    """The reasons for one question: text, or null for none."""
    if question.record_reasons:
        note = "the guidance asks inspectors to record why (record reasons)"
    else:
        note = "the guidance does not ask for reasons: they are kept, with a warning"
    return {**_nullable({"type": "string"}), "description": note}
