"""The columnar back end: a whole batch of cases evaluated at once with numpy.

The third back end beside the reference evaluator and the per-case compiled
function, lowered from the same checked AST (:mod:`.lowering`), three-valued
logic as int8 columns (:mod:`.vectors`). It takes columns and returns
columns; :class:`~.engine.BatchResult` holds them, and :func:`result_dicts`
gives each row exactly what ``Evaluation.to_dict()`` gives (or its error).

Inputs:

- :func:`evaluate_columns`: the wide layout (a column per fact and per question
  id, plus ``id``) as a pyarrow Table or RecordBatch, or a dict of arrays or
  lists; native Arrow types or the CSV text forms.
- :func:`evaluate_cases`: case dicts as read from JSON Lines
  (``{"id", "facts", "answers"}``), turned into columns here.

Rows the vector form cannot decide exactly (bad data, failing constraints,
contradicting or refused overrides, huge numbers) are evaluated by the per-case path,
so every row gets the per-case result or the per-case error, in input order.
numpy and pyarrow come with ``pip install 'carag-dsl[bulk]'``.
"""

from __future__ import annotations

from carag_dsl.runtime.evaluation import ruleset_identity

import math
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

import numpy as np

from carag_dsl.errors import CaragError
from carag_dsl.runtime.arrow_cells import python_values
from carag_dsl.runtime.casedata import CASE_KEYS, CaseData
from carag_dsl.runtime.columnar.engine import SOURCES, STATUSES, BatchResult, ColumnarRules
from carag_dsl.runtime.columnar.vectors import SET
from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.runtime.wide import case_from_row, read_header

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules
    from carag_dsl.runtime.evaluation import Evaluation

__all__ = ["BatchResult", "ColumnarRules", "columnar_rules", "evaluate_cases", "evaluate_columns", "result_dicts"]


def columnar_rules(rules: "CheckedRules") -> ColumnarRules:
    """The rule set lowered to numpy, built on first use and kept with the rule set."""
    return rules.derived(ColumnarRules)


def per_case(rules: "CheckedRules", case: Any) -> "Evaluation | str":
    """One case the per-case way: its Evaluation, or its error as ``carag eval`` prints it."""
    try:
        return evaluate_case(rules, case)
    except CaragError as error:
        return str(error)


# ------------------------------------------------------------------ wide columns in


def evaluate_columns(rules: "CheckedRules", columns: Any, path: str = "<columns>") -> BatchResult:
    """Evaluate cases given in the wide layout (pyarrow Table/RecordBatch, or a mapping of name -> column).

    Raises CsvHeaderError when a column is not a fact, a question id or ``id``.
    """
    names, data, n = _columns_of(columns)
    layout = read_header(rules, names, path)
    by_name = {name: column for (name, _, _), column in zip(layout, data)}  # names as read_header cleans them

    def rows_per_case(rows: list[int], bad_cells: Mapping[str, np.ndarray]) -> "list[Evaluation | str]":
        # The error of a row names only its bad cells: read just those (and the id) to word it.
        position = {name: index for index, (name, _, _) in enumerate(layout)}
        cells_of: dict[int, list[Any]] = {}  # row -> its cells, None but the id and the bad ones
        for name, bad in bad_cells.items():
            bad_rows = np.flatnonzero(bad).tolist()
            for row, value in zip(bad_rows, _take(data[position[name]], bad_rows)):
                if row not in cells_of:
                    cells_of[row] = [None] * len(layout)
                cells_of[row][position[name]] = value
        if cells_of and "id" in position:
            for row, value in zip(cells_of, _take(data[position["id"]], list(cells_of))):
                cells_of[row][position["id"]] = value
        found: dict[int, Evaluation | str] = {}
        for row, cells in cells_of.items():
            _, wrong = case_from_row(cells, layout)
            if wrong is not None:
                found[row] = wrong
        whole = [row for row in rows if row not in found]  # (a flagged row the checker accepts is read whole)
        if whole:
            for row, whole_cells in zip(whole, zip(*(_take(column, whole) for column in data))):
                case, wrong = case_from_row(whole_cells, layout)
                found[row] = wrong if wrong is not None else per_case(rules, case)
        return [found[row] for row in rows]

    id_column = by_name.get("id")
    return columnar_rules(rules).evaluate(by_name, n, rows_per_case, text_forms=True, marked=_odd_ids(id_column, n), read_ids=lambda: _ids(id_column, n),
                                          read_ids_at=lambda rows: _plain_ids(_take(id_column, rows)) if id_column is not None else [None] * len(rows))


def _columns_of(columns: Any) -> tuple[list[str], list[Any], int]:
    if hasattr(columns, "column_names") and hasattr(columns, "num_rows"):  # pyarrow Table or RecordBatch
        return list(columns.column_names), [columns.column(i) for i in range(columns.num_columns)], columns.num_rows
    if isinstance(columns, Mapping):
        names = [str(name) for name in columns]
        data = list(columns.values())
        lengths = {len(column) for column in data}
        if len(lengths) > 1:
            raise CaragError(f"the columns have different lengths ({', '.join(str(n) for n in sorted(lengths))}); each column holds one value per case")
        return names, data, lengths.pop() if lengths else 0
    raise CaragError(f"columns must be a pyarrow Table or RecordBatch or a mapping of column name -> values, not {type(columns).__name__}")


def _take(column: Any, rows: list[int]) -> list[Any]:
    """The cells of some rows as Python values."""
    if not rows:
        return []
    if hasattr(column, "take") and hasattr(column, "to_pylist"):  # pyarrow
        return python_values(column.take(rows))
    if isinstance(column, np.ndarray):
        return column[rows].tolist()  # type: ignore[no-any-return]
    return [column[row] for row in rows]


def _ids(column: Any, n: int) -> list[Any]:
    if column is None:
        return [None] * n
    return _plain_ids(python_values(column) if hasattr(column, "to_pylist") else _take(column, list(range(n))))


def _odd_ids(column: Any, n: int) -> np.ndarray | None:
    """Rows whose id the per-case path refuses (NaN, a date, a timestamp...: results are JSON), or None.

    Text and whole-number id columns are never looked at: only other types are read value by value.
    """
    if column is None:
        return None
    if hasattr(column, "type"):
        import pyarrow as pa

        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind) or pa.types.is_null(kind):
            return None
    odd = np.zeros(n, dtype=bool)
    for row, (case, wrong) in enumerate(case_from_row([value], _ID_LAYOUT) for value in _ids(column, n)):
        odd[row] = wrong is not None or (case is not None and not _writable_id(case.get("id")))
    return odd if odd.any() else None


_ID_LAYOUT = [("id", "id", None)]


def _writable_id(value: Any) -> bool:
    return not (value.__class__ is float and not math.isfinite(value))


def _plain_ids(values: list[Any]) -> list[Any]:
    """Ids as the wide layout reads them: text stripped, empty text none."""
    return [(v.strip() or None) if isinstance(v, str) else v for v in values]


# ------------------------------------------------------------------ case dicts in


def evaluate_cases(rules: "CheckedRules", cases: Sequence[Any], marked: np.ndarray | None = None) -> BatchResult:
    """Evaluate case dicts (as decoded from JSON Lines) as one batch; results in the same order.

    ``marked`` rows are evaluated per case whatever they hold (callers mark lines that were not JSON).
    Cases may also be checked already (:class:`CaseData`, as the fast decoder of
    :mod:`carag_dsl.runtime.fastcase` gives them); in a batch holding some, the plain dicts (the few
    lines that decoder could not vouch for) are evaluated per case, so no column mixes checked values
    with raw JSON ones.
    """
    n = len(cases)
    symbols = rules.symbols
    answerable = frozenset(qid for qid, q in symbols.questions.items() if q.answer is not None)
    fact_names = frozenset(symbols.facts)
    sections: dict[str, list[Any]] = {"facts": [_EMPTY] * n, "answers": [_EMPTY] * n}
    odd = np.zeros(n, dtype=bool) if marked is None else marked.copy()
    ids: list[Any] = [None] * n
    checked = any(case.__class__ is CaseData for case in cases)
    for row, case in enumerate(cases):
        if odd[row]:
            continue
        if case.__class__ is CaseData:
            if case.reasons:  # carried by the per-case path
                odd[row] = True
                continue
            ids[row] = case.id
            if case.facts:
                sections["facts"][row] = case.facts
            if case.answers:
                sections["answers"][row] = case.answers
            continue
        # Anything but the plain shape goes to the per-case path, which words the error.
        if checked or case.__class__ is not dict or not case.keys() <= _CASE_KEYS:
            odd[row] = True
            continue
        ids[row] = case.get("id")
        for section, declared in (("facts", fact_names), ("answers", answerable)):
            given = case.get(section)
            if given is None:
                continue
            if given.__class__ is not dict or not given.keys() <= declared:
                odd[row] = True
                break
            sections[section][row] = given
    fields: dict[str, Any] = {}
    fields.update(_section_columns(sections["facts"], fact_names, n))
    fields.update(_section_columns(sections["answers"], answerable, n))
    return columnar_rules(rules).evaluate(fields, n, lambda rows, _: [per_case(rules, cases[row]) for row in rows], text_forms=False,
                                          marked=odd, read_ids=lambda: ids)


#: The keys a row evaluated in columns may have: a case that gives reasons goes the per-case way, which carries them.
_CASE_KEYS = frozenset(CASE_KEYS) - {"reasons"}
_EMPTY: dict[str, Any] = {}


def _section_columns(given: list[dict[str, Any]], names: frozenset[str], n: int) -> dict[str, Any]:
    """One column per name from a section's dicts: typed by pyarrow in C when each name's values share a
    type, else as lists of the JSON values (checked one distinct value at a time, see decode)."""
    import pyarrow as pa

    try:
        struct = pa.array(given)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):  # mixed types in a field, huge numbers...
        struct = None
    if struct is not None and pa.types.is_struct(struct.type):
        return {struct.type.field(i).name: struct.field(i) for i in range(struct.type.num_fields)}
    columns: dict[str, list[Any]] = {name: [None] * n for name in names}
    for row, values in enumerate(given):
        for name, value in values.items():
            columns[name][row] = value
    return columns


# ------------------------------------------------------------------ results out


def result_dicts(result: BatchResult) -> Iterator["dict[str, Any] | str"]:
    """Per row, in order: exactly ``Evaluation.to_dict()`` of the per-case path, or the text of its error."""
    rules = result.engine.rules
    strings = result.strings.values
    universe = result.engine.lowering.universe_column
    questions = list(rules.symbols.questions)
    set_columns = {
        qid: [(code, universe[code]) for code in rules.option_order(qid)]
        for qid in questions if result.value[qid].kind == SET
    } if result.value else {}
    for row in range(result.n):
        done = result.per_case.get(row)
        if done is not None:
            yield done if isinstance(done, str) else done.to_dict()
            continue
        entries = {}
        for qid in questions:
            source = int(result.source[qid][row])
            value: Any = None
            if source:
                vec = result.value[qid]
                if vec.kind == SET:
                    flags = vec.data[row]
                    value = [code for code, column in set_columns[qid] if flags[column]]
                else:
                    value = strings[vec.data[row]]
            entries[qid] = {"status": STATUSES[int(result.status[qid][row])], "value": value, "source": SOURCES[source]}
        known_type = result.case_type_source[row] > 0
        yield {
            "id": result.ids[row],
            "case_type": strings[result.case_type[row]] if known_type else None,
            "excluded": result.excluded_json(row),
            "questions": entries,
            "warnings": list(result.warnings.get(row, ())),
            "reasons": {},  # a case that gives reasons is evaluated the per-case way
            "ruleset": ruleset_identity(result.engine.rules),
        }


def group_keys(result: BatchResult, by: str, kind: str, codes: tuple[str, ...]) -> list[Any]:
    """Each row's subgroup for a rating broken down by ``by``: the value ``rating.tally.group_value`` gives."""
    import datetime

    from carag_dsl.runtime.columnar.vectors import BOOL, DATE, DURATION, INT

    if kind == "question":
        vec = result.value[by]
        known = (result.status[by] == 0) & (result.source[by] != 0)
    elif kind == "case_type":
        vec = result.env.case_type if result.env is not None else None  # type: ignore[assignment]
        known = result.case_type_source > 0
    else:
        env = result.env
        vec = (env.facts if kind == "fact" else env.defines)[by]  # type: ignore[union-attr]
        known = vec.is_known()
    assert vec is not None
    strings = result.strings.values
    rank = {code: i for i, code in enumerate(codes)}
    columns = sorted(result.engine.lowering.universe_column.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))
    keys: list[Any] = []
    for row in range(result.n):
        if not known[row]:
            keys.append(None)
        elif vec.kind == BOOL:
            keys.append(bool(vec.data[row] > 0))
        elif vec.kind == INT:
            keys.append(int(vec.data[row]))
        elif vec.kind == DATE:
            keys.append(datetime.date.fromordinal(int(vec.data[row])))
        elif vec.kind == DURATION:
            keys.append(datetime.timedelta(days=int(vec.data[row])))
        elif vec.kind == SET:
            flags = vec.data[row]
            keys.append(tuple(code for code, column in columns if flags[column]))
        else:
            keys.append(strings[vec.data[row]])
    return keys
