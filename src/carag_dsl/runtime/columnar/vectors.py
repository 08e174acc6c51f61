"""Column values of the columnar back end: one numpy array per expression, for a whole batch of cases.

Three-valued logic is an int8 column: -1 false, 0 unknown, 1 true. Kleene
``and`` is then the element-wise minimum, ``or`` the maximum and ``not`` the
negation, exactly the truth tables of :mod:`carag_dsl.runtime.logic` (false
and unknown is false, true or unknown is true) with no branch per case.

Every other value is a data array and a ``known`` mask (unknown where False):

- ``int``: int64. Python integers have no bound; the engine hands a case whose
  numbers leave +-2**62 to the per-case path (see :class:`Batch`), so no
  numpy overflow can ever change an answer.
- ``date``: int64 proleptic Gregorian ordinals (``date.toordinal()``);
  arithmetic that leaves year 1..9999 is unknown, as the reference's
  OverflowError is.
- ``duration``: int64 days, unknown beyond +-999,999,999 days (timedelta's range).
- ``str``: int32 ids into the batch's :class:`Strings` table (option codes,
  the case types, text). Equal ids are equal strings, so ``==`` compares ids;
  ordering goes by scale rank when both are scale codes and by code point
  otherwise (``CheckedRules.scale_rank``).
- ``set``: a boolean matrix, one row per case and one column per code of the
  rule set's set universe (every ``any of`` option and every ``{...}`` member).
"""

from __future__ import annotations

import datetime
from typing import Any, Sequence

import numpy as np

BOOL, INT, DATE, DURATION, STR, SET = "bool", "int", "date", "duration", "str", "set"
FALSE, UNKNOWN_BOOL, TRUE = -1, 0, 1
MIN_ORDINAL, MAX_ORDINAL = 1, 3652059  # date.min.toordinal(), date.max.toordinal()
MAX_DAYS = 999_999_999  # timedelta's range
SAFE_INT = 2**62  # larger magnitudes go to the per-case path


class Vec:
    """The value of one expression for every case of a batch."""

    __slots__ = ("kind", "data", "known")

    def __init__(self, kind: str, data: Any, known: Any = None):
        self.kind = kind
        self.data: Any = data
        self.known: Any = known  # None for BOOL (data != 0)

    def is_known(self) -> Any:
        return self.data != 0 if self.kind == BOOL else self.known

    def python_value(self, row: int, strings: Sequence[str], universe: Sequence[str]) -> Any:
        """One row's value as the per-case path holds it (a known row only): bool, int, date, timedelta,
        text, or a frozenset of codes."""
        if self.kind == BOOL:
            return bool(self.data[row] > 0)
        if self.kind == SET:
            return frozenset(code for code, held in zip(universe, self.data[row].tolist()) if held)
        if self.kind == STR:
            return strings[self.data[row]]
        number = int(self.data[row])
        if self.kind == DATE:
            return datetime.date.fromordinal(number)
        return datetime.timedelta(days=number) if self.kind == DURATION else number


def kleene(condition: np.ndarray, known: np.ndarray) -> np.ndarray:
    """A two-valued result made three-valued: unknown where ``known`` is False."""
    as_int = condition.view(np.int8)  # (bool and int8 are one byte: mixing them in one ufunc costs a cast per element)
    out = as_int + as_int  # true 2, false 0
    out -= 1  # true 1, false -1
    out *= known.view(np.int8)  # unknown 0
    return out


def distinct_rows(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of a boolean matrix and each row's index among them (as ``np.unique(axis=0)``, whose
    sort of whole rows is slow): a row of up to 64 columns packed into one integer, and the integers compared."""
    n, width = flags.shape
    if n == 0:
        return flags[:0], np.zeros(0, dtype=np.int64)
    if width > 64:
        distinct, inverse = np.unique(flags, axis=0, return_inverse=True)
        return distinct, inverse.reshape(-1)
    packed = np.zeros((n, 8), dtype=np.uint8)
    packed[:, : (width + 7) // 8] = np.packbits(flags, axis=1)
    _, first, inverse = np.unique(packed.view(">u8").ravel(), return_index=True, return_inverse=True)
    return flags[first], inverse.reshape(-1)


class Strings:
    """Interned strings of one batch: the rule set's fixed strings first (ids fixed at lowering), then text from data."""

    def __init__(self, fixed: Sequence[str], scale_ranks: dict[str, int]):
        self.values: list[str] = list(fixed)
        self.ids: dict[str, int] = {value: index for index, value in enumerate(self.values)}
        self._scale_ranks = scale_ranks
        self._order: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def copy(self) -> "Strings":
        return Strings(self.values, self._scale_ranks)

    def intern(self, value: str) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
            self._order = None
        return found

    def order(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(is a scale code, scale rank, code-point rank) per id, for ordering comparisons."""
        if self._order is None:
            in_scale = np.array([v in self._scale_ranks for v in self.values], dtype=bool)
            rank = np.array([self._scale_ranks.get(v, 0) for v in self.values], dtype=np.int64)
            lexical = np.empty(len(self.values), dtype=np.int64)
            lexical[sorted(range(len(self.values)), key=self.values.__getitem__)] = np.arange(len(self.values))
            self._order = (in_scale, rank, lexical)
        return self._order
