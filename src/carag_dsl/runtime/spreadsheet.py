"""CSV cells a spreadsheet cannot mistake for formulas (CSV injection, OWASP's advice).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is run as a formula by Excel, LibreOffice and Google Sheets when the file is
opened (``=HYPERLINK(...)`` from a free-text fact grouped with ``--by``).
Every CSV carag writes passes its cells through :func:`safe_cell`, which puts a
``'`` in front of such text: spreadsheets then show it as text, as written.
Numbers carag computes are written as numbers.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a ``'`` in front when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(cell) for cell in row]


def result_cell(value: Any) -> str:
    """A value of a result as a CSV cell a spreadsheet shows as text: a list (warnings, or the inspector's reasons
    as (question id, text) pairs) one item per line, None empty, any other JSON value as its text cell."""
    if isinstance(value, list):
        return safe_cell("\n".join(item if isinstance(item, str) else f"{item[0]}: {item[1]}" for item in value))  # type: ignore[no-any-return]
    from carag_dsl.runtime.evaluation import text_cell

    return safe_cell(text_cell(value) or "")  # type: ignore[no-any-return]


def csv_line(cells: Iterable[str]) -> str:
    """A row of two or more cells as ``csv.writer(lineterminator="\\n")`` writes it, without the line break.

    Each cell is quoted or not on its own (QUOTE_MINIMAL), so a row is its cells joined by commas; a cell that may
    need quotes is quoted by ``csv`` itself, so the bytes are the ``csv`` module's on every Python version.
    """
    return ",".join(map(csv_field, cells))


def csv_field(text: str) -> str:
    """One cell as ``csv.writer`` writes it within a row of two or more cells."""
    if "," not in text and '"' not in text and "\n" not in text and "\r" not in text:
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([text, ""])
    return out.getvalue()[:-2]
