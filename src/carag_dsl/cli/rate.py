"""``carag rate [RULES] --cases FILE [--by NAME] [--format table|json|csv|html] [--output PATH]``.

Rates a sample of cases (see docs/ratings.md). The cases come as JSON Lines
(``.jsonl``, ``.ndjson``, ``.json``; ``-`` reads JSON Lines from standard
input) or as CSV (``.csv``: one column per fact and per question id, plus an
optional ``id`` column). Bad lines are reported on standard error with their
numbers and excluded from the rating; the report is still written and the
exit status is then 1.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from carag_dsl.language import ast
from carag_dsl.compiler import types as T
from carag_dsl.runtime.casedata import convert_value
from carag_dsl.errors import CaragError, UsageError, did_you_mean
from carag_dsl.rating.tally import RatingTally, cap_notes, percent_of
from carag_dsl.api import RuleSet
from carag_dsl.cli._common import add_rules_argument, iter_jsonl, load_rules, open_input
from carag_dsl.cli._progress import Progress

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIXES = (".csv",)
FORMATS = ("table", "json", "csv", "html")
# CSV spellings of a bool fact: any letter case, so spreadsheet TRUE/FALSE work too.
CSV_TRUE, CSV_FALSE = ("true", "yes"), ("false", "no")
# CSV spelling of an empty multi-choice answer ("none of these"); an empty cell means unknown.
CSV_EMPTY_SET = "(none)"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "rate",
        help="rate a sample of cases: per key question the share judged 'yes' and its band, per standard its band",
        description="Rate a sample of cases. Bad lines are reported with their numbers and left out; the exit status is then 1.",
    )
    add_rules_argument(parser)
    parser.add_argument("--cases", metavar="FILE", required=True,
                        help="the cases: JSON Lines (.jsonl, .ndjson, .json; '-' for standard input) or CSV (.csv)")
    parser.add_argument("--by", metavar="NAME", help="also break every figure down by a fact, a defined name, case_type or a question id")
    parser.add_argument("--format", choices=FORMATS, default="table", help="table (the default, for people), json, csv, or html (a self-contained report with charts)")
    parser.add_argument("--output", metavar="PATH", help="write the report to PATH instead of standard output")
    parser.set_defaults(run=run)


def run(args) -> int:
    reader = reader_for(args.cases)
    ruleset = load_rules(args)
    tally = RatingTally(ruleset, args.by)  # an unknown --by fails here, before any reading
    bad = feed_cases(args.cases, lambda lines: reader(ruleset, lines, args.cases), tally.add_case, "rating")
    rated = tally.result().to_dict()
    _write_report(ruleset, rated, args)
    if bad:
        print(f"{bad} bad line{'s' if bad != 1 else ''} in {args.cases} left out of the rating; "
              f"{rated['cases']} case{'s' if rated['cases'] != 1 else ''} rated", file=sys.stderr)
    return 1 if bad else 0


def feed_cases(path: str, read: Callable[[Iterable[str]], Iterator[tuple[int, Any, str | None]]], add: Callable[[Any], None], doing: str) -> int:
    """Give each case of a file to ``add``; a bad line (unreadable, or ``add`` raises) is reported on
    standard error with its number and left out. Returns how many lines were bad."""
    bad = 0
    with open_input(path) as stream:
        progress = Progress.for_input(path, doing)
        lines = progress.track(stream) if progress else stream
        try:
            for number, case, wrong in read(lines):
                if wrong is None:
                    try:
                        add(case)
                    except CaragError as error:
                        wrong = str(error)
                if wrong is not None:
                    bad += 1
                    if progress:
                        progress.clear()
                    print(f"{path}:{number}: error: {wrong}", file=sys.stderr)
                elif progress:
                    progress.tick()
        finally:
            if progress:
                progress.clear()
    return bad


def reader_for(path: str):
    if path == "-":
        return read_jsonl_cases
    suffix = Path(path).suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return read_jsonl_cases
    if suffix in CSV_SUFFIXES:
        return read_csv_cases
    raise UsageError(
        f"cannot tell the format of {path} from its name: use a name ending in "
        f"{', '.join(JSONL_SUFFIXES)} (JSON Lines, one case per line) or .csv (one column per fact and question)"
    )


def _write_report(ruleset: RuleSet, rated: dict, args) -> None:
    if args.format == "json":
        text = json.dumps(rated, indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        text = render_csv(rated)
    elif args.format == "html":
        from carag_dsl.rating.report_html import render_html

        text = render_html(ruleset, rated, source=None if args.cases == "-" else Path(args.cases).name)
    else:
        text = render_table(ruleset, rated)
    if args.output is None:
        sys.stdout.write(text)
        return
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write the report to {args.output}: {error.strerror}") from None


# ---------------------------------------------------------------- reading cases


def read_jsonl_cases(ruleset: RuleSet, lines: Iterable[str], path: str) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, case, None) or (line number, None, what is wrong), as ``carag eval --cases``."""
    return iter_jsonl(lines)


class CsvHeaderError(CaragError):
    """The header of a CSV case file names columns the rule set does not have (no row can be read)."""


def read_csv_cases(ruleset: RuleSet, lines: Iterable[str], path: str) -> Iterator[tuple[int, Any, str | None]]:
    """Cases from CSV rows, cells converted to the declared types; a bad row is reported, not raised.

    The header must name only facts, question ids and ``id``; a header that
    does not fits no row, so it is an error for the whole file (CsvHeaderError).
    """
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as error:
        raise CsvHeaderError(f"{path}:1: the header is not valid CSV: {error}") from None
    columns = _read_header(ruleset, header, path)
    previous_end = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield previous_end + 1, None, f"not valid CSV: {error}"
            previous_end = reader.line_num
            continue
        number, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield number, None, f"the row has {len(row)} cells but the header has {len(header)} columns"
            continue
        case, wrong = _case_from_row(row, columns)
        yield number, case, wrong


def _read_header(ruleset: RuleSet, header: list[str], path: str) -> list[tuple[str, str, ast.TypeExpr | None]]:
    """(column name, "id" | "facts" | "answers", declared type) per column."""
    symbols = ruleset.symbols
    columns: list[tuple[str, str, ast.TypeExpr | None]] = []
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


def _case_from_row(row: list[str], columns) -> tuple[dict | None, str | None]:
    case: dict[str, Any] = {"facts": {}, "answers": {}}
    problems = []
    for index, (cell, (name, where, type_expr)) in enumerate(zip(row, columns), start=1):
        text = cell.strip()
        if text == "":  # unknown
            continue
        if where == "id":
            case["id"] = text
            continue
        value, wrong = csv_cell_value(type_expr, text)
        if wrong is None:
            _, wrong = convert_value(type_expr, value)
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


# ---------------------------------------------------------------- rendering


def _percent_text(entry: dict) -> str:
    return "no cases" if entry["percent"] is None else f"{entry['percent']:.1f}%"


def rounds_up_to_next_band(ruleset: RuleSet, entry: dict) -> bool:
    """True when the percentage shown reaches a band boundary the exact figure does not (79.95% shown as 80.0%)."""
    bands = ruleset.symbols.bands
    exact = percent_of(entry["n_yes"], entry["n_judged"])
    if exact is None or bands is None:
        return False
    shown = Fraction(str(entry["percent"]))
    return any(exact < Fraction(band.lower_percent) <= shown for band in bands.bands)


def render_table(ruleset: RuleSet, rated: dict) -> str:
    """The report for people: key questions, then standards, overall and per group."""
    out: list[str] = []
    title = f"Rating of {rated['cases']} case{'s' if rated['cases'] != 1 else ''}"
    if ruleset.name:
        title += f" against {ruleset.name}" + (f" version {ruleset.version}" if ruleset.version else "")
    out.append(title)
    footnote = _render_block(ruleset, rated, out)
    for group in rated["groups"]:
        value = group_label(group["value"])
        out.append("")
        out.append(f"Where {group['by']} is {value} ({group['cases']} case{'s' if group['cases'] != 1 else ''})")
        footnote |= _render_block(ruleset, group, out)
    if footnote:
        out.append("")
        out.append("* shown rounded to one decimal place; the band is decided on the exact figure, which is just below the boundary")
    return "\n".join(out) + "\n"


def group_label(value: Any) -> str:
    """A subgroup's value in words: unknown, a list of codes, or the value."""
    if value is None:
        return "not known"
    if isinstance(value, list):
        return " + ".join(value) if value else "none of the options"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _render_block(ruleset: RuleSet, rated: dict, out: list[str]) -> bool:
    marked = False
    questions = rated["key_questions"]
    id_width = max([len("Key question")] + [len(q) for q in questions])
    out.append("")
    out.append(f"  {'Key question':<{id_width}}  {'Judged':>6}  {'Yes':>6}  {'Yes %':>8}  Band")
    for question_id, entry in questions.items():
        mark = " "
        if entry["percent"] is not None and rounds_up_to_next_band(ruleset, entry):
            mark, marked = "*", True
        band = entry["band"] or "no band (judged in no case)"
        out.append(f"  {question_id:<{id_width}}  {entry['n_judged']:>6}  {entry['n_yes']:>6}  {_percent_text(entry):>7}{mark}  {band}")
    standards = rated["standards"]
    if standards:
        notes = cap_notes(ruleset, rated)
        name_width = max([len("Standard")] + [len(name) for name in standards])
        out.append("")
        out.append(f"  {'Standard':<{name_width}}  {'Band':<20}  Lowest key question")
        for name, entry in standards.items():
            band = entry["band"] or "no band"
            lowest = entry["lowest"] or "(no key question judged)"
            out.append(f"  {name:<{name_width}}  {band:<20}  {lowest}")
            for note in notes.get(name, []):
                out.append(f"  {'':<{name_width}}  {note}")
    return marked


CSV_COLUMNS = ("by", "value", "cases", "kind", "name", "n_judged", "n_yes", "percent", "band", "lowest")


def render_csv(rated: dict) -> str:
    """One row per key question and per standard, overall (empty 'by') then per group."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    blocks = [("", "", rated)] + [(g["by"], _csv_value(g["value"]), g) for g in rated["groups"]]
    for by, value, block in blocks:
        for question_id, entry in block["key_questions"].items():
            writer.writerow([by, value, block["cases"], "key question", question_id, entry["n_judged"], entry["n_yes"],
                             "" if entry["percent"] is None else f"{entry['percent']:.1f}", entry["band"] or "", ""])
        for name, entry in block["standards"].items():
            writer.writerow([by, value, block["cases"], "standard", name, "", "", "", entry["band"] or "", entry["lowest"] or ""])
    return buffer.getvalue()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value) if value else CSV_EMPTY_SET
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
