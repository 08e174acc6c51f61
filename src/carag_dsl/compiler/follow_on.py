"""One slip, one error: the errors that only follow from a declaration the parser had to skip are dropped.

After a syntax error the parser skips the declaration it is in and resumes at the next one
(:func:`~carag_dsl.language.parser.parse_partial`), so a question with one ``=`` for ``==`` is missing
from the rule set, and every test and rule that names it would add "there is no question ...". Those
errors say nothing the syntax error does not: as compilers do after error recovery, they are dropped, and
come back, if still true, once the slip is mended.
"""

from __future__ import annotations

import bisect
import re
from typing import Iterable

from carag_dsl.errors import Diagnostic

_QUESTION_HEAD = re.compile(r'question[ \t]+"([^"\n]*)"')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The codes of errors about a name or question id that is not declared.
_UNKNOWN_NAME_CODES = ("unknown-name", "unknown-option")


def without_follow_on_errors(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` less the unknown-question and unknown-name errors about what a skipped declaration declares."""
    syntax = [d for d in diagnostics if d.code == "syntax"]
    if not syntax:
        return diagnostics
    questions, words = _skipped_declarations(syntax)
    return [d for d in diagnostics if not _follows_on(d, questions, words)]


def _follows_on(diagnostic: Diagnostic, questions: set[str], words: set[str]) -> bool:
    written = diagnostic.span.source_text().strip()
    if diagnostic.code == "unknown-question":
        return written.strip("[]").strip() in questions
    return diagnostic.code in _UNKNOWN_NAME_CODES and written in words


def _skipped_declarations(syntax: Iterable[Diagnostic]) -> tuple[set[str], set[str]]:
    """The question ids the skipped declarations declare, and the words written in them (names, option codes)."""
    from carag_dsl.language.syntax_errors import declaration_starts  # Lark's side: only when a file had a syntax error

    questions: set[str] = set()
    words: set[str] = set()
    starts_of: dict[tuple[str, str], list[int]] = {}
    for diagnostic in syntax:
        source = diagnostic.span.source
        if source is None:
            continue
        # Once per file, not per error (setdefault would find them again for each: quadratic in the errors).
        key = (source.path, source.text)
        starts = starts_of.get(key)
        if starts is None:
            starts = starts_of[key] = declaration_starts(source.text)
        at = source.offset(diagnostic.span.line, diagnostic.span.column)
        # As parse_partial skips: from the declaration before the error to the next one starting at or after it.
        index = bisect.bisect_left(starts, at)
        begin = starts[index - 1] if index > 0 else 0
        end = starts[index] if index < len(starts) else len(source.text)
        skipped = source.text[begin:end]
        questions.update(_QUESTION_HEAD.findall(skipped[:200]))
        words.update(_WORD.findall(skipped))
    return questions, words
