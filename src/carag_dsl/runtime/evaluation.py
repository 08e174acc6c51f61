"""The result of evaluating one case: statuses, values, case type, warnings; and explanations."""

from __future__ import annotations

from typing import Any, Protocol

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import UsageError, did_you_mean_question
from carag_dsl.runtime.explain import explain_question
from carag_dsl.runtime.results import QuestionResult, json_value

__all__ = ["CaseScope", "Evaluation", "QuestionResult", "excluded_json", "excluded_text", "json_value", "ruleset_identity", "text_cell"]


def excluded_json(excluded: str | None, pending: tuple[str, ...] | None) -> Any:
    """The result's ``"excluded"``: null when inspected, the reason when excluded, and
    ``{"unknown": [facts and answers that would settle it]}`` when it is not known."""
    return {"unknown": list(pending)} if pending is not None else excluded


def text_cell(value: Any) -> str | None:
    """A JSON value (a case id, a result value) as one text cell (CSV, Parquet, Arrow): text as it is, None as
    None, anything else as its JSON."""
    if value is None or value.__class__ is str:
        return value
    import json

    return json.dumps(value)


def excluded_text(excluded: Any) -> str | None:
    """The result's ``"excluded"`` as one text cell (CSV, Parquet, Arrow): the reason, or for a case not known
    to be inspected ``not known: `` and what would settle it, separated by ``; ``."""
    if isinstance(excluded, dict):
        return "not known: " + "; ".join(excluded["unknown"])
    return excluded


class CaseScope(Protocol):
    """What the rules read for one case: the reference evaluator's Scope, or the compiled back end's stand-in."""

    def name(self, name: str) -> Any:
        """The value of a fact, a defined name or ``case_type`` for this case (UNKNOWN when not known)."""
        ...

    def answer(self, question_id: str) -> Any:
        """The answer to a question, or its derived value, or UNKNOWN."""
        ...


def ruleset_identity(rules: CheckedRules) -> dict[str, Any]:
    """``{"name", "version", "hash"}``: which rules produced a result, so a stored result can be traced to them."""
    return {"name": rules.name, "version": rules.version, "hash": rules.content_hash}


#: Whether a case is inspected: :attr:`Evaluation.inspection` (and the states ``carag diff`` compares).
INSPECTED, EXCLUDED, NOT_KNOWN_WHETHER_INSPECTED = "inspected", "excluded", "not_known_whether_inspected"


@attrs.define
class Evaluation:
    """What the rules say about one case. ``questions`` keeps the rule set's order."""

    ruleset: CheckedRules = attrs.field(repr=False)
    id: Any
    case_type: str | None
    case_type_source: str | None
    questions: dict[str, QuestionResult]
    warnings: list[str]
    scope: CaseScope = attrs.field(repr=False)
    #: The reason the rules give for not inspecting the case (``exclude when``), or None.
    excluded: str | None = None
    #: When it is not known whether the case is inspected: the facts and answers, not given, that would settle
    #: it (every question is then pending); None when it is known.
    exclusion_pending: tuple[str, ...] | None = None
    #: The inspector's reasons per question, as the case data gave them (``"reasons"``).
    reasons: dict[str, str] = attrs.field(factory=dict)

    @property
    def inspection(self) -> str:
        """Whether the case is inspected, excluded, or not known to be either (:data:`INSPECTED`, ...)."""
        if self.excluded is not None:
            return EXCLUDED
        return NOT_KNOWN_WHETHER_INSPECTED if self.exclusion_pending is not None else INSPECTED

    def status(self, question_id: str) -> str:
        return self._result(question_id).status

    def value(self, question_id: str) -> Any:
        return self._result(question_id).value

    def _result(self, question_id: str) -> QuestionResult:
        if question_id not in self.questions:
            raise UsageError(f"there is no question '{question_id}'{did_you_mean_question(question_id, self.questions)}")
        return self.questions[question_id]

    def to_dict(self) -> dict[str, Any]:
        """The evaluation as JSON-ready data (the documented contract)."""
        questions = {}
        option_order = self.ruleset.option_order
        for question_id, result in self.questions.items():
            value = result.value
            if value is not None and value.__class__ is not str:  # None and text are JSON already (fast path)
                value = json_value(value, option_order(question_id))
            questions[question_id] = {"status": result.status, "value": value, "source": result.source}
        return {
            "id": self.id,
            "case_type": self.case_type,
            "excluded": excluded_json(self.excluded, self.exclusion_pending),
            "questions": questions,
            "warnings": list(self.warnings),
            "reasons": dict(self.reasons),
            "ruleset": ruleset_identity(self.ruleset),
        }

    def explain(self, question_id: str) -> str:
        """Why the question applies, does not apply or is pending, in plain words."""
        self._result(question_id)
        return explain_question(self, question_id)
