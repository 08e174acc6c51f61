"""The reference evaluator's semantics, lifted from one case to every case at once.

Where :mod:`carag_dsl.runtime.evaluator` computes one value for one case, this
computes, for every expression, a *valuation*: a map from each value the
expression can take (``UNKNOWN`` included) to the BDD of the classes of cases
where it takes it. The BDDs of one valuation are disjoint and cover the space.
Each operation applies the evaluator's own rule to every pair of values, so the
two agree by construction (and ``tests/test_analysis_exact.py`` checks it
against brute force).
"""

from __future__ import annotations

import datetime
import operator
from typing import Any, Callable

from carag_dsl.analysis.numeric import Span, span_arith, span_compare
from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE, PENDING
from carag_dsl.compiler.routing import Algebra, Kleene, case_type_decision, exclusion_decision
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.compiler.symbols import CASE_TYPE
from carag_dsl.language import ast
from carag_dsl.runtime.logic import UNKNOWN, k_and, k_not, k_or

Valuation = dict  # value -> BDD node

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}


class SymbolicRules:
    """One rule set evaluated over the case space ``space`` (a :class:`carag_dsl.analysis.CaseSpace`)."""

    def __init__(self, space, rules: CheckedRules):
        self.space = space
        self.rules = rules
        self.bdd = space.bdd
        self.tick = space.meter.tick
        self._memo: dict[int, tuple[ast.Expr, Valuation]] = {}
        self._defines: dict[str, Valuation] = {}
        self._statuses: dict[str, Valuation] = {}
        self._derived: dict[str, Valuation] = {}
        self._case_type: Valuation | None = None
        self._contradiction = None

    # -- valuations of building blocks
    def constant(self, value: Any) -> Valuation:
        return {value: self.bdd.true}

    def _combine(self, pairs, function) -> Valuation:
        result: Valuation = {}
        false = self.bdd.false
        tick = self.tick
        for (a, bdd_a), (b, bdd_b) in pairs:
            tick()
            both = bdd_a & bdd_b
            if both == false:
                continue
            value = function(a, b)
            result[value] = result[value] | both if value in result else both
        return result

    def apply2(self, left: Valuation, right: Valuation, function) -> Valuation:
        return self._combine(((a, b) for a in left.items() for b in right.items()), function)

    def apply1(self, operand: Valuation, function) -> Valuation:
        result: Valuation = {}
        self.tick(len(operand))
        for value, bdd in operand.items():
            out = function(value)
            result[out] = result[out] | bdd if out in result else bdd
        return result

    def truth(self, expr: ast.Expr | None, value: Any = True):
        """The BDD where ``expr`` evaluates to ``value`` (True, False or UNKNOWN)."""
        if expr is None:
            return self.bdd.true if value is True else self.bdd.false
        return self.valuation(expr).get(value, self.bdd.false)

    # -- expressions
    def valuation(self, expr: ast.Expr) -> Valuation:
        key = id(expr)
        hit = self._memo.get(key)
        if hit is not None:
            return hit[1]
        result = self._evaluate(expr)
        self._memo[key] = (expr, result)
        return result

    def _evaluate(self, node: ast.Expr) -> Valuation:
        if isinstance(node, ast.Name):
            return self.name(node.name)
        if isinstance(node, ast.AnswerRef):
            return self.answer(node.question_id)
        if isinstance(node, (ast.IntLit, ast.DateLit, ast.TextLit, ast.BoolLit)):
            return self.constant(node.value)
        if isinstance(node, ast.DurationLit):
            return self.constant(datetime.timedelta(days=node.amount * _UNIT_DAYS[node.unit]))
        if isinstance(node, ast.SetLit):
            return self.constant(frozenset(node.members))
        if isinstance(node, ast.Not):
            return self.apply1(self.valuation(node.operand), k_not)
        if isinstance(node, ast.BoolOp):
            return self.apply2(self.valuation(node.left), self.valuation(node.right), k_and if node.op == "and" else k_or)
        if isinstance(node, ast.Compare):
            return self.apply2(self.valuation(node.left), self.valuation(node.right), self._comparer(node.op))
        if isinstance(node, ast.In):
            return self.apply2(self.valuation(node.element), self.valuation(node.collection), _member(node.negated))
        if isinstance(node, ast.IsEmpty):
            return self.apply1(self.valuation(node.operand), _emptiness(node.negated))
        if isinstance(node, ast.Arith):
            return self.apply2(self.valuation(node.left), self.valuation(node.right), _arith(node.op))
        if isinstance(node, ast.DaysBetween):
            return self.apply2(self.valuation(node.start), self.valuation(node.end), _days_between)
        if isinstance(node, ast.If):
            return self._if(node)
        raise TypeError(f"no symbolic rule for {type(node).__name__}")

    def _comparer(self, op: str):
        compare = _COMPARE[op]
        scale_rank = self.rules.scale_rank

        def function(left, right):
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            if isinstance(left, Span) or isinstance(right, Span):  # whole numbers added up: decided, or raises
                return span_compare(op, left, right)
            if op not in ("==", "!="):
                ranks = scale_rank(left, right)
                if ranks is not None:
                    left, right = ranks
            return compare(left, right)

        return function

    def _if(self, node: ast.If) -> Valuation:
        condition = self.valuation(node.condition)
        then, otherwise = self.valuation(node.then), self.valuation(node.otherwise)
        result: Valuation = {}
        false = self.bdd.false

        def add(value, bdd):
            self.tick()
            if bdd != false:
                result[value] = result[value] | bdd if value in result else bdd

        for value, bdd in then.items():
            add(value, bdd & condition.get(True, false))
        for value, bdd in otherwise.items():
            add(value, bdd & condition.get(False, false))
        unknown = condition.get(UNKNOWN, false)
        if unknown != false:
            agreed = self.apply2(then, otherwise, _agreed)
            for value, bdd in agreed.items():
                add(value, bdd & unknown)
        return result

    # -- names, answers, the case type
    def name(self, name: str) -> Valuation:
        symbols = self.rules.symbols
        if name in symbols.facts:
            return self.space.fact_valuation(name)
        if name in symbols.defines:
            if name not in self._defines:
                self._defines[name] = self.valuation(symbols.defines[name].expr)
            return self._defines[name]
        if name == CASE_TYPE:
            return self.case_type()
        return self.constant(name)

    def answer(self, question_id: str) -> Valuation:
        given = self.space.answer_valuation(question_id, self.rules)
        unanswered = given.pop(UNKNOWN, self.bdd.false)
        if unanswered == self.bdd.false:
            return given
        for value, bdd in self.derived(question_id).items():
            part = bdd & unanswered
            if part != self.bdd.false:
                given[value] = given[value] | part if value in given else part
        return given

    def derived(self, question_id: str) -> Valuation:
        """The value a question's derive rules give it when it applies and is unanswered."""
        if question_id not in self._derived:
            question = self.rules.symbols.questions.get(question_id)
            remaining = self.status(question_id)[APPLIES] if question is not None else self.bdd.false
            result: Valuation = {}
            fired_any = self.bdd.false
            for rule in question.derive if question is not None else ():
                fires = remaining & self.truth(rule.condition, True)
                if fires != self.bdd.false:
                    result[rule.value] = result[rule.value] | fires if rule.value in result else fires
                fired_any |= fires
                remaining &= ~self.truth(rule.condition, True)
            result[UNKNOWN] = ~fired_any
            self._derived[question_id] = result
        return self._derived[question_id]

    def status(self, question_id: str) -> Valuation:
        """APPLIES / NOT_APPLICABLE / PENDING -> BDD."""
        if question_id not in self._statuses:
            question = self.rules.symbols.questions[question_id]
            if question.applies is None:
                self._statuses[question_id] = {APPLIES: self.bdd.true, NOT_APPLICABLE: self.bdd.false, PENDING: self.bdd.false}
            else:
                self._statuses[question_id] = {
                    APPLIES: self.truth(question.applies, True),
                    NOT_APPLICABLE: self.truth(question.applies, False),
                    PENDING: self.truth(question.applies, UNKNOWN),
                }
        return self._statuses[question_id]

    def override_choices(self) -> dict[str, Any]:
        """Case-type value -> BDD where some override for it holds."""
        decl = self.rules.symbols.case_type
        chosen: dict[str, Any] = {}
        for override in decl.overrides if decl is not None else ():
            holds = self.truth(override.condition, True)
            chosen[override.value] = chosen.get(override.value, self.bdd.false) | holds
        return chosen

    def contradiction(self):
        """Where overrides for different case types hold together (the engine rejects such a case)."""
        if self._contradiction is None:
            choices = list(self.override_choices().values())
            found = self.bdd.false
            for i, first in enumerate(choices):
                for second in choices[i + 1:]:
                    found |= first & second
            self._contradiction = found
        return self._contradiction

    def case_type(self) -> Valuation:
        """The case type as the rules read it while routing (evaluator.decide_case_type; exclusion comes after):
        the formulas of compiler.routing over BDDs."""
        if self._case_type is None:
            decl = self.rules.symbols.case_type
            if decl is None:
                self._case_type = {UNKNOWN: self.bdd.true}
                return self._case_type
            rules = [Kleene(True, False) if r.condition is None else self._kleene(r.condition) for r in decl.rules]
            decision = case_type_decision(decl, self._algebra, rules, [self._kleene(o.condition) for o in decl.overrides])
            result: Valuation = {}
            known = self.bdd.false
            for value, certain in decision.is_type.items():
                node = self._node(certain)
                if node != self.bdd.false:
                    result[value] = node
                    known |= node
            if known != self.bdd.true:
                result[UNKNOWN] = ~known
            self._case_type = result
        return self._case_type

    @property
    def _algebra(self) -> Algebra:
        return Algebra(lambda a, b: a & b, lambda a, b: a | b, lambda a: ~a)

    def _kleene(self, expr: ast.Expr) -> Kleene:
        return Kleene(self.truth(expr, True), self.truth(expr, False))

    def _node(self, formula):
        """A routing formula as a BDD (one that folded to a constant is true or false)."""
        if formula is True or formula is False:
            return self.bdd.true if formula else self.bdd.false
        return formula

    def excluded(self):
        """Where some 'exclude when' rule holds: the case is not inspected (no routing)."""
        found = self.bdd.false
        for exclusion in self.rules.symbols.exclusions:
            found |= self.truth(exclusion.condition, True)
        return found

    def not_known_whether_inspected(self):
        """Where no 'exclude when' rule certainly holds and some may: no routing, every question pending."""
        exclusions = [self._kleene(e.condition) for e in self.rules.symbols.exclusions]
        return self._node(exclusion_decision(self._algebra, exclusions).not_known)

    def overruled(self):
        """Where an answer differs from the value a derive rule gives (the engine rejects such a case)."""
        found = self.bdd.false
        for question_id, question in self.rules.symbols.questions.items():
            if not question.derive:
                continue
            given = self.space.answer_valuation(question_id, self.rules)
            for value, derived in self.derived(question_id).items():
                if value is UNKNOWN:
                    continue
                for answer, node in given.items():
                    if answer is not UNKNOWN and answer != value:
                        found |= node & derived
        return found

    def reported_status(self, question_id: str) -> Valuation:
        """The status a result reports: the routed status, not applicable wherever the case is excluded, and
        pending wherever it is not known whether the case is inspected."""
        excluded, not_known = self.excluded(), self.not_known_whether_inspected()
        routed = self.status(question_id)
        return {
            APPLIES: routed[APPLIES] & ~excluded & ~not_known,
            NOT_APPLICABLE: (routed[NOT_APPLICABLE] & ~not_known) | excluded,
            PENDING: (routed[PENDING] & ~excluded) | not_known,
        }

    def reported_case_type(self) -> Valuation:
        """The case type a result reports: unknown (null) wherever the case is excluded or may be."""
        unrouted = self.excluded() | self.not_known_whether_inspected()
        result = {value: node & ~unrouted for value, node in self.case_type().items()}
        result[UNKNOWN] = result.get(UNKNOWN, self.bdd.false) | unrouted
        return {v: b for v, b in result.items() if b != self.bdd.false}

    def accepted(self):
        """Where the engine accepts a case: every constraint on a given fact holds (or is unknown), no contradicting
        overrides, no answer that differs from a derived value."""
        valid = self.routable() & ~self.overruled()
        for constraint in self.rules.symbols.constraints:
            valid &= ~self.space.fact_given(constraint.field) | ~self.truth(constraint.expr, False)
        return valid

    def routable(self):
        """Where every fact and answer has a value of its declared type and the override answers do not
        contradict each other: every case three-valued logic routes (constraints and derived values aside)."""
        return ~self.contradiction() & self.space.allowed_by(self.rules)


def _member(negated: bool):
    def function(element, collection):
        if element is UNKNOWN or collection is UNKNOWN:
            return UNKNOWN
        found = element in collection
        return not found if negated else found

    return function


def _emptiness(negated: bool):
    def function(value):
        if value is UNKNOWN:
            return UNKNOWN
        return bool(value) if negated else not value

    return function


def _agreed(a, b):
    """The value of an ``if`` whose condition is unknown: its branches' value where they agree."""
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if isinstance(a, Span) or isinstance(b, Span):  # two numbers of spans agree only where they are equal
        return UNKNOWN if span_compare("!=", a, b) else a
    return a if a == b else UNKNOWN


def _arith(op: str):
    def function(left, right):
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if isinstance(left, Span) or isinstance(right, Span):
            return span_arith(op, left, right)
        try:
            return left + right if op == "+" else left - right
        except OverflowError:
            return UNKNOWN

    return function


def _days_between(start, end):
    if start is UNKNOWN or end is UNKNOWN:
        return UNKNOWN
    return end - start
