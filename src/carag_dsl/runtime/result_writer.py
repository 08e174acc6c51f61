"""Result lines for ``carag eval --cases``: the JSON of an evaluation, written fast.

Encoding the result of one case (every question, nested objects) costs more
than evaluating it with the compiled back end, so the streaming command writes
results through :class:`ResultWriter`, which gives the same text as
``json.dumps(evaluation.to_dict(), ensure_ascii=False)``.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _quote  # type: ignore[attr-defined]  # what JSONEncoder(ensure_ascii=False) writes for a str
from typing import TYPE_CHECKING

from carag_dsl.runtime.evaluation import Evaluation, QuestionResult, excluded_json, json_value, ruleset_identity
from carag_dsl.compiler.types import SINGLE_OPTION_KINDS

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

class ResultWriter:
    """Writes ``json.dumps(evaluation.to_dict(), ensure_ascii=False)`` for a rule set, character for character, faster.

    The result of one case lists every question; encoding those nested objects
    costs more than evaluating the case. Most entries repeat (a status with no
    value, an option code answered), so each question's entry is encoded once
    per distinct result and kept; free text and multi-choice answers are
    encoded every time. The tests check the output equals ``json.dumps``.
    """

    def __init__(self, ruleset: "CheckedRules"):
        self._encode = json.JSONEncoder(ensure_ascii=False).encode
        self._ruleset = ruleset
        self._prefix = {qid: self._encode(qid) + ": " for qid in ruleset.questions}
        self._bounded = {qid: q.answer is not None and q.answer.kind in SINGLE_OPTION_KINDS for qid, q in ruleset.symbols.questions.items()}
        self._cache: dict[str, dict[tuple, str]] = {qid: {} for qid in ruleset.questions}
        # The entries of the results the compiled rules share (see CompiledRules.shared_results), by identity:
        # looking up id(result) costs less than building and hashing its (status, value, source).
        self._by_identity: dict[str, dict[int, str]] = {qid: {} for qid in ruleset.questions}
        self._shared: frozenset[int] | None = None
        self._order = tuple(ruleset.questions)
        self._tables = [self._by_identity[qid] for qid in self._order]
        self._ruleset_json = self._encode(ruleset_identity(ruleset))
        self._texts: dict[str | None, str] = {}

    def _entry(self, qid: str, result: QuestionResult) -> str:
        value = json_value(result.value, self._ruleset.option_order(qid))
        return self._prefix[qid] + self._encode({"status": result.status, "value": value, "source": result.source})

    def _entry_of(self, qid: str, result: QuestionResult) -> str:
        """A question's entry, from the caches or written (and kept when its kinds are finitely many)."""
        known = self._cache[qid]
        key = (result.status, result.value, result.source)  # cheaper to hash than the attrs object
        entry = known.get(key)
        if entry is None:
            entry = self._entry(qid, result)
            if result.value is None or self._bounded[qid]:  # finitely many: keep it
                known[key] = entry
        if id(result) in self._shared:  # type: ignore[operator]  # alive as long as the compiled rules: its id stays its own
            self._by_identity[qid][id(result)] = entry
        return entry

    def line(self, evaluation: Evaluation) -> str:
        """The result JSON of one evaluation, on one line (no newline at the end)."""
        questions = evaluation.questions
        if self._shared is None:
            from carag_dsl.runtime.evaluate import compiled_rules

            self._shared = frozenset(map(id, compiled_rules(self._ruleset).shared_results))
        if tuple(questions) == self._order:  # every question, in order (as both back ends give): looked up in C
            entries: list = list(map(dict.get, self._tables, map(id, questions.values())))
            if None in entries:
                for index, (qid, result) in enumerate(questions.items()):
                    if entries[index] is None:
                        entries[index] = self._entry_of(qid, result)
        else:  # a question this writer was not built for (no shortcut) is written from to_dict()
            entries = [self._entry_of(qid, result) if qid in self._cache
                       else self._encode(qid) + ": " + self._encode(evaluation.to_dict()["questions"][qid])
                       for qid, result in questions.items()]
        encode = self._encode
        case_id = evaluation.id
        # Joined once (the line is kilobytes: a chain of + would copy it again at every step); the few scalars
        # are written without the encoder's Python machinery where it is safe (text, whole numbers, known codes).
        return "".join([
            '{"id": ', _quote(case_id) if case_id.__class__ is str else str(case_id) if case_id.__class__ is int else encode(case_id),
            ', "case_type": ', self._known_text(evaluation.case_type),
            ', "excluded": ', self._known_text(evaluation.excluded) if evaluation.exclusion_pending is None
            else encode(excluded_json(None, evaluation.exclusion_pending)),
            ', "questions": {', ", ".join(entries),
            '}, "warnings": ', encode(list(evaluation.warnings)) if evaluation.warnings else "[]",
            ', "reasons": ', encode(evaluation.reasons) if evaluation.reasons else "{}",
            ', "ruleset": ', self._ruleset_json, "}",
        ])

    def _known_text(self, value: str | None) -> str:
        """JSON of a case type or an exclusion reason (a text of the rules, or None), kept once written."""
        written = self._texts.get(value)
        if written is None:
            written = self._texts[value] = self._encode(value)
        return written


#: The letter of each status in the compact result shape.
STATUS_LETTERS = {"applies": "a", "not_applicable": "n", "pending": "p"}


def compact_result(data: dict) -> dict:
    """The compact shape of a result (``carag eval --format compact``): what ``to_dict()`` says, in fewer bytes.

    ``statuses`` has one letter per question in the rule set's order (``a`` applies, ``n`` does not
    apply, ``p`` pending); ``values`` holds only the questions that have a value; ``derived`` lists
    those whose value is derived; ``case_type``, ``derived``, ``warnings`` and ``reasons`` are left out when empty.
    """
    questions = data["questions"]
    compact: dict = {"id": data["id"]}
    if data["case_type"] is not None:
        compact["case_type"] = data["case_type"]
    compact["statuses"] = "".join(STATUS_LETTERS[entry["status"]] for entry in questions.values())
    compact["values"] = {qid: entry["value"] for qid, entry in questions.items() if entry["value"] is not None}
    derived = [qid for qid, entry in questions.items() if entry["source"] == "derived"]
    if derived:
        compact["derived"] = derived
    if data["warnings"]:
        compact["warnings"] = list(data["warnings"])
    if data["reasons"]:
        compact["reasons"] = dict(data["reasons"])
    return compact


_LETTER_OF = STATUS_LETTERS.__getitem__


def compact_evaluation(evaluation: Evaluation) -> dict:
    """``compact_result(evaluation.to_dict())``, built from the evaluation without the full dict of every question."""
    questions = evaluation.questions
    compact: dict = {"id": evaluation.id}
    if evaluation.case_type is not None:
        compact["case_type"] = evaluation.case_type
    compact["statuses"] = "".join([_LETTER_OF(result.status) for result in questions.values()])
    values = {}
    derived = []
    option_order = evaluation.ruleset.option_order
    for qid, result in questions.items():
        value = result.value
        if value is not None:
            values[qid] = value if value.__class__ is str else json_value(value, option_order(qid))
        if result.source == "derived":
            derived.append(qid)
    compact["values"] = values
    if derived:
        compact["derived"] = derived
    if evaluation.warnings:
        compact["warnings"] = list(evaluation.warnings)
    if evaluation.reasons:
        compact["reasons"] = dict(evaluation.reasons)
    return compact


def compact_encoder():
    """bytes -> str of one compact line: orjson when installed, else json with the same separators."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is optional
        encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        return encode
    dumps = orjson.dumps
    return lambda value: dumps(value).decode("utf-8")
