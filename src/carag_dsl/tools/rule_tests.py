"""Run the ``test`` blocks of a rule set and measure which routes they cover.

A test block describes one case (its facts and answers) and what the rules
must say about it. :func:`load_tests` finds the test blocks of a rule set: the
ones in its own files, and, when the rule set is a folder, every
``RULES/tests/*.carag`` file (test files hold only test blocks and no header).
:func:`run_tests` evaluates each case and compares; the report says per failure
which test, where, what was expected and what the rules gave, in plain words.

Route coverage: a question has up to three routes, "applies", "not
applicable" and "pending" (it depends on something the case does not say). A
question with ``applies always`` (or no ``applies`` clause) has only the first;
a question whose rule reads nothing has only the one route its constant rule
gives; every other question has all three. Only inspected cases count towards
them: a case an ``exclude when`` rule takes out of the inspection has no
routing, so a test of one reaches no question's route (it would otherwise
count "not applicable" for every question). The coverage lists, per question,
the routes that no test case reached. It also lists the case types no
inspected test case reached, and every rule that is a route of its own and that
no test reached: each ``derive`` rule (reached when it gives an unanswered
question its value), each case-type ``override`` (reached when it decides the
case type) and each ``exclude when`` rule (reached when it excludes a case). Condition coverage (MC/DC, see
:mod:`.condition_coverage`) lists the conditions of each rule that no pair of tests showed deciding the route. Rating bands
are not part of route coverage: a band is a property of a sample of cases, not
of one case, so one test case cannot reach or miss a band boundary.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import attrs

from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.language import ast
from carag_dsl.errors import CaseDataError
from carag_dsl.language.loader import read_test_files  # noqa: F401  (kept importable from here)
from carag_dsl.compiler.ruleset import CheckedRules, load
from carag_dsl.tools.condition_coverage import ConditionCoverage, condition_coverage, render_condition_coverage

ROUTES = ("applies", "not_applicable", "pending")
#: Said above a suggested test (lint, fuzz) whose expectations are what the rules do today, not what they should do.
RECORDS_TODAY_COMMENT = "# records what the rules do today: a person confirms it is what the CARaG means before keeping it"
ROUTE_WORDS = {"applies": "applies", "not_applicable": "not applicable", "pending": "pending"}
_EXPECTED_ROUTE = {"applies": "to apply", "not_applicable": "to be not applicable", "pending": "to be pending (not decided by the case data)"}


@attrs.frozen
class TestOutcome:
    """One test and what went wrong (``failures`` is empty when it passed)."""

    __test__ = False  # not a pytest test class, despite the name

    test: ast.TestDecl
    failures: tuple[str, ...]
    result: dict[str, Any] | None  # the evaluation as JSON data; None when the case data was rejected

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def place(self) -> str:
        return f"{self.test.span.path}:{self.test.span.line}"


@attrs.frozen
class RuleRoute:
    """A rule that is a route of its own: a question's ``derive`` rule, a case-type ``override``, an ``exclude when``."""

    kind: str  # "derive", "override" or "exclude"
    index: int  # its place among the rules of its kind (of its question, for derive rules)
    question: str | None  # the question of a derive rule
    words: str  # how the report names it: "[J 2] derive no when court_report"
    place: str  # file:line


@attrs.frozen
class RouteCoverage:
    """Which routes of which questions the test cases reached."""

    possible: dict[str, tuple[str, ...]]
    seen: dict[str, frozenset[str]]
    case_types: tuple[str, ...]
    case_types_seen: frozenset[str]
    derive_rules: tuple[str, ...]  # questions with derive rules
    derived_seen: frozenset[str]  # questions some derive rule of which a test reached
    rules: tuple[RuleRoute, ...] = ()  # every derive, override and exclude rule
    rules_seen: frozenset[RuleRoute] = frozenset()

    def missing(self) -> dict[str, tuple[str, ...]]:
        """Question id -> the routes the rules allow but no test reached (only questions with some missing)."""
        gaps = {}
        for qid, routes in self.possible.items():
            absent = tuple(r for r in routes if r not in self.seen.get(qid, frozenset()))
            if absent:
                gaps[qid] = absent
        return gaps

    def missing_case_types(self) -> tuple[str, ...]:
        return tuple(t for t in self.case_types if t not in self.case_types_seen)

    def missing_derivations(self) -> tuple[str, ...]:
        """The questions with a derive rule no test reached."""
        return tuple(dict.fromkeys(r.question for r in self.missing_rules() if r.kind == "derive" and r.question))

    def missing_rules(self) -> tuple[RuleRoute, ...]:
        """The derive, override and exclude rules no test reached, in the order they are written."""
        return tuple(r for r in self.rules if r not in self.rules_seen)

    @property
    def complete(self) -> bool:
        return not (self.missing() or self.missing_case_types() or self.missing_rules())


@attrs.frozen
class TestReport:
    """The outcome of every test, and the route coverage of the cases they describe."""

    __test__ = False  # not a pytest test class, despite the name
    outcomes: tuple[TestOutcome, ...]
    coverage: RouteCoverage
    conditions: ConditionCoverage | None = None

    @property
    def failed(self) -> tuple[TestOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.passed)


# ------------------------------------------------------------------ finding tests


def load_tests(rules: str | Path | None = None) -> tuple[CheckedRules, list[ast.TestDecl]]:
    """The rule set and its test blocks, checked with it: those in its files, then ``RULES/tests/*.carag``."""
    ruleset = load(rules, tests=True)
    return ruleset, list(ruleset.tests)


# ------------------------------------------------------------------ running tests


def case_of(test: ast.TestDecl) -> dict[str, Any]:
    """The case a test describes, as JSON-shaped data (``CheckedRules.evaluate`` takes it)."""
    return {
        "id": test.name,
        "facts": {name: _json(value) for name, value in test.facts},
        "answers": {qid: _json(value) for qid, value in test.answers},
    }


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def run_test(ruleset: CheckedRules, test: ast.TestDecl) -> TestOutcome:
    """Evaluate the test's case and compare every expectation."""
    expected_errors = [e.value for e in test.expectations if e.kind == "error"]
    try:
        result = evaluate_case(ruleset, case_of(test)).to_dict()
    except CaseDataError as error:
        message = str(error)
        failures = [f'expected a case-data error containing "{text}", but the error was: {message}' for text in expected_errors if str(text).lower() not in message.lower()]
        if not expected_errors:
            failures.append(f"the rules rejected the case data: {message}")
        others = [e for e in test.expectations if e.kind != "error"]
        if others and expected_errors:
            failures.append("the test expects an error and also results; a case with an error has no results")
        return TestOutcome(test, tuple(failures), None)
    failures = [f'expected a case-data error containing "{text}", but the case was accepted' for text in expected_errors]
    for expectation in test.expectations:
        failures += _check(ruleset, expectation, result)
    return TestOutcome(test, tuple(failures), result)


def _check(ruleset: CheckedRules, expectation: ast.Expectation, result: dict[str, Any]) -> list[str]:
    kind = expectation.kind
    if kind == "error":
        return []
    if kind == "warning":
        text = str(expectation.value)
        if any(text.lower() in warning.lower() for warning in result["warnings"]):
            return []
        given = "; ".join(result["warnings"]) or "none"
        return [f'expected a warning containing "{text}", but the warnings were: {given}']
    if kind == "excluded":
        text, reason = str(expectation.value), result["excluded"]
        if isinstance(reason, dict):
            return [f'expected the case to be excluded for a reason containing "{text}", but it is not known whether it is inspected']
        if reason is not None and text.lower() in reason.lower():
            return []
        return [f'expected the case to be excluded for a reason containing "{text}", but ' + (f"it is excluded because {reason}" if reason else "it is not excluded")]
    if kind == "case_type":
        actual = result["case_type"]
        if actual == expectation.value:
            return []
        if expectation.value not in ruleset.case_types:
            return [f"expected case type '{expectation.value}', but the rules have no such case type (they have: {', '.join(ruleset.case_types) or 'none'})"]
        return [f"expected case type '{expectation.value}', but it is {_case_type_words(actual)}"]
    failures = []
    for ref in expectation.questions:
        qid = ref.question_id
        if qid not in result["questions"]:
            failures.append(f"the test names question [{qid}], but the rule set has no such question")
            continue
        actual = result["questions"][qid]
        if kind == "value":
            wanted = _comparable(_json(expectation.value))
            if _comparable(actual["value"]) != wanted:
                failures.append(f"expected [{qid}] = {_words(expectation.value)}, but {_value_words(actual)}")
        elif actual["status"] != kind:
            failures.append(f"expected [{qid}] {_EXPECTED_ROUTE[kind]}, but it is {ROUTE_WORDS[actual['status']]}")
    return failures


def _comparable(value: Any) -> Any:
    return frozenset(value) if isinstance(value, list) else value


def _case_type_words(case_type: str | None) -> str:
    return f"'{case_type}'" if case_type else "not decided (the case does not say enough)"


def _words(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "{" + ", ".join(map(str, value)) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _value_words(actual: dict[str, Any]) -> str:
    if actual["value"] is None:
        if actual["status"] != "applies":
            return f"the question is {ROUTE_WORDS[actual['status']]} and has no value"
        return "it has no answer and no derived value"
    how = "derived by the rules" if actual["source"] == "derived" else "answered"
    return f"it is {_words(actual['value'])} ({how})"


def run_tests(ruleset: CheckedRules, tests: list[ast.TestDecl]) -> TestReport:
    """Run every test; the route coverage counts every case the rules accepted (only inspected ones for routes)."""
    outcomes = tuple(run_test(ruleset, test) for test in tests)
    accepted = [o for o in outcomes if o.result is not None]
    return TestReport(
        outcomes,
        coverage_of(ruleset, [o.result for o in accepted if o.result is not None], [case_of(o.test) for o in accepted]),
        condition_coverage(ruleset, [case_of(o.test) for o in accepted]),
    )


def possible_routes(ruleset: CheckedRules) -> dict[str, tuple[str, ...]]:
    """Per question, the routes its rule allows (see the module documentation)."""
    empty = evaluate_case(ruleset, {"facts": {}, "answers": {}}).to_dict()["questions"]
    routes: dict[str, tuple[str, ...]] = {}
    for qid, decl in ruleset.symbols.questions.items():
        if decl.applies is None:
            routes[qid] = ("applies",)
        elif not ruleset.graph.in_edges(f"question:{qid}") or not _reads_anything(ruleset, decl.applies):
            routes[qid] = (empty[qid]["status"],)
        else:
            routes[qid] = ROUTES
    return routes


def _reads_anything(ruleset: CheckedRules, expr: ast.Expr) -> bool:
    from carag_dsl.compiler.graph import expression_inputs

    return bool(expression_inputs(expr, ruleset.symbols))


def coverage_of(ruleset: CheckedRules, results: list[dict[str, Any]], cases: list[dict[str, Any]] | None = None) -> RouteCoverage:
    """The routes the ``results`` reached; with the ``cases`` they are of (in the same order), also which rules."""
    seen: dict[str, set[str]] = {qid: set() for qid in ruleset.symbols.questions}
    derived: set[str] = set()
    case_types: set[str] = set()
    for result in results:
        if result["excluded"] is not None:  # excluded, or not known to be inspected: no routing to count
            continue
        if result["case_type"] is not None:
            case_types.add(result["case_type"])
        for qid, question in result["questions"].items():
            seen[qid].add(question["status"])
            if question["source"] == "derived":
                derived.add(qid)
    with_derive = tuple(qid for qid, d in ruleset.symbols.questions.items() if d.derive)
    reached: set[RuleRoute] = set()
    for case, result in zip(cases or (), results):
        reached |= rules_reached(ruleset, case, result)
    return RouteCoverage(
        possible=possible_routes(ruleset),
        seen={qid: frozenset(s) for qid, s in seen.items()},
        case_types=ruleset.case_types,
        case_types_seen=frozenset(case_types),
        derive_rules=with_derive,
        derived_seen=frozenset(derived),
        rules=rule_routes(ruleset),
        rules_seen=frozenset(reached),
    )


def rule_routes(ruleset: CheckedRules) -> tuple[RuleRoute, ...]:
    """Every rule that is a route of its own, in the order they are written: derive, override, exclude."""
    symbols = ruleset.symbols
    routes = [
        RuleRoute("derive", index, qid, f"[{qid}] {_rule_words('derive', rule.value, rule.condition)}", _place(rule.span))
        for qid, decl in symbols.questions.items() for index, rule in enumerate(decl.derive)
    ]
    overrides = symbols.case_type.overrides if symbols.case_type is not None else ()
    routes += [
        RuleRoute("override", index, None, _rule_words("override", override.value, override.condition, override.replaces), _place(override.span))
        for index, override in enumerate(overrides)
    ]
    routes += [
        RuleRoute("exclude", index, None, f"exclude when {exclusion.condition.span.one_line()}", _place(exclusion.span))
        for index, exclusion in enumerate(symbols.exclusions)
    ]
    return tuple(routes)


def _rule_words(keyword: str, value: str, condition: ast.Expr, replaces: str | None = None) -> str:
    return f"{keyword} {value}" + (f" from {replaces}" if replaces else "") + f" when {condition.span.one_line()}"


def _place(span: Any) -> str:
    return f"{span.path}:{span.line}"


def rules_reached(ruleset: CheckedRules, case: dict[str, Any], result: dict[str, Any] | None = None) -> set[RuleRoute]:
    """The derive, override and exclude rules that decide something for one accepted case (``result``: its
    evaluation as JSON data, when the caller has it).

    The reference evaluator's scope of the case says what every condition is: an ``exclude when`` rule is
    reached when it is the first that holds; in an inspected case, an override when it holds and the case
    type is the one it gives, and a derive rule when it is the first of its question's to hold while the
    question applies and is unanswered (the rule, not an answer, gives the value).
    """
    from carag_dsl.runtime import evaluator
    from carag_dsl.runtime.casedata import read_case

    routes = {(r.kind, r.question, r.index): r for r in rule_routes(ruleset)}
    result = result if result is not None else evaluate_case(ruleset, case, backend="reference").to_dict()
    scope = evaluator.run(ruleset, read_case(ruleset, case))[0]  # what every condition is, for this case
    symbols = ruleset.symbols
    reached: set[RuleRoute] = set()
    excluded = result["excluded"]
    if isinstance(excluded, str):
        first = next((i for i, e in enumerate(symbols.exclusions) if evaluator.evaluate(e.condition, scope) is True), None)
        if first is not None:
            reached.add(routes[("exclude", None, first)])
    if excluded is not None:  # excluded, or not known to be inspected: no routing to reach
        return reached
    overrides = symbols.case_type.overrides if symbols.case_type is not None else ()
    for index, override in enumerate(overrides):
        if scope.case_type == override.value and evaluator.evaluate(override.condition, scope) is True:
            reached.add(routes[("override", None, index)])
    for qid, decl in symbols.questions.items():
        if not decl.derive or result["questions"][qid]["source"] != "derived":
            continue
        first = next((i for i, rule in enumerate(decl.derive) if evaluator.evaluate(rule.condition, scope) is True), None)
        if first is not None:
            reached.add(routes[("derive", qid, first)])
    return reached


# ------------------------------------------------------------------ the report


def render_report(report: TestReport, quiet: bool = False, coverage_only: bool = False) -> str:
    """The plain-words report: failures, then the counts, then the routes no test reached."""
    lines: list[str] = []
    if not coverage_only:
        for outcome in report.outcomes:
            if outcome.passed:
                if not quiet:
                    lines.append(f"PASS {outcome.place}  {outcome.test.name}")
                continue
            lines.append(f"FAIL {outcome.place}  {outcome.test.name}")
            lines.extend(f"     {failure}" for failure in outcome.failures)
        if not report.outcomes:
            lines.append("no test blocks found: write 'test' blocks in the rule files, or in RULES/tests/*.carag for a folder")
        passed = len(report.outcomes) - len(report.failed)
        lines.append(f"{passed} passed, {len(report.failed)} failed")
    if report.conditions is not None:
        lines.extend(render_condition_coverage(report.conditions))
    lines.extend(render_coverage(report.coverage))
    return "\n".join(lines)


_NEVER_REACHED = {
    "derive": "no test reached the derive rule",
    "override": "no test reached the override",
    "exclude": "no test case is excluded by",
}


def render_coverage(coverage: RouteCoverage) -> list[str]:
    missing = coverage.missing()
    total = len(coverage.possible)
    full = total - len(missing)
    lines = [f"route coverage: {full} of {total} questions had every route reached by a test"]
    for qid, routes in missing.items():
        lines.append(f"    [{qid}] never {', never '.join(ROUTE_WORDS[r] for r in routes)}")
    for case_type in coverage.missing_case_types():
        lines.append(f"    no test case is {case_type}")
    for rule in coverage.missing_rules():
        lines.append(f"    {_NEVER_REACHED[rule.kind]}: {rule.words} ({rule.place})")
    if coverage.complete:
        lines.append("every route, case type, derive rule, override and exclude rule is reached")
    return lines

