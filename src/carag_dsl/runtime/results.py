"""What one question comes to for one case, the reasons recorded with it, and run-time values written as JSON
(shared by both back ends)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Mapping

import attrs

from carag_dsl.runtime.logic import UNKNOWN

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules


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


def reasons_warnings(rules: "CheckedRules", reasons: Mapping[str, str]) -> list[str]:
    """A warning for each reason given to a question that is not marked ``record reasons``.

    The text is kept with the result all the same: an inspector who explains an answer the
    CARaG does not ask about has done no harm, so this is a warning, not an error.
    """
    questions = rules.symbols.questions
    return [
        f"reasons.{qid}: reasons are recorded for {qid}, whose guidance does not ask inspectors to record why "
        f"(it is not marked 'record reasons'); they are kept with the result"
        for qid in reasons if not questions[qid].record_reasons
    ]
