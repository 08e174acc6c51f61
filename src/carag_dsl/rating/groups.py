"""The subgroups of a rating: how a group's key is ordered and written as JSON, shared by the tally and the model."""

from __future__ import annotations

import datetime
from typing import Any

#: The group of a case whose value is known but falls in none of a grouping's groups (an age of 17 for groups from 18).
OUTSIDE = "(outside)"


def group_sort_key(codes: tuple[str, ...], key: Any) -> tuple:
    """Groups in a stable, meaningful order: declared option order, then natural order, outside the groups, unknown last."""
    if key is None:
        return (3, 0, "")
    if key == OUTSIDE:
        return (2, 0, "")
    order = {code: index for index, code in enumerate(codes)}
    if isinstance(key, tuple):  # a multi-choice value, as codes in option order
        return (1, len(key), tuple(order.get(code, len(order)) for code in key))
    if isinstance(key, str) and key in order:
        return (0, order[key], key)
    return (1, 0, key)


def json_group_value(key: Any) -> Any:
    """A subgroup's key as JSON: a list for a multi-choice value, a date as text, a duration in days."""
    if isinstance(key, tuple):
        return list(key)
    if isinstance(key, datetime.date):
        return key.isoformat()
    if isinstance(key, datetime.timedelta):
        return key.days
    return key
