"""The constants the rules compare each input with: where its boundary classes change.

Comparisons are read as linear forms over the facts: ``start_date + 56 days``
is the fact ``start_date`` plus 56 days, ``days from start_date to
suspension_date`` is ``suspension_date - start_date``, a defined date or
duration is read through its definition. A comparison of two such forms
gives either a *relation* between two date facts (``suspension_date -
start_date`` against 56) or a bound on one (a fact against a date literal or a
number). What the rules cannot put in that form (a date chosen by ``if``) is
noted, so the analysis says it may be incomplete.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Iterable

import attrs

from carag_dsl.language import ast
from carag_dsl.tools.diff.versions import Version

_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}


@attrs.define
class Boundaries:
    """What the rules compare each leaf with (leaf keys: ``fact:NAME``, ``question:ID``)."""

    dates: dict[str, set[datetime.date]] = attrs.Factory(lambda: defaultdict(set))
    relations: dict[tuple[str, str], set[int]] = attrs.Factory(lambda: defaultdict(set))  # (a, b): a - b against c days
    ints: dict[str, set[int]] = attrs.Factory(lambda: defaultdict(set))
    texts: dict[str, set[str]] = attrs.Factory(lambda: defaultdict(set))
    codes_tested: dict[str, set[str]] = attrs.Factory(lambda: defaultdict(set))
    unread: list[str] = attrs.Factory(list)  # comparisons not in linear form


# A linear form: {leaf: coefficient} plus a constant. Dates count as days (a date literal is its
# day number), so a date, a duration and a number are all whole numbers here.
@attrs.frozen
class _Linear:
    terms: tuple[tuple[str, int], ...]
    constant: int


def _add(a: _Linear, b: _Linear, sign: int) -> _Linear:
    terms = dict(a.terms)
    for leaf, k in b.terms:
        terms[leaf] = terms.get(leaf, 0) + sign * k
    return _Linear(tuple(sorted((leaf, k) for leaf, k in terms.items() if k)), a.constant + sign * b.constant)


class _Reader:
    def __init__(self, version: Version, found: Boundaries):
        self.version = version
        self.found = found

    def linear(self, expr: ast.Expr, depth: int = 0) -> _Linear | None:
        symbols = self.version.symbols
        if depth > 50:
            return None
        if isinstance(expr, ast.Name):
            if expr.name in symbols.facts and symbols.facts[expr.name].type.kind in ("date", "int"):
                return _Linear((("fact:" + expr.name, 1),), 0)
            if expr.name in symbols.defines:
                return self.linear(symbols.defines[expr.name].expr, depth + 1)
            return None
        if isinstance(expr, ast.AnswerRef):
            return None
        if isinstance(expr, ast.DateLit):
            return _Linear((), expr.value.toordinal())
        if isinstance(expr, ast.DurationLit):
            return _Linear((), expr.amount * _UNIT_DAYS.get(expr.unit, 0))
        if isinstance(expr, ast.IntLit):
            return _Linear((), expr.value)
        if isinstance(expr, ast.Arith):
            left, right = self.linear(expr.left, depth + 1), self.linear(expr.right, depth + 1)
            if left is None or right is None:
                return None
            return _add(left, right, 1 if expr.op == "+" else -1)
        if isinstance(expr, ast.DaysBetween):
            start, end = self.linear(expr.start, depth + 1), self.linear(expr.end, depth + 1)
            return None if start is None or end is None else _add(end, start, -1)
        return None

    def compare(self, node: ast.Compare) -> None:
        left, right = self.linear(node.left), self.linear(node.right)
        if left is None or right is None:
            self._options_and_texts(node)
            return
        difference = _add(left, right, -1)  # left - right, compared with 0
        terms = dict(difference.terms)
        if len(terms) == 1:
            (leaf, k), = terms.items()
            if abs(k) == 1:  # k * leaf + c against 0: the leaf against -c * k
                bound = -difference.constant * k
                if self._is_date(leaf):
                    self.found.dates[leaf].add(datetime.date.fromordinal(min(max(bound, 1), datetime.date.max.toordinal())))
                else:
                    self.found.ints[leaf].add(bound)
                return
        if len(terms) == 2:
            (a, ka), (b, kb) = terms.items()
            if ka == -kb and abs(ka) == 1:
                first, second = (a, b) if ka == 1 else (b, a)  # first - second + c against 0
                self.found.relations[(first, second)].add(-difference.constant)
                self.found.relations[(second, first)].add(difference.constant)
                return
        if terms:
            self.found.unread.append(node.span.one_line() if node.span.source else "a comparison")

    def _is_date(self, leaf: str) -> bool:
        kind, _, name = leaf.partition(":")
        decl = self.version.symbols.facts.get(name) if kind == "fact" else None
        return decl is not None and decl.type.kind == "date"

    def _options_and_texts(self, node: ast.Compare) -> None:
        for subject, other in ((node.left, node.right), (node.right, node.left)):
            leaf = self._leaf(subject)
            if leaf is not None and isinstance(other, ast.TextLit):
                self.found.texts[leaf].add(other.value)

    def _leaf(self, expr: ast.Expr) -> str | None:
        if isinstance(expr, ast.Name) and expr.name in self.version.symbols.facts:
            return "fact:" + expr.name
        if isinstance(expr, ast.AnswerRef):
            return "question:" + expr.question_id
        return None

    def read(self, expr: ast.Expr) -> None:
        for node in ast.walk(expr):
            if isinstance(node, ast.Compare):
                self.compare(node)
            elif isinstance(node, ast.In) and isinstance(node.element, ast.Name):
                leaf = self._leaf(node.collection)
                if leaf is not None:
                    self.found.codes_tested[leaf].add(node.element.name)


def collect(pairs: Iterable[tuple[Version, ast.Expr]]) -> Boundaries:
    """The boundaries of every leaf the given expressions (each with its version) compare."""
    found = Boundaries()
    for version, expr in pairs:
        _Reader(version, found).read(expr)
    return found
