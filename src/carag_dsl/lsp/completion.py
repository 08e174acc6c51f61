"""Completion: what the grammar accepts at the cursor, filled in from the rule set's declarations.

The text before the cursor is fed to Lark's interactive parser (the grammar's
own LALR parser); ``accepts()`` says which tokens may come next. Keywords among
them are offered as they are; where a name may come, the facts and defined
names; where a question reference may come, ``[id]`` with the question's text;
after a comparison or inside ``in {...}`` with a fact or an answer, its option
codes first.
"""

from __future__ import annotations

import functools
import re

from lark import Token
from lark.exceptions import UnexpectedInput
from lsprotocol import types

from carag_dsl.compiler import types as T
from carag_dsl.compiler.plain_english import PlainEnglish
from carag_dsl.compiler.symbols import CASE_TYPE, Symbols
from carag_dsl.language.parser import lark_parser
from carag_dsl.lsp.index import question_id_of
from carag_dsl.lsp.keywords import keyword_terminals
from carag_dsl.lsp.positions import Lines
from carag_dsl.lsp.resolve import owner_of

_PARTIAL = re.compile(r"(\[[A-Za-z0-9 .]*|[A-Za-z_][A-Za-z0-9_]*)\Z")
_STRINGS = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_SPELLED_OUT = {
    "QUESTION_KIND": ("prompt", "information", "judgement"),
    "DURATION_UNIT": ("days", "weeks", "months", "years"),
}
_NEW_NAME_AFTER = {"FACT", "DEFINE"}


@functools.lru_cache(maxsize=1)
def _declaration_starts() -> frozenset[str]:
    """The keywords a declaration may start with: what the grammar accepts at the start of a file."""
    words = keyword_terminals()
    return frozenset(words[t] for t in lark_parser().parse_interactive("").accepts() if t in words)


def _feed(text: str) -> tuple[list[Token], set[str]] | None:
    """The tokens of ``text`` and the terminals that may follow, or None when it does not parse."""
    parser = lark_parser().parse_interactive(text)
    tokens: list[Token] = []
    try:
        for token in parser.iter_parse():
            tokens.append(token)
        return tokens, set(parser.accepts())
    except UnexpectedInput:
        return None


def _parse_before(head: str) -> tuple[list[Token], set[str]] | None:
    """Feed the text before the cursor; past an error further up, from the start of the current declaration."""
    fed = _feed(head)
    if fed is not None:
        return fed
    starts = _declaration_starts()
    offset = len(head)
    for _ in range(3):  # a guidance line may look like a declaration: try a few starts back
        found = None
        for match in re.finditer(r"^[ \t]*([a-z_]+)", head[:offset], re.MULTILINE):
            if match.group(1) in starts:
                found = match.start(1)
        if not found:
            return None
        fed = _feed(head[found:])
        if fed is not None:
            return fed
        offset = found
    return None


def _in_comment_or_string(line: str) -> bool:
    unquoted = _STRINGS.sub("", line)
    return "#" in unquoted or unquoted.count('"') % 2 == 1


def _code_context(tokens: list[Token]) -> tuple[tuple[str, str] | None, bool]:
    """Whose option codes fit at the end of ``tokens``, and whether only codes do.

    After a comparison (``sentence ==``) a code or another operand may come; inside
    ``in {...}``, after a test's ``=`` or after ``expect case type``, only a code.
    """
    position = len(tokens) - 1
    codes_only = True
    if position >= 0 and tokens[position].type in ("COMPARE", "EQUAL"):
        codes_only = tokens[position].type == "EQUAL"
        position -= 1
    else:
        while position >= 1 and tokens[position].type == "COMMA" and tokens[position - 1].type == "NAME":
            position -= 2
        if position >= 0 and tokens[position].type == "LBRACE":
            position -= 1
            if position >= 0 and tokens[position].type == "IN":
                position -= 1
                if position >= 0 and tokens[position].type == "NOT":
                    position -= 1
            else:
                return None, True  # a set of codes in a test: whose, the binding before it says
        elif position >= 2 and [t.type for t in tokens[position - 2 : position + 1]] == ["EXPECT", "CASE", "TYPE"]:
            return ("case_type", ""), True
        else:
            return None, False
    if position < 0:
        return None, codes_only
    operand = tokens[position]
    if operand.type == "NAME":
        return ("name", str(operand)), codes_only
    if operand.type == "QREF":
        return ("question", question_id_of(operand)), codes_only
    return None, codes_only


def complete(text: str, position: types.Position, symbols: Symbols) -> list[types.CompletionItem]:
    lines = Lines(text)
    cursor = lines.offset(position)
    head = text[:cursor]
    line_start = head.rfind("\n") + 1
    if _in_comment_or_string(head[line_start:]):
        return []
    partial_match = _PARTIAL.search(head)
    partial = partial_match.group() if partial_match else ""
    fed = _parse_before(head[: len(head) - len(partial)])
    if fed is None:
        return []
    tokens, accepted = fed
    replace = types.Range(start=lines.position(position.line, lines.character(position) - len(partial)), end=position)
    if partial.startswith("["):  # a question reference is being typed: nothing else fits
        return _questions(symbols, replace) if "QREF" in accepted else []
    items: list[types.CompletionItem] = []
    partner, codes_only = _code_context(tokens)
    words = keyword_terminals()
    for terminal in sorted(accepted):
        for word in (words[terminal],) if terminal in words else _SPELLED_OUT.get(terminal, ()):
            if not codes_only or word in ("true", "false"):
                items.append(types.CompletionItem(label=word, kind=types.CompletionItemKind.Keyword, sort_text="3" + word))
    if "NAME" in accepted and not (tokens and tokens[-1].type in _NEW_NAME_AFTER):
        items += _names(symbols, owner_of(partner, symbols), codes_only)
    if "QREF" in accepted and not codes_only:
        items += _questions(symbols, replace)
    return items


def _names(symbols: Symbols, owner: tuple[str, str], codes_only: bool) -> list[types.CompletionItem]:
    words = PlainEnglish(symbols)
    items = []
    kind, name = owner
    type_expr = None
    if kind == "name":
        type_expr = symbols.facts[name].type
    elif kind == "question" and name in symbols.questions:
        type_expr = symbols.questions[name].answer
    codes = symbols.case_types() if kind == "case_type" else (T.option_codes(type_expr) if type_expr is not None else ())
    for code in codes:
        items.append(types.CompletionItem(
            label=code, kind=types.CompletionItemKind.EnumMember, sort_text="0" + code,
            detail=words.option_label(code, type_expr) if type_expr is not None else "case type",
        ))
    if codes_only:
        return items
    for fact in symbols.facts.values():
        items.append(types.CompletionItem(
            label=fact.name, kind=types.CompletionItemKind.Variable, sort_text="1" + fact.name,
            detail=f"fact: {T.describe_declared(fact.type)}", documentation=fact.doc,
        ))
    for define in symbols.defines.values():
        items.append(types.CompletionItem(
            label=define.name, kind=types.CompletionItemKind.Function, sort_text="1" + define.name,
            detail="defined name", documentation=define.doc,
        ))
    if symbols.case_type is not None:
        items.append(types.CompletionItem(
            label=CASE_TYPE, kind=types.CompletionItemKind.Variable, sort_text="1" + CASE_TYPE,
            detail="the case type: " + ", ".join(symbols.case_types()),
        ))
    return items


def _questions(symbols: Symbols, replace: types.Range) -> list[types.CompletionItem]:
    return [
        types.CompletionItem(
            label=f"[{qid}]", kind=types.CompletionItemKind.Reference, detail=question.text,
            sort_text="2" + f"{index:05d}", filter_text=f"[{qid}]",
            text_edit=types.TextEdit(range=replace, new_text=f"[{qid}]"),
        )
        for index, (qid, question) in enumerate(symbols.questions.items())
    ]
