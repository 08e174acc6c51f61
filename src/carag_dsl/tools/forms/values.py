"""Case data in a form and back: carag's values, moved unchanged where the form allows.

A SurveyJS survey holds carag's values as they are (option codes, true/false,
``YYYY-MM-DD``, numbers, lists); an XForm holds text: true/false as
``true`` / ``false``, a multi-choice answer as its codes separated by spaces.
In both, an empty set is the choice ``none-of-these``
(:data:`~.expressions.EMPTY_SET_CHOICE`), because a form cannot tell "nothing
chosen" from "not answered yet"; and a blank field is a missing value (so an
empty text is missing too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from carag_dsl.language import ast
from carag_dsl.tools.forms.expressions import EMPTY_SET_CHOICE
from carag_dsl.tools.forms.names import FieldNames

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

EMPTY_SET_LABEL = "None of these"
_TEXT = ast.TypeExpr("text")


def _fields(rules: "CheckedRules", names: FieldNames):
    """(section of the case, carag name, form name, declared type) for every fact, answer and reasons field."""
    for name, fact in rules.symbols.facts.items():
        yield "facts", name, names.fact(name), fact.type
    for qid, question in rules.symbols.questions.items():
        yield "answers", qid, names.question(qid), question.answer or _TEXT
        if question.record_reasons:
            yield "reasons", qid, names.reasons(qid), _TEXT


def _case(found: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A case of the sections found: facts and answers always, reasons when the form holds any."""
    return {section: values for section, values in found.items() if values or section != "reasons"}


def to_surveyjs_data(rules: "CheckedRules", names: FieldNames, case: dict[str, Any]) -> dict[str, Any]:
    """A carag case (JSON-shaped) as SurveyJS survey data."""
    data: dict[str, Any] = {}
    for section, carag_name, form_name, type_expr in _fields(rules, names):
        value = (case.get(section) or {}).get(carag_name)
        if value is None or value == "":
            continue
        data[form_name] = ([EMPTY_SET_CHOICE] if type_expr.kind == "any" and not value else value)
    return data


def from_surveyjs_data(rules: "CheckedRules", names: FieldNames, data: dict[str, Any]) -> dict[str, Any]:
    """SurveyJS survey data as a carag case (facts, answers and reasons; nothing else the survey holds)."""
    case: dict[str, Any] = {"facts": {}, "answers": {}, "reasons": {}}
    for section, carag_name, form_name, type_expr in _fields(rules, names):
        value = data.get(form_name)
        if value is None or value == "":
            continue
        if type_expr.kind == "any":
            value = [code for code in value if code != EMPTY_SET_CHOICE]
        case[section][carag_name] = value
    return _case(case)


def to_xform_values(rules: "CheckedRules", names: FieldNames, case: dict[str, Any]) -> dict[str, str]:
    """A carag case as the text of XForm fields (by form field name)."""
    values: dict[str, str] = {}
    for section, carag_name, form_name, type_expr in _fields(rules, names):
        value = (case.get(section) or {}).get(carag_name)
        if value is None or value == "":
            continue
        if type_expr.kind == "any":
            value = " ".join(value) if value else EMPTY_SET_CHOICE
        elif isinstance(value, bool):
            value = "true" if value else "false"
        values[form_name] = str(value)
    return values


def from_xform_values(rules: "CheckedRules", names: FieldNames, values: dict[str, str]) -> dict[str, Any]:
    """XForm field texts (an ODK submission's fields, by name) as a carag case."""
    case: dict[str, Any] = {"facts": {}, "answers": {}, "reasons": {}}
    for section, carag_name, form_name, type_expr in _fields(rules, names):
        text = values.get(form_name)
        if text is None or text == "":
            continue
        kind = type_expr.kind
        if kind == "any":
            value: Any = [code for code in text.split() if code != EMPTY_SET_CHOICE]
        elif kind == "bool":
            value = {"true": True, "false": False}.get(text, text)
        elif kind == "int":
            value = int(text) if text.lstrip("-").isdigit() else text
        else:
            value = text
        case[section][carag_name] = value
    return _case(case)
