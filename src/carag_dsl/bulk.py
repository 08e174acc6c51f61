"""Rules over columns at scale: Arrow batches in, Arrow batches (or rating counts) out.

The functions here take and give Arrow data, so the engines people already
run can spread the work over many machines (see docs/bulk.md for recipes):

- Spark: ``df.mapInArrow(lambda batches: evaluate_batches(rules_text, batches), schema)``
- Ray: ``ds.map_batches(lambda table: evaluate_batch(rules_text, table), batch_format="pyarrow")``
- Dask: ``ddf.map_partitions(...)`` or, for ratings, ``carag rate --engine dask``.

Rules travel as :class:`RulesSource` (the text of each rule file and its parsed
tree as plain JSON data), which pickles to any worker; each worker process
checks it once (no parsing) and keeps it, keyed by the files' text.

The input is the wide layout (a column per fact and per question id, plus
``id``; native Arrow types or CSV text forms). Every input row gives one
output row, in order; a row whose data is bad keeps its located error in the
``error`` column, exactly as the per-case path words it.
Needs ``pip install 'carag-dsl[bulk]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

import attrs

from carag_dsl.api import RuleSet
from carag_dsl.compiler.ruleset import compile_modules, gc_paused
from carag_dsl.errors import CaragError, UsageError
from carag_dsl.language.ast_json import NotEncodable, decode_module, encode_module
from carag_dsl.rating.tally import RatingTally
from carag_dsl.runtime.evaluation import excluded_text, text_cell
from carag_dsl.runtime.wide import CSV_EMPTY_SET, read_csv_rows

if TYPE_CHECKING:
    from carag_dsl.runtime.columnar import BatchResult

__all__ = ["RulesSource", "evaluate_batch", "evaluate_batches", "rate_batch", "result_table", "require_bulk"]

#: Rows per batch when the CLI streams a file through the columnar engine (read when a file is opened): Parquet to
#: Parquet over 1,000,000 CARaG cases peaked at 730 MB with 65,536 rows, 430 MB with 16,384 (320 MB with the
#: jemalloc pool the commands use, see cli/_cases.columnar_chunks), for about 10% more time.
BATCH_ROWS = 16_384
#: JSON Lines batches are smaller: a batch's lines are held as bytes beside the columns pyarrow reads from them
#: (the CARaG's 1 kB cases to JSON Lines results: 8,192 lines peak at about 265 MB, 16,384 at 350 MB, in the same time).
JSONL_BATCH_ROWS = 8_192


def require_bulk() -> None:
    """UsageError naming the extra to install when numpy or pyarrow is missing."""
    try:
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as missing:
        raise UsageError(f"the columnar engine needs {missing.name}: pip install 'carag-dsl[bulk]'") from None


@attrs.frozen
class RulesSource:
    """A rule set as the text of its files, in load order, with their parsed trees: small, picklable, checked once
    per process.

    ``trees`` (per file, the plain JSON data of :mod:`~carag_dsl.language.ast_json`, as the parse cache keeps
    it; never a pickle) spare a worker the parser: building Lark's parser and parsing the CARaG took 0.28 s
    in each Dask worker, checking the decoded trees takes milliseconds. Without them, or when they do not
    decode (another version of carag-dsl wrote them), the text is parsed."""

    files: tuple[tuple[str, str], ...]
    trees: tuple[Any, ...] | None = attrs.field(default=None, eq=False)

    @classmethod
    def of(cls, rules: RuleSet) -> "RulesSource":
        files = tuple((module.path, module.text) for module in rules.modules)
        try:
            trees: tuple[Any, ...] | None = tuple(encode_module(module) for module in rules.modules)
        except NotEncodable:
            trees = None
        return cls(files, trees)

    def rules(self) -> RuleSet:
        """The checked rule set, made once per process for these files (the key is their text)."""
        found = _COMPILED.get(self.files)
        if found is None:
            found = _COMPILED[self.files] = compile_modules(self._modules(), RuleSet)
        return found

    def _modules(self) -> list:
        if self.trees is not None:
            try:
                return [decode_module(tree, path, text) for tree, (path, text) in zip(self.trees, self.files, strict=True)]
            except (ValueError, TypeError, KeyError, IndexError):  # data another version wrote: parse instead
                pass
        from carag_dsl.language.parser import parse  # Lark, only when there are no trees to read

        return [parse(text, path) for path, text in self.files]


_COMPILED: dict[tuple[tuple[str, str], ...], RuleSet] = {}


def _rules_of(rules: "RuleSet | RulesSource | str") -> RuleSet:
    if isinstance(rules, RulesSource):
        return rules.rules()
    if isinstance(rules, str):  # rule text, as one file
        return RulesSource((("<rules>", rules),)).rules()
    return rules


def _as_arrow(batch: Any) -> Any:
    if type(batch).__module__.startswith("pandas"):  # Dask's map_partitions hands over pandas frames
        import pyarrow as pa

        return pa.Table.from_pandas(batch, preserve_index=False)
    return batch


# ------------------------------------------------------------------ evaluation


def evaluate_batch(rules: "RuleSet | RulesSource | str", batch: Any) -> Any:
    """Evaluate one Arrow RecordBatch or Table of cases in the wide layout; a RecordBatch of results.

    The result has ``id``, ``case_type``, ``excluded`` (null, or the reason an ``exclude when`` rule
    gives for leaving the case out), per question ``<id>.status``, ``<id>.value`` and
    ``<id>.source``, ``warnings`` (list of text) and ``error`` (null, or the row's located error).
    """
    require_bulk()
    from carag_dsl.runtime.columnar import evaluate_columns

    return result_table(evaluate_columns(_rules_of(rules), _as_arrow(batch)))


def evaluate_batches(rules: "RuleSet | RulesSource | str", batches: Iterable[Any]) -> Iterator[Any]:
    """:func:`evaluate_batch` over an iterator of batches (the shape of Spark's ``mapInArrow``)."""
    compiled = _rules_of(rules)
    for batch in batches:
        yield evaluate_batch(compiled, batch)


def result_table(result: "BatchResult") -> Any:
    """The results of a columnar batch as an Arrow RecordBatch (one row per input row, in order), built from the
    result columns (runtime/columnar/arrow_out.py); only the rows the per-case path decided are built row by row."""
    import numpy as np
    import pyarrow as pa

    from carag_dsl.runtime.columnar.arrow_out import result_arrays

    rules = result.engine.rules
    names = ["id", "case_type", "excluded", *(f"{qid}.{part}" for qid in rules.questions for part in ("status", "value", "source")), "warnings"]
    schema = pa.schema([(name, pa.list_(pa.string()) if name == "warnings" else pa.string()) for name in [*names, "error"]])
    columns = result_arrays(result)
    table = pa.table([columns[name] for name in names] + [pa.nulls(result.n, pa.string())], schema=schema)
    if result.per_case:
        rows = sorted(result.per_case)
        decided = pa.RecordBatch.from_pylist([_per_case_row(result.per_case[row], result.ids[row]) for row in rows], schema=schema)
        order = np.arange(result.n)
        order[rows] = result.n + np.arange(len(rows))  # their rows, after the batch's
        table = pa.concat_tables([table, pa.Table.from_batches([decided])]).take(order)
    return table.combine_chunks().to_batches()[0] if result.n else pa.RecordBatch.from_pylist([], schema=schema)


def _per_case_row(done: Any, case_id: Any) -> dict[str, Any]:
    """One row of :func:`result_table` for a row the per-case path decided: its Evaluation, or its error."""
    if isinstance(done, str):
        return {"id": text_cell(case_id), "warnings": [], "error": done}
    data = done.to_dict()
    row: dict[str, Any] = {"id": text_cell(data["id"]), "case_type": data["case_type"], "excluded": excluded_text(data["excluded"]),
                           "warnings": data["warnings"], "error": None}
    for qid, entry in data["questions"].items():
        value = entry["value"]
        row[f"{qid}.status"], row[f"{qid}.source"] = entry["status"], entry["source"]
        row[f"{qid}.value"] = (";".join(value) or CSV_EMPTY_SET) if isinstance(value, list) else value
    return row


# ------------------------------------------------------------------ ratings


def rate_batch(rules: "RuleSet | RulesSource | str", batch: Any, by: str | Sequence[str] | None = None,
               questions: str | Sequence[str] | None = None) -> dict[str, Any]:
    """Rating counts of one batch (plain data: add them up with ``RatingTally.merge``), and its bad rows.

    ``{"counts": ..., "errors": [(row from 1, error text), ...]}``.
    """
    require_bulk()
    from carag_dsl.runtime.columnar import evaluate_columns

    compiled = _rules_of(rules)
    tally = RatingTally(compiled, by, questions=questions)
    result = evaluate_columns(compiled, _as_arrow(batch))
    tally.add_batch(result)
    errors = sorted((row + 1, done) for row, done in result.per_case.items() if isinstance(done, str))
    return {"counts": tally.counts(), "errors": errors}


def rate_parquet_file(source: RulesSource, path: str, by: str | Sequence[str] | None = None,
                      questions: str | Sequence[str] | None = None) -> dict[str, Any]:
    """Rating counts of one Parquet file, read in batches; errors located by row number (from 1) in the file.

    The garbage collector is paused for the whole file: a Dask worker holds many objects of its own, and
    collections while the batches were read and rated made a file take half again as long there."""
    with gc_paused():
        tally = RatingTally(source.rules(), by, questions=questions)
        errors: list[tuple[int, str]] = []
        for chunk in parquet_chunks(source.rules(), path):
            if chunk.result is not None:
                tally.add_batch(chunk.result)
            errors += chunk.errors()
        return {"counts": tally.counts(), "errors": errors}


def file_sizes(paths: list[str]) -> list[int | None]:
    """Each file's size in bytes, None where there is none (run on Dask workers: do they see the files sent?)."""
    import os

    sizes: list[int | None] = []
    for path in paths:
        try:
            sizes.append(os.path.getsize(path) if os.path.isfile(path) else None)
        except OSError:
            sizes.append(None)
    return sizes


# ------------------------------------------------------------------ reading files in batches


@attrs.define
class Chunk:
    """A batch of cases from a file: the engine's results, each row's line (or row) number, and the
    lines that never reached the engine (not JSON, not a CSV row), with their errors."""

    result: "BatchResult | None"
    numbers: list[int]
    unread: list[tuple[int, str]]

    def errors(self) -> list[tuple[int, str]]:
        """Every error of the chunk, in file order: (line number, text)."""
        found = list(self.unread)
        if self.result is not None:
            found += [(self.numbers[row], done) for row, done in self.result.per_case.items() if isinstance(done, str)]
        return sorted(found)


def jsonl_chunks(rules: RuleSet, lines: Iterable[bytes], size: int | None = None) -> Iterator[Chunk]:
    """JSON Lines in batches, read straight into Arrow columns (runtime/columnar/jsonl_in.py); a line that reader
    does not take exactly is read as the per-case path reads it (same result or error, same number).

    ``lines`` are the byte lines of :func:`~carag_dsl.runtime.caseinput.case_lines`.
    """
    from carag_dsl.runtime.columnar.jsonl_in import jsonl_batches

    for numbers, result in jsonl_batches(rules, lines, size or JSONL_BATCH_ROWS):
        yield Chunk(result, numbers, [])


def case_chunks(rules: RuleSet, rows: Iterable[tuple[int, Any, str | None]], size: int | None = None) -> Iterator[Chunk]:
    """Decoded cases in batches: ``rows`` are (number, case, None) or (number, None, what is wrong), as the readers give."""
    from carag_dsl.runtime.columnar import evaluate_cases

    size = size or BATCH_ROWS
    cases: list[Any] = []
    numbers: list[int] = []
    unread: list[tuple[int, str]] = []
    for number, case, wrong in rows:
        if wrong is not None:
            unread.append((number, wrong))
            continue
        cases.append(case)
        numbers.append(number)
        if len(cases) >= size:
            yield Chunk(evaluate_cases(rules, cases), numbers, unread)
            cases, numbers, unread = [], [], []
    if cases or unread:
        yield Chunk(evaluate_cases(rules, cases) if cases else None, numbers, unread)


def csv_chunks(rules: RuleSet, lines: Iterable[bytes], path: str, size: int | None = None) -> Iterator[Chunk]:
    """CSV rows in batches, one per line, read and numbered exactly as ``carag rate`` reads them case by case."""
    from carag_dsl.runtime.columnar import evaluate_columns

    size = size or BATCH_ROWS
    found = read_csv_rows(rules, lines, path)
    if found is None:
        return
    names = [name for name, _, _ in found[0]]
    rows: list[list[str]] = []
    numbers: list[int] = []
    unread: list[tuple[int, str]] = []

    def flush() -> Chunk:
        columns = {name: [row[i] for row in rows] for i, name in enumerate(names)}
        return Chunk(evaluate_columns(rules, columns, path) if rows else None, numbers, unread)

    for number, cells, wrong in found[1]:
        if cells is None:
            unread.append((number, wrong or ""))
            continue
        rows.append(cells)
        numbers.append(number)
        if len(rows) >= size:
            yield flush()
            rows, numbers, unread = [], [], []
    if rows or unread:
        yield flush()


def parquet_chunks(rules: RuleSet, path: str, size: int | None = None) -> Iterator[Chunk]:
    """A Parquet file (or Arrow IPC file) in batches; rows are numbered from 1."""
    from carag_dsl.runtime.columnar import evaluate_columns

    first = 1
    for batch in _arrow_batches(path, size or BATCH_ROWS):
        yield Chunk(evaluate_columns(rules, batch, path), list(range(first, first + batch.num_rows)), [])
        first += batch.num_rows


def _arrow_batches(path: str, size: int) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if path.lower().endswith((".arrow", ".feather", ".ipc")):
            with pa.memory_map(path) as source:
                table = pa.ipc.open_file(source).read_all()
            yield from table.to_batches(max_chunksize=size)
            return
        # Text columns come as dictionary arrays, straight from the file's dictionary pages: the engine
        # checks each distinct value once, so it needs no hashing of its own (ids are all distinct: plain).
        schema = pq.read_schema(path)
        text = [f.name for f in schema if f.name != "id" and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
        yield from pq.ParquetFile(path, read_dictionary=text).iter_batches(batch_size=size)
    except (OSError, pa.ArrowException) as error:
        raise CaragError(f"cannot read {path}: {error}") from None
