"""A lint finding: data, rendered by the formatters of :mod:`.render`.

``expect`` says what evaluating the witness shows (the question's status, the case
type, a warning or an error the engine gives), so the tests can check every witness.
``intended`` says what the rules should give the witness, where the finding knows it
(the label's reading for label-contradicts-rule, "applies" for never-applies): the
witness is printed as a ready-to-paste ``test`` block of the intended behaviour, which
fails until the rules are fixed; without it the block records today's behaviour, and
says so in a comment for a person to confirm.
"""

from __future__ import annotations

from typing import Any

import attrs

from carag_dsl.errors import Diagnostic
from carag_dsl.source import Span

SEVERITIES = ("error", "warning")


@attrs.frozen
class Expect:
    """What the witness shows when evaluated: any of a question's status, a case type, a warning, an error."""

    question: str | None = None
    status: str | None = None
    case_type: str | None = None
    value: Any = None  # the question's value (given or derived)
    warning: str | None = None
    error: str | None = None
    condition: bool | None = None  # the value of the finding's condition (its ``subject``)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in attrs.asdict(self).items() if v is not None}


@attrs.frozen
class Finding:
    rule: str
    severity: str
    span: Span
    message: str
    question: str | None = None
    witness: dict | None = None
    expect: Expect | None = None
    intended: Expect | None = None
    #: The AST node the finding is about (a condition, a rule), for tools that evaluate it; not part of the output.
    subject: object = attrs.field(default=None, eq=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``carag lint --format json``."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "file": self.span.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "message": self.message,
            "question": self.question,
            "witness": self.witness,
            "expect": self.expect.to_dict() if self.expect else None,
            "intended": self.intended.to_dict() if self.intended else None,
        }

    def to_diagnostic(self) -> Diagnostic:
        """The same finding as a compiler diagnostic (code = rule id): what editors show."""
        return Diagnostic(self.span, self.rule, self.message, severity=self.severity)

    def sort_key(self) -> tuple:
        return (*self.span.sort_key(), self.rule, self.message)
