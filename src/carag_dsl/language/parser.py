"""Parse .carag text into an AST (:mod:`carag_dsl.ast`).

The Lark LALR parser is built once per process (and kept between processes in
a private per-user folder, :mod:`.parser_cache`; never in the shared /tmp). Lark's exceptions never leave this module: a syntax error
becomes a :class:`~carag_dsl.errors.RuleError` with a located diagnostic that
says what was found and what the language allows there.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import re
import textwrap
from typing import Any, Callable

import attrs

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from carag_dsl.language import ast, syntax_errors
from carag_dsl.errors import Diagnostic, RuleError
from carag_dsl.language.parser_cache import lalr_parser
from carag_dsl.language.resources import grammar_path
from carag_dsl.source import Source, Span


#: Most digits of a number in a rule file.
MAX_INT_DIGITS = 18
LARK_OPTIONS = {"parser": "lalr", "propagate_positions": True, "maybe_placeholders": True}


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    return lalr_parser(grammar_path().read_text(encoding="utf-8"), LARK_OPTIONS)


def lark_parser() -> Lark:
    """The grammar's Lark parser itself, for tools that read its tree or drive it token by token.

    The language server indexes names from the tree and completes keywords with the
    interactive parser; everything else goes through :func:`parse`.
    """
    return _parser()


def parse(text: str, path: str = "<string>") -> ast.Module:
    """Parse the text of one rule file. Raises RuleError with every syntax error found."""
    module, diagnostics = parse_partial(text, path)
    if diagnostics:
        raise RuleError(diagnostics)
    return module


def parse_partial(text: str, path: str = "<string>") -> tuple[ast.Module, list[Diagnostic]]:
    """Every syntax error of one rule file, and a module of the declarations that parsed.

    After an error the parser resumes at the next line that starts a declaration,
    so one run reports the errors of every declaration (and the compiler can
    still check the declarations that parsed). Text left open (a missing closing
    quote) is reported at its opening quote, and its declaration is skipped.
    """
    source = Source(path, text)
    diagnostics: list[Diagnostic] = []
    starts = syntax_errors.declaration_starts(text)
    blanked = _blank_unclosed_strings(text, starts, source, diagnostics)
    if blanked is not text:
        starts = syntax_errors.declaration_starts(blanked)
    builder = _AstBuilder(source)
    tree, error = _parse_or_error(blanked)  # the whole file at once: the usual case, no error at all
    if error is None:
        items = _build(builder, tree, source)
    else:
        items = _recover(blanked, starts, source, builder, diagnostics, error)
    diagnostics += builder.diagnostics
    # The grammar ignores comments; `carag fmt` needs them back, so they are read
    # separately with a pattern that skips '#' inside strings.
    return ast.Module(tuple(items), tuple(_comments(text)), path, text), diagnostics


#: Declarations parsed at once while recovering from syntax errors (a window: see _recover): the first after
#: an error, and the most.
_FIRST_WINDOW = 1
_WINDOW = 64


def _recover(text: str, starts: list[int], source: Source, builder: "_AstBuilder", diagnostics: list[Diagnostic],
             error: UnexpectedInput) -> list:
    """After the first syntax error: report it, skip its declaration, resume at the next one, and so on.

    Each round parses a window of declarations from where it resumes (only that text, placed at its line and
    column, :class:`_Window`): one declaration after an error, twice as many after each window without one,
    up to :data:`_WINDOW`. So the rounds together read the file about twice at most, however many errors it
    has: linear, where parsing the rest of the file at every error was quadratic.
    """
    window = _Window(text, starts)
    items: list = []
    begin = 0
    size = _FIRST_WINDOW
    while True:
        if error is not None:
            size = _FIRST_WINDOW
            diagnostic, at = syntax_errors.describe(error, source, _terminal_pattern)
            diagnostics.append(diagnostic)
            # The declaration the error is in: keep those before it, skip it, resume at the next one.
            index = bisect.bisect_left(starts, at) - 1
            broken = starts[index] if index >= 0 and starts[index] >= begin else begin
            if broken > begin:
                good, _, shift = window.parse(begin, broken)
                items += window.build(builder, good, source, shift) if good is not None else []
            following = bisect.bisect_left(starts, at)
            while following < len(starts) and starts[following] <= broken:
                following += 1
            if following == len(starts):
                return items
            begin = starts[following]
        end = window.end_after(begin, size)
        tree, error, shift = window.parse(begin, end)
        if error is None:
            items += window.build(builder, tree, source, shift)
            if end == len(text):
                return items
            begin, size = end, min(2 * size, _WINDOW)


class _Window:
    """Parses the text between two declaration starts as if it were in place (same lines, columns, offsets)."""

    def __init__(self, text: str, starts: list[int]):
        self.text = text
        self.starts = starts
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def end_after(self, begin: int, declarations: int) -> int:
        following = bisect.bisect_right(self.starts, begin) + declarations - 1
        return self.starts[following] if following < len(self.starts) else len(self.text)

    def parse(self, begin: int, end: int):
        """(tree, error, shift) of the text from ``begin`` to ``end``; positions in both are the file's."""
        while True:
            line_start = self.text.rfind("\n", 0, begin) + 1
            # The declaration's indent kept as spaces, so columns on its first line stay put.
            tree, error = _parse_or_error(" " * (begin - line_start) + self.text[begin:end])
            shift = (line_start, bisect.bisect_left(self.newlines, line_start))
            if error is not None and end < len(self.text) and _at_end(error):
                end = self.end_after(end, 1)  # the window ended inside what the error is about: read on
                continue
            if error is not None:
                _shift_error(error, *shift)
            return tree, error, shift

    @staticmethod
    def build(builder: "_AstBuilder", tree, source: Source, shift: tuple[int, int] = (0, 0)) -> list:
        builder.line_offset = shift[1]
        try:
            return _build(builder, tree, source)
        finally:
            builder.line_offset = 0


def _at_end(error: UnexpectedInput) -> bool:
    return isinstance(error, UnexpectedEOF) or (isinstance(error, UnexpectedToken) and error.token.type == "$END")


def _shift_error(error: UnexpectedInput, offset: int, lines: int) -> None:
    """Lark's error of a window, moved to where the window is in the file."""
    position = getattr(error, "pos_in_stream", None)
    if position is not None:
        error.pos_in_stream = position + offset
    line = getattr(error, "line", None)
    if line not in (None, -1):
        error.line = line + lines
    tokens = [getattr(error, "token", None), *(getattr(error, "token_history", None) or ())]
    for token in tokens:
        if isinstance(token, Token):
            if token.start_pos is not None:
                token.start_pos += offset
            if token.end_pos is not None:
                token.end_pos += offset
            if token.line is not None:
                token.line += lines
            if token.end_line is not None:
                token.end_line += lines


def _blank_unclosed_strings(text: str, starts: list[int], source: Source, diagnostics: list[Diagnostic]) -> str:
    """The text with each declaration holding a text left open blanked (each reported at its opening quote).

    ``starts``: :func:`~.syntax_errors.declaration_starts` of ``text``. The text itself is returned when nothing is open.
    """
    pieces: list[str] = []
    done = 0
    for opening, resume in syntax_errors.unclosed_strings(text):
        diagnostics.append(syntax_errors.unclosed_string_diagnostic(source, opening))
        index = bisect.bisect_right(starts, opening) - 1
        start = max(starts[index] if index >= 0 else 0, done)
        if resume <= start:
            continue
        pieces += [text[done:start], _blank(text[start:resume])]
        done = resume
    return "".join(pieces) + text[done:] if pieces else text


def _blank(text: str) -> str:
    """The text with every character but line breaks made a space: lines, columns and offsets stay put."""
    return _NOT_NEWLINE.sub(" ", text)


_NOT_NEWLINE = re.compile(r"[^\n]")


def _parse_or_error(text: str):
    """Lark's tree of the text, or the syntax error."""
    try:
        return _parser().parse(text), None
    except UnexpectedInput as error:
        return None, error


def _build(builder: "_AstBuilder", tree, source: Source) -> list:
    try:
        try:
            return builder.transform(tree)
        except VisitError as error:  # an exception inside the builder: unwrap it (it may be a RecursionError)
            raise error.orig_exc from None
    except RecursionError:
        raise RuleError([Diagnostic(_deepest_declaration(tree, source, builder.line_offset), "too-deep", "an expression is nested too deeply to read (hundreds of levels of brackets or 'not'); split it into defined names")]) from None


def _terminal_pattern(name: str) -> str | None:
    """The literal text of a keyword or punctuation terminal, or None for a pattern such as NAME."""
    try:
        pattern = _parser().get_terminal(name).pattern
    except KeyError:
        return None
    return pattern.value if pattern.type == "str" else None


_TOKEN_RE = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*')


def _deepest_declaration(tree, source: Source, line_offset: int = 0) -> Span:
    """Where the most deeply nested declaration starts (measured without recursion, which just failed)."""
    best, best_depth = None, -1
    for declaration in tree.children:
        depth, stack = 0, [(declaration, 1)]
        while stack:
            node, level = stack.pop()
            depth = max(depth, level)
            stack.extend((child, level + 1) for child in getattr(node, "children", ()))
        if depth > best_depth:
            best, best_depth = declaration, depth
    meta = getattr(best, "meta", None)
    if meta is None or getattr(meta, "empty", True):
        return Span(source, 1, 1, 1, 1)
    return Span(source, meta.line + line_offset, meta.column, meta.line + line_offset, meta.column + 1)


def _comments(text: str) -> list[ast.Comment]:
    found = []
    line, counted_to = 1, 0  # lines counted once, from the last comment on: linear in the text
    for match in _TOKEN_RE.finditer(text):
        if match.group().startswith("#"):
            line += text.count("\n", counted_to, match.start())
            counted_to = match.start()
            found.append(ast.Comment(match.group()[1:].strip(), line))
    return found


# ------------------------------------------------------------------ tree -> AST


def _unquote(token: Token) -> str:
    raw = str(token)
    if raw.startswith('"""'):
        body = raw[3:-3]
        if body.startswith("\n"):
            body = body[1:]
        return textwrap.dedent(body).strip()
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), raw[1:-1])


def _is_token(value: object) -> bool:
    return isinstance(value, Token)


def _simple_type(kind: str) -> Callable[..., ast.TypeExpr]:
    """A builder method for a type clause whose kind is fixed by the grammar rule."""
    def build(self, meta, children):
        return ast.TypeExpr(kind, span=self._span(meta))
    return build


def _options_type(kind: str) -> Callable[..., ast.TypeExpr]:
    """A builder method for a type clause whose kind is fixed by the grammar rule."""
    def build(self, meta, children):
        return ast.TypeExpr(kind, tuple(children[0]), span=self._span(meta))
    return build


def _status_expectation(kind: str) -> Callable[..., ast.Expectation]:
    """A builder method for a status expectation (``expect [Q] applies`` ...)."""
    def build(self, meta, children):
        return ast.Expectation(kind, children[0], span=self._span(meta))
    return build


def _literal(build: Callable[[Any, list], object]) -> Callable[..., "_Located"]:
    """A builder method for a test literal: its value (``build(builder, children)``) with its place."""
    def located(self, meta, children):
        return _Located(build(self, children), self._span(meta))
    return located


@v_args(meta=True)
class _AstBuilder(Transformer):
    """Builds AST nodes from Lark's tree. Each method handles the rule (or alias) it is named after."""

    def __init__(self, source: Source):
        super().__init__(visit_tokens=False)
        self.source = source
        self.diagnostics: list[Diagnostic] = []
        self.line_offset = 0  # lines before the window being built (see _Window)

    # -- places
    def _span(self, meta) -> Span:
        if getattr(meta, "empty", False):
            return Span(self.source, 1, 1, 1, 1)
        return Span(self.source, meta.line + self.line_offset, meta.column, meta.end_line + self.line_offset, meta.end_column)

    def _tspan(self, token: Token) -> Span:
        # The contextual lexer always sets positions (propagate_positions); 1 stands in for a token built by hand.
        lines = self.line_offset
        return Span(self.source, (token.line or 1) + lines, token.column or 1, (token.end_line or 1) + lines, token.end_column or 1)

    def _error(self, span: Span, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(span, code, message))

    # -- file
    def start(self, meta, items):
        return items

    def header(self, meta, children):
        name, version, published = children
        return ast.Header(_unquote(name), _unquote(version), self._date(published), span=self._span(meta))

    def include(self, meta, children):
        return ast.Include(_unquote(children[0]), span=self._span(meta))

    def _int(self, token: Token) -> int:
        if len(token) > MAX_INT_DIGITS:  # Python refuses to read numbers of thousands of digits; none is needed
            self._error(self._tspan(token), "number-too-large", f"a number of {len(token)} digits; numbers in rules have at most {MAX_INT_DIGITS} digits")
            return 0
        return int(token)

    def _date(self, token: Token) -> datetime.date:
        try:
            return datetime.date.fromisoformat(str(token))
        except ValueError:
            self._error(self._tspan(token), "bad-date", f"'{token}' is not a real date (write YYYY-MM-DD with a valid month and day)")
            return datetime.date(1970, 1, 1)

    # -- facts and types
    def fact_decl(self, meta, children):
        name, type_, doc = children
        return ast.FactDecl(str(name), type_, _unquote(doc) if doc else None, span=self._span(meta))


    # -- groupings
    def grouping_decl(self, meta, children):
        name, source, *members, doc = children
        return ast.GroupingDecl(str(name), str(source), tuple(members), _unquote(doc) if doc else None, span=self._span(meta))

    def group_between(self, meta, children):
        code, label, lower, upper = children
        return ast.GroupMember(str(code), _unquote(label), lower, upper, span=self._span(meta))

    def group_from(self, meta, children):
        code, label, lower = children
        return ast.GroupMember(str(code), _unquote(label), lower, None, span=self._span(meta))

    def group_up_to(self, meta, children):
        code, label, upper = children
        return ast.GroupMember(str(code), _unquote(label), None, upper, span=self._span(meta))

    def group_options(self, meta, children):
        code, label, *options = children
        return ast.GroupMember(str(code), _unquote(label), options=tuple(str(option) for option in options), span=self._span(meta))

    def bound_int(self, meta, children):
        return self._int(children[0])

    def bound_date(self, meta, children):
        return self._date(children[0])

    type_bool = _simple_type("bool")
    type_int = _simple_type("int")
    type_date = _simple_type("date")
    type_text = _simple_type("text")
    answer_yes_no = _simple_type("yes_no")
    answer_yes_no_not_a_factor = _simple_type("yes_no_not_a_factor")
    answer_text = _simple_type("text")


    type_one_of = answer_one_of = _options_type("one")
    type_any_of = answer_any_of = _options_type("any")
    type_scale = answer_scale = _options_type("scale")

    def options(self, meta, children):
        return children

    def option(self, meta, children):
        code, label = children
        return ast.Option(str(code), _unquote(label) if label else None, span=self._span(meta))

    def define_decl(self, meta, children):
        name, expr, doc = children
        return ast.DefineDecl(str(name), expr, _unquote(doc) if doc else None, span=self._span(meta))

    def constraint_decl(self, meta, children):
        field, expr, message = children
        return ast.ConstraintDecl(str(field), expr, _unquote(message), span=self._span(meta))

    def exclude_decl(self, meta, children):
        condition, reason = children
        return ast.ExcludeDecl(condition, _unquote(reason), span=self._span(meta))

    def consistency_decl(self, meta, children):
        field, expr, message = children
        on_answer = field.type == "QREF"
        name = self._qref(field).question_id if on_answer else str(field)
        return ast.ConsistencyDecl(name, on_answer, expr, _unquote(message), span=self._span(meta))

    def applicability_when(self, meta, children):
        label, condition = children
        return ast.ApplicabilityDecl(_unquote(label), condition, span=self._span(meta))

    def applicability_always(self, meta, children):
        return ast.ApplicabilityDecl(_unquote(children[0]), None, always=True, span=self._span(meta))

    # -- case type
    def case_type_decl(self, meta, children):
        rules = tuple(c for c in children if isinstance(c, ast.CaseRule))
        overrides = tuple(c for c in children if isinstance(c, ast.CaseOverride))
        return ast.CaseTypeDecl(rules, overrides, span=self._span(meta))

    def case_rule_when(self, meta, children):
        return ast.CaseRule(str(children[0]), children[1], span=self._span(meta))

    def case_rule_otherwise(self, meta, children):
        return ast.CaseRule(str(children[0]), None, span=self._span(meta))

    def case_override(self, meta, children):
        value, replaces, condition = children
        return ast.CaseOverride(str(value), condition, str(replaces) if replaces is not None else None, span=self._span(meta))

    # -- sections and questions
    def section_decl(self, meta, children):
        title, *clauses = children
        fields = self._clauses(clauses, "section")
        return ast.SectionDecl(_unquote(title), span=self._span(meta), **fields)

    def section_heading(self, meta, children):
        return ("heading", _unquote(children[0]), self._span(meta))

    def section_guidance(self, meta, children):
        return ("guidance", _unquote(children[0]), self._span(meta))

    def question_decl(self, meta, children):
        qid, kind, *clauses = children
        fields = self._clauses(clauses, "question", repeatable=("derive",))
        if "derive" in fields:
            fields["derive"] = tuple(fields["derive"])
        return ast.QuestionDecl(
            _unquote(qid), str(kind), span=self._span(meta), id_span=self._tspan(qid), **fields
        )

    def _clauses(self, clauses, what, repeatable=()):
        fields: dict = {}
        seen: dict = {}
        for name, value, span in clauses:
            if name in repeatable:
                fields.setdefault(name, []).append(value)
                continue
            if name in seen:
                self._error(span, "duplicate-clause", f"this {what} already has a '{_CLAUSE_WORDS.get(name, name)}' clause (line {seen[name].line}); a {what} has at most one")
                continue
            seen[name] = span
            fields[name] = value
        return fields

    def q_text(self, meta, children):
        return ("text", _unquote(children[0]), self._span(meta))

    def q_label(self, meta, children):
        return ("label", _unquote(children[0]), self._span(meta))

    def q_answer(self, meta, children):
        return ("answer", children[0], self._span(meta))

    def q_applies_when(self, meta, children):
        return ("applies", children[0], self._span(meta))

    def q_applies_always(self, meta, children):
        return ("applies", None, self._span(meta))

    def q_guidance(self, meta, children):
        return ("guidance", _unquote(children[0]), self._span(meta))

    def q_informed_by(self, meta, children):
        return ("informed_by", children[0], self._span(meta))

    def q_record_reasons(self, meta, children):
        return ("record_reasons", True, self._span(meta))

    def q_derive(self, meta, children):
        return ("derive", ast.Derive(str(children[0]), children[1], span=self._span(meta)), self._span(meta))

    def qref_list(self, meta, children):
        return tuple(self._qref(token) for token in children)

    def _qref(self, token: Token) -> ast.AnswerRef:
        return ast.AnswerRef(" ".join(str(token)[1:-1].split()), span=self._tspan(token))

    # -- ratings
    def bands_decl(self, meta, children):
        *bands, small_sample = children
        return ast.BandsDecl(tuple(bands), small_sample, span=self._span(meta))

    def small_sample(self, meta, children):
        return int(children[0])

    def band(self, meta, children):
        name, percent = children
        return ast.Band(_unquote(name), str(percent)[:-1], span=self._span(meta))

    def standard_decl(self, meta, children):
        name, *clauses = children
        keys: tuple = ()
        averaged: tuple = ()
        lowest = False
        caps = []
        for clause in clauses:
            if clause[0] == "keys":
                keys += clause[1]
            elif clause[0] == "lowest":
                lowest = True
            elif clause[0] == "average":
                averaged += clause[1]
            else:
                caps.append(clause[1])
        return ast.StandardDecl(_unquote(name), keys, lowest, tuple(caps), span=self._span(meta), average_of=averaged)

    def s_key_questions(self, meta, children):
        return ("keys", children[0])

    def s_lowest_band(self, meta, children):
        return ("lowest", None)

    def s_average_of(self, meta, children):
        return ("average", children[0])

    def s_cap(self, meta, children):
        band, qref, when_band = children
        return ("cap", ast.Cap(_unquote(band), self._qref(qref), _unquote(when_band), span=self._span(meta)))

    # -- inspection questions
    def inspection_decl(self, meta, children):
        qid, *clauses = children
        fields = self._clauses(clauses, "inspection question", repeatable=("links",))
        if "links" in fields:
            fields["links"] = tuple(fields["links"])
        return ast.InspectionQuestionDecl(_unquote(qid), span=self._span(meta), id_span=self._tspan(qid), **fields)

    def i_domain(self, meta, children):
        return ("domain", _unquote(children[0]), self._span(meta))

    def i_heading(self, meta, children):
        return ("heading", _unquote(children[0]), self._span(meta))

    def i_text(self, meta, children):
        return ("text", _unquote(children[0]), self._span(meta))

    def i_guidance(self, meta, children):
        return ("guidance", _unquote(children[0]), self._span(meta))

    def i_evidence(self, meta, children):
        return ("evidence", tuple(_unquote(item) for item in children), self._span(meta))

    def i_link(self, meta, children):
        refs, within, because = children
        return ("links", ast.InspectionLink(refs, _unquote(because), within, span=self._span(meta)), self._span(meta))

    # -- tests
    def test_decl(self, meta, children):
        name, *clauses = children
        bindings: dict[str, list] = {"facts": [], "answers": []}
        expectations = []
        for clause in clauses:
            if isinstance(clause, ast.Expectation):
                expectations.append(clause)
            else:
                bindings[clause[0]] += clause[1]
        facts, answers = bindings["facts"], bindings["answers"]
        return ast.TestDecl(
            _unquote(name), tuple((n, v) for n, v, _ in facts), tuple((n, v) for n, v, _ in answers), tuple(expectations),
            span=self._span(meta), fact_spans=tuple(s for _, _, s in facts), answer_spans=tuple(s for _, _, s in answers),
        )

    def t_facts(self, meta, children):
        return ("facts", children)

    def t_answers(self, meta, children):
        return ("answers", children)

    # A binding is (name, value, (where the name is, where the value is)).
    def fact_binding(self, meta, children):
        name, (value, where) = children[0], _unpack(children[1])
        return (str(name), value, (self._tspan(name), where))

    def answer_binding(self, meta, children):
        ref, (value, where) = children[0], _unpack(children[1])
        return (self._qref(ref).question_id, value, (self._tspan(ref), where))

    def e_case_type(self, meta, children):
        return ast.Expectation("case_type", value=str(children[0]), span=self._span(meta), value_span=self._tspan(children[0]))

    e_applies = _status_expectation("applies")
    e_not_applicable = _status_expectation("not_applicable")
    e_pending = _status_expectation("pending")

    def e_value(self, meta, children):
        ref, (value, where) = children[0], _unpack(children[1])
        return ast.Expectation("value", (self._qref(ref),), value, span=self._span(meta), value_span=where)

    def e_error(self, meta, children):
        return ast.Expectation("error", value=_unquote(children[0]), span=self._span(meta))

    def e_warning(self, meta, children):
        return ast.Expectation("warning", value=_unquote(children[0]), span=self._span(meta))

    def e_excluded(self, meta, children):
        return ast.Expectation("excluded", value=_unquote(children[0]), span=self._span(meta))

    # Test literals are plain Python values (the case data a test describes), kept with their place
    # until the binding or expectation that holds them takes the value and the span apart.
    lit_name = _literal(lambda self, children: str(children[0]))
    lit_int = _literal(lambda self, children: self._int(children[0]))
    lit_date = _literal(lambda self, children: self._date(children[0]))
    lit_string = _literal(lambda self, children: _unquote(children[0]))
    lit_true = _literal(lambda self, children: True)
    lit_false = _literal(lambda self, children: False)

    # -- expressions
    def if_expr(self, meta, children):
        return ast.If(*children, span=self._span(meta))

    def or_(self, meta, children):
        return ast.BoolOp("or", children[0], children[1], span=self._span(meta))

    def and_(self, meta, children):
        return ast.BoolOp("and", children[0], children[1], span=self._span(meta))

    def not_(self, meta, children):
        return ast.Not(children[0], span=self._span(meta))

    def compare(self, meta, children):
        left, op, right = children
        return ast.Compare(str(op), left, right, span=self._span(meta))

    def in_(self, meta, children):
        return ast.In(children[0], children[1], False, span=self._span(meta))

    def not_in(self, meta, children):
        return ast.In(children[0], children[1], True, span=self._span(meta))

    def is_empty(self, meta, children):
        return ast.IsEmpty(children[0], False, span=self._span(meta))

    def is_not_empty(self, meta, children):
        return ast.IsEmpty(children[0], True, span=self._span(meta))

    def arith(self, meta, children):
        left, op, right = children
        return ast.Arith(str(op), left, right, span=self._span(meta))

    def name(self, meta, children):
        return ast.Name(str(children[0]), span=self._span(meta))

    def answer_ref(self, meta, children):
        return self._qref(children[0])

    def int_lit(self, meta, children):
        return ast.IntLit(self._int(children[0]), span=self._span(meta))

    def date_lit(self, meta, children):
        return ast.DateLit(self._date(children[0]), span=self._span(meta))

    def string_lit(self, meta, children):
        return ast.TextLit(_unquote(children[0]), span=self._span(meta))

    def true_lit(self, meta, children):
        return ast.BoolLit(True, span=self._span(meta))

    def false_lit(self, meta, children):
        return ast.BoolLit(False, span=self._span(meta))

    def duration_lit(self, meta, children):
        amount, unit = children
        return ast.DurationLit(self._int(amount), str(unit), span=self._span(meta))

    def days_between(self, meta, children):
        return ast.DaysBetween(children[0], children[1], span=self._span(meta))

    def set_literal(self, meta, children):
        members = tuple(str(c) for c in children if c is not None)
        return ast.SetLit(members, span=self._span(meta))


@attrs.frozen
class _Located:
    value: object
    span: Span


def _unpack(literal: "_Located | ast.SetLit") -> tuple[object, Span]:
    """A test literal as case data, and its place: a set of codes becomes a tuple of its codes."""
    if isinstance(literal, ast.SetLit):
        return literal.members, literal.span
    return literal.value, literal.span


_CLAUSE_WORDS = {"informed_by": "informed by", "applies": "applies", "record_reasons": "record reasons"}
