"""The table ODK Central and KoboToolbox export for a form of ``carag export xlsform``, read back as cases.

The layouts, as the servers write them:

- **ODK Central** (*Download* → CSV, or the ``.zip`` of all submissions, whose
  one table is ``FORM_ID.csv``): ``SubmissionDate``, then a column per field of
  the form named by its group path joined with ``-``
  (``group-facts-sentence``, ``group-1-X_4``; only the field's name with
  *Remove group names*), calculated values and notes among them, then
  ``meta-instanceID`` and the metadata ``KEY``, ``SubmitterID``,
  ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
  ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``;
  commas between cells, quotes only where needed. With *Split "select
  multiple" choices into columns*, each choice gets a 0/1 column
  ``COLUMN/choice`` after the field's own.
- **KoboToolbox** (*Downloads* → CSV or XLS, *XML values and headers*): the
  group path joined with ``/`` (the default group separator; ``.`` and
  ``-`` are read too, and names alone without groups), ``;`` between cells
  and every cell quoted, a multiple choice field followed by a ``1``/``0``
  column per choice (``COLUMN/choice``), and metadata columns that start
  with ``_`` (``_id``, ``_uuid``, ``_submission_time``, ``_index``, ...).

Values are the choices' names (``true``, ``licence``), several choices
separated by spaces, dates ``YYYY-MM-DD``, and blank for a question that was
not answered or not shown (the engines drop the values of questions that are
not relevant). ``meta/instanceID`` (or ``KEY``, or ``_uuid``) is the case id;
a ``FormVersion`` other than the rules' form version is an error of that
submission: it was routed by other rules.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator

import attrs

from carag_dsl.errors import UsageError
from carag_dsl.tools.form_import.common import CaseBuilder, Row, SubmissionFileError, Submissions, place_id
from carag_dsl.tools.forms.names import CaseField
from carag_dsl.tools.forms.plan import form_version
from carag_dsl.tools.forms.values import xform_value
from carag_dsl.tools.forms.xlsform import survey_rows, xlsform_plan

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

#: The metadata columns ODK Central writes after the fields.
CENTRAL_METADATA = frozenset({
    "SubmissionDate", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
    "ReviewState", "DeviceID", "Edits", "FormVersion",
})
#: How the servers join a field's group path in a column name (None: the name alone, "Remove group names").
SEPARATORS = ("-", "/", ".", None)
#: Where a case id is found, best first: the form's own instanceID, then what the servers call it.
ID_COLUMNS = ("instanceID", "KEY", "_uuid")
_DELIMITERS = (",", ";", "\t")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_INSTANCE_ID = ("meta", "instanceID")


@attrs.frozen
class Column:
    """What one column of the export holds."""

    role: str  # "field" | "split" (a choice's 0/1 column) | "id" | "version" | "ignored"
    field: CaseField | None = None
    choice: str | None = None  # of a "split" column; for an "id" column, which of ID_COLUMNS it is


def read_odk(rules: "CheckedRules", path: str, stream: IO[bytes] | None) -> Submissions:
    tables = _table(path, stream)
    plan, names = xlsform_plan(rules)
    layout = _FormLayout(survey_rows(plan)[0], list(names.fields()))
    header = next(tables, None)
    if header is None:
        return Submissions("rows", iter(()))
    columns = layout.columns(header, path)
    return Submissions("rows", _cases(columns, tables, path, form_version(rules)))


# ------------------------------------------------------------------ the table: CSV, ODK Central's ZIP, XLSX

def _table(path: str, stream: IO[bytes] | None) -> Iterator[list[str]]:
    """The header, then every row, as lists of texts (a row of a bad byte is kept for its error)."""
    suffix = "" if path == "-" else Path(path).suffix.lower()
    if suffix in ("", ".csv", ".txt"):
        return _csv_rows(stream, path)  # type: ignore[arg-type]
    if suffix == ".zip":
        return _zip_rows(stream, path)  # type: ignore[arg-type]
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    raise UsageError(f"cannot tell the format of {path} from its name: give the .csv, the .zip or the .xlsx the server exported")


def _csv_rows(stream: IO[bytes], path: str) -> Iterator[list[str]]:
    # newline="": a line break inside a quoted cell is the cell's (the csv module reads them); no other character
    # (U+2028, a form feed) ends a row. A byte that is not UTF-8 is the error of its row only.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")  # type: ignore[arg-type]
    try:
        yield from _csv_records(text, path)
    finally:
        if not stream.closed:  # (a reader given up on is closed after its file)
            text.detach()  # the caller closes the file


def _csv_records(text: IO[str], path: str) -> Iterator[list[str]]:
    first = text.readline()
    # KoboToolbox writes ';' between cells, ODK Central ','; the header says which (the one that splits it most).
    delimiter = max(_DELIMITERS, key=lambda d: len(next(csv.reader([first], delimiter=d), [])))
    reader = csv.reader(_lines(first, text), delimiter=delimiter)
    number = 0
    try:
        for row in reader:
            number += 1
            yield row
    except csv.Error as error:
        raise SubmissionFileError(f"{path}: row {number + 1}: not CSV as the servers write it ({error}); the rows after it were not read") from None


def _lines(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest


def _zip_rows(stream: IO[bytes], path: str) -> Iterator[list[str]]:
    """ODK Central's download of all submissions: a ZIP whose one table (``FORM_ID.csv``) is the submissions."""
    try:
        archive = zipfile.ZipFile(stream if stream.seekable() else io.BytesIO(stream.read()))
    except zipfile.BadZipFile:
        raise SubmissionFileError(f"{path}: not a ZIP file; give the .zip ODK Central downloads, or the .csv in it") from None
    tables = [name for name in archive.namelist() if name.lower().endswith(".csv") and "/" not in name.strip("/")]
    if len(tables) != 1:
        found = ", ".join(tables) or "none"
        raise SubmissionFileError(f"{path}: expected one CSV table of submissions in the ZIP, found {found}; give the .csv of the form")
    with archive.open(tables[0]) as member:
        yield from _csv_rows(member, f"{path}:{tables[0]}")


def _xlsx_rows(path: str) -> Iterator[list[str]]:
    try:
        from openpyxl import load_workbook  # type: ignore[import-untyped]
    except ImportError:
        raise UsageError("reading an XLSX export needs openpyxl: pip install 'carag-dsl[forms]'") from None
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise SubmissionFileError(f"{path}: not an XLSX workbook ({type(error).__name__}); give the .xlsx the server exported") from None
    try:
        for cells in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(cell) for cell in cells]
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """A workbook cell as the text the CSV export has (a spreadsheet may have made numbers and dates of them)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------ the header: which column is which field

class _FormLayout:
    """Every column an export of the form can have, by how the server joins group paths."""

    def __init__(self, survey: list[dict[str, Any]], fields: list[CaseField]):
        by_name = {field.form_name: field for field in fields}
        self.paths: list[tuple[tuple[str, ...], Column]] = [(_INSTANCE_ID, Column("id", choice="instanceID"))]
        groups: list[str] = []
        for row in survey:
            if row["type"] == "begin group":
                groups.append(row["name"])
            elif row["type"] == "end group":
                groups.pop()
            else:
                field = by_name.get(row["name"])
                role = "field" if field is not None and not row["type"].startswith(("calculate", "note")) else "ignored"
                self.paths.append(((*groups, row["name"]), Column(role, field if role == "field" else None)))

    def by_separator(self, separator: str | None) -> dict[str, Column]:
        return {(separator.join(path) if separator else path[-1]): column for path, column in self.paths}

    def columns(self, header: list[str], path: str) -> list[Column]:
        """What each column of ``header`` holds; SubmissionFileError for a header that is not of this form."""
        header = [name.strip() for name in header]
        layouts = {separator: self.by_separator(separator) for separator in SEPARATORS}
        separator = max(SEPARATORS, key=lambda s: sum(name in layouts[s] for name in header))
        known = layouts[separator]
        if not any(known[name].role == "field" for name in header if name in known):
            raise SubmissionFileError(
                f"{path}: no column names a field of the form made from these rules; export the submissions of that form "
                "with the fields' names as headers (ODK Central: CSV; KoboToolbox: 'XML values and headers')"
            )
        seen: set[str] = set()
        twice = [name for name in header if name in seen or seen.add(name)]  # type: ignore[func-returns-value]
        if twice:
            raise SubmissionFileError(f"{path}: the column {twice[0]!r} is in the header twice")
        columns = [self._column(name, known, separator) for name in header]
        unknown = [f"{number} ({name!r})" for number, (name, column) in enumerate(zip(header, columns), start=1) if column is None]
        if unknown:
            raise SubmissionFileError(
                f"{path}: column {', '.join(unknown[:5])}{' and others' if len(unknown) > 5 else ''} "
                "is not a field of the form made from these rules; export the form made from the rules the submissions were "
                "made with, or import them with those rules"
            )
        return columns  # type: ignore[return-value]

    @staticmethod
    def _column(name: str, known: dict[str, Column], separator: str | None) -> Column | None:
        if name in known:
            return known[name]
        if name == "FormVersion":
            return Column("version")
        if name in ID_COLUMNS:
            return Column("id", choice=name)
        if name in CENTRAL_METADATA or name.startswith("_") or any(
            name.startswith(group + mark) for group in ("meta", "formhub") for mark in "-/."
        ):
            return Column("ignored")
        # A choice's 0/1 column: the multiple choice field's column, '/' (or the group separator), the choice's name.
        for mark in {"/", separator or "/"}:
            field_column, _, choice = name.rpartition(mark)
            column = known.get(field_column)
            if column is not None and column.field is not None and column.field.type.kind == "any" and choice:
                return Column("split", column.field, choice)
        return None


# ------------------------------------------------------------------ the rows

def _cases(columns: list[Column], rows: Iterator[list[str]], path: str, version: str) -> Iterator[Row]:
    width = len(columns)
    summarised = {column.field.form_name for column in columns if column.role == "field" and column.field is not None}
    id_columns = sorted((index for index, column in enumerate(columns) if column.role == "id"),
                        key=lambda index: ID_COLUMNS.index(columns[index].choice or "instanceID"))
    for number, cells in enumerate(rows, start=2):  # the header is row 1, as a spreadsheet shows it
        if not any(cell.strip() for cell in cells):
            continue
        yield _case(number, cells, columns, width, summarised, id_columns, path, version)


def _case(number: int, cells: list[str], columns: list[Column], width: int, summarised: set[str], id_columns: list[int],
          path: str, version: str) -> Row:
    if len(cells) > width:
        return number, None, f"the row has {len(cells)} cells; the header names {width} columns"
    cells = cells + [""] * (width - len(cells))  # spreadsheets leave out blank cells at the end of a row
    bad_byte = next((cell for cell in cells if _NOT_UTF8.search(cell)), None)
    if bad_byte is not None:
        return number, None, "not UTF-8 text: a cell holds a byte that is not UTF-8 (export the file as UTF-8)"
    case_id = next((cells[index].strip() for index in id_columns if cells[index].strip()), None) or place_id(path, "rows", number)
    built = CaseBuilder(case_id)
    chosen: dict[str, list[str]] = {}  # from the 0/1 columns of a multiple choice field exported without its own column
    for column, cell in zip(columns, cells):
        if column.role == "field":
            assert column.field is not None
            built.put(column.field, *xform_value(column.field.type, cell))
        elif column.role == "version" and cell.strip() and cell.strip() != version:
            built.wrong(f"filled in with the form of rules version {cell.strip()!r}; these rules make version {version!r}: "
                        "import the submissions with the rules their form was made from")
        elif column.role == "split" and column.field is not None and column.field.form_name not in summarised:
            if cell.strip() not in ("", "0", "1", "0.0", "1.0", "true", "false", "True", "False"):
                built.wrong(f"column {column.field.form_name}/{column.choice}: {cell!r} is not 1 or 0")
            elif cell.strip() in ("1", "1.0", "true", "True"):
                chosen.setdefault(column.field.form_name, []).append(column.choice or "")
    for column in columns:
        field = column.field
        if column.role == "split" and field is not None and field.form_name in chosen:
            built.put(field, *xform_value(field.type, " ".join(chosen.pop(field.form_name))))
    return built.row(number)

