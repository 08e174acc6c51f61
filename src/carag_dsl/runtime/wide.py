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
import datetime
import functools
import re
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from carag_dsl.compiler import types as T
from carag_dsl.errors import CaragError, did_you_mean, quoted
from carag_dsl.language import ast
from carag_dsl.runtime.casedata import ISO_DATE, convert_value
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
            if identifier is None or identifier == "":
                continue
            if _json_like(identifier):
                case["id"] = identifier
            else:  # a date, a timestamp, bytes... from Arrow: results are JSON, so is an id
                problems.append(f"column {index} ('{name}'): {quoted(identifier)} is not allowed as an id; expected a text or a whole number")
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


def _json_like(value: Any) -> bool:
    """Whether a native cell is a JSON value (what an id may be: results are written as JSON)."""
    if value.__class__ in (str, int, float, bool):
        return True
    if value.__class__ is list:
        return all(item is None or _json_like(item) for item in value)
    if value.__class__ is dict:
        return all(key.__class__ is str and (item is None or _json_like(item)) for key, item in value.items())
    return False


def cell_value(type_expr: ast.TypeExpr, cell: Any) -> tuple[Any, str | None]:
    """A cell as the JSON value of its declared type (None for unknown); text cells in their CSV forms.

    A native cell (from Arrow, through :func:`~carag_dsl.runtime.arrow_cells.python_values`) is left to the
    per-case checker, which refuses what its type does not take (a timestamp, a date out of range: BadCell).
    """
    if cell is None:
        return None, None
    if not isinstance(cell, str):
        return cell, None  # a native value: the per-case checker decides
    text = cell.strip()
    if text == "":
        return None, None
    return csv_cell_value(type_expr, text)


def csv_cell_value(type_expr: ast.TypeExpr, text: str) -> tuple[Any, str | None]:
    """A non-empty CSV cell as the JSON value of its declared type (checked further by convert_value).

    Cells are read as spreadsheets write them: an option by its code or its label in any letter case
    (``Not a factor``, ``YES``), true/false also as yes/no, a date as ``YYYY-MM-DD`` or ``dd/mm/yyyy``.
    """
    kind = type_expr.kind
    if kind == "bool":
        lowered = text.lower()
        if lowered in CSV_TRUE:
            return True, None
        if lowered in CSV_FALSE:
            return False, None
        return None, f"{quoted(text)} is not allowed; expected true or false (yes or no also work, in any capitals; empty for unknown)"
    if kind == "int":
        if _WHOLE_NUMBER.fullmatch(text):
            try:
                return int(text), None
            except ValueError:  # thousands of digits: Python's limit on reading numbers, as for JSON
                return None, "a number has too many digits; expected a whole number"
        return None, f"{quoted(text)} is not allowed; expected a whole number"
    if kind == "date":
        return _date_cell(text)
    if kind == "any":
        if text == CSV_EMPTY_SET:
            return [], None
        codes = T.option_codes(type_expr)
        chosen = []
        for part in text.split(";"):
            part = part.strip()
            if not part:
                continue
            code = option_code(type_expr, part)
            if code is None:
                return None, (f"{quoted(part)} is not an option{did_you_mean(part, codes)}; expected codes or labels of "
                              f"{', '.join(codes)} separated by ';', or {CSV_EMPTY_SET} for none of them (empty for unknown)")
            chosen.append(code)
        return chosen, None
    if kind in T.SINGLE_OPTION_KINDS:
        code = option_code(type_expr, text)
        return (text if code is None else code), None  # an unknown option: convert_value says which are allowed
    return text, None  # text is a string, as in JSON


_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _date_cell(text: str) -> tuple[Any, str | None]:
    """A date cell: ``YYYY-MM-DD`` as in JSON, or the UK ``dd/mm/yyyy`` of spreadsheets, as ``YYYY-MM-DD``."""
    if ISO_DATE.fullmatch(text):
        return text, None  # convert_value checks the date exists
    uk = _UK_DATE.fullmatch(text)
    if uk is None:
        return None, f"{quoted(text)} is not a date; expected a date written YYYY-MM-DD or dd/mm/yyyy, e.g. 2025-02-28 or 28/02/2025 (empty for unknown)"
    day, month, year = (int(part) for part in uk.groups())
    try:
        return datetime.date(year, month, day).isoformat(), None
    except ValueError:
        return None, f"{quoted(text)} is not a real date (read as day/month/year); expected a date written YYYY-MM-DD or dd/mm/yyyy"


def option_code(type_expr: ast.TypeExpr, text: str) -> str | None:
    """The option ``text`` names: its code, or (in any letter case, ``_`` read as a space) its code or label."""
    codes = T.option_codes(type_expr)
    if text in codes:
        return text
    return _option_names(type_expr).get(_name_key(text))


def _name_key(text: str) -> str:
    return " ".join(text.replace("_", " ").casefold().split())


@functools.lru_cache(maxsize=256)
def _option_names(type_expr: ast.TypeExpr) -> dict[str, str]:
    """Each option's code and label, folded, to its code; a name two options share names neither."""
    found: dict[str, str | None] = {}
    labels = {option.code: option.label for option in type_expr.options}
    for code in T.option_codes(type_expr):
        for name in {_name_key(code), _name_key(labels.get(code) or code)}:
            found[name] = code if found.get(name, code) == code else None
    return {name: code for name, code in found.items() if code is not None}
