"""What the case-type rules, their overrides and the exclusions decide when some facts or answers are unknown.

The formulas are written once, over any boolean algebra, and every back end states them in its own terms:
the reference evaluator and the compiled function with Python bools (through :class:`CaseTypeTable`), the
columnar engine with numpy arrays, the forms with expression text. Each condition comes in as two
booleans, *certainly true* and *certainly false* (neither: unknown), its Kleene value.

The semantics (docs/language.md, "Overrides" and "Cases not inspected"): a result is decided only where
every way of filling in the unknowns gives it, judged condition by condition, so adding facts or answers
never changes a decided case type or exclusion, it only settles pending ones.

- The rules, tried in order, may give each type whose rule is reached (no earlier rule certainly holds) and
  not certainly false; they may give no type when no rule certainly holds.
- An override may decide where the rules give no type, where they give its ``from`` type, or where they
  give its own type (a no-op); where the rules give another type it is refused.
- The case type is a type exactly when every possible outcome of the rules, with every override that may
  apply there, gives that type. Where an override certainly holds, overrides for other types are taken as
  not holding: both holding is a contradiction, an error in the case data, not a case to route.
- A case is excluded when some ``exclude when`` condition certainly holds, inspected when every one is
  certainly false, and not known otherwise.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, NamedTuple, Sequence, TypeVar

import attrs

from carag_dsl.language import ast

B = TypeVar("B")


@attrs.frozen
class Algebra(Generic[B]):
    """How a back end writes ``and``, ``or`` and ``not`` of its booleans (constants are Python bools)."""

    and_: Callable[[B, B], B]
    or_: Callable[[B, B], B]
    not_: Callable[[B], B]


@attrs.frozen
class Kleene(Generic[B]):
    """A condition's Kleene value as two booleans: certainly true, certainly false (neither: unknown)."""

    true: Any
    false: Any


def _and(alg: Algebra, *terms):
    """``and`` of the terms, constants folded (so form expressions stay as small as the rules)."""
    out: Any = True
    for term in terms:
        if term is False:
            return False
        if term is True:
            continue
        out = term if out is True else alg.and_(out, term)
    return out


def _or(alg: Algebra, *terms):
    out: Any = False
    for term in terms:
        if term is True:
            return True
        if term is False:
            continue
        out = term if out is False else alg.or_(out, term)
    return out


def _not(alg: Algebra, term):
    if term is True or term is False:
        return not term
    return alg.not_(term)


#: The rules' outcome "no rule holds" (a rule set without ``otherwise`` may give no type).
NO_TYPE = None


def _eligible(override: ast.CaseOverride, outcome: str | None) -> bool:
    """Whether an override may decide where the rules give ``outcome`` (static: it depends on the types only)."""
    return outcome is NO_TYPE or outcome == override.replaces or outcome == override.value


@attrs.frozen
class CaseTypeDecision(Generic[B]):
    #: type -> the case type is certainly this type.
    is_type: dict[str, Any]
    #: type -> the rules alone certainly give this type (the result's source is then "derived").
    by_rules: dict[str, Any]
    #: per override: it certainly holds and the rules certainly give a type it may not replace.
    refused: list[Any]
    #: per rule: it is the first rule that certainly holds (the rule a refused override's warning quotes).
    first_holding: list[Any]


def case_type_decision(decl: ast.CaseTypeDecl, alg: Algebra, rules: Sequence[Kleene], overrides: Sequence[Kleene]) -> CaseTypeDecision:
    """The case type as formulas in ``alg``, from the Kleene values of the rules' and the overrides' conditions."""
    # Where an override certainly holds, one for another type cannot also hold in valid case data (the two
    # would contradict each other, an error): it counts as certainly false.
    overrides = [
        Kleene(k.true, _or(alg, k.false, *(other.true for o2, other in zip(decl.overrides, overrides) if o2.value != o.value)))
        for o, k in zip(decl.overrides, overrides)
    ]
    reached: Any = True  # no earlier rule certainly holds
    may_give: dict[str | None, Any] = {}
    first_holding = []
    for rule, value in zip(decl.rules, rules):
        may_give[rule.value] = _or(alg, may_give.get(rule.value, False), _and(alg, reached, _not(alg, value.false)))
        first_holding.append(_and(alg, reached, value.true))
        reached = _and(alg, reached, _not(alg, value.true))
    may_give[NO_TYPE] = reached
    types = list(dict.fromkeys([r.value for r in decl.rules] + [o.value for o in decl.overrides]))
    possible: dict[str | None, Any] = {t: False for t in types}
    possible[NO_TYPE] = False  # the case type stays open: no rule and no override decides
    for outcome, may in may_give.items():
        eligible = [(o, k) for o, k in zip(decl.overrides, overrides) if _eligible(o, outcome)]
        certainly_overridden = _or(alg, *(k.true for _, k in eligible))
        for override, k in eligible:
            possible[override.value] = _or(alg, possible[override.value], _and(alg, may, _not(alg, k.false)))
        possible[outcome] = _or(alg, possible[outcome], _and(alg, may, _not(alg, certainly_overridden)))
    is_type = {
        t: _and(alg, possible[t], *(_not(alg, p) for other, p in possible.items() if other != t))
        for t in types
    }
    by_rules = {
        t: _and(alg, may_give[t], *(_not(alg, m) for other, m in may_give.items() if other != t))
        for t in dict.fromkeys(r.value for r in decl.rules)
    }
    refused = [
        _and(alg, k.true, _or(alg, *(given for t, given in by_rules.items() if not _eligible(o, t))))
        for o, k in zip(decl.overrides, overrides)
    ]
    return CaseTypeDecision(is_type, by_rules, refused, first_holding)


@attrs.frozen
class ExclusionDecision(Generic[B]):
    #: per exclusion: it is the first that certainly holds (its reason is the result's).
    first_holding: list[Any]
    #: no exclusion certainly holds, and some is not certainly false.
    not_known: Any


def exclusion_decision(alg: Algebra, exclusions: Sequence[Kleene]) -> ExclusionDecision:
    """Whether the case is excluded (and by which rule), inspected, or not known, as formulas in ``alg``."""
    none_yet: Any = True
    first = []
    for k in exclusions:
        first.append(_and(alg, none_yet, k.true))
        none_yet = _and(alg, none_yet, _not(alg, k.true))
    return ExclusionDecision(first, _and(alg, none_yet, _or(alg, *(_not(alg, k.false) for k in exclusions))))


# ------------------------------------------------------------------ one case, with Python values


PYTHON = Algebra(lambda a, b: a and b, lambda a, b: a or b, lambda a: not a)


def python_kleene(value: Any) -> Kleene:
    """A run-time value (True, False or UNKNOWN) as a Kleene pair of Python bools."""
    return Kleene(value is True, value is False)


class CaseTypeOutcome(NamedTuple):
    #: the case type, or None while it is not known.
    case_type: str | None
    #: "derived" (the rules alone give it), "answer" (an override decided), or None.
    source: str | None
    #: (override index, index of the rule that decided) of the first refused override, or None.
    refused: tuple[int, int] | None


class CaseTypeTable:
    """The case type for each combination of the conditions' Kleene values, worked out once per combination.

    Keys are tuples of True, False and None (unknown): the rules' conditions (an ``otherwise`` is True), then the
    overrides'. The reference evaluator and the compiled function both look the case type up here.
    """

    def __init__(self, decl: ast.CaseTypeDecl):
        self.decl = decl
        self._known: dict[tuple, CaseTypeOutcome] = {}

    def outcome(self, key: tuple) -> CaseTypeOutcome:
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = self._work_out(key)
        return found

    def _work_out(self, key: tuple) -> CaseTypeOutcome:
        n = len(self.decl.rules)
        kleene: list[Kleene] = [Kleene(v is True, v is False) for v in key]
        decision = case_type_decision(self.decl, PYTHON, kleene[:n], kleene[n:])
        case_type = next((t for t, certain in decision.is_type.items() if certain), None)
        source = None if case_type is None else "derived" if decision.by_rules.get(case_type) else "answer"
        refused = None
        for index, certain in enumerate(decision.refused):
            if certain:
                refused = (index, decision.first_holding.index(True))
                break
        return CaseTypeOutcome(case_type, source, refused)


def table_key(values: Sequence[Any]) -> tuple:
    """Run-time values (True, False, UNKNOWN) as a :class:`CaseTypeTable` key."""
    return tuple(v if v is True or v is False else None for v in values)
