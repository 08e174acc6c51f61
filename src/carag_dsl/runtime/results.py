"""What one question comes to for one case, and run-time values written as JSON (shared by both back ends)."""

from __future__ import annotations

import datetime
from typing import Any

import attrs

from carag_dsl.runtime.logic import UNKNOWN


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
