"""Syntax-error recovery and the language server's diagnostics linear in the number of errors (issue 24, point 4).

Recovery parsed the rest of the file again after every error (40,000 errors: 37.7 s), and the language
server split the file into lines again for every diagnostic (10,000 diagnostics: 19 s per edit). Now
recovery parses a window of declarations at a time, placed at its own lines and columns, and the
diagnostics read the source's one line table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carag_dsl.errors import RuleError
from carag_dsl.language import parser
from carag_dsl.language.parser import parse_partial

import expensive_rules

REPO = Path(__file__).resolve().parent.parent
BROKEN = [path for folder in ("mistakes", "diagnostics") for path in sorted((REPO / "tests" / "fixtures" / folder).glob("*.carag"))
          if path.stat().st_size < 20_000]  # the few huge ones are about size limits, not recovery


class _CountingParser:
    """The Lark parser, counting the characters handed to it."""

    def __init__(self, real):
        self.real = real
        self.read = 0

    def parse(self, text, *args, **kwargs):
        self.read += len(text)
        return self.real.parse(text, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_recovering_from_2000_syntax_errors_hands_the_parser_about_the_file_once(monkeypatch):
    counting = _CountingParser(parser._parser())
    monkeypatch.setattr(parser, "_parser", lambda: counting)
    text = expensive_rules.syntax_error_flood(2000)
    _, diagnostics = parse_partial(text, "flood.carag")
    assert len(diagnostics) == 2000
    assert counting.read < 4 * len(text)  # about 1,000 times the file when each error parsed the rest again


def _outcome(text: str):
    try:
        module, diagnostics = parse_partial(text, "f.carag")
    except RuleError as error:  # nested too deeply to build
        return [], [(d.span.line, d.span.column, d.message) for d in error.diagnostics]
    placed = [(item, getattr(getattr(item, "span", None), "line", None)) for item in module.items]
    return placed, [(d.span.line, d.span.column, d.span.end_line, d.span.end_column, d.message) for d in diagnostics]


@pytest.mark.parametrize("window", [1, 2, 64])
def test_recovery_in_windows_reports_what_parsing_the_rest_of_the_file_reports(monkeypatch, window):
    texts = [path.read_text(encoding="utf-8") for path in BROKEN]
    texts.append("".join(texts))  # every mistake in one file: many windows, errors at their edges
    texts.append(expensive_rules.syntax_error_flood(50).replace("fact b: = =\n", "question \"Q\" prompt\n    text \"t\"\n    applies when\n", 7))
    monkeypatch.setattr(parser, "_FIRST_WINDOW", 10**9)  # one window: the rest of the file at every error
    monkeypatch.setattr(parser, "_WINDOW", 10**9)
    expected = [_outcome(text) for text in texts]
    monkeypatch.setattr(parser, "_FIRST_WINDOW", 1)
    monkeypatch.setattr(parser, "_WINDOW", window)
    assert [_outcome(text) for text in texts] == expected


def test_the_language_server_converts_diagnostics_without_splitting_the_file_again(monkeypatch):
    pytest.importorskip("lsprotocol")
    from carag_dsl.lsp import positions
    from carag_dsl.lsp.diagnostics import to_lsp

    _, diagnostics = parse_partial(expensive_rules.syntax_error_flood(500), "/tmp/flood.carag")
    built = []
    original = positions.Lines.__init__

    def counting(self, text):
        built.append(len(text))
        original(self, text)

    monkeypatch.setattr(positions.Lines, "__init__", counting)
    ranges = [to_lsp(d).range for d in diagnostics]
    assert built == []  # one split of the whole file per diagnostic before
    assert ranges[0].start.line == 2 and ranges[-1].start.line == 501 and ranges[-1].start.character == 8


def test_checking_a_file_of_2000_syntax_errors_finds_its_declarations_once(monkeypatch, tmp_path):
    """The follow-on filter of the compiler looked for the declarations again for every syntax error."""
    from carag_dsl.compiler.ruleset import CheckedRules, compile_path
    from carag_dsl.language import syntax_errors

    calls = []
    real = syntax_errors.declaration_starts
    monkeypatch.setattr(syntax_errors, "declaration_starts", lambda text: calls.append(1) or real(text))
    path = tmp_path / "flood.carag"
    path.write_text(expensive_rules.syntax_error_flood(2000), encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        compile_path(path, CheckedRules)
    assert len([d for d in caught.value.diagnostics if d.code == "syntax"]) == 2000
    assert len(calls) < 10  # 2,001 before
