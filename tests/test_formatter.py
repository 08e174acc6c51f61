"""`carag fmt` and the canonical layout: round trip, idempotence, precedence, comments, strings."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from carag_dsl.language import ast
from carag_dsl.cli import main
from carag_dsl.language.formatter import format_expr, format_module
from carag_dsl.language.parser import parse

REPO = Path(__file__).resolve().parent.parent
RULE_FILES = sorted((REPO / "questions").rglob("*.carag"))


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_the_bundled_files_are_already_in_canonical_layout_and_read_back_equal(path):
    text = path.read_text(encoding="utf-8")
    module = parse(text, str(path))
    formatted = format_module(module)
    assert formatted == text
    again = parse(formatted, str(path))
    assert again == module
    assert [c.text for c in again.comments] == [c.text for c in module.comments]


def _expr(text: str) -> ast.Expr:
    module = parse(f"define x = {text}")
    return module.items[0].expr


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("(a and b) and c", "a and b and c"),
        ("a and (b and c)", "a and (b and c)"),
        ("not (a == b)", "not a == b"),
        ("(not a) and b", "not a and b"),
        ("not (a and b)", "not (a and b)"),
        ("(x + 1) - 2 > 3", "x + 1 - 2 > 3"),
        ("x - (1 + 2) > 3", "x - (1 + 2) > 3"),
        ("a or (b and c)", "a or (b and c)"),
        ("(a or b) and c", "(a or b) and c"),
        ("if (a) then (b) else (if c then d else e)", "if a then b else if c then d else e"),
        ("(if a then b else c) or d", "(if a then b else c) or d"),
        ("(days from s to e) + 1 days <= 56 days", "(days from s to e) + 1 days <= 56 days"),
        ("x in ({a, b})", "x in {a, b}"),
        ("(a == b) == c", "(a == b) == c"),
    ],
)
def test_expressions_get_the_fewest_brackets_that_keep_their_meaning(written, canonical):
    tree = _expr(written)
    assert format_expr(tree) == canonical
    assert _expr(canonical) == tree


def test_an_and_inside_an_or_keeps_its_brackets_for_readers():
    assert format_expr(_expr("a or b and c")) == "a or (b and c)"


def test_comments_stay_on_their_line_or_before_what_follows_them_and_trailing_ones_stay_last():
    text = 'fact a: bool    # why a\n# about b\n\n# more about b\nfact b: int\n# the end\n'
    formatted = format_module(parse(text))
    assert formatted == "fact a: bool  # why a\n\n# about b\n\n# more about b\nfact b: int\n\n# the end\n"
    assert format_module(parse(formatted)) == formatted


def test_guidance_is_a_block_and_other_text_stays_on_one_line_with_escapes():
    text = 'question "Q 1" prompt text "say \\"hi\\"" guidance "line one\\n\\nline two"'
    formatted = format_module(parse(text))
    assert 'text "say \\"hi\\""' in formatted
    assert '    guidance """\n        line one\n\n        line two\n        """' in formatted
    assert parse(formatted) == parse(text)


def test_text_that_a_block_would_change_keeps_quotes():
    module = ast.Module((ast.QuestionDecl("Q 1", "prompt", guidance='has """ inside'),))
    formatted = format_module(module)
    assert 'guidance "has \\"\\"\\" inside"' in formatted
    assert parse(formatted) == module


def test_long_conditions_are_written_one_operand_per_line():
    names = " and ".join(f"long_condition_number_{i}" for i in range(6))
    formatted = format_module(parse(f"define x = {names}"))
    assert formatted.splitlines()[0] == "define x ="
    assert formatted.splitlines()[2] == "    and long_condition_number_1"
    assert parse(formatted) == parse(f"define x = {names}")


def test_formatting_is_idempotent_on_messy_input():
    messy = 'fact   s :one of a "A",b\n  case type adjusted when s==a core otherwise\nquestion "Q 1" prompt applies when ((case_type==core)) answer yes_no\n'
    once = format_module(parse(messy))
    assert format_module(parse(once)) == once
    assert once == 'fact s: one of a "A", b\n\ncase type\n    adjusted when s == a\n    core otherwise\n\nquestion "Q 1" prompt\n    applies when case_type == core\n    answer yes_no\n'


def test_fmt_check_lists_files_that_would_change_and_exits_1(tmp_path, capsys):
    messy = tmp_path / "messy.carag"
    messy.write_text("fact   a :  bool\n", encoding="utf-8")
    tidy = tmp_path / "tidy.carag"
    tidy.write_text("fact a: bool\n", encoding="utf-8")
    assert main(["fmt", "--check", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert f"would reformat {messy}" in out and "tidy" not in out
    assert messy.read_text() == "fact   a :  bool\n"


def test_fmt_check_diff_prints_a_unified_diff_with_line_numbers_and_changes_nothing(tmp_path, capsys):
    messy = tmp_path / "messy.carag"
    messy.write_text("fact a: bool\n\nfact   b :  bool\n", encoding="utf-8")
    assert main(["fmt", "--check", "--diff", str(messy)]) == 1
    out, err = capsys.readouterr()
    assert out == (f"--- {messy} (as written)\n+++ {messy} (formatted)\n"
                   "@@ -1,3 +1,3 @@\n fact a: bool\n \n-fact   b :  bool\n+fact b: bool\n")
    assert "1 file would be reformatted" in err
    assert messy.read_text() == "fact a: bool\n\nfact   b :  bool\n"


def test_fmt_rewrites_files_in_place(tmp_path, capsys):
    messy = tmp_path / "messy.carag"
    messy.write_text("fact   a :  bool\n", encoding="utf-8")
    assert main(["fmt", str(messy)]) == 0
    assert messy.read_text() == "fact a: bool\n"
    assert main(["fmt", "--check", str(messy)]) == 0


def test_fmt_leaves_a_file_with_a_syntax_error_alone_and_reports_where(tmp_path, capsys):
    broken = tmp_path / "broken.carag"
    broken.write_text("fact a bool\n", encoding="utf-8")
    assert main(["fmt", str(broken)]) == 1
    _, err = capsys.readouterr()
    assert "broken.carag:1:" in err and "Traceback" not in err
    assert broken.read_text() == "fact a bool\n"


def test_fmt_on_a_copy_of_the_bundled_rules_changes_nothing(tmp_path, capsys):
    copy = tmp_path / "questions"
    shutil.copytree(REPO / "questions", copy)
    assert main(["fmt", "--check", str(copy)]) == 0


# ------------------------------------------------------------------ awkward comment placements

COMMENT_CORPUS = sorted((REPO / "tests" / "fixtures" / "fmt").glob("*.carag"))


def _comment_places(text: str) -> list[tuple[str, bool]]:
    """Each comment in order, and whether it follows code on its line (True) or stands on a line of its own."""
    module = parse(text)
    lines = text.splitlines()
    return [(c.text, not lines[c.line - 1].lstrip().startswith("#")) for c in module.comments]


@pytest.mark.parametrize("path", COMMENT_CORPUS, ids=lambda p: p.name)
def test_fmt_keeps_every_comment_on_its_line_and_prints_the_golden_layout(path):
    text = path.read_text(encoding="utf-8")
    formatted = format_module(parse(text, path.name))
    golden = path.with_suffix(".formatted")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(formatted, encoding="utf-8")
    assert formatted == golden.read_text(encoding="utf-8")
    # None lost, none moved off its line (clauses may be put in the canonical order, with their comments).
    assert sorted(_comment_places(formatted)) == sorted(_comment_places(text))
    assert format_module(parse(formatted)) == formatted  # idempotent
    assert parse(formatted) == parse(text)
