"""Form field names for carag's facts, questions and calculated values, and the way back.

A form keeps carag's own ids wherever the target allows: a fact is named as
the fact, a question by its id. Each target has a spelling for what it cannot
hold:

- XLSForm names must be XML names: a question id is spelt with ``_`` for each
  character an XML name cannot hold and a leading ``_`` before a digit
  (``2.3.01`` is ``_2.3.01``, ``X 4`` is ``X_4``); the form keeps the id itself
  next to the name (``bind::carag:id``).
- SurveyJS names may hold spaces and dots, but survey-core trims them, drops
  braces, a ``|`` and a leading ``#``, and reads ``[`` as an index and a
  leading ``$`` as its own: those characters are spelt ``(``, ``)``, ``/`` and
  a leading ``_``.

Both targets compare names ignoring case (survey-core looks names up so;
pyxform warns of two names that differ only in case), so names are kept
apart ignoring case. Calculated values (defined names, the case type, derived
judgements) and the fields for reasons get a ``-`` in their name, which no
fact has. Should two names still meet (``X 4`` and ``X_4`` in XLSForm, ``X 4``
and ``x 4``, a question named like a calculated value, a name a form engine
keeps for itself), the later gets ``-2``, ``-3``, ... in the order of the rule
set, so names are the same at every export of the same rules, and
:meth:`FieldNames.fields` reads a form's names back to carag's, one to one.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple

from carag_dsl.language import ast

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

_NOT_XML_NAME_CHAR = re.compile(r"[^A-Za-z0-9._-]")
_TEXT = ast.TypeExpr("text")

#: Names XLSForm keeps for itself (pyxform: ``meta``), and the metadata columns ODK Central and KoboToolbox put
#: beside the fields in their exports, where an export without group names would meet a field of the same name.
XLSFORM_RESERVED = frozenset({
    "meta", "instanceID", "formhub",
    "SubmissionDate", "KEY", "PARENT_KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected",
    "Status", "ReviewState", "DeviceID", "Edits", "FormVersion",
    "_id", "_uuid", "_index", "_submission_time", "_submitted_by", "_validation_status", "_notes", "_status", "_tags",
    "__version__", "_version_", "_attachments", "_geolocation", "_xform_id_string", "_parent_index", "_parent_table_name",
})


def xml_name(text: str) -> str:
    """``text`` made an XML name that XLSForm accepts (letters, digits, ``_ . -``; no leading digit, '.', '-', 'xml')."""
    name = _NOT_XML_NAME_CHAR.sub("_", text) or "_"
    if not (name[0].isalpha() or name[0] == "_") or name.lower().startswith("xml"):
        name = "_" + name
    return name


_SURVEYJS_BRACKETS = str.maketrans({"{": "(", "}": ")", "[": "(", "]": ")", "|": "/"})


def surveyjs_name(text: str) -> str:
    """``text`` as a SurveyJS name survey-core keeps as it is and reads in an expression (see the module doc)."""
    name = text.translate(_SURVEYJS_BRACKETS)
    stripped = name.strip()
    if stripped != name:  # survey-core trims names: spaces at the ends become '_'
        name = "_" * (len(name) - len(name.lstrip())) + stripped + "_" * (len(name) - len(name.rstrip()))
    if not name or name[0] in "#$":
        name = "_" + name
    return name


class CaseField(NamedTuple):
    """A field of a form that holds case data: its section of the case, carag's name, the form's, the declared type."""

    section: str  # "facts" | "answers" | "reasons"
    carag_name: str
    form_name: str
    type: ast.TypeExpr


class FieldNames:
    """The form's name for every carag field of one rule set, under one target's naming rule."""

    def __init__(self, rules: "CheckedRules", spell: Callable[[str], str], reserved: frozenset[str] = frozenset()):
        self._rules = rules
        self._taken: set[str] = {name.casefold() for name in reserved}
        self._spell = spell
        symbols = rules.symbols
        self._facts = {name: self._claim(name) for name in symbols.facts}
        self._questions = {qid: self._claim(qid) for qid in symbols.questions}
        self._case_type = self._claim("calc-case_type")
        self._excluded = self._claim("calc-excluded")  # "true" when an 'exclude when' rule holds
        self._defines = {name: self._claim("calc-" + name) for name in symbols.defines}
        self._derived = {qid: self._claim("derived-" + qid) for qid, q in symbols.questions.items() if q.derive}
        # The inspector's reasons for a 'record reasons' question (the case data's "reasons").
        self._reasons = {qid: self._claim("reasons-" + qid) for qid, q in symbols.questions.items() if q.record_reasons}
        self._groups: dict[str, str] = {}

    def _claim(self, wanted: str) -> str:
        base = self._spell(wanted)
        name, counter = base, 1
        while name.casefold() in self._taken:
            counter += 1
            name = f"{base}-{counter}"
        self._taken.add(name.casefold())
        return name

    def fact(self, name: str) -> str:
        return self._facts[name]

    def question(self, question_id: str) -> str:
        return self._questions[question_id]

    def define(self, name: str) -> str:
        return self._defines[name]

    def case_type(self) -> str:
        return self._case_type

    def excluded(self) -> str:
        return self._excluded

    def derived(self, question_id: str) -> str:
        return self._derived[question_id]

    def reasons(self, question_id: str) -> str:
        return self._reasons[question_id]

    def shared(self) -> str:
        """A calculated value holding a part of an expression written more than once (see forms.expressions)."""
        self._shared_count = getattr(self, "_shared_count", 0) + 1
        return self._claim(f"calc-shared-{self._shared_count}")

    def group(self, key: str) -> str:
        """A group (the case facts, a section): named once per key."""
        if key not in self._groups:
            self._groups[key] = self._claim("group-" + key)
        return self._groups[key]

    def fields(self) -> Iterator[CaseField]:
        """Every fact, answer and reasons field of the form, in the order of the rule set."""
        for name, fact in self._rules.symbols.facts.items():
            yield CaseField("facts", name, self._facts[name], fact.type)
        for qid, question in self._rules.symbols.questions.items():
            yield CaseField("answers", qid, self._questions[qid], question.answer or _TEXT)
            if question.record_reasons:
                yield CaseField("reasons", qid, self._reasons[qid], _TEXT)

    def calculated(self) -> set[str]:
        """The names of the calculated values (the form works them out; they are never case data)."""
        return {self._case_type, self._excluded, *self._defines.values(), *self._derived.values()}
