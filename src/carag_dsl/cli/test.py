"""``carag test [RULES]``: run the rule set's test blocks and report route coverage."""

from __future__ import annotations

import sys

from carag_dsl.language.loader import choose_rules
from carag_dsl.tools.rule_tests import load_tests, render_report, run_tests
from carag_dsl.tools.which_rules import announce
from carag_dsl.cli._common import add_rules_argument


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run the test blocks of a rule set and show which routes they cover",
        description="Run the 'test' blocks in the rule files and in RULES/tests/*.carag; report each failure "
        "(test, file:line, expected and actual) and the question routes (applies, not applicable, pending) "
        "that no test reached. Exit 1 if a test fails.",
    )
    add_rules_argument(parser)
    parser.add_argument("--quiet", "-q", action="store_true", help="list only the failing tests")
    parser.add_argument("--coverage-only", action="store_true", help="show only the route coverage")
    parser.add_argument("--require-full-coverage", action="store_true", help="also exit 1 when some route is not covered")
    parser.set_defaults(run=run)


def run(args) -> int:
    choice = choose_rules(args.rules)
    ruleset, tests = load_tests(choice.path)
    announce(ruleset, choice, sys.stdout)
    report = run_tests(ruleset, tests)
    print(render_report(report, quiet=args.quiet, coverage_only=args.coverage_only))
    if report.failed:
        return 1
    if args.require_full_coverage and not report.coverage.complete:
        return 1
    return 0
