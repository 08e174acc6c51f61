"""Every error the library raises, and the diagnostics that carry their places.

All errors derive from :class:`CaragError`, so an embedding application can catch
one class. Rule-file problems are collected into :class:`RuleError` (one or more
located :class:`Diagnostic`); problems in case data raise :class:`CaseDataError`
(one or more :class:`CaseProblem`, each naming the field).
"""

from __future__ import annotations

import re
import reprlib
from typing import Callable, Iterable, Sequence

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
        where = f"case {quoted(case_id)}" if case_id is not None else "the case"
        if len(self.problems) == 1:
            message = f"{where}: {self.problems[0].render()}"
        else:
            message = f"{where} has {len(self.problems)} problems:\n" + "\n".join("  " + p.render() for p in self.problems)
        super().__init__(message)


class UsageError(CaragError):
    """A caller asked for something that does not exist (an unknown question id to explain, ...)."""


def quoted(value: object, width: int = 80) -> str:
    """``repr(value)`` for a message, cut to about ``width`` characters: a huge value is never echoed whole."""
    if isinstance(value, str) and len(value) > width:
        return repr(value[:width]) + "…"
    try:
        text = repr(value)
    except RecursionError:  # a structure nested deeper than repr can go
        text = reprlib.repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string (one look-up: see :class:`Suggestions`)."""
    return Suggestions(candidates).did_you_mean(name)


def question_id_key(question_id: str) -> str:
    """A question id as people misremember it: letter case, spaces and leading zeros of its numbers ignored, so
    'x9', 'X 09' and 'X 9' are one key, and '2.3.1' is the key of '2.3.01'."""
    return re.sub(r"(?<!\d)0+(?=\d)", "", re.sub(r"\s+", "", question_id.casefold()))


def did_you_mean_question(question_id: str, question_ids: Iterable[str]) -> str:
    """`` (did you mean 'X 9'?)`` for an unknown question id: the id written the same way but for case, spaces
    and leading zeros first (difflib sees too little of a short id like 'x9'), else the closest by spelling."""
    return Suggestions(question_ids, normalise=question_id_key).did_you_mean(question_id)


class Suggestions:
    """Close matches for misspelt names, from one index built once for many look-ups.

    A name is compared (``difflib``, ratio 0.6) only with candidates that start or end with the
    same character and whose length could give that ratio, and each name is looked up once; all
    look-ups together compare at most :attr:`BUDGET` pairs, after which no more suggestions are
    made. So a file with thousands of unknown names costs a bounded time, not thousands of searches
    through every name (16,000 errors took 70 s). With ``normalise``, a candidate whose normalised
    form is the name's is suggested first.
    """

    BUDGET = 500_000

    def __init__(self, candidates: Iterable[str], normalise: Callable[[str], str] | None = None):
        self._by_end: dict[tuple[str, int], list[str]] = {}
        self._key = normalise
        self._by_key: dict[str, str] = {}
        for candidate in dict.fromkeys(candidates):  # unique, in order
            if candidate and normalise is not None:
                self._by_key.setdefault(normalise(candidate), candidate)
            if candidate:
                for key in {(candidate[0], len(candidate)), (candidate[-1], -len(candidate))}:
                    self._by_end.setdefault(key, []).append(candidate)
        self._found: dict[str, str] = {}
        self._budget = self.BUDGET

    def did_you_mean(self, name: str) -> str:
        if name not in self._found:
            self._found[name] = self._closest(name)
        return self._found[name]

    def _closest(self, name: str) -> str:
        if not name:
            return ""
        if self._key is not None and self._by_key.get(self._key(name), name) != name:
            return f" (did you mean '{self._by_key[self._key(name)]}'?)"
        # ratio = 2 * matches / (len(a) + len(b)) >= 0.6 needs the other length within [3/7, 7/3] of this one.
        lengths = range((3 * len(name)) // 7, (7 * len(name)) // 3 + 1)
        buckets = [self._by_end.get(key, ()) for n in lengths for key in ((name[0], n), (name[-1], -n))]
        size = sum(map(len, buckets))
        if size > self._budget:  # enough suggestions made: the rest would cost more than they help
            self._budget = 0
            return ""
        self._budget -= size
        pool = dict.fromkeys(c for bucket in buckets for c in bucket)
        import difflib  # imported when a suggestion is needed: difflib costs more to import than a case to evaluate

        close = difflib.get_close_matches(name, list(pool), n=1, cutoff=0.6)
        return f" (did you mean '{close[0]}'?)" if close else ""
