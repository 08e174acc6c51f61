"""The rules' expressions written for a form engine, with carag's three-valued logic made explicit.

Form engines have no "unknown": a blank field compares as an empty string
(XPath) or ``undefined`` (SurveyJS), and ``${x} != 'licence'`` is true while
``x`` is still blank, where carag says *pending*. So nothing here is written as
the engine would read it naively. Every condition is lowered to a
:class:`Cond`, a pair of engine expressions ``true`` / ``false`` that hold
exactly when carag's value is true / false (neither holds while it is
unknown), and every other value to a :class:`Value` with the condition
``known`` under which it is known. The blank guards are written into the
expressions, so a question whose applicability is unknown stays hidden.

Three-valued logic writes some parts twice (an ``if``'s branches, a condition
and its negation), so nested rules would grow exponentially. A part written
more than once and longer than :data:`SHARE_AT` characters is therefore named
once, as a calculated value of its own (the ``share`` callback of
:class:`Lowering`), and read by name; a set-valued defined name is lowered
once and named the same way. Expressions stay linear in the rules.

:class:`Lowering` is the one visitor over the checked AST (the same node
classes the evaluators walk); a :class:`Dialect` says how each primitive is
spelt in one engine's language (XPath for XLSForm, SurveyJS expressions).
Dates become day numbers, durations numbers of days, scale levels their rank.
Sets are multi-choice fields; an empty set is a chosen "none of these"
(:data:`EMPTY_SET_CHOICE`), because a form cannot tell nothing chosen from
not yet answered.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Callable, Sequence

import attrs

from carag_dsl.compiler import types as T
from carag_dsl.compiler.symbols import CASE_TYPE
from carag_dsl.compiler.typecheck import ExpressionTypes
from carag_dsl.errors import CaragError
from carag_dsl.language import ast

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

#: The choice that stands for the empty set in a multi-choice field ("none of these").
#: Not a carag option code (codes cannot contain '-'), so it never clashes with one.
EMPTY_SET_CHOICE = "none-of-these"
_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
#: A part of an expression written more than once is named (a calculated value) when longer than this.
SHARE_AT = 160


class CannotExpress(CaragError):
    """A rule the target form language cannot express exactly: says where the rule is and why."""

    def __init__(self, node: ast.Expr, why: str):
        self.node = node
        self.why = why
        super().__init__("\n".join([f"{node.span.location()}: {why}", *node.span.excerpt()]))


@attrs.frozen
class Cond:
    """A carag condition: ``true`` holds iff it is true, ``false`` iff it is false (neither: unknown)."""

    true: str
    false: str


@attrs.frozen
class Value:
    """A carag value: ``text`` is meaningful when ``known`` holds (``None``: always known).

    ``kind`` is "number" (ints, dates as day numbers, durations in days),
    "string" (option codes, text) or "set" (a multi-choice field; ``codes``
    lists every option it may hold, for set equality).
    """

    text: str
    known: str | None
    kind: str
    codes: tuple[str, ...] = ()


class Dialect(ABC):
    """How one form engine spells the primitives the lowering needs."""

    TRUE: str
    FALSE: str

    @abstractmethod
    def field(self, name: str) -> str:
        """A reference to the form field ``name``."""

    @abstractmethod
    def filled(self, ref: str) -> str:
        """The field is not blank."""

    @abstractmethod
    def blank(self, ref: str) -> str:
        """The field is blank."""

    @abstractmethod
    def bool_field(self, ref: str, value: bool) -> str:
        """A true/false fact field holds ``value``."""

    @abstractmethod
    def string(self, text: str) -> str:
        """A string literal (escaped)."""

    def number(self, value: int) -> str:
        return str(value)

    @abstractmethod
    def date_days(self, ref: str) -> str:
        """A date field as a day number."""

    @abstractmethod
    def date_literal(self, value: datetime.date) -> str:
        """A date as the same day number as :meth:`date_days` gives."""

    @abstractmethod
    def numeric(self, ref: str) -> str:
        """A stored number (a calculated field) read as a number."""

    @abstractmethod
    def join(self, op: str, parts: Sequence[str]) -> str:
        """``and`` / ``or`` of two or more conditions."""

    @abstractmethod
    def negate(self, condition: str) -> str: ...

    @abstractmethod
    def if_(self, condition: str, then: str, otherwise: str) -> str: ...

    @abstractmethod
    def compare(self, op: str, left: str, right: str) -> str:
        """``== != < <= > >=`` between two known values (numbers or strings)."""

    @abstractmethod
    def arith(self, op: str, left: str, right: str) -> str: ...

    @abstractmethod
    def contains(self, collection: str, element: str) -> str:
        """A known multi-choice value holds ``element``."""

    # -- built from the primitives: constants folded, so guards that always hold vanish
    def and_(self, *parts: str | None) -> str:
        return self._fold("and", parts, self.TRUE, self.FALSE)

    def or_(self, *parts: str | None) -> str:
        return self._fold("or", parts, self.FALSE, self.TRUE)

    def _fold(self, op: str, parts, neutral: str, absorbing: str) -> str:
        kept: list[str] = []
        for part in parts:
            if part is None or part == neutral:
                continue
            if part == absorbing:
                return absorbing
            if part not in kept:
                kept.append(part)
        if not kept:
            return neutral
        return kept[0] if len(kept) == 1 else self.join(op, kept)

    def not_(self, condition: str) -> str:
        if condition == self.TRUE:
            return self.FALSE
        if condition == self.FALSE:
            return self.TRUE
        return self.negate(condition)

    def choose(self, condition: str, then: str, otherwise: str) -> str:
        if condition == self.TRUE:
            return then
        if condition == self.FALSE:
            return otherwise
        return self.if_(condition, then, otherwise)


class Lowering:
    """Lowers the expressions of one checked rule set for one dialect.

    ``names`` maps carag's names to form field names: ``names.fact(name)``,
    ``names.question(id)``, ``names.define(name)``, ``names.case_type()``,
    ``names.derived(id)`` (the calculated value of a judgement that derives one).
    """

    def __init__(self, rules: "CheckedRules", dialect: Dialect, names, refuse: Callable[[ast.Expr, T.Type], str | None] | None = None,
                 share: Callable[[str], str] | None = None):
        self.rules = rules
        self.symbols = rules.symbols
        self.d = dialect
        self.names = names
        self.type_of = ExpressionTypes(rules.symbols)
        self.refuse = refuse  # a dialect's veto on comparisons it cannot make exactly
        # share(expression) -> the name of a calculated value holding it (None: everything is written inline).
        self.share = share
        self._set_defines: dict[str, Cond | Value] = {}

    # ------------------------------------------------------------------ naming what is written more than once
    def _once_text(self, text: str, kind: str) -> str:
        """A value's text, named when long: read back as a number, a string or a set, as ``kind`` says."""
        if self.share is None or len(text) <= SHARE_AT:
            return text
        ref = self.d.field(self.share(text))
        return self.d.numeric(ref) if kind == "number" else ref

    def _once_condition(self, condition: str | None) -> str | None:
        """A two-valued engine condition, named when long (stored as 'true' / 'false')."""
        if condition is None or self.share is None or len(condition) <= SHARE_AT:
            return condition
        d = self.d
        ref = d.field(self.share(d.choose(condition, d.string("true"), d.string("false"))))
        return d.compare("==", ref, d.string("true"))

    def _once_value(self, value: Value) -> Value:
        return Value(self._once_text(value.text, value.kind), self._once_condition(value.known), value.kind, value.codes)

    def _once_cond(self, cond: Cond) -> Cond:
        true, false = self._once_condition(cond.true), self._once_condition(cond.false)
        assert true is not None and false is not None
        return Cond(true, false)

    def _once(self, result: Cond | Value) -> Cond | Value:
        return self._once_cond(result) if isinstance(result, Cond) else self._once_value(result)

    # ------------------------------------------------------------------ entry points
    def condition(self, node: ast.Expr) -> Cond:
        result = self.lower(node)
        assert isinstance(result, Cond), f"not a condition: {node!r}"
        return result

    def holds(self, node: ast.Expr | None) -> str:
        """The engine condition for "carag says true" (``None``, as in ``applies always``: always)."""
        return self.d.TRUE if node is None else self.condition(node).true

    def lower(self, node: ast.Expr) -> Cond | Value:
        return getattr(self, "_" + type(node).__name__)(node)

    def stored(self, node: ast.Expr) -> str:
        """The value to store in a calculated field: 'true' / 'false' / the value, or blank while unknown."""
        result = self.lower(node)
        d = self.d
        if isinstance(result, Cond):
            return d.choose(result.true, d.string("true"), d.choose(result.false, d.string("false"), d.string("")))
        return d.choose(d.and_(result.known), result.text, d.string(""))

    # ------------------------------------------------------------------ names
    def _Name(self, node: ast.Name):
        name, d = node.name, self.d
        symbols = self.symbols
        if name in symbols.facts:
            return self._field(d.field(self.names.fact(name)), symbols.facts[name].type)
        if name in symbols.defines:
            return self._define(name)
        if name == CASE_TYPE:
            ref = d.field(self.names.case_type())
            return Value(ref, d.filled(ref), "string")
        return Value(d.string(name), None, "string")  # an option code stands for itself

    def _field(self, ref: str, type_expr: ast.TypeExpr) -> Cond | Value:
        d, kind = self.d, type_expr.kind
        if kind == "bool":
            return Cond(d.bool_field(ref, True), d.bool_field(ref, False))
        if kind == "int":
            return Value(ref, d.filled(ref), "number")
        if kind == "date":
            return Value(d.date_days(ref), d.filled(ref), "number")
        if kind == "any":
            return Value(ref, d.filled(ref), "set", T.option_codes(type_expr))
        return Value(ref, d.filled(ref), "string")

    def _define(self, name: str) -> Cond | Value:
        decl = self.symbols.defines[name]
        kind = self.type_of(decl.expr)
        if isinstance(kind, (T.SetOf, T.CodeSet)):
            # A set is not a calculated value of its own: lowered once, and named where it is long.
            if name not in self._set_defines:
                self._set_defines[name] = self._once(self.lower(decl.expr))
            return self._set_defines[name]
        d = self.d
        ref = d.field(self.names.define(name))
        if kind == T.BOOL:
            return Cond(d.compare("==", ref, d.string("true")), d.compare("==", ref, d.string("false")))
        if kind in (T.INT, T.DATE, T.DURATION):
            return Value(d.numeric(ref), d.filled(ref), "number")
        return Value(ref, d.filled(ref), "string")

    def _AnswerRef(self, node: ast.AnswerRef):
        question = self.symbols.questions[node.question_id]
        d = self.d
        ref = d.field(self.names.question(question.id))
        if question.answer is not None and question.answer.kind == "any":
            return Value(ref, d.filled(ref), "set", T.option_codes(question.answer))
        if question.derive:  # unanswered, the value is the derived one (when a derive rule holds)
            derived = d.field(self.names.derived(question.id))
            return Value(d.choose(d.filled(ref), ref, derived), d.or_(d.filled(ref), d.filled(derived)), "string")
        return Value(ref, d.filled(ref), "string")

    # ------------------------------------------------------------------ literals
    def _IntLit(self, node):
        return Value(self.d.number(node.value), None, "number")

    def _DateLit(self, node):
        return Value(self.d.date_literal(node.value), None, "number")

    def _TextLit(self, node):
        try:
            return Value(self.d.string(node.value), None, "string")
        except ValueError as error:
            raise CannotExpress(node, str(error)) from None

    def _BoolLit(self, node):
        d = self.d
        return Cond(d.TRUE, d.FALSE) if node.value else Cond(d.FALSE, d.TRUE)

    def _DurationLit(self, node):
        return Value(self.d.number(node.amount * _UNIT_DAYS[node.unit]), None, "number")

    def _SetLit(self, node):
        raise CannotExpress(node, "a set of options can only be used after 'in' or compared with a multi-choice answer")

    # ------------------------------------------------------------------ logic (Kleene)
    def _Not(self, node):
        operand = self.condition(node.operand)
        return Cond(operand.false, operand.true)

    def _BoolOp(self, node):
        left, right = self.condition(node.left), self.condition(node.right)
        d = self.d
        if node.op == "and":  # false as soon as one side is false; true when both are
            return Cond(d.and_(left.true, right.true), d.or_(left.false, right.false))
        return Cond(d.or_(left.true, right.true), d.and_(left.false, right.false))

    def _If(self, node):
        condition = self._once_cond(self.condition(node.condition))
        then, otherwise = self._once(self.lower(node.then)), self._once(self.lower(node.otherwise))
        d = self.d
        if isinstance(then, Cond) and isinstance(otherwise, Cond):
            # With an unknown condition the result is still known when both branches agree.
            return Cond(
                d.or_(d.and_(condition.true, then.true), d.and_(condition.false, otherwise.true), d.and_(then.true, otherwise.true)),
                d.or_(d.and_(condition.true, then.false), d.and_(condition.false, otherwise.false), d.and_(then.false, otherwise.false)),
            )
        assert isinstance(then, Value) and isinstance(otherwise, Value)
        self._veto(node, (node.then, node.otherwise))  # the branches are compared with each other
        agree = d.and_(then.known, otherwise.known, self._equal(then, otherwise, node))
        return Value(
            d.choose(condition.true, then.text, d.choose(condition.false, otherwise.text, then.text)),
            d.or_(d.and_(condition.true, then.known), d.and_(condition.false, otherwise.known), agree),
            then.kind, then.codes or otherwise.codes,
        )

    # ------------------------------------------------------------------ comparisons
    def _Compare(self, node: ast.Compare):
        d = self.d
        for this, other in ((node.left, node.right), (node.right, node.left)):
            members = self._static_set(other)
            if members is not None and self._static_set(this) is None:  # a multi-choice answer compared with {a, b}
                value = self.lower(this)
                assert isinstance(value, Value)
                holds = self._set_equals_literal(value, members)
                return self._decided(value.known, holds if node.op == "==" else d.not_(holds))
        left, right = self.lower(node.left), self.lower(node.right)
        if isinstance(left, Cond) or isinstance(right, Cond):
            assert isinstance(left, Cond) and isinstance(right, Cond)
            left, right = self._once_cond(left), self._once_cond(right)
            same = d.or_(d.and_(left.true, right.true), d.and_(left.false, right.false))
            different = d.or_(d.and_(left.true, right.false), d.and_(left.false, right.true))
            return Cond(same, different) if node.op == "==" else Cond(different, same)
        self._veto(node, (node.left, node.right))
        known = d.and_(left.known, right.known)
        if left.kind == "set" or right.kind == "set":
            holds = self._set_equals(left, right)
            return self._decided(known, holds if node.op == "==" else d.not_(holds))
        if node.op in ("==", "!="):
            return self._decided_compare(known, node.op, left.text, right.text)
        left_type, right_type = self.type_of(node.left), self.type_of(node.right)
        if _is_enum(left_type) or _is_enum(right_type):  # scale levels compare by rank (each side read per level)
            left, right = self._once_value(left), self._once_value(right)
            return self._decided_compare(known, node.op, self._rank(node.left, left.text), self._rank(node.right, right.text))
        return self._decided_compare(known, node.op, left.text, right.text)

    def _equal(self, left: Value, right: Value, node) -> str:
        if left.kind == "set" or right.kind == "set":
            return self._set_equals(left, right)
        return self.d.compare("==", left.text, right.text)

    def _decided(self, known: str | None, holds: str) -> Cond:
        d = self.d
        return Cond(d.and_(known, holds), d.and_(known, d.not_(holds)))

    def _decided_compare(self, known: str | None, op: str, left: str, right: str) -> Cond:
        """Both sides written as comparisons (``a < b`` / ``a >= b``), which read better than not(...)."""
        d = self.d
        return Cond(d.and_(known, d.compare(op, left, right)), d.and_(known, d.compare(_NEGATED[op], left, right)))

    def _rank(self, node: ast.Expr, text: str) -> str:
        """A scale level's rank: a number for a code written in the rule, else worked out by the form."""
        d = self.d
        if isinstance(node, ast.Name) and isinstance(self.type_of(node), T.Code):
            return d.number(self.rules.scale_ranks[node.name])
        ranks = sorted(self.rules.scale_ranks.items(), key=lambda item: (item[1], item[0]))
        result = d.number(-1)
        for code, rank in reversed(ranks):
            result = d.if_(d.compare("==", text, d.string(code)), d.number(rank), result)
        return result

    def _veto(self, node: ast.Expr, compared: tuple[ast.Expr, ast.Expr]) -> None:
        if self.refuse is None:
            return
        for side in compared:
            why = self.refuse(side, self.type_of(side))
            if why:
                raise CannotExpress(node, why)

    # ------------------------------------------------------------------ sets
    def _static_set(self, node: ast.Expr) -> tuple[str, ...] | None:
        """The members of a set literal, also through defined names (``define s = {a, b}``)."""
        while isinstance(node, ast.Name) and node.name in self.symbols.defines:
            node = self.symbols.defines[node.name].expr
        return node.members if isinstance(node, ast.SetLit) else None

    def _set_equals_literal(self, value: Value, members: tuple[str, ...]) -> str:
        d = self.d
        return d.and_(*[
            self.d.contains(value.text, d.string(code)) if code in members else d.not_(d.contains(value.text, d.string(code)))
            for code in value.codes
        ])

    def _set_equals(self, left: Value, right: Value) -> str:
        d = self.d
        parts = []
        for code in left.codes or right.codes:
            in_left, in_right = d.contains(left.text, d.string(code)), d.contains(right.text, d.string(code))
            parts.append(d.or_(d.and_(in_left, in_right), d.and_(d.not_(in_left), d.not_(in_right))))
        return d.and_(*parts)

    def _In(self, node: ast.In):
        d = self.d
        element = self.lower(node.element)
        assert isinstance(element, Value)
        members = self._static_set(node.collection)
        if members is not None:
            holds = d.or_(*[d.compare("==", element.text, d.string(code)) for code in members]) if members else d.FALSE
            known = element.known
        else:
            collection = self.lower(node.collection)
            assert isinstance(collection, Value)
            holds = d.contains(collection.text, element.text)
            known = d.and_(element.known, collection.known)
        return self._decided(known, d.not_(holds) if node.negated else holds)

    def _IsEmpty(self, node: ast.IsEmpty):
        operand = self.lower(node.operand)
        assert isinstance(operand, Value)
        empty = self.d.contains(operand.text, self.d.string(EMPTY_SET_CHOICE))
        return self._decided(operand.known, self.d.not_(empty) if node.negated else empty)

    # ------------------------------------------------------------------ arithmetic
    def _Arith(self, node: ast.Arith):
        left, right = self.lower(node.left), self.lower(node.right)
        assert isinstance(left, Value) and isinstance(right, Value)
        return Value(self.d.arith(node.op, left.text, right.text), self.d.and_(left.known, right.known), "number")

    def _DaysBetween(self, node: ast.DaysBetween):
        start, end = self.lower(node.start), self.lower(node.end)
        assert isinstance(start, Value) and isinstance(end, Value)
        return Value(self.d.arith("-", end.text, start.text), self.d.and_(start.known, end.known), "number")


def _is_enum(kind: T.Type) -> bool:
    return isinstance(kind, (T.Enum, T.Code))
