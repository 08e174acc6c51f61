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
import datetime
import glob
import json
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from carag_dsl.runtime.wide import CsvHeaderError  # noqa: F401 (CsvHeaderError: carag diff catches it from here)
from carag_dsl.errors import CaragError, UsageError
from carag_dsl.rating.report_text import render_csv, render_table
from carag_dsl.rating.tally import MAX_GROUPS, MODELS, RatingTally, TooManyGroups
from carag_dsl.api import RuleSet
from carag_dsl.cli._cases import (
    CSV_SUFFIXES, ENGINES, JSONL_SUFFIXES, add_from_argument, bad_count, choose_engine, columnar_chunks, input_format, input_lines, json_array_kind,
    per_case_rows, place, read_csv_cases, read_jsonl_cases, submission_rows, unit_of,
)
from carag_dsl.cli._common import add_rules_argument, load_rules, open_input, printable, report_bad_line, write_report
from carag_dsl.cli._progress import Progress
from carag_dsl.runtime.casedata import iso_date
from carag_dsl.runtime.caseinput import iter_json_array

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
    parser.add_argument("--by", metavar="NAME", action="append",
                        help="also break every figure down by a fact, a grouping, a defined name, case_type or a question id; "
                             "give it more than once for several characteristics (the Bulletin's tables)")
    parser.add_argument("--questions", metavar="key|all|ID,...", default="key",
                        help="the questions to give figures for: key (the key questions, the default), all (every question "
                             "answered yes or no) or question ids separated by commas")
    parser.add_argument("--model", choices=MODELS,
                        help="logistic: per question, a binary logistic regression of the positive judgement on every --by "
                             "characteristic at once, the groups significant at p < 0.05 marked (pip install 'carag-dsl[stats]')")
    parser.add_argument("--max-groups", type=_positive, default=MAX_GROUPS, metavar="N",
                        help=f"with --by, the most groups allowed (default {MAX_GROUPS:,}; more stops the run)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="table (the default, for people), json, csv, or html (a self-contained report with charts)")
    parser.add_argument("--output", metavar="PATH", help="write the report to PATH instead of standard output")
    parser.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                        help="the date the report carries (default: today, or the day of SOURCE_DATE_EPOCH when set)")
    parser.add_argument("--engine", choices=ENGINES + ("dask",), default="auto",
                        help="columnar (numpy), per-case, or dask (Parquet files on a Dask cluster; --cases may be a glob); "
                             "auto picks columnar for large files when carag-dsl[bulk] is installed")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="with --engine dask: the scheduler to use (default: a local cluster)")
    add_from_argument(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    if args.source is not None and args.engine in ("dask", "columnar"):
        raise UsageError(f"--from reads submissions case by case: leave out --engine {args.engine}")
    if args.engine == "dask":
        return _run_dask(args)
    if args.scheduler is not None:
        raise UsageError("--scheduler is for --engine dask")
    kind = "submissions" if args.source else input_format(args.cases)
    ruleset = load_rules(args)
    tally = new_tally(ruleset, args)  # an unknown --by, question or model fails here, before any reading
    engine = "per-case" if args.source else choose_engine(args.engine, args.cases, kind)
    bad = 0

    def report(number: int, wrong: str) -> None:
        nonlocal bad
        bad += 1
        tally.reject(number)
        if progress:
            progress.clear()
        report_bad_line(place(args.cases, kind, number), wrong)

    with open_input(args.cases) if kind != "arrow" else contextlib.nullcontext(None) as stream:
        progress = Progress.for_input(args.cases, "rating")
        kind = json_array_kind(kind, args.cases, stream)  # a .json file may hold a JSON array of cases
        rows = None
        if args.source:  # submissions of an exported form, read as carag import reads them
            kind, rows = submission_rows(ruleset, args.source, args.cases, stream)
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
                feed_rows(rows or per_case_rows(ruleset, args.cases, kind, stream, progress), tally.add_case, report, progress)
        finally:
            if progress:
                progress.clear()
    return _finish(ruleset, tally, args, bad, kind)


def _finish(ruleset: RuleSet, tally: RatingTally, args, bad: int, kind: str) -> int:
    tally.rejected_unit = unit_of(kind)  # as the errors and the closing count place them: lines, elements or rows
    rated = tally.result(date=args.date).to_dict()
    _write_report(ruleset, rated, args)
    if bad:
        print(f"{bad_count(bad, args.cases, kind)} left out of the rating; "
              f"{rated['cases']} case{'s' if rated['cases'] != 1 else ''} rated", file=sys.stderr)
    return 1 if bad else 0


def feed_cases(path: str, read: Callable[[Iterable[bytes]], Iterator[tuple[int, Any, str | None]]], add: Callable[[Any], None], doing: str,
               on_bad: Callable[[int], None] | None = None) -> tuple[int, str]:
    """Give each case of a file to ``add``; a bad line (unreadable, or ``add`` raises) is reported on
    standard error with its number, given to ``on_bad`` (to be counted) and left out. Returns how many
    were bad, and the kind of input that places them ("jsonl", or "array": a ``.json`` file holding a
    JSON array is read element by element, as ``carag rate`` reads it)."""
    bad = 0
    with open_input(path) as stream:
        progress = Progress.for_input(path, doing)
        kind = json_array_kind("jsonl", path, stream)
        rows = iter_json_array(stream) if kind == "array" else read(input_lines(stream, progress))

        def report(number: int, wrong: str) -> None:
            nonlocal bad
            bad += 1
            if on_bad is not None:
                on_bad(number)
            if progress:
                progress.clear()
            report_bad_line(place(path, kind, number), wrong)

        try:
            feed_rows(rows, add, report, progress)
        finally:
            if progress:
                progress.clear()
    return bad, kind


def feed_rows(rows: Iterable[tuple[int, Any, str | None]], add: Callable[[Any], None], report: Callable[[int, str], None], progress) -> None:
    """Give each readable case to ``add``; an unreadable one, or one ``add`` refuses with a CaragError, to ``report``."""
    for number, case, wrong in rows:
        if wrong is None:
            try:
                add(case)
            except TooManyGroups:  # not this case's fault: the whole run asks for too many groups
                raise
            except CaragError as error:
                wrong = str(error)
        if wrong is not None:
            report(number, wrong)
        elif progress:
            progress.tick()


def new_tally(ruleset: RuleSet, args) -> RatingTally:
    """The tally the arguments ask for (UsageError for an unknown --by, question or model, before any reading)."""
    return RatingTally(ruleset, args.by, args.max_groups, args.questions, args.model)


def _date(text: str) -> datetime.date:
    date = iso_date(text)  # only YYYY-MM-DD, as in case data (not 20250228 or 2025-W09-5)
    if date is None:
        raise argparse.ArgumentTypeError(f"expected a date written YYYY-MM-DD, e.g. 2025-02-28, not {text!r}")
    return date


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
        from distributed import LocalCluster
    except ImportError:
        raise UsageError("--engine dask needs dask.distributed: pip install 'carag-dsl[bulk]'") from None
    from carag_dsl.cli._dask import absolute_files, check_address, check_workers_have, dask_client, gather

    if args.scheduler is not None:
        check_address(args.scheduler)  # before the rules are loaded: a wrong address is said at once
    files = sorted(glob.glob(args.cases))
    if not files:
        raise UsageError(f"no file matches {args.cases}: give Parquet files, e.g. --cases 'cases/*.parquet'")
    for path in files:
        if input_format(path) != "arrow":
            raise UsageError(f"{path}: --engine dask reads Parquet or Arrow files (a column per fact and question id)")
    ruleset = load_rules(args)
    tally = new_tally(ruleset, args)
    source = RulesSource.of(ruleset)
    cluster = None
    if args.scheduler is None:
        cluster = LocalCluster(n_workers=DASK_LOCAL_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None)
    bad = 0
    sent = absolute_files(files)  # never opened from a worker's own folder
    try:
        with dask_client(cluster if cluster is not None else args.scheduler) as client:
            if cluster is None:  # another machine's workers: do they have these files?
                check_workers_have(client, sent, files)
            # The rules go to every worker once (not with each task); each worker process checks them once.
            rules = client.scatter(source, broadcast=True, hash=False)
            futures = client.map(rate_parquet_file, [rules] * len(files), sent, [tally.by_names] * len(files),
                                 [tally.chosen] * len(files), pure=False)
            for path, done in zip(files, gather(client, futures)):
                tally.merge(done["counts"])
                for number, wrong in done["errors"]:
                    bad += 1
                    tally.reject(number, path)
                    report_bad_line(f"{path}:{number}", wrong)
    finally:
        if cluster is not None:
            cluster.close()
    return _finish(ruleset, tally, args, bad, "arrow")  # the errors place rows of the Parquet files


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
    write_report(text, args.output, "the report")
