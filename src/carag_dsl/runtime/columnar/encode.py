"""Result lines of a columnar batch: the text ``carag eval --cases`` writes, without building dicts.

Each line is exactly ``json.dumps(evaluation.to_dict(), ensure_ascii=False)``
of the per-case path (the tests compare them). A question's entry depends
only on its status, source and value, and most of those repeat, so each
distinct entry is encoded once per batch and joined.
"""

from __future__ import annotations

import json
from typing import Any

from carag_dsl.runtime.columnar.engine import SOURCES, STATUSES, BatchResult
from carag_dsl.runtime.columnar.vectors import SET

_encode = json.JSONEncoder(ensure_ascii=False).encode


def result_lines(result: BatchResult, line_of_evaluation) -> list[str | None]:
    """One line per row (no newline); None for a row whose result is an error.

    ``line_of_evaluation`` writes the rows the per-case path evaluated (``ResultWriter.line``).
    """
    rules = result.engine.rules
    strings = result.strings.values
    universe = result.engine.lowering.universe_column
    lines: list[str | None] = [None] * result.n
    columns: list[tuple[Any, ...]] = []
    for qid in rules.questions:
        vec = result.value[qid]
        options = [(code, universe[code]) for code in rules.option_order(qid)] if vec.kind == SET else None
        prefix = _encode(qid) + ": "
        columns.append((qid, prefix, result.status[qid].tolist(), result.source[qid].tolist(), vec.data, options, {}))
    case_types = result.case_type.tolist()
    case_type_known = (result.case_type_source > 0).tolist()
    for row in range(result.n):
        done = result.per_case.get(row)
        if done is not None:
            lines[row] = None if isinstance(done, str) else line_of_evaluation(done)
            continue
        entries = []
        for qid, prefix, status, source, data, options, cache in columns:
            source_code = source[row]
            if not source_code:
                key: Any = status[row]
            elif options is None:
                key = (status[row], source_code, int(data[row]))
            else:
                flags = data[row]
                key = (status[row], source_code, tuple(code for code, column in options if flags[column]))
            entry = cache.get(key)
            if entry is None:
                value = None if not source_code else list(key[2]) if options is not None else strings[key[2]]
                entry = cache[key] = prefix + _encode({"status": STATUSES[status[row]], "value": value, "source": SOURCES[source_code]})
            entries.append(entry)
        case_type = strings[case_types[row]] if case_type_known[row] else None
        lines[row] = (
            '{"id": ' + _encode(result.ids[row]) + ', "case_type": ' + _encode(case_type)
            + ', "questions": {' + ", ".join(entries) + '}, "warnings": ' + _encode(result.warnings.get(row, [])) + "}"
        )
    return lines
