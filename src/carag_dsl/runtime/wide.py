"""Cases in the wide layout: one column per fact and per question id, plus ``id``.

This is the layout of ``carag rate --cases FILE.csv`` and of Parquet/Arrow
input. A cell is either a CSV text form (``true``/``yes``, ``2025-02-28``,
codes separated by ``;``, ``(none)`` for an empty multi-choice answer; an
empty cell is unknown) or, from Arrow, a native value (bool, int, date,
list of codes). Both engines read rows through :func:`case_from_row`, so a
bad cell gets the same message whichever engine runs.
"""

from __future__ import annotations

import csv
import re
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from carag_dsl.compiler import types as T
from carag_dsl.errors import CaragError, did_you_mean
from carag_dsl.language import ast
from carag_dsl.runtime.casedata import convert_value
from carag_dsl.runtime.caseinput import CaseInputError, decode_text_line

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

# CSV spellings of a bool fact: any letter case, so spreadsheet TRUE/FALSE work too.
CSV_TRUE, CSV_FALSE = ("true", "yes"), ("false", "no")
# CSV spelling of an empty multi-choice answer ("none of these"); an empty cell means unknown.
CSV_EMPTY_SET = "(none)"

#: One column of the layout: (its name, "id" | "facts" | "answers", the declared type or None).
Column = tuple[str, str, "ast.TypeExpr | None"]


class CsvHeaderError(CaragError):
    """The header of a case file names columns the rule set does not have (no row can be read)."""


def csv_records(lines: Iterable[bytes]) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(line number, cells, None) or (line number, None, what is wrong) for each non-blank line of a CSV file.

    ``lines`` are the byte lines of :func:`~carag_dsl.runtime.caseinput.case_lines`. One physical line is
    one record: a quote left open (or a byte that is not UTF-8) is the error of its own line and never
    swallows the lines after it, as a record spanning lines would. So a cell cannot hold a line break.
    """
    for number, raw in enumerate(lines, start=1):
        try:
            text = decode_text_line(raw)
        except CaseInputError as error:
            yield number, None, str(error)
            continue
        if not text.strip():
            continue
        try:
            cells = next(csv.reader((text,), strict=True))
        except csv.Error as error:
            yield number, None, _csv_problem(error)
            continue
        yield number, cells, None


def _csv_problem(error: csv.Error) -> str:
    reason = str(error)
    if reason == "unexpected end of data":
        return "not valid CSV: a quoted cell is not closed on its line (each case is one line; a cell cannot hold a line break)"
    return f"not valid CSV: {reason}"


def read_csv_rows(
    ruleset: "CheckedRules", lines: Iterable[bytes], path: str
) -> tuple[list[Column], Iterator[tuple[int, list[str] | None, str | None]]] | None:
    """The columns named by the header line and the rows after it: (line number, cells, None) or
    (line number, None, what is wrong). None for a file without a line; CsvHeaderError for a bad header.

    Both engines read CSV through here, so a row gets the same number and the same error in either.
    """
    records = csv_records(lines)
    first = next(records, None)
    if first is None:
        return None
    number, header, wrong = first
    if header is None:
        raise CsvHeaderError(f"{path}:{number}: the header cannot be read: {wrong}")
    columns = read_header(ruleset, header, path)

    def rows() -> Iterator[tuple[int, list[str] | None, str | None]]:
        for number, cells, wrong in records:
            if cells is not None:
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(columns):
                    yield number, None, f"the row has {len(cells)} cells but the header has {len(columns)} columns"
                    continue
            yield number, cells, wrong

    return columns, rows()


def read_header(ruleset: "CheckedRules", header: Sequence[str], path: str) -> list[Column]:
    """What each column holds; CsvHeaderError naming every column that is not a fact, a question id or ``id``."""
    symbols = ruleset.symbols
    columns: list[Column] = []
    problems = []
    seen: set[str] = set()
    for index, raw in enumerate(header, start=1):
        name = raw.strip().lstrip("\ufeff")  # a byte-order mark from spreadsheet exports
        where = f"{path}:1: column {index} ('{name}')"
        if name in seen:
            problems.append(f"{where} is named twice")
        seen.add(name)
        if name == "id":
            columns.append((name, "id", None))
        elif name in symbols.facts:
            columns.append((name, "facts", symbols.facts[name].type))
        elif name in symbols.questions and symbols.questions[name].answer is not None:
            columns.append((name, "answers", symbols.questions[name].answer))
        else:
            hint = did_you_mean(name, [*symbols.facts, *symbols.questions, "id"])
            problems.append(f"{where} is not a fact, a question id or 'id'{hint}; each column holds one fact or the answers to one question")
            columns.append((name, "unknown", None))
    if problems:
        raise CsvHeaderError("\n".join(problems) + "\nno case was read: correct the header and run again")
    return columns


def case_from_row(row: Sequence[Any], columns: Sequence[Column]) -> tuple[dict | None, str | None]:
    """(case, None) or (None, what is wrong with the row, every bad cell named by its column)."""
    case: dict[str, Any] = {"facts": {}, "answers": {}}
    problems = []
    for index, (cell, (name, where, type_expr)) in enumerate(zip(row, columns), start=1):
        if where == "id":
            identifier = cell.strip() if isinstance(cell, str) else cell
            if identifier not in ("", None):
                case["id"] = identifier
            continue
        value, wrong = cell_value(type_expr, cell)  # type: ignore[arg-type]
        if value is None and wrong is None:  # unknown
            continue
        if wrong is None:
            _, wrong = convert_value(type_expr, value)  # type: ignore[arg-type]
        if wrong is not None:
            problems.append(f"column {index} ('{name}'): {wrong}")
        else:
            case[where][name] = value
    if not problems:
        return case, None
    who = f"case {case['id']!r}" if "id" in case else "the case"
    if len(problems) == 1:
        return None, f"{who}: {problems[0]}"
    return None, f"{who} has {len(problems)} problems:\n" + "\n".join("  " + p for p in problems)


def cell_value(type_expr: ast.TypeExpr, cell: Any) -> tuple[Any, str | None]:
    """A cell as the JSON value of its declared type (None for unknown); text cells in their CSV forms."""
    if cell is None:
        return None, None
    if not isinstance(cell, str):
        return cell, None  # a native value: the per-case checker decides
    text = cell.strip()
    if text == "":
        return None, None
    return csv_cell_value(type_expr, text)


def csv_cell_value(type_expr: ast.TypeExpr, text: str) -> tuple[Any, str | None]:
    """A non-empty CSV cell as the JSON value of its declared type (checked further by convert_value)."""
    kind = type_expr.kind
    if kind == "bool":
        lowered = text.lower()
        if lowered in CSV_TRUE:
            return True, None
        if lowered in CSV_FALSE:
            return False, None
        return None, f"{text!r} is not allowed; expected true or false (yes or no also work; empty for unknown)"
    if kind == "int":
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text), None
        return None, f"{text!r} is not allowed; expected a whole number"
    if kind == "any":
        if text == CSV_EMPTY_SET:
            return [], None
        codes = T.option_codes(type_expr)
        chosen = [part.strip() for part in text.split(";") if part.strip()]
        for code in chosen:
            if code not in codes:
                return None, (f"{code!r} is not an option{did_you_mean(code, codes)}; expected codes of {', '.join(codes)} "
                              f"separated by ';', or {CSV_EMPTY_SET} for none of them (empty for unknown)")
        return chosen, None
    return text, None  # dates, codes and text are strings, as in JSON
