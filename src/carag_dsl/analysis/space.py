"""The exact, finite case space of one or more rule sets, and regions of it.

``CaseSpace(rules)`` (or ``CaseSpace(old, new)`` to compare two rule sets over
the same cases) splits every possible case into finitely many classes (see
:mod:`.variables`) and encodes them as bits of a BDD. Questions put to the space
come back as :class:`Region` s: sets of cases, closed under ``&``, ``|``, ``~``
and ``-``, always within the cases every rule set accepts (constraints and
contradicting overrides are assumptions, so a case one rule set rejects is never
a witness). ``space.witness(region)`` is a concrete case dict in the input shape
of ``carag eval``; ``space.describe(region)`` says what the region is in plain
English.
"""

from __future__ import annotations

import atexit
import weakref
from typing import Any, Iterable

from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE, PENDING
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.language import ast
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.analysis import describe as describing
from carag_dsl.analysis.budget import UNTIMED, Budget, Meter
from carag_dsl.analysis.numeric import Span
from carag_dsl.analysis.symbolic import SymbolicRules
from carag_dsl.analysis.variables import OTHER_TEXTS, Variable, build_variables, json_value

try:  # CUDD when the wheel has it (fast); the pure-Python BDDs of the same package otherwise
    from dd.cudd import BDD  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - depends on the platform's dd wheel
    from dd.autoref import BDD  # type: ignore[import-not-found,unused-ignore,no-redef]

STATUSES = (APPLIES, NOT_APPLICABLE, PENDING)

#: The spaces alive, emptied at exit (see :func:`_release_at_exit`).
_LIVE: "weakref.WeakSet[CaseSpace]" = weakref.WeakSet()


@atexit.register
def _release_at_exit() -> None:
    """Empty every space still alive, its nodes before its manager.

    A space and its SymbolicRules refer to each other, so they are freed by the interpreter's last collection,
    which clears objects in no set order: CUDD's manager could go before nodes still held, and dd then prints
    "Still N nodes referenced upon shutdown" as the command exits. Emptied here, the nodes are freed by their
    reference counts while the manager lives.
    """
    for space in list(_LIVE):
        space.release()


class Region:
    """A set of cases of a :class:`CaseSpace` (within the cases every rule set accepts)."""

    __slots__ = ("space", "node", "within")

    def __init__(self, space: "CaseSpace", node, within=None):
        self.space = space
        self.within = space._universe if within is None else within  # the cases this region is taken from
        self.node = node & self.within
        space.meter.tick()

    def __and__(self, other: "Region") -> "Region":
        return Region(self.space, self.node & other.node, self.within)

    def __or__(self, other: "Region") -> "Region":
        return Region(self.space, self.node | other.node, self.within)

    def __sub__(self, other: "Region") -> "Region":
        return Region(self.space, self.node & ~other.node, self.within)

    def __invert__(self) -> "Region":
        return Region(self.space, ~self.node, self.within)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Region) and other.space is self.space and other.node == self.node

    def __hash__(self) -> int:
        return hash(self.node)

    @property
    def is_empty(self) -> bool:
        return self.node == self.space.bdd.false

    def __bool__(self) -> bool:
        return not self.is_empty

    def __repr__(self) -> str:
        return f"Region({self.space.describe(self)})"


class CaseSpace:
    """The case space of ``rules`` (several rule sets share one space, with variables matched by name).

    Queries take the rule set to ask (the first one by default):

    - ``status(question_id)``: ``{"applies": Region, "not_applicable": ..., "pending": ...}``;
    - ``truth(expr)``: ``{True: Region, False: ..., UNKNOWN: ...}`` for any expression of the rule set;
    - ``case_type()``: case-type value (or ``UNKNOWN``) -> Region;
    - ``derives(question_id)``: derive rule -> Region where it gives the question its value;
    - ``answer(question_id)``: value (given or derived, or ``UNKNOWN``) -> Region;
    - ``everything`` and ``nothing``: the whole space and the empty region;
    - ``accepted(rules)``: the cases that rule set accepts, over all well-formed cases (for
      comparing rule sets whose constraints differ; every other region is within all of them).

    ``inspected_only=True`` leaves out, besides, the cases a rule set does not inspect (``exclude
    when``), or may not: they get no routing, so nothing said about their routing matters (``carag lint``).
    ``excluded()`` is then empty; ``carag diff``, which reports exclusions, keeps them.

    The work is held to ``budget`` (:mod:`.budget`): building the space and every query raise
    :class:`~carag_dsl.analysis.budget.BudgetExceeded` past it. Time and memory are counted from the
    space's creation (``space.meter``), so one budget covers the whole of a lint or diff run; by default
    (``UNTIMED``) only the sizes are held, for a space that lives as long as its caller wants.
    """

    def __init__(self, *rules_list: CheckedRules, inspected_only: bool = False, budget: Budget = UNTIMED):
        if not rules_list:
            raise ValueError("CaseSpace needs at least one rule set")
        self.rules_list = list(rules_list)
        self.meter = Meter(budget)
        self.variables, self._by_key, self._component_of, self.atoms = build_variables(self.rules_list, budget, self.meter.tick)
        self.bdd = BDD()
        self.meter.bdd = self.bdd
        for variable in self.variables:
            self.bdd.declare(*variable.bits)
        self._class_bdds = [[self._encode(v, i) for i in range(len(v.classes))] for v in self.variables]
        self._universe = self.bdd.true
        domain = self.bdd.true
        for classes in self._class_bdds:
            any_class = self.bdd.false
            for bdd in classes:
                any_class |= bdd
            domain &= any_class
            self.meter.tick(len(classes))
        self._universe = domain
        self._domain = domain  # every well-formed case, accepted or not
        self._symbolic = {id(r): SymbolicRules(self, r) for r in self.rules_list}
        self._accepted = {id(r): self._symbolic[id(r)].accepted() & domain for r in self.rules_list}
        universe = domain
        for node in self._accepted.values():
            universe &= node
        if inspected_only:
            for symbolic in self._symbolic.values():
                universe &= ~symbolic.excluded() & ~symbolic.not_known_whether_inspected()
        self._universe = universe
        _LIVE.add(self)

    def release(self) -> None:
        """Drop every node this space holds, the manager last (the space cannot be queried after)."""
        manager = self.bdd
        for symbolic in self._symbolic.values():
            symbolic.__dict__.clear()
        self.__dict__.clear()
        del manager

    # -- encoding
    def _encode(self, variable: Variable, index: int):
        node = self.bdd.true
        for bit, name in enumerate(variable.bits):
            literal = self.bdd.var(name)
            node &= literal if index >> bit & 1 else ~literal
        return node

    def _symbolic_for(self, rules: CheckedRules | None) -> SymbolicRules:
        return self._symbolic[id(rules if rules is not None else self.rules_list[0])]

    def _valuation_of(self, variable: Variable, value_of) -> dict:
        result: dict = {}
        self.meter.tick(len(variable.classes))
        for index, cls in enumerate(variable.classes):
            value = value_of(cls)
            bdd = self._class_bdds[variable.index][index]
            result[value] = result[value] | bdd if value in result else bdd
        return result

    def fact_valuation(self, name: str) -> dict:
        component = self._component_of.get(name)
        if component is not None:
            return self._valuation_of(component, lambda cell: cell.value_of(name))
        return self._valuation_of(self._by_key["fact", name], lambda value: value)

    def fact_given(self, name: str):
        valuation = self.fact_valuation(name)
        return ~valuation.get(UNKNOWN, self.bdd.false)

    def answer_valuation(self, question_id: str, rules: CheckedRules) -> dict:
        variable = self._by_key.get(("answer", question_id))
        if variable is None:
            return {UNKNOWN: self.bdd.true}
        return self._valuation_of(variable, lambda value: value)

    def allowed_by(self, rules: CheckedRules):
        """Where every fact and answer holds a value ``rules`` declares (the rule sets compared may differ)."""
        from carag_dsl.compiler import types as T

        allowed = self.bdd.true
        for variable in self.variables:
            kind, name = variable.key[0], variable.key[1]
            if kind == "numbers":
                continue
            fact, question = rules.symbols.facts.get(name), rules.symbols.questions.get(name)
            type_expr = (fact.type if fact is not None else None) if kind == "fact" else (question.answer if question is not None else None)
            codes = set(T.option_codes(type_expr)) if type_expr is not None else set()
            for index, value in enumerate(variable.classes):
                if value is UNKNOWN:
                    continue
                fits = type_expr is not None and (
                    (isinstance(value, str) and (type_expr.kind == "text" or value in codes))
                    or (isinstance(value, bool) and type_expr.kind == "bool")
                    or (isinstance(value, frozenset) and type_expr.kind == "any" and value <= codes)
                    or (isinstance(value, (int, Span)) and not isinstance(value, bool) and type_expr.kind == "int")
                )
                if not fits:
                    allowed &= ~self._class_bdds[variable.index][index]
        return allowed

    # -- queries
    @property
    def everything(self) -> Region:
        return Region(self, self.bdd.true)

    @property
    def nothing(self) -> Region:
        return Region(self, self.bdd.false)

    def accepted(self, rules: CheckedRules) -> Region:
        return Region(self, self._accepted[id(rules)], self._domain)

    def accepted_only_by(self, accepting: CheckedRules, rejecting: CheckedRules) -> Region:
        """The well-formed cases ``accepting`` accepts and ``rejecting`` rejects (what a change of constraints does).

        It lies outside the cases all rule sets accept, so it is taken from all well-formed cases.
        """
        return Region(self, self._accepted[id(accepting)] & ~self._accepted[id(rejecting)], self._domain)

    def status(self, question_id: str, rules: CheckedRules | None = None, assume: bool = True) -> dict[str, Region]:
        """``assume=False``: over every well-formed case, also those a constraint or contradicting overrides reject."""
        symbolic = self._symbolic_for(rules)
        within = None if assume else self._domain
        return {status: Region(self, node, within) for status, node in symbolic.status(question_id).items()}

    def reported_status(self, question_id: str, rules: CheckedRules | None = None) -> dict[str, Region]:
        """The status a result reports: as :meth:`status` (the routing), not applicable where the case is excluded,
        pending where it is not known whether it is inspected."""
        return {status: Region(self, node) for status, node in self._symbolic_for(rules).reported_status(question_id).items()}

    def given(self, field: str, on_answer: bool = False) -> Region:
        """The cases that give a fact (or, ``on_answer``, answer a question)."""
        if on_answer:
            valuation = self.answer_valuation(field, self.rules_list[0])
            return Region(self, ~valuation.get(UNKNOWN, self.bdd.false))
        return Region(self, self.fact_given(field))

    def truth(self, expr: ast.Expr | None, rules: CheckedRules | None = None, values: bool = False) -> dict[Any, Region]:
        """``{True: Region, False: ..., UNKNOWN: ...}``; ``values=True``: every value the expression can take -> Region."""
        symbolic = self._symbolic_for(rules)
        if values:
            return {value: Region(self, node) for value, node in symbolic.valuation(expr).items()} if expr is not None else {True: self.everything}
        return {value: Region(self, symbolic.truth(expr, value)) for value in (True, False, UNKNOWN)}

    def case_type(self, rules: CheckedRules | None = None, assume: bool = True) -> dict[Any, Region]:
        within = None if assume else self._domain
        return {value: Region(self, node, within) for value, node in self._symbolic_for(rules).case_type().items()}

    def reported_case_type(self, rules: CheckedRules | None = None) -> dict[Any, Region]:
        """The case type a result reports: as :meth:`case_type`, and unknown (null) where the case is excluded or may be."""
        return {value: Region(self, node) for value, node in self._symbolic_for(rules).reported_case_type().items()}

    def excluded(self, rules: CheckedRules | None = None) -> Region:
        """Where the case is not inspected ('exclude when'): no routing, every question not applicable."""
        return Region(self, self._symbolic_for(rules).excluded())

    def not_known_whether_inspected(self, rules: CheckedRules | None = None) -> Region:
        """Where no 'exclude when' rule certainly holds and some may: no routing, every question pending."""
        return Region(self, self._symbolic_for(rules).not_known_whether_inspected())

    def answer(self, question_id: str, rules: CheckedRules | None = None) -> dict[Any, Region]:
        return {value: Region(self, node) for value, node in self._symbolic_for(rules).answer(question_id).items()}

    def derives(self, question_id: str, rules: CheckedRules | None = None) -> list[tuple[ast.Derive, Region]]:
        """Each derive rule of a question with the region where it is the one that gives the value."""
        symbolic = self._symbolic_for(rules)
        question = symbolic.rules.symbols.questions[question_id]
        remaining = symbolic.status(question_id)[APPLIES]
        result = []
        for rule in question.derive:
            holds = symbolic.truth(rule.condition, True)
            result.append((rule, Region(self, remaining & holds)))
            remaining &= ~holds
        return result

    def settled(self, outcome: Any, rules: CheckedRules | None = None) -> Region:
        """The cases (of this space) every way of filling in whose facts and answers not given lands in
        ``outcome`` (a BDD node or Region taken over every case), with at least one such way. The ways counted
        are those with values of the declared types whose override answers do not contradict each other: what
        three-valued logic reads (constraints and derived values, which it does not read, rule none out, so a
        finding can always be mended by rewriting the rule). Classes stand for their members: a class of dates is
        filled in with every class of dates it can grow into, so the region holds no case for which some
        filling-in would leave ``outcome``."""
        accepted = self._symbolic_for(rules).routable() & self._domain
        node = outcome.node if isinstance(outcome, Region) else outcome
        every = self._filled_in(~accepted | node, every=True)
        some = self._filled_in(accepted, every=False)
        return Region(self, every & some)

    def _filled_in(self, node, every: bool):
        """For each case: whether ``node`` holds for every (or some) way of giving all it does not give."""
        for variable in self.variables:
            classes = self._class_bdds[variable.index]
            bits = list(variable.bits)
            at = [self.bdd.exist(bits, node & cls) for cls in classes]  # node with the variable set to each class
            result = self.bdd.false
            for index, targets in enumerate(_growths(variable)):
                self.meter.tick(len(targets))  # a missing date or number grows into every full cell of its component
                if not targets:
                    continue
                combined = at[targets[0]]
                for target in targets[1:]:
                    combined = combined & at[target] if every else combined | at[target]
                result |= classes[index] & combined
            node = result
        return node

    def region_of(self, case: dict) -> Region:
        """The class of one concrete case (a case dict as ``carag eval`` reads it); empty if some rule set rejects it."""
        from carag_dsl.runtime.casedata import read_case

        data = read_case(self.rules_list[0], case)
        node = self.bdd.true
        for variable in self.variables:
            kind = variable.key[0]
            if kind == "numbers":
                index = _cell_index(variable, {n: data.facts.get(n, UNKNOWN) for n in variable.key[1]})
            else:
                given = (data.facts if kind == "fact" else data.answers).get(variable.key[1], UNKNOWN)
                index = _class_index(variable, given)
            node &= self._class_bdds[variable.index][index]
        return Region(self, node)

    # -- witnesses and descriptions
    def _assignment(self, region: Region, prefer_given: frozenset = frozenset(), ordinary: bool = False) -> dict[int, int] | None:
        """A class per variable for one case of the region: "not given" wherever it can, except for the
        facts and answers named in ``prefer_given``, which are given wherever they can be."""
        node = region.node
        if node == self.bdd.false:
            return None
        support = self.bdd.support(node)
        choice: dict[int, int] = {}
        # A component of dates and numbers first: left unknown it saves giving several facts (a start and a
        # termination date), where one yes/no fact (terminated = false) may settle the same thing.
        for variable in sorted(self.variables, key=lambda v: v.key[0] != "numbers"):
            if not support.intersection(variable.bits):
                choice[variable.index] = 0
                continue
            for index in self._preference(variable, prefer_given, ordinary):
                narrowed = node & self._class_bdds[variable.index][index]
                if narrowed != self.bdd.false:
                    node = narrowed
                    choice[variable.index] = index
                    break
        return choice

    @staticmethod
    def _preference(variable: Variable, prefer_given: frozenset, ordinary: bool = False) -> list[int]:
        """The classes in the order a witness takes them; ``ordinary``: a yes/no fact false first (most cases
        are not MAPPA, not terminated, have no court report), so the witness reads like a usual case."""
        indexes = list(range(len(variable.classes)))  # class 0, "not given", first
        if variable.key[0] == "numbers":
            # the cells that give fewest dates and numbers first (stable: among equals, the usual order)
            indexes.sort(key=lambda i: sum(1 for _, v in variable.classes[i].values if v is not UNKNOWN))
            wanted = set(variable.key[1]) & prefer_given
            if wanted:
                indexes.sort(key=lambda i: -sum(1 for n, v in variable.classes[i].values if n in wanted and v is not UNKNOWN))
        elif variable.key[1] in prefer_given:
            indexes = indexes[1:] + indexes[:1]
        if ordinary and variable.key[0] == "fact" and any(c is False for c in variable.classes):
            indexes.sort(key=lambda i: variable.classes[i] is not False)  # stable: the rest keep their order
        return indexes

    def witness(self, region: Region, case_id: str = "witness", prefer_given: Iterable[str] = (), ordinary: bool = False) -> dict | None:
        """A case of the region in the input shape of ``carag eval`` (None when the region is empty).

        It gives as little as it can: only what the region needs, and what ``prefer_given``
        names (facts by name, answers by question id) wherever the region allows; ``ordinary``
        takes yes/no facts false where the region allows (see :meth:`_preference`).
        """
        choice = self._assignment(region, frozenset(prefer_given), ordinary)
        if choice is None:
            return None
        facts: dict[str, Any] = {}
        answers: dict[str, Any] = {}
        for variable in self.variables:
            cls = variable.classes[choice[variable.index]]
            kind = variable.key[0]
            if kind == "numbers":
                for name, value in cls.values:
                    if value is not UNKNOWN:
                        facts[name] = json_value(value)
            elif cls is not UNKNOWN:
                (facts if kind == "fact" else answers)[variable.key[1]] = json_value(cls)
        ordered = [n for r in self.rules_list for n in r.symbols.facts]
        facts = {n: facts[n] for n in dict.fromkeys(ordered) if n in facts}
        return {"id": case_id, "facts": facts, "answers": answers}

    def description(self, region: Region, within: Region | None = None) -> "describing.Description":
        """The region as kinds of case for people, fully known cases first (:class:`describe.Description`)."""
        return describing.describe_region(self, region, within)

    def record_facts(self) -> list[str]:
        """The facts a case record always carries (all but those a constraint makes depend on another fact)."""
        optional = describing.optional_facts(self.rules_list)
        return [n for r in self.rules_list for n in r.symbols.facts if n not in optional]

    def describe(self, region: Region, limit: int = 4, within: Region | None = None) -> str:
        """The region in plain English (up to ``limit`` alternatives, then how many more).

        ``within``: what the description may take for granted (see :func:`describe.describe`).
        """
        return describing.describe(self, region, limit, within)



def _growths(variable: Variable) -> list[tuple[int, ...]]:
    """Per class of a variable, the classes with everything given it can grow into when more is given: for a
    fact or an answer, every value when it is missing, else itself; for a component of dates and numbers,
    every cell with all of them given that keeps the comparisons already decided."""
    if variable.key[0] != "numbers":
        given = tuple(range(1, len(variable.classes)))
        return [given] + [(index,) for index in given]
    cells = variable.classes
    full = [j for j, cell in enumerate(cells) if all(value is not UNKNOWN for _, value in cell.values)]
    if not full:
        return [() for _ in cells]
    # A full cell keeps a cell's comparisons when its signs of the atoms over the cell's given values are the
    # cell's signs (both in the component's order of atoms): full cells grouped once per set of given values,
    # by those signs, not compared with every cell (thousands of cells of a chain of numbers: seconds each).
    atoms = [atom for atom, _ in cells[full[0]].signs]
    by_known: dict[frozenset, dict[tuple, tuple[int, ...]]] = {}
    growths = []
    for cell in cells:
        known = frozenset(name for name, value in cell.values if value is not UNKNOWN)
        extensions = by_known.get(known)
        if extensions is None:
            positions = [i for i, atom in enumerate(atoms) if known.issuperset(atom.variables)]
            grouped: dict[tuple, list[int]] = {}
            for j in full:
                grouped.setdefault(tuple(cells[j].signs[i][1] for i in positions), []).append(j)
            extensions = by_known[known] = {key: tuple(found) for key, found in grouped.items()}
        growths.append(extensions.get(tuple(sign for _, sign in cell.signs), ()))
    return growths


def _class_index(variable: Variable, value: Any) -> int:
    """The class a concrete fact or answer value falls in."""
    if value is UNKNOWN:
        return 0
    if isinstance(value, frozenset):
        named = variable.named
        for i, cls in enumerate(variable.classes):
            if isinstance(cls, frozenset) and cls & named == value & named and bool(cls - named) == bool(value - named):
                return i
    for i, cls in enumerate(variable.classes):
        if cls is not UNKNOWN and type(cls) is type(value) and cls == value:
            return i
        if isinstance(cls, Span) and type(value) is int and (cls.low is None or cls.low <= value) and (cls.high is None or value <= cls.high):
            return i
    if isinstance(value, str):  # a text the rules never name behaves like every other such text
        return variable.classes.index(OTHER_TEXTS[0])
    raise ValueError(f"no class of {variable.key} holds {value!r}")


def _cell_index(variable: Variable, values: dict) -> int:
    """The cell of a component that concrete dates and numbers fall in."""
    ordinal = {n: (v.toordinal() if hasattr(v, "toordinal") else v) for n, v in values.items() if v is not UNKNOWN}
    for i, cell in enumerate(variable.classes):
        if any((v is UNKNOWN) != (n not in ordinal) for n, v in cell.values):
            continue
        if all((atom.value(ordinal) > 0) - (atom.value(ordinal) < 0) == sign for atom, sign in cell.signs):
            return i
    raise ValueError(f"no cell of {variable.key} holds {values!r}")
