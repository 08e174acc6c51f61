"""Case data in a form and back: carag's values, moved unchanged where the form allows.

A SurveyJS survey holds carag's values as they are (option codes, true/false,
``YYYY-MM-DD``, numbers, lists); an XForm holds text: true/false as
``true`` / ``false``, a multi-choice answer as its codes separated by spaces.
In both, an empty set is the choice ``none-of-these``
(:data:`~.expressions.EMPTY_SET_CHOICE`), because a form cannot tell "nothing
chosen" from "not answered yet"; and a blank field is a missing value (so an
empty text is missing too).

The way back is strict: :func:`surveyjs_value` and :func:`xform_value` give
carag's value of one field, or say what is wrong with it (a choice the form
does not offer, a number that is not whole, a label where the choice's name
belongs, ...). ``carag import`` reads submissions through them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from carag_dsl.errors import CaseDataError, CaseProblem, quoted
from carag_dsl.language import ast
from carag_dsl.runtime.casedata import convert_value
from carag_dsl.tools.forms.expressions import EMPTY_SET_CHOICE
from carag_dsl.tools.forms.names import FieldNames

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

EMPTY_SET_LABEL = "None of these"
#: The value of a blank field: missing from the case.
BLANK = None
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_XFORM_BOOLEANS = {"true": True, "false": False}


def _case(found: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A case of the sections found: facts and answers always, reasons when the form holds any."""
    return {section: values for section, values in found.items() if values or section != "reasons"}


def _as_form_value(type_expr: ast.TypeExpr, value: Any) -> Any:
    return [EMPTY_SET_CHOICE] if type_expr.kind == "any" and not value else value


def to_surveyjs_data(rules: "CheckedRules", names: FieldNames, case: dict[str, Any]) -> dict[str, Any]:
    """A carag case (JSON-shaped) as SurveyJS survey data."""
    data: dict[str, Any] = {}
    for field in names.fields():
        value = (case.get(field.section) or {}).get(field.carag_name)
        if value is None or value == "":
            continue
        data[field.form_name] = _as_form_value(field.type, value)
    return data


def to_xform_values(rules: "CheckedRules", names: FieldNames, case: dict[str, Any]) -> dict[str, str]:
    """A carag case as the text of XForm fields (by form field name)."""
    values: dict[str, str] = {}
    for field in names.fields():
        value = (case.get(field.section) or {}).get(field.carag_name)
        if value is None or value == "":
            continue
        if field.type.kind == "any":
            value = " ".join(value) if value else EMPTY_SET_CHOICE
        elif isinstance(value, bool):
            value = "true" if value else "false"
        values[field.form_name] = str(value)
    return values


# ------------------------------------------------------------------ the way back, one field at a time

def _checked(type_expr: ast.TypeExpr, value: Any) -> tuple[Any, str | None]:
    """``value`` when carag accepts it for the type, else what is wrong (carag's own words)."""
    _, problem = convert_value(type_expr, value)
    return (BLANK, problem) if problem else (value, None)


def _choices(type_expr: ast.TypeExpr, chosen: list[Any]) -> tuple[Any, str | None]:
    """A multi-choice answer: 'None of these' is the empty set, and goes alone."""
    if EMPTY_SET_CHOICE in chosen:
        if len(chosen) > 1:
            return BLANK, f"'{EMPTY_SET_LABEL}' ({EMPTY_SET_CHOICE}) cannot be chosen with another option"
        return [], None
    if len(set(map(str, chosen))) != len(chosen):
        return BLANK, f"an option is chosen twice in {quoted(chosen)}"
    return _checked(type_expr, chosen)


def surveyjs_value(type_expr: ast.TypeExpr, value: Any) -> tuple[Any, str | None]:
    """carag's value of a SurveyJS field (BLANK for a blank one), or (BLANK, what is wrong)."""
    if value is None or value == "" or value == []:
        return BLANK, None
    kind = type_expr.kind
    if kind == "any":
        if not isinstance(value, list):
            return BLANK, f"{quoted(value)} is not allowed; expected a list of the options chosen"
        return _choices(type_expr, value)
    if kind == "int":  # a number field may give 3.0 or, in some renderers, the text "3"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
            value = int(value)
    return _checked(type_expr, value)


def xform_value(type_expr: ast.TypeExpr, text: str) -> tuple[Any, str | None]:
    """carag's value of an XForm field's text (BLANK for a blank one), or (BLANK, what is wrong)."""
    kind = type_expr.kind
    if kind != "text":
        text = text.strip()
    if text == "":
        return BLANK, None
    if kind == "bool":
        if text in _XFORM_BOOLEANS:
            return _XFORM_BOOLEANS[text], None
        return BLANK, f"{quoted(text)} is not allowed; expected true or false (the choices' names, not their labels Yes and No)"
    if kind == "int":
        if _WHOLE_NUMBER.fullmatch(text):
            return int(text), None
        return BLANK, f"{quoted(text)} is not allowed; expected a whole number"
    if kind == "any":
        return _choices(type_expr, text.split())
    value, problem = _checked(type_expr, text)
    if problem and kind not in ("text", "date"):
        problem += " (the choices' names, not their labels)"
    return value, problem


def _from_form(names: FieldNames, values: dict[str, Any], convert) -> dict[str, Any]:
    case: dict[str, Any] = {"facts": {}, "answers": {}, "reasons": {}}
    problems = []
    for field in names.fields():
        if field.form_name not in values:
            continue
        value, problem = convert(field.type, values[field.form_name])
        if problem:
            problems.append(CaseProblem(f"{field.section}.{field.carag_name}", problem))
        elif value is not BLANK:
            case[field.section][field.carag_name] = value
    if problems:
        raise CaseDataError(problems)
    return _case(case)


def from_surveyjs_data(rules: "CheckedRules", names: FieldNames, data: dict[str, Any]) -> dict[str, Any]:
    """SurveyJS survey data as a carag case (facts, answers and reasons; nothing else the survey holds).

    Raises CaseDataError for a value the form could not have given."""
    return _from_form(names, data, surveyjs_value)


def from_xform_values(rules: "CheckedRules", names: FieldNames, values: dict[str, str]) -> dict[str, Any]:
    """XForm field texts (an ODK submission's fields, by name) as a carag case.

    Raises CaseDataError for a text the form could not have given."""
    return _from_form(names, values, xform_value)
