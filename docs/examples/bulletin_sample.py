"""A sample of 1,748 cases whose counts match Table B1 of Research & Analysis Bulletin 2025/01.

Table B1 ("Does assessment focus sufficiently on keeping other people safe?", Annex B) gives, for the key
question P 2.1.3, N (cases judged) and n (positive judgements) for every group of seven characteristics.
This script makes cases with exactly those counts: for each characteristic, the positive cases get the
values of its groups n times each and the negative cases N - n times each, the rest "not known" (the
Bulletin's "missing data"), every characteristic shuffled on its own with a fixed seed. In B1's age rows
the printed n is the count of negative judgements (265 cases aged 18-24 with n 178 and 32.8%: 87 of 265 is
32.8%), so those rows take n = N x % as the positives.

    python docs/examples/bulletin_sample.py > docs/examples/bulletin_b1.csv

writes the file docs/ratings.md rates (tests/test_rate_analyses.py checks that the file is what this writes).
"""

from __future__ import annotations

import csv
import random
import sys
from typing import Any, Iterator

CASES, POSITIVE = 1748, 568

#: (fact, {value written in the case: (N, n positive)}), from Table B1. The ages and counts are one
#: representative value per group (the rules group them back); "High/very high" is split between the two levels.
TABLE_B1: list[tuple[str, dict[Any, tuple[int, int]]]] = [
    ("age", {21: (265, 265 - 178), 27: (286, 286 - 198), 35: (617, 617 - 423), 50: (520, 520 - 347), 64: (50, 50 - 28)}),
    ("sex", {"male": (1474, 471), "female": (224, 75)}),
    ("ethnicity", {"white": (1317, 436), "ethnic_minority": (313, 97)}),
    ("likelihood_of_reoffending", {"low": (987, 340), "medium": (405, 125), "high_or_very_high": (280, 95)}),
    ("rosh", {"low": (346, 99), "medium": (1013, 310), "high_or_very_high": (275, 151)}),
    ("sentence", {"community": (970, 302), "post_custody": (577, 201)}),
    ("previous_sanctions", {0: (283, 104), 1: (176, 64), 3: (382, 113), 8: (268, 87), 15: (294, 91), 30: (326, 103)}),
]
COLUMNS = ["id", "terminated"] + [fact for fact, _ in TABLE_B1] + ["P 2.1.3"]


def _column(groups: dict[Any, tuple[int, int]], rng: random.Random) -> tuple[list[Any], list[Any]]:
    """The values of one characteristic for the positive cases and for the negative cases, shuffled."""
    positive = [value for value, (_, n) in groups.items() for _ in range(n)]
    negative = [value for value, (total, n) in groups.items() for _ in range(total - n)]
    positive += [None] * (POSITIVE - len(positive))
    negative += [None] * (CASES - POSITIVE - len(negative))
    rng.shuffle(positive)
    rng.shuffle(negative)
    return positive, negative


def _spelled(fact: str, value: Any, rng: random.Random) -> Any:
    """A group's value as case data gives it: High/very high as one of the two levels, post-custody as licence or PSS."""
    if value == "high_or_very_high":
        return rng.choice(["high", "very_high"])
    if value == "post_custody":
        return rng.choice(["licence", "pss"])
    return value


def bulletin_b1_cases(seed: int = 2025) -> Iterator[dict[str, Any]]:
    """The 1,748 cases, as CSV rows (column -> value; None for not known)."""
    rng = random.Random(seed)
    columns = {fact: _column(groups, rng) for fact, groups in TABLE_B1}
    for index in range(CASES):
        positive = index < POSITIVE
        place = index if positive else index - POSITIVE
        row: dict[str, Any] = {"id": f"b1-{index + 1:04d}", "terminated": "false"}  # sentences being served: inspected
        for fact, (yes_values, no_values) in columns.items():
            row[fact] = _spelled(fact, (yes_values if positive else no_values)[place], rng)
        row["P 2.1.3"] = "yes" if positive else "no"
        yield row


def write_csv(out: Any) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in bulletin_b1_cases():
        writer.writerow(["" if row[column] is None else row[column] for column in COLUMNS])


if __name__ == "__main__":
    write_csv(sys.stdout)
