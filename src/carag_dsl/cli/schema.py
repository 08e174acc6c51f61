"""``carag schema [RULES]``: print a JSON Schema for case files of a rule set."""

from __future__ import annotations

from carag_dsl.tools.schema import case_schema
from carag_dsl.cli._common import add_rules_argument, dump_json, load_rules


def register(subparsers) -> None:
    parser = subparsers.add_parser("schema", help="print a JSON Schema for case files of the rules")
    add_rules_argument(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    dump_json(case_schema(load_rules(args)))
    return 0
