"""``carag import surveyjs|odk [RULES] FILE [--output cases.jsonl]``: what inspectors filled in, as carag cases.

Reads the submissions of a form ``carag export`` made (docs/forms.md) and
writes one case per line (JSON Lines), each checked against the rules as
``carag eval`` checks it. A bad submission is reported with its place and
what is wrong (the field, in the form's name and carag's); the others are
written, and the exit status is then 1.
"""

from __future__ import annotations

import json
import sys
from typing import IO

from carag_dsl.cli._cases import bad_count, place, submission_rows
from carag_dsl.cli._common import add_rules_argument, load_rules, open_input, printable, report_bad_line
from carag_dsl.errors import CaragError, UsageError
from carag_dsl.tools.form_import import SOURCES


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import", help="read the submissions of an exported form (SurveyJS results, an ODK or KoboToolbox export) as cases",
        description="Turn what inspectors filled in with a form of carag export into case JSON Lines, checked against the "
                    "rules. A bad submission is reported with its place; the others are written (exit status 1). See docs/forms.md.",
    )
    sources = parser.add_subparsers(dest="source", metavar="SOURCE", required=True)
    for source, what in SOURCES.items():
        sub = sources.add_parser(source, help=f"read {what}")
        add_rules_argument(sub)
        sub.add_argument("file", metavar="FILE", help=f"{what} ('-' for standard input)")
        sub.add_argument("--output", "-o", metavar="FILE", help="write the cases (JSON Lines) to FILE instead of standard output")
        sub.set_defaults(run=run)


def run(args) -> int:
    ruleset = load_rules(args)
    written = bad = 0
    with open_input(args.file) as stream, _output(args.output) as out:
        kind, rows = submission_rows(ruleset, args.source, args.file, stream)
        for number, case, wrong in rows:
            if wrong is None:
                try:
                    ruleset.evaluate(case)  # what carag eval would refuse is a bad submission here
                except CaragError as error:
                    wrong = str(error)
            if wrong is not None:
                bad += 1
                report_bad_line(place(args.file, kind, number), wrong)
                continue
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
            written += 1
    where = f" to {args.output}" if args.output else ""
    print(printable(f"imported {written:,} case{'s' if written != 1 else ''} from {args.file}{where}"), file=sys.stderr)
    if bad:
        print(printable(f"{bad_count(bad, args.file, kind)}; the others were imported"), file=sys.stderr)
    return 1 if bad else 0


class _output:
    """Standard output, or the file --output names (a file that cannot be written is a usage error)."""

    def __init__(self, path: str | None):
        self.path = path
        self.file: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        if self.path is None:
            return sys.stdout
        try:
            self.file = open(self.path, "w", encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {self.path}: {error.strerror}") from None
        return self.file

    def __exit__(self, *exc) -> None:
        if self.file is not None:
            self.file.close()
