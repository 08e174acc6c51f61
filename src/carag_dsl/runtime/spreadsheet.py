"""CSV cells a spreadsheet cannot mistake for formulas (CSV injection, OWASP's advice).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is run as a formula by Excel, LibreOffice and Google Sheets when the file is
opened (``=HYPERLINK(...)`` from a free-text fact grouped with ``--by``).
Every CSV carag writes passes its cells through :func:`safe_cell`, which puts a
``'`` in front of such text: spreadsheets then show it as text, as written.
Numbers carag computes are written as numbers.
"""

from __future__ import annotations

from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with a ``'`` in front when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(cell) for cell in row]
