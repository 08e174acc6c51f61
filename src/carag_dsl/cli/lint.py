"""``carag lint [RULES] [--format text|json|sarif] [--strict] [--suggest-tests FILE]``: exact analysis of the routing."""

from __future__ import annotations

import sys

from carag_dsl.errors import UsageError
from carag_dsl.cli._common import add_rules_argument, load_rules


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="prove what the routing can and cannot do; every finding with a case that shows it",
        description="Analyse the rule set exactly over every case it can meet (each fact's values and 'unknown', "
        "each answer a rule reads and 'unanswered', dates reduced to the classes the rules' own comparisons create) "
        "and report questions that never apply, labels their rules contradict, conditions that cannot change "
        "anything, derive rules that never fire or conflict, and more (docs/lint/). Each finding that is about "
        "cases comes with a witness case, printed as a test block. Suppress a finding with "
        "'# carag: ignore[rule-id] reason' on its declaration. Exit 1 when there are errors (or, with --strict, "
        "any finding).",
    )
    add_rules_argument(parser)
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format (default text)")
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.add_argument("--suggest-tests", metavar="FILE", help="also write a small test suite reaching every route and every condition to FILE ('-' for standard output)")
    parser.set_defaults(run=run)


def run(args) -> int:
    try:
        from carag_dsl.tools.lint import lint
        from carag_dsl.tools.lint.render import render_json, render_sarif, render_text
    except ImportError:
        raise UsageError("carag lint needs the analysis extra: pip install 'carag-dsl[analysis]'") from None
    ruleset = load_rules(args)
    report = lint(ruleset)
    if args.format == "json":
        print(render_json(report))
    elif args.format == "sarif":
        print(render_sarif(report))
    else:
        print(render_text(ruleset, report))
    if args.suggest_tests:
        from carag_dsl.tools.lint.suggest import suggest_tests

        text = suggest_tests(ruleset)
        if args.suggest_tests == "-":
            sys.stdout.write(text)
        else:
            try:
                with open(args.suggest_tests, "w", encoding="utf-8") as stream:
                    stream.write(text)
            except OSError as error:
                raise UsageError(f"cannot write {args.suggest_tests}: {error.strerror}") from None
    failing = report.findings if args.strict else report.errors
    return 1 if failing else 0
