"""Case data: read a case (JSON-shaped dict) and check it against a rule set's declarations.

A case is ``{"id": ..., "facts": {...}, "answers": {"<question id>": ...}, "reasons": {"<question id>": "..."}}``.
Every fact and answer is optional (missing means unknown; ``null`` too); ``reasons`` holds the
inspector's text on why a question was answered as it was (``record reasons`` questions ask for it).
Everything wrong is reported at once, each problem naming its field and
saying what is allowed.
"""

from __future__ import annotations

import datetime
import math
import re
from typing import TYPE_CHECKING, Any, Mapping

import attrs

from carag_dsl.language import ast
from carag_dsl.compiler import types as T
from carag_dsl.errors import CaseDataError, CaseProblem, did_you_mean, did_you_mean_question, quoted

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

CASE_KEYS = ("id", "facts", "answers", "reasons")


@attrs.frozen
class CaseData:
    """A checked case: facts and answers converted to run-time values (dates, sets), and the reasons given."""

    id: Any
    facts: Mapping[str, Any]
    answers: Mapping[str, Any]
    reasons: Mapping[str, str] = attrs.field(factory=dict)


#: The one written form of a date in case data (a spreadsheet cell may also be dd/mm/yyyy: runtime/wide.py).
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(text: str) -> datetime.date | None:
    """The date written ``YYYY-MM-DD``, or None.

    Only that form: Python's ``date.fromisoformat`` also reads ``2025-W01-1`` and ``20250101``,
    which are not dates in case data.
    """
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:  # 2025-02-30
        return None


def _describe_allowed(type_expr: ast.TypeExpr) -> str:
    codes = T.option_codes(type_expr)
    quoted = ", ".join(f'"{c}"' for c in codes)
    return {
        "bool": "true or false",
        "int": "a whole number",
        "date": 'a date written "YYYY-MM-DD"',
        "text": "a text string",
        "one": f"one of {quoted}",
        "scale": f"one of {quoted}",
        "yes_no": f"one of {quoted}",
        "yes_no_not_a_factor": f"one of {quoted}",
        "any": f"a list of any of {quoted} (an empty list for none)",
    }[type_expr.kind]


def convert_value(type_expr: ast.TypeExpr, value: Any) -> tuple[Any, str | None]:
    """(run-time value, None) or (None, what is wrong). ``value`` is not None.

    What is allowed is described only when a value is wrong: most values are right.
    """
    kind = type_expr.kind
    if kind == "bool":
        return (value, None) if isinstance(value, bool) else (None, f"{quoted(value)} is not allowed; expected {_describe_allowed(type_expr)}")
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return (value, None) if ok else (None, f"{quoted(value)} is not allowed; expected {_describe_allowed(type_expr)}")
    if kind == "text":
        return (value, None) if isinstance(value, str) else (None, f"{quoted(value)} is not allowed; expected {_describe_allowed(type_expr)}")
    if kind == "date":
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):  # a day, not a moment in some zone
            return value, None
        if not isinstance(value, str):
            return None, f"{quoted(value)} is not allowed; expected {_describe_allowed(type_expr)}"
        date = iso_date(value)
        if date is not None:
            return date, None
        return None, f"{quoted(value)} is not a real date; expected {_describe_allowed(type_expr)}, e.g. \"2025-02-28\""
    codes = T.option_codes(type_expr)
    if kind == "any":
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
            return None, f"{quoted(value)} is not allowed; expected {_describe_allowed(type_expr)}"
        bad = [v for v in value if v not in codes]
        if bad:
            first = bad[0]
            hint = did_you_mean(first, codes) if isinstance(first, str) else ""
            return None, f"{quoted(first)} is not an option{hint}; expected {_describe_allowed(type_expr)}"
        return frozenset(value), None
    if value in codes and isinstance(value, str):
        return value, None
    hint = did_you_mean(value, codes) if isinstance(value, str) else ""
    return None, f"{quoted(value)} is not allowed{hint}; expected {_describe_allowed(type_expr)}"


_OPTION_KINDS = frozenset(T.SINGLE_OPTION_KINDS)


def field_specs(ruleset: "CheckedRules") -> tuple[dict, dict]:
    """Field name -> (kind, allowed codes as a set, declared type), for the facts and for the answers.

    The rule set keeps this once built (``rules.derived(field_specs)``), because reading case
    data is most of the cost of evaluating a case with the compiled back end.
    """
    facts = {name: (d.type.kind, frozenset(T.option_codes(d.type)), d.type) for name, d in ruleset.symbols.facts.items()}
    answers = {
        qid: (d.answer.kind, frozenset(T.option_codes(d.answer)), d.answer)
        for qid, d in ruleset.symbols.questions.items() if d.answer is not None
    }
    return facts, answers


def _fast_convert(spec: tuple, value: Any) -> tuple[Any, str | None]:
    """convert_value for the common, valid values without building messages; anything else goes to convert_value.

    Accepts exactly what convert_value accepts (a subset of it, returning the same value), so no check is weakened.
    """
    kind, codes, type_expr = spec
    if kind in _OPTION_KINDS:
        if isinstance(value, str) and value in codes:
            return value, None
    elif kind == "any":
        if type(value) is list:
            try:
                if codes.issuperset(value):
                    return frozenset(value), None
            except TypeError:  # an unhashable element: let convert_value word the problem
                pass
    elif kind == "date":
        if isinstance(value, str) and len(value) == 10:
            date = iso_date(value)
            if date is not None:
                return date, None
    elif kind == "bool":
        if isinstance(value, bool):
            return value, None
    elif kind == "text":
        if isinstance(value, str):
            return value, None
    return convert_value(type_expr, value)


def read_case(ruleset: "CheckedRules", case: Any) -> CaseData:
    """Check and convert one case. Raises CaseDataError listing every problem."""
    if case.__class__ is not dict and not isinstance(case, Mapping):  # a dict needs no ABC check (fast path)
        raise CaseDataError([CaseProblem("case", f"a case must be a JSON object with keys {', '.join(CASE_KEYS)}, not {type(case).__name__}")])
    problems: list[CaseProblem] = []
    case_id = case.get("id")
    if case_id.__class__ is float and not math.isfinite(case_id):
        problems.append(CaseProblem("id", f"{case_id!r} cannot be written as JSON; give the case a text or a whole number as its id"))
        case_id = None
    for key in case:
        if key not in CASE_KEYS:
            problems.append(CaseProblem(str(key), f"unknown key{did_you_mean(str(key), CASE_KEYS)}; a case has only {', '.join(CASE_KEYS)}"))
    fact_specs, answer_specs = ruleset.derived(field_specs)
    facts = _read_section(case, "facts", ruleset.symbols.facts, fact_specs, "fact", problems)
    answers = _read_section(case, "answers", ruleset.symbols.questions, answer_specs, "question", problems)
    reasons = _read_reasons(case.get("reasons"), ruleset.symbols.questions, problems)
    if problems:
        raise CaseDataError(problems, case_id)
    return CaseData(case_id, facts, answers, reasons)


def _read_reasons(given: Any, questions: Mapping[str, Any], problems: list[CaseProblem]) -> dict[str, str]:
    """``reasons``: question id -> the inspector's text on why (``null`` for none)."""
    if given is None:
        return {}
    if given.__class__ is not dict and not isinstance(given, Mapping):
        problems.append(CaseProblem("reasons", f"must be a JSON object of question → text, not {type(given).__name__}"))
        return {}
    reasons: dict[str, str] = {}
    for question_id, text in given.items():
        field = f"reasons.{question_id}"
        if question_id not in questions:
            problems.append(CaseProblem(field, f"the rule set has no question '{question_id}'{did_you_mean_question(str(question_id), questions)}"))
        elif isinstance(text, str):
            reasons[question_id] = text
        elif text is not None:
            problems.append(CaseProblem(field, f"{quoted(text)} is not allowed; expected a text string (the reasons, in words)"))
    return reasons


def _read_section(case, key, declared, specs, what, problems) -> dict[str, Any]:
    given = case.get(key)
    if given is None:
        return {}
    if given.__class__ is not dict and not isinstance(given, Mapping):
        problems.append(CaseProblem(key, f"must be a JSON object of {what} → value, not {type(given).__name__}"))
        return {}
    values: dict[str, Any] = {}
    for name, value in given.items():
        spec = specs.get(name)
        # The most common value, an option code, checked inline (the same test _fast_convert makes).
        if spec is not None and spec[0] in _OPTION_KINDS and value.__class__ is str and value in spec[1]:
            values[name] = value
            continue
        field = f"{key}.{name}"
        if name not in declared:
            problems.append(CaseProblem(field, f"the rule set has no {what} '{name}'{(did_you_mean_question if what == 'question' else did_you_mean)(str(name), declared)}"))
            continue
        if value is None:  # null: explicitly unknown
            continue
        converted, wrong = _fast_convert(specs[name], value)
        if wrong:
            problems.append(CaseProblem(field, wrong))
        else:
            values[name] = converted
    return values
