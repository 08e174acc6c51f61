"""Sixty cases from six Trusts for the 2014-style scores of docs/ratings.md (docs/examples/scores_2014.carag).

Each Trust has ten cases; each question is judged 'yes' in a share of them that differs by Trust and question
(a fixed table), 'no' in the others, so the scores and their range across the Trusts can be checked by hand.
PP 2 is "not a factor" in one case of each Trust (judged neither yes nor no: it takes no part).

    python docs/examples/scores_2014_sample.py > docs/examples/scores_2014.csv
"""

from __future__ import annotations

import csv
import sys
from typing import Any

QUESTIONS = ["PP 1", "PP 2", "PP 3", "V 1", "V 2"]
#: Per Trust, how many of its ten cases are judged 'yes' on each question (in the order of QUESTIONS).
YES = {
    "trust_a": (9, 8, 7, 8, 9),
    "trust_b": (7, 5, 6, 6, 8),
    "trust_c": (8, 7, 8, 9, 7),
    "trust_d": (6, 4, 5, 5, 6),
    "trust_e": (9, 9, 8, 7, 9),
    "trust_f": (7, 6, 7, 6, 5),
}


def rows() -> list[dict[str, Any]]:
    found = []
    for trust, yes in YES.items():
        for case in range(10):
            row = {"id": f"{trust}-{case + 1:02d}", "trust": trust}
            for question, n_yes in zip(QUESTIONS, yes):
                row[question] = "yes" if case < n_yes else "no"
            if case == 9:
                row["PP 2"] = "not_a_factor"
            found.append(row)
    return found


def write_csv(out: Any) -> None:
    writer = csv.DictWriter(out, ["id", "trust", *QUESTIONS], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows())


if __name__ == "__main__":
    write_csv(sys.stdout)
