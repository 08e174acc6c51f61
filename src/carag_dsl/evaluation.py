"""The result of evaluating one case: statuses, values, case type, warnings; and explanations."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import attrs

from .errors import UsageError, did_you_mean
from .logic import UNKNOWN

if TYPE_CHECKING:
    from .evaluator import Scope
    from .ruleset import RuleSet


@attrs.frozen
class QuestionResult:
    status: str  # "applies" | "not_applicable" | "pending"
    value: Any  # the answer, the derived value, or None
    source: str | None  # "answer" | "derived" | None


def json_value(value: Any, option_order: tuple[str, ...] = ()) -> Any:
    """A run-time value as JSON: dates as "YYYY-MM-DD", sets as lists in option order."""
    if value is UNKNOWN or value is None:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.days
    if isinstance(value, frozenset):
        rank = {code: i for i, code in enumerate(option_order)}
        return sorted(value, key=lambda code: (rank.get(code, len(rank)), code))
    return value


@attrs.define
class Evaluation:
    """What the rules say about one case. ``questions`` keeps the rule set's order."""

    ruleset: "RuleSet" = attrs.field(repr=False)
    id: Any
    case_type: str | None
    case_type_source: str | None
    questions: dict[str, QuestionResult]
    warnings: list[str]
    scope: "Scope" = attrs.field(repr=False)

    def status(self, question_id: str) -> str:
        return self._result(question_id).status

    def value(self, question_id: str) -> Any:
        return self._result(question_id).value

    def _result(self, question_id: str) -> QuestionResult:
        if question_id not in self.questions:
            raise UsageError(f"there is no question '{question_id}'{did_you_mean(question_id, self.questions)}")
        return self.questions[question_id]

    def to_dict(self) -> dict[str, Any]:
        """The evaluation as JSON-ready data (the documented contract)."""
        questions = {}
        option_order = self.ruleset.option_order
        for question_id, result in self.questions.items():
            value = result.value
            if value is not None and value.__class__ is not str:  # None and text are JSON already (fast path)
                value = json_value(value, option_order(question_id))
            questions[question_id] = {"status": result.status, "value": value, "source": result.source}
        return {
            "id": self.id,
            "case_type": self.case_type,
            "questions": questions,
            "warnings": list(self.warnings),
        }

    def explain(self, question_id: str) -> str:
        """Why the question applies, does not apply or is pending, in plain words."""
        from .explain import explain_question

        self._result(question_id)
        return explain_question(self, question_id)
