"""Result lines for ``carag eval --cases``: the JSON of an evaluation, written fast.

Encoding the result of one case (every question, nested objects) costs more
than evaluating it with the compiled back end, so the streaming command writes
results through :class:`ResultWriter`, which gives the same text as
``json.dumps(evaluation.to_dict(), ensure_ascii=False)``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from carag_dsl.runtime.evaluation import Evaluation, QuestionResult, json_value
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

    def _entry(self, qid: str, result: QuestionResult) -> str:
        value = json_value(result.value, self._ruleset.option_order(qid))
        return self._prefix[qid] + self._encode({"status": result.status, "value": value, "source": result.source})

    def line(self, evaluation: Evaluation) -> str:
        """The result JSON of one evaluation, on one line (no newline at the end)."""
        encode, cache, bounded = self._encode, self._cache, self._bounded
        entries = []
        for qid, result in evaluation.questions.items():
            known = cache.get(qid)
            if known is None:  # a question this writer was not built for: no shortcut
                entries.append(encode(qid) + ": " + encode(evaluation.to_dict()["questions"][qid]))
                continue
            key = (result.status, result.value, result.source)  # cheaper to hash than the attrs object
            entry = known.get(key)
            if entry is None:
                entry = self._entry(qid, result)
                if result.value is None or bounded[qid]:  # finitely many: keep it
                    known[key] = entry
            entries.append(entry)
        return (
            '{"id": ' + encode(evaluation.id) + ', "case_type": ' + encode(evaluation.case_type)
            + ', "questions": {' + ", ".join(entries) + '}, "warnings": ' + encode(list(evaluation.warnings)) + "}"
        )
