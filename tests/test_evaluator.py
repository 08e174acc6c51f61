"""Three-valued evaluation: table-driven expression semantics, statuses, derivations, overrides."""

from __future__ import annotations

import pytest

from carag_dsl import CaseDataError, loads


def value_of(expr: str, facts: dict):
    """Evaluate one boolean expression for the facts: True, False or None (unknown, i.e. pending)."""
    rules = loads(RULES_TEXT.replace("define probe = a", f"define probe = {expr}"))
    status = rules.evaluate({"facts": facts}).status("T")
    return {"applies": True, "not_applicable": False, "pending": None}[status]


RULES_TEXT = '''
fact a: bool
fact b: bool
fact n: int
fact d: date
fact e: date
fact s: one of x, y, z
fact many: any of p, q
fact level: scale low, medium, high
question "T" prompt
    text "probe"
    answer yes_no
    applies when probe
define probe = a
'''

T, F, U = True, False, None


@pytest.mark.parametrize("a, b, conj, disj", [
    (T, T, T, T), (T, F, F, T), (F, T, F, T), (F, F, F, F),
    (T, U, U, T), (U, T, U, T), (F, U, F, U), (U, F, F, U), (U, U, U, U),
])
def test_and_or_follow_kleene_logic(a, b, conj, disj):
    facts = {k: v for k, v in (("a", a), ("b", b)) if v is not None}
    assert value_of("a and b", facts) is conj
    assert value_of("a or b", facts) is disj
    assert value_of("not a", facts) is (None if a is None else not a)


@pytest.mark.parametrize("expr, facts, expected", [
    ("n > 2", {"n": 3}, T), ("n > 2", {"n": 2}, F), ("n > 2", {}, U),
    ("s == x", {"s": "x"}, T), ("s != x", {"s": "x"}, F), ("s == x", {}, U),
    ("s in {x, y}", {"s": "y"}, T), ("s not in {x, y}", {"s": "y"}, F), ("s in {x}", {}, U),
    ("p in many", {"many": ["p"]}, T), ("p in many", {"many": []}, F), ("many is empty", {"many": []}, T),
    ("many is not empty", {"many": ["q"]}, T), ("many is empty", {}, U),
    ("level >= medium", {"level": "high"}, T), ("level >= medium", {"level": "low"}, F),
    ("level < high", {"level": "medium"}, T),  # by rank, not alphabetically ("medium" > "high" as text)
    ("e <= d + 56 days", {"d": "2025-01-06", "e": "2025-03-03"}, T),
    ("e <= d + 56 days", {"d": "2025-01-06", "e": "2025-03-04"}, F),
    ("e <= d + 8 weeks", {"d": "2025-01-06", "e": "2025-03-03"}, T),
    ("days from d to e == 56 days", {"d": "2025-01-06", "e": "2025-03-03"}, T),
    ("days from d to e < 0 days", {"d": "2025-01-06", "e": "2025-01-05"}, T),
    ("e - d > 1 week", {"d": "2025-01-06", "e": "2025-01-20"}, T),
    ("e <= d + 56 days", {"d": "2025-01-06"}, U),
    ("(if a then n > 1 else n > 0)", {"n": 5}, T),  # unknown condition, both branches agree
    ("(if a then n > 1 else n > 0)", {"n": 1}, U),  # unknown condition, branches disagree
    ("(if a then n > 1 else n > 0)", {"a": False, "n": 1}, T),
    ("d + 1 day > 2025-01-01", {"d": "9999-12-31"}, U),  # past the last date: no answer
])
def test_expressions_evaluate_with_unknowns(expr, facts, expected):
    assert value_of(expr, facts) is expected


JUDGEMENT = loads('''
fact risk: bool
case type
    adjusted when risk
    core otherwise
    override core from adjusted when [O] == yes
    override adjusted when [O] == no
question "O" information
    text "override?"
    answer yes_no
question "A" prompt
    text "a"
    answer yes_no_not_a_factor
question "B" prompt
    text "b"
    answer yes_no
    applies when case_type == core
question "P" judgement
    text "judgement"
    answer yes_no
    derive yes when [A] == not_a_factor
''')


def result(facts=None, answers=None):
    return JUDGEMENT.evaluate({"id": 1, "facts": facts or {}, "answers": answers or {}}).to_dict()


def test_a_judgement_is_derived_only_when_its_rule_holds():
    assert result(answers={"A": "not_a_factor"})["questions"]["P"] == {"status": "applies", "value": "yes", "source": "derived"}
    assert result(answers={"A": "yes"})["questions"]["P"] == {"status": "applies", "value": None, "source": None}
    assert result()["questions"]["P"] == {"status": "applies", "value": None, "source": None}


def test_an_override_replaces_the_type_named_by_from_and_leaves_the_case_type_pending_while_it_may_act():
    assert result({"risk": True})["case_type"] is None  # [O] may still make it core
    assert result({"risk": True}, {"O": "no"})["case_type"] == "adjusted"
    assert result({"risk": True}, {"O": "yes"})["case_type"] == "core"  # from adjusted
    assert result({}, {"O": "yes"})["case_type"] == "core"  # core whatever the rules give
    assert result({}, {"O": "no"})["case_type"] is None  # the rules may yet make it core: refused then
    assert result({"risk": False})["case_type"] == "core"


def test_an_override_decides_where_the_rules_certainly_give_no_type():
    rules = loads('''
fact risk: bool
case type
    adjusted when risk
    override core when [O] == yes
question "O" information
    text "override?"
    answer yes_no
''')
    def case_type(facts, answers):
        return rules.evaluate({"facts": facts, "answers": answers}).case_type
    assert case_type({"risk": False}, {"O": "yes"}) == "core"  # no rule holds: the answer decides
    assert case_type({"risk": True}, {"O": "yes"}) == "adjusted"  # refused, with a warning
    assert case_type({}, {"O": "yes"}) is None  # not known whether the rules decide
    assert case_type({"risk": False}, {}) is None


def test_an_override_the_rules_do_not_allow_leaves_their_type_and_quotes_them():
    out = result({"risk": False}, {"O": "no"})
    assert out["case_type"] == "core"
    assert out["warnings"] == [
        "case type: the answers (O = no) would make the case adjusted, but the rules make it core "
        "('adjusted when risk' does not hold, so 'core otherwise'); 'override adjusted when [O] == no' applies "
        "only where the rules do not decide the case type, so the case stays core"
    ]


def test_an_answer_to_a_question_that_does_not_apply_is_ignored_with_a_warning():
    out = result({"risk": True}, {"B": "yes", "O": "no"})
    assert out["questions"]["B"] == {"status": "not_applicable", "value": None, "source": None}
    assert out["warnings"] == ["B: an answer was given but the question does not apply to this case; the answer is ignored"]


def test_every_question_appears_in_the_result_in_rule_order():
    assert list(result()["questions"]) == ["O", "A", "B", "P"]


def test_a_constraint_that_fails_is_a_case_data_error_naming_the_field():
    rules = loads('fact d: date\nfact e: date\nconstraint e requires e >= d message "e cannot be before d"\n')
    rules.evaluate({"facts": {"e": "2025-01-01"}})  # d unknown: nothing to check yet
    with pytest.raises(CaseDataError) as caught:
        rules.evaluate({"facts": {"d": "2025-02-01", "e": "2025-01-01"}})
    assert [(p.field, p.message) for p in caught.value.problems] == [("facts.e", "e cannot be before d")]


def test_explain_says_what_would_settle_a_pending_question():
    evaluation = JUDGEMENT.evaluate({"facts": {}, "answers": {}})
    text = evaluation.explain("B")
    assert "It is pending" in text
    assert "case_type == core" in text
    assert "the fact risk" in text and "an answer to O" in text


def test_explain_quotes_the_rule_and_the_values_it_read():
    text = JUDGEMENT.evaluate({"facts": {"risk": True}, "answers": {"O": "no"}}).explain("B")
    assert "It does not apply: the rule 'applies when case_type == core' (<string>:" in text
    assert "Here the case type is 'adjusted'." in text
