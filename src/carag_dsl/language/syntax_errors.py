"""Syntax errors for people who are not programmers: where, what is wrong in plain words, and what is allowed.

:func:`describe` turns one of Lark's errors into a :class:`Diagnostic`, with a
hint for the usual mistakes: a capitalised name or keyword, a question id
without brackets (``X 6`` for ``[X 6]``), a misspelt keyword (did you mean,
among the words allowed at that point), a quoted option code, ``=`` for ``==``.
The list of what may come next is said in words, grouped (a value or
condition, a joining word, the next clause, the next declaration), never as
the parser's token names.

:func:`unclosed_strings` finds text left open (``"`` or ``\"\"\"``) before the
parser sees it, so the error is at the opening quote, not many lines later
where the parser gives up. :func:`declaration_starts` finds where declarations
begin, so the parser can resume after an error and report the next one.
"""

from __future__ import annotations

import bisect
import re
from typing import Callable, Iterable

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from carag_dsl.errors import Diagnostic, did_you_mean
from carag_dsl.source import Source, Span

# A line that starts a declaration: its keyword and what must follow it, so words in prose rarely match.
_DECLARATION_LINE = re.compile(
    r'^[ \t]*(?:ruleset[ \t]+"|include[ \t]+"|fact[ \t]+\w+[ \t]*:|define[ \t]+\w+[ \t]*=|constraint[ \t]+[\w\[]'
    r'|applicability[ \t]+"|case[ \t]+type\b|section[ \t]+"|question[ \t]+"|bands\b|standard[ \t]+"|inspection[ \t]+question\b|test[ \t]+")',
    re.MULTILINE,
)
DECLARATION_KEYWORDS = ("ruleset", "include", "fact", "grouping", "define", "constraint", "applicability", "exclude", "case", "section", "question", "bands", "standard", "inspection", "test")
CLAUSE_KEYWORDS = (
    "text", "label", "answer", "applies", "guidance", "informed", "derive", "record", "heading", "meaning", "message",
    "key", "rated", "at", "facts", "answers", "expect", "override", "warn", "because", "small", "domain", "evidence", "within",
)
_JOINING = {"and", "or", "in", "is", "then", "else", "to", "from"}
_EXPRESSION_STARTS = {"NAME", "QREF", "INT", "DATE"}
_EXPRESSION_OTHERS = {"DAYS", "FALSE", "TRUE", "NOT", "LPAR", "LBRACE", "STRING", "IF"}
_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": 'a "quoted text"',
    "QREF": "a question id in brackets such as [2.3.01]",
    "INT": "a whole number",
    "DATE": "a date like 2025-10-20",
    "PERCENT": "a percentage like 65%",
    "DURATION_UNIT": "days or weeks",
    "COMPARE": "a comparison (== != < <= > >=)",
    "ADD_OP": "+ or -",
    "QUESTION_KIND": "prompt, information or judgement",
    "LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "COLON": "':'", "EQUAL": "'='",
}
_ANSWER_KINDS = ("yes_no", "yes_no_not_a_factor", "text", "one", "any", "scale")
_QUESTION_ID = re.compile(r"[A-Z]{1,3} ?\d+(?:\.\d+)*[a-z]?\b|\d+(?:\.\d+)+[a-z]?\b")
_SYMBOL_WORDS = {"&": "'and'", "|": "'or'", "!": "'not' (and '!=' for 'is not')"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def declaration_starts(text: str) -> list[int]:
    """Offsets of the first keyword of every line that starts a declaration."""
    return [match.start() + len(match.group()) - len(match.group().lstrip()) for match in _DECLARATION_LINE.finditer(text)]


_STRINGS = re.compile(r'"""(?:.|\n)*?"""|"""|"(?:[^"\\\n]|\\.)*"|"|#[^\n]*')


def unclosed_strings(text: str) -> list[tuple[int, int]]:
    """(opening quote, where the next declaration starts) for each text left open.

    A ``\"\"\"`` block that runs into a line starting a declaration was not
    closed where it should have been (it was closed by the opening of a later
    block), so it is reported at its own opening too.
    """
    found: list[tuple[int, int]] = []
    starts: list[int] | None = None  # the declaration starts, found once when first needed
    position = 0
    while (match := _STRINGS.search(text, position)) is not None:
        token = match.group()
        position = match.end()
        if token.startswith("#") or (token.startswith('"') and len(token) >= 2 and token != '"""' and not token.startswith('"""')):
            continue
        if token.startswith('"""') and len(token) > 3:
            inner = _DECLARATION_LINE.search(text, match.start() + 3, match.end() - 3)
            if inner is None:
                continue
            resume = inner.start()
        else:  # a lone `"` or `"""`: nothing closes it
            line_end = text.find("\n", match.start())
            if starts is None:
                starts = declaration_starts(text)
            after = match.start() if token == '"""' or line_end < 0 else max(match.start(), line_end)
            index = bisect.bisect_right(starts, after)
            resume = starts[index] if index < len(starts) else len(text)
        found.append((match.start(), resume))
        position = resume
    return found


def unclosed_string_diagnostic(source: Source, opening: int) -> Diagnostic:
    line, column = source.position(opening)
    if source.text.startswith('"""', opening):
        message = ('this text block opened with """ is never closed, so the lines after it would be read as its text; '
                   'end the block with """')
        width = 3
    else:
        message = 'this text is not closed: a quoted text ends with " on the same line (for several lines use """ ... """)'
        width = 1
    return Diagnostic(Span(source, line, column, line, column + width), "syntax", message)


def describe(error: UnexpectedInput, source: Source, terminal_pattern: Callable[[str], str | None]) -> tuple[Diagnostic, int]:
    """The diagnostic for a syntax error, and the offset it is at (where the parser may resume after)."""
    text = source.text
    accepted = _accepted(error)
    if isinstance(error, UnexpectedCharacters):
        message, offset, width = _unexpected_character(text, error.pos_in_stream or 0, accepted, terminal_pattern)
        line, column = source.position(offset)
    elif isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END"):
        offset = len(text)
        (line, column), width = source.end_position(), 1  # lines counted at \n only, as Lark counts them
        message = "unexpected end of file: the file ends in the middle of a declaration" + _expected(accepted, terminal_pattern)
    else:
        assert isinstance(error, UnexpectedToken)
        token = error.token
        offset = token.start_pos or 0
        line, column, width = token.line or 1, token.column or 1, max(1, len(str(token)))
        previous = (error.token_history or [None])[-1]
        if previous is not None and previous.type == "NAME" and str(previous) in DECLARATION_KEYWORDS:
            # A declaration keyword read as a name: the expression before it was left unfinished.
            line, column, width = previous.line or 1, previous.column or 1, len(str(previous))
            offset = previous.start_pos or 0
            message = (f"the rule before this '{previous}' is unfinished (it ends with 'and', 'or', 'not', "
                       f"a comparison or an open bracket), so '{previous}' was read as a name")
        elif token.type == "INT" and "QREF" in accepted and (question_id := _question_id_at(text, offset)) is not None:
            width = len(question_id[1])
            message = (f"'{question_id[1]}' looks like a question id: questions are named with their id in brackets, "
                       f"[{question_id[1]}]" + _expected(accepted, terminal_pattern))
        else:
            line_start = text.rfind("\n", 0, offset) + 1
            number = re.search(r"(\d+)[ \t]*$", text[line_start:offset])  # `56 dayz`: the number before a word
            message = _unexpected_token(token, number.group(1) if number else None, accepted, terminal_pattern)
    return Diagnostic(Span(source, line, column, line, column + width), "syntax", message), offset


def _accepted(error: UnexpectedInput) -> set[str]:
    """The terminals the parser would have taken at the error (the interactive parser knows best)."""
    interactive = getattr(error, "interactive_parser", None)
    if interactive is not None:
        try:
            return set(interactive.accepts())
        except Exception:  # accepts() replays the parser; fall back to Lark's own list
            pass
    return set(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())


def _keywords(accepted: Iterable[str], terminal_pattern: Callable[[str], str | None]) -> list[str]:
    """The words (keywords) among the accepted terminals."""
    words = [terminal_pattern(t) for t in accepted]
    found = [w for w in words if w and _WORD.fullmatch(w)]
    if "DURATION_UNIT" in accepted:
        found += ["days", "weeks"]
    if "QUESTION_KIND" in accepted:
        found += ["prompt", "information", "judgement"]
    return found


def _unexpected_character(text: str, offset: int, accepted: set[str], terminal_pattern: Callable[[str], str | None]) -> tuple[str, int, int]:
    """(message, where the mistake starts, how wide it is) for a character the language has no place for."""
    char = text[offset] if offset < len(text) else ""
    date = _slashed_date_at(text, offset)
    if date is not None:
        start, written, message = date
        return message, start, len(written)
    if char in _CURLY_QUOTES:
        straight = "double quotes (\"like this\")" if char in "“”„" else "double quotes (\"like this\"), not single ones"
        return (f"'{char}' is a curly quote, which carag does not read as a quote: type straight {straight} "
                "(word processors curl them; paste rules as plain text)", offset, 1)
    question_id = _question_id_at(text, offset)
    if question_id is not None:
        start, written = question_id
        return (f"'{written}' looks like a question id: to use the answer to a question, write its id in brackets, "
                f"[{' '.join(written.split())}]", start, len(written))
    word = _WORD.match(text, offset)
    if char.isupper() and word is not None:
        written = word.group()
        return (f"'{written}' starts with a capital letter: names, option codes and keywords are written in lower case "
                f"('{written.lower()}'); only quoted text and question ids in brackets may have capitals", offset, len(written))
    if char == "'":
        return "text is quoted with double quotes (\"like this\"), not single quotes", offset, 1
    if char in _SYMBOL_WORDS:
        return f"unexpected '{char}': carag writes this as a word; use {_SYMBOL_WORDS[char]}", offset, 1
    if char == "[":
        return "unexpected '[': a question in brackets holds its id, like [2.3.01] or [X 4]" + _expected(accepted, terminal_pattern), offset, 1
    shown = repr(char) if char.strip() else "a space character"
    return f"unexpected character {shown}" + _expected(accepted, terminal_pattern), offset, 1


_CURLY_QUOTES = "“”„‘’‚"
# 01/04/2025, 1/4/25, 1.4.2025, 2025/04/01: a date as people write it by hand, which carag reads as numbers and a '/'.
_SLASHED_DATE = re.compile(r"(?<![\w.-])(?:(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d{2})|(\d{4})([/.])(\d{1,2})\6(\d{1,2}))(?![\w.])")


def _slashed_date_at(text: str, offset: int) -> tuple[int, str, str] | None:
    """(where it starts, the date as written, the message) for a date written with '/' or '.' that covers ``offset``."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start: line_end if line_end >= 0 else len(text)]
    for match in _SLASHED_DATE.finditer(line):
        if not line_start + match.start() <= offset < line_start + match.end():
            continue
        written = match.group()
        if match.group(5):  # year first: only the separators are wrong
            iso = _iso(int(match.group(5)), int(match.group(7)), int(match.group(8)))
            return line_start + match.start(), written, f"'{written}' looks like a date: write dates with hyphens, year-month-day, as {iso}"
        if match.group(2) == "." and len(match.group(4)) == 2:
            continue  # 2.3.01 is a question id, not 2 March 2001
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        year += 2000 if year < 100 else 0
        uk, us = _iso(year, second, first), _iso(year, first, second)
        if not (uk or us):
            continue
        if uk and us and uk != us:  # read as the UK writes dates, the other reading named
            advice = f"{uk} (year-month-day; {us} if it is month/day/year)"
        else:
            advice = f"{uk or us} (year-month-day)"
        return line_start + match.start(), written, f"'{written}' looks like a date: write dates as {advice}"
    return None


def _iso(year: int, month: int, day: int) -> str:
    """The date as YYYY-MM-DD, or an empty string when there is no such day."""
    import datetime

    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return ""


def _question_id_at(text: str, offset: int) -> tuple[int, str] | None:
    """A question id written without brackets that covers ``offset`` (such as ``X 6`` or ``2.3.01``)."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start: line_end if line_end >= 0 else len(text)]
    for match in _QUESTION_ID.finditer(line):
        start, end = line_start + match.start(), line_start + match.end()
        if start <= offset < end and (start == line_start or not text[start - 1].isalnum() and text[start - 1] not in '["'):
            return start, match.group()
    return None


def _unexpected_token(token: Token, previous: str | None, accepted: set[str], terminal_pattern: Callable[[str], str | None]) -> str:
    value = str(token)
    if token.type == "NAME" and previous is not None:
        # `56 dayz`: the number was already read as a whole number; the word after it was meant as a unit.
        if value.rstrip("s") in ("month", "year"):
            return f"'{value}' is not a unit carag counts in: months and years differ in length, so write the period in days or weeks ({previous} days, {previous} weeks)"
        hint = did_you_mean(value, ("days", "weeks"))
        if hint:
            return f"'{value}' is not a unit of time{hint}; a period is a number of days or weeks, like {previous} days"
    shown = f"'{value[:27]}...'" if len(value) > 30 else f"'{value}'"
    if value == "=" and "COMPARE" in accepted:
        return "unexpected '=': to compare two values write '==' (and '!=' for 'is not')"
    if token.type == "STRING" and "NAME" in accepted and "STRING" not in accepted:
        inner = value.strip('"')
        return f"remove the quotes: option codes and names are written bare, like {inner}, not {value}"
    if token.type == "NAME":
        keywords = _keywords(accepted, terminal_pattern)
        hint = did_you_mean(value, keywords)
        if hint:
            return f"'{value}' is not a word carag knows here{hint}" + _expected(accepted, terminal_pattern)
    if accepted == {"RPAR"}:
        return f"unexpected {shown}: a bracket '(' is still open; close it with ')' before this"
    return f"unexpected {shown}" + _expected(accepted, terminal_pattern)


def _expected(accepted: set[str], terminal_pattern: Callable[[str], str | None]) -> str:
    """'; expected ...' in words, grouped: a value or condition, joining words, the next clause, the next declaration."""
    terminals = set(accepted)
    groups: list[str] = []
    if _EXPRESSION_STARTS <= terminals:
        groups.append("a value or condition (a name, a question in brackets like [X 6], a number, a date, 'not' or '(')")
        terminals -= _EXPRESSION_STARTS | _EXPRESSION_OTHERS
    words = {t: terminal_pattern(t) for t in terminals}
    joining = sorted(w for t, w in words.items() if w in _JOINING)
    if "COMPARE" in terminals:
        joining.append("a comparison (== != < <= > >=)")
    if "ADD_OP" in terminals:
        joining.append("+ or -")
    # Grouped only where a clause or a declaration may really start (`expect` takes 'applies' and 'case' too).
    clauses = [w for w in CLAUSE_KEYWORDS if w in words.values()]
    clauses = clauses if len(clauses) >= 2 else []
    declarations = [w for w in DECLARATION_KEYWORDS if w in words.values()]
    declarations = declarations if "question" in declarations else []
    # `text` is a clause keyword too: the answer types are meant only where yes_no is allowed.
    answer_kinds = [w for w in _ANSWER_KINDS if w in words.values()] if "yes_no" in words.values() else []
    grouped = set(joining) | set(clauses) | set(declarations) | set(answer_kinds) | {"COMPARE", "ADD_OP"}
    others = sorted({
        _TERMINAL_WORDS.get(t) or (f"'{w}'" if w else t.lower())
        for t, w in words.items()
        if t not in ("COMPARE", "ADD_OP", "$END") and w not in grouped
    })
    if answer_kinds:
        groups.append("an answer type (" + ", ".join(answer_kinds) + ")")
    groups += others
    if joining:
        groups.append("a joining word (" + ", ".join(joining) + ")")
    if clauses:
        groups.append("the next clause (" + ", ".join(clauses) + ")")
    if declarations:
        examples = [w for w in ("question", "section", "fact", "test") if w in declarations] or declarations
        groups.append("the next declaration (such as " + (", ".join(examples[:-1]) + " or " + examples[-1] if len(examples) > 1 else examples[0]) + ")")
    if "$END" in terminals:
        groups.append("the end of the file")
    if not groups:
        return ""
    return "; expected " + (groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " or " + groups[-1])
