"""Every error the library raises, and the diagnostics that carry their places.

All errors derive from :class:`CaragError`, so an embedding application can catch
one class. Rule-file problems are collected into :class:`RuleError` (one or more
located :class:`Diagnostic`); problems in case data raise :class:`CaseDataError`
(one or more :class:`CaseProblem`, each naming the field).
"""

from __future__ import annotations

import difflib
from typing import Iterable, Sequence

import attrs

from carag_dsl.source import Span


@attrs.frozen
class Diagnostic:
    """One finding of the compiler at one place in a rule file.

    ``code`` is a stable identifier (``unknown-name``, ``duplicate-question``,
    ...) that the diagnostics catalogue documents; ``notes`` are extra places
    (the other duplicate, the other questions on a cycle).
    """

    span: Span
    code: str
    message: str
    severity: str = "error"
    notes: tuple[tuple[Span, str], ...] = ()

    def render(self) -> str:
        """``path:line:col: error: message``, then the source line and a caret."""
        lines = [f"{self.span.location()}: {self.severity}: {self.message}"]
        lines.extend(self.span.excerpt())
        for span, note in self.notes:
            lines.append(f"{span.location()}: note: {note}")
            lines.extend(span.excerpt())
        return "\n".join(lines)


class CaragError(Exception):
    """Base class of every error carag-dsl raises for bad rules or bad case data."""


class RuleError(CaragError):
    """The rule files have errors. ``diagnostics`` holds all of them, sorted by place."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(diagnostics, key=lambda d: d.span.sort_key()))
        super().__init__(self.render())

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics that are errors (the others are warnings, reported with them)."""
        return tuple(d for d in self.diagnostics if d.severity == "error")

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


@attrs.frozen
class CaseProblem:
    """One problem in the data of a case: ``field`` is ``facts.start_date``, ``answers.X 4``, ..."""

    field: str
    message: str

    def render(self) -> str:
        return f"{self.field}: {self.message}"


class CaseDataError(CaragError):
    """The case data does not fit the rule set. ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[CaseProblem], case_id: object = None):
        self.problems = tuple(problems)
        self.case_id = case_id
        where = f"case {case_id!r}" if case_id is not None else "the case"
        if len(self.problems) == 1:
            message = f"{where}: {self.problems[0].render()}"
        else:
            message = f"{where} has {len(self.problems)} problems:\n" + "\n".join("  " + p.render() for p in self.problems)
        super().__init__(message)


class UsageError(CaragError):
    """A caller asked for something that does not exist (an unknown question id to explain, ...)."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
