"""XLSForm (ODK Collect, Enketo, KoboToolbox, SurveyCTO): the routing as XPath ``relevant`` and ``calculate``.

The workbook has the three sheets XLSForm reads: ``survey`` (a group of the
case facts, the calculated values, then a group per section), ``choices`` and
``settings`` (``form_title``, ``form_id``, ``version``: the rule set's version
and the hash of its text, ``default_language``). Text people read is in
columns of a language (``label::English (en)``, ``hint::...``,
``guidance_hint::...``), so a translation is a column beside each; a question's
``hint`` is its applicability label and its guidance the ``guidance_hint``
ODK shows on demand; true/false facts offer "Yes" and "No". Every field's ``bind::carag:id`` column keeps
carag's id of it, as the XForm attribute ``carag:id``; names follow
:mod:`.names`. Dates are compared as day numbers,
``round(decimal-date-time(${date}))`` (rounded, so a form filled in a time
zone with summer time still counts whole days).
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from carag_dsl.tools.forms.expressions import EMPTY_SET_CHOICE, Dialect
from carag_dsl.tools.forms.names import XLSFORM_RESERVED, FieldNames, xml_name
from carag_dsl.tools.forms.plan import Check, Field, FormPlan, Group, build_plan
from carag_dsl.compiler.types import option_choices
from carag_dsl.tools.forms.values import EMPTY_SET_LABEL

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

EPOCH = datetime.date(1970, 1, 1)
#: The XML namespace of the ``carag:id`` attribute each field keeps.
CARAG_NAMESPACE = "https://github.com/hmip/carag-dsl/forms"
#: The language of the text columns (``label::English (en)``): a translation is a column of its own beside them.
LANGUAGE = "English (en)"
#: Columns of text people read, written with the language in their heading.
TRANSLATED = frozenset({"label", "hint", "guidance_hint", "constraint_message"})
SURVEY_COLUMNS = ("type", "name", "label", "hint", "guidance_hint", "relevant", "required", "constraint", "constraint_message",
                  "calculation", "bind::carag:id")
CHOICES_COLUMNS = ("list_name", "name", "label")
SETTINGS_COLUMNS = ("form_title", "form_id", "version", "default_language", "namespaces")
_OPERATORS = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_BOOLEAN_LIST = "carag-boolean"


class XPathDialect(Dialect):
    TRUE = "true()"
    FALSE = "false()"

    def field(self, name: str) -> str:
        return "${" + name + "}"

    def filled(self, ref: str) -> str:
        return f"{ref} != ''"

    def blank(self, ref: str) -> str:
        return f"{ref} = ''"

    def bool_field(self, ref: str, value: bool) -> str:
        return f"{ref} = '{'true' if value else 'false'}'"

    def string(self, text: str) -> str:
        return xpath_string(text)

    def date_days(self, ref: str) -> str:
        return f"round(decimal-date-time({ref}))"

    def date_literal(self, value: datetime.date) -> str:
        return str((value - EPOCH).days)

    def numeric(self, ref: str) -> str:
        return f"number({ref})"

    def join(self, op: str, parts) -> str:
        return "(" + f" {op} ".join(parts) + ")"

    def negate(self, condition: str) -> str:
        return f"not({condition})"

    def if_(self, condition: str, then: str, otherwise: str) -> str:
        return f"if({condition}, {then}, {otherwise})"

    def compare(self, op: str, left: str, right: str) -> str:
        return f"{left} {_OPERATORS[op]} {right}"

    def arith(self, op: str, left: str, right: str) -> str:
        return f"({left} {op} {right})"  # spaced: '-' may be part of a name in XPath

    def contains(self, collection: str, element: str) -> str:
        return f"selected({collection}, {element})"


def xpath_string(text: str) -> str:
    """An XPath string literal of any text.

    XPath 1.0 has no escapes: a text with one kind of quote goes in the other
    kind, one with both is a ``concat()`` of parts. ``${`` would be read by
    XLSForm as a reference, so it is always split between two parts.
    """
    parts = [part for part in re.split(r"(\$(?=\{))", text) if part != ""]
    pieces: list[str] = []
    for part in parts:
        if "'" not in part:
            pieces.append(f"'{part}'")
        elif '"' not in part:
            pieces.append(f'"{part}"')
        else:
            pieces.extend(f'"{chunk}"' if chunk == "'" else f"'{chunk}'" for chunk in re.split(r"(')", part) if chunk != "")
    if not pieces:
        return "''"
    return pieces[0] if len(pieces) == 1 else "concat(" + ", ".join(pieces) + ")"


def label_text(text: str | None) -> str | None:
    """Text for a label or hint: XLSForm reads ``${name}`` in them as a reference, so it is broken up."""
    return None if text is None else text.replace("${", "$\u2060{")


def xlsform_plan(rules: "CheckedRules") -> tuple[FormPlan, FieldNames]:
    names = FieldNames(rules, xml_name, XLSFORM_RESERVED)
    return build_plan(rules, XPathDialect(), names), names


#: The most characters of a form id: ODK Collect and Briefcase name files and folders after it.
FORM_ID_LIMIT = 64
_FORM_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_ABBREVIATION = re.compile(r"\(([A-Za-z][A-Za-z0-9]*)\)\s*$")


def default_form_id(rules: "CheckedRules") -> str:
    """A short form id that stays the same from one version of the rules to the next (ODK keeps a form's versions
    under one id): the abbreviation the rule set's name ends with in brackets ("... (CARaG)" is ``carag``), else
    the words of the name, as many whole words as fit in 32 characters."""
    name = rules.name or "carag rules"
    abbreviation = _ABBREVIATION.search(name)
    if abbreviation:
        return abbreviation.group(1).lower()
    words = re.findall(r"[a-z0-9]+", name.lower())
    kept: list[str] = []
    for word in words:
        if kept and len("_".join(kept + [word])) > 32:
            break
        kept.append(word)
    found = "_".join(kept)[:32]
    if not found:
        return "carag_rules"
    return found if found[0].isalpha() else "carag_" + found


def form_id_problem(form_id: str) -> str | None:
    """What is wrong with a form id given with ``--form-id``, or None."""
    if not _FORM_ID.fullmatch(form_id):
        return "a form id starts with a letter and has only letters, digits, '_', '-' and '.'"
    if len(form_id) > FORM_ID_LIMIT:
        return f"a form id has at most {FORM_ID_LIMIT} characters; this one has {len(form_id)}"
    return None


def xlsform_sheets(rules: "CheckedRules", *, title: str | None = None, form_id: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The rows of the survey, choices and settings sheets (each row a dict by column; the text columns by their
    name without the language, which :func:`write_xlsform` adds)."""
    plan, _ = xlsform_plan(rules)
    survey, choices = survey_rows(plan)
    settings = [{"form_title": label_text(title or plan.title), "form_id": form_id or default_form_id(rules), "version": plan.version,
                 "default_language": LANGUAGE, "namespaces": f'carag="{CARAG_NAMESPACE}"'}]
    return {"survey": survey, "choices": choices, "settings": settings}


def survey_rows(plan: FormPlan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of the survey sheet and of the choices sheet (``carag import`` reads the form's fields from the first)."""
    choices: list[dict[str, Any]] = [
        {"list_name": _BOOLEAN_LIST, "name": "true", "label": "Yes"},
        {"list_name": _BOOLEAN_LIST, "name": "false", "label": "No"},
    ]
    lists: dict[tuple, str] = {}

    def group_rows(group: Group) -> list[dict[str, Any]]:
        rows = [{"type": "begin group", "name": group.name, "label": label_text(group.label), "hint": label_text(group.hint)}]
        for field in group.fields:
            rows.append(_field_row(field, lists, choices))
            rows.extend(_warning_rows(field))
        return rows + [{"type": "end group", "name": group.name}]

    # The case facts, then the calculated values in the order carag evaluates them, then the sections.
    survey = group_rows(plan.facts) if plan.facts else []
    survey += [{"type": "calculate", "name": c.name, "calculation": c.expression, "bind::carag:id": c.carag_id}
               for c in plan.calculations]
    for section in plan.sections:
        survey += group_rows(section)
    return survey, choices


def _field_row(field: Field, lists: dict[tuple, str], choices: list[dict[str, Any]]) -> dict[str, Any]:
    kind = field.type.kind
    if kind == "bool":
        type_ = f"select_one {_BOOLEAN_LIST}"
    elif kind in ("int", "date", "text"):
        type_ = {"int": "integer", "date": "date", "text": "text"}[kind]
    else:
        options = tuple(option_choices(field.type)) + (((EMPTY_SET_CHOICE, EMPTY_SET_LABEL),) if kind == "any" else ())
        list_name = lists.get(options)
        if list_name is None:  # one list per distinct set of options (yes/no is shared by every yes/no question)
            list_name = kind if kind in ("yes_no", "yes_no_not_a_factor") else field.name
            list_name = _unique(xml_name(list_name), set(lists.values()) | {_BOOLEAN_LIST})
            lists[options] = list_name
            choices.extend({"list_name": list_name, "name": code, "label": label_text(label)} for code, label in options)
        type_ = f"{'select_multiple' if kind == 'any' else 'select_one'} {list_name}"
    carag_id = f"reasons.{field.carag_id}" if field.role == "reasons" else field.carag_id  # as the case data names it
    row: dict[str, Any] = {"type": type_, "name": field.name, "label": label_text(field.label), "hint": label_text(field.hint),
                           "guidance_hint": label_text(field.guidance), "bind::carag:id": carag_id}
    if field.relevant is not None:
        row["relevant"] = field.relevant
    if field.required == XPathDialect.TRUE:
        row["required"] = "yes"
    elif field.required is not None:
        row["required"] = field.required
    checks = list(field.checks)
    if kind == "any":  # "none of these" goes alone
        checks.insert(0, _none_alone())
    if checks:
        row["constraint"] = XPathDialect().and_(*[check.condition for check in checks])
        row["constraint_message"] = " / ".join(dict.fromkeys(check.message for check in checks))
    return row


def _warning_rows(field: Field) -> list[dict[str, Any]]:
    """XLSForm has no soft constraint: a consistency warning is a note shown right after its field while broken."""
    return [
        {"type": "note", "name": f"{field.name}-warning-{number}", "label": label_text(f"Warning: {check.message}"),
         "relevant": XPathDialect().not_(check.condition), "bind::carag:id": field.carag_id}
        for number, check in enumerate(field.warnings, start=1)
    ]


def _none_alone() -> Check:
    literal = xpath_string(EMPTY_SET_CHOICE)
    return Check(f"not(selected(., {literal}) and count-selected(.) > 1)", f"'{EMPTY_SET_LABEL}' cannot be chosen with another option")


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        candidate = f"{name}-{counter}"
    return candidate


def column_heading(column: str) -> str:
    """``label::English (en)`` for a text column, the column itself for the others."""
    return f"{column}::{LANGUAGE}" if column in TRANSLATED else column


def write_xlsform(rules: "CheckedRules", path, *, title: str | None = None, form_id: str | None = None) -> None:
    """Write the XLSForm workbook (needs openpyxl: ``pip install 'carag-dsl[forms]'``)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook()
    sheets = xlsform_sheets(rules, title=title, form_id=form_id)
    for index, (sheet_title, columns) in enumerate((("survey", SURVEY_COLUMNS), ("choices", CHOICES_COLUMNS), ("settings", SETTINGS_COLUMNS))):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = sheet_title
        sheet.append([column_heading(column) for column in columns])
        for row in sheets[sheet_title]:
            sheet.append([row.get(column) for column in columns])
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":  # a text that starts with '=' stays text: nothing in a form is a spreadsheet formula
                    cell.data_type = "s"
    workbook.save(path)
