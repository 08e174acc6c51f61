"""Regions of the case space in plain English.

A region that is a product (each variable free of the others) reads as one
sentence, "sentence is licence or pss and [X 6] is unanswered"; any other region
is split on its first variable into alternatives, each read the same way.
Date and number classes read as the bounds their cell puts on each difference:
"suspension_date is 1 to 55 days after start_date".
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from carag_dsl.runtime.logic import UNKNOWN


def describe(space: Any, region: Any, limit: int, within: Any = None) -> str:
    """``space.describe(region)`` (a function of its own: the space module imports this one, not the reverse).

    ``within``: the region the description may take for granted (by default, the cases the
    region is taken from: those every rule set accepts, or all well-formed cases for a region
    such as CaseSpace.accepted_only_by).
    """
    if region.is_empty:
        return "no case"
    universe = within.node if within is not None else region.within
    parts = _alternatives(space, region.node, limit + 1, universe)
    if not parts:
        return "every case"
    if len(parts) > limit:
        return "; or ".join(parts[:limit]) + "; or other combinations"
    return "; or ".join(parts)


def _variables_in(space, node, universe):
    """The variables the region restricts beyond what the space itself does (its constraints, its domains)."""
    support = space.bdd.support(node)
    return [
        v for v in space.variables
        if support.intersection(v.bits) and (space.bdd.exist(list(v.bits), node) & universe) != node
    ]


def _projection(space, node, variable):
    others = [b for v in space.variables if v is not variable for b in v.bits]
    return space.bdd.exist(others, node)


def _classes_in(space, node, variable) -> list[int]:
    return [i for i, bdd in enumerate(space._class_bdds[variable.index]) if (node & bdd) != space.bdd.false]


def _alternatives(space, node, limit: int, universe, described: frozenset = frozenset()) -> list[str]:
    """Each alternative as a sentence; ``described``: variables an enclosing alternative already named."""
    node = node & universe
    relevant = _variables_in(space, node, universe)
    variables = [v for v in relevant if v.index not in described]
    if not variables:
        return []
    product = space.bdd.true
    for variable in relevant:
        product &= _projection(space, node, variable)
    if (product & universe) == node:
        phrases = [_phrase(space, v, _classes_in(space, node, v)) for v in variables]
        return [" and ".join(p for p in phrases if p)] if any(phrases) else []
    first = variables[0]
    groups: dict = {}
    for index in _classes_in(space, node, first):
        rest = space.bdd.exist(list(first.bits), node & space._class_bdds[first.index][index]) & universe
        groups.setdefault(rest, []).append(index)
    found: list[str] = []
    for indexes in groups.values():
        head = _phrase(space, first, indexes)
        # The rest keeps the head's classes, so a constraint tying a later variable to this one
        # is not read as a new restriction of it (each variable is named once per alternative).
        chosen = space.bdd.false
        for index in indexes:
            chosen |= space._class_bdds[first.index][index]
        tails = _alternatives(space, node & chosen, limit, universe, described | {first.index}) or [""]
        for tail in tails:
            found.append(" and ".join(p for p in (head, tail) if p))
            if len(found) >= limit:
                return found
    return found


def _phrase(space, variable, indexes: list[int]) -> str:
    count = len(variable.classes)
    kind, name = variable.key[0], variable.key[1]
    if kind == "numbers":
        if len(indexes) == count:
            return ""
        texts = [_bounds_text(*cell) for cell in _merged([_cell_bounds(variable.classes[i], name) for i in indexes])]
        return " or ".join(f"({text})" if len(texts) > 1 else text for text in texts)
    label = f"[{name}]" if kind == "answer" else name
    missing = "unanswered" if kind == "answer" else "not given"
    if len(indexes) == count:
        return ""
    given = [variable.classes[i] for i in indexes if variable.classes[i] is not UNKNOWN]
    if 0 not in indexes and len(given) == count - 1:
        return f"{label} is {'answered' if kind == 'answer' else 'given'}"
    words = [_value_text(v) for v in given] + ([missing] if 0 in indexes else [])
    return f"{label} is " + (words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1])


def _value_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(value)) + "}" if value else "empty"
    if isinstance(value, str) and (value == "" or " " in value):
        return repr(value)
    return str(value)


def _cell_bounds(cell, names) -> tuple:
    """(values, names, {(plus, minus): [low, high]}): the bounds a cell puts on each difference it decides."""
    values = dict(cell.values)
    bounds: dict[tuple, list] = {}
    for atom, sign in cell.signs:
        terms = dict(atom.terms)
        plus = next(v for v, c in terms.items() if c == 1) if 1 in terms.values() else None
        minus = next((v for v, c in terms.items() if c == -1), None)
        key = (plus, minus)
        low, high = bounds.setdefault(key, [None, None])
        # atom = plus - minus + constant, so plus - minus compared with -constant
        target = -atom.constant
        if sign == 0:
            bounds[key] = [target, target]
        elif sign > 0 and (low is None or target + 1 > low):
            bounds[key][0] = target + 1
        elif sign < 0 and (high is None or target - 1 < high):
            bounds[key][1] = target - 1
    return values, names, bounds


def _merged(cells: list[tuple]) -> list[tuple]:
    """Cells that differ only in one bound, on neighbouring ranges, read as one range ("57 to 63 days", not 57 to 62 or 63)."""
    cells = list(cells)
    merging = True
    while merging:
        merging = False
        for i, j in itertools.permutations(range(len(cells)), 2):
            joined = _join(cells[i], cells[j])
            if joined is not None:
                cells[i] = joined
                del cells[j]
                merging = True
                break
    return cells


def _join(first: tuple, second: tuple) -> tuple | None:
    values, names, bounds = first
    other_values, _, other_bounds = second
    if bounds.keys() != other_bounds.keys() or {n for n, v in values.items() if v is UNKNOWN} != {n for n, v in other_values.items() if v is UNKNOWN}:
        return None
    differing = [key for key in bounds if bounds[key] != other_bounds[key]]
    if len(differing) != 1:
        return None
    (key,) = differing
    (low, high), (other_low, other_high) = bounds[key], other_bounds[key]
    if high is not None and other_low is not None and high + 1 == other_low:
        return values, names, {**bounds, key: [low, other_high]}
    return None


def _bounds_text(values: dict, names, bounds: dict) -> str:
    phrases = [f"{n} is not given" for n in names if values[n] is UNKNOWN]
    described = set()
    for (plus, minus), (low, high) in bounds.items():
        if low is None and high is None:  # merged cells that together allow every difference
            continue
        described.update({plus, minus})
        is_date = isinstance(values.get(plus), datetime.date)
        if minus is None:
            phrases.append(_absolute(plus, low, high, is_date))
        else:
            phrases.append(_relative(plus, minus, low, high, is_date))
    phrases += [f"{n} is given" for n in names if values[n] is not UNKNOWN and n not in described]
    return " and ".join(phrases)


def _absolute(name, low, high, is_date) -> str:
    show = (lambda n: datetime.date.fromordinal(n).isoformat()) if is_date else str
    before, after = ("on or before", "on or after") if is_date else ("at most", "at least")
    if low is not None and low == high:
        return f"{name} is {'on ' if is_date else ''}{show(low)}"
    if low is not None and high is not None:
        return f"{name} is {'from ' if is_date else 'from '}{show(low)} to {show(high)}"
    if low is not None:
        return f"{name} is {after} {show(low)}"
    return f"{name} is {before} {show(high)}"


def _relative(later, earlier, low, high, is_date) -> str:
    unit = " days" if is_date else ""
    if (high is not None and high <= 0) or (low is None and high is not None):  # read it from the earlier one
        later, earlier, low, high = earlier, later, (None if high is None else -high), (None if low is None else -low)
    if is_date:
        if low is not None and low == high:
            if low == 0:
                return f"{later} is the same day as {earlier}"
            return f"{later} is {abs(low)} day{'s' if abs(low) != 1 else ''} {'after' if low > 0 else 'before'} {earlier}"
        if low is not None and high is not None and low >= 0:
            return f"{later} is {low} to {high} days after {earlier}"
        if low is not None and high is not None and high <= 0:
            return f"{later} is {-high} to {-low} days before {earlier}"
        if low is not None and high is None:
            return f"{later} is on or after {earlier}" if low == 0 else (f"{later} is after {earlier}" if low == 1 else f"{later} is {low} days or more after {earlier}" if low > 0 else f"{later} is at most {-low} days before {earlier}, or after it")
        if high is not None and low is None:
            return f"{later} is before {earlier}" if high == -1 else (f"{later} is on or before {earlier}" if high == 0 else f"{later} is at most {high} days after {earlier}, or before it" if high > 0 else f"{later} is {-high} days or more before {earlier}")
    low_text = "" if low is None else f"{low}{unit} <= "
    high_text = "" if high is None else f" <= {high}{unit}"
    return f"{low_text}{later} - {earlier}{high_text}"
