"""``carag lint``: an exact analysis of the routing of a rule set, every finding with a runnable witness.

``lint(rules)`` runs every rule of :data:`RULES` over one :class:`~carag_dsl.analysis.CaseSpace` of the
rule set (built once, handed to every rule) and applies the ``# carag: ignore[rule-id] reason``
suppressions of the files. The result is data (:class:`Finding`), rendered by :mod:`.render`.

The analysis runs within a :class:`~carag_dsl.analysis.Budget`. A rule the analysis cannot finish (past the
budget, or a comparison it cannot decide) keeps the findings it proved before it stopped and is listed in
``not_analysed`` with the reason; the report is then *partial* (``carag lint`` exits 3 when it found no error).
"""

from __future__ import annotations

import attrs

from carag_dsl.analysis import DEFAULT_BUDGET, AnalysisUnsupported, Budget
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.tools.lint import rules as _rules  # noqa: F401 -- registers the rules
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.finding import Expect, Finding
from carag_dsl.tools.not_analysed import NotAnalysed
from carag_dsl.tools.lint.registry import RULES, LintRule
from carag_dsl.tools.lint.suppression import Suppression, apply_suppressions, find_suppressions


@attrs.frozen
class LintReport:
    findings: tuple[Finding, ...]
    suppressed: tuple[tuple[Finding, Suppression], ...]
    not_analysed: tuple[NotAnalysed, ...] = ()  # each rule it could not finish (the subject: the rule id)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def partial(self) -> bool:
        """Some rule could not be analysed exactly: no finding of it is no proof of its absence."""
        return bool(self.not_analysed)


def lint(rules: CheckedRules, only: frozenset[str] | None = None, budget: Budget = DEFAULT_BUDGET) -> LintReport:
    """Every finding of every rule (or of the rules in ``only``), sorted by place, suppressions applied."""
    context = LintContext(rules, budget)
    found: list[Finding] = []
    not_analysed: list[NotAnalysed] = []
    for rule in RULES.values():
        if only is not None and rule.id not in only:
            continue
        try:
            for finding in rule.check(context):
                found.append(finding)
        except AnalysisUnsupported as error:
            not_analysed.append(NotAnalysed(rule.id, str(error)))
    kept, suppressed = apply_suppressions(found, find_suppressions(rules), context)
    return LintReport(tuple(sorted(kept, key=Finding.sort_key)), tuple(suppressed), tuple(not_analysed))


__all__ = ["Expect", "Finding", "LintReport", "LintRule", "NotAnalysed", "RULES", "lint"]
