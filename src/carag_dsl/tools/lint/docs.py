"""The documentation pages of the lint rules, written from the rules' own metadata.

``python -m carag_dsl.tools.lint.docs [DOCS_DIR]`` writes ``docs/lint/RULE.md`` for every rule (its
summary, severity, explanation, an example rule set and what lint says about it) and
``docs/lint/index.md``; ``tests/test_lint_cli.py`` fails when a page differs from what this writes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from carag_dsl.compiler.ruleset import loads
from carag_dsl.tools.lint import RULES, LintReport, LintRule, lint
from carag_dsl.tools.lint.render import render_text

_INDEX_HEAD = """# Lint rules

`carag lint [RULES]` analyses a rule set exactly: over every case it can meet (each fact's values and
"unknown", each answer a rule reads and "unanswered", dates reduced to the classes the rules' own
comparisons create; for the CARaG a suspension before the start, on day 0, days 1-55, day 56 and later), so
a finding is a proof, and each finding about cases comes with a *witness*: a case that shows it, printed as a
`test` block to paste into a `tests/*.carag` file (`--format json` gives it in the input shape of `carag
eval`). Constraints are assumptions: a case a constraint rejects is never a witness (except for
[blocked-by-constraint](blocked-by-constraint.md), whose witness shows the rejection). Cases the rules do not
inspect (`exclude when`) are outside the analysis too: they get no routing, so no finding is about them.

```text
carag lint [RULES] [--format text|json|sarif] [--strict] [--suggest-tests FILE]
```

- `--format json`: a list of findings, each with `rule`, `severity`, `file`, `line`, `column`, `end_line`,
  `end_column`, `message`, `question` (or null), `witness` (a case, or null), `expect` (what evaluating
  the witness shows, or null) and `intended` (what the rules should give the witness, where the finding knows
  it, or null). `--format sarif`: SARIF 2.1.0 for code-scanning tools.
- Exit status: 1 when there is an error, 0 when there are only warnings (1 with `--strict`), 2 for usage errors.
- `carag check` runs the rules whose severity is **error** after the compiler passes and fails on their
  findings (proven defects), so its "ok" means no known defect; it counts the warnings and leaves them to
  `carag lint` (`carag check --no-lint` skips the proof).
- `--suggest-tests FILE` writes a small test suite that reaches every route of every question and shows every
  condition of its rule deciding the route on its own (MC/DC), and reaches every derive rule, case-type
  override and exclude rule (the routes `carag test` counts), for staff to review and keep.
- A test lint writes (a witness, or a suggested test) states what the rules *should* do where the finding
  knows it: the label's reading for [label-contradicts-rule](label-contradicts-rule.md) and for the routes of a
  question whose label has a meaning, "applies" for [never-applies](never-applies.md); such a test fails
  until the rules are fixed, so pasting it never pins the bug. Where lint cannot know the intention, the
  test records what the rules do today, and a comment above it says so, for a person to confirm.

## Suppressing a finding

Write `# carag: ignore[rule-id] reason` on the declaration (on one of its lines, or in the comment lines
just above it); several ids are separated by commas. The reason is required: for the CARaG, cite the text
that makes the rule right. A suppression without a reason, or one that suppresses nothing, is a finding.

## The vocabulary of labels and the consistency rules

Labels are checked against the rule set's declared vocabulary,
`applicability "Core cases only" when case_type == core` (without `when` the label's meaning differs per
question and only its spelling is checked). Consistency rules say which answers contradict each other:
`constraint [X 10] requires [X 8] != not_a_factor warn "..."` is checked when X 10 is answered, and a case
that breaks it is evaluated with the warning; lint reports where the routing lets such answers through.

## The rules

| rule | severity | what it finds |
|---|---|---|
"""


def rule_page(rule: LintRule) -> str:
    lines = [f"# {rule.id}", "", f"**{rule.severity}**: {rule.summary}", "", rule.explanation, ""]
    if rule.example:
        rules = loads(rule.example, path="example.carag")
        shown = tuple(f for f in lint(rules).findings if f.rule == rule.id)
        lines += ["## Example", "", "```carag", rule.example, "```", "", "`carag lint` reports:", "", "```text"]
        lines += render_text(rules, LintReport(shown, ())).split("\n")
        lines += ["```", ""]
    return "\n".join(lines)


def index_page() -> str:
    rows = [f"| [{r.id}]({r.id}.md) | {r.severity} | {r.summary} |" for r in sorted(RULES.values(), key=lambda r: r.id)]
    return _INDEX_HEAD + "\n".join(rows) + "\n"


def pages() -> dict[str, str]:
    """File name (under docs/lint/) -> content."""
    found = {"index.md": index_page()}
    for rule in RULES.values():
        found[f"{rule.id}.md"] = rule_page(rule)
    return found


def write(docs_dir: Path) -> None:
    folder = docs_dir / "lint"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (folder / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    write(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
