"""``carag brief [RULES] --cases SAMPLE [--region NAME] [--by FACT] --output FILE [--format html|docx|json]``.

The inspection brief for a region (docs/fieldwork.md): every inspection question with its guidance
and evidence checklist, and beside it the case findings its links name, counted as ``carag rate``
counts them. The format is ``--format``, or else the output's suffix (.html, .docx, .json). Bad
lines of the sample are reported with their numbers and left out; the brief is still written and
the exit status is then 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

from carag_dsl.cli._cases import bad_count
from carag_dsl.cli._common import add_rules_argument, load_rules
from carag_dsl.cli.rate import _date, feed_cases, reader_for
from carag_dsl.errors import UsageError

FORMATS = ("html", "docx", "json")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "brief",
        help="the inspection brief for a region: every inspection question with the case findings that inform it",
        description="Write the inspection brief: every inspection question with its guidance and evidence checklist, and the "
                    "case findings its links name, for a region and for the whole sample. Bad lines are reported and left out; "
                    "the exit status is then 1.",
    )
    add_rules_argument(parser)
    parser.add_argument("--cases", metavar="SAMPLE", required=True,
                        help="the inspected cases: JSON Lines (.jsonl, .ndjson, .json; '-' for standard input) or CSV (.csv)")
    parser.add_argument("--region", metavar="NAME", help="the region the brief is for: a value of --by, as its code or label (default: the whole sample)")
    parser.add_argument("--by", metavar="FACT", default="region", help="the fact that splits the sample into regions (default: region)")
    parser.add_argument("--output", metavar="FILE", required=True, help="where to write the brief (.html, .docx or .json; '-' for standard output, with --format)")
    parser.add_argument("--format", choices=FORMATS, help="html (self-contained, printable), docx (Word) or json; default: the output's suffix")
    parser.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the date the brief carries (default: today, or the day of SOURCE_DATE_EPOCH)")
    parser.set_defaults(run=run)


def _format(args) -> str:
    if args.format is not None:
        return str(args.format)
    suffix = Path(args.output).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise UsageError(f"cannot tell the format of {args.output} from its name: give --format html, docx or json, or name it .html, .docx or .json")


def run(args) -> int:
    from carag_dsl.tools.brief import BriefTally

    kind = _format(args)
    if kind == "docx":
        from carag_dsl.tools.brief.word import _require_docx

        _require_docx()  # before reading the sample: say which pip install brings it
    reader_for(args.cases)  # an unreadable name is a usage error before any work
    ruleset = load_rules(args)
    tally = BriefTally(ruleset, args.by)  # an unknown --by fails here, before any reading
    if args.region is not None:
        tally.region_code(args.region)  # an unknown region too
    reader = reader_for(args.cases)  # JSON Lines, or CSV as spreadsheets write it
    bad, input_kind = feed_cases(args.cases, lambda lines: reader(ruleset, lines, args.cases), tally.add_case, "briefing", tally.reject)
    brief = tally.result(args.region, args.date)
    _write(brief, kind, args.output)
    if bad:
        print(f"{bad_count(bad, args.cases, input_kind)} left out of the brief; {brief['counts']['rated']} cases rated", file=sys.stderr)
    return 1 if bad else 0


def _write(brief: dict, kind: str, output: str) -> None:
    if kind == "docx":
        from carag_dsl.tools.brief.word import render_brief_docx

        data = render_brief_docx(brief)
    elif kind == "html":
        from carag_dsl.tools.brief.html import render_brief_html

        data = render_brief_html(brief).encode("utf-8")
    else:
        import json

        data = (json.dumps(brief, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        Path(output).write_bytes(data)
    except OSError as error:
        raise UsageError(f"cannot write the brief to {output}: {error.strerror}") from None
