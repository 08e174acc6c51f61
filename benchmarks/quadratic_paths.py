"""Paths that were quadratic or worse on big or hostile input (issue 11, points 2 and 10), timed at two sizes.

Run on demand from the repository root::

    python benchmarks/quadratic_paths.py            # sizes n and 4n; a linear path takes ~4 times as long

Each line gives the time at n and at 4n and their ratio: about 4 for a linear path, 16 for a quadratic
one. Sizes are those of the issue: 40k comments (8 s before), 16k unknown names (70 s), a handbook of
10k questions (31 s), 1,000 syntax errors (28 s), a chain of 16 ``if`` (66 million characters of generated code).
"""

from __future__ import annotations

import argparse
import time
from typing import Callable

import carag_dsl
from carag_dsl.compiler.codegen import generate_source
from carag_dsl.errors import RuleError
from carag_dsl.language.parser import parse, parse_partial
from carag_dsl.tools.handbook import render_handbook


def _comments(n: int) -> Callable[[], object]:
    text = "".join(f"# comment {i}\nfact f{i}: bool\n" for i in range(n))
    return lambda: parse(text)


def _unknown_names(n: int) -> Callable[[], object]:
    text = "fact sentence: bool\n" + "".join(f"define d{i} = sentense and unknown_{i}\n" for i in range(n))

    def check() -> object:
        try:
            carag_dsl.loads(text)
        except RuleError as error:
            return error.render()
        raise AssertionError("expected errors")

    return check


def _syntax_errors(n: int) -> Callable[[], object]:
    text = "".join(f'fact f{i}: bool\ndefine d{i} = (f{i} and\nquestion "Q{i} prompt\n    text "x"\n    answer yes_no\n' for i in range(n))
    return lambda: parse_partial(text)


def _handbook(n: int) -> Callable[[], object]:
    rules = carag_dsl.loads('ruleset "big" version "1" published 2025-01-01\nfact a: int\nsection "S"\n' + "".join(
        f'question "Q{i}" prompt\n    text "question {i}"\n    applies when a > {i}\n    answer yes_no\n    informed by [Q0]\n'
        for i in range(n)))
    return lambda: render_handbook(rules)


def _if_chain(n: int) -> Callable[[], object]:
    rules = carag_dsl.loads("fact a: bool\nfact b: bool\ndefine x = " + "if a then " * n + "1" + " else if b then 2 else 3" * n + "\n")
    return lambda: generate_source(rules)


def _rate_groups(n: int) -> Callable[[], object]:
    rules = carag_dsl.load("tests/fixtures/sample")
    cases = [{"facts": {"notes": f"note {i}"}} for i in range(n)]
    return lambda: rules.rate(cases, by="notes", max_groups=None)


PATHS = [
    ("comments in a rule file", _comments, 10_000),
    ("unknown names, each with a suggestion", _unknown_names, 4_000),
    ("syntax errors, each reported (parse_partial)", _syntax_errors, 500),
    ("carag docs (handbook)", _handbook, 2_500),
    ("chain of 'if ... else' (generated code)", _if_chain, 40),
    ("rate --by a free-text fact", _rate_groups, 5_000),
]


def _time(build: Callable[[int], Callable[[], object]], n: int) -> float:
    action = build(n)
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every size (default 1)")
    args = parser.parse_args()
    print(f"{'path':<42} {'n':>8} {'time n':>9} {'time 4n':>9} {'ratio':>6}")
    for name, build, n in PATHS:
        n = max(1, int(n * args.scale))
        small, large = _time(build, n), _time(build, 4 * n)
        print(f"{name:<42} {n:>8} {small:>8.2f}s {large:>8.2f}s {large / max(small, 1e-9):>6.1f}")


if __name__ == "__main__":
    main()
