"""Name resolution: the rule set's declarations, gathered from all its files into one table.

``collect`` is the first pass after parsing. It reports duplicate declarations
(naming both places) and the declarations a rule set must not have twice;
unknown names inside expressions are reported by the type checker, which knows
whether a bare name may be an option code.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import attrs

from carag_dsl.language import ast
from carag_dsl.errors import Diagnostic

CASE_TYPE = "case_type"


@attrs.define
class Symbols:
    """Everything declared in a rule set, by name. Questions keep document order."""

    header: ast.Header | None = None
    facts: dict[str, ast.FactDecl] = attrs.Factory(dict)
    groupings: dict[str, ast.GroupingDecl] = attrs.Factory(dict)  # named groups of a fact's values
    defines: dict[str, ast.DefineDecl] = attrs.Factory(dict)
    constraints: list[ast.ConstraintDecl] = attrs.Factory(list)
    consistency: list[ast.ConsistencyDecl] = attrs.Factory(list)  # `constraint ... warn`: warnings, not errors
    applicability: dict[str, ast.ApplicabilityDecl] = attrs.Factory(dict)  # label -> what it means
    exclusions: list[ast.ExcludeDecl] = attrs.Factory(list)  # in order: the first that holds names the reason
    case_type: ast.CaseTypeDecl | None = None
    sections: list[ast.SectionDecl] = attrs.Factory(list)
    questions: dict[str, ast.QuestionDecl] = attrs.Factory(dict)
    section_of: dict[str, ast.SectionDecl | None] = attrs.Factory(dict)
    bands: ast.BandsDecl | None = None
    standards: dict[str, ast.StandardDecl] = attrs.Factory(dict)
    # The questions about the region (inspection questions), in document order: read, never routed.
    inspection_questions: dict[str, ast.InspectionQuestionDecl] = attrs.Factory(dict)
    tests: list[ast.TestDecl] = attrs.Factory(list)

    def case_types(self) -> tuple[str, ...]:
        """The case-type values the rules and overrides can produce, in order of first mention."""
        if self.case_type is None:
            return ()
        values: list[str] = []
        for value in [r.value for r in self.case_type.rules] + [o.value for o in self.case_type.overrides]:  # 'from T' adds none
            if value not in values:
                values.append(value)
        return tuple(values)

    def expressions(self) -> Iterator[ast.Expr]:
        """Every expression the rules hold (defines, constraints, consistency rules, label meanings, exclusions, case type, questions)."""
        for define in self.defines.values():
            yield define.expr
        for constraint in self.constraints:
            yield constraint.expr
        for check in self.consistency:
            yield check.expr
        for entry in self.applicability.values():
            if entry.condition is not None:
                yield entry.condition
        for exclusion in self.exclusions:
            yield exclusion.condition
        if self.case_type is not None:
            for rule in self.case_type.rules:
                if rule.condition is not None:
                    yield rule.condition
            for override in self.case_type.overrides:
                yield override.condition
        for question in self.questions.values():
            if question.applies is not None:
                yield question.applies
            for derive in question.derive:
                yield derive.condition

    def declared_names(self) -> list[str]:
        names = list(self.facts) + list(self.groupings) + list(self.defines)
        if self.case_type is not None:
            names.append(CASE_TYPE)
        return names


def collect(modules: Iterable[ast.Module]) -> tuple[Symbols, list[Diagnostic]]:
    """Gather the declarations of all modules (in include order) into one table."""
    symbols = Symbols()
    diagnostics: list[Diagnostic] = []
    first_place: dict[str, ast.Decl] = {}

    def duplicate(node, key: str, what: str) -> bool:
        if key in first_place:
            other = first_place[key]
            diagnostics.append(
                Diagnostic(
                    node.span, "duplicate-declaration", f"{what} is declared twice",
                    notes=((other.span, "first declared here"),),
                )
            )
            return True
        first_place[key] = node
        return False

    section: ast.SectionDecl | None = None
    for module in modules:
        for item in module.items:
            if isinstance(item, ast.Header):
                if not duplicate(item, "ruleset", "the rule set header (ruleset ... version ... published ...)"):
                    symbols.header = item
            elif isinstance(item, ast.FactDecl):
                if item.name == CASE_TYPE:
                    diagnostics.append(Diagnostic(item.span, "reserved-name", "'case_type' is the built-in name of the case type; choose another name for this fact"))
                elif not duplicate(item, "name:" + item.name, f"'{item.name}'"):
                    symbols.facts[item.name] = item
            elif isinstance(item, ast.GroupingDecl):
                if item.name == CASE_TYPE:
                    diagnostics.append(Diagnostic(item.span, "reserved-name", "'case_type' is the built-in name of the case type; choose another name for this grouping"))
                elif not duplicate(item, "name:" + item.name, f"'{item.name}'"):
                    symbols.groupings[item.name] = item
            elif isinstance(item, ast.DefineDecl):
                if item.name == CASE_TYPE:
                    diagnostics.append(Diagnostic(item.span, "reserved-name", "'case_type' is the built-in name of the case type; define it with a 'case type' block"))
                elif not duplicate(item, "name:" + item.name, f"'{item.name}'"):
                    symbols.defines[item.name] = item
            elif isinstance(item, ast.ConstraintDecl):
                symbols.constraints.append(item)
            elif isinstance(item, ast.ConsistencyDecl):
                symbols.consistency.append(item)
            elif isinstance(item, ast.ApplicabilityDecl):
                if not duplicate(item, "applicability:" + item.label, f"the applicability label \"{item.label}\""):
                    symbols.applicability[item.label] = item
            elif isinstance(item, ast.ExcludeDecl):
                symbols.exclusions.append(item)
            elif isinstance(item, ast.CaseTypeDecl):
                if not duplicate(item, "case type", "the case type (a 'case type' block)"):
                    symbols.case_type = item
            elif isinstance(item, ast.SectionDecl):
                section = item
                symbols.sections.append(item)
            elif isinstance(item, ast.QuestionDecl):
                if item.id in symbols.questions:
                    other = symbols.questions[item.id]
                    diagnostics.append(
                        Diagnostic(
                            # Which of the two is the new one, only the author knows: the message blames neither.
                            item.id_span, "duplicate-question",
                            f"question '{item.id}' is declared twice, here and at {other.id_span.location()}; every question "
                            f"needs an id of its own: if you are adding a question, give the new one an id no other question has",
                            notes=((other.id_span, f"the other question '{item.id}' is here"),),
                        )
                    )
                else:
                    symbols.questions[item.id] = item
                    symbols.section_of[item.id] = section
            elif isinstance(item, ast.BandsDecl):
                if not duplicate(item, "bands", "the rating bands (a 'bands' block)"):
                    symbols.bands = item
            elif isinstance(item, ast.StandardDecl):
                if not duplicate(item, "standard:" + item.name, f"standard '{item.name}'"):
                    symbols.standards[item.name] = item
            elif isinstance(item, ast.InspectionQuestionDecl):
                if not duplicate(item, "inspection:" + item.id, f"inspection question '{item.id}'"):
                    symbols.inspection_questions[item.id] = item
            elif isinstance(item, ast.TestDecl):
                symbols.tests.append(item)
    return symbols, diagnostics
