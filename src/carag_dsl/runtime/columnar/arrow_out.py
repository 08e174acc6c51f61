"""The results of a columnar batch as Arrow columns, built from the result columns (never a dict per row).

Each text column is a dictionary array over the int8 codes (statuses, sources), the interned strings (case
types, option codes, text answers) or the distinct rows of a multi-choice matrix, cast to plain text in C.
Rows the per-case path decided are built from their ``to_dict()`` by the caller and put in their places;
rows with an error are left out. The shape is the one ``carag eval --format parquet`` writes
(:mod:`carag_dsl.cli._output`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from carag_dsl.runtime.columnar.engine import NOT_KNOWN, STATUSES, BatchResult
from carag_dsl.runtime.columnar.vectors import SET, distinct_rows
from carag_dsl.runtime.evaluation import excluded_text, text_cell
from carag_dsl.runtime.wide import CSV_EMPTY_SET


def result_arrays(result: BatchResult) -> dict[str, Any]:
    """Column name -> pyarrow Array of every row of the batch, as the vector form decided it."""
    import pyarrow as pa

    n = result.n
    strings = pa.array(result.strings.values, pa.string())
    universe = result.engine.lowering.universe_column
    rules = result.engine.rules
    columns: dict[str, Any] = {"id": pa.array([text_cell(v) for v in result.ids], pa.string())}
    columns["case_type"] = _text(result.case_type, result.case_type_source > 0, strings)
    statuses = pa.array(STATUSES, pa.string())
    sources = pa.array(["answer", "derived"], pa.string())
    for qid in rules.questions:
        source = result.source[qid]
        has_value = source > 0
        columns[f"{qid}.status"] = _text(result.status[qid], np.ones(n, dtype=bool), statuses)
        vec = result.value[qid]
        if vec.kind == SET:
            codes = rules.option_order(qid)
            flags = np.asarray(vec.data)[:, [universe[code] for code in codes]] if codes else np.zeros((n, 0), dtype=bool)
            distinct, which = distinct_rows(flags)
            texts = [";".join(code for code, on in zip(codes, row) if on) or CSV_EMPTY_SET for row in distinct.tolist()]
            columns[f"{qid}.value"] = _text(which, has_value, pa.array(texts, pa.string()))
        else:
            columns[f"{qid}.value"] = _text(np.asarray(vec.data), has_value, strings)
        columns[f"{qid}.source"] = _text(source.astype(np.int32) - 1, has_value, sources)
    columns["warnings"] = _warnings(result.warnings, n)
    columns["excluded"] = _excluded(result)
    columns["reasons"] = pa.MapArray.from_arrays(pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], pa.string()), pa.array([], pa.string()))
    return columns


def _text(indices: np.ndarray, valid: np.ndarray, dictionary: Any) -> Any:
    """Text cells from codes into ``dictionary`` (null where not ``valid``), cast to plain text in C."""
    import pyarrow as pa

    codes = pa.array(np.where(valid, indices, 0).astype(np.int32), mask=~valid)
    return pa.DictionaryArray.from_arrays(codes, dictionary).cast(pa.string())


def _warnings(found: dict[int, list[str]], n: int) -> Any:
    import pyarrow as pa

    lengths = np.zeros(n, dtype=np.int32)
    texts: list[str] = []
    for row in sorted(found):
        lengths[row] = len(found[row])
        texts += found[row]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(texts, pa.string()))


def _excluded(result: BatchResult) -> Any:
    """Why each row is left out (an ``exclude when`` reason), ``not known: ...`` for a row not known to be inspected
    (what would settle it, as excluded_text words it), null for an inspected row."""
    import pyarrow as pa

    reasons = list(result.engine.exclusion_reasons)
    if result.excluded is None:
        return pa.nulls(result.n, pa.string())
    codes = result.excluded.astype(np.int32)
    pending: dict[str, int] = {}
    for row in np.flatnonzero(codes == NOT_KNOWN).tolist():
        text = excluded_text(result.excluded_json(row)) or ""  # (never empty: the row is not known to be inspected)
        codes[row] = pending.setdefault(text, len(reasons) + len(pending))
    return _text(codes, codes >= 0, pa.array(reasons + list(pending), pa.string()))
