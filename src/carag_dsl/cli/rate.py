"""``carag rate [RULES] --cases FILE [--by NAME] [--format table|json|csv|html] [--output PATH]``.

Rates a sample of cases (see docs/ratings.md). The cases come as JSON Lines
(``.jsonl``, ``.ndjson``, ``.json``; ``-`` reads JSON Lines from standard
input) or as CSV (``.csv``: one column per fact and per question id, plus an
optional ``id`` column). Bad lines are reported on standard error with their
numbers and excluded from the rating; the report is still written and the
exit status is then 1.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import glob
import io
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from carag_dsl.runtime.wide import CSV_EMPTY_SET, CsvHeaderError  # noqa: F401 (CsvHeaderError: carag diff catches it from here)
from carag_dsl.errors import CaragError, UsageError
from carag_dsl.rating.tally import MAX_GROUPS, RatingTally, TooManyGroups, cap_notes, percent_of
from carag_dsl.runtime.spreadsheet import safe_row
from carag_dsl.api import RuleSet
from carag_dsl.cli._cases import (
    CSV_SUFFIXES, ENGINES, JSONL_SUFFIXES, choose_engine, columnar_chunks, input_format, input_lines, json_array_kind, per_case_rows, place,
    read_csv_cases, read_jsonl_cases,
)
from carag_dsl.cli._common import add_rules_argument, load_rules, open_input, printable, report_bad_line
from carag_dsl.cli._progress import Progress

#: Worker processes of the local Dask cluster ``--engine dask`` starts when no --scheduler is given.
DASK_LOCAL_WORKERS = 2
FORMATS = ("table", "json", "csv", "html")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "rate",
        help="rate a sample of cases: per key question the share judged 'yes' and its band, per standard its band",
        description="Rate a sample of cases. Bad lines are reported with their numbers and left out; the exit status is then 1.",
    )
    add_rules_argument(parser)
    parser.add_argument("--cases", metavar="FILE", required=True,
                        help="the cases: JSON Lines (.jsonl, .ndjson, .json; '-' for standard input), CSV (.csv) or Parquet/Arrow (.parquet, .arrow)")
    parser.add_argument("--by", metavar="NAME", help="also break every figure down by a fact, a defined name, case_type or a question id")
    parser.add_argument("--max-groups", type=_positive, default=MAX_GROUPS, metavar="N",
                        help=f"with --by, the most groups allowed (default {MAX_GROUPS:,}; more stops the run)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="table (the default, for people), json, csv, or html (a self-contained report with charts)")
    parser.add_argument("--output", metavar="PATH", help="write the report to PATH instead of standard output")
    parser.add_argument("--engine", choices=ENGINES + ("dask",), default="auto",
                        help="columnar (numpy), per-case, or dask (Parquet files on a Dask cluster; --cases may be a glob); "
                             "auto picks columnar for large files when carag-dsl[bulk] is installed")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="with --engine dask: the scheduler to use (default: a local cluster)")
    parser.set_defaults(run=run)


def run(args) -> int:
    if args.engine == "dask":
        return _run_dask(args)
    if args.scheduler is not None:
        raise UsageError("--scheduler is for --engine dask")
    kind = input_format(args.cases)
    ruleset = load_rules(args)
    tally = RatingTally(ruleset, args.by, args.max_groups)  # an unknown --by fails here, before any reading
    engine = choose_engine(args.engine, args.cases, kind)
    bad = 0

    def report(number: int, wrong: str) -> None:
        nonlocal bad
        bad += 1
        if progress:
            progress.clear()
        report_bad_line(place(args.cases, kind, number), wrong)

    with open_input(args.cases) if kind != "arrow" else contextlib.nullcontext(None) as stream:
        progress = Progress.for_input(args.cases, "rating")
        kind = json_array_kind(kind, args.cases, stream)  # a .json file may hold a JSON array of cases
        try:
            if engine == "columnar":
                for chunk in columnar_chunks(ruleset, args.cases, kind, stream, progress):
                    if chunk.result is not None:
                        tally.add_batch(chunk.result)
                    for number, wrong in chunk.errors():
                        report(number, wrong)
                    if progress:
                        progress.tick(len(chunk.numbers))
            else:
                for number, case, wrong in per_case_rows(ruleset, args.cases, kind, stream, progress):
                    if wrong is None:
                        try:
                            tally.add_case(case)
                        except TooManyGroups:  # not this line's fault: the whole run asks for too many groups
                            raise
                        except CaragError as error:
                            wrong = str(error)
                    if wrong is not None:
                        report(number, wrong)
                    elif progress:
                        progress.tick()
        finally:
            if progress:
                progress.clear()
    return _finish(ruleset, tally, args, bad)


def _finish(ruleset: RuleSet, tally: RatingTally, args, bad: int) -> int:
    rated = tally.result().to_dict()
    _write_report(ruleset, rated, args)
    if bad:
        print(f"{bad} bad line{'s' if bad != 1 else ''} in {args.cases} left out of the rating; "
              f"{rated['cases']} case{'s' if rated['cases'] != 1 else ''} rated", file=sys.stderr)
    return 1 if bad else 0


def feed_cases(path: str, read: Callable[[Iterable[bytes]], Iterator[tuple[int, Any, str | None]]], add: Callable[[Any], None], doing: str) -> int:
    """Give each case of a file to ``add``; a bad line (unreadable, or ``add`` raises) is reported on
    standard error with its number and left out. Returns how many lines were bad."""
    bad = 0
    with open_input(path) as stream:
        progress = Progress.for_input(path, doing)
        lines = input_lines(stream, progress)
        try:
            for number, case, wrong in read(lines):
                if wrong is None:
                    try:
                        add(case)
                    except TooManyGroups:  # not this line's fault: the whole run asks for too many groups
                        raise
                    except CaragError as error:
                        wrong = str(error)
                if wrong is not None:
                    bad += 1
                    if progress:
                        progress.clear()
                    report_bad_line(f"{path}:{number}", wrong)
                elif progress:
                    progress.tick()
        finally:
            if progress:
                progress.clear()
    return bad


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def reader_for(path: str):
    """The case-by-case reader of a JSON Lines or CSV file (``carag diff --cases`` reads through it too)."""
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


def _run_dask(args) -> int:
    """Rate Parquet files on a Dask cluster: one task per file, counts added up here; errors keep file and row."""
    from carag_dsl.bulk import RulesSource, rate_parquet_file, require_bulk

    require_bulk()
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--engine dask needs dask.distributed: pip install 'carag-dsl[bulk]'") from None
    files = sorted(glob.glob(args.cases))
    if not files:
        raise UsageError(f"no file matches {args.cases}: give Parquet files, e.g. --cases 'cases/*.parquet'")
    for path in files:
        if input_format(path) != "arrow":
            raise UsageError(f"{path}: --engine dask reads Parquet or Arrow files (a column per fact and question id)")
    ruleset = load_rules(args)
    tally = RatingTally(ruleset, args.by, args.max_groups)
    source = RulesSource.of(ruleset)
    cluster = None
    if args.scheduler is None:
        cluster = LocalCluster(n_workers=DASK_LOCAL_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None)
    bad = 0
    try:
        with Client(cluster if cluster is not None else args.scheduler) as client:
            futures = client.map(rate_parquet_file, [source] * len(files), files, [args.by] * len(files), pure=False)
            for path, done in zip(files, client.gather(futures)):
                tally.merge(done["counts"])
                for number, wrong in done["errors"]:
                    bad += 1
                    report_bad_line(f"{path}:{number}", wrong)
    finally:
        if cluster is not None:
            cluster.close()
    return _finish(ruleset, tally, args, bad)


def _write_report(ruleset: RuleSet, rated: dict, args) -> None:
    if args.format == "json":
        text = json.dumps(rated, indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        text = render_csv(rated)
    elif args.format == "html":
        from carag_dsl.rating.report_html import render_html

        text = render_html(ruleset, rated, source=None if args.cases == "-" else Path(args.cases).name)
    else:
        text = printable(render_table(ruleset, rated))  # subgroup values come from case data: never terminal codes
    if args.output is None:
        sys.stdout.write(text)
        return
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write the report to {args.output}: {error.strerror}") from None


# ---------------------------------------------------------------- reading cases


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
    """One row per key question and per standard, overall (empty 'by') then per group; no cell reads as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    blocks = [("", "", rated)] + [(g["by"], _csv_value(g["value"]), g) for g in rated["groups"]]
    for by, value, block in blocks:
        for question_id, entry in block["key_questions"].items():
            writer.writerow(safe_row([by, value, block["cases"], "key question", question_id, entry["n_judged"], entry["n_yes"],
                             "" if entry["percent"] is None else f"{entry['percent']:.1f}", entry["band"] or "", ""]))
        for name, entry in block["standards"].items():
            writer.writerow(safe_row([by, value, block["cases"], "standard", name, "", "", "", entry["band"] or "", entry["lowest"] or ""]))
    return buffer.getvalue()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value) if value else CSV_EMPTY_SET
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
