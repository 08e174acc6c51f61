"""Properties of the engine over generated cases and rule sets (Hypothesis, bounded budget: see conftest.py).

Evaluation is monotone except through overrides and exclusions, deterministic, and blind to
key order; formatting round-trips; cycles are reported exactly when they
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
from carag_dsl.errors import CaragError, RuleError
from carag_dsl.language.formatter import format_module
from carag_dsl.language.parser import parse
from carag_dsl.compiler.symbols import collect
from carag_dsl.testing import cases, rule_set_modules, rule_sets
from carag_dsl.tools.strategies import override_questions_of

REPO = Path(__file__).resolve().parent.parent
CARAG = load()
OVERRIDE_QUESTIONS = set(override_questions_of(CARAG))


@st.composite
def smaller_and_larger(draw):
    """A case, and the same case with some of its facts and answers removed."""
    larger = draw(cases(CARAG))
    smaller = {
        "id": "smaller",
        "facts": {k: v for k, v in larger["facts"].items() if draw(st.booleans())},
        "answers": {k: v for k, v in larger["answers"].items() if draw(st.booleans())},
    }
    return smaller, larger


def monotonicity_break(smaller: dict, larger: dict, declared_exceptions: bool = True) -> str | None:
    """How adding data (``larger`` holds all of ``smaller``) changed a decided status or case type, or None.

    With ``declared_exceptions``, the changes the rules declare are not breaks; each is checked by a
    property of its own below: override answers (the facts that decide the case type may come after
    them), exclusions, and answers to judgements whose value was derived.
    """
    added = set(larger["answers"]) - set(smaller["answers"])
    small = CARAG.evaluate(smaller).to_dict()
    large = CARAG.evaluate(larger).to_dict()
    if declared_exceptions:
        if set(larger["answers"]) & OVERRIDE_QUESTIONS or any(small["questions"][q]["source"] == "derived" for q in added):
            return None
        if large["excluded"] is not None:
            return None
    if small["case_type"] is not None and large["case_type"] != small["case_type"]:
        return f"case type {small['case_type']} became {large['case_type']}"
    for qid, result in small["questions"].items():
        if result["status"] != "pending" and large["questions"][qid]["status"] != result["status"]:
            return f"{qid}: {result['status']} became {large['questions'][qid]['status']}"
    return None


@given(smaller_and_larger())
def test_adding_data_never_changes_a_decided_status_or_case_type_except_through_overrides_and_exclusions(pair):
    assert monotonicity_break(*pair) is None


LICENCE_RESET = {"sentence": "licence", "suspension": "reset"}
DECLARED_EXCEPTIONS = [
    # 2.0.20a = yes decides 'adjusted' while the dates are unknown; a suspension on day 100 makes the case core.
    ({"facts": LICENCE_RESET, "answers": {"2.0.20a": "yes"}},
     {"facts": {**LICENCE_RESET, "start_date": "2025-01-01", "suspension_date": "2025-04-11"}, "answers": {"2.0.20a": "yes"}}),
    # A core case whose termination date (day 7) then says it is not inspected: no routing at all.
    ({"facts": {"sentence": "community", "suspension": "none", "start_date": "2025-01-01"}, "answers": {}},
     {"facts": {"sentence": "community", "suspension": "none", "start_date": "2025-01-01", "termination_date": "2025-01-08"}, "answers": {}}),
]


def test_the_declared_exceptions_change_decided_statuses_and_are_the_only_changes_the_property_lets_through():
    for smaller, larger in DECLARED_EXCEPTIONS:
        assert monotonicity_break(smaller, larger, declared_exceptions=False) is not None, (smaller, larger)
        assert monotonicity_break(smaller, larger) is None


@given(smaller_and_larger())
def test_once_a_case_is_known_to_be_excluded_more_data_keeps_it_excluded_for_the_same_reason(pair):
    smaller, larger = pair
    small = CARAG.evaluate(smaller).to_dict()
    large = CARAG.evaluate(larger).to_dict()
    if small["excluded"] is not None:
        assert large["excluded"] == small["excluded"]
    if large["excluded"] is not None:  # an excluded case has no routing
        assert large["case_type"] is None and large["warnings"] == []
        assert {q["status"] for q in large["questions"].values()} == {"not_applicable"}


# What each override answer asks for, read from the rule set's overrides.
ASKED = {("2.0.19a", "yes"): "core", ("2.0.19a", "no"): "adjusted", ("2.0.20a", "yes"): "adjusted", ("2.0.20a", "no"): "core"}


@given(cases(CARAG))
def test_override_answers_decide_where_the_facts_do_not_and_may_only_make_an_adjusted_case_core(case):
    facts_only = CARAG.evaluate({**case, "answers": {k: v for k, v in case["answers"].items() if k not in OVERRIDE_QUESTIONS}}).to_dict()
    result = CARAG.evaluate(case).to_dict()
    asked = {ASKED[(q, case["answers"][q])] for q in OVERRIDE_QUESTIONS if q in case["answers"]}
    if facts_only["excluded"] is not None or not asked:
        assert result["case_type"] == facts_only["case_type"]
        return
    (wanted,) = asked  # the strategy repairs contradicting answers
    by_facts = facts_only["case_type"]
    if by_facts is None or by_facts == wanted or by_facts == "adjusted":
        assert result["case_type"] == wanted
    else:  # the facts make it core; an answer asking for adjusted is refused, with a warning
        assert result["case_type"] == "core"
        assert any(w.startswith("case type: the answers (") for w in result["warnings"])


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
