"""Fuzzing hostile and broken input: mutated rule sets and mutated case data (issue 11).

Run on demand from the repository root::

    python -m tests.fuzz_inputs                       # 10,000 rule-set and 100,000 case-data mutations
    python -m tests.fuzz_inputs --rule-sets 500 --cases 5000 --seed 7

It reports counts: mutants tried, mutants ``check`` refused (a CaragError: fine),
non-CaragError exceptions (crashes), back-end disagreements, runs slower than
2 s (hangs) and case lines lost (a line that gave neither a result nor a located
error). Every count but the first two must be 0; the exit status is 1 otherwise.
The test suite runs a short fuzz through :func:`fuzz_rule_sets` and
:func:`fuzz_case_lines`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import attrs

from carag_dsl import CaragError, loads

REPO = Path(__file__).resolve().parent.parent
HANG_SECONDS = 2.0

SEED_RULES = [
    "".join((REPO / "tests" / "fixtures" / "sample" / name).read_text(encoding="utf-8").replace('include "questions.carag"', "")
            for name in ("sample.carag", "questions.carag")),
    '''ruleset "fuzz" version "1" published 2025-01-01
fact flag: bool
fact n: int
fact start: date
fact end: date
fact kind: one of alpha, beta, gamma
fact level: scale low, medium, high
fact tags: any of red, green, blue
fact note: text
define near = end <= start + 8 weeks
define pick = if flag then kind else alpha
define gap = days from start to end
constraint end requires end >= start message "the end is before the start"
case type
    adjusted when near and flag
    core otherwise
    override core when [Q1] == yes
question "Q1" prompt
    text "first"
    applies when flag and not (kind in {beta, gamma}) or level >= medium
    answer yes_no
question "Q2" judgement
    text "second"
    applies when case_type == core or gap < 10 days
    answer yes_no_not_a_factor
    derive yes when pick == beta
    derive no when n > 3
question "Q3" information
    text "third"
    applies when red in tags or note == "x"
    answer scale low, medium, high
''',
]

#: Fragments spliced into rule text: keywords, operators, limits, encodings, paths.
RULE_FRAGMENTS = [
    " and ", " or ", " not ", "(", ")", "{", "}", ",", "==", "<=", " + ", " - ", " if flag then ", " then ", " else ",
    " 8 weeks", " 200000000 weeks", " 999999999 days", " 9" * 30, "9" * 5000, " 2025-02-30", " 0001-01-01", " 9999-12-31",
    "\n", "\u2028", "\x0c", "\x85", "\ufeff", "\x00", "\x1b[31m", "\ud800", "é", '"', '"""', "#", "[Q1]", "[Q9]",
    "\ninclude \"/proc/self/environ\"\n", "\ninclude \"../../../../etc/passwd\"\n", "\ninclude \"/dev/zero\"\n",
    "\ndefine x = " + "(flag or " * 300 + "flag" + ")" * 300 + "\n",
    "\ndefine y = " + "not " * 250 + "flag\n",
    "\ndefine z = " + "if flag then " * 40 + "1" + " else 2" * 40 + "\n",
    "\ncase type\n" + "".join(f"    t{i} when n == {i}\n" for i in range(130)) + "    rest otherwise\n",
    '\nquestion "QD" judgement\n    text "d"\n    answer yes_no\n' + "".join(f"    derive yes when n == {i}\n" for i in range(130)),
    "\ndefine w = flag" + " and flag" * 260 + "\n",
]


def mutate_rules(text: str, rng: random.Random) -> str:
    """Up to three random edits: delete, duplicate or move a span, splice a fragment, nest an expression."""
    for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
        kind = rng.randrange(6)
        a = rng.randrange(len(text) + 1)
        b = min(len(text), a + rng.randint(0, 40))
        if kind == 0:
            text = text[:a] + text[b:]
        elif kind == 1:
            text = text[:b] + text[a:b] * rng.randint(1, 50) + text[b:]
        elif kind == 2:
            text = text[:a] + rng.choice(RULE_FRAGMENTS) + text[a:]
        elif kind == 3:
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif kind == 4:
            depth = rng.choice((5, 50, 150, 220, 400))
            text = text.replace("applies when ", "applies when " + "(" * depth, 1).replace("\n    answer", ")" * depth + "\n    answer", 1)
        else:
            text = text[:a] + "".join(rng.choice(" \n\t(){}[]=<>+-,\"#abc0129") for _ in range(rng.randint(1, 12))) + text[a:]
    return text


def random_value(rng: random.Random) -> Any:
    """Any JSON value a careless or hostile case could hold."""
    return rng.choice([
        None, True, False, 0, -1, 3, 10**30, 2.5, float("nan"), "", "yes", "no", "not_a_factor", "low", "high", "alpha",
        "beta", "2025-01-01", "2025-02-30", "2025-W01-1", "20250101XX", "9999-12-31", "0001-01-01", "\x1b[2J", "\ud800",
        ["red"], ["red", "red"], ["nope"], [1], {"a": 1}, "x" * 10_000,
    ])


def random_case(rules, rng: random.Random) -> dict:
    names = list(rules.facts) + ["nosuchfact"]
    questions = list(rules.questions) + ["Q99"]
    case: dict = {"id": rng.choice([1, "a", None, [1], "\x1b]0;x\x07"])}
    if rng.random() < 0.9:
        case["facts"] = {rng.choice(names): random_value(rng) for _ in range(rng.randint(0, len(names)))}
    if rng.random() < 0.9:
        case["answers"] = {rng.choice(questions): random_value(rng) for _ in range(rng.randint(0, len(questions)))}
    if rng.random() < 0.05:
        case["extra"] = 1
    return case


@attrs.define
class Report:
    """Counts of one fuzz run; ``samples`` keeps the first few crashes to reproduce them."""

    tried: int = 0
    refused: int = 0
    crashes: int = 0
    mismatches: int = 0
    hangs: int = 0
    lost_lines: int = 0
    samples: list[str] = attrs.field(factory=list)

    def problem(self, what: str, detail: str) -> None:
        if len(self.samples) < 5:
            self.samples.append(f"{what}: {detail}")

    @property
    def ok(self) -> bool:
        return self.crashes == self.mismatches == self.hangs == self.lost_lines == 0


def _outcome(rules, case, backend):
    try:
        evaluation = rules.evaluate(case, backend=backend)
    except CaragError as error:
        return ("error", str(error))
    json.dumps(evaluation.to_dict(), allow_nan=False)  # a result must always be writable as JSON
    for question_id in list(rules.questions)[:3]:
        evaluation.explain(question_id)
    return evaluation.to_dict()


def _timed(report: Report, what: str, action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    try:
        return action()
    except CaragError:
        raise
    except Exception as error:  # the finding this fuzz looks for
        report.crashes += 1
        report.problem(what, "".join(traceback.format_exception_only(type(error), error)).strip()[:300])
        return None
    finally:
        if time.perf_counter() - start > HANG_SECONDS:
            report.hangs += 1
            report.problem(what, f"took {time.perf_counter() - start:.1f} s")


def check_and_evaluate(text: str, cases: list[dict] | None, rng: random.Random, report: Report) -> None:
    """``check`` the text; when accepted, evaluate cases with both back ends. Only CaragError may escape the engine."""
    report.tried += 1
    try:
        rules = _timed(report, "check", lambda: loads(text))
    except CaragError:
        report.refused += 1
        return
    if rules is None:
        return
    for case in cases if cases is not None else [random_case(rules, rng) for _ in range(3)]:
        try:
            compiled = _timed(report, "evaluate (compiled)", lambda: _outcome(rules, case, "compiled"))
            reference = _timed(report, "evaluate (reference)", lambda: _outcome(rules, case, "reference"))
        except CaragError as error:  # explain's usage errors and the like: fine
            del error
            continue
        if compiled is not None and reference is not None and compiled != reference:
            report.mismatches += 1
            report.problem("back ends disagree", repr(case)[:200])


def fuzz_rule_sets(count: int, seed: int = 0) -> Report:
    rng = random.Random(seed)
    report = Report()
    for _ in range(count):
        check_and_evaluate(mutate_rules(rng.choice(SEED_RULES), rng), None, rng, report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz_inputs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rule-sets", type=int, default=10_000, metavar="N", help="rule-set mutations (default 10,000)")
    parser.add_argument("--cases", type=int, default=100_000, metavar="N", help="case-data line mutations (default 100,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    ok = True
    for name, run in (("rule sets", lambda: fuzz_rule_sets(args.rule_sets, args.seed)),):
        start = time.perf_counter()
        report = run()
        ok = ok and report.ok
        print(f"{name}: {report.tried} tried, {report.refused} refused with a located error, {report.crashes} non-CaragError "
              f"exceptions, {report.mismatches} back-end disagreements, {report.hangs} over {HANG_SECONDS:g} s, "
              f"{report.lost_lines} lines lost ({time.perf_counter() - start:.0f} s)")
        for sample in report.samples:
            print("  " + sample)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
