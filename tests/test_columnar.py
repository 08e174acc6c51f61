"""Every back end agrees with the reference evaluator on generated batches of cases, bad data included.

The columnar back end evaluates a batch at once; each row must come out as
the reference gives that case: statuses, values, sources, case type,
warnings, or the very same error text. It is fed two ways: case dicts (as
read from JSON Lines) and the wide layout of CSV and Parquet (native Arrow
types and the CSV text forms, mixed).
"""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

from carag_dsl import CaragError, load, loads  # noqa: E402
from carag_dsl.runtime.columnar import evaluate_cases, evaluate_columns, result_dicts  # noqa: E402
from carag_dsl.runtime.columnar.encode import result_lines  # noqa: E402
from carag_dsl.runtime.columnar.engine import SOURCES  # noqa: E402
from carag_dsl.runtime.result_writer import ResultWriter  # noqa: E402
from carag_dsl.runtime.wide import case_from_row, read_header  # noqa: E402
from test_codegen import SMALL_RULE_SETS, cases_for  # noqa: E402

BATCHES = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BACK_ENDS = ("compiled", "columnar: case dicts", "columnar: wide columns")


def reference(rules, case):
    """What the reference evaluator says about one case: its result JSON, or its error text."""
    try:
        return rules.evaluate(case, backend="reference").to_dict()
    except CaragError as error:
        return str(error)


def outcomes(rules, back_end, cases):
    if back_end == "compiled":
        found = []
        for case in cases:
            try:
                found.append(rules.evaluate(case, backend="compiled").to_dict())
            except CaragError as error:
                found.append(str(error))
        return found
    return list(result_dicts(evaluate_cases(rules, cases)))


# ------------------------------------------------------------------ the wide layout


def wide_cells(rules, case, draw):
    """The case as one row of wide cells: native values or CSV text forms, drawn per cell."""
    row = {"id": case.get("id")}
    for section in ("facts", "answers"):
        given = case.get(section) if isinstance(case, dict) else None
        for name, value in (given or {}).items():
            row[name] = draw(_text_form_or_native(rules, section, name, value))
    return row


def _text_form_or_native(rules, section, name, value):
    declared = rules.symbols.facts[name].type if section == "facts" and name in rules.symbols.facts else None
    forms = [st.just(value)]
    if declared is not None and declared.kind == "bool" and isinstance(value, bool):
        forms.append(st.sampled_from(["yes", "TRUE", " true "] if value else ["no", "False"]))
    if declared is not None and declared.kind == "date" and isinstance(value, str):
        try:
            forms.append(st.just(datetime.date.fromisoformat(value)))
        except ValueError:
            pass
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        forms.append(st.just(";".join(value) if value else "(none)"))
    if isinstance(value, int) and not isinstance(value, bool):
        forms.append(st.just(str(value)))
    return st.one_of(forms)


def wide_table(rules, rows):
    """Columns of the rows: an Arrow array where the values share one type, else a plain list."""
    names = ["id"] + [n for n in rules.symbols.facts] + [q for q, d in rules.symbols.questions.items() if d.answer is not None]
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        try:
            columns[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            columns[name] = values
    return columns


def reference_of_row(rules, layout, columns, row):
    cells = [columns[name][row].as_py() if isinstance(columns[name], pa.Array) else columns[name][row] for name, _, _ in layout]
    case, wrong = case_from_row(cells, layout)
    return wrong if wrong is not None else reference(rules, case)


def check_batch(rules, back_end, cases, draw):
    if back_end != "columnar: wide columns":
        expected = [reference(rules, case) for case in cases]
        assert outcomes(rules, back_end, cases) == expected
        if back_end == "columnar: case dicts":  # and the result lines it writes, byte for byte
            lines = result_lines(evaluate_cases(rules, cases), ResultWriter(rules).line)
            assert lines == [None if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in expected]
        return
    dict_cases = [c for c in cases if isinstance(c, dict) and isinstance(c.get("facts", {}), dict) and isinstance(c.get("answers", {}), dict)]
    columns = wide_table(rules, [wide_cells(rules, case, draw) for case in dict_cases])
    layout = read_header(rules, list(columns), "<test>")
    found = list(result_dicts(evaluate_columns(rules, columns)))
    assert found == [reference_of_row(rules, layout, columns, row) for row in range(len(dict_cases))]


def batches(rules):
    return st.lists(cases_for(rules), min_size=1, max_size=12)


@pytest.fixture(scope="module")
def bundled():
    return load()


@pytest.mark.parametrize("back_end", BACK_ENDS)
@pytest.mark.parametrize("name", sorted(SMALL_RULE_SETS))
def test_every_back_end_agrees_with_the_reference_on_small_rule_sets(name, back_end):
    rules = loads(SMALL_RULE_SETS[name])

    @BATCHES
    @given(data=st.data())
    def check(data):
        check_batch(rules, back_end, data.draw(batches(rules)), data.draw)

    check()


@pytest.mark.parametrize("back_end", BACK_ENDS)
def test_every_back_end_agrees_with_the_reference_on_the_bundled_carag(bundled, back_end):
    @BATCHES
    @given(data=st.data())
    def check(data):
        check_batch(bundled, back_end, data.draw(batches(bundled)), data.draw)

    check()


def test_sets_read_as_words_and_dates_moved_past_the_calendar_agree_with_the_reference_in_columns():
    """Sets are tested a 64-bit word at a time (the codes past the eighth sit in a second word, the columns
    padded to whole words), and a date moved by a literal duration is checked only on the side it moves to:
    cases placed on those edges, where generated ones rarely land."""
    rules = loads(SMALL_RULE_SETS["literals"])
    sets = [[], ["red"], ["olive"], ["grey", "pink"], ["red", "olive"], ["pink", "brown"],
            ["red", "green", "blue", "cyan", "magenta", "yellow", "black", "white", "grey", "pink", "brown", "olive"]]
    dates = [("0001-01-05", "0001-01-01"), ("0001-01-01", "0001-01-20"), ("9999-12-31", "9999-12-20"), ("9999-12-31", "9999-12-11"), ("9999-12-20", "9999-12-31"),
             ("2025-03-01", "2025-02-20"), ("2025-03-01", "2025-02-12")]
    cases = []
    for number, (tags, answer) in enumerate((tags, answer) for tags in sets for answer in sets):
        start, end = dates[number % len(dates)]
        facts = {"tags": tags, "start": start, "end": end, "level": ("medium", "none", "extreme")[number % 3], "n": number % 9}
        cases.append({"id": number, "facts": facts, "answers": {"L2": answer}})
    expected = [reference(rules, case) for case in cases]
    assert {e["questions"]["L6"]["status"] for e in expected} == {"applies", "not_applicable"}  # the cases reach both sides
    assert {e["questions"]["L7"]["status"] for e in expected} == {"applies", "not_applicable", "pending"}
    for back_end in BACK_ENDS[1:]:
        found = outcomes(rules, back_end, cases) if back_end != "columnar: wide columns" else list(
            result_dicts(evaluate_columns(rules, wide_table(rules, [{"id": c["id"], **c["facts"], **c["answers"]} for c in cases]))))
        assert found == expected, back_end


@pytest.mark.parametrize("back_end", BACK_ENDS[1:])
def test_a_batch_of_bad_rows_keeps_every_row_in_order_with_its_error(bundled, back_end):
    cases = [
        {"id": 1, "facts": {"sentence": "licence"}},
        {"id": 2, "facts": {"sentence": "parole"}},  # not an option
        {"id": 3, "facts": {"suspension": "none", "suspension_date": "2025-01-01"}},  # a constraint fails
        {"id": 4, "answers": {"2.0.19a": "yes", "2.0.20a": "yes"}},  # overrides contradict
        {"id": 5},
    ]
    found = outcomes(bundled, back_end, cases) if back_end != "columnar: wide columns" else None
    if found is None:
        rows = [{"id": str(c["id"]), **c.get("facts", {}), **c.get("answers", {})} for c in cases]
        columns = {name: [row.get(name) for row in rows] for name in ["id", "sentence", "suspension", "suspension_date", "2.0.19a", "2.0.20a"]}
        found = list(result_dicts(evaluate_columns(bundled, columns)))
    assert [isinstance(f, str) for f in found] == [False, True, True, True, False]
    assert "'parole' is not allowed" in found[1]
    assert "suspension is 'none'" in found[2]
    assert "contradict" in found[3]


def test_overrides_taken_or_refused_and_excluded_cases_are_decided_in_columns_as_the_reference_decides_them(bundled):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from cases import generate

    evaluated = []
    for case in generate(bundled, 1500, seed=11):
        try:
            evaluated.append((case, bundled.evaluate(case, backend="reference")))
        except CaragError:
            continue
    kinds = {
        "refused override": lambda e: any(w.startswith("case type: the answers (") for w in e.warnings),
        "override taken": lambda e: e.case_type_source == "answer",
        "excluded": lambda e: e.excluded is not None,
    }
    chosen = []
    for kind, test in kinds.items():
        found = [(case, e) for case, e in evaluated if test(e)]
        assert found, f"the generated cases include: {kind}"
        chosen += found[:40]
    cases, expected = [c for c, _ in chosen], [e.to_dict() for _, e in chosen]
    batch = evaluate_cases(bundled, cases)
    assert not batch.per_case, "decided in columns, none handed to the per-case path"
    assert list(result_dicts(batch)) == expected
    # Where the case type comes from (an override's answer, or the rules), which result JSON does not show.
    assert [SOURCES[code] for code in batch.case_type_source.tolist()] == [e.case_type_source for _, e in chosen]
    assert result_lines(batch, ResultWriter(bundled).line) == [json.dumps(e, ensure_ascii=False) for e in expected]
    # In the wide layout an empty text cell is unknown: the reference reads the row as carag rate does.
    columns = wide_table(bundled, [{"id": c.get("id"), **c.get("facts", {}), **c.get("answers", {})} for c in cases])
    layout = read_header(bundled, list(columns), "<test>")
    wide = evaluate_columns(bundled, columns)
    assert not wide.per_case
    assert list(result_dicts(wide)) == [reference_of_row(bundled, layout, columns, row) for row in range(len(cases))]


def test_a_case_failing_only_constraints_gets_the_reference_error_from_the_columns(bundled, monkeypatch):
    import carag_dsl.runtime.columnar as columnar

    facts = {"sentence": "licence", "start_date": "2025-03-01", "suspension": "reset", "suspension_date": "2025-01-01"}
    cases = [{"id": "c1", "facts": facts}, {"id": 7, "facts": facts}, {"facts": facts}]
    expected = [reference(bundled, case) for case in cases]
    assert all(isinstance(e, str) and "suspension_date" in e for e in expected), "each case fails a constraint"
    with monkeypatch.context() as patched:  # none of them needs the per-case path
        patched.setattr(columnar, "per_case", lambda *_: pytest.fail("evaluated per case"))
        assert list(result_dicts(evaluate_cases(bundled, cases))) == expected
        columns = wide_table(bundled, [{"id": str(c.get("id", "")) or None, **c["facts"]} for c in cases])
        assert list(result_dicts(evaluate_columns(bundled, columns))) == [e.replace("case 7", "case '7'") for e in expected]
    odd = [{"id": 1.5, "facts": facts}, {"id": True, "facts": facts}]  # ids the per-case path words
    assert list(result_dicts(evaluate_cases(bundled, odd))) == [reference(bundled, case) for case in odd]


def test_cases_checked_by_the_fast_decoder_and_the_lines_it_leaves_agree_with_the_reference(bundled):
    import sys
    from pathlib import Path

    pytest.importorskip("msgspec")
    from carag_dsl.runtime.fastcase import fast_case_decoder

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from cases import generate

    fast = fast_case_decoder(bundled)
    # one line the fast decoder must leave (an answer that is not an option), whatever the generator's draws
    dicts = [*generate(bundled, 400, seed=5), {"id": "left", "facts": {"sentence": "licence"}, "answers": {"X 6": "maybe"}}]
    decoded = [fast(json.dumps(case).encode()) or case for case in dicts]  # None: the line goes the usual way
    assert any(type(c).__name__ == "CaseData" for c in decoded) and any(isinstance(c, dict) for c in decoded)
    expected = [reference(bundled, case) for case in dicts]
    batch = evaluate_cases(bundled, decoded)
    assert list(result_dicts(batch)) == expected
    assert result_lines(batch, ResultWriter(bundled).line) == [None if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in expected]


def test_contradicting_overrides_get_the_reference_error_from_the_columns_before_any_failing_constraint(bundled, monkeypatch):
    import carag_dsl.runtime.columnar as columnar

    answers = {"2.0.19a": "yes", "2.0.20a": "yes"}
    broken = {"sentence": "licence", "start_date": "2025-03-01", "suspension": "reset", "suspension_date": "2025-01-01"}
    cases = [{"id": "c1", "answers": answers}, {"id": 2, "facts": broken, "answers": answers}, {"answers": answers}]
    expected = [reference(bundled, case) for case in cases]
    assert all(isinstance(e, str) and "contradict" in e for e in expected)
    with monkeypatch.context() as patched:  # none of them needs the per-case path
        patched.setattr(columnar, "per_case", lambda *_: pytest.fail("evaluated per case"))
        assert list(result_dicts(evaluate_cases(bundled, cases))) == expected
