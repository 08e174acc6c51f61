"""Case files for ``carag eval --cases`` and ``carag rate``: their format, the engine, and reading them.

Both engines read the same files and give the same results, errors and line
numbers (Parquet and Arrow files number rows from 1). The columnar engine is
chosen for large files when the ``[bulk]`` extra is installed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from carag_dsl.api import RuleSet
from carag_dsl.errors import UsageError
from carag_dsl.runtime.caseinput import BOM, case_lines, iter_json_array, iter_jsonl
from carag_dsl.runtime.fastcase import fast_case_decoder
from carag_dsl.runtime.wide import CsvHeaderError, case_from_row, read_csv_rows, read_header  # noqa: F401 (CsvHeaderError: for the commands)

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv",)
ARROW_SUFFIXES = (".parquet", ".pq", ".arrow", ".feather", ".ipc")
ENGINES = ("auto", "columnar", "per-case")
#: Files at least this large go to the columnar engine when it is installed (``--engine auto``).
COLUMNAR_FROM_BYTES = 4 * 1024 * 1024
#: ... but JSON Lines evaluated to JSON Lines or compact lines only from this size: the per-case engine writes
#: those quickly, so the columnar engine's start (numpy, pyarrow, and the pandas pyarrow imports) pays for itself
#: later: at 20,000 CARaG cases (about 14 MB) it is 1.2x faster to JSON Lines and level to compact lines
#: (docs/benchmarks.md, "Both engines, every input and output format").
COLUMNAR_LINES_TO_LINES_FROM_BYTES = 8 * 1024 * 1024


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


def choose_engine(engine: str, path: str, kind: str, output: str | None = None) -> str:
    """"columnar" or "per-case": as asked, or by the input's size and what is written (``auto``; ``output`` is the
    format of ``carag eval``'s results, None for a rating)."""
    if engine == "columnar" or kind == "arrow":
        from carag_dsl.bulk import require_bulk

        require_bulk()  # says which extra to install
        return "columnar" if engine != "per-case" else "per-case"
    if engine == "per-case":
        return "per-case"
    if path == "-" or not bulk_installed():
        return "per-case"
    lines_to_lines = kind == "jsonl" and output in ("jsonl", "compact")
    try:
        large = os.path.getsize(path) >= (COLUMNAR_LINES_TO_LINES_FROM_BYTES if lines_to_lines else COLUMNAR_FROM_BYTES)
    except OSError:
        large = False
    return "columnar" if large else "per-case"


def json_array_kind(kind: str, path: str, stream: IO[bytes] | None) -> str:
    """"array" for a ``.json`` file whose content is a JSON array of cases (read element by element), else ``kind``."""
    if kind != "jsonl" or stream is None or Path(path).suffix.lower() != ".json" or not hasattr(stream, "peek"):
        return kind
    start = stream.peek(len(BOM) + 4096)[: len(BOM) + 4096]
    return "array" if start.removeprefix(BOM).lstrip().startswith(b"[") else kind


def unit_of(kind: str) -> str:
    """What a number in an error counts in input of ``kind``: a line, an element of a JSON array, or a row of a
    Parquet or Arrow file or a form export (``rejected_unit`` in a rating's counts)."""
    return {"array": "element", "arrow": "row", "rows": "row"}.get(kind, "line")


def bad_count(bad: int, path: str, kind: str) -> str:
    """``3 bad lines in FILE``, or elements of a JSON array, or rows of a Parquet or Arrow file or a form export: as the errors place them."""
    unit = unit_of(kind)
    return f"{bad:,} bad {unit}{'s' if bad != 1 else ''} in {path}"


def place(path: str, kind: str, number: int) -> str:
    """Where a row is, for its error: ``FILE:LINE``, ``FILE:element N`` in a JSON array, ``FILE:row N`` in a form export's table."""
    unit = {"array": "element ", "rows": "row "}.get(kind, "")
    return f"{path}:{unit}{number}"


def add_from_argument(parser) -> None:
    """``--from surveyjs|odk``: the cases are the submissions of an exported form (docs/forms.md)."""
    from carag_dsl.tools.form_import import SOURCES

    parser.add_argument("--from", dest="source", choices=tuple(SOURCES), metavar="|".join(SOURCES),
                        help="the cases are submissions of the form carag export made: " + "; ".join(f"{k}: {v}" for k, v in SOURCES.items()))


def submission_rows(ruleset, source: str, path: str, stream: IO[bytes] | None) -> tuple[str, Iterator[tuple[int, Any, str | None]]]:
    """(kind, rows) of the submissions of an exported form, read as ``carag import`` reads them."""
    from carag_dsl.tools.form_import import read_submissions

    submissions = read_submissions(ruleset, source, path, stream)
    return submissions.kind, submissions.rows


def input_lines(stream: IO[bytes], progress: Any = None) -> Iterable[bytes]:
    """The byte lines of an opened cases file (:func:`~carag_dsl.runtime.caseinput.case_lines`), counted by ``progress`` if any."""
    lines = case_lines(stream)
    return progress.track(lines) if progress else lines


def per_case_rows(ruleset, path: str, kind: str, stream: IO[bytes] | None, progress: Any = None) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, case, None) or (line number, None, what is wrong), case by case (elements for a JSON array).

    ``stream`` is the opened file (None for Arrow, which pyarrow reads); ``progress`` counts the lines read.
    """
    if kind == "array":
        return iter_json_array(stream)  # type: ignore[arg-type]
    if kind == "jsonl":  # lines msgspec can vouch for come out already checked (runtime.fastcase)
        return iter_jsonl(input_lines(stream, progress), fast_case_decoder(ruleset))  # type: ignore[arg-type]
    if kind == "csv":
        return read_csv_cases(ruleset, input_lines(stream, progress), path)  # type: ignore[arg-type]
    return _arrow_rows(ruleset, path)


def _arrow_rows(ruleset, path: str) -> Iterator[tuple[int, Any, str | None]]:
    from carag_dsl.bulk import BATCH_ROWS, _arrow_batches
    from carag_dsl.runtime.arrow_cells import python_values
    number = 0
    layout = None
    for batch in _arrow_batches(path, BATCH_ROWS):
        if layout is None:
            layout = read_header(ruleset, batch.schema.names, path)
        columns = [python_values(batch.column(i)) for i in range(batch.num_columns)]
        for cells in zip(*columns):
            number += 1
            case, wrong = case_from_row(cells, layout)
            yield number, case, wrong


def columnar_chunks(ruleset, path: str, kind: str, stream: IO[bytes] | None, progress: Any = None):
    """The file in batches for the columnar engine, read as :func:`per_case_rows` reads it."""
    from carag_dsl import bulk

    _lean_arrow_memory()
    if kind == "array":
        return bulk.case_chunks(ruleset, iter_json_array(stream))  # type: ignore[arg-type]
    if kind == "jsonl":
        return bulk.jsonl_chunks(ruleset, input_lines(stream, progress))  # type: ignore[arg-type]
    if kind == "csv":
        return bulk.csv_chunks(ruleset, input_lines(stream, progress), path)  # type: ignore[arg-type]
    return bulk.parquet_chunks(ruleset, path)


def _lean_arrow_memory() -> None:
    """Arrow buffers of this (command's) process from jemalloc, which gives freed memory back sooner than pyarrow's
    default mimalloc: the peak of Parquet to Parquet over 1,000,000 cases 430 MB -> 320 MB, in the same time."""
    import pyarrow as pa

    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except (NotImplementedError, pa.ArrowNotImplementedError):  # a pyarrow built without it: the system allocator
        pa.set_memory_pool(pa.system_memory_pool())


def read_jsonl_cases(ruleset: RuleSet, lines: Iterable[bytes], path: str) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, case, None) or (line number, None, what is wrong), as ``carag eval --cases``."""
    return iter_jsonl(lines)


def read_csv_cases(ruleset: RuleSet, lines: Iterable[bytes], path: str) -> Iterator[tuple[int, Any, str | None]]:
    """Cases from CSV rows, one per line, cells converted to the declared types; a bad row is reported, not raised.

    The header must name only facts, question ids and ``id``; a header that
    does not fits no row, so it is an error for the whole file (CsvHeaderError).
    """
    found = read_csv_rows(ruleset, lines, path)
    if found is None:
        return
    columns, rows = found
    for number, cells, wrong in rows:
        if cells is None:
            yield number, None, wrong
            continue
        case, wrong = case_from_row(cells, columns)
        yield number, case, wrong
