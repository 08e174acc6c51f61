"""Result lines of a columnar batch: the text ``carag eval --cases`` writes, without building dicts.

Each JSON Lines line is exactly ``json.dumps(evaluation.to_dict(), ensure_ascii=False)``
of the per-case path, and each CSV line what the per-case path's ``csv.writer``
writes (the tests compare them). A question's entry depends only on its status,
source and value, and most of those repeat, so each question's column of entries
is made with numpy: every distinct (status, source, value) is encoded once and
spread to its rows; the lines are then the entries of each row joined.
"""

from __future__ import annotations

from carag_dsl.runtime.evaluation import ruleset_identity

import json
from typing import Any

import numpy as np

from carag_dsl.runtime.columnar.engine import INSPECTED, SOURCES, STATUSES, BatchResult
from carag_dsl.runtime.columnar.vectors import SET, distinct_rows
from carag_dsl.runtime.evaluation import excluded_text
from carag_dsl.runtime.result_writer import STATUS_LETTERS
from carag_dsl.runtime.spreadsheet import csv_field, result_cell
from carag_dsl.runtime.wide import CSV_EMPTY_SET

_encode = json.JSONEncoder(ensure_ascii=False).encode


def result_lines(result: BatchResult, line_of_evaluation) -> list[str | None]:
    """One line per row (no newline); None for a row whose result is an error.

    ``line_of_evaluation`` writes the rows the per-case path evaluated (``ResultWriter.line``).
    """
    ruleset_json = _encode(ruleset_identity(result.engine.rules))
    warnings = result.warnings

    def entry_of(qid: str):
        prefix = _encode(qid) + ": "
        return lambda status, value, source: prefix + _encode({"status": status, "value": value, "source": source})

    def line(row: int, entries: tuple[str, ...], case_type: str | None) -> str:
        return ('{"id": ' + _encode(result.ids[row]) + ', "case_type": ' + _encode(case_type) + ', "excluded": '
                + _encode(result.excluded_json(row)) + ', "questions": {' + ", ".join(entries) + '}, "warnings": '
                + _encode(warnings.get(row, [])) + ', "reasons": {}, "ruleset": ' + ruleset_json + "}")

    return _lines(result, entry_of, line, line_of_evaluation)


def csv_lines(result: BatchResult, line_of_evaluation) -> list[str | None]:
    """One CSV line per row (no line break), the cells of ``carag eval --format csv``; None for a row whose result is
    an error. ``line_of_evaluation`` writes the rows the per-case path evaluated."""
    warnings = result.warnings
    inspected = result.excluded is None
    excluded = None if inspected else (result.excluded != INSPECTED).tolist()  # type: ignore[union-attr]
    ids = result.ids

    def cells(status: str, value: Any, source: str | None) -> str:
        shown = (";".join(value) or CSV_EMPTY_SET) if isinstance(value, list) else value
        return ",".join([status, csv_field(result_cell(shown)), source or ""])

    def line(row: int, entries: tuple[str, ...], case_type: str | None) -> str:
        first = [csv_field(result_cell(ids[row])), csv_field(result_cell(case_type))]
        last = [csv_field(result_cell(warnings[row])) if row in warnings else "",
                "" if inspected or not excluded[row] else csv_field(result_cell(excluded_text(result.excluded_json(row)))), ""]  # type: ignore[index]
        return ",".join(first + list(entries) + last)

    return _lines(result, lambda qid: cells, line, line_of_evaluation)


def _lines(result: BatchResult, entry_of, line, line_of_evaluation) -> list[str | None]:
    """Per row, ``line(row, its question entries, its case type)``, each question's entries made by ``entry_of(qid)``
    once per distinct result (:func:`_entries`); ``line_of_evaluation`` of the rows the per-case path decided, None for
    an error."""
    rules = result.engine.rules
    strings = result.strings.values
    universe = result.engine.lowering.universe_column
    entry_columns = [_entries(qid, result, strings, universe, rules.option_order(qid), entry_of(qid)).tolist() for qid in rules.questions]
    case_types = result.case_type.tolist()
    case_type_known = (result.case_type_source > 0).tolist()
    lines: list[str | None] = []
    for row, entries in enumerate(zip(*entry_columns) if entry_columns else [()] * result.n):
        done = result.per_case.get(row)
        if done is not None:
            lines.append(None if isinstance(done, str) else line_of_evaluation(done))
            continue
        lines.append(line(row, entries, strings[case_types[row]] if case_type_known[row] else None))
    return lines


def _entries(qid: str, result: BatchResult, strings: list[str], universe: dict[str, int], options: tuple[str, ...], entry) -> Any:
    """``entry(status, value, source)`` (the texts of one question's result, as ``to_dict`` gives them) for every
    row, as an object array: made once per distinct (status, source, value)."""
    status = result.status[qid].astype(np.int64)
    source = result.source[qid].astype(np.int64)
    vec = result.value[qid]
    has_value = source > 0
    if vec.kind == SET:
        columns = [universe[code] for code in options]
        flags = np.asarray(vec.data)[:, columns] if columns else np.zeros((result.n, 0), dtype=bool)
        value = distinct_rows(flags)[1].astype(np.int64)
    else:
        value = np.asarray(vec.data).astype(np.int64)
    key = np.where(has_value, (value + 1) * 9 + status * 3 + source, status * 3)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    texts = []
    for row in first.tolist():
        code = int(source[row])
        if not code:
            shown: Any = None
        elif vec.kind == SET:
            shown = [option for index, option in enumerate(options) if flags[row, index]]
        else:
            shown = strings[int(vec.data[row])]
        texts.append(entry(STATUSES[int(status[row])], shown, SOURCES[code]))
    return np.array(texts, dtype=object)[inverse.reshape(-1)]


#: The letter of each status code (STATUSES order) in the compact shape's ``statuses`` string.
_STATUS_LETTERS = np.array([ord(STATUS_LETTERS[status]) for status in STATUSES], dtype=np.uint8)


def compact_lines(result: BatchResult, encode, line_of_evaluation) -> list[str | None]:
    """One compact line per row (``compact_result`` of its dict, written by ``encode``), without building dicts;
    None for a row whose result is an error. ``line_of_evaluation`` writes the rows the per-case path evaluated.

    The ``statuses`` strings are one byte matrix (a row per case, a letter per question); each question's
    ``"id":value`` is encoded once per distinct value and spread to its rows, as :func:`result_lines` does.
    """
    rules = result.engine.rules
    n = result.n
    questions = list(rules.questions)
    strings = result.strings.values
    universe = result.engine.lowering.universe_column
    if questions:
        letters = np.ascontiguousarray(_STATUS_LETTERS[np.stack([result.status[qid] for qid in questions], axis=1)])
        statuses = [text.decode("ascii") for text in letters.view(f"S{len(questions)}").ravel().tolist()]
        values = np.stack([_value_fragments(qid, result, strings, universe, rules.option_order(qid), encode) for qid in questions], axis=1).tolist()
        derived = np.asarray(np.stack([result.source[qid] == 2 for qid in questions], axis=1), dtype=bool)
    else:
        statuses, values, derived = [""] * n, [[]] * n, np.zeros((n, 0), dtype=bool)
    any_derived: list[bool] = np.any(derived, axis=1).tolist()
    quoted = np.array([encode(qid) for qid in questions], dtype=object)
    case_types = result.case_type.tolist()
    case_type_known = (result.case_type_source > 0).tolist()
    warnings = result.warnings
    ids = result.ids
    lines: list[str | None] = []
    for row in range(n):
        done = result.per_case.get(row)
        if done is not None:
            lines.append(None if isinstance(done, str) else line_of_evaluation(done))
            continue
        parts = ['{"id":', encode(ids[row])]
        if case_type_known[row]:
            parts += [',"case_type":', encode(strings[case_types[row]])]
        parts += [',"statuses":"', statuses[row], '","values":{', ",".join(filter(None, values[row])), "}"]
        if any_derived[row]:
            parts += [',"derived":[', ",".join(quoted[derived[row]]), "]"]
        if row in warnings:
            parts += [',"warnings":', encode(warnings[row])]
        parts.append("}")
        lines.append("".join(parts))
    return lines


def _value_fragments(qid: str, result: BatchResult, strings: list[str], universe: dict[str, int], options: tuple[str, ...], encode) -> Any:
    """``"qid":value`` of one question for every row ("" where it has no value), as an object array."""
    has_value = result.source[qid] > 0
    vec = result.value[qid]
    if vec.kind == SET:
        flags = np.asarray(vec.data)[:, [universe[code] for code in options]] if options else np.zeros((result.n, 0), dtype=bool)
        distinct, which = distinct_rows(flags)
        shown: list[Any] = [[code for code, on in zip(options, row) if on] for row in distinct.tolist()]
    else:
        distinct, which = np.unique(np.asarray(vec.data), return_inverse=True)
        shown = [strings[int(index)] for index in distinct.tolist()]
    texts = np.array([encode({qid: value})[1:-1] for value in shown] + [""], dtype=object)
    return texts[np.where(has_value, which.reshape(-1), len(shown))]
