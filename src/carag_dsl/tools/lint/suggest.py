"""``carag lint --suggest-tests``: a small test suite that reaches every route and shows every condition.

From the exact case space: for every question, a case for each route its rule allows; for every atomic
condition of its rule, two cases that differ in that condition alone and route the question differently
(MC/DC; a condition tied to another, which no pair of cases can change alone, gets none); a case of every
case type, one for every derive rule that gives a value, every case-type override and every exclude rule. Cases that coincide are merged into one test
with all their expectations, so the suite stays small enough for staff to review and keep.

A route test of a question whose label has a meaning in the rule set's vocabulary states the label's
reading, the intended behaviour, so where the rule contradicts its label the test fails until the rule is
fixed, instead of pinning the bug. Every other expectation records what the rules do today: the test
says so in a comment, for a person to confirm against the CARaG.
"""

from __future__ import annotations

import itertools
import json

from carag_dsl.analysis import CaseSpace, Region
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.language import ast
from carag_dsl.language.formatter import format_module
from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE, PENDING
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.tools.condition_coverage import atomic_conditions, condition_text
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.render import _literal
from carag_dsl.tools.rule_tests import RECORDS_TODAY_COMMENT

MAX_CONDITIONS = 6  # 3**6 combinations of values per rule at most
_VALUES = (True, False, UNKNOWN)
_STATUS_OF = {True: APPLIES, False: NOT_APPLICABLE, UNKNOWN: PENDING}
_LABELS_COMMENT = "# as the questions' labels read: what the rules should do"


class _Suite:
    """Test cases by content, each with its expectations and what it shows."""

    def __init__(self, rules: CheckedRules):
        self.rules = rules
        self.cases: dict[str, tuple[dict, list[ast.Expectation], list[str], list[bool]]] = {}

    def add(self, case: dict | None, expectation: ast.Expectation, why: str, intended: bool = False) -> None:
        """One expectation of a case; ``intended`` when it states what the rules should do (a label's reading)."""
        if case is None:
            return
        key = json.dumps([case["facts"], case["answers"]], sort_keys=True)
        _, expectations, reasons, intentions = self.cases.setdefault(key, (case, [], [], []))
        if expectation not in expectations:
            expectations.append(expectation)
            reasons.append(why)
            intentions.append(intended)

    def text(self) -> str:
        blocks = []
        for number, (case, expectations, reasons, intentions) in enumerate(self.cases.values(), start=1):
            facts = tuple((n, _literal(self.rules, n, v)) for n, v in case["facts"].items())
            answers = tuple((q, tuple(v) if isinstance(v, list) else v) for q, v in case["answers"].items())
            name = f"suggested {number}: {reasons[0]}" + (f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else "")
            block = format_module(ast.Module((ast.TestDecl(name.replace('"', "'"), facts, answers, tuple(expectations)),)))
            comment = _LABELS_COMMENT if all(intentions) else RECORDS_TODAY_COMMENT
            blocks.append(f"{comment}\n{block}")
        header = (
            "# Suggested by `carag lint --suggest-tests`: every route of every question, every condition of\n"
            "# its rule shown deciding the route on its own (MC/DC), every case type and derive rule.\n"
            "# A route of a question with a label of the vocabulary is expected as the label reads (so the test\n"
            "# fails where the rule contradicts its label); every other expectation records the rules of today.\n\n"
        )
        return header + "\n".join(blocks)


def _status_expectation(qid: str, status: str) -> ast.Expectation:
    return ast.Expectation(status, (ast.AnswerRef(qid),))


def _combination_routes(space: CaseSpace, statuses: dict[str, Region], conditions: list[ast.Expr]):
    """(values of the conditions, region, route) for every combination of values some case has."""
    truths = [space.truth(c) for c in conditions]
    for values in itertools.product(_VALUES, repeat=len(conditions)):
        region = space.everything
        for truth, value in zip(truths, values):
            region = region & truth[value]
            if region.is_empty:
                break
        else:
            for route, route_region in statuses.items():
                both = region & route_region
                if both:
                    yield values, both, route


def suggest_tests(rules: CheckedRules) -> str:
    context = LintContext(rules)
    space = context.space
    suite = _Suite(rules)
    for value, region in space.case_type().items():
        if isinstance(value, str):
            suite.add(context.witness(region), ast.Expectation("case_type", value=value), f"{'an' if value[:1] in 'aeiou' else 'a'} {value} case")
    for qid, question in rules.symbols.questions.items():
        if question.applies is None:
            continue
        reads = context.reads(question.applies)
        statuses = {s: r for s, r in space.status(qid).items() if r}
        meaning = context.label_meaning(question)

        def add_route(region: Region, route: str, why: str) -> None:
            if meaning is None:
                suite.add(context.witness(region, reads), _status_expectation(qid, route), f"[{qid}] {route.replace('_', ' ')}{why}")
                return
            for reading, part in ((_STATUS_OF[w], region & meaning[w]) for w in _VALUES):
                if part:  # the route's cases where the label reads one way: expected as the label reads
                    suite.add(context.witness(part, reads), _status_expectation(qid, reading),
                              f"[{qid}] {reading.replace('_', ' ')} as its label reads{why}", intended=True)

        for status, region in statuses.items():
            add_route(region, status, "")
        conditions = atomic_conditions(rules, question.applies)
        if not 0 < len(conditions) <= MAX_CONDITIONS:
            continue
        combos = list(_combination_routes(space, statuses, conditions))
        for index, condition in enumerate(conditions):
            pair = _deciding_pair(combos, index)
            if pair is None:
                continue
            for _, region, route in pair:
                add_route(region, route, f" because of '{condition_text(condition)}'")
    for qid, question in rules.symbols.questions.items():
        for rule, region in space.derives(qid) if question.derive else ():
            if region:
                witness = context.witness(region, context.reads(rule.condition))
                suite.add(witness, ast.Expectation("value", (ast.AnswerRef(qid),), rule.value), f"[{qid}] derived {rule.value}")
    _overrides_and_exclusions(context, suite)
    return suite.text()


def _overrides_and_exclusions(context: LintContext, suite: _Suite) -> None:
    """A case for each case-type override (where it holds and the type is the one it gives) and each
    ``exclude when`` rule (where it is the first to hold): each is a route of its own for ``carag test``."""
    rules, space = context.rules, context.space
    decl = rules.symbols.case_type
    for override in decl.overrides if decl is not None else ():
        region = space.truth(override.condition)[True] & space.case_type().get(override.value, space.nothing)
        suite.add(context.witness(region, context.reads(override.condition)), ast.Expectation("case_type", value=override.value),
                  f"override {override.value}")
    if not rules.symbols.exclusions:
        return
    everything = CaseSpace(rules)  # the lint space leaves the excluded cases out: this one has them
    earlier = everything.nothing
    for exclusion in rules.symbols.exclusions:
        holds = everything.truth(exclusion.condition)[True]
        witness = everything.witness(holds - earlier, prefer_given=context.reads(exclusion.condition))
        earlier = earlier | holds
        suite.add(witness, ast.Expectation("excluded", value=exclusion.reason), f"excluded: {exclusion.reason}")


def _deciding_pair(combos, index: int):
    """Two combinations that differ only in condition ``index`` and route differently (true/false first)."""
    best = None
    for first, second in itertools.combinations(combos, 2):
        (values_a, _, route_a), (values_b, _, route_b) = first, second
        if route_a == route_b or values_a[index] == values_b[index]:
            continue
        if any(a != b for k, (a, b) in enumerate(zip(values_a, values_b)) if k != index):
            continue
        if {values_a[index], values_b[index]} == {True, False}:
            return first, second
        best = best or (first, second)
    return best


__all__ = ["suggest_tests"]
