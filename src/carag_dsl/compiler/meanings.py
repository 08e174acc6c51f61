"""Warnings where an author's ``meaning`` no longer matches the rule it describes.

A ``meaning`` is the author's words, not read by the engine; the handbook
shows it beside the rule. When the rule changes (``56 days`` becomes ``12
weeks``) and its meaning does not, readers are misled. This pass compares the
periods of days or weeks a meaning mentions with the durations the rule uses
(directly, or through the defined names it reads) and warns about each period
the rule does not use. A warning never makes ``carag check`` fail.
"""

from __future__ import annotations

import re

from carag_dsl.compiler.symbols import Symbols
from carag_dsl.errors import Diagnostic
from carag_dsl.language import ast

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "twenty": 20, "twenty-eight": 28, "thirty": 30, "fifty-six": 56, "fifty-seven": 57,
}
_PERIOD = re.compile(r"\b(\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")[\s-]*(days?|weeks?)\b", re.IGNORECASE)


def meaning_warnings(symbols: Symbols) -> list[Diagnostic]:
    """A warning for each period of days or weeks a defined name's meaning mentions that its rule does not use."""
    warnings = []
    for define in symbols.defines.values():
        if not define.doc:
            continue
        used = _durations(symbols, define.expr, set())
        if not used:  # a rule with no period at all: nothing to compare the words with
            continue
        for match in _PERIOD.finditer(define.doc):
            days = _days(match.group(1), match.group(2))
            if days not in used:
                uses = ", ".join(f"{n} days" if n % 7 else f"{n // 7} weeks ({n} days)" for n in sorted(used))
                warnings.append(Diagnostic(
                    define.span, "meaning-mismatch",
                    f"the meaning of '{define.name}' says '{match.group()}', but its rule uses {uses}; the handbook "
                    f"shows both, so update the meaning to match the rule (or the rule, if the meaning is right)",
                    severity="warning",
                ))
    return warnings


def _days(amount: str, unit: str) -> int:
    number = int(amount) if amount.isdigit() else _NUMBER_WORDS[amount.lower()]
    return number * (7 if unit.lower().startswith("week") else 1)


def _durations(symbols: Symbols, expr: ast.Expr, seen: set[str]) -> set[int]:
    """The lengths in days of the durations a rule uses, following the defined names it reads."""
    found: set[int] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.DurationLit) and node.unit.rstrip("s") in ("day", "week"):
            found.add(_days(str(node.amount), node.unit))
        elif isinstance(node, ast.Name) and node.name in symbols.defines and node.name not in seen:
            seen.add(node.name)
            found |= _durations(symbols, symbols.defines[node.name].expr, seen)
    return found
