"""The canonical layout of .carag files: ``format_module(module) -> str``.

``carag fmt`` and the test-case generators print rule text with this module, so
the same AST always reads the same way:

* declarations start at the left margin, one blank line between them; their
  clauses are indented by four spaces;
* guidance, and any text with line breaks, is written as a ``\"\"\"`` block;
* expressions get the fewest brackets the grammar's precedence allows
  (loosest first: if/then/else, or, and, not, comparison, + and -); a long
  ``and``/``or`` chain is written one operand per line;
* comments are kept where they were: a comment on a line of its own goes before
  the declaration or clause that follows it in the source, a comment after code
  stays at the end of that line, blank lines between comment groups are kept,
  and comments after the last declaration stay at the end.

Formatting is idempotent, and parsing the output gives back an equal AST
(``parse(format_module(m)) == m``; spans do not take part in equality).
"""

from __future__ import annotations

import contextvars
import datetime
import re
import textwrap

from carag_dsl.language import ast

INDENT = "    "
WIDTH = 100
# The width the current declaration is laid out to: 0 while one is written with every and/or chain and
# option list broken one part per line, to keep the comments its author wrote on those lines.
_width: contextvars.ContextVar[int] = contextvars.ContextVar("width", default=WIDTH)
# Test facts read best on one line, as a case record; only very long ones are split.
BINDINGS_WIDTH = 120

# Words of the language that the lexer would not read as a NAME: a code or
# text value spelled like one of them is quoted in test literals.
_KEYWORDS = frozenset(
    """ruleset version published include fact bool int date text one of any scale define constraint
    requires message case type when otherwise override section heading guidance question label answer
    applies always informed by derive yes_no yes_no_not_a_factor bands from standard key questions rated
    lowest band at most is test facts answers expect not applicable pending error true false if then else
    or and in empty days day week weeks month months year years to prompt information judgement warn
    applicability warning exclude excluded because record reasons small sample below cases inspection domain
    evidence within""".split()
)
_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*\Z")


def format_module(module: ast.Module) -> str:
    """The canonical text of one parsed file (ends with one newline; empty for an empty file)."""
    comments = sorted(module.comments, key=lambda c: c.line)
    out: list[str] = []
    position = 0  # comments[:position] are written
    previous_line = 0  # the source line of the last thing written, for blank lines between comment groups
    last: ast.Decl | None = None
    for item in module.items:
        line = item.span.line if item.span.source is not None and item.span.line > 0 else None
        block: list[str] = []
        if line is not None:
            while position < len(comments) and comments[position].line < line:
                comment = comments[position]
                if block and comment.line - previous_line > 1:
                    block.append("")
                block.append(_comment(comment, item.span.source))
                previous_line = comment.line
                position += 1
            if block and line - previous_line > 1:
                block.append("")
        lines = _declaration(item)
        if line is not None:
            inner = []
            while position < len(comments) and comments[position].line <= item.span.end_line:
                inner.append(comments[position])
                position += 1
            placed, joined = _place_comments(lines, inner, item.span)
            if joined:  # the layout joins lines that carry comments: break this declaration into its parts
                narrow = _width.set(0)
                try:
                    placed, _ = _place_comments(_declaration(item), inner, item.span)
                finally:
                    _width.reset(narrow)
            lines = placed
        block.extend(lines)
        # Includes are a list: one per line, no blank lines between them.
        together = isinstance(item, ast.Include) and isinstance(last, ast.Include) and len(block) == 1
        if out and not together:
            out.append("")
        out.extend(block)
        if line is not None:
            previous_line = item.span.end_line
        last = item
    trailing = comments[position:]
    source = next((i.span.source for i in module.items if i.span.source is not None), None)
    if trailing:
        if out:
            out.append("")
        for index, comment in enumerate(trailing):
            if index and comment.line - trailing[index - 1].line > 1:
                out.append("")
            out.append(_comment(comment, source))
    return "\n".join(out) + "\n" if out else ""


def _place_comments(lines: list[str], comments: list[ast.Comment], span) -> tuple[list[str], bool]:
    """The declaration's lines with the comments written inside it in the source put back on their lines.

    Each written line is matched to the source line it came from: the line with
    the same code, else the next source line that starts with the same clause
    keyword. A comment after code goes to the end of the line matched to its
    source line (or to the clause it belongs to); a comment on a line of its own
    goes before the first line matched to a later source line. Lines inside a
    \"\"\" block never take a comment (it would become part of the text).
    Also says whether comments of several source lines met on one written line.
    """
    if not comments:
        return lines, False
    source = span.source
    first, last = span.line, span.end_line
    on_line = {comment.line: comment for comment in comments}
    code = {n: _code_part(source.line(n), on_line.get(n)) for n in range(first, last + 1)}
    anchors = _anchors(lines, code, first, last)
    safe = _outside_blocks(lines)
    trailing: dict[int, list[str]] = {}
    before: dict[int, list[str]] = {}
    for comment in comments:
        written = _comment(comment, source)
        if code.get(comment.line, "").strip():
            # After code: the written line from that source line, else the nearest before it.
            earlier = [(a, i) for i, a in enumerate(anchors) if a is not None and a <= comment.line and safe[i]]
            if earlier:
                trailing.setdefault(max(earlier)[1], []).append(written)
                continue
        later = [(a, i) for i, a in enumerate(anchors) if a is not None and a > comment.line]
        before.setdefault(min(later)[1] if later else len(lines), []).append(written)
    joined = any(len(written_after) > 1 for written_after in trailing.values())
    for index, written_after in list(trailing.items()):
        if len(written_after) > 1:
            # Source lines the layout joins into one (a condition or options on one line): their comments
            # go, in order, on lines of their own before it, rather than run together after it.
            before.setdefault(index, [])[:0] = trailing.pop(index)
    out: list[str] = []
    for index, text in enumerate(lines + [""]):
        indent = INDENT if index else ""
        if index < len(lines) and index:
            indent = text[: len(text) - len(text.lstrip())] or INDENT
        out.extend(indent + c for c in before.get(index, []))
        if index < len(lines):
            out.append("  ".join([text, *trailing.get(index, [])]))
    return out, joined


def _code_part(line: str, comment: ast.Comment | None) -> str:
    """A source line without its comment (the parser found where it starts; a '#' in text is not one)."""
    if comment is None:
        return line
    for position in (i for i, char in enumerate(line) if char == "#"):
        if line[position + 1:].strip() == comment.text:
            return line[:position]
    return line


def _anchors(lines: list[str], code: dict[int, str], first: int, last: int) -> list[int | None]:
    """For each written line, the source line it came from (None for a line only the formatter made)."""
    anchors: list[int | None] = [None] * len(lines)
    used: set[int] = set()
    for index, text in enumerate(lines):  # the same code: a line already in canonical layout
        match = next((n for n in range(first, last + 1) if n not in used and code[n].strip() == text.strip() and text.strip()), None)
        if match is not None:
            anchors[index] = match
            used.add(match)
    cursor = first
    for index, text in enumerate(lines):  # else the next source line with the same clause keyword
        anchor = anchors[index]
        if anchor is not None:
            cursor = anchor + 1
            continue
        if index and (not text.startswith(INDENT) or text.startswith(INDENT * 2)):  # only clause lines
            continue
        keyword = text.split()[0] if text.split() else ""
        match = next((n for n in range(cursor, last + 1) if n not in used and code[n].split()[:1] == [keyword]), None)
        if match is not None:
            anchors[index] = match
            used.add(match)
            cursor = match + 1
    return anchors


def _outside_blocks(lines: list[str]) -> list[bool]:
    """Whether the end of each line is outside a \"\"\" block (where a comment can go)."""
    safe, inside = [], False
    for text in lines:
        inside ^= text.count('"""') % 2 == 1
        safe.append(not inside)
    return safe


def format_expr(expr: ast.Expr) -> str:
    """One expression on one line, with the fewest brackets that keep its meaning."""
    return _expr(expr, 0)


def _comment(comment: ast.Comment, source) -> str:
    """A comment as written (its own spacing kept, e.g. aligned columns), moved to the left margin."""
    if source is not None:
        raw = source.line(comment.line).strip()
        if raw.startswith("#") and raw[1:].strip() == comment.text:
            return raw
    return f"# {comment.text}" if comment.text else "#"


# ------------------------------------------------------------------ declarations


def _declaration(item: ast.Decl) -> list[str]:
    if isinstance(item, ast.Header):
        return [f"ruleset {_quote(item.name)} version {_quote(item.version)} published {item.published.isoformat()}"]
    if isinstance(item, ast.Include):
        return [f"include {_quote(item.path)}"]
    if isinstance(item, ast.FactDecl):
        lines = _typed(f"fact {item.name}: ", item.type, "")
        if item.doc is not None:
            lines += _string_clause(INDENT, "meaning ", item.doc)
        return lines
    if isinstance(item, ast.GroupingDecl):
        lines = [f"grouping {item.name} of {item.source}"] + [INDENT + format_group_member(member) for member in item.members]
        if item.doc is not None:
            lines += _string_clause(INDENT, "meaning ", item.doc)
        return lines
    if isinstance(item, ast.DefineDecl):
        lines = _wrapped(f"define {item.name} = ", item.expr, INDENT, break_after=f"define {item.name} =")
        if item.doc is not None:
            lines += _string_clause(INDENT, "meaning ", item.doc)
        return lines
    if isinstance(item, ast.ConstraintDecl):
        lines = _wrapped(f"constraint {item.field} requires ", item.expr, INDENT * 2)
        return lines + _string_clause(INDENT, "message ", item.message)
    if isinstance(item, ast.ConsistencyDecl):
        field = f"[{item.field}]" if item.on_answer else item.field
        lines = _wrapped(f"constraint {field} requires ", item.expr, INDENT * 2)
        return lines + _string_clause(INDENT, "warn ", item.message)
    if isinstance(item, ast.ApplicabilityDecl):
        head = f"applicability {_quote(item.label)}"
        if item.always:
            return [head + " always"]
        return [head] if item.condition is None else _wrapped(head + " when ", item.condition, INDENT * 2)
    if isinstance(item, ast.ExcludeDecl):
        lines = _wrapped("exclude when ", item.condition, INDENT * 2)
        return lines + _string_clause(INDENT, "because ", item.reason)
    if isinstance(item, ast.CaseTypeDecl):
        lines = ["case type"]
        for rule in item.rules:
            if rule.condition is None:
                lines.append(f"{INDENT}{rule.value} otherwise")
            else:
                lines += _wrapped(f"{INDENT}{rule.value} when ", rule.condition, INDENT * 2)
        for override in item.overrides:
            replaces = f" from {override.replaces}" if override.replaces is not None else ""
            lines += _wrapped(f"{INDENT}override {override.value}{replaces} when ", override.condition, INDENT * 2)
        return lines
    if isinstance(item, ast.SectionDecl):
        lines = [f"section {_quote(item.title)}"]
        if item.heading is not None:
            lines += _string_clause(INDENT, "heading ", item.heading)
        if item.guidance is not None:
            lines += _string_clause(INDENT, "guidance ", item.guidance, block=True)
        return lines
    if isinstance(item, ast.QuestionDecl):
        return _question(item)
    if isinstance(item, ast.BandsDecl):
        lines = ["bands"] + [f"{INDENT}{_quote(band.name)} from {band.lower_percent}%" for band in item.bands]
        if item.small_sample is not None:
            lines.append(f"{INDENT}small sample below {item.small_sample} cases")
        return lines
    if isinstance(item, ast.StandardDecl):
        lines = [f"standard {_quote(item.name)}"]
        if item.key_questions:
            lines.append(f"{INDENT}key questions {_refs(item.key_questions)}")
        if item.lowest_band:
            lines.append(f"{INDENT}rated by lowest band")
        if item.average_of:
            lines.append(f"{INDENT}rated by average of {_refs(item.average_of)}")
        for cap in item.caps:
            lines.append(f"{INDENT}at most {_quote(cap.band)} when {_ref(cap.question)} is {_quote(cap.when_band)}")
        return lines
    if isinstance(item, ast.InspectionQuestionDecl):
        return _inspection_question(item)
    if isinstance(item, ast.TestDecl):
        return _test(item)
    raise TypeError(f"not a declaration: {item!r}")


def format_group_member(member: ast.GroupMember) -> str:
    """``aged_18_to_24 "18-24" from 18 to 24``, ``high_or_very_high "High/very high" is high, very_high``."""
    head = f"{member.code} {_quote(member.label)}"
    if not member.is_band:
        return f"{head} is {', '.join(member.options)}"
    if member.lower is None:
        return f"{head} up to {_bound(member.upper)}"
    if member.upper is None:
        return f"{head} from {_bound(member.lower)}"
    return f"{head} from {_bound(member.lower)} to {_bound(member.upper)}"


def _bound(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value)


def _question(item: ast.QuestionDecl) -> list[str]:
    lines = [f"question {_quote(item.id)} {item.kind}"]
    if item.text is not None:
        lines += _string_clause(INDENT, "text ", item.text)
    if item.label is not None:
        lines += _string_clause(INDENT, "label ", item.label)
    if item.applies is None:
        lines.append(f"{INDENT}applies always")
    else:
        lines += _wrapped(f"{INDENT}applies when ", item.applies, INDENT * 2)
    if item.answer is not None:
        lines += _typed(f"{INDENT}answer ", item.answer, INDENT)
    if item.informed_by:
        lines.append(f"{INDENT}informed by {_refs(item.informed_by)}")
    for rule in item.derive:
        lines += _wrapped(f"{INDENT}derive {rule.value} when ", rule.condition, INDENT * 2)
    if item.record_reasons:
        lines.append(f"{INDENT}record reasons")
    if item.guidance is not None:
        lines += _string_clause(INDENT, "guidance ", item.guidance, block=True)
    return lines


def _inspection_question(item: ast.InspectionQuestionDecl) -> list[str]:
    """Domain and heading first (where it sits), then the text, the links, the evidence and the guidance."""
    lines = [f"inspection question {_quote(item.id)}"]
    for keyword, value in (("domain ", item.domain), ("heading ", item.heading), ("text ", item.text)):
        if value is not None:
            lines += _string_clause(INDENT, keyword, value)
    for link in item.links:
        head = f"{INDENT}informed by {_refs(link.questions)}"
        lines += [head] if link.within is None else _wrapped(head + " within ", link.within, INDENT * 3)
        lines += _string_clause(INDENT * 2, "because ", link.because)
    if item.evidence:  # one source a line, as the document lists them
        lines.append(f"{INDENT}evidence")
        lines += [f"{INDENT * 2}{_quote(source)}," for source in item.evidence[:-1]] + [f"{INDENT * 2}{_quote(item.evidence[-1])}"]
    if item.guidance is not None:
        lines += _string_clause(INDENT, "guidance ", item.guidance, block=True)
    return lines


def _test(item: ast.TestDecl) -> list[str]:
    lines = [f"test {_quote(item.name)}"]
    lines += _bindings("facts", [f"{name} = {_literal(value)}" for name, value in item.facts])
    lines += _bindings("answers", [f"[{qid}] = {_literal(value)}" for qid, value in item.answers])
    for expectation in item.expectations:
        lines.append(INDENT + "expect " + _expectation(expectation))
    return lines


def _bindings(keyword: str, parts: list[str]) -> list[str]:
    """``facts a = 1, b = 2``; a line that would be too long is split into several clauses (they add up)."""
    lines: list[str] = []
    current: list[str] = []
    for part in parts:
        candidate = f"{INDENT}{keyword} " + ", ".join(current + [part])
        if current and len(candidate) > BINDINGS_WIDTH:
            lines.append(f"{INDENT}{keyword} " + ", ".join(current))
            current = []
        current.append(part)
    if current:
        lines.append(f"{INDENT}{keyword} " + ", ".join(current))
    return lines


_STATUS_WORDS = {"applies": "applies", "not_applicable": "not applicable", "pending": "pending"}


def _expectation(expectation: ast.Expectation) -> str:
    kind = expectation.kind
    if kind == "case_type":
        return f"case type {expectation.value}"
    if kind in _STATUS_WORDS:
        return f"{_STATUS_WORDS[kind]} {_refs(expectation.questions)}"
    if kind == "value":
        return f"{_ref(expectation.questions[0])} = {_literal(expectation.value)}"
    if kind in ("error", "warning", "excluded"):
        return f"{kind} {_quote(str(expectation.value))}"
    raise ValueError(f"unknown expectation kind {kind!r}")


def _literal(value: object) -> str:
    """A test value (as ast.TestDecl holds it) as the literal that reads back to it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (tuple, list, frozenset, set)):
        return "{" + ", ".join(str(member) for member in value) + "}"
    if isinstance(value, str):
        return value if _is_plain_name(value) else _quote(value)
    raise ValueError(f"a test value must be a code, text, number, date, true/false or a set of codes, not {value!r}")


def _is_plain_name(value: str) -> bool:
    return bool(_NAME_RE.match(value)) and value not in _KEYWORDS


def _typed(prefix: str, type_expr: ast.TypeExpr, indent: str) -> list[str]:
    """``fact x: one of a "A", b "B"``, with one option per line when that is too long."""
    words = {"one": "one of", "any": "any of", "scale": "scale"}
    if type_expr.kind not in words:
        return [prefix + type_expr.kind]
    options = [option.code + (f" {_quote(option.label)}" if option.label is not None else "") for option in type_expr.options]
    single = f"{prefix}{words[type_expr.kind]} " + ", ".join(options)
    if len(single) <= _width.get():
        return [single]
    inner = indent + INDENT * 2 if indent == "" else indent + INDENT
    lines = [f"{prefix}{words[type_expr.kind]}"]
    lines += [f"{inner}{option}," for option in options[:-1]] + [f"{inner}{options[-1]}"]
    return lines


def _string_clause(indent: str, keyword: str, value: str, block: bool = False) -> list[str]:
    """A clause ending in text: one line, or a ``\"\"\"`` block for guidance and text with line breaks."""
    if block or "\n" in value:
        written = _block(value, indent + INDENT, indent + keyword)
        if written is not None:
            return written
    return [f"{indent}{keyword}{_quote(value)}"]


def _block(value: str, inner: str, opening: str) -> list[str] | None:
    lines = value.split("\n")
    body = [inner + line if line.strip() else "" for line in lines]
    written = [opening + '"""'] + body + [inner + '"""']
    # A block reads back dedented and stripped; text that would not survive that keeps quotes.
    if '"""' in value or _read_block("\n".join(written)[len(opening):]) != value:
        return None
    return written


def _read_block(raw: str) -> str:
    body = raw[3:-3]
    if body.startswith("\n"):
        body = body[1:]
    return textwrap.dedent(body).strip()


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _ref(ref: ast.AnswerRef) -> str:
    return f"[{ref.question_id}]"


def _refs(refs: tuple[ast.AnswerRef, ...]) -> str:
    return ", ".join(_ref(ref) for ref in refs)


# ------------------------------------------------------------------ expressions

# Binding levels, loosest first, as in grammar/carag.lark.
_IF, _OR, _AND, _NOT, _COMPARISON, _SUM, _ATOM = range(7)


def _level(expr: ast.Expr) -> int:
    if isinstance(expr, ast.If):
        return _IF
    if isinstance(expr, ast.BoolOp):
        return _OR if expr.op == "or" else _AND
    if isinstance(expr, ast.Not):
        return _NOT
    if isinstance(expr, (ast.Compare, ast.In, ast.IsEmpty)):
        return _COMPARISON
    if isinstance(expr, ast.Arith):
        return _SUM
    return _ATOM


def _expr(expr: ast.Expr, needed: int) -> str:
    """``expr`` written where the grammar expects an expression of at least level ``needed``."""
    text = _bare(expr)
    return f"({text})" if _level(expr) < needed else text


def _bare(expr: ast.Expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.AnswerRef):
        return _ref(expr)
    if isinstance(expr, ast.IntLit):
        return str(expr.value)
    if isinstance(expr, ast.DateLit):
        return expr.value.isoformat()
    if isinstance(expr, ast.TextLit):
        return _quote(expr.value)
    if isinstance(expr, ast.BoolLit):
        return "true" if expr.value else "false"
    if isinstance(expr, ast.DurationLit):
        return f"{expr.amount} {expr.unit}"
    if isinstance(expr, ast.SetLit):
        return "{" + ", ".join(expr.members) + "}"
    if isinstance(expr, ast.Not):
        return "not " + _expr(expr.operand, _NOT)
    if isinstance(expr, ast.BoolOp):
        own = _OR if expr.op == "or" else _AND
        return f"{_bool_operand(expr.left, expr.op, own)} {expr.op} {_bool_operand(expr.right, expr.op, own + 1)}"
    if isinstance(expr, ast.Compare):
        return f"{_expr(expr.left, _SUM)} {expr.op} {_expr(expr.right, _SUM)}"
    if isinstance(expr, ast.In):
        word = "not in" if expr.negated else "in"
        return f"{_expr(expr.element, _SUM)} {word} {_expr(expr.collection, _SUM)}"
    if isinstance(expr, ast.IsEmpty):
        return f"{_expr(expr.operand, _SUM)} is {'not ' if expr.negated else ''}empty"
    if isinstance(expr, ast.Arith):
        return f"{_operand(expr.left, _SUM)} {expr.op} {_operand(expr.right, _ATOM)}"
    if isinstance(expr, ast.DaysBetween):
        return f"days from {_expr(expr.start, _SUM)} to {_expr(expr.end, _SUM)}"
    if isinstance(expr, ast.If):
        # Nested if/then/else in the condition or the 'then' branch is bracketed for the reader.
        return (
            f"if {_expr(expr.condition, _OR)} then {_expr(expr.then, _OR)} "
            f"else {_expr(expr.otherwise, _IF)}"
        )
    raise TypeError(f"not an expression: {expr!r}")


def _bool_operand(expr: ast.Expr, parent_op: str, needed: int) -> str:
    """An operand of and/or. An 'and' inside an 'or' is bracketed although the grammar does not need
    it: people reading a rule should not have to know that 'and' binds tighter than 'or'."""
    if parent_op == "or" and isinstance(expr, ast.BoolOp) and expr.op == "and":
        return f"({_bare(expr)})"
    return _expr(expr, needed)


def _operand(expr: ast.Expr, needed: int) -> str:
    """An operand of + or -: 'days from a to b' is bracketed there, since its 'to' part would take the sum."""
    if isinstance(expr, ast.DaysBetween):
        return f"({_bare(expr)})"
    return _expr(expr, needed)


def _wrapped(prefix: str, expr: ast.Expr, continuation: str, break_after: str | None = None) -> list[str]:
    """``prefix + expr`` on one line, or a long and/or chain one operand per line.

    With ``break_after`` (definitions), the chain starts on the line after it,
    every operand at ``continuation``; otherwise the first operand stays on the
    prefix line and the others follow at ``continuation``.
    """
    single = prefix + format_expr(expr)
    if len(single) <= _width.get() or not isinstance(expr, ast.BoolOp):
        return [single]
    op = expr.op
    operands = _chain(expr, op)
    own = _OR if op == "or" else _AND
    parts = [_bool_operand(operands[0], op, own)] + [f"{op} {_bool_operand(operand, op, own + 1)}" for operand in operands[1:]]
    if break_after is not None:
        return [break_after] + [continuation + part for part in parts]
    return [prefix + parts[0]] + [continuation + part for part in parts[1:]]


def _chain(expr: ast.Expr, op: str) -> list[ast.Expr]:
    """The operands of a left-leaning chain ``a op b op c``."""
    operands: list[ast.Expr] = []
    while isinstance(expr, ast.BoolOp) and expr.op == op:
        operands.append(expr.right)
        expr = expr.left
    operands.append(expr)
    return operands[::-1]
