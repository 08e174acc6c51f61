"""Dates and whole numbers reduced to the finitely many classes the rules can tell apart.

A rule compares dates and numbers only in linear ways: ``suspension_date <=
start_date + 56 days``, ``days from a to b > 3 days``, ``age >= 18``. Each such
comparison is an *atom*: a linear form ``sum(coefficient * variable) + constant``
compared with zero. Two cases whose variables give every atom the same sign
(negative, zero, positive) and the same variables given or missing behave the
same under every rule, so the space of dates and numbers splits into finitely
many *cells*.

Variables linked by atoms form a *component*; a component's cells are found by
a depth-first search over the signs of its atoms, each partial choice checked
for integer feasibility as a system of difference constraints (Floyd-Warshall
over the variables and a zero node). Every cell keeps one concrete solution,
chosen near a base date and with each variable close to the one before it, so
that witnesses read naturally (a suspension 57 days after the start, not
thousands). Atoms with more than two variables, or coefficients other than
±1, are outside this decision procedure and raise :class:`AnalysisUnsupported`.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Callable, Iterable, Mapping

import attrs

from carag_dsl.errors import CaragError
from carag_dsl.runtime.logic import UNKNOWN

#: Where witnesses' free dates start (any date would do; a recent Monday reads well).
BASE_DATE = datetime.date(2025, 1, 6)
_DAY_ONE = datetime.date(1, 1, 1).toordinal()
_LAST_DAY = datetime.date(9999, 12, 31).toordinal()
_ZERO = "<zero>"
_INF = float("inf")


class AnalysisUnsupported(CaragError):
    """A rule compares dates or numbers in a way the exact analysis cannot decide."""


class BudgetExceeded(AnalysisUnsupported):
    """The exact analysis would need more than its budget (:mod:`.budget`)."""


@attrs.frozen
class Form:
    """``sum(coefficient * variable) + constant``; dates count in days since 1 January year 1."""

    terms: tuple[tuple[str, int], ...] = ()  # sorted by variable, no zero coefficients
    constant: int = 0

    @staticmethod
    def of(terms: Mapping[str, int], constant: int = 0) -> "Form":
        return Form(tuple(sorted((v, c) for v, c in terms.items() if c)), constant)

    def plus(self, other: "Form", sign: int = 1) -> "Form":
        terms = dict(self.terms)
        for var, coef in other.terms:
            terms[var] = terms.get(var, 0) + sign * coef
        return Form.of(terms, self.constant + sign * other.constant)

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.terms)

    def normalized(self) -> "Form":
        """The same atom up to sign, written with its first coefficient positive (one key per comparison)."""
        if self.terms and self.terms[0][1] < 0:
            return Form(tuple((v, -c) for v, c in self.terms), -self.constant)
        return self

    def value(self, values: Mapping[str, int]) -> int:
        return sum(c * values[v] for v, c in self.terms) + self.constant


@attrs.frozen
class Cell:
    """One class of a component: which variables are given, and a solution (runtime values)."""

    values: tuple[tuple[str, object], ...]  # variable -> date / int, or UNKNOWN
    signs: tuple[tuple[Form, int], ...]  # atom over given variables -> -1 / 0 / 1

    def value_of(self, variable: str) -> object:
        return dict(self.values)[variable]


# ------------------------------------------------------------------ whole numbers added up: ranges


@attrs.frozen
class Span:
    """The whole numbers from ``low`` to ``high`` (None: no bound on that side), never a single number.

    Whole numbers added up with others (``a + b > 5``, sums of ``if``s) are outside the difference
    constraints above; each is split instead into the numbers ``-bound .. bound`` and the two spans beyond,
    and sums are computed on those classes (:func:`span_arith`). A comparison every case of whose classes
    answers alike is decided; one the classes leave open raises :class:`AnalysisUnsupported`
    (:func:`span_compare`), so what the analysis says always holds for every case.
    """

    low: int | None
    high: int | None

    def __str__(self) -> str:
        if self.low is None:
            return f"at most {self.high}"
        if self.high is None:
            return f"at least {self.low}"
        return f"{self.low} to {self.high}"

    @property
    def example(self) -> int:
        """A number of the span, for witnesses: its bound nearest zero."""
        return self.low if self.low is not None else self.high  # type: ignore[return-value]  # never unbounded both sides


def _bounds(value) -> tuple[int | None, int | None]:
    return (value.low, value.high) if isinstance(value, Span) else (value, value)


def _spanned(low: int | None, high: int | None):
    return low if low is not None and low == high else Span(low, high)


def span_arith(op: str, left, right):
    """``left + right`` or ``left - right`` of numbers and spans: the span of every result."""
    (a_low, a_high), (b_low, b_high) = _bounds(left), _bounds(right)
    if op == "-":
        b_low, b_high = (-b_high if b_high is not None else None), (-b_low if b_low is not None else None)
    low = a_low + b_low if a_low is not None and b_low is not None else None
    high = a_high + b_high if a_high is not None and b_high is not None else None
    return _spanned(low, high)


_UNDECIDED = ("a comparison of whole numbers added up is not decided by their classes (each number near zero, "
              "and the spans beyond); the exact analysis decides a sum only where those classes do, as for sums "
              "of numbers each at least zero")


def span_compare(op: str, left, right) -> bool:
    """``left op right`` for numbers and spans, when every pair of their numbers answers alike; else
    :class:`AnalysisUnsupported`."""
    difference = span_arith("-", left, right)
    low, high = _bounds(difference)
    positive, negative = low is not None and low > 0, high is not None and high < 0
    zero = low == 0 == high
    decided = {
        "==": False if positive or negative else True if zero else None,
        "!=": True if positive or negative else False if zero else None,
        "<": True if negative else False if (low is not None and low >= 0) else None,
        "<=": True if (high is not None and high <= 0) else False if positive else None,
        ">": True if positive else False if (high is not None and high <= 0) else None,
        ">=": True if (low is not None and low >= 0) else False if negative else None,
    }[op]
    if decided is None:
        raise AnalysisUnsupported(_UNDECIDED)
    return decided


def span_classes(bound: int) -> list:
    """The classes of a whole number added up with others: the numbers ``-bound .. bound`` and the spans beyond,
    nearest zero first (a witness takes the first its region allows)."""
    near = [0] + [n for k in range(1, bound + 1) for n in (k, -k)]
    return near + [Span(bound + 1, None), Span(None, -bound - 1)]


def _closure(nodes: list[str], edges: list[tuple[str, str, int]]) -> dict[tuple[str, str], float] | None:
    """All-pairs shortest paths of the constraint graph (edge u->v weight w: v - u <= w); None on a negative cycle."""
    dist = {(a, b): (0 if a == b else _INF) for a in nodes for b in nodes}
    for u, v, w in edges:
        if w < dist[u, v]:
            dist[u, v] = w
    for k in nodes:
        for i in nodes:
            dik = dist[i, k]
            if dik == _INF:
                continue
            for j in nodes:
                candidate = dik + dist[k, j]
                if candidate < dist[i, j]:
                    dist[i, j] = candidate
    if any(dist[n, n] < 0 for n in nodes):
        return None
    return dist


def _sign_edges(atom: Form, sign: int) -> list[tuple[str, str, int]]:
    """Difference constraints (u, v, w) meaning v - u <= w for ``sign(atom) == sign``, over integers."""
    terms = dict(atom.terms)
    if len(terms) > 2 or any(abs(c) != 1 for c in terms.values()) or (len(terms) == 2 and sum(terms.values()) != 0):
        raise AnalysisUnsupported(
            "a comparison of dates or numbers adds or subtracts more than two of them; the exact analysis "
            "handles comparisons of one date or number with a constant, or of the difference of two"
        )
    plus = next((v for v, c in terms.items() if c == 1), _ZERO)
    minus = next((v for v, c in terms.items() if c == -1), _ZERO)
    c = atom.constant
    # atom = plus - minus + c
    if sign < 0:  # plus - minus <= -c - 1
        return [(minus, plus, -c - 1)]
    if sign > 0:  # minus - plus <= c - 1
        return [(plus, minus, c - 1)]
    return [(minus, plus, -c), (plus, minus, c)]


def _calendar_edges(variable: str, is_date: bool) -> list[tuple[str, str, int]]:
    if not is_date:
        return []
    return [(_ZERO, variable, _LAST_DAY), (variable, _ZERO, -_DAY_ONE)]


def _pick_solution(nodes: list[str], edges: list, dist, date_vars: set[str]) -> dict[str, int]:
    """Concrete values: each variable in turn as close as allowed to the one before (the first to the base date)."""
    edges = list(edges)
    chosen: dict[str, int] = {}
    previous: int | None = None
    for var in nodes:
        if var == _ZERO:
            continue
        upper = dist[_ZERO, var]  # var - zero <= upper
        lower = -dist[var, _ZERO]  # zero - var <= -lower
        preferred = previous if previous is not None else (BASE_DATE.toordinal() if var in date_vars else 0)
        value = int(min(max(preferred, lower), upper))
        chosen[var] = value
        previous = value
        edges += [(_ZERO, var, value), (var, _ZERO, -value)]
        dist = _closure(nodes, edges)
        assert dist is not None, "a value inside the feasible interval keeps the system feasible"
    return chosen


def component_cells(variables: list[str], atoms: list[Form], date_vars: set[str], limit: int | None = None,
                    progress: Callable[[], None] | None = None) -> list[Cell]:
    """Every feasible cell of a component, the all-unknown cell first.

    ``limit``: how many feasibility checks the search may make (each cell needs at least one); past it,
    :class:`BudgetExceeded`. The cells of variables compared in a chain grow exponentially with its length.
    ``progress`` is called at every check (the analysis's meter: it stops the search when time runs out).
    """
    cells: list[Cell] = []
    checks = [0]

    def count_check() -> None:
        checks[0] += 1
        if progress is not None:
            progress()
        if limit is not None and checks[0] > limit:
            raise BudgetExceeded(f"the dates and numbers {', '.join(variables)} are compared with each other in more "
                                 f"ways than the exact analysis takes ({limit:,} combinations of their comparisons)")

    for known_count in range(len(variables) + 1):
        for known in itertools.combinations(variables, known_count):
            known_set = set(known)
            usable = [a for a in atoms if set(a.variables) <= known_set]
            nodes = [_ZERO] + list(known)
            base_edges = [e for v in known for e in _calendar_edges(v, v in date_vars)]
            count_check()
            for signs, edges, dist in _sign_vectors(nodes, usable, base_edges, count_check):
                solution = _pick_solution(nodes, edges, dist, date_vars)
                values = tuple(
                    (v, (datetime.date.fromordinal(solution[v]) if v in date_vars else solution[v]) if v in known_set else UNKNOWN)
                    for v in variables
                )
                cells.append(Cell(values, signs))
    return cells


def _sign_vectors(nodes, atoms: list[Form], base_edges, count_check=lambda: None):
    """(signs, edges, closure) for every feasible choice of signs of the atoms (depth first, pruned)."""
    dist0 = _closure(nodes, base_edges)
    if dist0 is None:
        return
    stack: list[tuple[tuple[tuple[Form, int], ...], list, dict]] = [((), base_edges, dist0)]
    while stack:
        signs, edges, dist = stack.pop()
        if len(signs) == len(atoms):
            yield signs, edges, dist
            continue
        atom = atoms[len(signs)]
        for sign in (1, 0, -1):  # popped in reverse: negative, zero, positive
            count_check()
            more = edges + _sign_edges(atom, sign)
            closure = _closure(nodes, more)
            if closure is not None:
                stack.append((signs + ((atom, sign),), more, closure))


def components(variables: Iterable[str], atoms: Iterable[Form]) -> list[tuple[list[str], list[Form]]]:
    """Variables grouped by the atoms that link them (union-find); each with its atoms, in first-seen order."""
    order = list(dict.fromkeys(variables))
    parent = {v: v for v in order}

    def find(v):
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    atoms = list(dict.fromkeys(atoms))
    for atom in atoms:
        vs = atom.variables
        for other in vs[1:]:
            parent[find(other)] = find(vs[0])
    groups: dict[str, tuple[list[str], list[Form]]] = {}
    for v in order:
        groups.setdefault(find(v), ([], []))[0].append(v)
    for atom in atoms:
        if atom.variables:
            groups[find(atom.variables[0])][1].append(atom)
    return list(groups.values())
