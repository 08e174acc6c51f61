"""The lint rules: each a function with its id, severity, one-line summary and documentation.

A rule is a function ``check(context) -> Iterable[Finding]`` registered with
:func:`lint_rule`; the documentation pages (``docs/lint/RULE.md``) are written from
the same metadata by :mod:`.docs`, so they cannot drift from the code.
"""

from __future__ import annotations

from typing import Callable, Iterable

import attrs

from carag_dsl.tools.lint.finding import SEVERITIES


@attrs.frozen
class LintRule:
    id: str
    severity: str
    summary: str
    explanation: str  # Markdown: why it matters, what to do
    example: str  # a small rule set that has the problem (checked by the tests to be reported)
    check: Callable = attrs.field(eq=False, repr=False)


RULES: dict[str, LintRule] = {}


def lint_rule(rule_id: str, severity: str, summary: str, explanation: str, example: str = ""):
    """Register ``check`` under ``rule_id``."""
    assert severity in SEVERITIES, severity

    def register(check: Callable[..., Iterable]) -> Callable[..., Iterable]:
        assert rule_id not in RULES, rule_id
        RULES[rule_id] = LintRule(rule_id, severity, summary, explanation.strip(), example.strip(), check)
        return check

    return register
