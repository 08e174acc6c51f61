"""``carag schema [RULES]``: print a JSON Schema for case files of a rule set."""

from __future__ import annotations

from carag_dsl.tools.schema import case_schema
from carag_dsl.tools.which_rules import ruleset_json
from carag_dsl.cli._common import add_rules_argument, dump_json, load_rules


def register(subparsers) -> None:
    parser = subparsers.add_parser("schema", help="print a JSON Schema for case files of the rules")
    add_rules_argument(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    ruleset = load_rules(args)
    # "ruleset" is an annotation keyword: validators ignore it, readers see which rules the schema is for.
    dump_json({**case_schema(ruleset), "ruleset": ruleset_json(ruleset)})
    return 0
