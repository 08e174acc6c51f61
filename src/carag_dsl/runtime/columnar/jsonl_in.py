"""JSON Lines read straight into Arrow columns for the columnar engine: no dict and no CaseData per line.

A block of lines goes to pyarrow's JSON reader, about a megabyte per call (the calls on all cores),
with a schema generated from the rule set (:func:`case_schema`): every fact and
answer in its declared shape (``bool``, ``int64``, text for codes, dates and
text, a list of text for a multiple choice). The reader is strict where the
per-case path is: a key given twice, a key the schema does not know, a value of
another JSON type, a number that is not a whole number within 64 bits, bad JSON
and a lone surrogate are its errors. Values are then checked one distinct value
at a time by the per-case checker itself (:mod:`.decode`), as for any Arrow column.

The reader is a fast path only: a line it does not take exactly goes the
per-case way (:func:`line_outcome`: the msgspec decoder, then
:func:`~carag_dsl.runtime.caseinput.decode_case`), which gives its result or
words its error as ``carag eval --cases`` always has, at its own line number;
the good lines around it stay in columns. Which lines those are:

* found before reading, in the block's bytes: a line that does not start with
  ``{``, or holds a backslash (an escape), a control character other than its
  line break, a byte that is not UTF-8, or more bytes than a case may take;
* found by the reader: an error naming its row (``... in row N``) sends that
  line per case and the lines before and after it are read again; an error
  naming a number it could not convert sends every line holding that text; an
  unknown key (no row named) is found by reading halves of the lines again;
* a run of lines giving more rows than lines (two objects on one line) goes
  per case whole.

Blank lines are skipped and counted, so the numbers are the file's line numbers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import numpy as np

from carag_dsl.runtime.caseinput import MAX_LINE_BYTES, CaseInputError, decode_case
from carag_dsl.runtime.columnar.engine import BatchResult
from carag_dsl.runtime.fastcase import fast_case_decoder

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules
    from carag_dsl.runtime.evaluation import Evaluation

_CONTROLS = bytes(range(32))
_ROW = re.compile(r" in row (\d+)$")
_OTHER_ID = re.compile(r"^JSON parse error: Column\(/id\) changed from (string to number|number to string) in row \d+$")
_UNCONVERTED = "couldn't parse:"


def case_schema(rules: "CheckedRules", id_type: Any = None) -> Any:
    """The Arrow schema of a case line: ``id`` (text unless ``id_type``), ``facts`` and ``answers`` as structs."""
    import pyarrow as pa

    def arrow_type(type_expr: Any) -> Any:
        kind = type_expr.kind
        return pa.bool_() if kind == "bool" else pa.int64() if kind == "int" else pa.list_(pa.string()) if kind == "any" else pa.string()

    symbols = rules.symbols
    facts = [(name, arrow_type(decl.type)) for name, decl in symbols.facts.items()]
    answers = [(qid, arrow_type(q.answer)) for qid, q in symbols.questions.items() if q.answer is not None]
    return pa.schema([("id", id_type or pa.string()), ("facts", pa.struct(facts)), ("answers", pa.struct(answers))])


def jsonl_batches(rules: "CheckedRules", lines: Iterable[bytes], size: int) -> Iterator[tuple[list[int], BatchResult]]:
    """(line numbers, results) per block of ``size`` non-blank lines; ``lines`` as caseinput.case_lines gives them.
    A line is blank as ``bytes.strip`` (and so iter_jsonl) sees it."""
    reader = _BlockReader(rules)
    numbers: list[int] = []
    block: list[bytes] = []
    try:
        for number, raw in enumerate(lines, start=1):
            if raw.isspace():  # blank: skipped, counted
                continue
            block.append(raw)
            numbers.append(number)
            if len(block) >= size:
                yield numbers, reader.evaluate(block)
                numbers, block = [], []
        if block:
            yield numbers, reader.evaluate(block)
    finally:
        reader.close()


def line_outcome(rules: "CheckedRules", fast: Any, raw: bytes) -> "Evaluation | str":
    """One line the per-case way: its Evaluation, or its error as ``carag eval --cases`` words it."""
    from carag_dsl.runtime.columnar import per_case

    case = fast(raw) if fast is not None else None
    if case is None:
        try:
            case = decode_case(raw)
        except CaseInputError as error:
            return str(error)
    return per_case(rules, case)


class _BlockReader:
    """Reads blocks of lines of one rule set (its schema and its id type, guessed from the lines, kept)."""

    def __init__(self, rules: "CheckedRules"):
        import pyarrow as pa
        import pyarrow.json as pj

        self.rules = rules
        self.fast = fast_case_decoder(rules)
        self.parse_options = {kind: pj.ParseOptions(explicit_schema=case_schema(rules, kind), unexpected_field_behavior="error")
                              for kind in (pa.string(), pa.int64())}
        symbols = rules.symbols
        self.fact_names = list(symbols.facts)
        self.answer_names = [qid for qid, q in symbols.questions.items() if q.answer is not None]
        self.id_type = pa.string()
        self.pool: Any = None  # threads reading segments at once, made on first use

    def evaluate(self, lines: list[bytes]) -> BatchResult:
        """The results (or errors) of a block of non-blank lines, in order."""
        from carag_dsl.runtime.columnar import columnar_rules

        read_lines, slow = self._screen(lines)
        columns, ids, read = self._read(read_lines, slow)
        n = len(lines)
        marked = np.zeros(n, dtype=bool)
        marked[[row for row in range(n) if row not in read]] = True
        rules, fast = self.rules, self.fast
        result = columnar_rules(rules).evaluate(
            columns, n, lambda rows, _: [line_outcome(rules, fast, lines[row]) for row in rows], text_forms=False,
            marked=marked, read_ids=lambda: ids)
        return result

    # -------------------------------------------------------------- before reading
    def _screen(self, lines: list[bytes]) -> tuple[list[bytes], set[int]]:
        """The lines each ending in a line break, and the rows the reader must not be given. The block as a whole
        is looked at first: the lines are looked at one by one only when it holds what is looked for."""
        lines = list(lines)
        if not lines[-1].endswith(b"\n"):  # the last line of a file
            lines[-1] += b"\n"
        blob = b"".join(lines)
        # A line that does not start with "{" (a case is an object; a top-level null crashes pyarrow 26's reader).
        slow = {row for row, raw in enumerate(lines) if not raw.startswith(b"{")}
        # A line longer than a case may be; a backslash (an escape); a control character other than the line's
        # break (CRLF too); bytes past ASCII that are not UTF-8. Each looked for in the whole block first.
        slow.update(row for row, raw in enumerate(lines) if len(raw) > MAX_LINE_BYTES and len(_body(raw)) > MAX_LINE_BYTES)
        if b"\\" in blob:
            slow.update(row for row, raw in enumerate(lines) if b"\\" in raw)
        if np.count_nonzero(np.frombuffer(blob, dtype=np.uint8) < 32) != len(lines) + blob.count(b"\r\n"):
            slow.update(row for row, raw in enumerate(lines) if len(_body(raw).translate(None, _CONTROLS)) < len(_body(raw)))
        if not blob.isascii():
            slow.update(row for row, raw in enumerate(lines) if not raw.isascii() and not _utf8(raw))
        return lines, slow

    # -------------------------------------------------------------- reading
    def _read(self, lines: list[bytes], slow: set[int]) -> tuple[dict[str, Any], list[Any], set[int]]:
        """The lines' facts and answers as columns (name -> Arrow array, one row per line, null where a line is not
        read), their ids, and the lines read. Lines not read (``slow`` and those the reader refuses) go per case."""
        import pyarrow as pa

        segments = _segments([row for row in range(len(lines)) if row not in slow], lines)
        parts: list[tuple[list[int], dict[str, Any], Any]] = []
        # The first reading of every segment on all cores (pyarrow parses without the GIL); what it refuses, here.
        first = dict(zip(map(id, segments), self._pool().map(lambda rows: self._attempt(lines, rows), segments)))
        while segments:
            rows = segments.pop()
            if not rows:
                continue
            table = first.pop(id(rows)) if id(rows) in first else self._attempt(lines, rows)
            if isinstance(table, pa.ArrowInvalid):
                segments += self._split(lines, rows, str(table))
                continue
            if table.num_rows == len(rows):  # (two objects on one line: which line cannot be told, all go per case)
                parts.append((rows, *self._columns(table)))
        read = {row for rows, _, _ in parts for row in rows}
        return self._placed(parts, len(lines)), self._placed_ids(parts, len(lines)), read

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=False)
            self.pool = None

    def _pool(self) -> Any:
        if self.pool is None:
            import os
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="carag-jsonl")
        return self.pool

    def _attempt(self, lines: list[bytes], rows: list[int]) -> Any:
        """The table of some lines, or the reader's error."""
        import pyarrow as pa

        try:
            return self._parse(lines, rows)
        except pa.ArrowInvalid as error:
            return error

    def _parse(self, lines: list[bytes], rows: list[int]) -> Any:
        import pyarrow as pa
        import pyarrow.json as pj

        data = b"".join([lines[row] for row in rows])
        # One block, one thread: the row an error names counts from the first line given. A key the schema does not
        # know is an error too (and the reader then never descends into its value, however deeply nested).
        options = pj.ReadOptions(use_threads=False, block_size=len(data) + 1)
        try:
            return pj.read_json(pa.BufferReader(data), read_options=options, parse_options=self.parse_options[self.id_type])
        except pa.ArrowInvalid as error:
            if not _OTHER_ID.search(str(error)):
                raise
        # The ids are of the other kind (whole numbers, or text): likely the kind of the lines that follow too.
        self.id_type = pa.int64() if self.id_type == pa.string() else pa.string()
        return pj.read_json(pa.BufferReader(data), read_options=options, parse_options=self.parse_options[self.id_type])

    def _split(self, lines: list[bytes], rows: list[int], message: str) -> list[list[int]]:
        """The segments to read again after the reader refused ``rows`` (last first), without the lines it names."""
        located = _ROW.search(message)
        if located is not None and int(located.group(1)) < len(rows):
            bad = int(located.group(1))
            return [rows[bad + 1:], rows[:bad]]
        if _UNCONVERTED in message:  # a number that is not a whole number within 64 bits: the lines holding it
            text = message.split(_UNCONVERTED, 1)[1].encode("utf-8")
            left = [row for row in rows if text not in lines[row]] if text else rows
            if len(left) < len(rows):
                return [left]
        if len(rows) > 1:  # a key the schema does not know (the reader names no row): halves, until the line is found
            middle = len(rows) // 2
            return [rows[middle:], rows[:middle]]
        return []  # the line goes per case

    def _columns(self, table: Any) -> tuple[dict[str, Any], Any]:
        columns: dict[str, Any] = {}
        for section, declared in (("facts", self.fact_names), ("answers", self.answer_names)):
            struct = table.column(section).combine_chunks()
            found = dict(zip((field.name for field in struct.type), struct.flatten()))  # nulls where the section is null
            columns.update((name, found[name]) for name in declared)
        return columns, table.column("id")

    def _placed(self, parts: list[tuple[list[int], dict[str, Any], Any]], n: int) -> dict[str, Any]:
        """Each column with a row per line, in line order: the parts' rows (in line order, part after part), a null
        for each line not read. Slices put together, not a ``take``: a gather of every row costs 20 times more."""
        import pyarrow as pa

        if not parts:
            return {}
        parts = sorted(parts, key=lambda part: part[0][0])
        gaps = np.flatnonzero(~np.isin(np.arange(n), np.concatenate([rows for rows, _, _ in parts]))).tolist()
        placed = {}
        for name, first in parts[0][1].items():
            column = pa.concat_arrays([columns[name] for _, columns, _ in parts]) if len(parts) > 1 else first
            if gaps:
                null = pa.nulls(1, column.type)
                pieces, start, previous = [], 0, -1
                for gap in gaps:
                    pieces += [column.slice(start, gap - previous - 1), null]
                    start += gap - previous - 1
                    previous = gap
                column = pa.concat_arrays(pieces + [column.slice(start)])
            placed[name] = column
        return placed

    def _placed_ids(self, parts: list[tuple[list[int], dict[str, Any], Any]], n: int) -> list[Any]:
        """Each line's id (None for the lines not read): text or whole numbers, as the lines give them."""
        ids: list[Any] = [None] * n
        for rows, _, found in parts:
            for row, value in zip(rows, found.to_pylist()):
                ids[row] = value
        return ids


#: Bytes of lines per call of pyarrow's reader: its own block size (a larger one reads more slowly), and what a
#: line it refuses costs (the lines before it are read again).
SEGMENT_BYTES = 1 << 20


def _segments(rows: list[int], lines: list[bytes]) -> list[list[int]]:
    """The rows cut into runs of about SEGMENT_BYTES, last first (they are popped)."""
    segments: list[list[int]] = []
    current: list[int] = []
    size = 0
    for row in rows:
        current.append(row)
        size += len(lines[row])
        if size >= SEGMENT_BYTES:
            segments.append(current)
            current, size = [], 0
    if current:
        segments.append(current)
    return segments[::-1]


def _body(raw: bytes) -> bytes:
    """A line without its break (``\\n`` or ``\\r\\n``)."""
    return raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
