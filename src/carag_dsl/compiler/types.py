"""The static types of .carag expressions."""

from __future__ import annotations

import attrs

from carag_dsl.language import ast


@attrs.frozen
class Prim:
    """bool, int, date, duration, text."""

    name: str

    def describe(self) -> str:
        return self.name


@attrs.frozen
class Enum:
    """A set of option codes: a fact's ``one of``, a question's answer options, the case types.

    ``ordered`` is true for scales (``low < medium < high``).
    """

    what: str  # what it is the type of, for messages: "sentence", "the answer to X 6"
    codes: tuple[str, ...]
    ordered: bool = False

    def describe(self) -> str:
        return f"an option of {self.what} ({', '.join(self.codes)})"


@attrs.frozen
class SetOf:
    """A set of codes of one enumeration (a multi-choice answer)."""

    element: Enum

    def describe(self) -> str:
        return f"a set of options of {self.element.what}"


@attrs.frozen
class Code:
    """A bare option code not yet tied to an enumeration (``licence`` in ``sentence == licence``)."""

    code: str
    # False for a name that is declared nowhere: it may still be a misspelt
    # option of the enumeration it is compared with, which gives the better message.
    declared: bool = True

    def describe(self) -> str:
        return f"the option code '{self.code}'"


@attrs.frozen
class CodeSet:
    """A set literal ``{a, b}`` before it meets the enumeration it belongs to."""

    codes: tuple[str, ...]

    def describe(self) -> str:
        return "a set of option codes"


@attrs.frozen
class Unknown:
    """The type of an expression that already has an error (stops error cascades)."""

    def describe(self) -> str:
        return "unknown"


BOOL = Prim("bool")
INT = Prim("int")
DATE = Prim("date")
DURATION = Prim("duration")
TEXT = Prim("text")
ERROR = Unknown()

Type = Prim | Enum | SetOf | Code | CodeSet | Unknown

YES_NO = ("yes", "no")
#: Declared types whose value is exactly one option code (finitely many values).
SINGLE_OPTION_KINDS = ("one", "scale", "yes_no", "yes_no_not_a_factor")
YES_NO_NOT_A_FACTOR = ("yes", "no", "not_a_factor")


def option_codes(type_expr: ast.TypeExpr) -> tuple[str, ...]:
    """The codes a ``one of``/``any of``/``scale``/``yes_no`` type allows (empty for the others)."""
    if type_expr.kind == "yes_no":
        return YES_NO
    if type_expr.kind == "yes_no_not_a_factor":
        return YES_NO_NOT_A_FACTOR
    return tuple(option.code for option in type_expr.options)


#: The labels of the options the language itself defines (``yes_no``, ``yes_no_not_a_factor``).
_FIXED_LABELS = {"yes": "Yes", "no": "No", "not_a_factor": "Not a factor"}


def option_choices(type_expr: ast.TypeExpr) -> list[tuple[str, str]]:
    """(code, label) of every option of a type: the declared label, the language's own, or else the code."""
    labels = {option.code: option.label for option in type_expr.options}
    return [(code, labels.get(code) or _FIXED_LABELS.get(code) or code) for code in option_codes(type_expr)]


def of_declaration(type_expr: ast.TypeExpr, what: str) -> Type:
    """The static type of a fact or of a question's answer."""
    kind = type_expr.kind
    if kind in ("bool", "int", "date", "text"):
        return Prim(kind)
    codes = option_codes(type_expr)
    if kind == "any":
        return SetOf(Enum(what, codes))
    return Enum(what, codes, ordered=(kind == "scale"))


def describe_declared(type_expr: ast.TypeExpr) -> str:
    """How a declared type reads in messages and documents."""
    codes = ", ".join(option_codes(type_expr))
    return {
        "one": f"one of {codes}",
        "any": f"any of {codes}",
        "scale": f"a level of {codes}",
        "yes_no": "yes or no",
        "yes_no_not_a_factor": "yes, no or not_a_factor",
    }.get(type_expr.kind, type_expr.kind)
