"""``carag lint``'s findings as diagnostics, when lint and its analysis extra are installed.

Lint analyses the whole case space of the rule set (a tenth of a second or more
on the CARaG), so the server runs it once the typing pauses, and keeps the
findings of each rule-set text (by its content hash).
"""

from __future__ import annotations

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import Diagnostic

try:
    from carag_dsl.tools.lint import lint as _lint
except ImportError:  # the analysis extra (dd) is not installed: no lint diagnostics
    _lint = None  # type: ignore[assignment]

AVAILABLE = _lint is not None


class LintCache:
    """The lint diagnostics of the last rule-set text each rule set was linted with."""

    def __init__(self) -> None:
        self._kept: dict[str, list[Diagnostic]] = {}

    def cached(self, rules: CheckedRules) -> list[Diagnostic] | None:
        return self._kept.get(rules.content_hash)

    def run(self, rules: CheckedRules) -> list[Diagnostic]:
        if _lint is None:
            return []
        found = self._kept.get(rules.content_hash)
        if found is None:
            report = _lint(rules)
            found = [Diagnostic(f.span, f.rule, f.message, f.severity) for f in report.findings]
            if len(self._kept) > 16:  # old texts of the rule sets edited: keep the memory bounded
                self._kept.clear()
            self._kept[rules.content_hash] = found
        return found
