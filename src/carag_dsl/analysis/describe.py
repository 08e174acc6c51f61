"""Regions of the case space in plain English, written for methodology staff.

A region is read as a short list of *kinds of case*, one per line, each an unambiguous conjunction
("sentence is licence or pss and suspension_date is 57 to 84 days after start_date"): a minimal cover
of the region by cubes over the variables' classes (:mod:`.cover`), not the BDD's paths.

Cases whose facts are all given come first: the kinds describe the region among them, and the facts
whose absence brings in the cases the kinds leave out (read as people read them: a condition a kind does
not name is free) are named once, in one short line ("also while sentence is not given"). A fact is taken
to be one a case record always carries unless a constraint makes its presence depend on another fact (``constraint suspension_date requires suspension != none``):
such a fact is often rightly absent. Answers may be unanswered in a fully known case: that is how a
case stands while it is inspected. Date and number classes read as the bounds their cell puts on each
difference: "suspension_date is 1 to 55 days after start_date".
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any, Collection

import attrs

from carag_dsl.analysis.cover import cube_node, minimal_cover
from carag_dsl.analysis.numeric import Span
from carag_dsl.compiler.graph import expression_inputs
from carag_dsl.runtime.logic import UNKNOWN

_ALTERNATIVES = "\x00"  # between the ranges of a date phrase that are kinds of case of their own
#: Kinds of case a one-line description shows before "N more kinds of case".
SHOWN_KINDS = 3


@attrs.frozen
class Description:
    """A region for people: its kinds of case (all of them: the exact cover), and the facts some of its cases lack.

    ``kinds`` are of fully known cases when ``known_only``; ``missing_only`` names the facts whose absence brings
    in the cases the kinds leave out ("also while ... is not given"); ``complete`` is false when the cover
    stopped before reaching every case.
    ``known`` is the region's fully known cases (the region itself when it has none): where a witness looks real.
    """

    kinds: tuple[str, ...]
    missing_only: tuple[str, ...] = ()
    known_only: bool = False
    complete: bool = True
    known: Any = attrs.field(default=None, eq=False, repr=False)

    def sentence(self, shown: int = SHOWN_KINDS) -> str:
        """The description on one line (for a message): kinds joined by '; or '."""
        if not self.kinds:
            return "every case" if self.complete else "some cases"
        text = "; or ".join(self.kinds[:shown])
        rest = len(self.kinds) - shown
        if rest > 0 or not self.complete:
            text += f"; or {rest if rest > 0 else 'some'} more kind{'s' if rest != 1 else ''} of case"
        return text


def also_missing(names: tuple[str, ...]) -> str:
    listed = names[:4]
    words = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " or " + listed[-1]
    if len(names) > len(listed):
        words = ", ".join(listed) + f" or {len(names) - len(listed)} other facts"
    return f"also while {words} {'is' if len(names) == 1 else 'are'} not given"


def describe(space: Any, region: Any, limit: int, within: Any = None) -> str:
    """``space.describe(region)``: the region on one line, at most ``limit`` kinds of case.

    ``within``: the region the description may take for granted (by default, the cases the
    region is taken from: those every rule set accepts, or all well-formed cases for a region
    such as CaseSpace.accepted_only_by).
    """
    if region.is_empty:
        return "no case"
    found = describe_region(space, region, within)
    text = found.sentence(limit)
    return text + (f" ({also_missing(found.missing_only)})" if found.missing_only else "")


def optional_facts(rules_list: list) -> set[str]:
    """Facts a case may rightly lack: those a constraint gives a condition on another fact for being given."""
    optional: set[str] = set()
    for rules in rules_list:
        for constraint in rules.symbols.constraints:
            reads = expression_inputs(constraint.expr, rules.symbols)
            if f"fact:{constraint.field}" not in reads and any(n.startswith("fact:") for n in reads):
                optional.add(constraint.field)
    return optional


def _required_names(space: Any) -> set[str]:
    facts = {name for rules in space.rules_list for name in rules.symbols.facts}
    return facts - optional_facts(space.rules_list)


def _given_classes(variable: Any, required: set[str]) -> list[int] | None:
    """The classes of a variable in which every required fact it holds is given (None: it holds none)."""
    kind = variable.key[0]
    if kind == "fact":
        return list(range(1, len(variable.classes))) if variable.key[1] in required else None
    if kind == "numbers":
        names = [n for n in variable.key[1] if n in required]
        if not names:
            return None
        return [i for i, cell in enumerate(variable.classes) if all(v is not UNKNOWN for n, v in cell.values if n in names)]
    return None


def _union(space: Any, variable: Any, classes: list[int]) -> Any:
    node = space.bdd.false
    for index in classes:
        node |= space._class_bdds[variable.index][index]
    return node


def describe_region(space: Any, region: Any, within: Any = None) -> Description:
    """The region as kinds of case, fully known cases first (see the module documentation)."""
    universe = within.node if within is not None else region.within
    node = region.node & universe
    bdd = space.bdd
    relevant = _variables_in(space, node, universe)
    required = _required_names(space)
    given = {v.index: g for v in relevant if (g := _given_classes(v, required)) is not None}
    known_node = bdd.true
    for variable in relevant:
        if variable.index in given:
            known_node &= _union(space, variable, given[variable.index])
    known = node & known_node
    if known == bdd.false:  # the region lies only where facts are missing: described as it is
        kinds, _, complete = _kinds(space, node, universe, relevant, {}, None)
        return Description(tuple(kinds), (), False, complete, region)
    order = [given.get(v.index, []) + [i for i in range(len(v.classes)) if i not in given.get(v.index, [])] for v in relevant]
    kinds, cubes, complete = _kinds(space, known, universe & known_node, relevant, given, order)
    # The kinds, read as people read them: a condition they do not name is free, one they name is on a
    # given fact. The cases of the region they leave out are the ones a missing fact brings in.
    read = bdd.false
    for cube in cubes:
        read |= cube_node(space, {k: frozenset(c for c in v if k not in given or c in given[k]) for k, v in cube.items()})
    left_out = node & ~read
    missing: list[str] = []
    for variable in relevant:
        if variable.index not in given or left_out == bdd.false:
            continue
        if variable.key[0] == "fact":
            if left_out & ~_union(space, variable, given[variable.index]) != bdd.false:
                missing.append(variable.key[1])
            continue
        for name in (n for n in variable.key[1] if n in required):
            lacking = [i for i, cell in enumerate(variable.classes) if dict(cell.values)[name] is UNKNOWN]
            if left_out & _union(space, variable, lacking) != bdd.false:
                missing.append(name)
    return Description(tuple(kinds), tuple(missing), True, complete, type(region)(space, known, region.within))


def _kinds(space: Any, node: Any, care: Any, variables: list, given: dict, order: list | None) -> tuple[list[str], list, bool]:
    cubes, complete = minimal_cover(space, node, care, variables, order)
    false = space.bdd.false
    kinds = []
    for cube in cubes:
        inside = cube_node(space, cube) & care
        phrases = []
        for variable in variables:
            classes = cube.get(variable.index)
            if classes is None:
                continue
            without = cube_node(space, {k: v for k, v in cube.items() if k != variable.index})
            if (without & care & ~inside) == false:
                continue  # what the other conditions and the constraints already imply
            # Only the classes some case of the kind has: the others were taken only because no case has them.
            shown = [c for c in sorted(classes) if (inside & space._class_bdds[variable.index][c]) != false]
            possible = [c for c in range(len(variable.classes)) if (without & care & space._class_bdds[variable.index][c]) != false]
            allowed = given.get(variable.index)
            quiet = set(variable.key[1]) if variable.key[0] == "numbers" and allowed is not None else set()
            phrase = _phrase(space, variable, shown, quiet, possible)
            if phrase:
                phrases.append(phrase)
        # Dates that fall in several ranges make several kinds of case: no line mixes 'and' with 'or'.
        for choice in itertools.product(*(p.split(_ALTERNATIVES) for p in phrases)):
            kinds.append(" and ".join(choice) if choice else "every case")
    # the broad kinds (fewest conditions) first
    return sorted(kinds, key=len), cubes, complete


def _variables_in(space, node, universe):
    """The variables the region restricts beyond what the space itself does (its constraints, its domains)."""
    support = space.bdd.support(node)
    return [
        v for v in space.variables
        if support.intersection(v.bits) and (space.bdd.exist(list(v.bits), node) & universe) != node
    ]


def _phrase(space, variable, indexes: list[int], quiet: Collection[str] = (), possible: list[int] | None = None) -> str:
    """``quiet``: dates and numbers not to call "given" (every case described gives them); ``possible``: the
    classes the variable can have given the other conditions (a date all of whose states among them are
    chosen is not named)."""
    count = len(variable.classes)
    kind, name = variable.key[0], variable.key[1]
    if kind == "numbers":
        if len(indexes) == count:
            return ""
        free = _unrestricted_names(variable, indexes, possible) if possible is not None else set()
        cells = [_cell_bounds(variable.classes[i], name, free) for i in indexes]
        unique = list({repr(c): c for c in cells}.values())  # cells that differ only in a free date read alike
        texts = list(dict.fromkeys(_bounds_text(values, names, bounds, quiet) for values, names, bounds in _merged(unique)))
        texts = [t for t in texts if t]
        if not texts:
            return ""
        return _ALTERNATIVES.join(texts)  # each its own kind of case (see _kinds)
    label = f"[{name}]" if kind == "answer" else name
    missing = "unanswered" if kind == "answer" else "not given"
    if len(indexes) == count:
        return ""
    given = [variable.classes[i] for i in indexes if variable.classes[i] is not UNKNOWN]
    if 0 not in indexes and len(given) == count - 1:
        return f"{label} is {'answered' if kind == 'answer' else 'given'}"
    if 0 in indexes and len(given) >= 2 and len(given) == count - 2 and not isinstance(given[0], frozenset):
        other = next(c for c in variable.classes[1:] if c not in given)  # every value but one, or none: "is not"
        return f"{label} is not {_value_text(other)}"
    if given and isinstance(given[0], frozenset) and len(given) > 2:
        membership = _membership(variable, given)
        if membership:
            return f"{label} {membership}" + (f" (or is {missing})" if 0 in indexes else "")
        terms = _membership_terms(variable, given)
        if terms:  # several kinds of case, each what the answer includes and leaves out
            return _ALTERNATIVES.join([f"{label} {term}" for term in terms] + ([f"{label} is {missing}"] if 0 in indexes else []))
    words = [_value_text(v) for v in given] + ([missing] if 0 in indexes else [])
    return f"{label} is " + (words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1])


def _membership(variable, chosen: list) -> str:
    """Sets of options read as what they include ("includes a, b or c", "includes none of a or b"), where they can be."""
    named = variable.named
    every = [c for c in variable.classes if c is not UNKNOWN]
    inside = {c & named for c in chosen}
    outside = {c & named for c in every if c not in chosen}
    if inside & outside:  # two classes the rules tell apart only by an option they never name
        return ""
    shown = lambda options: ", ".join(sorted(options)[:-1]) + " or " + sorted(options)[-1] if len(options) > 1 else next(iter(options))  # noqa: E731
    some = named - frozenset().union(*outside) if outside else named
    if some and all(c & some for c in inside) and not any(c & some for c in outside):
        return f"includes {shown(some)}"
    none = named - frozenset().union(*inside) if inside else named
    if none and not any(c & none for c in inside) and all(c & none for c in outside):
        return f"includes none of {shown(none)}"
    return ""


def _membership_terms(variable, chosen: list) -> list[str]:
    """Sets of options as a few terms of what they include and leave out, each term the sets that agree on the
    options it names (a greedy cover: a term from a set not yet covered, its options dropped while it takes in
    no set outside); empty where two sets differ only in options the rules never name."""
    named = sorted(variable.named)
    every = [c for c in variable.classes if c is not UNKNOWN]
    inside = {c & variable.named for c in chosen}
    outside = {c & variable.named for c in every if c not in chosen}
    if inside & outside or not named:
        return []

    def holds(term: dict, options: frozenset) -> bool:
        return all((option in options) == wanted for option, wanted in term.items())

    remaining, terms = set(inside), []
    while remaining:
        seed = min(remaining, key=lambda c: (len(c), sorted(c)))
        term = {option: option in seed for option in named}
        for option in named:
            trial = {k: v for k, v in term.items() if k != option}
            if not any(holds(trial, other) for other in outside):
                term = trial
        terms.append(term)
        remaining = {c for c in remaining if not holds(term, c)}
    return [_term_words(term) for term in terms]


def _term_words(term: dict) -> str:
    has = [o for o, wanted in term.items() if wanted]
    lacks = [o for o, wanted in term.items() if not wanted]
    if not lacks:
        return "includes " + " and ".join(has)
    left_out = f"not {lacks[0]}" if len(lacks) == 1 else "none of " + ", ".join(lacks)
    return ("includes " + " and ".join(has) + f" and {left_out}") if has else ("includes " + left_out)


def _value_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(value)) + "}" if value else "empty"
    if isinstance(value, Span):
        return str(value)
    if isinstance(value, str) and (value == "" or " " in value):
        return repr(value)
    return str(value)


def _unrestricted_names(variable, chosen: list[int], possible: list[int]) -> set[str]:
    """The dates of a numbers variable the chosen cells leave free: every state it has among the possible cells
    (given or not, each side of each comparison) is chosen whatever the other dates are."""
    free: set[str] = set()
    chosen_set = set(chosen)
    for name in variable.key[1]:
        def rest(index: int) -> tuple:
            cell = variable.classes[index]
            return (tuple((n, v is UNKNOWN) for n, v in cell.values if n != name),
                    tuple((a, s) for a, s in cell.signs if name not in dict(a.terms)))
        groups: dict[tuple, set[int]] = {}
        for index in possible:
            groups.setdefault(rest(index), set()).add(index)
        touched = [g for g in groups.values() if g & chosen_set]
        if touched and all(g <= chosen_set for g in touched) and any(len(g) > 1 for g in touched):
            free.add(name)
    return free


def _cell_bounds(cell, names, free: Collection[str] = ()) -> tuple:
    """(values, names, {(plus, minus): [low, high]}): the bounds a cell puts on each difference it decides
    (leaving out the dates in ``free``)."""
    values = {n: v for n, v in cell.values if n not in free}
    names = tuple(n for n in names if n not in free)
    bounds: dict[tuple, list] = {}
    for atom, sign in cell.signs:
        if set(free) & set(dict(atom.terms)):
            continue
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
    # Ranges that meet or overlap (cells that differ in a date left out of the text) read as one range.
    meets = (high is None or other_low is None or other_low <= high + 1) and (other_high is None or low is None or low <= other_high + 1)
    if not meets:
        return None
    joined_low = None if low is None or other_low is None else min(low, other_low)
    joined_high = None if high is None or other_high is None else max(high, other_high)
    return values, names, {**bounds, key: [joined_low, joined_high]}


def _bounds_text(values: dict, names, bounds: dict, quiet: Collection[str] = ()) -> str:
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
    phrases += [f"{n} is given" for n in names if values[n] is not UNKNOWN and n not in described and n not in quiet]
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
