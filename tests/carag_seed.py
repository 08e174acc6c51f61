"""Read the published CARaG V1.1 text into its questions, for comparison with the rule set.

``tests/data/carag_v1.1.txt`` is the plain-text rendering of HM Inspectorate of
Probation's "Dynamic inspection of public protection. Case assessment rules and
guidance (CARaG)", V1.1, 20 October 2025 (Open Government Licence v3.0). The
rendering lost the table layout, italics and bold, so this module rebuilds the
items from the line shapes that remain:

* a section starts with a line ``<title> (Back to top)``;
* an item starts with a line that begins with its id (``2.0.19a``, ``X 1``,
  ``2.3.24``, ``P 2.1.3``), then its applicability label ("All cases", ...),
  often glued to the question text with no space;
* the question text runs to the first ``?``; a summary judgement has
  ``Summary judgement:`` after its label and the question on the next line;
* the guidance is everything after the question up to the next item or the
  next section heading.

The texts are returned with runs of whitespace collapsed (the rendering has
stray double spaces); the guidance keeps its lines and paragraph breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SEED_PATH = Path(__file__).resolve().parent / "data" / "carag_v1.1.txt"

#: The document sections that hold questions, in document order. The other
#: "(Back to top)" headings (Introduction, Key, Inspection principles) hold none.
QUESTION_SECTIONS = (
    "Information about the case",
    "Assessment information",
    "Assessment",
    "Planning",
    "Implementation and delivery information",
    "Implementation and delivery",
    "Reviewing",
    "Case summary",
)

#: Every applicability label the CARaG prints. Longest first, so that "All
#: cases" does not swallow the start of "All cases with an accredited programme".
LABELS = tuple(
    sorted(
        (
            "All cases",
            "Core cases only",
            "Adjusted cases only",
            "Resettlement cases only",
            "Cases with court report only",
            "All cases with an accredited programme",
            "All MAPPA cases",
            "All cases where this is a factor",
            "Probation Reset cases where contact should be re-instigated only",
            "All core cases, and any adjusted cases where supervision should have been re-instigated",
        ),
        key=len,
        reverse=True,
    )
)

_SECTION = re.compile(r"^(?P<title>.+?) \(Back to top\)\s*$")
# "P 2.1.3", "X 10", "2.0.19a", "2.5.41": never followed by another digit or dot.
_ITEM = re.compile(r"^(?P<id>P \d\.\d\.\d|X \d{1,2}|\d\.\d\.\d{2}[a-z]?)(?![\d.])")
_SUMMARY = "Summary judgement:"


@dataclass(frozen=True)
class SeedItem:
    """One question of the CARaG as printed.

    ``label`` is None where the document prints none (P 2.1.3 and P 2.2.3).
    ``guidance`` is None where the document gives none.
    """

    id: str
    label: str | None
    text: str
    section: str
    guidance: str | None

    @property
    def is_summary_judgement(self) -> bool:
        return self.id.startswith("P ")


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the edges."""
    return " ".join(text.split())


def _tidy_guidance(lines: list[str]) -> str | None:
    """Strip each line, collapse inner spaces, and keep one blank line between paragraphs."""
    out: list[str] = []
    for line in lines:
        line = normalise(line)
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) or None


def extract(text: str) -> list[SeedItem]:
    """The questions of the CARaG text, in document order."""
    items: list[SeedItem] = []
    section: str | None = None
    current: dict | None = None  # the item being read: id, label, text, guidance lines
    pending_question = False  # a summary judgement whose question is on the next line

    def finish() -> None:
        nonlocal current
        if current is not None:
            items.append(
                SeedItem(
                    current["id"],
                    current["label"],
                    normalise(current["text"]),
                    current["section"],
                    _tidy_guidance(current["guidance"]),
                )
            )
        current = None

    for line in text.splitlines():
        heading = _SECTION.match(line.strip())
        if heading:
            finish()
            title = heading.group("title")
            section = title if title in QUESTION_SECTIONS else None
            continue
        if section is None:
            continue
        if pending_question:
            if not line.strip():
                continue
            question, _, rest = line.strip().partition("?")
            current["text"] = question + "?"
            current["guidance"].append(rest)
            pending_question = False
            continue
        start = _ITEM.match(line)
        if not start:
            if current is not None:
                current["guidance"].append(line)
            continue
        finish()
        rest = line[start.end():].strip()
        label = next((name for name in LABELS if rest.startswith(name)), None)
        if label is not None:
            rest = rest[len(label):].strip()
        current = {"id": start.group("id"), "label": label, "section": section, "guidance": []}
        if rest.startswith(_SUMMARY):
            rest = rest[len(_SUMMARY):].strip()
        if not rest:
            pending_question = True
            continue
        if "?" not in rest:
            raise ValueError(f"{current['id']}: no question mark in {rest!r}")
        question, _, guidance = rest.partition("?")
        current["text"] = question + "?"
        current["guidance"].append(guidance)
    finish()
    return items


def seed_items(path: Path = SEED_PATH) -> list[SeedItem]:
    """The questions of the bundled copy of the CARaG V1.1 text."""
    return extract(path.read_text(encoding="utf-8"))
