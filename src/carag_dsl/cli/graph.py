"""``carag graph [RULES] [--case-type core|adjusted] --format dot|mermaid|json``."""

from __future__ import annotations

import json
import sys

from carag_dsl.errors import UsageError, did_you_mean
from carag_dsl.tools.graph_export import RENDERERS, render
from carag_dsl.tools.which_rules import ruleset_json
from carag_dsl.cli._common import add_rules_argument, dump_json, load_rules


def register(subparsers) -> None:
    parser = subparsers.add_parser("graph", help="draw the dependency graph (per case type)")
    add_rules_argument(parser)
    parser.add_argument("--case-type", metavar="TYPE", help="only what matters for this case type (e.g. core, adjusted)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="dot")
    parser.set_defaults(run=run)


def run(args) -> int:
    ruleset = load_rules(args)
    if args.case_type is not None and args.case_type not in ruleset.case_types:
        raise UsageError(f"unknown case type '{args.case_type}'{did_you_mean(args.case_type, ruleset.case_types)}; the rule set has {', '.join(ruleset.case_types) or 'none'}")
    drawn = render(ruleset, args.case_type, args.format)
    if args.format == "json":
        dump_json({**json.loads(drawn), "ruleset": ruleset_json(ruleset)})
    else:
        sys.stdout.write(drawn)
    return 0
