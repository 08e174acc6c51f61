"""Peer expression engines evaluating the same applicability rules: rule-engine, simpleeval, json-logic, CEL,
GoRules' zen-engine (its expression language, each expression compiled once).

Each question's ``applies when`` expression is translated mechanically from
our AST into the peer's language (:func:`translate`). The peers have no
three-valued logic, so unknown is ``null``/``None`` and Kleene logic is spelt
out with their conditional expressions:

* ``a == b`` becomes ``a == null ? null : a == b`` (same for ``!=`` and ``in``),
* ``a and b`` becomes ``(a == false or b == false) ? false : ((a == null or b == null) ? null : true)``,
* ``a or b`` likewise with ``true``; ``not a`` becomes ``a == null ? null : not a``.

That repeats sub-expressions (a peer evaluates an operand up to three times),
which is the price of exact three-valued answers in a two-valued language; the
benchmark checks every peer gives exactly our statuses before timing it.

The peers are given what they cannot compute themselves, prepared before the
clock starts: the facts, the defined names, the case type and the answers
(derived values included), as one flat context per case (variables ``v0``,
``v1``, ... so no user name becomes a peer identifier either). That favours
the peers: the compiled back end is timed doing the whole job (reading facts,
defined names, case type, statuses, derived values, warnings).
"""

from __future__ import annotations

import json
from typing import Any, Callable

from carag_dsl.language import ast
from carag_dsl.compiler.symbols import CASE_TYPE


class Syntax:
    """How one peer spells the few constructs the translation needs."""

    null = "null"
    true, false = "true", "false"
    and_, or_ = "and", "or"

    def ternary(self, condition: str, then: str, otherwise: str) -> str:
        return f"(({condition}) ? ({then}) : ({otherwise}))"

    def not_(self, operand: str) -> str:
        return f"(not {operand})"

    def text(self, value: str) -> str:
        return json.dumps(value)

    def members(self, codes) -> str:
        return "[" + ", ".join(json.dumps(c) for c in codes) + "]"


class RuleEngineSyntax(Syntax):
    pass


class CelSyntax(Syntax):
    and_, or_ = "&&", "||"

    def not_(self, operand: str) -> str:
        return f"(!{operand})"


class PythonSyntax(Syntax):
    """simpleeval: a Python expression."""

    null, true, false = "None", "True", "False"

    def ternary(self, condition, then, otherwise):
        return f"(({then}) if ({condition}) else ({otherwise}))"

    def text(self, value):
        return repr(value)

    def members(self, codes):
        return "(" + "".join(repr(c) + ", " for c in codes) + ")"


class Translator:
    """Our AST -> a peer expression that gives true, false or null (unknown)."""

    def __init__(self, ruleset, syntax: Syntax):
        self.symbols = ruleset.symbols
        self.syntax = syntax
        self.variables: dict[str, str] = {}  # "fact:x" / "define:x" / "case_type" / "question:id" -> v3

    def variable(self, key: str) -> str:
        return self.variables.setdefault(key, f"v{len(self.variables)}")

    def may_be_unknown(self, node) -> bool:
        if isinstance(node, ast.Name):
            return node.name in self.symbols.facts or node.name in self.symbols.defines or node.name == CASE_TYPE
        return not isinstance(node, (ast.TextLit, ast.IntLit, ast.BoolLit))

    def guard(self, nodes, parts, known: str) -> str:
        s = self.syntax
        tests = [f"{p} == {s.null}" for n, p in zip(nodes, parts) if self.may_be_unknown(n)]
        if not tests:
            return known
        return s.ternary(f" {s.or_} ".join(tests), s.null, known)

    def expr(self, node) -> str:
        s = self.syntax
        if isinstance(node, ast.Name):
            if node.name in self.symbols.facts:
                return self.variable("fact:" + node.name)
            if node.name in self.symbols.defines:
                return self.variable("define:" + node.name)
            if node.name == CASE_TYPE:
                return self.variable(CASE_TYPE)
            return s.text(node.name)
        if isinstance(node, ast.AnswerRef):
            return self.variable("question:" + node.question_id)
        if isinstance(node, ast.TextLit):
            return s.text(node.value)
        if isinstance(node, ast.BoolLit):
            return s.true if node.value else s.false
        if isinstance(node, ast.Compare) and node.op in ("==", "!="):
            left, right = self.expr(node.left), self.expr(node.right)
            return self.guard([node.left, node.right], [left, right], f"({left} {node.op} {right})")
        if isinstance(node, ast.In) and isinstance(node.collection, ast.SetLit):
            element = self.expr(node.element)
            test = f"({element} in {s.members(node.collection.members)})"
            if node.negated:
                test = s.not_(test)
            return self.guard([node.element], [element], test)
        if isinstance(node, ast.In):  # a code in a multiple-choice answer (a list in the context)
            element, collection = self.expr(node.element), self.expr(node.collection)
            test = f"({element} in {collection})"
            if node.negated:
                test = s.not_(test)
            return self.guard([node.element, node.collection], [element, collection], test)
        if isinstance(node, ast.Not):
            operand = self.expr(node.operand)
            return self.guard([node.operand], [operand], s.not_(operand))
        if isinstance(node, ast.BoolOp):
            left, right = self.expr(node.left), self.expr(node.right)
            decisive, other = (s.false, s.true) if node.op == "and" else (s.true, s.false)
            unknown = f"{left} == {s.null} {s.or_} {right} == {s.null}"
            return s.ternary(
                f"{left} == {decisive} {s.or_} {right} == {decisive}", decisive, s.ternary(unknown, s.null, other)
            )
        raise NotImplementedError(f"no translation for {type(node).__name__} (not used by the bundled CARaG's 'applies' rules)")


class JsonLogicTranslator(Translator):
    """Our AST -> a json-logic tree (the same three-valued encoding)."""

    def guard(self, nodes, parts, known):
        tests = [{"===": [p, None]} for n, p in zip(nodes, parts) if self.may_be_unknown(n)]
        if not tests:
            return known
        return {"if": [tests[0] if len(tests) == 1 else {"or": tests}, None, known]}

    def expr(self, node):
        if isinstance(node, ast.Name):
            if node.name in self.symbols.facts:
                return {"var": self.variable("fact:" + node.name)}
            if node.name in self.symbols.defines:
                return {"var": self.variable("define:" + node.name)}
            if node.name == CASE_TYPE:
                return {"var": self.variable(CASE_TYPE)}
            return node.name
        if isinstance(node, ast.AnswerRef):
            return {"var": self.variable("question:" + node.question_id)}
        if isinstance(node, (ast.TextLit, ast.BoolLit)):
            return node.value
        if isinstance(node, ast.Compare) and node.op in ("==", "!="):
            left, right = self.expr(node.left), self.expr(node.right)
            return self.guard([node.left, node.right], [left, right], {node.op: [left, right]})
        if isinstance(node, ast.In) and isinstance(node.collection, ast.SetLit):
            element = self.expr(node.element)
            test = {"in": [element, list(node.collection.members)]}
            return self.guard([node.element], [element], {"!": [test]} if node.negated else test)
        if isinstance(node, ast.In):  # a code in a multiple-choice answer (a list in the context)
            element, collection = self.expr(node.element), self.expr(node.collection)
            test = {"in": [element, collection]}
            return self.guard([node.element, node.collection], [element, collection], {"!": [test]} if node.negated else test)
        if isinstance(node, ast.Not):
            operand = self.expr(node.operand)
            return self.guard([node.operand], [operand], {"!": [operand]})
        if isinstance(node, ast.BoolOp):
            left, right = self.expr(node.left), self.expr(node.right)
            decisive, other = (False, True) if node.op == "and" else (True, False)
            return {"if": [
                {"or": [{"===": [left, decisive]}, {"===": [right, decisive]}]}, decisive,
                {"or": [{"===": [left, None]}, {"===": [right, None]}]}, None,
                other,
            ]}
        raise NotImplementedError(f"no translation for {type(node).__name__}")


# ------------------------------------------------------------------ the peers


def context_values(translator: Translator, evaluation) -> dict[str, Any]:
    """The flat context a peer reads, from the reference evaluator's scope (prepared before timing)."""
    from carag_dsl.runtime.evaluation import json_value
    from carag_dsl.runtime.logic import UNKNOWN

    scope = evaluation.scope
    values = {}
    for key, variable in translator.variables.items():
        if key == CASE_TYPE:
            value = scope.case_type
        elif key.startswith("question:"):
            value = scope.answer(key.split(":", 1)[1])
        else:
            value = scope.name(key.split(":", 1)[1])
        values[variable] = None if value is UNKNOWN else json_value(value)
    return values


def build_peer(name: str, ruleset) -> tuple[Callable[[Any], list], Callable[[dict], Any], Translator]:
    """(statuses of one prepared context, prepare a context, the translator naming the context's variables)."""
    questions = [(qid, q.applies) for qid, q in ruleset.symbols.questions.items() if q.applies is not None]
    if name == "rule-engine":
        import rule_engine

        translator = Translator(ruleset, RuleEngineSyntax())
        rules = [rule_engine.Rule(translator.expr(expr)) for _, expr in questions]
        return (lambda context: [rule.evaluate(context) for rule in rules]), (lambda values: values), translator
    if name == "simpleeval":
        import simpleeval

        translator = Translator(ruleset, PythonSyntax())
        evaluator = simpleeval.EvalWithCompoundTypes()
        parsed = [(source, evaluator.parse(source)) for source in (translator.expr(expr) for _, expr in questions)]

        def run(context):
            evaluator.names = context
            return [evaluator.eval(source, previously_parsed=tree) for source, tree in parsed]

        return run, (lambda values: values), translator
    if name == "json-logic":
        from json_logic import jsonLogic

        translator = JsonLogicTranslator(ruleset, Syntax())
        trees = [translator.expr(expr) for _, expr in questions]
        return (lambda context: [jsonLogic(tree, context) for tree in trees]), (lambda values: values), translator
    if name == "cel-python":
        import celpy

        translator = Translator(ruleset, CelSyntax())
        environment = celpy.Environment()
        programs = [environment.program(environment.compile(translator.expr(expr))) for _, expr in questions]
        return (lambda context: [p.evaluate(context) for p in programs]), celpy.json_to_cel, translator
    if name == "zen-engine":  # GoRules' expression language, each expression compiled once (zen.compile_expression)
        import zen

        translator = Translator(ruleset, Syntax())
        compiled = [zen.compile_expression(translator.expr(expr)) for _, expr in questions]
        return (lambda context: [e.evaluate(context) for e in compiled]), (lambda values: values), translator
    raise ValueError(name)


def as_status(value) -> str:
    if value is None:
        return "pending"
    return "applies" if bool(value) else "not_applicable"
