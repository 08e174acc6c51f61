"""``carag explain [RULES] --case FILE QUESTION_ID``."""

from __future__ import annotations

import sys

from carag_dsl.runtime.explain import explain_case_type
from carag_dsl.errors import UsageError
from carag_dsl.cli._common import load_rules, printable, read_json_case


def register(subparsers) -> None:
    parser = subparsers.add_parser("explain", help="say why a question applies, does not, or is pending")
    parser.add_argument("--case", required=True, metavar="FILE", help="a case as JSON ('-' for standard input)")
    parser.add_argument("words", nargs="*", metavar="[RULES] QUESTION_ID", help='optionally a .carag file or folder (default: the rule set of the working directory, else the bundled CARaG), then a question id, e.g. "2.3.01" or "X 9" (quote ids with spaces)')
    parser.set_defaults(run=run, extra_positionals="words")


def run(args) -> int:
    if len(args.words) not in (1, 2):
        raise UsageError("give the question to explain, optionally after RULES: carag explain [RULES] --case FILE QUESTION_ID")
    args.rules = args.words[0] if len(args.words) == 2 else None
    question_id = args.words[-1]
    ruleset = load_rules(args, sys.stdout)
    evaluation = ruleset.evaluate(read_json_case(args.case))
    print(printable(evaluation.explain(question_id)))  # case data never drives the terminal
    print(printable(explain_case_type(evaluation)))
    return 0
