"""Lowering the checked AST to numpy: one function per expression that computes it for a whole batch.

The rule set is lowered once; each expression becomes a closure over its
operands' closures, so evaluating a batch walks no AST and makes one numpy
call per operation for all its cases. An expression written more than once
(``case_type == core`` opens a dozen questions) is lowered once and computed
once per batch, and a literal operand stays a scalar, so a comparison with an
option code or a date reads one column, not two. The semantics follow the reference
evaluator (:mod:`carag_dsl.runtime.evaluator`) rule for rule; the comments say
where a vector form needs care to stay exact.
"""

from __future__ import annotations

import datetime
import operator
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from carag_dsl.compiler.symbols import CASE_TYPE
from carag_dsl.compiler import types as T
from carag_dsl.language import ast
from carag_dsl.runtime.columnar.vectors import (
    BOOL, DATE, DURATION, FALSE, INT, MAX_DAYS, MAX_ORDINAL, MIN_ORDINAL, SAFE_INT, SET, STR, TRUE, Strings, Vec, kleene,
)

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
#: ``a op b`` is ``b flipped[op] a``: a literal on the left is moved to the right.
_FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
#: Nodes whose lowered form is a lookup or a literal: nothing to compute once and share.
_LEAVES = (ast.Name, ast.AnswerRef, ast.IntLit, ast.DateLit, ast.TextLit, ast.BoolLit, ast.DurationLit, ast.SetLit)
#: A lookup table with at most this many entries on one side is read with equality tests, not a gather.
_FEW = 4
_DECLARED_KIND = {"bool": BOOL, "int": INT, "date": DATE, "text": STR, "any": SET}

Lowered = Callable[["Env"], Vec]


class Unsupported(Exception):
    """A rule set the vector form cannot evaluate exactly (the per-case path evaluates it instead)."""


def declared_kind(type_expr: ast.TypeExpr) -> str:
    return _DECLARED_KIND.get(type_expr.kind, STR)  # every option kind is one code: a string


class Env:
    """What a batch's expressions read: facts, answers, defined names, case type, question values."""

    def __init__(self, n: int, strings: Strings, universe_of_id: np.ndarray):
        self.n = n
        self.strings = strings
        self.universe_of_id = universe_of_id  # fixed string id -> column of the set universe, -1 when none
        self.facts: dict[str, Vec] = {}
        self.defines: dict[str, Vec] = {}
        self.values: dict[str, Vec] = {}  # question id -> answer, else derived value, else unknown
        self.case_type: Vec | None = None
        self.to_per_case = np.zeros(n, dtype=bool)  # cases the vector form cannot decide exactly
        self.memo: dict[int, Vec] = {}  # expression number -> its value in this batch (see Lowering.expr)

    def universe_index(self, ids: np.ndarray) -> np.ndarray:
        table = self.universe_of_id
        inside = ids < len(table)
        return np.where(inside, table[np.where(inside, ids, 0)], -1)


class Lowering:
    """Lowers the expressions of one rule set; keeps the fixed strings and the set universe they need."""

    def __init__(self, rules: "CheckedRules"):
        self.rules = rules
        self.symbols = rules.symbols
        fixed: dict[str, None] = {}
        for code in rules.case_types:
            fixed[code] = None
        codes: dict[str, None] = {}
        for decl in [f.type for f in self.symbols.facts.values()] + [q.answer for q in self.symbols.questions.values() if q.answer]:
            for code in T.option_codes(decl):
                fixed[code] = None
                if decl.kind == "any":
                    codes[code] = None
        for expr in _expressions(self.symbols):
            for node in ast.walk(expr):
                if isinstance(node, ast.SetLit):
                    for code in node.members:
                        fixed[code] = None
                        codes[code] = None
                elif isinstance(node, ast.Name):
                    fixed[node.name] = None
                elif isinstance(node, ast.TextLit):
                    fixed[node.value] = None
        for question in self.symbols.questions.values():
            for rule in question.derive:
                fixed[rule.value] = None
        self.fixed = tuple(fixed)
        self.ids = {value: index for index, value in enumerate(self.fixed)}
        # Padded to whole 64-bit words with columns no code maps to (never set), so each row of a set matrix
        # reads as a few words: 'is empty' and '==' test words, not bytes (see _words).
        self.universe = tuple(codes) + tuple(f" padding {i}" for i in range(-len(codes) % 8))
        self.universe_column = {code: index for index, code in enumerate(codes)}
        self.universe_of_id = np.array([self.universe_column.get(v, -1) for v in self.fixed], dtype=np.int64)
        self._define_kinds: dict[str, str] = {}
        self._lowered: dict[ast.Expr, Lowered] = {}  # expressions are equal when they say the same, wherever written

    # -------------------------------------------------------------- static kinds
    def kind(self, node: ast.Expr) -> str:
        if isinstance(node, (ast.Not, ast.BoolOp, ast.Compare, ast.In, ast.IsEmpty, ast.BoolLit)):
            return BOOL
        if isinstance(node, ast.IntLit):
            return INT
        if isinstance(node, ast.DateLit):
            return DATE
        if isinstance(node, (ast.DurationLit, ast.DaysBetween)):
            return DURATION
        if isinstance(node, ast.TextLit):
            return STR
        if isinstance(node, ast.SetLit):
            return SET
        if isinstance(node, ast.Name):
            if node.name in self.symbols.facts:
                return declared_kind(self.symbols.facts[node.name].type)
            if node.name in self.symbols.defines:
                if node.name not in self._define_kinds:
                    self._define_kinds[node.name] = self.kind(self.symbols.defines[node.name].expr)
                return self._define_kinds[node.name]
            return STR  # the case type, or an option code
        if isinstance(node, ast.AnswerRef):
            question = self.symbols.questions.get(node.question_id)
            return declared_kind(question.answer) if question is not None and question.answer is not None else STR
        if isinstance(node, ast.Arith):
            left, right = self.kind(node.left), self.kind(node.right)
            if left == DATE and right == DATE:
                return DURATION
            return left
        if isinstance(node, ast.If):
            return self.kind(node.then)
        raise Unsupported(type(node).__name__)

    # -------------------------------------------------------------- expressions
    def expr(self, node: ast.Expr) -> Lowered:
        """The expression lowered; one that says the same as another (spans aside) is the same function,
        computed once per batch (its value kept in ``env.memo``)."""
        found = self._lowered.get(node)
        if found is None:
            made = getattr(self, "_" + type(node).__name__)(node)
            found = self._lowered[node] = made if isinstance(node, _LEAVES) else _computed_once(made, len(self._lowered))
        return found

    def scalar(self, node: ast.Expr) -> int | None:
        """A literal's value as a vector holds it (a string id, a number, an ordinal, days, TRUE/FALSE), or
        None for anything else (a set literal included)."""
        if isinstance(node, ast.Name):
            return self.ids[node.name] if self._literal(node) else None
        if isinstance(node, ast.TextLit):
            return self.ids[node.value]
        if isinstance(node, ast.BoolLit):
            return TRUE if node.value else FALSE
        if isinstance(node, (ast.IntLit, ast.DateLit, ast.DurationLit)):
            self.expr(node)  # refuses what 64 bits or timedelta cannot hold (Unsupported)
            if isinstance(node, ast.IntLit):
                return node.value
            return node.value.toordinal() if isinstance(node, ast.DateLit) else node.amount * _UNIT_DAYS[node.unit]
        return None

    def _constant(self, kind: str, value: Any) -> Lowered:
        """A literal: made once per batch size and shared (read-only, so no step can change it in place)."""
        if kind == SET:
            row = np.zeros((1, len(self.universe)), dtype=bool)
            for code in value:
                row[0, self.universe_column[code]] = True

        def make(n: int) -> Vec:
            if kind == BOOL:
                vec = Vec(BOOL, np.full(n, TRUE if value else FALSE, dtype=np.int8))
            elif kind == SET:
                vec = Vec(SET, np.broadcast_to(row, (n, row.shape[1])), np.ones(n, dtype=bool))
            else:
                vec = Vec(kind, np.full(n, value, dtype=np.int32 if kind == STR else np.int64), np.ones(n, dtype=bool))
            for array in (vec.data, vec.known):
                if array is not None and array.flags.writeable:
                    array.flags.writeable = False
            return vec

        made: dict[int, Vec] = {}

        def constant(env: Env) -> Vec:
            vec = made.get(env.n)
            if vec is None:
                if len(made) > 4:  # batch sizes vary little (a file's last batch is smaller)
                    made.clear()
                vec = made[env.n] = make(env.n)
            return vec

        return constant

    def _literal(self, node: ast.Expr) -> bool:
        """Whether the expression is a literal (known in every case): a number, date, text, set or option code."""
        if isinstance(node, ast.Name):
            return node.name not in self.symbols.facts and node.name not in self.symbols.defines and node.name != CASE_TYPE
        return isinstance(node, (ast.IntLit, ast.DateLit, ast.TextLit, ast.BoolLit, ast.DurationLit, ast.SetLit))

    def _Name(self, node: ast.Name) -> Lowered:
        name = node.name  # as Scope.name: a fact, else a defined name, else the case type, else an option code
        if name in self.symbols.facts:
            return lambda env: env.facts[name]
        if name in self.symbols.defines:
            return lambda env: env.defines[name]
        if name == CASE_TYPE:
            return lambda env: env.case_type  # type: ignore[return-value]
        return self._constant(STR, self.ids[name])

    def _AnswerRef(self, node: ast.AnswerRef) -> Lowered:
        qid = node.question_id
        return lambda env: env.values[qid]

    def _IntLit(self, node: ast.IntLit) -> Lowered:
        if abs(node.value) > SAFE_INT:
            raise Unsupported("a number too large for 64 bits")
        return self._constant(INT, node.value)

    def _DateLit(self, node: ast.DateLit) -> Lowered:
        return self._constant(DATE, node.value.toordinal())

    def _TextLit(self, node: ast.TextLit) -> Lowered:
        return self._constant(STR, self.ids[node.value])

    def _BoolLit(self, node: ast.BoolLit) -> Lowered:
        return self._constant(BOOL, bool(node.value))

    def _DurationLit(self, node: ast.DurationLit) -> Lowered:
        days = node.amount * _UNIT_DAYS[node.unit]
        try:
            datetime.timedelta(days=days)
        except OverflowError:  # the reference raises reading it: leave such rule sets to the per-case path
            raise Unsupported("a duration beyond timedelta's range") from None
        return self._constant(DURATION, days)

    def _SetLit(self, node: ast.SetLit) -> Lowered:
        return self._constant(SET, node.members)

    def _Not(self, node: ast.Not) -> Lowered:
        operand = self.expr(node.operand)
        return lambda env: Vec(BOOL, -operand(env).data)

    def _BoolOp(self, node: ast.BoolOp) -> Lowered:
        # Kleene with -1/0/1: 'and' is the minimum, 'or' the maximum (false and unknown = false, ...).
        left, right = self.expr(node.left), self.expr(node.right)
        combine = np.minimum if node.op == "and" else np.maximum
        return lambda env: Vec(BOOL, combine(left(env).data, right(env).data))

    def _Compare(self, node: ast.Compare) -> Lowered:
        op, left_node, right_node = node.op, node.left, node.right
        if self.scalar(left_node) is not None and self.scalar(right_node) is None:
            op, left_node, right_node = _FLIPPED[op], right_node, left_node
        literal = self.scalar(right_node)
        if literal is not None and self.scalar(left_node) is None:
            return self._compare_literal(op, self.expr(left_node), self.kind(left_node), literal)
        left, right = self.expr(left_node), self.expr(right_node)
        test = _COMPARE[op]
        ordering = op not in ("==", "!=")
        left_fixed, right_fixed = self._literal(left_node), self._literal(right_node)

        def compare(env: Env) -> Vec:
            a, b = left(env), right(env)
            # A literal is always known: only the other side can leave the comparison unknown.
            known = a.is_known() if right_fixed else b.is_known() if left_fixed else a.is_known() & b.is_known()
            if a.kind == SET or b.kind == SET:
                same = _rows_equal(a.data, b.data)
                holds = same if op == "==" else ~same
            elif ordering and a.kind == STR:
                # Scales compare by rank, anything else by code point (as the reference's scale_rank).
                in_scale, rank, lexical = env.strings.order()
                both = in_scale[a.data] & in_scale[b.data]
                holds = np.where(both, test(rank[a.data], rank[b.data]), test(lexical[a.data], lexical[b.data]))
            else:
                holds = test(a.data, b.data)
            return Vec(BOOL, kleene(holds, known))

        return compare

    def _compare_literal(self, op: str, operand: Lowered, kind: str, literal: int) -> Lowered:
        """``x op literal``: the column against one number (an ordering of text through a table of the batch's strings)."""
        test = _COMPARE[op]
        if kind == STR and op not in ("==", "!="):

            def compare_text(env: Env) -> Vec:
                a = operand(env)
                in_scale, rank, lexical = env.strings.order()  # as the general case: by rank within a scale
                table = np.where(in_scale & in_scale[literal], test(rank, rank[literal]), test(lexical, lexical[literal]))
                return Vec(BOOL, kleene(_lookup(table, a.data), a.is_known()))

            return compare_text

        def compare(env: Env) -> Vec:
            a = operand(env)
            return Vec(BOOL, kleene(test(a.data, literal), a.is_known()))

        return compare

    def _In(self, node: ast.In) -> Lowered:
        element, collection = self.expr(node.element), self.expr(node.collection)
        negated = node.negated
        if isinstance(node.collection, ast.SetLit) and self.kind(node.element) == STR:
            # 'x in {a, b}': a lookup table over string ids (text read from data is never a member).
            member_ids = sorted({self.ids[code] for code in node.collection.members})
            members = np.zeros(len(self.fixed) + 1, dtype=bool)
            members[member_ids] = True
            last = len(self.fixed)

            def member_of(env: Env) -> Vec:
                a = element(env)
                if len(member_ids) <= _FEW:  # a few equality tests read the column once each; a gather is slower
                    found = _equal_any(a.data, member_ids)
                else:
                    found = members.take(np.minimum(a.data, last))
                return Vec(BOOL, kleene(~found if negated else found, a.is_known()))

            return member_of
        code = node.element.name if isinstance(node.element, ast.Name) else None
        if code in self.universe_column and code not in self.symbols.facts and code not in self.symbols.defines and code != CASE_TYPE:
            column = self.universe_column[code]  # 'code in [Q]': one column of the set matrix

            def holds_code(env: Env) -> Vec:
                b = collection(env)
                found = b.data[:, column].copy()  # one strided read; what follows reads it contiguous
                return Vec(BOOL, kleene(~found if negated else found, b.is_known()))

            return holds_code

        def contains(env: Env) -> Vec:
            a, b = element(env), collection(env)
            known = a.is_known() & b.is_known()
            column = env.universe_index(a.data.astype(np.int64))
            rows = np.arange(env.n)
            found = np.where(column >= 0, b.data[rows, np.maximum(column, 0)], False) if b.data.shape[1] else np.zeros(env.n, dtype=bool)
            return Vec(BOOL, kleene(~found if negated else found, known))

        return contains

    def _IsEmpty(self, node: ast.IsEmpty) -> Lowered:
        operand = self.expr(node.operand)
        negated = node.negated

        def is_empty(env: Env) -> Vec:
            value = operand(env)
            some = _rows_nonempty(value.data)
            return Vec(BOOL, kleene(some if negated else ~some, value.known))  # type: ignore[arg-type]

        return is_empty

    def _Arith(self, node: ast.Arith) -> Lowered:
        left = self.expr(node.left)
        literal = self.scalar(node.right)
        right = self.expr(node.right)
        kind = self.kind(node)
        subtract = node.op == "-"
        # A date plus a literal duration can only leave the range on the side the duration moves it to
        # (a known date is in year 1..9999).
        low = kind != DATE or literal is None or (literal > 0) == subtract
        high = kind != DATE or literal is None or (literal < 0) == subtract

        def arith(env: Env) -> Vec:
            a = left(env)
            if literal is not None:
                known = a.known
                data = a.data - literal if subtract else a.data + literal
            else:
                b = right(env)
                known = a.known & b.known  # type: ignore[operator]
                data = a.data - b.data if subtract else a.data + b.data
            if kind == DATE:  # beyond year 1..9999: OverflowError in Python, unknown here
                if low:
                    known = known & (data >= MIN_ORDINAL)
                if high:
                    known = known & (data <= MAX_ORDINAL)
            elif kind == DURATION and a.kind == DURATION:
                known = known & (np.abs(data) <= MAX_DAYS)
            elif kind == INT:  # Python's integers are unbounded: cases this big are evaluated per case
                env.to_per_case |= known & (np.abs(data) > SAFE_INT)
            data *= known  # unknown rows hold 0
            return Vec(kind, data, known)

        return arith

    def _DaysBetween(self, node: ast.DaysBetween) -> Lowered:
        start, end = self.expr(node.start), self.expr(node.end)

        def days(env: Env) -> Vec:
            a, b = start(env), end(env)
            known = a.known & b.known  # type: ignore[operator]
            data = b.data - a.data
            data *= known  # unknown rows hold 0
            return Vec(DURATION, data, known)

        return days

    def _If(self, node: ast.If) -> Lowered:
        condition, then, otherwise = self.expr(node.condition), self.expr(node.then), self.expr(node.otherwise)

        def choose(env: Env) -> Vec:
            c = condition(env).data
            a, b = then(env), otherwise(env)
            # An unknown condition still gives the value both branches agree on.
            if a.kind == BOOL:
                agreed = np.where(a.data == b.data, a.data, 0).astype(np.int8)
                return Vec(BOOL, np.where(c == TRUE, a.data, np.where(c == FALSE, b.data, agreed)).astype(np.int8))
            if a.kind == SET:
                same = (a.data == b.data).all(axis=1)
                pick_b = (c == FALSE)[:, None]
                data = np.where(pick_b, b.data, a.data)
            else:
                same = a.data == b.data
                data = np.where(c == FALSE, b.data, a.data)
            known = np.where(c == TRUE, a.known, np.where(c == FALSE, b.known, a.known & b.known & same))
            return Vec(a.kind, data, known)

        return choose


def _computed_once(lowered: Lowered, number: int) -> Lowered:
    """The lowered expression, its value kept for the rest of the batch (an expression read again is not computed
    again). Sound because a batch's expressions are computed in graph order: what one reads is final when it runs."""

    def once(env: Env) -> Vec:
        value = env.memo.get(number)
        if value is None:
            value = env.memo[number] = lowered(env)
        return value

    return once


def _equal_any(ids: np.ndarray, wanted: list[int]) -> np.ndarray:
    """Whether each id is one of ``wanted`` (a few ids)."""
    found = np.zeros(len(ids), dtype=bool)
    for value in wanted:
        found |= ids == value
    return found


def _lookup(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``table[ids]`` for a boolean table over every id of the batch: equality tests when few ids are in it,
    else a gather."""
    hits = np.flatnonzero(table)
    if len(hits) <= _FEW:
        return _equal_any(ids, hits.tolist())
    return table.take(ids)


def _words(matrix: np.ndarray) -> np.ndarray | None:
    """The rows of a set matrix as 64-bit words (rows x width/8; one row when a literal is spread to every row),
    or None when its layout does not allow reading it so."""
    if matrix.ndim != 2 or matrix.shape[1] % 8 or matrix.dtype != np.bool_:
        return None
    if matrix.strides[0] == 0:  # a set literal, the same row for every case
        return np.ascontiguousarray(matrix[:1]).view(np.uint64)
    return matrix.view(np.uint64) if matrix.flags.c_contiguous else None


def _rows_nonempty(matrix: np.ndarray) -> np.ndarray:
    """Per row of a set matrix: holds any code (numpy's any(axis=1) over a few bytes per row is slow)."""
    words = _words(matrix)
    if words is None or words.shape[0] != matrix.shape[0] or words.shape[1] == 0:
        return np.asarray(matrix.any(axis=1))
    merged = words[:, 0].copy()
    for column in range(1, words.shape[1]):
        merged |= words[:, column]
    return np.asarray(merged != 0)


def _rows_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row: the two set matrices hold the same codes."""
    left, right = _words(a), _words(b)
    n = max(a.shape[0], b.shape[0])
    if left is None or right is None or max(left.shape[0], right.shape[0]) != n or left.shape[1] == 0:
        return (a == b).all(axis=1)  # type: ignore[no-any-return]
    same = left[:, 0] == right[:, 0]
    for column in range(1, left.shape[1]):
        same &= left[:, column] == right[:, column]
    return same  # type: ignore[no-any-return]


def _expressions(symbols) -> list[ast.Expr]:
    """Every expression of a rule set (for the strings and set codes it mentions)."""
    found: list[ast.Expr] = [d.expr for d in symbols.defines.values()] + [c.expr for c in symbols.constraints]
    found += [c.expr for c in symbols.consistency] + [e.condition for e in symbols.exclusions]
    if symbols.case_type is not None:
        found += [r.condition for r in symbols.case_type.rules if r.condition is not None]
        found += [o.condition for o in symbols.case_type.overrides]
    for question in symbols.questions.values():
        if question.applies is not None:
            found.append(question.applies)
        found += [rule.condition for rule in question.derive]
    return found
