"""Case data in columns, checked and converted to the engine's vectors.

Each distinct value of a column is checked once, by the per-case checker
itself (:func:`carag_dsl.runtime.casedata.convert_value`, after the CSV text
forms of :mod:`carag_dsl.runtime.wide` for text cells), and the verdict is
spread to every row holding it with one ``take``. So the columnar engine
accepts exactly what the per-case path accepts, and a row with any bad cell
is marked, never dropped: the per-case path then words its error.

Native Arrow types need no conversion: bool, integers, date32 and
list<string> columns become vectors directly.
"""

from __future__ import annotations

import datetime
from typing import Any, Sequence

import numpy as np

from carag_dsl.compiler import types as T
from carag_dsl.language import ast
from carag_dsl.runtime.arrow_cells import FIRST_DAY, LAST_DAY, python_values
from carag_dsl.runtime.casedata import convert_value
from carag_dsl.runtime.columnar.lowering import Lowering, declared_kind
from carag_dsl.runtime.columnar.vectors import BOOL, DATE, INT, SAFE_INT, SET, STR, Strings, Vec
from carag_dsl.runtime.wide import cell_value

_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_UNHASHABLE = object()


class Decoded:
    """One column as a vector, with the rows whose cell is bad and those to evaluate per case (None: no row)."""

    __slots__ = ("vec", "bad", "per_case")

    def __init__(self, vec: Vec, bad: np.ndarray | None, per_case: np.ndarray | None):
        self.vec, self.bad, self.per_case = vec, bad, per_case


def decode_column(lowering: Lowering, type_expr: ast.TypeExpr, column: Any, n: int, strings: Strings, text_forms: bool) -> Decoded:
    """A column of a fact or an answer: a pyarrow array, a numpy array, or a Python sequence of JSON values."""
    kind = declared_kind(type_expr)
    arrow = _as_arrow(column)
    if arrow is not None:
        native = _native(lowering, type_expr, kind, arrow, n)
        if native is not None:
            return native
        uniques, index = _arrow_uniques(arrow)
    else:
        uniques, index = _python_uniques(column)
    return _spread(lowering, type_expr, kind, uniques, index, n, strings, text_forms)


def _as_arrow(column: Any):
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow comes with numpy in the [bulk] extra
        return None
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks()
    if isinstance(column, pa.Array):
        return column
    if isinstance(column, np.ndarray) and column.dtype != object:
        return pa.array(column)
    # A list of JSON values or CSV cells: let pyarrow type it in C when it is all of one type (text, bools,
    # lists of text...). Mixed values stay a list and are checked one distinct value at a time. A value
    # pyarrow converts (1 to 1.0 among floats) can only turn valid into bad, never bad into valid, and a
    # bad row goes to the per-case path, which reads the original value.
    try:
        return pa.array(column)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError, TypeError, ValueError):
        return None


def _native(lowering: Lowering, type_expr: ast.TypeExpr, kind: str, arrow, n: int) -> Decoded | None:
    """Native Arrow columns of the declared type, converted without looking at single values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind_of = arrow.type
    if pa.types.is_dictionary(kind_of) or pa.types.is_string(kind_of):  # text: checked value by value
        return None
    valid = np.asarray(arrow.is_valid()) if arrow.null_count else np.ones(n, dtype=bool)
    none = None  # no bad row
    if pa.types.is_null(kind_of):
        return Decoded(unknown_vec(kind, n, len(lowering.universe)), none, none)
    if kind == BOOL and pa.types.is_boolean(kind_of):
        flags = np.asarray(pc.fill_null(arrow, False)).astype(np.int8) * 2 - 1
        flags[~valid] = 0
        return Decoded(Vec(BOOL, flags.astype(np.int8)), none, none)
    if kind == INT and pa.types.is_integer(kind_of) and not pa.types.is_uint64(kind_of):
        data = np.asarray(pc.fill_null(arrow, 0)).astype(np.int64)
        big = valid & ((data > SAFE_INT) | (data < -SAFE_INT))  # Python's integers are unbounded: per case
        return Decoded(Vec(INT, np.where(big, 0, data), valid & ~big), none, big if big.any() else None)
    if kind == DATE and pa.types.is_date32(kind_of):
        days = np.asarray(pc.fill_null(arrow, 0).cast(pa.int32()), dtype=np.int64)
        outside = valid & ((days < FIRST_DAY) | (days > LAST_DAY))  # past Python's dates: refused (arrow_cells)
        if outside.any():
            return Decoded(Vec(DATE, np.where(outside, 0, days) + _EPOCH_ORDINAL, valid & ~outside), outside, none)
        return Decoded(Vec(DATE, days + _EPOCH_ORDINAL, valid), none, none)
    if kind == SET and (pa.types.is_list(kind_of) or pa.types.is_large_list(kind_of)) and (
        pa.types.is_string(kind_of.value_type) or pa.types.is_large_string(kind_of.value_type)
    ):
        return _native_sets(lowering, frozenset(T.option_codes(type_expr)), arrow, valid, n)
    return None


def _native_sets(lowering: Lowering, options: frozenset, arrow, valid: np.ndarray, n: int) -> Decoded:
    """list<string> cells: one matrix row per case, set in one pass over the flattened codes."""
    import pyarrow.compute as pc

    offsets = np.asarray(arrow.offsets)
    flat = arrow.flatten() if arrow.offset == 0 else pc.list_flatten(arrow)
    lengths = np.diff(offsets)
    rows = np.repeat(np.arange(n), lengths)
    matrix = np.zeros((n, len(lowering.universe)), dtype=bool)
    bad = np.zeros(n, dtype=bool)
    if len(flat):
        encoded = flat.dictionary_encode()
        codes = encoded.dictionary.to_pylist()
        column_of = np.array([lowering.universe_column[code] if code in options else -1 for code in codes], dtype=np.int64)
        indices = np.asarray(encoded.indices.fill_null(-1) if encoded.indices.null_count else encoded.indices, dtype=np.int64)
        columns = np.where(indices >= 0, column_of[np.maximum(indices, 0)], -1)
        wrong = columns < 0
        bad[rows[wrong]] = True
        matrix[rows[~wrong], columns[~wrong]] = True
    bad &= valid
    return Decoded(Vec(SET, matrix, valid), bad if bad.any() else None, None)


def unknown_vec(kind: str, n: int, universe: int) -> Vec:
    """A column of n unknown values (a fact or answer no column gives)."""
    if kind == BOOL:
        return Vec(BOOL, np.zeros(n, dtype=np.int8))
    if kind == SET:
        return Vec(SET, np.zeros((n, universe), dtype=bool), np.zeros(n, dtype=bool))
    return Vec(kind, np.zeros(n, dtype=np.int32 if kind == STR else np.int64), np.zeros(n, dtype=bool))


def _arrow_uniques(arrow) -> tuple[list[Any], np.ndarray]:
    """Distinct values and each row's position among them; nulls at position len(distinct)."""
    import pyarrow as pa

    try:
        encoded = arrow if pa.types.is_dictionary(arrow.type) else arrow.dictionary_encode()
    except pa.ArrowNotImplementedError:  # lists of anything but text, structs: value by value
        return _python_uniques(python_values(arrow))
    uniques = python_values(encoded.dictionary)
    indices = encoded.indices
    if indices.null_count:
        indices = indices.fill_null(len(uniques))
    return uniques, np.asarray(indices)


def _python_uniques(column: Sequence[Any]) -> tuple[list[Any], np.ndarray]:
    """Distinct JSON values of a column and each row's position among them (len(distinct) for null)."""
    seen: dict[Any, int] = {}
    uniques: list[Any] = []
    index = np.empty(len(column), dtype=np.int64)
    nulls = []
    for row, value in enumerate(column):
        if value is None:
            nulls.append(row)
            continue
        key = _key(value)
        if key is _UNHASHABLE:
            index[row] = len(uniques)
            uniques.append(value)
            continue
        found = seen.get(key)
        if found is None:
            found = seen[key] = len(uniques)
            uniques.append(value)
        index[row] = found
    index[nulls] = len(uniques)
    return uniques, index


def _key(value: Any) -> Any:
    # The type is part of the key: 1, 1.0 and True are different JSON values to the checker.
    key = (list, tuple((v.__class__, v) for v in value)) if value.__class__ is list else (value.__class__, value)
    try:
        hash(key)
    except TypeError:  # a list of lists, a dict (from Arrow's nested types): each such cell is its own value
        return _UNHASHABLE
    return key


def _spread(lowering, type_expr, kind, uniques, index, n, strings, text_forms) -> Decoded:
    """Check each distinct value once, then give every row its value (or its bad mark) with ``take``."""
    count = len(uniques)
    known = np.zeros(count + 1, dtype=bool)  # the extra last slot stands for null
    bad = np.zeros(count + 1, dtype=bool)
    per_case = np.zeros(count + 1, dtype=bool)
    data: Any
    if kind == SET:
        data = np.zeros((count + 1, len(lowering.universe)), dtype=bool)
    else:
        data = np.zeros(count + 1, dtype=np.int8 if kind == BOOL else np.int32 if kind == STR else np.int64)
    for slot, raw in enumerate(uniques):
        value, wrong = cell_value(type_expr, raw) if text_forms else (raw, None)
        if wrong is None and value is not None:
            value, wrong = convert_value(type_expr, value)
        if wrong is not None:
            bad[slot] = True
            continue
        if value is None:  # an empty cell: unknown
            continue
        known[slot] = True
        if kind == BOOL:
            data[slot] = 1 if value else -1
        elif kind == INT:
            if abs(value) > SAFE_INT:
                per_case[slot], known[slot] = True, False
            else:
                data[slot] = value
        elif kind == DATE:
            data[slot] = value.toordinal()
        elif kind == STR:
            data[slot] = strings.intern(value)
        else:
            for code in value:
                data[slot, lowering.universe_column[code]] = True
    take = data.take(index, axis=0)
    vec = Vec(kind, take) if kind == BOOL else Vec(kind, take, known.take(index))
    return Decoded(vec, bad.take(index) if bad.any() else None, per_case.take(index) if per_case.any() else None)
