"""Hypothesis strategies for testing rule sets (needs the ``hypothesis`` extra).

``cases(ruleset, **overrides)``
    Case dicts (``{"id", "facts", "answers"}``, JSON-shaped: dates as
    ``"YYYY-MM-DD"``, multi-choice answers as lists) that ``CheckedRules.evaluate``
    accepts for any compiled rule set. Every fact and answer may be missing,
    and shrinking removes them first, so a failing example shrinks to the few
    values that matter. Values follow the declarations (types and options);
    dates cluster around the boundaries the rules mention: every date literal
    (and the days beside it), month ends, 29 February, and for a second date
    the durations of the rules (``56 days`` gives 55, 56 and 57 days after the
    first date). Constraints are kept by repair: a fact that breaks a
    constraint is dropped (for CARaG: a ``suspension_date`` with
    ``suspension = none`` or before ``start_date``), and override answers that
    contradict each other are dropped until one is left, so no case is
    rejected by the engine.

    ``overrides``: keyword arguments name facts (``sentence="licence"``); the
    keys ``facts`` and ``answers`` take dicts (``answers={"X 6": "yes"}``),
    needed for question ids. Each value is either a plain JSON value (fixed in
    every case), ``None`` (always missing), or a Hypothesis strategy drawing
    JSON values. Fixed values are never repaired away; drawn cases whose fixed
    values break a constraint are filtered out (so do not fix values that
    always break one: Hypothesis would report that it cannot find cases).

``rule_sets()``
    Small valid rule sets as ``(text, CheckedRules)`` pairs: ASTs built from
    :mod:`carag_dsl.ast` nodes (facts of every kind, defined names, a case type
    with overrides, questions reading facts, defined names, the case type and
    earlier answers, consistency rules, and test blocks), printed with :func:`carag_dsl.formatter.format_module`
    and compiled with :func:`carag_dsl.loads`. Nothing is generated from the grammar as text.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any, TypeGuard, TypeVar

from hypothesis import strategies as st

from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.language import ast
from carag_dsl.errors import CaseDataError
from carag_dsl.language.formatter import format_module
from carag_dsl.compiler.graph import expression_inputs
from carag_dsl.compiler.ruleset import CheckedRules, compile_text

_Rules = TypeVar("_Rules", bound=CheckedRules)

__all__ = ["cases", "unchecked_cases", "rule_sets", "rule_set_modules", "boundary_days", "anchor_dates"]

_MISSING = object()
_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}


# ------------------------------------------------------------------ what the rules mention


def boundary_days(ruleset: CheckedRules) -> tuple[int, ...]:
    """Day offsets worth trying between two dates: 0 and ±1, and each duration of the rules and the days beside it."""
    days = {0, 1, -1}
    for expr in ruleset.symbols.expressions():
        for node in ast.walk(expr):
            if isinstance(node, ast.DurationLit) and node.unit in _UNIT_DAYS:
                n = node.amount * _UNIT_DAYS[node.unit]
                days.update({n - 1, n, n + 1, -n})
    return tuple(sorted(days))


def anchor_dates(ruleset: CheckedRules) -> tuple[datetime.date, ...]:
    """Dates worth trying first: the rules' date literals and the days beside them, month ends, 29 February."""
    found: set[datetime.date] = set()
    for expr in ruleset.symbols.expressions():
        for node in ast.walk(expr):
            if isinstance(node, ast.DateLit):
                for delta in (-1, 0, 1):
                    try:
                        found.add(node.value + datetime.timedelta(days=delta))
                    except OverflowError:
                        pass
    for year in (2024, 2025):
        for month in (1, 2, 3, 6, 12):
            found.add(datetime.date(year, month, calendar.monthrange(year, month)[1]))
    found.update({datetime.date(2024, 2, 29), datetime.date(2024, 3, 1), datetime.date(2025, 1, 1)})
    return tuple(sorted(found))


# ------------------------------------------------------------------ cases


def _value_strategy(type_expr: ast.TypeExpr, int_hints: tuple[int, ...]) -> st.SearchStrategy:
    from carag_dsl.compiler import types as T

    kind = type_expr.kind
    if kind == "bool":
        return st.booleans()
    if kind == "int":
        return st.sampled_from(int_hints) | st.integers(0, 1000) if int_hints else st.integers(0, 1000)
    if kind == "text":
        return st.text(max_size=12)
    codes = T.option_codes(type_expr)
    if kind == "any":
        return st.lists(st.sampled_from(codes), unique=True, max_size=len(codes)) if codes else st.just([])
    return st.sampled_from(codes)


def _int_hints(ruleset: CheckedRules) -> tuple[int, ...]:
    hints = set()
    for expr in ruleset.symbols.expressions():
        for node in ast.walk(expr):
            if isinstance(node, ast.IntLit):
                hints.update({max(0, node.value - 1), node.value, node.value + 1})
    return tuple(sorted(hints))


def _optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """Missing first (that is what shrinking goes to), then a value."""
    return st.one_of(st.just(_MISSING), strategy)


def override_questions_of(ruleset: CheckedRules) -> list[str]:
    decl = ruleset.symbols.case_type
    if decl is None:
        return []
    found: list[str] = []
    for override in decl.overrides:
        for node in expression_inputs(override.condition, ruleset.symbols):
            if node.startswith("question:") and node[9:] not in found:
                found.append(node[9:])
    return found


def cases(ruleset: CheckedRules, **overrides: Any) -> st.SearchStrategy[dict[str, Any]]:
    """A strategy of valid case dicts for ``ruleset`` (see the module documentation for ``overrides``)."""
    return _cases(ruleset, True, overrides)


def unchecked_cases(ruleset: CheckedRules) -> st.SearchStrategy[dict[str, Any]]:
    """Like :func:`cases`, without the repair: the engine may reject these (constraints, contradicting overrides)."""
    return _cases(ruleset, False, {})


def _cases(ruleset: CheckedRules, repair: bool, overrides: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    fact_overrides = dict(overrides.pop("facts", None) or {})
    answer_overrides = dict(overrides.pop("answers", None) or {})
    fact_overrides.update(overrides)
    symbols = ruleset.symbols
    for name in fact_overrides:
        if name not in symbols.facts:
            raise ValueError(f"cases(): the rule set has no fact {name!r}")
    for qid in answer_overrides:
        if qid not in symbols.questions:
            raise ValueError(f"cases(): the rule set has no question {qid!r}")
    anchors = anchor_dates(ruleset)
    offsets = boundary_days(ruleset)
    int_hints = _int_hints(ruleset)
    override_questions = override_questions_of(ruleset)
    answerable = {qid: d.answer for qid, d in symbols.questions.items() if d.answer is not None}

    def fixed_or_drawn(draw, given: Any) -> Any:
        if isinstance(given, st.SearchStrategy):
            return draw(given)
        return _MISSING if given is None else given

    @st.composite
    def draw_case(draw) -> dict[str, Any] | None:  # None: no repair could satisfy the constraints
        facts: dict[str, Any] = {}
        dates_drawn: list[datetime.date] = []
        for name, decl in symbols.facts.items():
            if name in fact_overrides:
                value = fixed_or_drawn(draw, fact_overrides[name])
                if decl.type.kind == "date" and isinstance(value, str):
                    try:  # later dates are drawn near it too
                        dates_drawn.append(datetime.date.fromisoformat(value))
                    except ValueError:
                        pass
            elif decl.type.kind == "date":
                value = draw(_optional(_date_strategy(anchors, offsets, tuple(dates_drawn))))
                if value is not _MISSING:
                    dates_drawn.append(value)
                    value = value.isoformat()
            else:
                value = draw(_optional(_value_strategy(decl.type, int_hints)))
            if value is not _MISSING:
                facts[name] = value
        answers: dict[str, Any] = {}
        for qid, answer_type in answerable.items():
            if qid in answer_overrides:
                value = fixed_or_drawn(draw, answer_overrides[qid])
            else:
                value = draw(_optional(_value_strategy(answer_type, int_hints)))
            if value is not _MISSING:
                answers[qid] = value
        case: dict[str, Any] = {"id": "generated", "facts": facts, "answers": answers}
        if not repair:
            return case
        return _repair(ruleset, case, set(fact_overrides), set(answer_overrides), override_questions)

    return draw_case().filter(_is_case)


def _is_case(case: dict[str, Any] | None) -> TypeGuard[dict[str, Any]]:
    return case is not None


def _shifted(base: datetime.date, days: int) -> datetime.date:
    """``base`` moved by ``days``, kept within the calendar (a rule may mention millions of days)."""
    try:
        return base + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def _date_strategy(anchors, offsets, earlier: tuple[datetime.date, ...]) -> st.SearchStrategy:
    plain = st.sampled_from(anchors) | st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31))
    if not earlier:
        return plain
    near = st.builds(_shifted, st.sampled_from(earlier), st.sampled_from(offsets))
    # A later date lands near an earlier one three times in four: that is where the boundaries are.
    return st.one_of(near, near, near, plain)


def _repair(ruleset: CheckedRules, case: dict, fixed_facts: set, fixed_answers: set, override_questions: list[str]) -> dict | None:
    """Drop drawn values until the engine accepts the case; None when only fixed values are to blame."""
    for _ in range(len(case["facts"]) + len(case["answers"]) + 1):
        try:
            evaluate_case(ruleset, case)
            return case
        except CaseDataError as error:
            problems = error.problems
        except Exception:  # noqa: BLE001 -- an engine bug: keep the case, so the test that draws it sees the crash
            return case
        dropped = False
        for problem in problems:
            section, _, name = problem.field.partition(".")
            if section == "facts" and name in case["facts"] and name not in fixed_facts:
                del case["facts"][name]
                dropped = True
            elif problem.field == "answers":  # contradicting overrides: drop the last drawn one
                given = [q for q in override_questions if q in case["answers"] and q not in fixed_answers]
                if given:
                    del case["answers"][given[-1]]
                    dropped = True
        if not dropped:
            return None
    return None


# ------------------------------------------------------------------ rule sets

_FACT_NAMES = ("alpha", "bravo", "charlie", "delta", "echo")
_CODES = ("opt_a", "opt_b", "opt_c")
_SAFE_TEXT = st.text(st.sampled_from('abc XYZ"\\\n-\'#é'), max_size=20).map(str.strip).filter(bool)


@st.composite
def _fact_decls(draw) -> list[ast.FactDecl]:
    count = draw(st.integers(1, 4))
    facts = []
    for name in _FACT_NAMES[:count]:
        kind = draw(st.sampled_from(("bool", "one", "date", "int", "any")))
        options: tuple = ()
        if kind in ("one", "any"):
            n = draw(st.integers(2, 3))
            options = tuple(ast.Option(f"{name}_{c}", draw(st.none() | _SAFE_TEXT)) for c in _CODES[:n])
        doc = draw(st.none() | _SAFE_TEXT)
        facts.append(ast.FactDecl(name, ast.TypeExpr(kind, options), doc))
    return facts


def _conditions(facts: list[ast.FactDecl], extra_leaves: list[st.SearchStrategy]) -> st.SearchStrategy[ast.Expr]:
    """Type-correct true/false expressions over the given facts (and extra leaves)."""
    leaves: list[st.SearchStrategy] = list(extra_leaves) + [st.builds(ast.BoolLit, st.booleans())]
    dates = [f.name for f in facts if f.type.kind == "date"]
    for fact in facts:
        name = ast.Name(fact.name)
        kind = fact.type.kind
        codes = tuple(o.code for o in fact.type.options)
        if kind == "bool":
            leaves.append(st.just(name))
        elif kind == "one":
            leaves.append(st.builds(lambda op, c, n=name: ast.Compare(op, n, ast.Name(c)), st.sampled_from(("==", "!=")), st.sampled_from(codes)))
            leaves.append(st.builds(lambda members, neg, n=name: ast.In(n, ast.SetLit(tuple(members)), neg), st.lists(st.sampled_from(codes), min_size=1, unique=True), st.booleans()))
        elif kind == "any":
            leaves.append(st.builds(lambda c, n=name: ast.In(ast.Name(c), n), st.sampled_from(codes)))
            leaves.append(st.builds(lambda neg, n=name: ast.IsEmpty(n, neg), st.booleans()))
        elif kind == "int":
            leaves.append(st.builds(lambda op, v, n=name: ast.Compare(op, n, ast.Arith("+", ast.IntLit(v), ast.IntLit(1))), st.sampled_from(("<", "<=", ">=")), st.integers(0, 99)))
        elif kind == "date":
            leaves.append(st.builds(lambda op, d, n=name: ast.Compare(op, n, ast.DateLit(d)), st.sampled_from(("<", "<=", ">")), st.dates(datetime.date(2023, 1, 1), datetime.date(2026, 12, 31))))
            for other in dates:
                if other != fact.name:
                    leaves.append(st.builds(
                        lambda op, days, unit, n=name, o=other: ast.Compare(op, n, ast.Arith("+", ast.Name(o), ast.DurationLit(days, unit))),
                        st.sampled_from(("<", "<=")), st.integers(1, 60), st.sampled_from(("days", "weeks")),
                    ))
                    leaves.append(st.builds(
                        lambda op, days, n=name, o=other: ast.Compare(op, ast.DaysBetween(ast.Name(o), n), ast.DurationLit(days, "days")),
                        st.sampled_from(("<=", ">")), st.integers(0, 60),
                    ))
    base = st.one_of(leaves)

    def extend(inner):
        return st.one_of(
            st.builds(ast.Not, inner),
            st.builds(ast.BoolOp, st.sampled_from(("and", "or")), inner, inner),
            st.builds(ast.If, inner, inner, inner),
        )

    return st.recursive(base, extend, max_leaves=5)


@st.composite
def _rule_set_modules(draw, every_routing: bool = False) -> ast.Module:
    items: list = [ast.Header("Generated rules", "0.1", datetime.date(2025, 1, 1))]
    facts = draw(_fact_decls())
    items += facts
    fact_conditions = _conditions(facts, [])
    defines = [ast.DefineDecl(f"rule_{i}", draw(fact_conditions), draw(st.none() | _SAFE_TEXT)) for i in range(draw(st.integers(0, 2)))]
    items += defines
    define_leaves = [st.just(ast.Name(d.name)) for d in defines]
    case_conditions = _conditions(facts, define_leaves)
    has_case_type = draw(st.booleans())
    questions: list[ast.QuestionDecl] = []
    qids = [f"Q {i}" for i in range(draw(st.integers(1, 4)))]
    override_qid = qids[0] if has_case_type and draw(st.booleans()) else None
    if has_case_type:
        overrides: tuple[ast.CaseOverride, ...] = ()
        if override_qid is not None:
            overrides = (
                ast.CaseOverride("core", ast.Compare("==", ast.AnswerRef(override_qid), ast.Name("yes")), draw(st.sampled_from((None, "adjusted")))),
                ast.CaseOverride("adjusted", ast.Compare("==", ast.AnswerRef(override_qid), ast.Name("no")), draw(st.sampled_from((None, "core")))),
            )
        rules = [ast.CaseRule("adjusted", draw(case_conditions))]
        if every_routing and draw(st.booleans()):  # no 'otherwise': the rules may give no type
            rules.append(ast.CaseRule("core", draw(case_conditions)))
        else:
            rules.append(ast.CaseRule("core", None))
        items.append(ast.CaseTypeDecl(tuple(rules), overrides))
    # Exclusions only when asked for (every_routing): generated ones would leave the analyses' witnesses
    # uninspected; the CARaG's own are compared in tests/test_carag_fidelity.py.
    if every_routing:
        for index in range(draw(st.integers(0, 2))):
            items.append(ast.ExcludeDecl(draw(fact_conditions), f"generated exclusion {index}"))
    # Warnings that keep the case: both back ends must agree on them too.
    if facts and draw(st.booleans()):
        items.append(ast.ConsistencyDecl(facts[0].name, False, draw(case_conditions), draw(_SAFE_TEXT)))
    items.append(ast.SectionDecl("Generated section", draw(st.none() | _SAFE_TEXT)))
    for index, qid in enumerate(qids):
        leaves: list[st.SearchStrategy[ast.Expr]] = list(define_leaves)
        if has_case_type and qid != override_qid:
            leaves.append(st.builds(lambda t: ast.Compare("==", ast.Name("case_type"), ast.Name(t)), st.sampled_from(("core", "adjusted"))))
        for earlier in qids[:index]:
            if earlier != override_qid:  # the override question is read only by the overrides
                leaves.append(st.just(ast.Compare("!=", ast.AnswerRef(earlier), ast.Name("no"))))
        if qid == override_qid:
            applies = None
        else:
            applies = draw(st.none() | _conditions(facts, leaves))
        answer = ast.TypeExpr("yes_no")
        kind = draw(st.sampled_from(("prompt", "information", "judgement")))
        derive: tuple[ast.Derive, ...] = ()
        if kind == "judgement" and qid != override_qid and defines and draw(st.booleans()):
            derive = (ast.Derive("yes", ast.Name(defines[0].name)),)
        questions.append(ast.QuestionDecl(
            qid, kind, text=draw(_SAFE_TEXT), label=draw(st.none() | _SAFE_TEXT),
            answer=answer, applies=applies, guidance=draw(st.none() | _SAFE_TEXT), derive=derive,
        ))
    items += questions
    if draw(st.booleans()):  # a consistency rule: a warning when the last question is answered against it
        answered_yes = [st.just(ast.Compare("==", ast.AnswerRef(q), ast.Name("yes"))) for q in qids[:-1]]
        items.append(ast.ConsistencyDecl(qids[-1], True, draw(_conditions(facts, answered_yes)), draw(_SAFE_TEXT).replace("\n", " ")))
    items.append(ast.TestDecl(
        draw(_SAFE_TEXT).replace("\n", " "),
        tuple((f.name, True) for f in facts if f.type.kind == "bool"),
        ((qids[-1], "yes"),),
        (ast.Expectation("applies", (ast.AnswerRef(qids[-1]),)),),
    ))
    return ast.Module(tuple(items))


def rule_sets(cls: type[_Rules] = CheckedRules, every_routing: bool = False) -> st.SearchStrategy[tuple[str, _Rules]]:  # type: ignore[assignment]
    """Small valid rule sets as ``(text, rules)``: generated ASTs printed by the formatter, then compiled to ``cls``.

    ``every_routing`` adds what routing can meet beyond the usual: ``exclude when`` rules, and case types
    whose rules may give no type (no ``otherwise``).
    """
    return _rule_set_modules(every_routing).map(lambda module: (format_module(module), compile_text(format_module(module), cls)))


def rule_set_modules() -> st.SearchStrategy[ast.Module]:
    """The ASTs behind :func:`rule_sets` (for properties of the formatter and the parser)."""
    return _rule_set_modules()
