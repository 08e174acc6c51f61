"""``carag fuzz [RULES] [--examples N] [--seed S]``: search cases for routing problems."""

from __future__ import annotations

import sys

from carag_dsl.errors import UsageError
from carag_dsl.cli._common import add_rules_argument, load_rules
from carag_dsl.cli._progress import Progress


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "fuzz",
        help="search generated cases for crashes, dead questions and other routing problems",
        description="Generate cases of the rule set (with Hypothesis) and search them for crashes, changes of a "
        "decided status when data are added, questions that never apply (overall or for a case type they name), "
        "conditions that never exclude a case and constraints that reject every case. Each finding is printed "
        "with a shrunk case as a test block to paste into a tests/ file. Exit 1 when something is found.",
    )
    add_rules_argument(parser)
    parser.add_argument("--examples", type=int, default=200, metavar="N", help="cases tried per search (default 200)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed; the same seed repeats a run exactly (default 0)")
    parser.set_defaults(run=run)


def run(args) -> int:
    try:
        from carag_dsl.tools.fuzz import fuzz, render
    except ImportError:
        raise UsageError("carag fuzz needs Hypothesis: pip install 'carag-dsl[hypothesis]'") from None
    if args.examples < 1:
        raise UsageError("--examples must be at least 1")
    ruleset = load_rules(args, sys.stdout)
    progress = Progress.counting("fuzzing")
    tried = 0

    def count() -> None:
        nonlocal tried
        tried += 1
        if progress:
            progress.tick()

    try:
        findings = fuzz(ruleset, examples=args.examples, seed=args.seed, on_case=count)
    finally:
        if progress:
            progress.clear()
    print(render(findings))
    print(f"{tried} generated case{'s' if tried != 1 else ''} tried (seed {args.seed}, up to {args.examples} per search)")
    return 1 if findings else 0
