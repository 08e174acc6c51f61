"""The case space of carag_dsl.analysis is exact: checked against brute force on generated rule sets.

Exact means two things, both checked on small generated rule sets (Hypothesis):

- no finding without a witness: every region the space says is non-empty has a
  witness that the reference evaluator accepts and that lands where the space says
  (status of every question, case type);
- no missed finding: every concrete case of a brute-force pool (every option,
  missing values, dates on and beside every boundary) that the engine accepts falls
  in a non-empty class whose statuses and case type are the engine's own, and
  every case the engine rejects falls in no class at all.
"""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

import attrs

from carag_dsl.analysis import UNTIMED, CaseSpace
from carag_dsl.compiler import types as T
from carag_dsl.errors import CaseDataError
from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.testing import rule_sets
from carag_dsl.tools.strategies import anchor_dates, boundary_days

POOL_SIZE = 400
#: Room for every generated rule set: three dates compared with each other in five ways can take more
#: feasibility checks than lint's budget (what is checked here is exactness, not the budget).
ROOMY = attrs.evolve(UNTIMED, cells=200_000)


def _fact_pool(rules, ints: list[int] | None = None) -> list[list[tuple[str, object]]]:
    """Per fact, the values brute force tries: missing, every option, ints (``ints``, or those at every boundary)
    and dates at every boundary."""
    anchors = [d.isoformat() for d in anchor_dates(rules)]
    offsets = boundary_days(rules)
    ints = ints or sorted({v for a in range(-1, 2) for v in (0, 50 + a, 100 + a)} | {n.value + d for e in _exprs(rules) for n in _ints(e) for d in (-1, 0, 1)})
    pools = []
    for name, decl in rules.symbols.facts.items():
        kind = decl.type.kind
        if kind == "bool":
            values = [True, False]
        elif kind == "int":
            values = ints
        elif kind == "date":
            values = anchors + [("offset", o) for o in offsets]
        elif kind == "any":
            codes = T.option_codes(decl.type)
            values = [list(s) for n in range(len(codes) + 1) for s in itertools.combinations(codes, n)]
        else:
            values = list(T.option_codes(decl.type))
        pools.append([(name, None)] + [(name, v) for v in values])
    return pools


def _exprs(rules):
    from carag_dsl.analysis.variables import all_expressions

    return list(all_expressions(rules))


def _ints(expr):
    from carag_dsl.language import ast

    return [n for n in ast.walk(expr) if isinstance(n, ast.IntLit)]


def _answer_pool(rules) -> list[list[tuple[str, object]]]:
    pools = []
    for qid, decl in rules.symbols.questions.items():
        if decl.answer is None:
            continue
        codes = T.option_codes(decl.answer)
        if decl.answer.kind == "any":
            values: list = [list(s) for n in range(len(codes) + 1) for s in itertools.combinations(codes, n)]
        else:
            values = list(codes)
        pools.append([(qid, None)] + [(qid, v) for v in values])
    return pools


def _brute_force_cases(rules, size: int, seed: int, ints: list[int] | None = None):
    """Every combination of the pools, or a fixed random sample of them when there are more than ``size``."""
    import datetime

    pools = _fact_pool(rules, ints) + _answer_pool(rules)
    total = 1
    for pool in pools:
        total *= len(pool)
    rng = random.Random(seed)
    combos = itertools.product(*pools) if total <= size else ([rng.choice(p) for p in pools] for _ in range(size))
    for combo in combos:
        facts, answers = {}, {}
        first_date = None
        for name, value in combo:
            if value is None:
                continue
            if name in rules.symbols.facts:
                if isinstance(value, tuple):  # a date at an offset from the first date given
                    if first_date is None:
                        continue
                    value = (first_date + datetime.timedelta(days=value[1])).isoformat()
                if rules.symbols.facts[name].type.kind == "date" and first_date is None:
                    first_date = datetime.date.fromisoformat(value)
                facts[name] = value
            else:
                answers[name] = value
        yield {"id": "brute", "facts": facts, "answers": answers}


def _outcome(rules, case):
    try:
        result = evaluate_case(rules, case, backend="reference").to_dict()
    except CaseDataError:
        return None
    return result


@settings(max_examples=25)
@given(rule_sets())
def test_every_case_of_brute_force_falls_in_the_class_the_space_gives_it(pair):
    _check_against_brute_force(*pair)


def _check_against_brute_force(text, rules, pool_size: int = POOL_SIZE, ints: list[int] | None = None):
    space = CaseSpace(rules, budget=ROOMY)
    statuses = {qid: space.reported_status(qid) for qid in rules.symbols.questions}  # what results report (exclusions too)
    case_types = space.reported_case_type()
    for case in _brute_force_cases(rules, pool_size, seed=len(text), ints=ints):
        region = space.region_of(case)
        result = _outcome(rules, case)
        if result is None:
            assert region.is_empty, (text, case)
            continue
        assert not region.is_empty, (text, case)
        assert (region - case_types.get(_ct(result), space.nothing)).is_empty, (text, case, result["case_type"])
        for qid, answer in result["questions"].items():
            assert (region - statuses[qid][answer["status"]]).is_empty, (text, case, qid, answer["status"])


def _ct(result):
    from carag_dsl.runtime.logic import UNKNOWN

    return UNKNOWN if result["case_type"] is None else result["case_type"]


@settings(max_examples=25)
@given(rule_sets())
def test_every_witness_of_a_non_empty_region_evaluates_to_what_the_region_says(pair):
    _check_witnesses(*pair)


def _check_witnesses(text, rules):
    space = CaseSpace(rules, budget=ROOMY)
    for qid in rules.symbols.questions:
        for status, region in space.reported_status(qid).items():
            witness = space.witness(region)
            if region.is_empty:
                assert witness is None
                continue
            result = _outcome(rules, witness)
            assert result is not None, (text, witness)
            assert result["questions"][qid]["status"] == status, (text, qid, status, witness)
    for value, region in space.reported_case_type().items():
        if region.is_empty:  # possible in the BDD, yet no accepted case (an exclusion or constraint removes it)
            assert space.witness(region) is None
            continue
        result = _outcome(rules, space.witness(region))
        assert result is not None and _ct(result) == value, (text, value)


# ------------------------------------------------------------------ multi-choice fields split by the options read

_SET_OPTIONS = ("a", "b", "c", "d", "e")  # e is never written in a rule: only its presence can matter


@st.composite
def _set_rule_texts(draw) -> str:
    """Rule sets reading two ``any of`` facts and an ``any of`` answer in every way the language allows: a code
    or an option fact in them, emptiness, equality with literals and with a define of the same field, through an
    ``if``; the same codes are options of several fields, so naming one is not reading another."""
    literal = st.lists(st.sampled_from(_SET_OPTIONS[:4]), min_size=1, max_size=3, unique=True).map(lambda m: "{" + ", ".join(m) + "}")
    code = st.sampled_from(_SET_OPTIONS[:4])
    field = st.sampled_from(("tags", "other", "[Q0]", "picked"))
    of_tags = st.sampled_from(("tags", "picked"))  # fields of one enumeration (others cannot be compared)
    leaf = st.one_of(
        st.builds("{} in {}".format, code, field),
        st.builds("{} not in {}".format, code, field),
        st.builds("kind in {}".format, st.sampled_from(("tags", "other", "picked"))),
        st.builds("{} is empty".format, field),
        st.builds("{} is not empty".format, field),
        st.builds("{} {} {}".format, field, st.sampled_from(("==", "!=")), literal),
        st.builds("{} {} {}".format, of_tags, st.sampled_from(("==", "!=")), of_tags),
        st.builds("kind in {}".format, literal),
        st.just("flag"),
    )
    condition = st.recursive(leaf, lambda inner: st.one_of(
        st.builds("({} and {})".format, inner, inner), st.builds("({} or {})".format, inner, inner), st.builds("not ({})".format, inner),
    ), max_leaves=3)
    options = ", ".join(_SET_OPTIONS)
    picked_else = draw(literal)
    questions = "".join(
        f'question "Q{i}" prompt\n    text "Q{i}"\n    applies when {draw(condition)}\n    answer yes_no\n' for i in (1, 2)
    )
    return ('ruleset "sets" version "1" published 2025-01-01\n'
            f"fact kind: one of {options}\nfact tags: any of {options}\nfact other: any of {options}\nfact flag: bool\n"
            f"define picked = if flag then tags else {picked_else}\n"
            f'question "Q0" prompt\n    text "Q0"\n    applies always\n    answer any of {options}\n'
            + questions)


@settings(max_examples=15, deadline=None)
@given(_set_rule_texts())
def test_any_of_fields_split_by_the_options_read_agree_with_brute_force(text):
    from carag_dsl.compiler.ruleset import loads

    rules = loads(text)
    _check_against_brute_force(text, rules, pool_size=300)
    _check_witnesses(text, rules)


# ------------------------------------------------------------------ whole numbers added up, split into ranges


@st.composite
def _sum_rule_texts(draw) -> str:
    """Rule sets adding up whole numbers: the sums of ``if``s of issue 24, plain sums and differences, ``if``s
    of constants, each compared with a constant, beside comparisons of one number."""
    name = st.sampled_from(("a", "b", "c"))
    constant = st.integers(0, 6)
    summand = st.one_of(
        st.builds("(if {0} > {1} then {0} else {2})".format, name, st.integers(0, 1), st.integers(0, 2)),
        st.builds("(if flag then {} else {})".format, name, constant),
        name, constant.map(str),
    )
    total = st.builds(lambda first, rest: first + "".join(f" {op} {term}" for op, term in rest),
                      summand, st.lists(st.tuples(st.sampled_from(("+", "+", "-")), summand), min_size=1, max_size=3))
    leaf = st.one_of(
        st.builds("{} {} {}".format, total, st.sampled_from(("<", "<=", ">", ">=", "==", "!=")), constant),
        st.builds("{} {} {}".format, name, st.sampled_from(("<", ">=", "==")), constant),
        st.just("flag"),
    )
    condition = st.recursive(leaf, lambda inner: st.one_of(
        st.builds("({} and {})".format, inner, inner), st.builds("({} or {})".format, inner, inner), st.builds("not ({})".format, inner),
    ), max_leaves=3)
    questions = "".join(
        f'question "Q{i}" prompt\n    text "Q{i}"\n    applies when {draw(condition)}\n    answer yes_no\n' for i in (1, 2)
    )
    return ('ruleset "sums" version "1" published 2025-01-01\nfact a: int\nfact b: int\nfact c: int\nfact flag: bool\n'
            f"define total = {draw(total)}\n" + questions)


_SUM_INTS = [-40, -9, -8, -7, -3, -2, -1, 0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 40]


@settings(max_examples=20, deadline=None)
@given(_sum_rule_texts())
def test_whole_numbers_added_up_split_into_ranges_agree_with_brute_force_or_are_not_analysed(text):
    """Where the ranges decide every comparison, the space is exact; where they cannot, it says so (never a guess)."""
    from carag_dsl.analysis import AnalysisUnsupported
    from carag_dsl.compiler.ruleset import loads

    rules = loads(text)
    try:
        _check_against_brute_force(text, rules, pool_size=300, ints=_SUM_INTS)
        _check_witnesses(text, rules)
    except AnalysisUnsupported as error:
        assert "not decided by their classes" in str(error), error


def test_a_sum_of_ifs_of_each_number_at_least_zero_is_decided_by_ranges():
    """The sums of issue 24 (before: 'adds more than two of them', or past the budget's forms at 13)."""
    from carag_dsl.compiler.ruleset import loads

    text = ('ruleset "sums" version "1" published 2025-01-01\nfact a: int\nfact b: int\nfact c: int\nfact flag: bool\n'
            "define total = (if a > 0 then a else 0) + (if b > 0 then b else 0) + (if c > 0 then c else 0)\n"
            'question "Q1" prompt\n    text "Q1"\n    applies when total >= 6\n    answer yes_no\n')
    rules = loads(text)
    _check_against_brute_force(text, rules, pool_size=2000, ints=_SUM_INTS)
    _check_witnesses(text, rules)
