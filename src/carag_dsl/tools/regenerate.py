"""Write the compiled, reviewable output of a rule set: its dependency graph per case type.

    python -m carag_dsl.regenerate [RULES] [--output compiler/] [--check]

For the bundled CARaG this fills the repository's ``compiler/`` folder with one
JSON and one DOT file per case type. The files are committed, so a change to a
rule shows its routing change in review; ``--check`` (run by the tests) fails
when they are out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from carag_dsl.errors import CaragError
from carag_dsl.tools.graph_export import render
from carag_dsl.compiler.ruleset import CheckedRules, load
from carag_dsl.language.loader import choose_rules
from carag_dsl.tools.which_rules import announce


def outputs(ruleset: CheckedRules) -> dict[str, str]:
    """File name -> content for every compiled output of the rule set."""
    files = {"all.json": render(ruleset, None, "json")}
    for case_type in ruleset.case_types:
        files[f"{case_type}.json"] = render(ruleset, case_type, "json")
        files[f"{case_type}.dot"] = render(ruleset, case_type, "dot")
    return files


def stale_files(ruleset: CheckedRules, folder: Path) -> list[str]:
    """The output files that are missing or differ from what the rules compile to now."""
    return [
        name for name, content in outputs(ruleset).items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != content
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m carag_dsl.regenerate", description=__doc__.split("\n\n")[0])
    parser.add_argument("rules", nargs="?", help="a .carag file or folder (default: the working directory's rule set, else the bundled CARaG)")
    parser.add_argument("--output", default="compiler", type=Path, help="the folder to write (default: compiler/)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if any file is out of date")
    args = parser.parse_args(argv)
    try:
        choice = choose_rules(args.rules)
        ruleset = load(choice.path)
    except CaragError as error:
        print(error, file=sys.stderr)
        return 1
    announce(ruleset, choice)
    if args.check:
        stale = stale_files(ruleset, args.output)
        for name in stale:
            print(f"{args.output / name} is out of date; run python -m carag_dsl.regenerate", file=sys.stderr)
        return 1 if stale else 0
    args.output.mkdir(parents=True, exist_ok=True)
    for name, content in outputs(ruleset).items():
        (args.output / name).write_text(content, encoding="utf-8")
        print(f"wrote {args.output / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
