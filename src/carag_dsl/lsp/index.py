"""Where each name, question and option code of one rule file is declared and used.

Read from the grammar's own parse tree (:func:`carag_dsl.language.parser.lark_parser`),
which keeps every token's place, including those the AST does not (the names in a
test's ``facts`` line). A bare name in an expression may be a fact, a defined name
or an option code: the index records it as written, with the operand it is
compared with (its *partner*), and :mod:`.resolve` resolves it against the
rule set's declarations, the way the type checker does.
"""

from __future__ import annotations

import attrs
from lark import Token, Tree

from carag_dsl.language.parser import lark_parser

# Kinds of occurrence.
NAME_DECLARATION = "name-declaration"  # fact NAME / define NAME
QUESTION_DECLARATION = "question-declaration"  # question "ID"
INSPECTION_DECLARATION = "inspection-declaration"  # inspection question "ID"
OPTION_DECLARATION = "option-declaration"  # an option of a fact or of an answer
NAME = "name"  # a bare name: a fact, a defined name, case_type, or an option code
QUESTION = "question"  # [ID]
CODE = "code"  # certainly an option code: set members, test values, case types, derive values

Partner = tuple[str, str]  # ("name", fact) | ("question", id) | ("case_type", "")


@attrs.frozen
class Occurrence:
    kind: str
    text: str
    # 0-based line; columns count code points from 0 (the server converts them for the client).
    line: int
    column: int
    end_line: int
    end_column: int
    partner: Partner | None = None

    def contains(self, line: int, column: int) -> bool:
        return (self.line, self.column) <= (line, column) <= (self.end_line, self.end_column)


@attrs.frozen
class FileIndex:
    occurrences: tuple[Occurrence, ...]

    def at(self, line: int, column: int) -> Occurrence | None:
        """The occurrence under a 0-based position (the cursor may sit just after its last character)."""
        for occurrence in self.occurrences:
            if occurrence.contains(line, column):
                return occurrence
        return None


def question_id_of(token: Token) -> str:
    """``[X  6]`` and ``"X 6"`` both name question ``X 6``."""
    return " ".join(str(token)[1:-1].split())


def index_text(text: str) -> FileIndex:
    """The index of one file's text; raises Lark's errors when it does not parse."""
    builder = _Builder()
    builder.visit(lark_parser().parse(text), None, None)
    return FileIndex(tuple(builder.occurrences))


def _reference(node) -> Partner | None:
    """What an operand names, when it is a bare name or a question (a partner for the codes beside it)."""
    if isinstance(node, Tree) and node.children and isinstance(node.children[0], Token):
        if node.data == "name":
            return ("name", str(node.children[0]))
        if node.data == "answer_ref":
            return ("question", question_id_of(node.children[0]))
    return None


class _Builder:
    def __init__(self) -> None:
        self.occurrences: list[Occurrence] = []

    def add(self, kind: str, token: Token, text: str | None = None, partner: Partner | None = None) -> None:
        # Tokens from the parser always carry their place (Lark types it as optional).
        line, column, end_line, end_column = (token.line or 1) - 1, (token.column or 1) - 1, (token.end_line or 1) - 1, (token.end_column or 1) - 1
        self.occurrences.append(Occurrence(kind, text if text is not None else str(token), line, column, end_line, end_column, partner))

    def visit(self, node, partner: Partner | None, owner: Partner | None) -> None:
        """``partner``: what a code here would be an option of; ``owner``: whose options are declared here."""
        if isinstance(node, Token):
            if node.type == "QREF":
                self.add(QUESTION, node, question_id_of(node))
            return
        if not isinstance(node, Tree):  # a placeholder for an absent optional part
            return
        handler = getattr(self, "_" + node.data, None)
        if handler is not None:
            handler(node.children, partner, owner)
            return
        for child in node.children:
            self.visit(child, partner, owner)

    # -- declarations
    def _fact_decl(self, children, partner, owner) -> None:
        name, type_expr, _meaning = children
        self.add(NAME_DECLARATION, name)
        self.visit(type_expr, None, ("name", str(name)))

    def _grouping_decl(self, children, partner, owner) -> None:
        # `grouping age_group of age`: a name declared, the fact it groups, each group an option of the
        # grouping, and the options merged (`is high, very_high`) codes of the fact.
        name, source, *members, _meaning = children
        self.add(NAME_DECLARATION, name)
        self.add(NAME, source)
        for member in members:
            code, _label, *rest = member.children
            self.add(OPTION_DECLARATION, code, partner=("name", str(name)))
            for part in rest:
                if isinstance(part, Token) and part.type == "NAME":
                    self.add(CODE, part, partner=("name", str(source)))

    def _define_decl(self, children, partner, owner) -> None:
        name, expr, _meaning = children
        self.add(NAME_DECLARATION, name)
        self.visit(expr, None, None)

    def _option(self, children, partner, owner) -> None:
        self.add(OPTION_DECLARATION, children[0], partner=owner)

    def _constraint_decl(self, children, partner, owner) -> None:
        field, expr, _message = children
        self.add(NAME, field)
        self.visit(expr, None, None)

    def _consistency_decl(self, children, partner, owner) -> None:
        subject, expr, _warning = children
        if subject.type == "QREF":
            self.add(QUESTION, subject, question_id_of(subject))
        else:
            self.add(NAME, subject)
        self.visit(expr, None, None)

    def _case_rule_when(self, children, partner, owner) -> None:
        # Every bare name of a case-type rule or override (`override core from adjusted when ...`) is a case type.
        for child in children:
            if isinstance(child, Token) and child.type == "NAME":
                self.add(CODE, child, partner=("case_type", ""))
            else:
                self.visit(child, None, None)

    _case_rule_otherwise = _case_override = _case_rule_when

    def _question_decl(self, children, partner, owner) -> None:
        qid = children[0]
        self.add(QUESTION_DECLARATION, qid, question_id_of(qid))
        question = ("question", question_id_of(qid))
        for clause in children[2:]:
            self.visit(clause, None, question)

    def _inspection_decl(self, children, partner, owner) -> None:
        qid = children[0]
        self.add(INSPECTION_DECLARATION, qid, question_id_of(qid))
        for clause in children[1:]:  # its links' [refs] and the facts of their groups
            self.visit(clause, None, None)

    def _q_derive(self, children, partner, owner) -> None:
        value, condition = children
        self.add(CODE, value, partner=owner)
        self.visit(condition, None, None)

    # -- expressions: a code takes its meaning from the operand it meets
    def _compare(self, children, partner, owner) -> None:
        left, _op, right = children
        self.visit(left, _reference(right), None)
        self.visit(right, _reference(left), None)

    def _in_(self, children, partner, owner) -> None:
        element, collection = children
        self.visit(element, _reference(collection), None)
        self.visit(collection, _reference(element), None)

    _not_in = _in_

    def _name(self, children, partner, owner) -> None:
        self.add(NAME, children[0], partner=partner)

    def _set_literal(self, children, partner, owner) -> None:
        for member in children:
            if isinstance(member, Token):
                self.add(CODE, member, partner=partner)

    # -- tests
    def _fact_binding(self, children, partner, owner) -> None:
        name, value = children
        self.add(NAME, name)
        self.visit(value, ("name", str(name)), None)

    def _answer_binding(self, children, partner, owner) -> None:
        qref, value = children
        self.add(QUESTION, qref, question_id_of(qref))
        self.visit(value, ("question", question_id_of(qref)), None)

    _e_value = _answer_binding

    def _lit_name(self, children, partner, owner) -> None:
        self.add(CODE, children[0], partner=partner)

    def _e_case_type(self, children, partner, owner) -> None:
        self.add(CODE, children[0], partner=("case_type", ""))
