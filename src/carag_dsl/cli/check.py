"""``carag check [PATH...]``: compile rule files and report every diagnostic."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from carag_dsl.errors import RuleError
from carag_dsl.language.loader import choose_rules, find_root
from carag_dsl.tools.which_rules import announce, ruleset_path
from carag_dsl.api import RuleSet
from carag_dsl.compiler.ruleset import compile_path
from carag_dsl.cli._common import RULES_DEFAULT
from carag_dsl.cli.lint import PARTIAL
from carag_dsl.tools.known_defects import prove_defects, verdict


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "check", help="check rule files and report every error and proven defect",
        description="Check rule files: the compiler passes, then the lint rules whose findings are errors (proven "
        "defects in the routing, each with a witness case), so 'ok' means no known defect; lint's warnings are "
        "counted, and 'carag lint' shows them. Diagnostics go to stderr. Exit 1 if there are errors; 3 if there are "
        "none but lint could not analyse every rule exactly ('not proven', as 'carag lint' exits 3).")
    parser.add_argument("paths", nargs="*", metavar="PATH", help=f"rule files or folders (default: {RULES_DEFAULT})")
    parser.add_argument("--no-lint", action="store_true", help="the compiler passes only (no proof of the routing)")
    parser.set_defaults(run=run)


def run(args) -> int:
    failed = 0
    partial = False
    for path in args.paths or [None]:
        choice = choose_rules(path)
        try:
            ruleset = compile_path(choice.path, RuleSet, tests=True)  # test blocks are checked too
        except RuleError as error:
            print(error.render(), file=sys.stderr)
            failed += len(error.errors)
            continue
        announce(ruleset, choice)
        for warning in ruleset.warnings:  # worth a look, but the rules are valid
            print(warning.render(), file=sys.stderr)
        where = ruleset_path(ruleset) if path is None else path
        root = find_root(Path(path)) if path is not None and Path(path).is_file() else None
        if root is not None and root != Path(path):
            where += f" (checked with its rule set, {root})"
        report = None if args.no_lint else prove_defects(ruleset)
        if report is not None and report.errors:
            from carag_dsl.tools.lint.render import render_finding

            for finding in report.errors:
                print("\n".join(render_finding(ruleset, finding)), file=sys.stderr)
            failed += len(report.errors)
        partial = partial or (report is not None and report.partial)
        lint_command = "carag lint" + (f" {shlex.quote(path)}" if path is not None else "")
        print(f"{where}: {verdict(len(ruleset.questions), len(ruleset.warnings), report, lint_command, args.no_lint)}", file=sys.stderr)
    if failed:
        print(f"{failed} error{'s' if failed != 1 else ''} found", file=sys.stderr)
    return 1 if failed else PARTIAL if partial else 0
