"""Rule sets made to be expensive (issue 24): each a few lines that once made a command exhaust the machine.

Used by the budget tests (``tests/test_bounded_analysis.py, tests/test_bounded_generation.py``) and by ``python -m tests.fuzz_inputs``. Each
function returns the text of one rule file; the sizes are parameters so the fuzzer can vary them.
"""

from __future__ import annotations

HEADER = 'ruleset "expensive" version "1" published 2025-01-01\n'


def _question(qid: str, condition: str, answer: str = "yes_no") -> str:
    return f'question "{qid}" prompt\n    text "{qid}"\n    applies when {condition}\n    answer {answer}\n'


def many_named_options(options: int = 40) -> str:
    """The file of issue 24: an ``any of`` fact whose options the rules all name, though they read one of them
    (before the classes were split by the options read: one class per subset, 2^options)."""
    codes = ", ".join(f"o{i}" for i in range(options))
    return (HEADER + f"fact kind: one of {codes}\nfact tags: any of {codes}\n"
            + _question("Q1", f"kind in {{{codes}}} and o1 in tags"))


def many_read_options(options: int = 40) -> str:
    """An ``any of`` fact whose every option the rules read (one class per subset of them: 2^options)."""
    codes = ", ".join(f"o{i}" for i in range(options))
    return (HEADER + f"fact kind: one of {codes}\nfact tags: any of {codes}\n"
            + _question("Q1", "kind in tags and o1 in tags"))


def many_options(options: int = 3000) -> str:
    """A single-option fact with thousands of options."""
    codes = ", ".join(f"o{i}" for i in range(options))
    return HEADER + f"fact kind: one of {codes}\n" + _question("Q1", "kind in {o1, o2}")


def compared_chain(facts: int = 12) -> str:
    """Whole numbers compared in a chain: a cell per order the comparisons allow."""
    declared = "".join(f"fact n{i}: int\n" for i in range(facts))
    return HEADER + declared + _question("Q1", " and ".join(f"n{i} > n{i - 1}" for i in range(1, facts)))


def sum_of_ifs(facts: int = 16) -> str:
    """A sum of ``if``s over whole numbers: a linear form per combination of branches."""
    declared = "".join(f"fact n{i}: int\n" for i in range(facts))
    total = " + ".join(f"(if n{i} > 0 then n{i} else 0)" for i in range(facts))
    return HEADER + declared + f"define total = {total}\n" + _question("Q1", "total > 5")


def chained_defines(defines: int = 24, kind: str = "set") -> str:
    """``define s{i} = if c then s{i-1} else s{i-1}``: each name reads the one before twice."""
    first = "tags" if kind == "set" else "n"
    lines = [HEADER, "fact c: bool\nfact n: int\nfact tags: any of red, green\n", f"define s0 = {first}\n"]
    lines += [f"define s{i} = if c then s{i - 1} else s{i - 1}\n" for i in range(1, defines)]
    last = f"s{defines - 1}"
    condition = f"{last} is not empty" if kind == "set" else f"{last} > 3"
    return "".join(lines) + _question("Q1", condition)


def syntax_error_flood(errors: int = 40_000) -> str:
    """A rule file of ``errors`` lines that do not parse, each its own syntax error."""
    return HEADER + "fact a: bool\n" + "fact b: = =\n" * errors
