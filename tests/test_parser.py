"""The parser pass: text to AST with spans, strings, comments, and located syntax errors."""

from __future__ import annotations

import datetime

import pytest

from carag_dsl import RuleError

from carag_dsl.language import ast
from carag_dsl.language.parser import parse, parse_partial


def only(text):
    (item,) = parse(text).items
    return item


def test_question_clauses_become_fields_of_the_question():
    question = only('''
question "2.3.01" prompt
    text "Does assessment analyse motivation?"
    label "Core cases only"
    applies when case_type == core
    answer yes_no
    guidance """
        First paragraph.

        Second paragraph.
        """
''')
    assert question == ast.QuestionDecl(
        id="2.3.01", kind="prompt", text="Does assessment analyse motivation?", label="Core cases only",
        answer=ast.TypeExpr("yes_no"),
        applies=ast.Compare("==", ast.Name("case_type"), ast.Name("core")),
        guidance="First paragraph.\n\nSecond paragraph.",
    )


def test_nodes_carry_their_source_spans():
    question = only('question "X 9" prompt\n    applies when [X 6] != not_a_factor\n')
    assert (question.id_span.line, question.id_span.column) == (1, 10)
    ref = question.applies.left
    assert ref == ast.AnswerRef("X 6")
    assert (ref.span.line, ref.span.column, ref.span.end_column) == (2, 18, 23)


def test_precedence_not_binds_tighter_than_and_which_binds_tighter_than_or():
    define = only("define x = not a and b or c")
    assert define.expr == ast.BoolOp("or", ast.BoolOp("and", ast.Not(ast.Name("a")), ast.Name("b")), ast.Name("c"))


def test_dates_durations_sets_and_days_between():
    define = only("define x = days from start_date to 2025-10-20 + 8 weeks <= 56 days and s in {a, b}")
    compare = define.expr.left
    assert compare.left == ast.DaysBetween(ast.Name("start_date"), ast.Arith("+", ast.DateLit(datetime.date(2025, 10, 20)), ast.DurationLit(8, "weeks")))
    assert compare.right == ast.DurationLit(56, "days")
    assert define.expr.right == ast.In(ast.Name("s"), ast.SetLit(("a", "b")))


def test_question_references_normalise_spaces_inside_brackets():
    define = only("define x = [X   4] is not empty")
    assert define.expr == ast.IsEmpty(ast.AnswerRef("X 4"), negated=True)


def test_single_line_strings_take_backslash_escapes():
    fact = only(r'fact a: bool meaning "say \"yes\"\nor no"')
    assert fact.doc == 'say "yes"\nor no'


def test_a_description_after_unlabelled_options_is_the_facts_meaning_not_a_label():
    fact = only('fact s: one of a, b meaning "the kind of sentence"')
    assert fact.type.options[-1] == ast.Option("b")
    assert fact.doc == "the kind of sentence"


def test_comments_are_kept_with_their_lines_but_hashes_in_strings_are_not_comments():
    module = parse('# first\nfact a: bool meaning "not # a comment"  # second\n')
    assert [(c.text, c.line) for c in module.comments] == [("first", 1), ("second", 2)]


def test_test_blocks_hold_plain_case_data():
    test = only('test "t"\n facts a = 2025-01-01, b = true\n answers [X 4] = {x, y}\n expect case type core\n expect pending [X 9]\n')
    assert test.facts == (("a", datetime.date(2025, 1, 1)), ("b", True))
    assert test.answers == (("X 4", ("x", "y")),)
    assert [e.kind for e in test.expectations] == ["case_type", "pending"]


@pytest.mark.parametrize("text, line, column, words", [
    ("fact a: bool\nfact b bool\n", 2, 8, "unexpected 'bool'; expected ':'"),
    ('question "1" prompt\n    applies when a = b\n', 2, 20, "to compare two values write '=='"),
    ("define x = (a and b\n", 1, 20, "end of file"),
    ("fact a: bool\n@\n", 2, 1, "unexpected character '@'"),
    ('fact a: date\ndefine x = a < 2025-02-30\n', 2, 16, "not a real date"),
])
def test_syntax_errors_are_located_and_say_what_was_expected(text, line, column, words):
    with pytest.raises(RuleError) as caught:
        parse(text, "f.carag")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)
    assert words in diagnostic.message


def test_a_clause_given_twice_is_reported():
    with pytest.raises(RuleError, match="already has a 'text' clause"):
        parse('question "1" prompt\n text "a"\n text "b"\n answer yes_no\n')


def test_rendered_diagnostic_shows_the_line_and_a_caret():
    with pytest.raises(RuleError) as caught:
        parse("fact a: bool\nfact b bool\n", "f.carag")
    assert caught.value.render().splitlines() == [
        "f.carag:2:8: error: unexpected 'bool'; expected ':'",
        "   2 | fact b bool",
        "              ^~~~",
    ]


def test_an_unfinished_rule_before_the_next_declaration_is_named_as_such():
    with pytest.raises(RuleError) as caught:
        parse('fact a: bool\nquestion "1" prompt\n  text "x"\n  answer yes_no\n  applies when a and\n\nquestion "2" prompt\n', "f.carag")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (7, 1)
    assert diagnostic.message.startswith("the rule before this 'question' is unfinished")


def test_every_one_of_many_syntax_errors_is_reported_once_in_one_pass():
    # 600 declarations each broken two ways (an unfinished rule, a text left open): parse_partial re-read the
    # whole file after every error (1,000 errors took ~28 s); now each round reads on to the next error only.
    count = 600
    text = "".join(f'fact f{i}: bool\ndefine d{i} = (f{i} and\nquestion "Q{i} prompt\n    text "x"\n    answer yes_no\n'
                   for i in range(count)) + "fact last: bool\n"
    _, diagnostics = parse_partial(text)
    unclosed = [d for d in diagnostics if "is not closed" in d.message]
    unfinished = [d for d in diagnostics if "unfinished" in d.message or "unexpected" in d.message]
    assert len(unclosed) == count and len(diagnostics) == 2 * count, len(diagnostics)
    assert sorted(d.span.line for d in unclosed) == [5 * i + 3 for i in range(count)]
    assert len(unfinished) == count
