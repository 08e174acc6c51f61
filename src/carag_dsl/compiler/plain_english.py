"""Rules written out in plain English, for people who read the CARaG rather than the code.

:class:`PlainEnglish` turns any expression of :mod:`carag_dsl.ast` into a
sentence fragment ("the answer to X 6 is not 'not a factor'"), and a
question's applicability, a derivation or the case-type rules into whole
sentences ("Applies to core cases only"). Option codes are shown by their
labels, as the rule set declares them, so the words match the printed CARaG.
The handbook (:mod:`carag_dsl.handbook`) is its main reader.
"""

from __future__ import annotations

import datetime
from typing import TypeGuard

from carag_dsl.language import ast
from carag_dsl.compiler import types as T
from carag_dsl.compiler.symbols import CASE_TYPE, Symbols
from carag_dsl.compiler.typecheck import check

#: Labels of the built-in answer kinds' codes, as inspectors say them.
BUILTIN_LABELS = {"yes": "yes", "no": "no", "not_a_factor": "not a factor"}

_ORDER_WORDS = {
    "date": {"<": "is before", "<=": "is on or before", ">": "is after", ">=": "is on or after"},
    "other": {"<": "is less than", "<=": "is at most", ">": "is more than", ">=": "is at least"},
}


def spaced(name: str) -> str:
    """``start_date`` as people write it: ``start date``."""
    return name.replace("_", " ")


def long_date(value: datetime.date) -> str:
    """``20 October 2025``."""
    return f"{value.day} {value.strftime('%B %Y')}"


def quote(text: str) -> str:
    return f"'{text}'"


class PlainEnglish:
    """Renders the expressions of one rule set in words."""

    def __init__(self, symbols: Symbols):
        self.symbols = symbols
        # Types of the defined names, to know which read as conditions and which are dates.
        self.define_types, _ = check(symbols)

    # ------------------------------------------------------------------ option labels
    def _type_of_operand(self, node) -> ast.TypeExpr | None:
        """The declared type behind a fact or an answer (where option labels live)."""
        if isinstance(node, ast.Name) and node.name in self.symbols.facts:
            return self.symbols.facts[node.name].type
        if isinstance(node, ast.AnswerRef):
            question = self.symbols.questions.get(node.question_id)
            return question.answer if question else None
        return None

    def option_label(self, code: str, type_expr: ast.TypeExpr | None) -> str:
        """How an option code reads: its declared label, the built-in word, or the code itself."""
        if type_expr is not None:
            for option in type_expr.options:
                if option.code == code and option.label:
                    return option.label
        return BUILTIN_LABELS.get(code, spaced(code))

    def _is_code(self, node: object) -> TypeGuard[ast.Name]:
        return isinstance(node, ast.Name) and not self._is_declared(node.name)

    def _is_declared(self, name: str) -> bool:
        return name in self.symbols.facts or name in self.symbols.defines or (name == CASE_TYPE and self.symbols.case_type is not None)

    # ------------------------------------------------------------------ static facts about nodes
    def _is_date(self, node) -> bool:
        if isinstance(node, ast.DateLit):
            return True
        if isinstance(node, ast.Name):
            if node.name in self.symbols.facts:
                return self.symbols.facts[node.name].type.kind == "date"
            return self.define_types.get(node.name) == T.DATE
        if isinstance(node, ast.Arith):
            return self._is_date(node.left) and not self._is_date(node.right)
        if isinstance(node, ast.If):
            return self._is_date(node.then)
        return False

    def _is_condition_name(self, node) -> bool:
        """A bare name that is true or false on its own (a bool fact or a defined condition)."""
        if not isinstance(node, ast.Name):
            return False
        fact = self.symbols.facts.get(node.name)
        if fact is not None:
            return fact.type.kind == "bool"
        return self.define_types.get(node.name) == T.BOOL

    def _doc(self, name: str) -> str | None:
        """The description of a fact, which says what the data records. A defined name's ``meaning`` is
        never used: it is the author's account of a rule, and a rule told in words must come from the rule."""
        decl = self.symbols.facts.get(name)
        return decl.doc if decl is not None else None

    # ------------------------------------------------------------------ expressions
    def expr(self, node) -> str:
        """Any expression as an English phrase."""
        return getattr(self, "_" + type(node).__name__)(node)

    def _Name(self, node: ast.Name) -> str:
        if node.name == CASE_TYPE:
            return "the case type"
        if self._is_condition_name(node):
            doc = self._doc(node.name)
            return doc if doc else f"{quote(spaced(node.name))} is true"
        if self._is_declared(node.name):
            return f"the {spaced(node.name)}"
        return quote(self.option_label(node.name, None))

    def _AnswerRef(self, node: ast.AnswerRef) -> str:
        return f"the answer to {node.question_id}"

    def _IntLit(self, node: ast.IntLit) -> str:
        return str(node.value)

    def _DateLit(self, node: ast.DateLit) -> str:
        return long_date(node.value)

    def _TextLit(self, node: ast.TextLit) -> str:
        return f'"{node.value}"'

    def _BoolLit(self, node: ast.BoolLit) -> str:
        return "true" if node.value else "false"

    def _DurationLit(self, node: ast.DurationLit) -> str:
        unit = node.unit.rstrip("s")
        return f"{node.amount} {unit}{'' if node.amount == 1 else 's'}"

    def _SetLit(self, node: ast.SetLit) -> str:
        return self._choices([quote(self.option_label(code, None)) for code in node.members], "or")

    def _Not(self, node: ast.Not) -> str:
        operand = node.operand
        # Say the opposite directly where the language has it: "is not", "not among", "at least one".
        if isinstance(operand, ast.IsEmpty):
            return self.expr(ast.IsEmpty(operand.operand, not operand.negated))
        if isinstance(operand, ast.In):
            return self.expr(ast.In(operand.element, operand.collection, not operand.negated))
        if isinstance(operand, ast.Compare) and operand.op in ("==", "!="):
            return self.expr(ast.Compare("!=" if operand.op == "==" else "==", operand.left, operand.right))
        return f"it is not the case that {self._grouped(operand)}"

    def _BoolOp(self, node: ast.BoolOp) -> str:
        parts = [self._grouped(part, inside=node.op) for part in self._chain(node, node.op)]
        if len(parts) == 2:
            return f"{parts[0]} {node.op} {parts[1]}"
        return ", ".join(parts[:-1]) + f", {node.op} {parts[-1]}"

    def _chain(self, node, op: str) -> list:
        """``a and b and c`` as [a, b, c] (the parser nests them to the left)."""
        if isinstance(node, ast.BoolOp) and node.op == op:
            return self._chain(node.left, op) + self._chain(node.right, op)
        return [node]

    def _grouped(self, node, inside: str | None = None) -> str:
        """An operand, in brackets when it is a different and/or chain (so the grouping stays clear)."""
        text = self.expr(node)
        if isinstance(node, ast.BoolOp) and node.op != inside:
            return f"({text})"
        return text

    def _Compare(self, node: ast.Compare) -> str:
        left, right = node.left, node.right
        if self._is_code(left) and not self._is_code(right):
            left, right = right, left  # read "licence == sentence" as "the sentence is 'Licence'"
        if isinstance(left, ast.Name) and left.name == CASE_TYPE and self._is_code(right):
            verb = "is" if node.op == "==" else "is not"
            return f"the case {verb} {right.name}" if node.op in ("==", "!=") else f"the case type {self._order_word(node.op, left)} {right.name}"
        subject = self.expr(left)
        if self._is_code(right):
            other = quote(self.option_label(right.name, self._type_of_operand(left)))
        else:
            other = self.expr(right)
        if node.op == "==":
            return f"{subject} is {other}"
        if node.op == "!=":
            return f"{subject} is not {other}"
        return f"{subject} {self._order_word(node.op, left, right)} {other}"

    def _order_word(self, op: str, *operands) -> str:
        kind = "date" if any(self._is_date(o) for o in operands) else "other"
        return _ORDER_WORDS[kind][op]

    def _In(self, node: ast.In) -> str:
        if isinstance(node.collection, ast.SetLit):
            if isinstance(node.element, ast.Name) and node.element.name == CASE_TYPE:
                codes = list(node.collection.members)
                joined = self._choices(codes, "or")
                return f"the case is {'not ' if node.negated else ''}{joined}"
            type_expr = self._type_of_operand(node.element)
            labels = [quote(self.option_label(code, type_expr)) for code in node.collection.members]
            if node.negated:
                return f"{self.expr(node.element)} is {'not ' + labels[0] if len(labels) == 1 else 'neither ' + self._choices(labels, 'nor')}"
            return f"{self.expr(node.element)} is {self._choices(labels, 'or')}"
        type_expr = self._type_of_operand(node.collection)
        if self._is_code(node.element):
            element = quote(self.option_label(node.element.name, type_expr))
        else:
            element = self.expr(node.element)
        return f"{element} is {'not ' if node.negated else ''}among {self.expr(node.collection)}"

    def _IsEmpty(self, node: ast.IsEmpty) -> str:
        if node.negated:
            return f"at least one option is chosen in {self.expr(node.operand)}"
        return f"no option is chosen in {self.expr(node.operand)}"

    def _Arith(self, node: ast.Arith) -> str:
        left, right = self.expr(node.left), self.expr(node.right)
        if self._is_date(node.left) and self._is_date(node.right):
            return f"the time from {right} to {left}"
        if self._is_date(node.left):
            return f"{right} {'after' if node.op == '+' else 'before'} {left}"
        return f"{left} {'plus' if node.op == '+' else 'minus'} {right}"

    def _DaysBetween(self, node: ast.DaysBetween) -> str:
        return f"the number of days from {self.expr(node.start)} to {self.expr(node.end)}"

    def _If(self, node: ast.If) -> str:
        return f"{self.expr(node.then)} when {self.expr(node.condition)}, otherwise {self.expr(node.otherwise)}"

    @staticmethod
    def _choices(items: list[str], word: str) -> str:
        if len(items) <= 1:
            return "".join(items) or "nothing"
        return ", ".join(items[:-1]) + f" {word} {items[-1]}"

    # ------------------------------------------------------------------ whole sentences
    def applicability(self, question: ast.QuestionDecl) -> str:
        """When a question applies, as a sentence: "Applies to every case", "Applies to core cases only", ..."""
        condition = question.applies
        if condition is None:
            return "Applies to every case."
        case_types = self._case_types_only(condition)
        if case_types is not None:
            return f"Applies to {self._choices(case_types, 'and')} cases only."
        return f"Applies when {self.expr(condition)}."

    def _case_types_only(self, condition) -> list[str] | None:
        """The case types a condition selects when it only tests the case type (``case_type == core``)."""
        if isinstance(condition, ast.Compare) and condition.op == "==":
            pair = (condition.left, condition.right)
            for subject, code in (pair, pair[::-1]):
                if isinstance(subject, ast.Name) and subject.name == CASE_TYPE and self._is_code(code):
                    return [code.name]
        if isinstance(condition, ast.In) and not condition.negated and isinstance(condition.collection, ast.SetLit):
            if isinstance(condition.element, ast.Name) and condition.element.name == CASE_TYPE:
                return list(condition.collection.members)
        return None

    def derivation(self, question: ast.QuestionDecl, derive: ast.Derive) -> str:
        """``derive yes when E`` as a sentence."""
        label = self.option_label(derive.value, question.answer)
        return f"When it applies and is not answered, the answer is {quote(label)} if {self.expr(derive.condition)}."

    def case_type_rules(self, decl: ast.CaseTypeDecl) -> list[str]:
        """The case-type block as sentences, rules first, then the overrides."""
        sentences = []
        for index, rule in enumerate(decl.rules):
            if rule.condition is None:
                sentences.append(f"Otherwise, the case is {rule.value}." if index else f"Every case is {rule.value}.")
            else:
                lead = "A case is" if index == 0 else "Otherwise, a case is"
                sentences.append(f"{lead} {rule.value} when {self.expr(rule.condition)}.")
        for override in decl.overrides:
            where = "Where the rules above do not decide" + (f", or make the case {override.replaces}" if override.replaces else "")
            sentences.append(
                f"{where}, the case is {override.value} when {self.expr(override.condition)}; "
                f"where they make it anything else, that stands and the result warns."
            )
        return sentences

    def constraint(self, decl: ast.ConstraintDecl | ast.ConsistencyDecl) -> str:
        """A constraint (rejects the case) or a consistency rule (``warn``: keeps it, with a warning) as a sentence."""
        warns = isinstance(decl, ast.ConsistencyDecl)
        given = f"answers {decl.field}" if isinstance(decl, ast.ConsistencyDecl) and decl.on_answer else f"gives the {spaced(decl.field)}"
        if warns:
            return f"Whenever a case {given}, it should be that {self.expr(decl.expr)}; if not, the result warns \u201c{decl.message}\u201d."
        return f"Whenever a case {given}, it must be that {self.expr(decl.expr)}; if not, the case is rejected with the message \u201c{decl.message}\u201d."

    def exclusion(self, decl: ast.ExcludeDecl) -> str:
        return f"A case is not inspected when {self.expr(decl.condition)}: \u201c{decl.reason}\u201d."

    def answer_kind(self, answer: ast.TypeExpr | None) -> str:
        """What kind of answer a question takes, in words."""
        if answer is None:
            return "free text"
        return {
            "yes_no": "yes or no",
            "yes_no_not_a_factor": "yes, no, or not a factor",
            "text": "free text",
            "one": "one of the options",
            "any": "any of the options (none, one or several)",
            "scale": "a level on the scale, lowest first",
            "bool": "true or false",
            "int": "a whole number",
            "date": "a date",
        }[answer.kind]

    def option_labels(self, answer: ast.TypeExpr | None) -> list[str]:
        """The labels of a question's answer options, in order (built-in kinds included)."""
        if answer is None:
            return []
        return [self.option_label(code, answer) for code in T.option_codes(answer)]
