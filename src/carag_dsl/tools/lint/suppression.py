"""``# carag: ignore[rule-id] reason``: suppressing a finding on its declaration, with a reason.

The comment goes on a line of the declaration or in the comment lines just above it. It suppresses the
findings of the named rules (``ignore[a, b]`` names several) whose place is inside that declaration. A
suppression without a reason, naming an unknown rule, or suppressing nothing is itself a finding.
"""

from __future__ import annotations

import re
from typing import Iterable

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.source import Source, Span
from carag_dsl.tools.lint.finding import Finding
from carag_dsl.tools.lint.registry import RULES, lint_rule

_SUPPRESSION = re.compile(r"^#?\s*carag:\s*ignore\[(?P<ids>[^\]]*)\](?P<reason>.*)")  # comments are kept without '#'


@attrs.frozen
class Suppression:
    rule_ids: tuple[str, ...]
    reason: str
    span: Span  # the comment
    target: Span  # the declaration it is attached to


def find_suppressions(rules: CheckedRules) -> list[Suppression]:
    found = []
    for module in rules.modules:
        declarations = sorted((item.span for item in module.items if item.span.source is not None), key=lambda s: s.line)
        source = declarations[0].source if declarations else Source(module.path, module.text)
        for comment in module.comments:
            match = _SUPPRESSION.search(comment.text)
            if match is None:
                continue
            target = _attached_declaration(declarations, comment.line)
            line = module.text.splitlines()[comment.line - 1] if module.text else ""
            column = line.find("#") + 1 or 1
            span = Span(source, comment.line, column, comment.line, len(line) + 1)
            ids = tuple(i.strip() for i in match["ids"].split(",") if i.strip())
            found.append(Suppression(ids, match["reason"].strip(), span, target or span))
    return found


def _attached_declaration(declarations: list[Span], line: int) -> Span | None:
    """The declaration the comment is on, or the first one after it."""
    for span in declarations:
        if span.line <= line <= span.end_line or span.line > line:
            return span
    return None


def _inside(span: Span, target: Span) -> bool:
    return span.path == target.path and target.line <= span.line <= target.end_line


def apply_suppressions(findings: Iterable[Finding], suppressions: list[Suppression], context) -> tuple[list[Finding], list[tuple[Finding, Suppression]]]:
    """(findings left, findings suppressed with their suppression), plus findings about the suppressions."""
    kept: list[Finding] = []
    suppressed: list[tuple[Finding, Suppression]] = []
    used: set[int] = set()
    for finding in findings:
        match = next((s for s in suppressions if finding.rule in s.rule_ids and _inside(finding.span, s.target)), None)
        if match is None:
            kept.append(finding)
        else:
            suppressed.append((finding, match))
            used.add(id(match))
    for suppression in suppressions:
        unknown = [i for i in suppression.rule_ids if i not in RULES]
        if not suppression.reason:
            kept.append(context.finding(
                "suppression-without-reason", suppression.span,
                f"the suppression of {', '.join(suppression.rule_ids) or 'nothing'} gives no reason; write why after the ']'",
            ))
        if unknown:
            kept.append(context.finding(
                "unused-suppression", suppression.span,
                f"the suppression names {', '.join(unknown)}, which {'is not a lint rule' if len(unknown) == 1 else 'are not lint rules'}",
            ))
        elif id(suppression) not in used:
            kept.append(context.finding(
                "unused-suppression", suppression.span,
                f"the suppression of {', '.join(suppression.rule_ids)} suppresses nothing: remove it",
            ))
    return kept, suppressed


@lint_rule(
    "suppression-without-reason", "error",
    "A '# carag: ignore[...]' comment without a reason.",
    """
Every suppression says why the finding is not a problem, for the next reader: for the CARaG, cite the text of
the document that makes the rule right. Write the reason after the closing bracket.
""",
    """
fact mappa: bool
fact court_report: bool  # carag: ignore[unused-fact]
question "Q 1" prompt
    text "Is the MAPPA level recorded?"
    applies when mappa
    answer yes_no
""",
)
def _suppression_without_reason(context):  # reported by apply_suppressions, which sees every finding
    return ()


@lint_rule(
    "unused-suppression", "warning",
    "A '# carag: ignore[...]' comment that suppresses nothing, or names no lint rule.",
    """
A suppression that matches no finding on its declaration is stale (the problem was fixed, or the comment is on
the wrong declaration, or the rule id is misspelt): remove it or move it.
""",
    """
fact mappa: bool  # carag: ignore[unused-fact] the MAPPA flag is read below
question "Q 1" prompt
    text "Is the MAPPA level recorded?"
    applies when mappa
    answer yes_no
""",
)
def _unused_suppression(context):  # reported by apply_suppressions
    return ()
