"""What both readers of submissions share: their result, the error of a whole file, and a case built field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import attrs

from carag_dsl.errors import CaragError
from carag_dsl.tools.forms.names import CaseField
from carag_dsl.tools.forms.values import BLANK

#: (number, case, None) or (number, None, what is wrong)
Row = tuple[int, Any, "str | None"]


class SubmissionFileError(CaragError):
    """A file of submissions that cannot be read at all (no submission in it can be placed or read)."""


@attrs.frozen
class Submissions:
    """The submissions of a file, as cases; ``kind`` says what their numbers count.

    ``"jsonl"``: lines, ``"array"``: elements of a JSON array, ``"rows"``: rows of a table (its header is row 1).
    """

    kind: str
    rows: Iterator[Row]


_SECTION_WORDS = {"facts": "fact", "answers": "question", "reasons": "the reasons for question"}


def field_problem(field: CaseField, problem: str) -> str:
    """``field "X_4" (question X 4): what is wrong``: the form's name and carag's."""
    return f"field {field.form_name!r} ({_SECTION_WORDS[field.section]} {field.carag_name}): {problem}"


def place_id(path: str, kind: str, number: int) -> str:
    """A case id from where a submission is in its file, for sources that carry none (``results.json:element 3``)."""
    name = "stdin" if path == "-" else Path(path).name
    unit = {"array": "element ", "rows": "row "}.get(kind, "")
    return f"{name}:{unit}{number}"


class CaseBuilder:
    """One case, field by field; every problem kept, so a submission's errors are all said at once."""

    def __init__(self, case_id: Any):
        self.case: dict[str, Any] = {"id": case_id, "facts": {}, "answers": {}}
        self.problems: list[str] = []

    def put(self, field: CaseField, value: Any, problem: str | None) -> None:
        if problem is not None:
            self.problems.append(field_problem(field, problem))
        elif value is not BLANK:
            self.case.setdefault(field.section, {})[field.carag_name] = value

    def wrong(self, problem: str) -> None:
        self.problems.append(problem)

    def row(self, number: int) -> Row:
        if self.problems:
            return number, None, "; ".join(self.problems)
        return number, self.case, None
