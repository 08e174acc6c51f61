"""The outputs of ``carag lint``: text (located, each witness a ready-to-paste test), JSON, SARIF 2.1.0."""

from __future__ import annotations

import datetime
import json
from typing import Any

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.language import ast
from carag_dsl.language.formatter import format_module
from carag_dsl.tools.lint import LintReport
from carag_dsl.tools.lint.finding import Finding
from carag_dsl.tools.lint.registry import RULES
from carag_dsl.tools.rule_tests import RECORDS_TODAY_COMMENT

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INTENDED_COMMENT = "# what the rules should do here: this test fails until they are fixed"
DOCS_PAGE = "docs/lint/{rule}.md"


def witness_test(rules: CheckedRules, finding: Finding) -> str | None:
    """The witness as a ``test`` block: its facts and answers, and what the rules should give it where the
    finding knows (so the test fails until they are fixed), else what evaluating it shows, said in a comment."""
    if finding.witness is None:
        return None
    facts = tuple((name, _literal(rules, name, value)) for name, value in finding.witness["facts"].items())
    answers = tuple((qid, tuple(v) if isinstance(v, list) else v) for qid, v in finding.witness["answers"].items())
    expectations: list[ast.Expectation] = []
    expect = finding.intended or finding.expect
    if expect is not None:
        if expect.error is not None:
            expectations.append(ast.Expectation("error", value=expect.error))
        if expect.case_type is not None:
            expectations.append(ast.Expectation("case_type", value=expect.case_type))
        if expect.question is not None and expect.status is not None:
            expectations.append(ast.Expectation(expect.status, (ast.AnswerRef(expect.question),)))
        if expect.question is not None and expect.value is not None:
            expectations.append(ast.Expectation("value", (ast.AnswerRef(expect.question),), expect.value))
    name = f"lint {finding.rule}" + (f" of {finding.question}" if finding.question else f" at line {finding.span.line}")
    block = format_module(ast.Module((ast.TestDecl(name, facts, answers, tuple(expectations)),))).rstrip("\n")
    if finding.intended is not None:
        return f"{INTENDED_COMMENT}\n{block}"
    return f"{RECORDS_TODAY_COMMENT}\n{block}" if expectations else block


def _literal(rules: CheckedRules, name: str, value: Any) -> Any:
    decl = rules.symbols.facts.get(name)
    if decl is not None and decl.type.kind == "date" and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return tuple(value) if isinstance(value, list) else value


def render_finding(rules: CheckedRules, finding: Finding) -> list[str]:
    """One finding as text: where, what, the source line, and its witness as a test block (then a blank line)."""
    lines = [f"{finding.span.location()}: {finding.severity}[{finding.rule}]: {finding.message}"]
    lines.extend(finding.span.excerpt())
    if finding.expect is not None and finding.expect.warning is not None:
        lines.append(f"    evaluated, the witness gives the warning: {finding.expect.warning}")
    block = witness_test(rules, finding)
    if block:
        lines.append("    witness (paste into a tests/*.carag file):")
        lines.extend("        " + line if line else "" for line in block.split("\n"))
    lines.append("")
    return lines


def render_text(rules: CheckedRules, report: LintReport) -> str:
    lines: list[str] = []
    for finding in report.findings:
        lines.extend(render_finding(rules, finding))
    errors = len(report.errors)
    warnings = len(report.findings) - errors
    summary = f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    if report.suppressed:
        summary += f" ({len(report.suppressed)} suppressed)"
    lines.append(summary if report.findings else f"no findings ({len(report.suppressed)} suppressed)" if report.suppressed else "no findings")
    lines.extend(not_analysed_lines(report))
    return "\n".join(lines)


def not_analysed_lines(report: LintReport) -> list[str]:
    """What the analysis could not finish, rule by rule, and why: the report is partial."""
    if not report.not_analysed:
        return []
    count = len(report.not_analysed)
    lines = [f"partial: {count} rule{'s' if count != 1 else ''} not analysed exactly (that they found nothing proves nothing):"]
    by_reason: dict[str, list[str]] = {}
    for entry in report.not_analysed:
        by_reason.setdefault(entry.reason, []).append(entry.subject)
    for reason, rules in by_reason.items():
        lines.append(f"  {', '.join(rules)}: {reason}")
    return lines


def render_json(report: LintReport) -> str:
    return json.dumps([f.to_dict() for f in report.findings], indent=2, ensure_ascii=False)


def render_sarif(report: LintReport) -> str:
    """SARIF 2.1.0, as code-scanning tools read it: one run, the rules with their metadata, one result per finding."""
    rule_ids = list(RULES)
    driver = {
        "name": "carag lint",
        "informationUri": "https://github.com/hmiprobation/carag-dsl",
        "rules": [
            {
                "id": rule.id,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": rule.explanation},
                "helpUri": DOCS_PAGE.format(rule=rule.id),
                "defaultConfiguration": {"level": rule.severity},
            }
            for rule in RULES.values()
        ],
    }
    results = []
    for finding in report.findings:
        span = finding.span
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": rule_ids.index(finding.rule),
            "level": finding.severity,
            "message": {"text": finding.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": span.path},
                    "region": {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column},
                }
            }],
            "properties": {"question": finding.question, "witness": finding.witness},
        }
        results.append(result)
    run: dict[str, Any] = {"tool": {"driver": driver}, "results": results}
    if report.not_analysed:  # SARIF's place for "the tool could not do all of its work"
        run["invocations"] = [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "warning", "message": {"text": f"not analysed exactly: {entry.reason}"},
                 "descriptor": {"id": entry.subject}}
                for entry in report.not_analysed
            ],
        }]
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False)
