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

The analysis runs within a :class:`~carag_dsl.analysis.Budget`. Each comparison (a question's routing, its
derived judgement, the case type, exclusions, acceptance) the analysis cannot finish is recorded with the
reason, and those are then compared over a sample of cases (:mod:`.sampled`): a change found there is
real (its case shows it) but the diff is *partial*, since a sample cannot show that nothing changes.
"""

from __future__ import annotations

import itertools

from typing import Any, Iterator

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import CaseDataError
from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.runtime.evaluation import EXCLUDED, INSPECTED, NOT_KNOWN_WHETHER_INSPECTED
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.runtime.results import json_value
from carag_dsl.tools.diff.declarations import QuestionPairing
from carag_dsl.tools.diff.renaming import with_question_ids
from carag_dsl.tools.not_analysed import NotAnalysed

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
    sampled: bool = False  # found by sampling cases, where the exact analysis could not answer

    @property
    def question(self) -> str | None:
        return self.target.split(":", 1)[1] if ":" in self.target else None


@attrs.frozen
class ExactResult:
    changes: tuple[Change, ...]
    unanalysed: str | None = None  # why the case space could not be analysed at all, when it could not
    not_analysed: tuple[NotAnalysed, ...] = ()  # each comparison left to sampling (the subject: its target), with why
    sampled: int = 0  # cases sampled for those

    @property
    def partial(self) -> bool:
        return self.unanalysed is not None or bool(self.not_analysed)


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
    def __init__(self, old: CheckedRules, new: CheckedRules, budget):
        from carag_dsl.analysis import CaseSpace

        self.old, self.new = old, new
        self.space = CaseSpace(old, new, budget=budget)
        self.case_types = self.space.case_type(new) if new.symbols.case_type is not None else {UNKNOWN: self.space.everything}
        # Whether each version inspects a case: excluded, not known (an exclusion may yet hold) or inspected.
        self.inspection = tuple(self._inspection(rules) for rules in (old, new))
        # A case either version does not inspect, or may not, has no routing there: a change of exclusion is
        # told once, under exclusions.
        self.inspected = self.inspection[0][INSPECTED] & self.inspection[1][INSPECTED]

    def _inspection(self, rules: CheckedRules) -> dict[str, Any]:
        excluded, not_known = self.space.excluded(rules), self.space.not_known_whether_inspected(rules)
        return {EXCLUDED: excluded, NOT_KNOWN_WHETHER_INSPECTED: not_known, INSPECTED: ~(excluded | not_known)}

    def change(self, target: str, before: Any, after: Any, case_type: Any, region, within=None) -> Change:
        description = self.space.description(region, within)
        # A witness from the fully known cases, with the facts a record carries given: it looks like a real case
        # (from the region itself where every case of it lacks something, as where whether it is inspected is not known).
        typical = region if description.known.is_empty else description.known
        witness = self.space.witness(typical, prefer_given=self.space.record_facts(), ordinary=True)
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
        """Every move between inspected, excluded and not known whether inspected, with the reason of the side
        that excludes (or the facts the side that does not know waits for)."""
        found = []
        for before, after in itertools.permutations((INSPECTED, EXCLUDED, NOT_KNOWN_WHETHER_INSPECTED), 2):
            region = self.inspection[0][before] & self.inspection[1][after]
            if region.is_empty:
                continue
            change = self.change(EXCLUSIONS, before, after, None, region)
            telling = self.new if after != INSPECTED else self.old
            message = _why(evaluate_case(telling, change.witness), now=telling is self.new)
            found.append(attrs.evolve(change, message=message))
        return found


def _why(evaluation: Any, now: bool) -> str | None:
    """Why a version excludes a case (its reason), or what it waits for to know whether it does."""
    if evaluation.exclusion_pending is None:
        return evaluation.excluded
    return f"it {'depends' if now else 'depended'} on {', '.join(evaluation.exclusion_pending)}"


def _rejection(rules: CheckedRules, case: dict[str, Any]) -> str | None:
    """Why ``rules`` rejects a case, in its own words (None if, against the analysis, it does not)."""
    try:
        evaluate_case(rules, case)
    except CaseDataError as error:
        return "; ".join(problem.message for problem in error.problems)
    return None


#: How many cases, and how many seconds, the diff samples for the comparisons the exact analysis could not finish.
SAMPLE_CASES = 20_000
SAMPLE_SECONDS = 5.0


def compare(old: CheckedRules, new: CheckedRules, pairing: QuestionPairing, budget=None) -> ExactResult:
    """Every change of routing, case type, derived judgement, exclusion and acceptance between two rule sets.

    ``budget``: the exact analysis's (:data:`carag_dsl.analysis.DEFAULT_BUDGET` by default).
    """
    from carag_dsl.analysis import DEFAULT_BUDGET, AnalysisUnsupported

    renamed_old = with_question_ids(old, pairing.pairs)
    paired = [qid for qid in new.symbols.questions if pairing.old_id(qid) is not None]
    judged = [qid for qid in paired
              if old.symbols.questions[pairing.old_id(qid) or qid].derive or new.symbols.questions[qid].derive]
    targets = ([("status:" + qid, "routing", qid) for qid in paired] + [("value:" + qid, "judgement", qid) for qid in judged]
               + [(CASE_TYPE, "case_type", None), (EXCLUSIONS, "exclusion", None), (CONSTRAINTS, "acceptance", None)])
    try:
        comparison = _Comparison(renamed_old, new, budget or DEFAULT_BUDGET)
    except AnalysisUnsupported as error:
        not_analysed = tuple(NotAnalysed(target, str(error)) for target, _, _ in targets)
        sampled_changes, count = _sampled(renamed_old, new, not_analysed)
        return ExactResult(sampled_changes, str(error), not_analysed, count)
    changes: list[Change] = []
    missed: list[NotAnalysed] = []
    for target, method, question_id in targets:
        try:
            found = getattr(comparison, method)(*(() if question_id is None else (question_id,)))
        except AnalysisUnsupported as error:
            missed.append(NotAnalysed(target, str(error)))
            continue
        changes += found
    sampled_changes, count = _sampled(renamed_old, new, tuple(missed))
    return ExactResult(tuple(changes) + sampled_changes, None, tuple(missed), count)


def _sampled(old: CheckedRules, new: CheckedRules, missed: tuple[NotAnalysed, ...]) -> tuple[tuple[Change, ...], int]:
    """The changes a sample of cases shows for the comparisons the exact analysis could not finish."""
    if not missed:
        return (), 0
    from carag_dsl.tools.diff.sampled import sample

    wanted = {entry.subject for entry in missed}
    found: dict[tuple, Change] = {}

    def note(target: str, before: Any, after: Any, case_type: Any, case: dict[str, Any], message: str | None = None) -> None:
        key = (target, repr(before), repr(after), repr(case_type))
        if target in wanted and key not in found:
            found[key] = Change(target, _plain(before), _plain(after), _plain(case_type),
                                "not known exactly (found by sampling cases)", case, message, sampled=True)

    def examine(case: dict[str, Any]) -> None:
        outcomes: list[Any] = []  # an Evaluation, or why the version rejects the case
        for rules in (old, new):
            try:
                outcomes.append(evaluate_case(rules, case))
            except CaseDataError as error:
                outcomes.append("; ".join(problem.message for problem in error.problems))
        before, after = outcomes
        if isinstance(before, str) or isinstance(after, str):
            if isinstance(before, str) != isinstance(after, str):
                note(CONSTRAINTS, "rejected" if isinstance(before, str) else "accepted",
                     "rejected" if isinstance(after, str) else "accepted", None, case, before if isinstance(before, str) else after)
            return
        was, now = before.inspection, after.inspection
        if was != now:
            note(EXCLUSIONS, was, now, None, case, _why(after, now=True) if now != INSPECTED else _why(before, now=False))
            return
        if was != INSPECTED:
            return
        if before.case_type != after.case_type:
            note(CASE_TYPE, before.case_type, after.case_type, None, case)
        for target in wanted:
            kind, _, question_id = target.partition(":")
            if kind == "status" and before.status(question_id) != after.status(question_id):
                note(target, before.status(question_id), after.status(question_id), after.case_type, case)
            elif kind == "value" and _plain(before.value(question_id)) != _plain(after.value(question_id)):
                note(target, before.value(question_id), after.value(question_id), after.case_type, case)

    count = sample([old, new], examine, SAMPLE_CASES, SAMPLE_SECONDS)
    return tuple(found.values()), count
