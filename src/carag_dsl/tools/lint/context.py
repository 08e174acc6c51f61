"""What every lint rule receives: the rule set, its exact case space (built once per run), and helpers."""

from __future__ import annotations

from functools import cached_property

import attrs
from typing import Any, Iterable

from carag_dsl.analysis import DEFAULT_BUDGET, AnalysisUnsupported, Budget, CaseSpace, Region
from carag_dsl.compiler.graph import expression_inputs, node_label
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.language import ast
from carag_dsl.source import Span
from carag_dsl.tools.lint.finding import Expect, Finding
from carag_dsl.tools.lint.registry import RULES
from carag_dsl.runtime.logic import UNKNOWN


class LintContext:
    def __init__(self, rules: CheckedRules, budget: Budget = DEFAULT_BUDGET):
        self.rules = rules
        self.symbols = rules.symbols
        self.budget = budget
        self._unanalysable: AnalysisUnsupported | None = None

    @property
    def space(self) -> CaseSpace:
        """The case space, built at the first rule that asks; a space that cannot be built fails every rule alike."""
        if self._unanalysable is not None:
            raise self._unanalysable
        return self._space

    @cached_property
    def _space(self) -> CaseSpace:
        # A case the rules do not inspect gets no routing: a finding only such cases reach is no finding.
        try:
            return CaseSpace(self.rules, inspected_only=True, budget=self.budget)
        except AnalysisUnsupported as error:
            self._unanalysable = error
            raise

    @cached_property
    def order(self) -> dict[str, int]:
        """Question id -> its place in the document."""
        return {qid: i for i, qid in enumerate(self.symbols.questions)}

    def reads(self, expr: ast.Expr | None) -> list[str]:
        """The facts and question ids an expression reads, through defined names and the case type too."""
        found: list[str] = []
        stack = expression_inputs(expr, self.symbols)
        seen: set[str] = set()
        while stack:
            node = stack.pop(0)
            if node in seen:
                continue
            seen.add(node)
            if node.startswith(("fact:", "question:")):
                found.append(node_label(node))
            else:  # a defined name or the case type: what it reads
                stack += list(self.rules.graph.predecessors(node))
        return found

    def label_meaning(self, question: ast.QuestionDecl) -> dict[Any, Region] | None:
        """Where the question's label, read by the rule set's vocabulary, is true, false and unknown; None when
        the label has no meaning of its own (no label, not in the vocabulary, or declared without a rule)."""
        entry = self.symbols.applicability.get(question.label) if question.label is not None else None
        if entry is None or (entry.condition is None and not entry.always):
            return None
        if entry.always:
            return {True: self.space.everything, False: self.space.nothing, UNKNOWN: self.space.nothing}
        return self.space.truth(entry.condition)

    def witness(self, region: Region, prefer_given: Iterable[str] = ()) -> dict[str, Any] | None:
        return self.space.witness(region, prefer_given=prefer_given)

    def finding(self, rule: str, span: Span, message: str, question: str | None = None,
                region: Region | None = None, expect: Expect | None = None, prefer_given: Iterable[str] = (),
                subject: object = None, intended: Expect | None = None) -> Finding:
        witness = self.witness(region, prefer_given) if region is not None else None
        if expect is not None and expect.error is not None:
            expect = attrs.evolve(expect, error=self.engine_error(witness))
        if witness is None:
            expect = intended = None
        return Finding(rule, RULES[rule].severity, span, message, question, witness, expect, intended, subject)

    def engine_error(self, witness: dict | None) -> str | None:
        """The first problem the engine finds in a case it rejects (for a witness's expectation)."""
        from carag_dsl.errors import CaseDataError
        from carag_dsl.runtime.evaluate import evaluate_case

        if witness is None:
            return None
        try:
            evaluate_case(self.rules, witness, backend="reference")
        except CaseDataError as error:
            return error.problems[0].message
        return None
