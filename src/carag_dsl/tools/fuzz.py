"""``carag fuzz``: search the cases of a rule set for routing problems (needs the ``hypothesis`` extra).

Every search runs Hypothesis in-process over :func:`carag_dsl.testing.cases`
(no example database, seeded, so a run can be repeated exactly), and every
finding is shrunk to a small case and printed as a ready-to-paste test block.
What is searched for:

crash
    evaluating a case raises anything but a CaragError, or the two back ends
    (compiled and reference) disagree.
monotonicity
    a case with more facts or answers changes a status, the case type, the
    exclusion or a derived value that the smaller case had already decided.
    There are no exceptions; a larger case the engine rejects is not compared.
dead question
    a question that applies to no case at all.
dead for a case type
    a question whose rule names a case type (``case_type == adjusted``) but
    that applies to no case of that type. The search then looks for a case for
    which the rest of the question's rule holds, by evaluating the rule as if
    the case had that type: such a case is the boundary the rules disagree on.
    This is how an off-by-one shows up: with ``adjusted when suspension_date <
    start_date + 56 days`` and a question for adjusted cases suspended on day
    56, the search finds the day-56 case and shows that it is core.
redundant condition
    a question with an ``applies when`` rule that applied to every case that
    decided it (the rule never excludes anything).
constraint rejects everything
    a constraint that no case giving its field satisfies.
"""

from __future__ import annotations

import contextvars

import datetime
import functools
from typing import Any, Callable

import attrs
import networkx as nx
from hypothesis import HealthCheck, Phase, Verbosity, given, seed as seed_decorator, settings, target
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.language import ast
from carag_dsl.runtime.casedata import read_case
from carag_dsl.errors import CaragError, CaseDataError
from carag_dsl.runtime.evaluator import evaluate, run
from carag_dsl.language.formatter import format_expr, format_module
from carag_dsl.compiler.graph import CASE_TYPE_NODE, given_inputs, question_node
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.tools.rule_tests import RECORDS_TODAY_COMMENT
from carag_dsl.tools.strategies import cases, override_questions_of, unchecked_cases


@attrs.frozen
class Finding:
    """One problem the fuzzer found, with the smallest case that shows it."""

    kind: str
    message: str
    test_block: str


class _Found(Exception):
    pass


def search(
    strategy: st.SearchStrategy, predicate: Callable[[Any], bool], examples: int, seed: int,
    score: Callable[[Any], float] | None = None,
) -> Any | None:
    """The smallest drawn value for which ``predicate`` holds, or None if none was found in ``examples`` tries.

    ``score``, when given, steers Hypothesis's targeted search towards values
    that score higher (e.g. more parts of a rule holding), so a value that random
    drawing rarely meets is still found.
    """
    found: list[Any] = []
    on_case = _on_case.get()

    @settings(
        max_examples=examples, database=None, deadline=None, verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck), phases=(Phase.generate, Phase.target, Phase.shrink), report_multiple_bugs=False,
    )
    @seed_decorator(seed)
    @given(strategy)
    def probe(value):
        if on_case is not None:
            on_case()
        if score is not None:
            target(score(value))
        if predicate(value):
            found.append(value)
            raise _Found

    try:
        probe()
    except _Found:
        return found[-1]  # Hypothesis replays the shrunk example last
    except Unsatisfiable:  # the strategy could not produce a single value (e.g. fixed values break a constraint)
        return None
    return None


# Called once per case any search tries (set by :func:`fuzz`'s ``on_case``): progress and the count of cases.
_on_case: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar("on_case", default=None)


def fuzz(ruleset: CheckedRules, examples: int = 200, seed: int = 0, on_case: Callable[[], None] | None = None) -> list[Finding]:
    """Run every search; the findings, each with a shrunk case as a test block.

    ``on_case``, when given, is called for every case tried (for a progress display and a count).
    """
    token = _on_case.set(on_case)
    try:
        return _fuzz(ruleset, examples, seed)
    finally:
        _on_case.reset(token)


def _fuzz(ruleset: CheckedRules, examples: int, seed: int) -> list[Finding]:
    crashes = _crashes(ruleset, examples, seed)
    if crashes:  # the other searches evaluate cases too: they would stop at the same crash
        return crashes
    findings: list[Finding] = []
    for stage in (_monotonicity, _dead_questions, _impossible_constraints):
        try:
            findings += stage(ruleset, examples, seed)
        except CaragError:
            raise
        except Exception as error:  # noqa: BLE001 -- a crash the crash search did not reach
            return findings + [Finding("crash", f"the evaluator raised {type(error).__name__}: {error}", "")]
    return findings


# ------------------------------------------------------------------ crashes


def _crash(ruleset: CheckedRules, case: dict) -> str | None:
    results: list[object] = []
    for backend in ("reference", "compiled"):
        try:
            results.append(evaluate_case(ruleset, case, backend=backend).to_dict())
        except CaragError as error:
            results.append(("error", str(error)))
        except Exception as error:  # noqa: BLE001 -- finding these is the point
            return f"the {backend} evaluator raised {type(error).__name__}: {error}"
    if results[0] != results[1]:
        return "the compiled and reference evaluators give different results"
    return None


def _crashes(ruleset: CheckedRules, examples: int, seed: int) -> list[Finding]:
    case = search(unchecked_cases(ruleset), lambda c: _crash(ruleset, c) is not None, examples, seed)
    if case is None:
        return []
    return [Finding("crash", _crash(ruleset, case) or "", test_block(ruleset, case, "a case that crashes the evaluator"))]


# ------------------------------------------------------------------ monotonicity


@st.composite
def _case_and_part(draw, ruleset: CheckedRules):
    full = draw(cases(ruleset))
    keep_facts = {k: v for k, v in full["facts"].items() if draw(st.booleans())}
    keep_answers = {k: v for k, v in full["answers"].items() if draw(st.booleans())}
    return {"id": "smaller", "facts": keep_facts, "answers": keep_answers}, full


def monotonicity_break(small: dict, large: dict) -> str | None:
    """How more data (``large`` holds all of ``small``'s facts and answers) changed something ``small`` decided,
    or None. Decided: the case type when known, the exclusion when known (a reason, or inspected), every status
    that is not pending, every derived value. There are no exceptions."""
    if small["case_type"] is not None and large["case_type"] != small["case_type"]:
        return f"adding data changed the case type from {small['case_type']} to {large['case_type']}"
    if not isinstance(small["excluded"], dict) and large["excluded"] != small["excluded"]:
        return f"adding data changed whether the case is excluded from {small['excluded']!r} to {large['excluded']!r}"
    for qid, result in small["questions"].items():
        other = large["questions"][qid]
        if result["status"] != "pending" and other["status"] != result["status"]:
            return f"adding data changed [{qid}] from {result['status']} to {other['status']}"
        if result["source"] == "derived" and other["value"] != result["value"]:
            return f"adding data changed the derived value of [{qid}] from {result['value']!r} to {other['value']!r}"
    return None


def _monotonicity_break(ruleset: CheckedRules, smaller: dict, larger: dict) -> str | None:
    try:
        large = evaluate_case(ruleset, larger, backend="reference").to_dict()
    except CaseDataError:  # the larger case is not valid (a derived value answered otherwise): nothing to compare
        return None
    return monotonicity_break(evaluate_case(ruleset, smaller, backend="reference").to_dict(), large)


def _monotonicity(ruleset: CheckedRules, examples: int, seed: int) -> list[Finding]:
    pair = search(_case_and_part(ruleset), lambda p: _monotonicity_break(ruleset, p[0], p[1]) is not None, examples, seed)
    if pair is None:
        return []
    smaller, larger = pair
    message = _monotonicity_break(ruleset, smaller, larger) or ""
    blocks = test_block(ruleset, smaller, "the smaller case") + "\n" + test_block(ruleset, larger, "the same case with more data")
    return [Finding("monotonicity", message, blocks)]


# ------------------------------------------------------------------ dead questions


def _statuses(ruleset: CheckedRules, case: dict) -> dict:
    return evaluate_case(ruleset, case, backend="reference").to_dict()


def _case_types_named(decl: ast.QuestionDecl) -> list[str]:
    """The case types a question's rule compares ``case_type`` with (``case_type == adjusted``)."""
    named: list[str] = []
    if decl.applies is None:
        return named
    for node in ast.walk(decl.applies):
        if isinstance(node, ast.Compare) and node.op == "==":
            sides = (node.left, node.right)
            if any(isinstance(s, ast.Name) and s.name == "case_type" for s in sides):
                for side in sides:
                    if isinstance(side, ast.Name) and side.name != "case_type" and side.name not in named:
                        named.append(side.name)
    return named


def _applies_as_if(ruleset: CheckedRules, case: dict, qid: str, case_type: str) -> bool:
    """Whether the question's rule holds for the case if its case type were ``case_type``."""
    data = read_case(ruleset, case)
    scope = run(ruleset, data)[0]
    scope.case_type = case_type
    applies = ruleset.symbols.questions[qid].applies
    return applies is None or evaluate(applies, scope) is True


#: How many more tries the searches for a case of one case type get: such a case must also be known to be
#: inspected and have its override answers in (a case type an answer may still change is not decided), which
#: drawn cases give about one time in five. A search stops at the first case found, so this costs only when
#: there is none.
ROUTED_TRIES = 5


def _dead_questions(ruleset: CheckedRules, examples: int, seed: int) -> list[Finding]:
    symbols = ruleset.symbols
    seen: dict[str, set[str]] = {qid: set() for qid in symbols.questions}
    applies_for: dict[str, set[str]] = {qid: set() for qid in symbols.questions}

    def record(case: dict) -> bool:
        result = _statuses(ruleset, case)
        for qid, question in result["questions"].items():
            seen[qid].add(question["status"])
            if question["status"] == "applies" and result["case_type"]:
                applies_for[qid].add(result["case_type"])
        return False

    search(cases(ruleset), record, examples, seed)
    findings: list[Finding] = []
    for qid, decl in symbols.questions.items():
        if decl.applies is None:
            continue
        if "applies" not in seen[qid]:
            found = search(
                _focused_cases(ruleset, qid), functools.partial(_has_status, ruleset, qid=qid, status="applies"),
                examples, seed, score=functools.partial(_parts_holding, ruleset, expr=decl.applies),
            )
            if found is None and _case_types_named(decl):
                pass  # reported below, per case type, with the case the rules disagree on
            elif found is None:
                findings.append(_dead_question(ruleset, decl, examples, seed))
                continue
            else:
                seen[qid].add("applies")
                record(found)
        for case_type in _case_types_named(decl):
            if case_type in applies_for[qid] or case_type not in ruleset.case_types:
                continue
            found = search(_focused_cases(ruleset, qid), functools.partial(_is_applying_of_type, ruleset, qid=qid, case_type=case_type),
                           examples * ROUTED_TRIES, seed)
            if found is not None:
                applies_for[qid].add(case_type)
                continue
            near = search(cases(ruleset), functools.partial(_applies_as_if, ruleset, qid=qid, case_type=case_type), examples, seed)
            message = f"[{qid}] names {case_type} cases in its rule but applied to none of the {case_type} cases tried (its rule: {_rule_text(decl)})"
            block = ""
            if near is not None:
                actual = _statuses(ruleset, near)["case_type"]
                message += f"; the rest of its rule holds for the case below, but the rules make that case {actual or 'undecided'}, not {case_type}"
                block = test_block(ruleset, near, f"[{qid}] applies to this {case_type} case", expect_applies=qid, expect_case_type=case_type)
            findings.append(Finding("dead for a case type", message, block))
        if "applies" in seen[qid] and "not_applicable" not in seen[qid]:
            # focused, as the search for 'applies' is: a rule is only decided 'no' where what it reads is given
            found = search(_focused_cases(ruleset, qid), functools.partial(_has_status, ruleset, qid=qid, status="not_applicable"),
                           examples * ROUTED_TRIES, seed)
            if found is None:
                findings.append(Finding("redundant condition", f"[{qid}] applied to every case that decided it: its rule ({_rule_text(decl)}) never excludes a case", ""))
    return findings


def _dead_question(ruleset: CheckedRules, decl: ast.QuestionDecl, examples: int, seed: int) -> Finding:
    """A dead question; for an 'and' rule, the part that never holds when the others do, with such a case."""
    message = f"[{decl.id}] applied to none of the cases tried (its rule: {_rule_text(decl)})"
    parts = _and_parts(decl.applies)
    for index, blocker in enumerate(parts if len(parts) > 1 else []):
        others = parts[:index] + parts[index + 1:]
        near = search(_focused_cases(ruleset, decl.id), functools.partial(_all_hold, ruleset, exprs=others), examples, seed)
        if near is not None:
            rest = " and ".join(format_expr(e) for e in others)
            message += f"; in the cases where '{rest}' holds, '{format_expr(blocker)}' never does"
            return Finding("dead question", message, test_block(ruleset, near, f"[{decl.id}] should apply to some case", expect_applies=decl.id))
    near = search(cases(ruleset), lambda c: _statuses(ruleset, c)["questions"][decl.id]["status"] == "not_applicable", examples, seed)
    block = test_block(ruleset, near, f"[{decl.id}] should apply to some case", expect_applies=decl.id) if near else ""
    return Finding("dead question", message, block)


def _focused_cases(ruleset: CheckedRules, question_id: str) -> st.SearchStrategy:
    """Cases that give everything the question's rule reads (but dates) and the facts the ``exclude when`` rules
    read, and nothing else.

    Random cases leave each fact out half the time, so a rule that needs many
    facts at once is rarely decided, and a case not known to be inspected is not
    routed at all; a question must not be called dead for that.
    What the rule does not read cannot change its status, so it is left out: the
    search draws only what matters, and a fact or question added elsewhere in the
    rules does not dilute it. Override answers the rule reads (through the case
    type) are given too: a case type an answer may still change is not decided.
    """
    from carag_dsl.tools.strategies import _int_hints, _value_strategy

    hints = _int_hints(ruleset)
    symbols = ruleset.symbols
    facts: dict[str, Any] = dict.fromkeys(symbols.facts)  # None: left out
    answers: dict[str, Any] = dict.fromkeys(symbols.questions)
    nodes = list(nx.ancestors(ruleset.graph, question_node(question_id)))
    nodes += [node for exclusion in symbols.exclusions for node in given_inputs(exclusion.condition, symbols)]
    for node in nodes:
        kind, _, name = node.partition(":")
        if kind == "fact":
            date = symbols.facts[name].type.kind == "date"  # drawn near the other dates, as every case's are
            facts[name] = _DRAWN if date else _value_strategy(symbols.facts[name].type, hints)
        elif kind == "question" and (answer := symbols.questions[name].answer) is not None:
            answers[name] = _value_strategy(answer, hints)
    return cases(ruleset, facts=_drawn_as_usual(facts), answers=_drawn_as_usual(answers))


_DRAWN = object()  # drawn as cases() draws it when not told


def _drawn_as_usual(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not _DRAWN}


def _parts_holding(ruleset: CheckedRules, case: dict, expr: ast.Expr) -> float:
    """How many parts of an 'and' rule hold for the case: the score that steers a search towards the rule."""
    return float(sum(1 for part in _and_parts(expr) if _holds(ruleset, case, part)))


def _and_parts(expr: ast.Expr | None) -> list[ast.Expr]:
    if expr is None:
        return []
    if isinstance(expr, ast.BoolOp) and expr.op == "and":
        return _and_parts(expr.left) + _and_parts(expr.right)
    return [expr]


def _is_applying_of_type(ruleset: CheckedRules, case: dict, qid: str, case_type: str) -> bool:
    result = _statuses(ruleset, case)
    return result["case_type"] == case_type and result["questions"][qid]["status"] == "applies"


def _rule_text(decl: ast.QuestionDecl) -> str:
    return "applies always" if decl.applies is None else "applies when " + format_expr(decl.applies)


# ------------------------------------------------------------------ constraints


def _impossible_constraints(ruleset: CheckedRules, examples: int, seed: int) -> list[Finding]:
    findings = []
    for constraint in ruleset.symbols.constraints:
        found = search(cases(ruleset), functools.partial(_gives_and_holds, ruleset, field=constraint.field, expr=constraint.expr), examples, seed)
        if found is not None:
            continue
        rejected = search(unchecked_cases(ruleset), functools.partial(_gives_and_fails_only_with, ruleset, field=constraint.field, message=constraint.message), examples, seed)
        block = test_block(ruleset, rejected, f"a case that gives {constraint.field}", expect_error=constraint.message) if rejected else ""
        findings.append(Finding("constraint rejects everything", f"no case that gives '{constraint.field}' meets its constraint 'requires {format_expr(constraint.expr)}', so every such case is rejected (message: {constraint.message})", block))
    return findings


def _has_status(ruleset: CheckedRules, case: dict, qid: str, status: str) -> bool:
    return bool(_statuses(ruleset, case)["questions"][qid]["status"] == status)


def _all_hold(ruleset: CheckedRules, case: dict, exprs: list[ast.Expr]) -> bool:
    return all(_holds(ruleset, case, expr) for expr in exprs)


def _gives_and_holds(ruleset: CheckedRules, case: dict, field: str, expr: ast.Expr) -> bool:
    return field in case["facts"] and _holds(ruleset, case, expr)


def _gives_and_fails_only_with(ruleset: CheckedRules, case: dict, field: str, message: str) -> bool:
    return field in case["facts"] and _only_error(ruleset, case, message)


def _holds(ruleset: CheckedRules, case: dict, expr: ast.Expr) -> bool:
    """Whether the expression is true (not false, not unknown) for the case."""
    scope = run(ruleset, read_case(ruleset, case))[0]
    return evaluate(expr, scope) is True


def _only_error(ruleset: CheckedRules, case: dict, message: str) -> bool:
    try:
        evaluate_case(ruleset, case, backend="reference")
    except CaragError as error:
        return message in str(error)
    return False


# ------------------------------------------------------------------ printing cases as tests


def test_block(ruleset: CheckedRules, case: dict, name: str, expect_applies: str | None = None,
               expect_case_type: str | None = None, expect_error: str | None = None) -> str:
    """A ``test`` block for the case: the expectation given (what the rules should do), or what the rules say
    about it now, under a comment that says so (a person confirms it before keeping the test)."""
    facts = tuple((k, _literal(ruleset.symbols.facts[k].type.kind, v)) for k, v in case["facts"].items())
    answers = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in case["answers"].items())
    expectations: list[ast.Expectation] = []
    if expect_error is not None:
        expectations.append(ast.Expectation("error", value=_short(expect_error)))
    else:
        try:
            result = evaluate_case(ruleset, case, backend="reference").to_dict()
        except CaragError as error:
            expectations.append(ast.Expectation("error", value=_short(str(error).split(": ", 2)[-1])))
            result = None
        except Exception:  # noqa: BLE001 -- a crashing case: no result to describe
            result = None
        if result is not None:
            case_type = expect_case_type or result["case_type"]
            if case_type is not None and CASE_TYPE_NODE in ruleset.graph:
                expectations.append(ast.Expectation("case_type", value=case_type))
            if expect_applies is not None:
                expectations.append(ast.Expectation("applies", (ast.AnswerRef(expect_applies),)))
            else:
                for status in ("applies", "not_applicable", "pending"):
                    refs = tuple(ast.AnswerRef(q) for q, r in result["questions"].items() if r["status"] == status and ruleset.symbols.questions[q].applies is not None)
                    if refs:
                        expectations.append(ast.Expectation(status, refs))
    block = format_module(ast.Module((ast.TestDecl(name, facts, answers, tuple(expectations)),)))
    # Only "should apply" (a dead question) is known to be intended; the rest records today's rules.
    return block if expect_applies is not None or not expectations else f"{RECORDS_TODAY_COMMENT}\n{block}"


def _literal(kind: str, value: Any) -> Any:
    if kind == "date" and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    if isinstance(value, list):
        return tuple(value)
    return value


def _short(message: str) -> str:
    return message if len(message) <= 60 else message[:60].rsplit(" ", 1)[0]


def render(findings: list[Finding]) -> str:
    if not findings:
        return "no findings"
    lines = []
    for number, finding in enumerate(findings, start=1):
        lines.append(f"finding {number}: {finding.kind}: {finding.message}")
        if finding.test_block:
            lines.append("")
            lines.extend("    " + line if line else "" for line in finding.test_block.rstrip("\n").split("\n"))
        lines.append("")
    lines.append(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}")
    return "\n".join(lines)


__all__ = ["Finding", "fuzz", "render", "search", "test_block"]
