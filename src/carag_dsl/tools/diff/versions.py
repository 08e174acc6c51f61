"""Two versions of a rule set seen in one name space, and what each computed result reads.

Both versions are read with the new version's question ids (a renamed
question's answer is the same input under both names). Every computed result
is a *node*: ``define:NAME``, ``case_type``, ``status:ID`` (whether a question
applies) and ``value:ID`` (a judgement's derived answer). Its inputs are
nodes too, down to the *leaves*: ``fact:NAME`` and ``question:ID`` (an answer
as given). The *signature* of a node is its rules and everything they read,
written out with the shared ids: two versions compute a node alike exactly
when its signatures are equal.
"""

from __future__ import annotations

from typing import Any, Iterator

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.compiler.symbols import CASE_TYPE
from carag_dsl.compiler.typecheck import check
from carag_dsl.compiler import types as T
from carag_dsl.language import ast
from carag_dsl.language.formatter import format_expr


def _define_types(rules: CheckedRules) -> dict[str, Any]:
    types, _ = check(rules.symbols)
    return types


def rename_answers(expr: ast.Expr, mapping: dict[str, str]) -> ast.Expr:
    """The expression with each ``[ID]`` replaced by ``[mapping[ID]]`` (ids not in the mapping kept)."""
    if isinstance(expr, ast.AnswerRef):
        return attrs.evolve(expr, question_id=mapping.get(expr.question_id, expr.question_id))
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(expr)):
        value = getattr(expr, field.name)
        if attrs.has(type(value)) and not isinstance(value, (ast.Option, ast.TypeExpr)) and field.name != "span":
            changes[field.name] = rename_answers(value, mapping)
    return attrs.evolve(expr, **changes) if changes else expr  # type: ignore[misc,arg-type]


class Version:
    """One rule set, its question ids translated to the shared (new) ids."""

    def __init__(self, rules: CheckedRules, to_shared: dict[str, str]):
        self.rules = rules
        self.symbols = rules.symbols
        self.to_shared = to_shared
        self.to_own = {shared: own for own, shared in to_shared.items()}
        self.define_types = rules.derived(_define_types)
        self._signatures: dict[str, str] = {}

    # -- names
    def shared(self, question_id: str) -> str:
        return self.to_shared.get(question_id, question_id)

    def own(self, shared_id: str) -> str | None:
        """This version's id of a shared question id, or None when it has no such question."""
        own = self.to_own.get(shared_id, shared_id)
        if own in self.symbols.questions and self.shared(own) == shared_id:
            return own
        return None

    def question(self, shared_id: str) -> ast.QuestionDecl | None:
        own = self.own(shared_id)
        return None if own is None else self.symbols.questions[own]

    def has(self, node: str) -> bool:
        kind, _, name = node.partition(":")
        if node == CASE_TYPE:
            return self.symbols.case_type is not None
        if kind == "define":
            return name in self.symbols.defines
        if kind == "fact":
            return name in self.symbols.facts
        if kind in ("status", "question"):
            return self.question(name) is not None
        if kind == "value":
            question = self.question(name)
            return question is not None and bool(question.derive)
        return False

    # -- rules
    def exprs(self, node: str) -> list[ast.Expr]:
        """The expressions a node's rules read (answer ids shared); none for leaves or nodes this version lacks."""
        if not self.has(node):
            return []
        kind, _, name = node.partition(":")
        found: list[ast.Expr | None] = []
        decl = self.symbols.case_type
        question = self.question(name)
        if node == CASE_TYPE and decl is not None:
            found = [r.condition for r in decl.rules] + [o.condition for o in decl.overrides]
        elif kind == "define":
            found = [self.symbols.defines[name].expr]
        elif kind == "status" and question is not None:
            found = [question.applies]
        elif kind == "value" and question is not None:
            found = [question.applies] + [d.condition for d in question.derive]
        return [self.shared_expr(e) for e in found if e is not None]

    def inputs(self, node: str) -> list[str]:
        """The nodes and leaves a node reads directly, in order."""
        found: dict[str, None] = {}
        for expr in self.exprs(node):
            found.update(dict.fromkeys(self.expr_inputs(expr)))
        return list(found)

    def expr_inputs(self, expr: ast.Expr) -> list[str]:
        """The nodes and leaves an expression (with shared answer ids) reads, in order."""
        found: dict[str, None] = {}
        for item in ast.walk(expr):
            if isinstance(item, ast.Name):
                if item.name in self.symbols.facts:
                    found["fact:" + item.name] = None
                elif item.name in self.symbols.defines:
                    found["define:" + item.name] = None
                elif item.name == CASE_TYPE and self.symbols.case_type is not None:
                    found[CASE_TYPE] = None
            elif isinstance(item, ast.AnswerRef) and self.question(item.question_id) is not None:
                found["question:" + item.question_id] = None
                if self.has("value:" + item.question_id):  # unanswered, it reads as its derived value
                    found["value:" + item.question_id] = None
        return list(found)

    def shared_expr(self, expr: ast.Expr) -> ast.Expr:
        return rename_answers(expr, self.to_shared)

    def leaf_type(self, leaf: str) -> ast.TypeExpr | None:
        kind, _, name = leaf.partition(":")
        if kind == "fact":
            decl = self.symbols.facts.get(name)
            return decl.type if decl else None
        question = self.question(name)
        return question.answer if question else None

    def signature(self, node: str) -> str:
        """The node's rules and all they read, as text: equal in two versions exactly when they compute it alike."""
        if node not in self._signatures:
            if node.startswith(("fact:", "question:")):
                type_expr = self.leaf_type(node)
                text = f"{node} {_type_text(type_expr)}" if type_expr is not None else f"{node} undeclared"
            elif not self.has(node):
                text = f"{node} undeclared"
            else:
                parts = [node, *(format_expr(e) for e in self.exprs(node))]
                decl = self.symbols.case_type
                if node == CASE_TYPE and decl is not None:
                    parts += [r.value for r in decl.rules] + [o.value for o in decl.overrides]
                question = self.question(node[6:]) if node.startswith("value:") else None
                if question is not None:
                    parts += [d.value for d in question.derive]
                parts += [self.signature(n) for n in self.inputs(node)]
                text = "\n".join(parts)
            self._signatures[node] = text
        return self._signatures[node]

    def is_condition(self, node: str) -> bool:
        """A defined name that is true or false (it can stand as an input of its own)."""
        return node.startswith("define:") and self.define_types.get(node[7:]) == T.BOOL


def _type_text(type_expr: ast.TypeExpr) -> str:
    return type_expr.kind + " " + " ".join(o.code for o in type_expr.options)


def walk_nodes(versions: tuple[Version, Version], start: list[str]) -> Iterator[str]:
    """Every node and leaf reachable from ``start`` in either version, each once."""
    seen: set[str] = set()
    pending = list(start)
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        yield node
        for version in versions:
            pending.extend(version.inputs(node))
