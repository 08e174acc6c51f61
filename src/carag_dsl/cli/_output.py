"""Where ``carag eval --cases`` writes results: JSON Lines, JSON, text, CSV or Parquet, to a file or standard output.

Rows come either as per-case evaluations or as result dicts of the columnar
engine; both give the same bytes (JSON Lines lines equal ``json.dumps`` of
``to_dict()``; ``compact`` lines are :func:`~carag_dsl.runtime.result_writer.compact_result`). CSV and Parquet hold one row per case: ``id``, ``case_type``,
per question ``<id>.status``, ``<id>.value``, ``<id>.source`` (a multi-choice
value as codes joined by ``;``), then ``warnings`` (one per line in CSV), ``excluded`` (the reason a case is
not inspected, or empty) and ``reasons`` (the inspector's reasons, ``<id>: text`` one per line in CSV; in
Parquet a map from question id to text). The last two came later: they are at the end, so the columns
before them keep their places.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from carag_dsl.errors import UsageError
from carag_dsl.cli._text import render_text
from carag_dsl.runtime.evaluation import excluded_text, text_cell
from carag_dsl.runtime.result_writer import ResultWriter, compact_encoder, compact_evaluation, compact_result
from carag_dsl.runtime.spreadsheet import csv_line, result_cell
from carag_dsl.runtime.wide import CSV_EMPTY_SET

OUTPUT_FORMATS = ("text", "json", "jsonl", "compact", "csv", "parquet")
#: A sink writes what it holds once it holds this many characters of text (CSV too), or this many Parquet rows,
#: whatever the engine and the format: its memory stays flat however many cases a run has.
FLUSH_BYTES = 1 << 20
FLUSH_ROWS = 4096
_SUFFIX_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".parquet": "parquet", ".txt": "text"}


def output_format(asked: str | None, output: str | None, default: str) -> str:
    if asked is not None:
        return asked
    if output is not None:
        suffix = Path(output).suffix.lower()
        if suffix in _SUFFIX_FORMATS:
            return _SUFFIX_FORMATS[suffix]
        raise UsageError(f"cannot tell the format to write from the name {output}: end it in "
                         f"{', '.join(_SUFFIX_FORMATS)} or give --format")
    return default


class ResultSink:
    """Writes results in order, in batches; ``close()`` flushes (and writes the Parquet file)."""

    def __init__(self, ruleset, fmt: str, output: str | None):
        self.ruleset = ruleset
        self.fmt = fmt
        self.output = output
        if fmt == "parquet" and output is None:
            raise UsageError("Parquet output needs a file: give --output FILE.parquet")
        self.stream: IO[str] | None = None  # Parquet is written by pyarrow
        if fmt != "parquet":
            try:
                self.stream = sys.stdout if output is None else open(output, "w", encoding="utf-8", newline="")
            except OSError as error:
                raise UsageError(f"cannot write {output}: {error.strerror}") from None
        self.writer = ResultWriter(ruleset)
        self.encode = json.JSONEncoder(ensure_ascii=False, indent=2 if fmt == "json" else None).encode
        self.compact = compact_encoder() if fmt == "compact" else None  # orjson imported only when needed
        self.pending: list[str] = []
        self.pending_size = 0  # characters in pending
        self.rows: list[list[Any]] = []  # Parquet
        self.header = ["id", "case_type"] + [f"{qid}.{part}" for qid in ruleset.questions for part in ("status", "value", "source")] + ["warnings", "excluded", "reasons"]
        if fmt == "csv":
            self.line(csv_line(self.header))
        self.parquet_writer: Any = None

    # -- one result
    def evaluation(self, evaluation) -> None:
        if self.fmt == "jsonl":
            self.line(self.writer.line(evaluation))
        elif self.fmt == "compact":  # straight from the evaluation: no to_dict() of every question first
            self.line(self.compact_evaluation(evaluation))
        elif self.fmt == "text":
            self.line(render_text(evaluation) + "\n")
        else:
            self.data(evaluation.to_dict())

    def compact_evaluation(self, evaluation) -> str:
        """The compact line of one evaluation (no newline)."""
        return self.compact(compact_evaluation(evaluation))  # type: ignore[misc]

    def data(self, data: dict) -> None:
        if self.fmt in ("jsonl", "json"):
            self.line(self.encode(data))
        elif self.fmt == "compact":
            self.line(self.compact(compact_result(data)))  # type: ignore[misc]
        elif self.fmt == "csv":
            self.line(self.csv_line(data))
        else:
            self.rows.append(_row(data))
            if len(self.rows) >= FLUSH_ROWS:
                self.flush()

    def csv_line(self, data: dict) -> str:
        """The CSV line of one result's dict (no line break), as csv.writer writes it."""
        return csv_line(map(result_cell, _row(data)))

    def line(self, text: str) -> None:
        """One line of text output (its line break added); written once FLUSH_BYTES are pending."""
        self.pending.append(text + "\n")
        self.pending_size += len(text) + 1
        if self.pending_size >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write what is pending (before an error goes to the terminal, so the order stays)."""
        if self.pending:
            assert self.stream is not None
            self.stream.write("".join(self.pending))
            self.pending.clear()
            self.pending_size = 0
        if self.rows:
            self._write_parquet()
            self.rows.clear()
        if self.stream is not None:
            self.stream.flush()

    def _write_parquet(self) -> None:
        self.table(self.rows_table(self.rows), flush=False)

    def rows_table(self, rows: list[list[Any]]) -> Any:
        """A pyarrow Table of result rows (as :func:`_row` gives them), in the schema Parquet results have."""
        import pyarrow as pa

        columns: list[Any] = list(zip(*rows)) if rows else [[] for _ in self.header]
        schema = self._schema()
        return pa.table([pa.array(list(column) if name in _TYPED_COLUMNS else [text_cell(v) for v in column], type=schema.field(name).type)
                         for name, column in zip(self.header, columns)], schema=schema)

    def evaluations_table(self, evaluations: list[Any]) -> Any:
        """:meth:`rows_table` of some evaluations (the rows of a columnar batch the per-case path decided)."""
        return self.rows_table([_row(evaluation.to_dict()) for evaluation in evaluations])

    def table(self, table: Any, flush: bool = True) -> None:
        """Write a pyarrow Table of results (Parquet output), after what is pending."""
        import pyarrow.parquet as pq

        if flush:
            self.flush()
        if self.parquet_writer is None:
            try:
                self.parquet_writer = pq.ParquetWriter(self.output, table.schema)
            except OSError as error:
                raise UsageError(f"cannot write {self.output}: {error}") from None
        self.parquet_writer.write_table(table)

    def _schema(self) -> Any:
        import pyarrow as pa

        typed = {"warnings": pa.list_(pa.string()), "reasons": pa.map_(pa.string(), pa.string())}
        return pa.schema([(name, typed.get(name, pa.string())) for name in self.header])

    def close(self) -> None:
        self.flush()
        if self.fmt == "parquet":
            if self.parquet_writer is None:  # no case: a file with the columns and no row
                import pyarrow.parquet as pq

                pq.write_table(self._schema().empty_table(), self.output)
            else:
                self.parquet_writer.close()
        elif self.stream is not None and self.stream is not sys.stdout:
            self.stream.close()


def _row(data: dict) -> list[Any]:
    row: list[Any] = [data["id"], data["case_type"]]
    for entry in data["questions"].values():
        value = entry["value"]
        row += [entry["status"], multi_choice_text(value) if isinstance(value, list) else value, entry["source"]]
    reasons = data.get("reasons") or {}
    row += [list(data["warnings"]), excluded_text(data.get("excluded")), list(reasons.items())]
    return row


#: Columns Parquet keeps in their own types (a list of warnings, a map of reasons); the others are text.
_TYPED_COLUMNS = ("warnings", "reasons")


def multi_choice_text(codes: list[str]) -> str:
    """A multi-choice value in one cell, as the CSV input reads it: codes joined by ';', or (none)."""
    return ";".join(codes) if codes else CSV_EMPTY_SET
