"""Case files for ``carag eval --cases`` and ``carag rate``: their format, the engine, and reading them.

Both engines read the same files and give the same results, errors and line
numbers (Parquet and Arrow files number rows from 1). The columnar engine is
chosen for large files when the ``[bulk]`` extra is installed.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any, Iterable, Iterator

from carag_dsl.api import RuleSet
from carag_dsl.cli._common import iter_jsonl
from carag_dsl.errors import UsageError
from carag_dsl.runtime.wide import CsvHeaderError, case_from_row, read_csv_header, read_header

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv",)
ARROW_SUFFIXES = (".parquet", ".pq", ".arrow", ".feather", ".ipc")
ENGINES = ("auto", "columnar", "per-case")
#: Files at least this large go to the columnar engine when it is installed (``--engine auto``).
COLUMNAR_FROM_BYTES = 4 * 1024 * 1024


def input_format(path: str) -> str:
    """"jsonl", "csv" or "arrow" from the file name ('-' is JSON Lines)."""
    if path == "-":
        return "jsonl"
    suffix = Path(path).suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in ARROW_SUFFIXES:
        return "arrow"
    raise UsageError(
        f"cannot tell the format of {path} from its name: use a name ending in {', '.join(JSONL_SUFFIXES)} "
        f"(JSON Lines, one case per line), .csv (one column per fact and question) or {', '.join(ARROW_SUFFIXES)} "
        "(Parquet or Arrow, the same columns)"
    )


def bulk_installed() -> bool:
    try:
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def choose_engine(engine: str, path: str, kind: str) -> str:
    """"columnar" or "per-case": as asked, or by the input's size (``auto``)."""
    if engine == "columnar" or kind == "arrow":
        from carag_dsl.bulk import require_bulk

        require_bulk()  # says which extra to install
        return "columnar" if engine != "per-case" else "per-case"
    if engine == "per-case":
        return "per-case"
    if path == "-" or not bulk_installed():
        return "per-case"
    try:
        large = os.path.getsize(path) >= COLUMNAR_FROM_BYTES
    except OSError:
        large = False
    return "columnar" if large else "per-case"


def per_case_rows(ruleset, path: str, kind: str, stream) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, case, None) or (line number, None, what is wrong), case by case."""
    if kind == "jsonl":
        return iter_jsonl(stream)
    if kind == "csv":
        return read_csv_cases(ruleset, stream, path)
    return _arrow_rows(ruleset, path)


def _arrow_rows(ruleset, path: str) -> Iterator[tuple[int, Any, str | None]]:
    from carag_dsl.bulk import BATCH_ROWS, _arrow_batches
    number = 0
    layout = None
    for batch in _arrow_batches(path, BATCH_ROWS):
        if layout is None:
            layout = read_header(ruleset, batch.schema.names, path)
        columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
        for cells in zip(*columns):
            number += 1
            case, wrong = case_from_row(cells, layout)
            yield number, case, wrong


def columnar_chunks(ruleset, path: str, kind: str, stream):
    from carag_dsl import bulk

    if kind == "jsonl":
        return bulk.jsonl_chunks(ruleset, stream)
    if kind == "csv":
        return bulk.csv_chunks(ruleset, stream, path)
    return bulk.parquet_chunks(ruleset, path)


def read_jsonl_cases(ruleset: RuleSet, lines: Iterable[str], path: str) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, case, None) or (line number, None, what is wrong), as ``carag eval --cases``."""
    return iter_jsonl(lines)


def read_csv_cases(ruleset: RuleSet, lines: Iterable[str], path: str) -> Iterator[tuple[int, Any, str | None]]:
    """Cases from CSV rows, cells converted to the declared types; a bad row is reported, not raised.

    The header must name only facts, question ids and ``id``; a header that
    does not fits no row, so it is an error for the whole file (CsvHeaderError).
    """
    reader = csv.reader(lines)
    columns = read_csv_header(ruleset, reader, path)
    if columns is None:
        return
    previous_end = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield previous_end + 1, None, f"not valid CSV: {error}"
            previous_end = reader.line_num
            continue
        number, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield number, None, f"the row has {len(row)} cells but the header has {len(columns)} columns"
            continue
        case, wrong = case_from_row(row, columns)
        yield number, case, wrong
