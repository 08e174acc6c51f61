"""``carag check [PATH...]``: compile rule files and report every diagnostic."""

from __future__ import annotations

import sys
from pathlib import Path

from carag_dsl.errors import RuleError
from carag_dsl.language.loader import choose_rules, find_root
from carag_dsl.tools.which_rules import announce, ruleset_path
from carag_dsl.api import RuleSet
from carag_dsl.compiler.ruleset import compile_path
from carag_dsl.cli._common import RULES_DEFAULT


def register(subparsers) -> None:
    parser = subparsers.add_parser("check", help="check rule files and report every error", description="Check rule files; diagnostics go to stderr. Exit 1 if there are errors.")
    parser.add_argument("paths", nargs="*", metavar="PATH", help=f"rule files or folders (default: {RULES_DEFAULT})")
    parser.set_defaults(run=run)


def run(args) -> int:
    failed = 0
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
        warned = len(ruleset.warnings)
        print(f"{where}: ok ({len(ruleset.questions)} questions" + (f", {warned} warning{'s' if warned != 1 else ''}" if warned else "") + ")", file=sys.stderr)
    if failed:
        print(f"{failed} error{'s' if failed != 1 else ''} found", file=sys.stderr)
    return 1 if failed else 0
