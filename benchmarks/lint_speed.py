"""How long `carag lint questions/` takes (the target is under 5 seconds), measured on demand.

    python benchmarks/lint_speed.py [--rounds N] [RULES]

Times the whole command as a user runs it (a fresh process: start-up, parsing, checking, building the
case space, every lint rule, the text output), best and median of N rounds, and, in one process, the
parts: compiling the rules, building the case space, running the rules. Also times `carag check` (which
runs lint's error rules after the compiler passes) against `carag check --no-lint`, in the same run, so
the ratio says what the proof costs the everyday check. Prints a small table; exits 1 when the best whole
lint run takes 5 seconds or more.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 5.0


def whole_command(rules: Path, rounds: int, command: tuple[str, ...] = ("lint",)) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "carag_dsl", *command, str(rules)], capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"carag {' '.join(command)} failed: {done.stderr}")
    return times


def parts(rules: Path) -> dict[str, float]:
    from carag_dsl.analysis import CaseSpace
    from carag_dsl.compiler.ruleset import load
    from carag_dsl.tools.lint import lint

    start = time.perf_counter()
    compiled = load(rules)
    compiled_at = time.perf_counter()
    CaseSpace(compiled)
    space_at = time.perf_counter()
    lint(compiled)  # builds its own space: the rules' share is this minus the space
    linted_at = time.perf_counter()
    return {
        "compile the rules": compiled_at - start,
        "build the case space": space_at - compiled_at,
        "lint (space and every rule)": linted_at - space_at,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rules", nargs="?", default=str(ROOT / "questions"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rules = Path(args.rules)
    times = whole_command(rules, args.rounds)
    print(f"carag lint {rules}: best {min(times):.2f} s, median {statistics.median(times):.2f} s over {len(times)} runs (target < {TARGET_SECONDS:.0f} s)")
    for name, seconds in parts(rules).items():
        print(f"    {name:<30} {seconds:.3f} s")
    checked = min(whole_command(rules, args.rounds, ("check",)))
    compiled_only = min(whole_command(rules, args.rounds, ("check", "--no-lint")))
    print(f"carag check {rules}: best {checked:.2f} s; with --no-lint {compiled_only:.2f} s "
          f"(the proof of no known defect costs x{checked / compiled_only:.1f})")
    return 0 if min(times) < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
