"""The exact comparison: every class of cases, evaluated under both versions.

For each result that can differ (whether a question applies, a judgement's
derived answer, the case type, whether a case is accepted at all) the inputs it
reads in either version are gathered down to facts and answers, each split
into its boundary classes (:mod:`.domains`); every combination of classes is
a case, evaluated by both rule sets. Because each class behaves alike
throughout, the changes found this way are all the changes there are, and the
case of each combination is a witness of its change.

Two things keep the space small. A result whose rules and everything they read
are the same in both versions cannot change and is not enumerated. And an
intermediate result both versions compute alike (a defined condition, the case
type) stands for all its inputs as one input with a few values (true, false,
unknown; core, adjusted, unknown), each realized by one case found in its own
space, as long as no other input of the result reads the same facts.

A space larger than ``max_points`` is not enumerated; the result is then listed
as not analysed, with the reason, rather than guessed.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Sequence

import attrs

from carag_dsl.compiler.symbols import CASE_TYPE
from carag_dsl.errors import CaseDataError
from carag_dsl.language.formatter import format_expr
from carag_dsl.runtime.casedata import read_case
from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.runtime.evaluator import run
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.runtime.results import json_value
from carag_dsl.tools.diff import boundaries, domains
from carag_dsl.tools.diff.domains import Relative, Variable
from carag_dsl.tools.diff.regions import best_point, cover, describe_all
from carag_dsl.tools.diff.versions import Version, walk_nodes

MAX_POINTS = 150_000
CONSTRAINTS = "constraints"  # the pseudo-node of case acceptance: constraints and contradicting overrides
REJECTED = "rejected"


@attrs.frozen
class Change:
    """A region of the case space where one result differs, with a case that shows it.

    ``target``: ``status:ID``, ``value:ID``, ``case_type`` or ``constraints``.
    ``before``/``after``: the result under each version (a status, a derived
    answer or None, a case type or None, "accepted"/"rejected").
    """

    target: str
    before: Any
    after: Any
    case_type: str | None
    condition: str
    witness: dict[str, Any]
    message: str | None = None

    @property
    def question(self) -> str | None:
        return self.target.split(":", 1)[1] if ":" in self.target else None


@attrs.frozen
class Unanalysed:
    target: str
    reason: str


@attrs.frozen
class ExactResult:
    changes: tuple[Change, ...]
    unanalysed: tuple[Unanalysed, ...]
    notes: tuple[str, ...]  # comparisons the boundary classes could not read (the analysis may miss a change there)


# ------------------------------------------------------------------ nodes and the leaves under them


class _Pair:
    """The two versions, with the extra pseudo-node of case acceptance."""

    def __init__(self, old: Version, new: Version):
        self.old, self.new = old, new
        self.both = (old, new)

    def inputs(self, node: str) -> list[str]:
        found: dict[str, None] = {}
        for version in self.both:
            for item in (self._acceptance_inputs(version) if node == CONSTRAINTS else version.inputs(node)):
                found[item] = None
        return list(found)

    def _acceptance_inputs(self, version: Version) -> list[str]:
        found: dict[str, None] = {}
        for constraint in version.symbols.constraints:
            found["fact:" + constraint.field] = None
        if version.symbols.case_type is not None:
            for override in version.symbols.case_type.overrides:
                found.update(dict.fromkeys(_inputs_of(version, override.condition)))
        for constraint in version.symbols.constraints:
            found.update(dict.fromkeys(_inputs_of(version, constraint.expr)))
        # An input whose declared values differ: a value only one version allows is rejected by the other.
        other = self.new if version is self.old else self.old
        for name in version.symbols.facts:
            if other.leaf_type("fact:" + name) is not None and version.signature("fact:" + name) != other.signature("fact:" + name):
                found["fact:" + name] = None
        for question_id in version.symbols.questions:
            leaf = "question:" + version.shared(question_id)
            if other.leaf_type(leaf) is not None and version.signature(leaf) != other.signature(leaf):
                found[leaf] = None
        return list(found)

    def exprs(self, node: str) -> list[tuple[Version, Any]]:
        found = []
        for version in self.both:
            if node == CONSTRAINTS:
                exprs = [c.expr for c in version.symbols.constraints]
                if version.symbols.case_type is not None:
                    exprs += [o.condition for o in version.symbols.case_type.overrides]
                found += [(version, e) for e in exprs]
            else:
                found += [(version, e) for e in version.exprs(node)]
        return found

    def _acceptance_signature(self, version: Version) -> str:
        parts = [f"{c.field} requires {format_expr(version.shared_expr(c.expr))}" for c in version.symbols.constraints]
        if version.symbols.case_type is not None:
            parts += [f"{o.value} when {format_expr(version.shared_expr(o.condition))}" for o in version.symbols.case_type.overrides]
        parts += [version.signature(n) for n in self._acceptance_inputs(version)]
        return "\n".join(parts)

    def unchanged(self, node: str) -> bool:
        """True when both versions compute the node alike (so it cannot differ for any case)."""
        if node == CONSTRAINTS:
            return self._acceptance_signature(self.old) == self._acceptance_signature(self.new)
        return all(v.has(node) for v in self.both) and self.old.signature(node) == self.new.signature(node)

    def leaves_under(self, node: str) -> set[str]:
        return {n for n in walk_nodes(self.both, [node]) if _is_leaf(n)}


def _inputs_of(version: Version, expr) -> list[str]:
    return version.expr_inputs(version.shared_expr(expr))


def _is_leaf(node: str) -> bool:
    return node.startswith(("fact:", "question:"))


# ------------------------------------------------------------------ the space of one result


@attrs.frozen
class Space:
    variables: tuple[Variable, ...]
    region: tuple[str, ...]  # the nodes whose rules were read (their comparisons give the classes)

    @property
    def size(self) -> int:
        total = 1
        for variable in self.variables:
            total *= len(_enumerable(variable))
        return total


def _enumerable(variable: Variable) -> list[int]:
    if variable.kind != "node":
        return list(range(variable.size))
    return [i for i in range(variable.size) if variable.realizations[i] is not None]


class _Planner:
    def __init__(self, pair: _Pair, max_points: int):
        self.pair = pair
        self.max_points = max_points
        self._node_variables: dict[str, Variable | None] = {}
        self.notes: list[str] = []

    def space(self, targets: list[str]) -> Space:
        blocked: set[str] = set()
        while True:
            leaves, cuts, region = self._split(targets, blocked)
            conflicts = self._conflicts(leaves, cuts)
            if not conflicts:
                break
            blocked |= conflicts
        found = boundaries.collect(e for node in region for e in self.pair.exprs(node))
        for text in found.unread:
            note = f"the comparison '{text}' is not of a form whose boundaries can be read; a change it makes may be missed"
            if note not in self.notes:
                self.notes.append(note)
        variables = [self._leaf_variable(leaf, found, leaves) for leaf in leaves]
        variables += [v for c in cuts if (v := self._node_variables[c]) is not None]
        return Space(tuple(variables), tuple(region))

    def _split(self, targets: list[str], blocked: set[str]) -> tuple[list[str], list[str], list[str]]:
        leaves: list[str] = []
        cuts: list[str] = []
        region: list[str] = []
        seen: set[str] = set()
        pending = list(targets)
        while pending:
            node = pending.pop(0)
            if node in seen:
                continue
            seen.add(node)
            if _is_leaf(node):
                leaves.append(node)
            elif node not in targets and node not in blocked and self._cut(node) is not None:
                cuts.append(node)
            else:
                region.append(node)
                pending.extend(self.pair.inputs(node))
        return _leaf_order(self.pair, leaves), cuts, region

    def _conflicts(self, leaves: list[str], cuts: list[str]) -> set[str]:
        under = {c: self.pair.leaves_under(c) for c in cuts}
        conflicts = set()
        for cut in cuts:
            others = set(leaves).union(*(under[c] for c in cuts if c != cut))
            if under[cut] & others:
                conflicts.add(cut)
        return conflicts

    def _cut(self, node: str) -> Variable | None:
        """The node as one input, when both versions compute it alike and it has few values; else None."""
        if node not in self._node_variables:
            self._node_variables[node] = None  # while it is being built (and for good, if it cannot be)
            self._node_variables[node] = self._build_cut(node)
        return self._node_variables[node]

    def _build_cut(self, node: str) -> Variable | None:
        old, new = self.pair.old, self.pair.new
        if not self.pair.unchanged(node):
            return None
        if node == CASE_TYPE:
            values: list[Any] = list(new.symbols.case_types())
            label = "the case type"
            words = ["the case type is not yet known"] + [f"the case is {v}" for v in values]
            read: Callable[[Any], Any] = lambda scope: scope.case_type  # noqa: E731
        elif old.is_condition(node) and new.is_condition(node):
            name = node[7:]
            doc = new.symbols.defines[name].doc
            label = f"'{name}'"
            values = [True, False]
            words = [f"whether {doc or label} is not yet known", doc or f"{label} holds", f"not ({doc})" if doc else f"{label} does not hold"]
            read = lambda scope, name=name: scope.name(name)  # type: ignore[misc]  # noqa: E731
        else:
            return None
        space = self.space([node])
        if space.size > self.max_points:
            return None
        realizations: list[dict | None] = [None] * (len(values) + 1)
        for point in _points(space):
            case = _case_for(space.variables, point)
            try:
                scope = run(new.rules, read_case(new.rules, _own_case(new, case)))[0]
            except CaseDataError:
                continue
            value = read(scope)
            index = 0 if value is UNKNOWN else values.index(value) + 1
            if realizations[index] is None:
                realizations[index] = case
                if all(r is not None for r in realizations):
                    break
        return domains.node_variable(node, label, values, words, realizations)

    def _leaf_variable(self, leaf: str, found: boundaries.Boundaries, leaves: list[str]) -> Variable:
        types = [t for v in self.pair.both if (t := v.leaf_type(leaf)) is not None]
        kind = types[-1].kind
        if kind in ("one", "scale", "yes_no", "yes_no_not_a_factor"):
            return domains.option_variable(leaf, types)
        if kind == "bool":
            return domains.bool_variable(leaf)
        if kind == "any":
            return domains.set_variable(leaf, types, found.codes_tested.get(leaf, ()))
        if kind == "text":
            return domains.text_variable(leaf, sorted(found.texts.get(leaf, ())))
        if kind == "int":
            return domains.int_variable(leaf, found.ints.get(leaf, ()))
        # A date: relative to the first earlier date it is compared with.
        reference = next((other for other in leaves[: leaves.index(leaf)] if (leaf, other) in found.relations), None)
        offsets = found.relations.get((leaf, reference), set()) if reference else set()
        return domains.date_variable(leaf, found.dates.get(leaf, ()), reference.split(":", 1)[1] if reference else None, offsets)


def _leaf_order(pair: _Pair, leaves: list[str]) -> list[str]:
    """Facts in declaration order, then answers in document order: earlier dates are the references of later ones."""
    order: dict[str, int] = {}
    for version in (pair.new, pair.old):
        for name in version.symbols.facts:
            order.setdefault("fact:" + name, len(order))
        for question_id in version.symbols.questions:
            order.setdefault("question:" + version.shared(question_id), len(order))
    return sorted(leaves, key=lambda leaf: order.get(leaf, len(order)))


def _points(space: Space) -> Iterable[tuple[int, ...]]:
    return itertools.product(*(_enumerable(v) for v in space.variables))


# ------------------------------------------------------------------ cases


def _case_for(variables: Sequence[Variable], point: tuple[int, ...]) -> dict[str, Any]:
    """The case of a point, in shared ids: JSON-shaped facts and answers."""
    case: dict[str, Any] = {"id": "witness", "facts": {}, "answers": {}}
    dates: dict[str, Any] = {}
    relative: list[tuple[str, Relative]] = []
    for variable, index in zip(variables, point):
        if variable.kind == "node":
            realization = variable.realizations[index]
            assert realization is not None, "only realizable values are enumerated"
            case["facts"].update(realization["facts"])
            case["answers"].update(realization["answers"])
            continue
        value = variable.values[index]
        if value is None:
            continue
        kind, _, name = variable.key.partition(":")
        section = "facts" if kind == "fact" else "answers"
        if isinstance(value, Relative):
            relative.append((name, value))
            continue
        if variable.kind == "date":
            dates[name] = value
        case[section][name] = json_value(value, tuple(sorted(value)) if isinstance(value, frozenset) else ())
    for name, value in relative:
        base = dates.get(value.reference, domains.ANCHOR)
        day = domains.shifted(base, value.days)
        dates[name] = day
        case["facts"][name] = day.isoformat()
    return case


def _own_case(version: Version, case: dict[str, Any]) -> dict[str, Any]:
    """A shared-id case as this version reads it: its own question ids, and nothing it does not declare."""
    facts = {k: v for k, v in case["facts"].items() if k in version.symbols.facts}
    answers = {}
    for shared_id, value in case["answers"].items():
        own = version.own(shared_id)
        if own is not None:
            answers[own] = value
    return {"id": case.get("id"), "facts": facts, "answers": answers}


@attrs.frozen
class _Outcome:
    evaluation: Any  # an Evaluation, or None when the case is rejected
    message: str | None = None


def _evaluate(version: Version, case: dict[str, Any]) -> _Outcome:
    try:
        return _Outcome(evaluate_case(version.rules, _own_case(version, case)))
    except CaseDataError as error:
        return _Outcome(None, "; ".join(p.message for p in error.problems))


def result_of(version: Version, target: str, outcome: _Outcome) -> Any:
    """What a version says about one target for one case (REJECTED when it rejects the case)."""
    if target == CONSTRAINTS:
        return "accepted" if outcome.evaluation is not None else REJECTED
    if outcome.evaluation is None:
        return REJECTED
    if target == CASE_TYPE:
        return outcome.evaluation.case_type
    kind, _, shared_id = target.partition(":")
    result = outcome.evaluation.questions[version.own(shared_id)]
    if kind == "status":
        return result.status
    return json_value(result.value) if result.source == "derived" else None


# ------------------------------------------------------------------ the comparison


def targets_of(pair: _Pair) -> list[str]:
    """Every result that may differ: each paired question's status and derived answer, the case type, acceptance."""
    found = []
    for shared_id in pair.new.symbols.questions:
        if pair.old.question(shared_id) is None:
            continue
        found.append("status:" + shared_id)
        if pair.old.has("value:" + shared_id) or pair.new.has("value:" + shared_id):
            found.append("value:" + shared_id)
    if pair.old.symbols.case_type is not None or pair.new.symbols.case_type is not None:
        found.append(CASE_TYPE)
    found.append(CONSTRAINTS)
    return found


def compare(old: Version, new: Version, max_points: int = MAX_POINTS, progress: Callable[[str], None] | None = None) -> ExactResult:
    pair = _Pair(old, new)
    planner = _Planner(pair, max_points)
    groups: dict[tuple[str, ...], tuple[Space, list[str]]] = {}
    unanalysed: list[Unanalysed] = []
    for target in targets_of(pair):
        if pair.unchanged(target):
            continue
        space = planner.space([target])
        if space.size > max_points:
            unanalysed.append(Unanalysed(target, f"its {space.size:,} classes of cases are more than the {max_points:,} the exact analysis enumerates"))
            continue
        key = tuple(v.key for v in space.variables)
        groups.setdefault(key, (space, []))[1].append(target)
    changes: list[Change] = []
    for space, targets in groups.values():
        if progress:
            progress(f"{len(targets)} result(s) over {space.size:,} classes of cases")
        changes += _compare_space(pair, space, targets)
    order = {t: i for i, t in enumerate(targets_of(pair))}
    changes.sort(key=lambda c: order.get(c.target, len(order)))
    return ExactResult(tuple(changes), tuple(unanalysed), tuple(planner.notes))


def _compare_space(pair: _Pair, space: Space, targets: list[str]) -> list[Change]:
    points = list(_points(space))
    cases = [_case_for(space.variables, p) for p in points]
    outcomes = [(_evaluate(pair.old, c), _evaluate(pair.new, c)) for c in cases]
    changes: list[Change] = []
    for target in targets:
        regions: dict[tuple, list[int]] = {}
        off: list[int] = []
        for index, (before_outcome, after_outcome) in enumerate(outcomes):
            before = result_of(pair.old, target, before_outcome)
            after = result_of(pair.new, target, after_outcome)
            if target != CONSTRAINTS and REJECTED in (before, after):
                continue  # a case one version rejects has no routing there: it is reported under acceptance
            if before == after:
                off.append(index)
                continue
            case_type = None
            if target not in (CASE_TYPE, CONSTRAINTS):
                case_type = after_outcome.evaluation.case_type
            message = (after_outcome.message or before_outcome.message) if target == CONSTRAINTS else None
            regions.setdefault((_key(before), _key(after), case_type, message), []).append(index)
        for (before, after, case_type, message), on in regions.items():
            others = off + [i for key, indices in regions.items() if key != (before, after, case_type, message) for i in indices]
            cubes = cover(space.variables, points, on, others)
            witness = cases[best_point(points, on, cubes[0])]
            changes.append(Change(target, _value(before), _value(after), case_type, describe_all(space.variables, cubes), witness, message))
    return changes


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
