"""What ``carag check`` proves beyond the compiler: the lint findings that are errors (proven defects).

A rule set that compiles can still route wrongly: a question that never applies, a label its rule
contradicts, derive rules that conflict. ``carag lint`` proves these over every case, each with a
witness; ``carag check`` runs the same analysis after the compiler passes and fails on its errors, so
"ok" means no known defect. Warnings stay with ``carag lint``: check only counts them and says how to see them.
When lint could not analyse every rule exactly (past its budget), no defect found is no proof: check says
"not proven" and names how many rules it left, never "no known defect".

The analysis needs the ``analysis`` extra (the ``dd`` package). Without it, check runs the compiler
passes alone and says so in its last line: the core install stays light, and "ok" never claims more
than was checked. The wording is here, not in the command, so the language server and the studio say
the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from carag_dsl.compiler.ruleset import CheckedRules

if TYPE_CHECKING:
    from carag_dsl.tools.lint import LintReport

ANALYSIS_EXTRA = "pip install 'carag-dsl[analysis]'"


def analysis_installed() -> bool:
    """Whether lint's exact analysis can run here (the ``analysis`` extra is installed)."""
    try:
        import carag_dsl.tools.lint  # noqa: F401 -- imports dd
    except ImportError:
        return False
    return True


def prove_defects(rules: CheckedRules) -> "LintReport | None":
    """Every lint finding of the rule set (errors and warnings), or None when the analysis extra is missing."""
    if not analysis_installed():
        return None
    from carag_dsl.tools.lint import lint

    return lint(rules)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def verdict(questions: int, compiler_warnings: int, report: "LintReport | None", lint_command: str, compiler_only: bool = False) -> str:
    """The words after ``PATH: `` in check's last line for a rule set that compiled: ``ok (...)`` or its defects.

    ``report`` is :func:`prove_defects`'s; ``lint_command`` is how to see lint's warnings (``carag lint RULES``);
    ``compiler_only`` when the analysis was turned off (``--no-lint``).
    """
    counted = ", ".join([_plural(questions, "question")] + ([_plural(compiler_warnings, "warning")] if compiler_warnings else []))
    if compiler_only:
        return f"ok ({counted}; compiler checks only: '{lint_command}' proves the routing)"
    if report is None:
        return (f"ok ({counted}; compiler checks only: proving the routing free of known defects needs "
                f"the analysis extra, {ANALYSIS_EXTRA})")
    warnings = len(report.findings) - len(report.errors)
    to_see = f"; {_plural(warnings, 'lint warning')}: see {'them' if warnings != 1 else 'it'} with '{lint_command}'" if warnings else ""
    left = (f"; {_plural(len(report.not_analysed), 'lint rule')} not analysed exactly (past the analysis's budget): "
            f"'{lint_command}' says which and why") if report.partial else ""
    if report.errors:
        return f"{_plural(len(report.errors), 'proven defect')} in the routing ({counted}{to_see}{left})"
    if report.partial:
        return f"not proven ({counted}{to_see}{left})"
    return f"ok ({counted}, no known defect{to_see})"
