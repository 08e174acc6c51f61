"""Name resolution and type checking: each mistake gets one located diagnostic that says what is expected."""

from __future__ import annotations

import pytest

from carag_dsl import RuleError, loads

DECLS = '''
fact sentence: one of community, licence, pss
fact start_date: date
fact mappa: bool
fact orders: int
fact needs: any of housing, health
fact risk: scale low, medium, high
define early = start_date + 8 weeks
question "X 6" prompt
    text "Sexual offending?"
    answer yes_no_not_a_factor
question "X 4" prompt
    text "Factors?"
    answer any of gangs, hate_crime
'''


def diagnostics(extra: str):
    with pytest.raises(RuleError) as caught:
        loads(DECLS + extra, "t.carag")
    return [(d.code, d.message) for d in caught.value.diagnostics]


def applies(expr: str) -> str:
    return f'question "Q" prompt\n    text "q"\n    answer yes_no\n    applies when {expr}\n'


@pytest.mark.parametrize("expr", [
    "sentence == licence", "sentence in {licence, pss}", "sentence not in {community}",
    "start_date + 56 days >= 2025-01-01", "days from start_date to early <= 8 weeks",
    "mappa and not (orders > 2)", "[X 6] != not_a_factor", "gangs in [X 4]", "[X 4] is empty",
    "risk >= medium", "housing in needs", "if mappa then orders > 1 else risk == high",
    "early - start_date == 56 days",
])
def test_well_typed_expressions_compile(expr):
    loads(DECLS + applies(expr))


@pytest.mark.parametrize("expr, code, words", [
    ("sentance == licence", "unknown-name", "did you mean 'sentence'"),
    ("sentence == licenc", "unknown-option", "did you mean 'licence'"),
    ("sentence == prison", "unknown-option", "'prison' is not an option of sentence"),
    ("prison", "unknown-name", "unknown name 'prison'"),
    ("sentence == hate_crime", "unknown-option", "'hate_crime' is not an option of sentence"),
    ("sentence in {licence, psss}", "unknown-option", "did you mean 'pss'"),
    ("[X 66] == yes", "unknown-question", "did you mean 'X 6'"),
    ("start_date <= 56", "type-mismatch", "cannot compare date with int"),
    ("orders <= 56 days", "type-mismatch", "write a duration with its unit"),
    ("sentence", "type-mismatch", "expected a condition (true or false)"),
    ("sentence < licence", "not-ordered", "needs values with an order"),
    ("start_date + 2 months > 2025-01-01", "ambiguous-duration", "no fixed length"),
    ("sentence is empty", "type-mismatch", "'is empty' needs a multi-choice answer"),
    ("mappa + 1 == 2", "type-mismatch", "allowed are date ± duration"),
    ("(if mappa then orders else risk) == 1", "type-mismatch", "two branches of 'if'"),
    ("case_type == core", "unknown-name", "no 'case type' block"),
])
def test_type_errors_say_what_was_expected_and_what_was_found(expr, code, words):
    found = diagnostics(applies(expr))
    assert any(c == code and words in m for c, m in found), found


def test_a_duplicate_question_names_both_places():
    with pytest.raises(RuleError) as caught:
        loads(DECLS + 'question "X 6" prompt\n    text "again"\n    answer yes_no\n', "t.carag")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "duplicate-question"
    assert diagnostic.span.line == 15
    assert diagnostic.notes[0][0].line == 9


def test_a_question_needs_text_and_an_answer():
    found = diagnostics('question "Q" prompt\n')
    assert [c for c, _ in found] == ["missing-clause", "missing-clause"]


def test_derive_values_must_be_answers_of_the_judgement():
    found = diagnostics('question "P" judgement\n    text "j"\n    answer yes_no\n    derive yess when mappa\n')
    assert found == [("unknown-option", "'yess' is not an answer question 'P' takes (it takes yes or no) (did you mean 'yes'?)")]


def test_a_constraint_must_name_a_fact():
    found = diagnostics('constraint start_dat requires mappa message "m"\n')
    assert found == [("unknown-name", "a constraint must name a fact, and 'start_dat' is not one (did you mean 'start_date'?)")]


def test_rules_after_otherwise_are_unreachable():
    found = diagnostics("case type\n    core otherwise\n    adjusted when mappa\n")
    assert [c for c, _ in found] == ["unreachable-rule"]


def test_every_error_in_a_file_is_reported_not_only_the_first():
    found = diagnostics(applies("sentance == licence") + applies("start_date <= 56").replace('"Q"', '"Q2"'))
    assert [c for c, _ in found] == ["unknown-name", "type-mismatch"]
