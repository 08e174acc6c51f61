"""Groupings lowered to conditions on the fact they group, so that every back end evaluates them.

``grouping age_group of age`` names bands of a number or a date (``aged_18_to_24 "18-24" from 18 to 24``)
or merges options (``high_or_very_high "High/very high" is high, very_high``). A condition may compare a
grouping with its groups: ``age_group == aged_18_to_24``, ``age_group != ...``, ``age_group in {...}``,
``age_group not in {...}``. This pass, run after type checking, rewrites each such comparison into the
condition on the source fact that it means (``age >= 18 and age <= 24``; ``rosh in {high, very_high}``),
with the comparison's span. The evaluators, the compiled function, the columnar engine, the form exports
and the case-space analysis then never meet a grouping: they agree on groupings because they agree on the
conditions the groupings are lowered to, with the same three-valued logic (an unknown age makes
``age_group == aged_18_to_24`` unknown; a known age in no band makes it false).

Any other use of a grouping in a condition (as a value, ordered with ``<``, compared with another
grouping or name) has no condition to be lowered to and is refused where it is written.

:func:`group_of` is the other half: the group a known value of the source falls in, as ``carag rate --by``
counts it.
"""

from __future__ import annotations

import datetime
from typing import Any, Callable

import attrs

from carag_dsl.compiler.symbols import CASE_TYPE, Symbols
from carag_dsl.errors import Diagnostic
from carag_dsl.language import ast
from carag_dsl.source import Span


def group_of(grouping: ast.GroupingDecl, value: Any) -> str | None:
    """The code of the group a known value of the source fact falls in, or None when it falls in none."""
    for member in grouping.members:
        if member.is_band:
            if (member.lower is None or value >= member.lower) and (member.upper is None or value <= member.upper):
                return member.code
        elif value in member.options:
            return member.code
    return None


def lower(symbols: Symbols) -> tuple[Symbols, list[Diagnostic]]:
    """The symbol table with every comparison with a grouping rewritten on its source fact, and the
    diagnostics of the uses of groupings that are not such comparisons."""
    if not symbols.groupings:
        return symbols, []
    lowering = _Lowering(symbols)
    expr = lowering.expr
    case_type = symbols.case_type
    if case_type is not None:
        case_type = attrs.evolve(
            case_type,
            rules=tuple(rule if rule.condition is None else attrs.evolve(rule, condition=expr(rule.condition)) for rule in case_type.rules),
            overrides=tuple(attrs.evolve(o, condition=expr(o.condition)) for o in case_type.overrides),
        )
    lowered = attrs.evolve(
        symbols,
        defines={name: attrs.evolve(decl, expr=expr(decl.expr)) for name, decl in symbols.defines.items()},
        constraints=[attrs.evolve(c, expr=expr(c.expr)) for c in symbols.constraints],
        consistency=[attrs.evolve(c, expr=expr(c.expr)) for c in symbols.consistency],
        applicability={
            label: entry if entry.condition is None else attrs.evolve(entry, condition=expr(entry.condition))
            for label, entry in symbols.applicability.items()
        },
        exclusions=[attrs.evolve(e, condition=expr(e.condition)) for e in symbols.exclusions],
        case_type=case_type,
        questions={qid: _lower_question(question, expr) for qid, question in symbols.questions.items()},
    )
    return lowered, lowering.diagnostics


def _lower_question(question: ast.QuestionDecl, expr: Callable[[ast.Expr], ast.Expr]) -> ast.QuestionDecl:
    return attrs.evolve(
        question,
        applies=None if question.applies is None else expr(question.applies),
        derive=tuple(attrs.evolve(rule, condition=expr(rule.condition)) for rule in question.derive),
    )


#: The sub-expression fields of each expression node (rebuilt when a grouping is found below them).
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    ast.Not: ("operand",), ast.BoolOp: ("left", "right"), ast.Compare: ("left", "right"), ast.In: ("element", "collection"),
    ast.IsEmpty: ("operand",), ast.Arith: ("left", "right"), ast.DaysBetween: ("start", "end"),
    ast.If: ("condition", "then", "otherwise"),
}


class _Lowering:
    def __init__(self, symbols: Symbols):
        self.symbols = symbols
        self.groupings = symbols.groupings
        self.diagnostics: list[Diagnostic] = []

    def expr(self, node: ast.Expr) -> ast.Expr:
        if not any(isinstance(n, ast.Name) and n.name in self.groupings for n in ast.walk(node)):
            return node  # nothing to lower: the same node
        if isinstance(node, ast.Compare) and node.op in ("==", "!="):
            compared = self._grouping_and_code(node.left, node.right) or self._grouping_and_code(node.right, node.left)
            if compared is not None:
                grouping, code = compared
                condition = self.member_condition(grouping, (code,), node.span)
                if condition is None:  # not one of its groups: the type checker said so
                    return node
                return condition if node.op == "==" else ast.Not(condition, span=node.span)
        if isinstance(node, ast.In) and self._is_grouping(node.element) and isinstance(node.collection, ast.SetLit):
            assert isinstance(node.element, ast.Name)
            grouping = self.groupings[node.element.name]
            if not node.collection.members:
                self._refuse(node.collection.span, grouping, "is compared with an empty set of groups; name at least one group")
                return node
            condition = self.member_condition(grouping, node.collection.members, node.span)
            if condition is None:
                return node
            return ast.Not(condition, span=node.span) if node.negated else condition
        if isinstance(node, ast.Name):  # a grouping anywhere else than in a comparison with its groups
            self._refuse(node.span, self.groupings[node.name], "can only be compared with its groups")
            return node
        fields = _CHILD_FIELDS[type(node)]
        return attrs.evolve(node, **{field: self.expr(getattr(node, field)) for field in fields})  # type: ignore[misc, arg-type]

    def _is_grouping(self, node: ast.Expr) -> bool:
        return isinstance(node, ast.Name) and node.name in self.groupings

    def _grouping_and_code(self, side: ast.Expr, other: ast.Expr) -> tuple[ast.GroupingDecl, str] | None:
        """(the grouping, the group code) when ``side`` is a grouping and ``other`` a bare code."""
        if not self._is_grouping(side) or not isinstance(other, ast.Name):
            return None
        symbols = self.symbols
        if other.name in symbols.facts or other.name in symbols.defines or other.name in symbols.groupings or other.name == CASE_TYPE:
            return None
        assert isinstance(side, ast.Name)
        return self.groupings[side.name], other.name

    def _refuse(self, span: Span, grouping: ast.GroupingDecl, what: str) -> None:
        codes = ", ".join(member.code for member in grouping.members)
        self.diagnostics.append(Diagnostic(
            span, "grouping-not-compared",
            f"grouping '{grouping.name}' {what}: write '{grouping.name} == CODE', '!=', 'in {{...}}' or 'not in {{...}}' "
            f"with its groups ({codes})",
        ))

    def member_condition(self, grouping: ast.GroupingDecl, codes: tuple[str, ...], span: Span) -> ast.Expr | None:
        """The condition on the source fact that its value is in one of the groups ``codes``; None when a code is
        not one of its groups (the type checker reports it)."""
        members = [member for member in grouping.members if member.code in codes]
        if len(members) < len(set(codes)):
            return None
        source = ast.Name(grouping.source, span=span)
        if members and not members[0].is_band:  # merged options: one test of membership
            options = tuple(option for member in members for option in member.options)
            if len(options) == 1:
                return ast.Compare("==", source, ast.Name(options[0], span=span), span=span)
            return ast.In(source, ast.SetLit(options, span=span), span=span)
        conditions = [_band_condition(member, source, span) for member in members]
        condition = conditions[0]
        for other in conditions[1:]:
            condition = ast.BoolOp("or", condition, other, span=span)
        return condition


def _band_condition(member: ast.GroupMember, source: ast.Name, span: Span) -> ast.Expr:
    parts: list[ast.Expr] = []
    if member.lower is not None:
        parts.append(ast.Compare(">=", source, _literal(member.lower, span), span=span))
    if member.upper is not None:
        parts.append(ast.Compare("<=", source, _literal(member.upper, span), span=span))
    return parts[0] if len(parts) == 1 else ast.BoolOp("and", parts[0], parts[1], span=span)


def _literal(value: int | datetime.date, span: Span) -> ast.Expr:
    return ast.DateLit(value, span=span) if isinstance(value, datetime.date) else ast.IntLit(value, span=span)
