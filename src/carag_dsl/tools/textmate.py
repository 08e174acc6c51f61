"""The TextMate grammar editors colour .carag files with, generated from ``grammar/carag.lark``.

    python -m carag_dsl.tools.textmate [--check] [OUTPUT]

The keywords come from the grammar's terminals (so a keyword added to the
grammar is coloured once the file is regenerated), the token patterns
(question references, dates, percentages, names, strings) from its regular
expressions. The VS Code extension ships the result as
``editors/vscode/syntaxes/carag.tmLanguage.json``; the tests check that file is
up to date and tokenise every rule file of ``questions/`` with it, failing on
any text it leaves without a scope.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from carag_dsl.language.parser import lark_parser

SCOPE = "source.carag"
DEFAULT_OUTPUT = Path("editors/vscode/syntaxes/carag.tmLanguage.json")

# How keywords are coloured; a keyword in none of these sets is a plain keyword.
_OPERATOR_WORDS = {"and", "or", "not", "in", "is", "if", "then", "else"}
_CONSTANT_WORDS = {"true", "false"}
_TYPE_WORDS = {"bool", "int", "date", "text", "yes_no", "yes_no_not_a_factor", "one", "any", "of", "scale"}
_WORD = re.compile(r"[a-z_]+\Z")


def _grammar_keywords() -> tuple[set[str], set[str]]:
    """(every keyword of the grammar, the keywords a declaration starts with)."""
    parser = lark_parser()
    names = {t.name: t.pattern.value for t in parser.terminals if t.pattern.type == "str" and _WORD.match(t.pattern.value)}
    starts = {names[t] for t in parser.parse_interactive("").accepts() if t in names}
    return set(names.values()), starts


def _words(words: set[str] | list[str]) -> str:
    # Longest first, so `yes_no_not_a_factor` is not read as `yes_no`.
    return r"\b(?:" + "|".join(sorted(words, key=lambda w: (-len(w), w))) + r")\b"


def _terminal_regex(name: str) -> str:
    return next(t.pattern.value for t in lark_parser().terminals if t.name == name)


def textmate_grammar() -> dict:
    keywords, declarations = _grammar_keywords()
    plain = keywords - declarations - _OPERATOR_WORDS - _CONSTANT_WORDS - _TYPE_WORDS
    name = _terminal_regex("NAME")
    qref = _terminal_regex("QREF")

    def rule(scope: str, match: str) -> dict:
        return {"name": f"{scope}.carag", "match": match}

    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "CARaG rules",
        "scopeName": SCOPE,
        "comment": "Generated from grammar/carag.lark by `python -m carag_dsl.tools.textmate`; do not edit by hand.",
        "patterns": [{"include": f"#{part}"} for part in (
            "comment", "block-string", "string", "declaration-name", "question-id", "question-ref", "date", "percent",
            "number", "declaration-keyword", "question-kind", "duration-unit", "operator-word", "constant", "type",
            "keyword", "comparison", "arithmetic", "assignment", "punctuation", "name",
        )],
        "repository": {
            "comment": rule("comment.line.number-sign", r"#.*$"),
            "block-string": {
                "name": "string.quoted.triple.carag", "begin": '"""', "end": '"""',
                "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.carag"}},
                "endCaptures": {"0": {"name": "punctuation.definition.string.end.carag"}},
            },
            "string": {
                "name": "string.quoted.double.carag", "match": r'"(?:[^"\\]|\\.)*"',
            },
            "declaration-name": {
                "match": rf"\b(fact|define)\s+({name})",
                "captures": {"1": {"name": "keyword.other.declaration.carag"}, "2": {"name": "entity.name.variable.carag"}},
            },
            "question-id": {
                "match": r'\b(question)\s+("[^"]*")',
                "captures": {"1": {"name": "keyword.other.declaration.carag"}, "2": {"name": "entity.name.question.carag string.quoted.double.carag"}},
            },
            "question-ref": rule("variable.other.question", qref),
            "date": rule("constant.numeric.date", r"\b" + _terminal_regex("DATE") + r"\b"),
            "percent": rule("constant.numeric.percent", r"\b" + _terminal_regex("PERCENT")),
            "number": rule("constant.numeric.integer", r"\b\d+\b"),
            "declaration-keyword": rule("keyword.other.declaration", _words(declarations)),
            "question-kind": rule("storage.modifier.question-kind", r"\b" + _terminal_regex("QUESTION_KIND") + r"\b"),
            "duration-unit": rule("keyword.other.unit", r"\b" + _terminal_regex("DURATION_UNIT")),
            "operator-word": rule("keyword.operator.word", _words(keywords & _OPERATOR_WORDS)),
            "constant": rule("constant.language.boolean", _words(keywords & _CONSTANT_WORDS)),
            "type": rule("support.type", _words(keywords & _TYPE_WORDS)),
            "keyword": rule("keyword.other", _words(plain)),
            "comparison": rule("keyword.operator.comparison", _terminal_regex("COMPARE")),
            "arithmetic": rule("keyword.operator.arithmetic", _terminal_regex("ADD_OP")),
            "assignment": rule("keyword.operator.assignment", r"="),
            "punctuation": {"patterns": [
                rule("punctuation.section.braces", r"[{}]"),
                rule("punctuation.section.parens", r"[()]"),
                rule("punctuation.separator.comma", r","),
                rule("punctuation.separator.colon", r":"),
            ]},
            "name": rule("variable.other", r"\b" + name + r"\b"),
        },
    }


def render() -> str:
    return json.dumps(textmate_grammar(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m carag_dsl.tools.textmate", description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT, help=f"the file to write (default: {DEFAULT_OUTPUT})")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    content = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != content:
            print(f"{args.output} is out of date; run python -m carag_dsl.tools.textmate", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(content, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
