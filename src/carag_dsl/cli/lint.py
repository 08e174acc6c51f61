"""``carag lint [RULES] [--format text|json|sarif] [--strict] [--suggest-tests FILE]``: exact analysis of the routing.

Exit status: 0 no errors (with ``--strict``: no findings), 1 errors, 2 usage, and 3 when nothing failed but the
analysis is partial: some rule could not be analysed exactly (past the analysis's budget, or a comparison it
cannot decide), so no finding from it proves nothing. The rules not analysed are listed (on standard error for
JSON; as tool notifications in SARIF).
"""

from __future__ import annotations

import sys

from carag_dsl.errors import UsageError
from carag_dsl.cli._common import add_rules_argument, load_rules

#: The exit status of a lint or diff whose analysis is partial (and found nothing that fails on its own).
PARTIAL = 3


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
        "any finding); exit 3 when there are none but some rule could not be analysed exactly (the report is partial).",
    )
    add_rules_argument(parser)
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text", help="output format (default text)")
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    parser.add_argument("--suggest-tests", metavar="FILE", help="also write a small test suite reaching every route and every condition to FILE ('-' for standard output)")
    parser.set_defaults(run=run)


def run(args) -> int:
    try:
        from carag_dsl.tools.lint import lint
        from carag_dsl.tools.lint.render import not_analysed_lines, render_json, render_sarif, render_text
    except ImportError:
        raise UsageError("carag lint needs the analysis extra: pip install 'carag-dsl[analysis]'") from None
    ruleset = load_rules(args)
    report = lint(ruleset)
    if args.format in ("json", "sarif"):
        print(render_json(report) if args.format == "json" else render_sarif(report))
        for line in not_analysed_lines(report):
            print(line, file=sys.stderr)
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
    return 1 if failing else PARTIAL if report.partial else 0
