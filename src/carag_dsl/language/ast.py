"""The abstract syntax tree of .carag files.

Every node is a frozen attrs class with a ``span`` (its place in the source).
Spans are excluded from equality, so two trees that say the same thing compare
equal wherever they came from (``parse(format(tree)) == tree``). Results of
analysis (types, resolved names) live in side tables, never on the nodes.
"""

from __future__ import annotations

import datetime
from typing import Any, Union

import attrs

from carag_dsl.source import NOWHERE, Span


def _span(default=NOWHERE):
    return attrs.field(default=default, eq=False, repr=False, kw_only=True)


_REPR_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_repr(self: Any) -> str:
    """The repr of every node, shared: attrs writes and compiles __init__, __eq__, __hash__ and __repr__ for each
    class, and this module's 44 classes were the largest part of ``import carag_dsl`` (the repr a third of each
    compiled script). The text is attrs' own: ``Name(name='x')``, the fields declared ``repr=False`` (spans)
    left out. Set on every class at the end of the module."""
    names = _REPR_FIELDS.get(type(self))
    if names is None:
        names = _REPR_FIELDS[type(self)] = tuple(field.name for field in attrs.fields(type(self)) if field.repr)
    return f"{type(self).__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in names)})"


# ------------------------------------------------------------------ expressions


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Name:
    """A fact, a defined name, ``case_type``, or an option code (``licence``)."""

    name: str
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class AnswerRef:
    """``[X 6]``: the answer to a question (or its derived value)."""

    question_id: str
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class IntLit:
    value: int
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class DateLit:
    value: datetime.date
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class TextLit:
    value: str
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class BoolLit:
    value: bool
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class DurationLit:
    """``56 days``, ``8 weeks``. ``unit`` is as written (singular or plural)."""

    amount: int
    unit: str
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class SetLit:
    """``{licence, pss}``: a set of option codes."""

    members: tuple[str, ...]
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Not:
    operand: "Expr"
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class BoolOp:
    """``left and right`` / ``left or right`` (Kleene logic)."""

    op: str  # "and" | "or"
    left: "Expr"
    right: "Expr"
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Compare:
    op: str  # == != < <= > >=
    left: "Expr"
    right: "Expr"
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class In:
    """``x in {a, b}``, ``code in [X 4]``; ``negated`` for ``not in``."""

    element: "Expr"
    collection: "Expr"
    negated: bool = False
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class IsEmpty:
    """``[X 4] is empty``; ``negated`` for ``is not empty``."""

    operand: "Expr"
    negated: bool = False
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Arith:
    """``date + duration``, ``date - date``, ``int + int``."""

    op: str  # "+" | "-"
    left: "Expr"
    right: "Expr"
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class DaysBetween:
    """``days from start to end``: a duration, negative when end is before start."""

    start: "Expr"
    end: "Expr"
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class If:
    condition: "Expr"
    then: "Expr"
    otherwise: "Expr"
    span: Span = _span()


Expr = Union[
    Name, AnswerRef, IntLit, DateLit, TextLit, BoolLit, DurationLit, SetLit,
    Not, BoolOp, Compare, In, IsEmpty, Arith, DaysBetween, If,
]


# ------------------------------------------------------------------ types


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Option:
    """One option of an enumeration: its code and the label people read."""

    code: str
    label: str | None = None
    span: Span = _span()


#: Kinds of :class:`TypeExpr`. ``one``/``any``/``scale`` carry options; the
#: answer-only kinds ``yes_no`` and ``yes_no_not_a_factor`` carry their fixed options implicitly.
TYPE_KINDS = ("bool", "int", "date", "text", "one", "any", "scale", "yes_no", "yes_no_not_a_factor")


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class TypeExpr:
    kind: str
    options: tuple[Option, ...] = ()
    span: Span = _span()


# ------------------------------------------------------------------ declarations


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Header:
    name: str
    version: str
    published: datetime.date
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Include:
    path: str
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class FactDecl:
    name: str
    type: TypeExpr
    doc: str | None = None
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class GroupMember:
    """One named group of a :class:`GroupingDecl`: a band of a number or a date (``lower`` and ``upper``
    included, ``None`` for no bound) or, with ``options``, the source's options merged into one group."""

    code: str
    label: str
    lower: int | datetime.date | None = None
    upper: int | datetime.date | None = None
    options: tuple[str, ...] = ()
    span: Span = _span()

    @property
    def is_band(self) -> bool:
        return not self.options


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class GroupingDecl:
    """``grouping age_group of age``: named groups of the values of a fact (see :class:`GroupMember`).

    The compiler lowers a comparison with a grouping into conditions on its source fact (compiler/groupings.py).
    """

    name: str
    source: str
    members: tuple[GroupMember, ...]
    doc: str | None = None
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class DefineDecl:
    name: str
    expr: Expr
    doc: str | None = None
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class ConstraintDecl:
    """``constraint FIELD requires EXPR message "..."``: checked when FIELD is given."""

    field: str
    expr: Expr
    message: str
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class ExcludeDecl:
    """``exclude when EXPR because "..."``: a case the inspection does not inspect (it gets no routing)."""

    condition: Expr
    reason: str
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class ConsistencyDecl:
    """``constraint FIELD requires EXPR warn "..."``: checked when FIELD (a fact, or ``[question]``) is given;
    a case that breaks it is still evaluated, with the warning."""

    field: str
    on_answer: bool  # FIELD is a question's answer (written in brackets)
    expr: Expr
    message: str
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class ApplicabilityDecl:
    """``applicability "Core cases only" when case_type == core``: what a question label means.

    ``condition`` is None for a label whose meaning differs from question to question;
    ``always`` for ``applicability "All cases" always``.
    """

    label: str
    condition: Expr | None = None
    always: bool = False
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class CaseRule:
    """``adjusted when EXPR`` or ``core otherwise`` (``condition`` is None)."""

    value: str
    condition: Expr | None
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class CaseOverride:
    """``override core [from adjusted] when [2.0.19a] == yes``: an answer that decides the case type.

    It decides where the rules do not (they are unknown); with ``replaces``
    (``from adjusted``) it also replaces that type when the rules give it.
    Where the rules give any other type, the rules stand and a warning says so.
    """

    value: str
    condition: Expr
    replaces: str | None = None
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class CaseTypeDecl:
    rules: tuple[CaseRule, ...]
    overrides: tuple[CaseOverride, ...] = ()
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class SectionDecl:
    title: str
    heading: str | None = None
    guidance: str | None = None
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Derive:
    """``derive yes when EXPR``: the value of an unanswered question that applies."""

    value: str
    condition: Expr
    span: Span = _span()


QUESTION_KINDS = ("prompt", "information", "judgement")


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class QuestionDecl:
    id: str
    kind: str
    text: str | None = None
    label: str | None = None
    answer: TypeExpr | None = None
    applies: Expr | None = None  # None: applies always
    guidance: str | None = None
    informed_by: tuple[AnswerRef, ...] = ()
    derive: tuple[Derive, ...] = ()
    record_reasons: bool = False  # the guidance asks inspectors to record why ("record reasons")
    span: Span = _span()
    id_span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Band:
    """``"Good" from 65%``: a band and its inclusive lower bound, as written."""

    name: str
    lower_percent: str
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class BandsDecl:
    bands: tuple[Band, ...]
    small_sample: int | None = None  # ratings of fewer cases carry a caveat ("small sample below N cases")
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Cap:
    """``at most "Good" when [P 2.2.3] is "Inadequate"``."""

    band: str
    question: AnswerRef
    when_band: str
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class StandardDecl:
    name: str
    key_questions: tuple[AnswerRef, ...] = ()
    lowest_band: bool = False
    caps: tuple[Cap, ...] = ()
    span: Span = _span()
    #: ``rated by average of [Q], ...``: a score, the mean of each question's share of 'yes' (2014's method).
    average_of: tuple[AnswerRef, ...] = ()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class InspectionLink:
    """``informed by [P 2.1.3], [2.5.41] within mappa because "..."``: the case findings an inspection question reads.

    ``within`` is the group of cases the findings are taken over (a condition over facts), None for all cases.
    """

    questions: tuple[AnswerRef, ...]
    because: str
    within: Expr | None = None
    span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class InspectionQuestionDecl:
    """A question about the region (the inspection questions), answered in prose: never routed or rated."""

    id: str
    text: str | None = None
    domain: str | None = None
    heading: str | None = None
    guidance: str | None = None
    evidence: tuple[str, ...] = ()  # the evidence sources, each as printed
    links: tuple[InspectionLink, ...] = ()
    span: Span = _span()
    id_span: Span = _span()


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Expectation:
    """One ``expect`` line of a test.

    ``kind`` is ``case_type`` (``value``: the type), ``applies`` /
    ``not_applicable`` / ``pending`` (``questions``), ``value`` (``questions``
    holds one question, ``value`` a literal), ``error`` (``value``: text the
    case-data error must contain), ``warning`` (text one warning must contain)
    or ``excluded`` (text the reason the case is not inspected must contain).
    """

    kind: str
    questions: tuple[AnswerRef, ...] = ()
    value: object = None
    span: Span = _span()
    value_span: Span = _span()  # where the value of a ``value`` or ``case_type`` expectation is written


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class TestDecl:
    name: str
    facts: tuple[tuple[str, object], ...] = ()
    answers: tuple[tuple[str, object], ...] = ()
    expectations: tuple[Expectation, ...] = ()
    span: Span = _span()
    # Where each binding of ``facts`` and ``answers`` is written: (its name or [id], its value), in the same
    # order, so the compiler can check a test statically and point at the spot.
    fact_spans: tuple[tuple[Span, Span], ...] = _span(())
    answer_spans: tuple[tuple[Span, Span], ...] = _span(())


Decl = Union[
    Header, Include, FactDecl, GroupingDecl, DefineDecl, ConstraintDecl, ConsistencyDecl, ApplicabilityDecl, ExcludeDecl, CaseTypeDecl, SectionDecl,
    QuestionDecl, BandsDecl, StandardDecl, InspectionQuestionDecl, TestDecl,
]


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Comment:
    """A ``# comment`` line, kept for the formatter."""

    text: str
    line: int


@attrs.frozen(repr=False)  # the repr: _node_repr (end of module)
class Module:
    """One parsed file: its declarations in order (and its comments, for ``carag fmt``)."""

    items: tuple[Decl, ...]
    comments: tuple[Comment, ...] = attrs.field(default=(), eq=False, repr=False)
    path: str = attrs.field(default="<string>", eq=False)
    text: str = attrs.field(default="", eq=False, repr=False)  # the file as read: the rule set's content hash


def children(node: object):
    """The direct sub-expressions of an expression node (for walks)."""
    if isinstance(node, Not):
        return (node.operand,)
    if isinstance(node, (BoolOp, Compare, Arith)):
        return (node.left, node.right)
    if isinstance(node, In):
        return (node.element, node.collection)
    if isinstance(node, IsEmpty):
        return (node.operand,)
    if isinstance(node, DaysBetween):
        return (node.start, node.end)
    if isinstance(node, If):
        return (node.condition, node.then, node.otherwise)
    return ()


def walk(expr: Expr):
    """Every node of an expression, parents before children."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


for _class in list(globals().values()):  # every node class of this module prints with _node_repr
    if isinstance(_class, type) and attrs.has(_class) and _class.__module__ == __name__:
        _class.__repr__ = _node_repr  # type: ignore[method-assign]
del _class
