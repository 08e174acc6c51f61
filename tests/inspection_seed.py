"""Read the published inspection questions (seed 000) into their parts, for comparison with the rule set.

``tests/data/inspection_questions.txt`` is the plain-text rendering of HM Inspectorate of
Probation's "Dynamic inspection of public protection. Inspection questions. Guidance and
evidence sources" (Open Government Licence v3.0). Its shapes:

* a domain starts with a line ``<n>. <Domain> (Back to top)``; the footnotes end the questions;
* a heading (Leadership's "Strategic", "Operational", "Learning") is a line of one word
  before a question;
* a question starts with a line ``<n>.<m> <text>?``;
* ``Guidance`` (once ``Guidance:``) opens the guidance, ``Evidence`` the evidence list, whose
  items are the bullet lines (``•``) after it, with or without ``This includes:`` first; a second
  ``Evidence`` line with nothing under it (before 3.5) adds nothing.

Texts and items are compared with runs of whitespace collapsed; the guidance keeps its lines
and one blank line between paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from carag_seed import _tidy_guidance, normalise

__all__ = ["InspectionItem", "inspection_items", "normalise", "tidy"]

SEED_PATH = Path(__file__).resolve().parent / "data" / "inspection_questions.txt"

_DOMAIN = re.compile(r"^(?P<number>\d)\. (?P<name>\w+) \(Back to top\)$")
_QUESTION = re.compile(r"^(?P<id>\d\.\d{1,2}) (?P<text>.+\?)$")
_HEADING = re.compile(r"^[A-Z][a-z]+$")
_END = "Footnotes/References (Back to top)"


@dataclass
class InspectionItem:
    id: str
    text: str
    domain: str
    heading: str | None
    guidance_lines: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    @property
    def guidance(self) -> str:
        return tidy(self.guidance_lines)


def tidy(lines: list[str]) -> str:
    """Each line's whitespace collapsed, one blank line between paragraphs, none at the ends (as for the CARaG)."""
    return _tidy_guidance(lines) or ""


def extract(text: str) -> list[InspectionItem]:
    items: list[InspectionItem] = []
    domain: str | None = None
    heading: str | None = None
    current: InspectionItem | None = None
    part = None  # "guidance" | "evidence" | None
    lines = text.splitlines()
    for index, raw in enumerate(lines):
        line = raw.strip()
        if line == _END:
            break
        if match := _DOMAIN.match(line):
            domain, heading, current, part = match.group("name"), None, None, None
            continue
        if domain is None:
            continue
        if match := _QUESTION.match(line):
            current = InspectionItem(match.group("id"), normalise(match.group("text")), domain, heading)
            items.append(current)
            part = None
            continue
        if line in ("Guidance", "Guidance:"):
            part = "guidance"
            continue
        if line == "Evidence":
            part = "evidence"
            continue
        following = next((other.strip() for other in lines[index + 1:] if other.strip()), "")
        if _HEADING.match(line) and _QUESTION.match(following):
            heading = line
            continue
        if current is None:
            continue
        if part == "guidance":
            current.guidance_lines.append(raw)
        elif part == "evidence" and line.startswith("•"):
            current.evidence.append(normalise(line[1:]))
    return items


def inspection_items(path: Path = SEED_PATH) -> list[InspectionItem]:
    return extract(path.read_text(encoding="utf-8"))
