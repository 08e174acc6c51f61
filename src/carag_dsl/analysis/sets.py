"""The options of each multi-choice (``any of``) fact or answer that the rules can tell apart.

The rules read a set only in a few ways, directly or through defines and the branches of ``if``:
``code in field``, ``field is empty`` and ``field == {a, b}`` (or ``!=``). Each of them asks only about
the options it names, and whether the set holds anything else; so two sets that agree on the options the
rules read, and on whether they hold some other option, behave alike under every rule. A field's classes
are then the subsets of its *read* options, each with or without one other option, however many options
it declares (an ``any of`` fact of 60 options read as ``o1 in tags`` has 4 classes, not 2^60).

An option is read where the field's value is asked:

- ``code in field``: the code; ``x in field`` for an option-valued ``x`` (a fact, an answer, an ``if``):
  every option ``x`` can take;
- ``field == {a, b}`` (or an ``if`` or define giving set literals): the literal's members; so too
  ``if c then field else {a, b}``, which gives a value when ``c`` is unknown only where the branches agree;
- ``field == other`` where both may be fields (a define of ``if c then field else {a}`` compared with the
  field): every option of both (two sets that differ only in options nobody reads would compare equal).
"""

from __future__ import annotations

from typing import Iterable

from carag_dsl.compiler import types as T
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.language import ast

#: The key of a field: ``("fact", name)`` or ``("answer", question id)``.
Key = tuple
#: A field every option of which is read.
EVERY = None


def read_options(rules_list: Iterable[CheckedRules]) -> dict[Key, frozenset[str] | None]:
    """For each multi-choice field some rule reads, the options the rules read (:data:`EVERY`: all of them).

    A field none of whose options is read (only asked whether it is empty, or given) is absent.
    """
    read: dict[Key, frozenset[str] | None] = {}
    for rules in rules_list:
        reader = _Reader(rules, read)
        for expr in rules.symbols.expressions():
            for node in ast.walk(expr):
                reader.read(node)
    return read


class _Reader:
    """Where one rule set's set-valued expressions come from, what they are compared with, noted in ``read``."""

    def __init__(self, rules: CheckedRules, read: dict[Key, frozenset[str] | None]):
        self.symbols = rules.symbols
        self.read_into = read
        self.declared = frozenset(rules.symbols.declared_names())
        self._sources: dict[int, tuple[ast.Expr, frozenset]] = {}
        self._codes: dict[int, tuple[ast.Expr, frozenset[str] | None]] = {}

    def read(self, node: ast.Expr) -> None:
        if isinstance(node, ast.In):
            self.note(self.sources(node.collection), self.codes(node.element))
        elif isinstance(node, ast.Compare):
            self.compared(node.left, node.right)
        elif isinstance(node, ast.If):  # an unknown condition gives a value where the branches agree: it compares them
            self.compared(node.then, node.otherwise)

    def compared(self, first: ast.Expr, second: ast.Expr) -> None:
        left, right = self.sources(first), self.sources(second)
        if left and right:
            self.note(left | right, EVERY)
        elif left:
            self.note(left, self.codes(second))
        elif right:
            self.note(right, self.codes(first))

    def note(self, keys: frozenset, codes: frozenset[str] | None) -> None:
        for key in keys:
            known = self.read_into.get(key, frozenset())
            self.read_into[key] = EVERY if known is EVERY or codes is EVERY else known | codes

    def sources(self, expr: ast.Expr) -> frozenset:
        """The multi-choice fields whose value ``expr`` may be (through defines and ``if`` branches)."""
        hit = self._sources.get(id(expr))
        if hit is not None:
            return hit[1]
        self._sources[id(expr)] = (expr, frozenset())  # keeps expr alive; defines never refer to themselves
        found: frozenset = frozenset()
        if isinstance(expr, ast.Name):
            fact, define = self.symbols.facts.get(expr.name), self.symbols.defines.get(expr.name)
            if fact is not None and fact.type.kind == "any":
                found = frozenset({("fact", expr.name)})
            elif define is not None:
                found = self.sources(define.expr)
        elif isinstance(expr, ast.AnswerRef):
            question = self.symbols.questions.get(expr.question_id)
            if question is not None and question.answer is not None and question.answer.kind == "any":
                found = frozenset({("answer", expr.question_id)})
        elif isinstance(expr, ast.If):
            found = self.sources(expr.then) | self.sources(expr.otherwise)
        self._sources[id(expr)] = (expr, found)
        return found

    def codes(self, expr: ast.Expr) -> frozenset[str] | None:
        """Every option code ``expr`` can give or hold (a code, an option fact or answer, a set literal, an
        ``if`` of them); :data:`EVERY` when that is not known from its text (the case type, anything else)."""
        hit = self._codes.get(id(expr))
        if hit is not None:
            return hit[1]
        self._codes[id(expr)] = (expr, EVERY)
        found: frozenset[str] | None = EVERY
        if isinstance(expr, ast.SetLit):
            found = frozenset(expr.members)
        elif isinstance(expr, ast.Name):
            fact, define = self.symbols.facts.get(expr.name), self.symbols.defines.get(expr.name)
            if fact is not None:
                found = frozenset(T.option_codes(fact.type))
            elif define is not None:
                found = self.codes(define.expr)
            elif expr.name not in self.declared:
                found = frozenset({expr.name})  # an option code
        elif isinstance(expr, ast.AnswerRef):
            question = self.symbols.questions.get(expr.question_id)
            if question is not None and question.answer is not None:
                found = frozenset(T.option_codes(question.answer))
        elif isinstance(expr, ast.If):
            then, otherwise = self.codes(expr.then), self.codes(expr.otherwise)
            found = EVERY if then is EVERY or otherwise is EVERY else then | otherwise
        self._codes[id(expr)] = (expr, found)
        return found
