"""The exact comparison, on the shared case space of both versions (:mod:`carag_dsl.analysis`).

``CaseSpace(old, new)`` splits every case into the boundary classes of both
rule sets together, so a region where a result differs between them is exact:
it holds every case where it differs and no other. For each question both
versions have, the region where its status goes from one value to another is
split by the new version's case type and described in words with a witness
case; the same for the case type itself, for derived judgements, and for the
cases one version accepts and the other rejects (constraints, contradicting
overrides, options only one version declares).

A renamed question is read under its new id in both versions
(:mod:`.renaming`), so its answer is one input of both.
"""

from __future__ import annotations

from typing import Any, Iterator

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import CaseDataError
from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.runtime.results import json_value
from carag_dsl.tools.diff.declarations import QuestionPairing
from carag_dsl.tools.diff.renaming import with_question_ids

CASE_TYPE, CONSTRAINTS, EXCLUSIONS = "case_type", "constraints", "exclusions"


@attrs.frozen
class Change:
    """A region of the case space where one result differs, with a case that shows it.

    ``target``: ``status:ID``, ``value:ID`` (a derived judgement), ``case_type``
    or ``constraints``. ``before``/``after``: the result under each version (a
    status; a derived answer or None; a case type or None; "accepted" or
    "rejected"). ``case_type``: the new version's case type of the region.
    """

    target: str
    before: Any
    after: Any
    case_type: str | None
    condition: str
    witness: dict[str, Any]
    message: str | None = None  # why the witness is rejected (constraints) or not inspected (exclusions)
    kinds: tuple[str, ...] = ()  # every kind of case of the region, one line each (the exact cover)
    missing_only: tuple[str, ...] = ()  # facts whose absence brings in cases the kinds leave out
    cause: str | None = None  # the edit that makes the difference, in words
    case_type_not_known: bool = False  # the region is of cases whose new case type is not known yet

    @property
    def question(self) -> str | None:
        return self.target.split(":", 1)[1] if ":" in self.target else None


@attrs.frozen
class ExactResult:
    changes: tuple[Change, ...]
    unanalysed: str | None = None  # why the case space could not be analysed, when it could not


def _plain(value: Any) -> Any:
    return None if value is UNKNOWN else json_value(value)


def _moves(before: dict, after: dict, within) -> Iterator[tuple[Any, Any, Any]]:
    """(value before, value after, region) for every pair of different values whose regions meet ``within``."""
    for old_value, old_region in before.items():
        for new_value, new_region in after.items():
            if old_value != new_value:
                region = old_region & new_region & within
                if not region.is_empty:
                    yield old_value, new_value, region


class _Comparison:
    def __init__(self, old: CheckedRules, new: CheckedRules):
        from carag_dsl.analysis import CaseSpace

        self.old, self.new = old, new
        self.space = CaseSpace(old, new)
        self.case_types = self.space.case_type(new) if new.symbols.case_type is not None else {UNKNOWN: self.space.everything}
        self.excluded = (self.space.excluded(old), self.space.excluded(new))
        # A case either version does not inspect has no routing there: its change is told once, under exclusions.
        self.inspected = ~(self.excluded[0] | self.excluded[1])

    def change(self, target: str, before: Any, after: Any, case_type: Any, region, within=None) -> Change:
        description = self.space.description(region, within)
        # A witness from the fully known cases, with the facts a record carries given: it looks like a real case.
        witness = self.space.witness(description.known, prefer_given=self.space.record_facts(), ordinary=True)
        assert witness is not None, "a region that is not empty has a case"
        condition = description.sentence(len(description.kinds) or 1)
        return Change(target, _plain(before), _plain(after), _plain(case_type), condition, witness,
                      kinds=description.kinds, missing_only=description.missing_only)

    def by_case_type(self, target: str, before: dict, after: dict) -> list[Change]:
        found = []
        for old_value, new_value, region in _moves(before, after, self.inspected):
            for case_type, of_type in self.case_types.items():
                part = region & of_type
                if not part.is_empty:  # said among the inspected cases of that type: what makes them so goes without saying
                    typed = self.new.symbols.case_type is not None
                    within = of_type & self.inspected if typed else self.inspected
                    change = self.change(target, old_value, new_value, case_type, part, within=within)
                    found.append(attrs.evolve(change, case_type_not_known=typed and case_type is UNKNOWN))
        return found

    def routing(self, question_id: str) -> list[Change]:
        return self.by_case_type("status:" + question_id, self.space.status(question_id, self.old), self.space.status(question_id, self.new))

    def judgement(self, question_id: str) -> list[Change]:
        return self.by_case_type("value:" + question_id, self.space.answer(question_id, self.old), self.space.answer(question_id, self.new))

    def case_type(self) -> list[Change]:
        before = self.space.case_type(self.old) if self.old.symbols.case_type is not None else {UNKNOWN: self.space.everything}
        return [self.change(CASE_TYPE, a, b, None, region, within=self.inspected) for a, b, region in _moves(before, self.case_types, self.inspected)]

    def acceptance(self) -> list[Change]:
        found = []
        for accepting, rejecting, before, after in ((self.old, self.new, "accepted", "rejected"), (self.new, self.old, "rejected", "accepted")):
            region = self.space.accepted_only_by(accepting, rejecting)
            if not region.is_empty:
                # Said against the cases the accepting version takes, so only what the other adds is named.
                change = self.change(CONSTRAINTS, before, after, None, region, within=self.space.accepted(accepting))
                found.append(attrs.evolve(change, message=_rejection(rejecting, change.witness)))
        return found


    def exclusion(self) -> list[Change]:
        found = []
        for excluding, before, after, region in ((self.new, "inspected", "excluded", self.excluded[1] - self.excluded[0]),
                                                 (self.old, "excluded", "inspected", self.excluded[0] - self.excluded[1])):
            if not region.is_empty:
                change = self.change(EXCLUSIONS, before, after, None, region)
                found.append(attrs.evolve(change, message=evaluate_case(excluding, change.witness).excluded))
        return found


def _rejection(rules: CheckedRules, case: dict[str, Any]) -> str | None:
    """Why ``rules`` rejects a case, in its own words (None if, against the analysis, it does not)."""
    try:
        evaluate_case(rules, case)
    except CaseDataError as error:
        return "; ".join(problem.message for problem in error.problems)
    return None


def compare(old: CheckedRules, new: CheckedRules, pairing: QuestionPairing) -> ExactResult:
    """Every change of routing, case type, derived judgement, exclusion and acceptance between two rule sets."""
    from carag_dsl.analysis import AnalysisUnsupported

    try:
        comparison = _Comparison(with_question_ids(old, pairing.pairs), new)
    except AnalysisUnsupported as error:
        return ExactResult((), str(error))
    changes: list[Change] = []
    paired = [qid for qid in new.symbols.questions if pairing.old_id(qid) is not None]
    for question_id in paired:
        changes += comparison.routing(question_id)
    for question_id in paired:
        if old.symbols.questions[pairing.old_id(question_id) or question_id].derive or new.symbols.questions[question_id].derive:
            changes += comparison.judgement(question_id)
    changes += comparison.case_type()
    changes += comparison.exclusion()
    changes += comparison.acceptance()
    return ExactResult(tuple(changes))
