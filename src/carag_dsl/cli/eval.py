"""``carag eval [RULES] --case FILE | --cases FILE [--format text|json|jsonl|csv|parquet] [--output FILE] [--engine auto|columnar|per-case]``."""

from __future__ import annotations

import contextlib
import sys
from typing import Any, Callable, Iterable, cast

from carag_dsl.errors import CaragError, UsageError
from carag_dsl.cli._cases import (
    ENGINES, add_from_argument, bad_count, choose_engine, columnar_chunks, input_format, json_array_kind, per_case_rows, place, submission_rows,
)
from carag_dsl.cli._common import add_rules_argument, load_rules, open_input, read_json_case, report_bad_line
from carag_dsl.cli._output import OUTPUT_FORMATS, ResultSink, output_format
from carag_dsl.cli._progress import Progress
from carag_dsl.cli._text import render_text

def register(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="evaluate a case (or a file of cases) against the rules")
    add_rules_argument(parser)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--case", metavar="FILE", help="one case as JSON ('-' for standard input)")
    source.add_argument("--cases", metavar="FILE",
                        help="many cases: JSON Lines ('-' for standard input), CSV or Parquet/Arrow (a column per fact and question id); streamed")
    parser.add_argument("--format", choices=OUTPUT_FORMATS, default=None,
                        help="text (a table, the default for --case), json, jsonl (the default for --cases), compact (JSON Lines, "
                             "statuses in one string and only the values given), csv or parquet")
    parser.add_argument("--output", metavar="FILE", help="write the results to FILE (the format from its extension unless --format is given)")
    parser.add_argument("--engine", choices=ENGINES, default="auto",
                        help="columnar (numpy, for large files) or per-case; auto picks columnar for large files when carag-dsl[bulk] is installed")
    add_from_argument(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    if args.source is not None and args.cases is None:
        raise UsageError("--from reads a file of submissions: give it with --cases FILE")
    if args.source is not None and args.engine == "columnar":
        raise UsageError("--from reads submissions case by case: leave out --engine columnar")
    ruleset = load_rules(args)
    if args.case is not None:
        # One case: the reference evaluator answers it before the routing code could be compiled (the back ends agree).
        evaluation = ruleset.evaluate(read_json_case(args.case), backend="reference")
        output = output_format(args.format, args.output, "text")
        sink = ResultSink(ruleset, output, args.output)
        if output == "text":
            sink.line(render_text(evaluation))
        elif output == "json":
            sink.data(evaluation.to_dict())
        else:
            sink.evaluation(evaluation)
        sink.close()
        return 0
    return _run_many(ruleset, args)


def _run_many(ruleset, args) -> int:
    # Streams: a batch of cases in memory at a time. Either engine gives the same lines, in input order,
    # and the same errors with the same line numbers.
    path = args.cases
    kind = "submissions" if args.source else input_format(path)
    output = output_format(args.format, args.output, "jsonl")
    engine = "per-case" if output == "text" or args.source else choose_engine(args.engine, path, kind, output)
    sink = ResultSink(ruleset, output, args.output)
    bad = 0

    def report(number: int, wrong: str) -> None:
        nonlocal bad
        bad += 1
        if sink.output is None:  # keep errors and results in order when both go to a terminal
            sink.flush()
        if progress:
            progress.clear()
        report_bad_line(place(path, kind, number), wrong)

    with open_input(path) if kind != "arrow" else contextlib.nullcontext(None) as stream:
        progress = Progress.for_input(path, "evaluating", streams_results=args.output is None)
        kind = json_array_kind(kind, path, stream)  # a .json file may hold a JSON array of cases
        if engine == "columnar":
            for chunk in columnar_chunks(ruleset, path, kind, stream, progress):
                _write_chunk(chunk, sink, output, report)
                if progress:
                    progress.tick(len(chunk.numbers))
        else:
            if args.source:  # submissions of an exported form, read as carag import reads them
                kind, rows = submission_rows(ruleset, args.source, path, stream)
            else:
                rows = per_case_rows(ruleset, path, kind, stream, progress)
            evaluate = ruleset.evaluate
            for number, case, wrong in rows:
                if progress:
                    progress.tick()
                if wrong is None:
                    try:
                        evaluation = evaluate(case)
                    except CaragError as error:
                        wrong = str(error)
                if wrong is not None:
                    report(number, wrong)
                    continue
                sink.evaluation(evaluation)
    sink.close()
    if progress:
        progress.clear()
    if bad:
        print(f"{bad_count(bad, path, kind)}; the others were evaluated", file=sys.stderr)
    return 1 if bad else 0


def _write_chunk(chunk, sink: ResultSink, output: str, report) -> None:
    """A columnar batch's results and errors, interleaved in input order."""
    errors = dict(chunk.errors())
    result = chunk.result
    if result is None:
        for number, wrong in sorted(errors.items()):
            report(number, wrong)
        return
    if output == "parquet":
        _write_parquet_chunk(chunk, sink, report)
        return
    rows: Iterable[Any]
    write: Callable[[Any], None]
    if output == "jsonl":
        from carag_dsl.runtime.columnar.encode import result_lines

        rows, write = result_lines(result, sink.writer.line), cast(Callable[[Any], None], sink.line)
    elif output == "compact":
        from carag_dsl.runtime.columnar.encode import compact_lines

        rows, write = compact_lines(result, sink.compact, sink.compact_evaluation), cast(Callable[[Any], None], sink.line)
    elif output == "csv":
        from carag_dsl.runtime.columnar.encode import csv_lines

        rows, write = csv_lines(result, lambda evaluation: sink.csv_line(evaluation.to_dict())), cast(Callable[[Any], None], sink.line)
    else:
        from carag_dsl.runtime.columnar import result_dicts

        rows, write = result_dicts(result), cast(Callable[[Any], None], sink.data)  # one row's dict at a time: a batch of them took 1 GB
    unread = iter(sorted(chunk.unread))
    waiting = next(unread, None)
    for number, row in zip(chunk.numbers, rows):
        while waiting is not None and waiting[0] < number:
            report(*waiting)
            waiting = next(unread, None)
        if number in errors and (row is None or isinstance(row, str)):
            report(number, errors[number])
        else:
            write(row)
    while waiting is not None:
        report(*waiting)
        waiting = next(unread, None)


def _write_parquet_chunk(chunk, sink: ResultSink, report) -> None:
    """A columnar batch into the Parquet file as one table built from the result columns (errors reported first:
    they go to standard error, the results to a file). Rows the per-case path decided are put in their places."""
    import numpy as np
    import pyarrow as pa

    from carag_dsl.runtime.columnar.arrow_out import result_arrays

    for number, wrong in chunk.errors():
        report(number, wrong)
    result = chunk.result
    if result is None:
        return
    schema = sink._schema()
    columns = result_arrays(result)
    table = pa.table([columns[name] for name in sink.header], schema=schema)
    if result.per_case:
        decided = sorted((row, done) for row, done in result.per_case.items() if not isinstance(done, str))
        order = np.arange(result.n)
        order[[row for row, _ in decided]] = result.n + np.arange(len(decided))  # their rows, after the batch's
        kept = np.ones(result.n, dtype=bool)
        kept[[row for row, done in result.per_case.items() if isinstance(done, str)]] = False  # errors: reported
        table = pa.concat_tables([table, sink.evaluations_table([done for _, done in decided])]).take(order[kept])
    sink.table(table)
