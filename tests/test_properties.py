"""Properties of the engine over generated cases and rule sets (Hypothesis, bounded budget: see conftest.py).

Evaluation is monotone with no exceptions on every back end (more data only settles what was pending),
deterministic, and blind to key order; formatting round-trips; cycles are reported exactly when they
exist; and the parser and compiler answer any text with a result or a CaragError.
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from carag_dsl import load, loads

from carag_dsl.compiler import graph
from carag_dsl.errors import CaragError, CaseDataError, RuleError
from carag_dsl.runtime.columnar import evaluate_cases, result_dicts
from carag_dsl.language.formatter import format_module
from carag_dsl.language.parser import parse
from carag_dsl.compiler.symbols import collect
from carag_dsl.testing import cases, rule_set_modules, rule_sets
from carag_dsl.tools.fuzz import monotonicity_break
from carag_dsl.tools.strategies import override_questions_of

REPO = Path(__file__).resolve().parent.parent
CARAG = load()
OVERRIDE_QUESTIONS = set(override_questions_of(CARAG))


def _smaller(draw, larger: dict) -> dict:
    """The same case with some of its facts and answers removed."""
    return {
        "id": larger["id"],
        "facts": {k: v for k, v in larger["facts"].items() if draw(st.booleans())},
        "answers": {k: v for k, v in larger["answers"].items() if draw(st.booleans())},
    }


@st.composite
def smaller_and_larger(draw):
    """A case of the CARaG, and the same case with some of its facts and answers removed."""
    larger = draw(cases(CARAG))
    return _smaller(draw, larger), larger


@st.composite
def rule_set_smaller_and_larger(draw):
    """A generated rule set (exclusions and case types without 'otherwise' included), a case, and the case with less."""
    _, ruleset = draw(rule_sets(every_routing=True))
    larger = draw(cases(ruleset))
    return ruleset, _smaller(draw, larger), larger


def results_on_every_back_end(ruleset, case: dict) -> list[dict]:
    """The result of a case from the reference evaluator, the compiled function and the columnar engine."""
    results = [ruleset.evaluate(case, backend=backend).to_dict() for backend in ("reference", "compiled")]
    (columnar,) = result_dicts(evaluate_cases(ruleset, [case]))
    assert not isinstance(columnar, str), columnar
    return results + [columnar]


def assert_monotone(ruleset, smaller: dict, larger: dict) -> None:
    try:
        large_results = results_on_every_back_end(ruleset, larger)
    except CaseDataError:
        return  # the case is not valid (a derived value answered otherwise): nothing to compare
    for small, large in zip(results_on_every_back_end(ruleset, smaller), large_results, strict=True):
        assert monotonicity_break(small, large) is None, (smaller, larger)


@given(smaller_and_larger())
def test_adding_data_to_a_carag_case_never_changes_a_decided_result_on_any_back_end(pair):
    assert_monotone(CARAG, *pair)


@given(rule_set_smaller_and_larger())
def test_adding_data_never_changes_a_decided_result_on_any_back_end_for_generated_rule_sets(triple):
    assert_monotone(*triple)


# The changes the property once let through as "declared exceptions" (issue 22): the case that decided too
# early now leaves the result pending, and more data settles it.
LICENCE_RESET = {"terminated": False, "sentence": "licence", "suspension": "reset"}
ONCE_DECLARED_EXCEPTIONS = [
    # 2.0.20a = yes with the dates unknown: the dates may still make the case core.
    ({"facts": LICENCE_RESET, "answers": {"2.0.20a": "yes"}},
     {"facts": {**LICENCE_RESET, "start_date": "2025-01-01", "suspension_date": "2025-04-11"}, "answers": {"2.0.20a": "yes"}}),
    # Nothing said about termination: not known whether the case is inspected, until the termination date says.
    ({"facts": {"sentence": "community", "suspension": "none", "start_date": "2025-01-01"}, "answers": {}},
     {"facts": {"sentence": "community", "suspension": "none", "start_date": "2025-01-01", "terminated": True,
                "termination_date": "2025-01-08"}, "answers": {}}),
]


def test_the_once_declared_exceptions_now_leave_the_result_pending_until_more_data_settles_it():
    for smaller, larger in ONCE_DECLARED_EXCEPTIONS:
        small = CARAG.evaluate(smaller).to_dict()
        assert small["case_type"] is None and small["questions"]["2.3.01"]["status"] == "pending"
        assert_monotone(CARAG, smaller, larger)
        large = CARAG.evaluate(larger).to_dict()
        assert large["case_type"] == "core" or isinstance(large["excluded"], str)


@given(smaller_and_larger())
def test_once_a_case_is_known_to_be_excluded_more_data_keeps_it_excluded_for_the_same_reason(pair):
    smaller, larger = pair
    small = CARAG.evaluate(smaller).to_dict()
    large = CARAG.evaluate(larger).to_dict()
    if isinstance(small["excluded"], str):
        assert large["excluded"] == small["excluded"]
    if large["excluded"] is not None:  # excluded, or not known whether inspected: no routing
        assert large["case_type"] is None and large["warnings"] == []
        status = "not_applicable" if isinstance(large["excluded"], str) else "pending"
        assert {q["status"] for q in large["questions"].values()} == {status}


# What each override answer asks for, read from the rule set's overrides.
ASKED = {("2.0.19a", "yes"): "core", ("2.0.19a", "no"): "adjusted", ("2.0.20a", "yes"): "adjusted", ("2.0.20a", "no"): "core"}


@given(cases(CARAG, terminated=False))
def test_override_answers_may_only_make_an_adjusted_case_core_and_decide_only_where_the_facts_allow_it(case):
    facts_only = CARAG.evaluate({**case, "answers": {k: v for k, v in case["answers"].items() if k not in OVERRIDE_QUESTIONS}}).to_dict()
    result = CARAG.evaluate(case).to_dict()
    asked = {ASKED[(q, case["answers"][q])] for q in OVERRIDE_QUESTIONS if q in case["answers"]}
    if facts_only["excluded"] is not None:
        assert result["case_type"] is None
        return
    if not asked:  # an adjusted case stays pending: the inspector may still make it core
        assert result["case_type"] in (None, "core")
        assert result["case_type"] is None or facts_only["case_type"] in (None, "core")
        return
    (wanted,) = asked  # the strategy repairs contradicting answers
    # Without the answers the rules may give either type, so their case type is never 'adjusted' by itself.
    by_facts = {True: "core"}.get(facts_only["case_type"] == "core")
    if wanted == "core":  # an answer may make any case core
        assert result["case_type"] == "core"
    elif by_facts == "core":  # the facts make it core; an answer asking for adjusted is refused, with a warning
        assert result["case_type"] == "core"
        assert any(w.startswith("case type: the answers (") for w in result["warnings"])
    else:  # adjusted only where the facts certainly make it so
        assert result["case_type"] in ("adjusted", None)


@given(cases(CARAG))
def test_evaluating_the_same_case_twice_gives_the_same_result_on_both_back_ends(case):
    first = CARAG.evaluate(case).to_dict()
    assert CARAG.evaluate(case).to_dict() == first
    assert CARAG.evaluate(case, backend="reference").to_dict() == first


@given(cases(CARAG))
def test_the_order_of_keys_in_the_case_does_not_matter(case):
    reordered = {
        "answers": dict(reversed(list(case["answers"].items()))),
        "facts": dict(reversed(list(case["facts"].items()))),
        "id": case["id"],
    }
    assert CARAG.evaluate(reordered).to_dict() == CARAG.evaluate(case).to_dict()


@given(rule_set_modules())
def test_parsing_the_formatted_text_of_a_generated_rule_set_gives_the_same_tree(module):
    text = format_module(module)
    again = parse(text)
    assert again == module
    assert format_module(again) == text


@given(rule_sets())
def test_generated_rule_sets_compile_with_an_acyclic_graph(pair):
    _, ruleset = pair
    assert nx.is_directed_acyclic_graph(ruleset.graph)


@st.composite
def question_webs(draw):
    """Questions whose rules read any other questions' answers (themselves included): cycles may happen."""
    count = draw(st.integers(1, 5))
    lines = []
    for index in range(count):
        reads = draw(st.lists(st.integers(0, count - 1), max_size=2, unique=True))
        condition = " or ".join(f"[W {r}] == yes" for r in reads)
        lines.append(f'question "W {index}" prompt text "W {index}?" answer yes_no' + (f" applies when {condition}" if reads else ""))
    return "\n".join(lines)


@given(question_webs())
def test_the_compiler_reports_a_cycle_exactly_when_the_questions_read_each_other_in_a_loop(text):
    symbols, _ = collect([parse(text)])
    has_cycle = not nx.is_directed_acyclic_graph(graph.build(symbols))
    try:
        loads(text)
    except RuleError as error:
        codes = {d.code for d in error.diagnostics}
        assert codes == {"dependency-cycle"} and has_cycle
    else:
        assert not has_cycle


RULE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((REPO / "questions").rglob("*.carag"))]
_TOKEN = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"|\[[^\]\n]*\]|\S+')


@st.composite
def mutated_rule_text(draw):
    """Real rule text with tokens deleted, duplicated, swapped or replaced by random characters."""
    tokens = _TOKEN.findall(draw(st.sampled_from(RULE_TEXTS)))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(tokens) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "random"]))
        if operation == "delete" and len(tokens) > 1:
            del tokens[i]
        elif operation == "duplicate":
            tokens.insert(i, tokens[i])
        elif operation == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        else:
            tokens[i] = draw(st.text(max_size=6))
    return "\n".join(" ".join(tokens[k:k + 8]) for k in range(0, len(tokens), 8))


def _compile_and_evaluate(text: str) -> None:
    try:
        ruleset = loads(text)
        ruleset.evaluate({"facts": {}, "answers": {}})
    except CaragError:
        pass  # the one kind of error allowed


@given(mutated_rule_text())
def test_mutated_rule_text_gives_a_rule_set_or_a_carag_error(text):
    _compile_and_evaluate(text)


@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_random_text_gives_a_rule_set_or_a_carag_error(text):
    _compile_and_evaluate(text)


def test_the_bundled_rule_set_round_trips_through_the_formatter():
    for text in RULE_TEXTS:
        module = parse(text)
        assert parse(format_module(module)) == module
