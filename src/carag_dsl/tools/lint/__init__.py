"""``carag lint``: an exact analysis of the routing of a rule set, every finding with a runnable witness.

``lint(rules)`` runs every rule of :data:`RULES` over one :class:`~carag_dsl.analysis.CaseSpace` of the
rule set (built once, handed to every rule) and applies the ``# carag: ignore[rule-id] reason``
suppressions of the files. The result is data (:class:`Finding`), rendered by :mod:`.render`.
"""

from __future__ import annotations

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.tools.lint import rules as _rules  # noqa: F401 -- registers the rules
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.finding import Expect, Finding
from carag_dsl.tools.lint.registry import RULES, LintRule
from carag_dsl.tools.lint.suppression import Suppression, apply_suppressions, find_suppressions


@attrs.frozen
class LintReport:
    findings: tuple[Finding, ...]
    suppressed: tuple[tuple[Finding, Suppression], ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")


def lint(rules: CheckedRules, only: frozenset[str] | None = None) -> LintReport:
    """Every finding of every rule (or of the rules in ``only``), sorted by place, suppressions applied."""
    context = LintContext(rules)
    found = [finding for rule in RULES.values() if only is None or rule.id in only for finding in rule.check(context)]
    kept, suppressed = apply_suppressions(found, find_suppressions(rules), context)
    return LintReport(tuple(sorted(kept, key=Finding.sort_key)), tuple(suppressed))


__all__ = ["Expect", "Finding", "LintReport", "LintRule", "RULES", "lint"]
