"""Arrow cells as Python values, for both engines: what Python cannot hold, or what means two things, is a bad cell.

Both engines read a Parquet or Arrow cell through :func:`python_values` before the per-case checker sees it,
so every Arrow type is either accepted with one meaning or refused with the same located error:

- a timestamp (with or without a time zone) is refused for every fact and answer: a date fact takes a date
  column (``date32``/``date64``) or text ``YYYY-MM-DD``. Which day a timestamp falls on depends on a time zone
  the rules cannot know, so the data must say the date itself;
- a date past Python's range (before 0001-01-01 or after 9999-12-31; ``date32`` reaches year 5.8 million)
  is refused;
- a cell that Python's conversion of Arrow refuses (a nested value holding such a date or timestamp)
  is refused, cell by cell.

Everything else becomes the value ``to_pylist`` gives, and the per-case checker
(:func:`carag_dsl.runtime.casedata.convert_value`) says whether the declared type takes it.
"""

from __future__ import annotations

import datetime
from typing import Any

_EPOCH = datetime.date(1970, 1, 1)
#: Days since 1970-01-01 of the first and last dates Python holds.
FIRST_DAY = (datetime.date.min - _EPOCH).days
LAST_DAY = (datetime.date.max - _EPOCH).days


class BadCell:
    """A cell no declared type takes; ``what`` names it for the error (``a timestamp (...)``)."""

    __slots__ = ("what",)

    def __init__(self, what: str):
        self.what = what

    def __repr__(self) -> str:
        return self.what


def python_values(array: Any) -> list[Any]:
    """The cells of a pyarrow Array or ChunkedArray as Python values, a :class:`BadCell` where refused."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.cast(kind.value_type) if not isinstance(array, pa.ChunkedArray) else pa.chunked_array(
            [chunk.cast(kind.value_type) for chunk in array.chunks], kind.value_type)
        kind = array.type
    if pa.types.is_timestamp(kind):
        return [None if shown is None else BadCell(f"a timestamp ({shown})") for shown in pc.cast(array, pa.string()).to_pylist()]
    if pa.types.is_date(kind):
        days = pc.cast(array, pa.int32() if pa.types.is_date32(kind) else pa.int64())
        if pa.types.is_date64(kind):  # milliseconds since 1970
            days = pc.floor(pc.divide(pc.cast(days, pa.float64()), 86_400_000.0))
        outside = pc.or_(pc.less(days, FIRST_DAY), pc.greater(days, LAST_DAY))
        if pc.any(outside).as_py():
            shown = pc.cast(array, pa.string()).to_pylist()
            return [None if day is None else BadCell(f"the date {text} (out of range: dates run from 0001-01-01 to 9999-12-31)") if out
                    else _EPOCH + datetime.timedelta(days=int(day))
                    for day, out, text in zip(days.to_pylist(), outside.to_pylist(), shown)]
    try:
        return array.to_pylist()  # type: ignore[no-any-return]
    except (OverflowError, ValueError, pa.ArrowException):  # a nested date or timestamp Python cannot hold
        return [_one_value(array[row]) for row in range(len(array))]


def _one_value(scalar: Any) -> Any:
    import pyarrow as pa

    try:
        return scalar.as_py()
    except (OverflowError, ValueError, pa.ArrowException):
        return BadCell(f"a value of type {scalar.type} that Python cannot hold")
