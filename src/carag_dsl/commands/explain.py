"""``carag explain [RULES] --case FILE QUESTION_ID``."""

from __future__ import annotations

from ..explain import explain_case_type
from ._common import add_rules_argument, load_rules, read_json_case


def register(subparsers) -> None:
    parser = subparsers.add_parser("explain", help="say why a question applies, does not, or is pending")
    add_rules_argument(parser)
    parser.add_argument("--case", required=True, metavar="FILE", help="a case as JSON ('-' for standard input)")
    parser.add_argument("question", metavar="QUESTION_ID", help='a question id, e.g. "2.3.01" or "X 9" (quote ids with spaces)')
    parser.set_defaults(run=run)


def run(args) -> int:
    ruleset = load_rules(args)
    evaluation = ruleset.evaluate(read_json_case(args.case))
    print(evaluation.explain(args.question))
    print(explain_case_type(evaluation))
    return 0
