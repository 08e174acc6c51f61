"""Form field names for carag's facts, questions and calculated values, and the way back.

A form keeps carag's own ids wherever the target allows: a fact is named as
the fact, a question by its id. XLSForm names must be XML names, so there a
question id is spelt with ``_`` for each character an XML name cannot hold
and a leading ``_`` before a digit (``2.3.01`` is ``_2.3.01``, ``X 4`` is
``X_4``); the form keeps the id itself next to the name (``bind::carag:id``).
Calculated values (defined names, the case type, derived judgements) and the
fields for reasons get a ``-`` in their name, which no fact and no question id
has, so they never take a name carag uses. Should two names still meet, the later gets ``-2``,
``-3``, ... in the order of the rule set, so names are the same at every
export of the same rules.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

_NOT_XML_NAME_CHAR = re.compile(r"[^A-Za-z0-9._-]")


def xml_name(text: str) -> str:
    """``text`` made an XML name that XLSForm accepts (letters, digits, ``_ . -``; no leading digit, '.', '-', 'xml')."""
    name = _NOT_XML_NAME_CHAR.sub("_", text) or "_"
    if not (name[0].isalpha() or name[0] == "_") or name.lower().startswith("xml"):
        name = "_" + name
    return name


def as_is(text: str) -> str:
    """SurveyJS names may hold any character but braces (which expressions use around names)."""
    return text.replace("{", "(").replace("}", ")")


class FieldNames:
    """The form's name for every carag field of one rule set, under one target's naming rule."""

    def __init__(self, rules: "CheckedRules", spell: Callable[[str], str]):
        self._taken: set[str] = set()
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
        while name in self._taken:
            counter += 1
            name = f"{base}-{counter}"
        self._taken.add(name)
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

    def group(self, key: str) -> str:
        """A group (the case facts, a section): named once per key."""
        if key not in self._groups:
            self._groups[key] = self._claim("group-" + key)
        return self._groups[key]
