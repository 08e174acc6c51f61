"""``carag lint``'s findings as diagnostics, when lint and its analysis extra are installed.

Lint analyses the whole case space of the rule set (a tenth of a second or more
on the CARaG, and up to its budget on hostile rules), so the server runs it on a
worker thread once the typing pauses, stops it when the text changes, and keeps
the findings of each rule set (by its root file and its content hash: identical
rule sets in two folders are two rule sets, each with its own places).

Lint runs within :data:`BUDGET`; what it could not analyse is one diagnostic of
severity "information" at the top of the root file, saying which rules and why.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import Diagnostic
from carag_dsl.source import Source, Span

try:
    from carag_dsl.analysis import Budget
    from carag_dsl.tools.lint import lint as _lint
except ImportError:  # the analysis extra (dd) is not installed: no lint diagnostics
    _lint = None  # type: ignore[assignment]

AVAILABLE = _lint is not None
#: Lint in the editor: a little less time and memory than on the command line, as it runs again at each pause.
SECONDS = 10.0
MEMORY_MB = 500
PARTIAL_CODE = "lint-partial"  # a lint note, like the lint rules' ids: not a compiler code of docs/diagnostics.md
_INFORMATION = "info"


class Stopped(Exception):
    """The text changed while lint ran: its findings are of a text that is gone."""


class LintCache:
    """The lint diagnostics of the last rule-set text each rule set was linted with."""

    def __init__(self) -> None:
        self._kept: dict[tuple[Path, str], list[Diagnostic]] = {}
        self._lock = threading.Lock()

    def cached(self, root: Path, rules: CheckedRules) -> list[Diagnostic] | None:
        with self._lock:
            return self._kept.get((root, rules.content_hash))

    def forget(self, root: Path) -> None:
        with self._lock:
            for key in [key for key in self._kept if key[0] == root]:
                del self._kept[key]

    def run(self, root: Path, rules: CheckedRules, stop: Callable[[], bool] = lambda: False) -> list[Diagnostic]:
        """Lint (on any thread); raises :class:`Stopped` when ``stop()`` turns true while it runs."""
        if _lint is None:
            return []
        found = self.cached(root, rules)
        if found is not None:
            return found
        report = _lint(rules, budget=Budget(seconds=SECONDS, memory_mb=MEMORY_MB, stop=stop))
        if stop():
            raise Stopped()
        found = [Diagnostic(f.span, f.rule, f.message, f.severity) for f in report.findings]
        if report.not_analysed:
            found.append(_partial(root, rules, report.not_analysed))
        with self._lock:
            if len(self._kept) > 16:  # old texts of the rule sets edited: keep the memory bounded
                self._kept.clear()
            self._kept[(root, rules.content_hash)] = found
        return found


def _partial(root: Path, rules: CheckedRules, not_analysed) -> Diagnostic:
    """What lint could not analyse exactly, at the top of the rule set's root file."""
    reasons: dict[str, list[str]] = {}
    for entry in not_analysed:
        reasons.setdefault(entry.reason, []).append(entry.subject)
    text = next((m.text for m in rules.modules if Path(m.path).resolve() == root), "")
    message = "lint could not analyse everything exactly: " + "; ".join(
        f"{', '.join(names)}: {reason}" for reason, names in reasons.items())
    return Diagnostic(Span(Source(str(root), text), 1, 1, 1, 1), PARTIAL_CODE, message, _INFORMATION)
