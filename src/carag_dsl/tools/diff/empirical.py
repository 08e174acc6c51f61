"""The empirical comparison: a sample of real cases evaluated under both versions.

Per question, how many cases change status (and from what to what); how many
change case type or derived judgement, or are now rejected or accepted; and
the ratings of the sample under each version, key question by key question and
standard by standard, with the bands that move. ``by`` breaks all of it down
by a fact, a defined name, ``case_type`` or a question id (the new version's
value of it).

A case may use either version's id of a renamed question; a fact or answer that
only one version declares is left out for the other (it is what changed).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import CaseDataError
from carag_dsl.rating.tally import RatingTally, json_group_value
from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.runtime.evaluation import INSPECTED, Evaluation
from carag_dsl.tools.diff.declarations import QuestionPairing


@attrs.define
class _Counts:
    cases: int = 0
    changed: int = 0
    now_rejected: int = 0
    now_accepted: int = 0
    now_excluded: int = 0
    no_longer_excluded: int = 0
    now_not_known_whether_inspected: int = 0
    no_longer_not_known_whether_inspected: int = 0
    case_type: Counter = attrs.Factory(Counter)
    questions: dict[str, Counter] = attrs.Factory(dict)
    judgements: dict[str, Counter] = attrs.Factory(dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "changed_cases": self.changed,
            "now_rejected": self.now_rejected,
            "now_accepted": self.now_accepted,
            "now_excluded": self.now_excluded,
            "no_longer_excluded": self.no_longer_excluded,
            "now_not_known_whether_inspected": self.now_not_known_whether_inspected,
            "no_longer_not_known_whether_inspected": self.no_longer_not_known_whether_inspected,
            "case_type": _moves(self.case_type),
            "questions": [{"question": q, "cases": sum(c.values()), "changes": _moves(c)} for q, c in self.questions.items()],
            "judgements": [{"question": q, "cases": sum(c.values()), "changes": _moves(c)} for q, c in self.judgements.items()],
        }


def _moves(counter: Counter) -> list[dict[str, Any]]:
    return [{"from": before, "to": after, "count": n} for (before, after), n in counter.most_common()]


def _own_case(rules: CheckedRules, other: CheckedRules, case: Any, rename: dict[str, str]) -> Any:
    """The case as ``rules`` reads it: renamed ids translated, what only ``other`` declares left out."""
    if not isinstance(case, dict):
        return case
    own = dict(case)
    facts, answers = case.get("facts"), case.get("answers")
    if isinstance(facts, dict):
        own["facts"] = {k: v for k, v in facts.items() if k in rules.symbols.facts or k not in other.symbols.facts}
    if isinstance(answers, dict):
        translated = {rename.get(k, k): v for k, v in answers.items()}
        own["answers"] = {k: v for k, v in translated.items() if k in rules.symbols.questions or k not in other.symbols.questions}
    return own


class CaseComparison:
    """Accumulates cases evaluated under both versions; :meth:`result` is the JSON-ready comparison."""

    def __init__(self, old: CheckedRules, new: CheckedRules, pairing: QuestionPairing, by: str | None = None):
        self.old, self.new, self.pairing, self.by = old, new, pairing, by
        self.to_old = {new_id: old_id for old_id, new_id in pairing.pairs.items() if old_id != new_id}
        self.to_new = {old_id: new_id for old_id, new_id in pairing.pairs.items() if old_id != new_id}
        self.tallies = (RatingTally(old, by), RatingTally(new, by))  # an unknown 'by' fails here, before any reading
        self.overall = _Counts()
        self.groups: dict[Any, _Counts] = {}

    def add(self, case: Any) -> None:
        """Evaluate one case under both versions and count it. Raises the new version's CaseDataError when both reject it."""
        before = self._evaluate(self.old, self.new, case, self.to_old)
        after = self._evaluate(self.new, self.old, case, self.to_new)
        if isinstance(before, CaseDataError) and isinstance(after, CaseDataError):
            raise after
        for tally, evaluation in zip(self.tallies, (before, after)):
            if isinstance(evaluation, Evaluation):
                tally.add(evaluation)
        group = self.tallies[1].group_of(after) if isinstance(after, Evaluation) else self.tallies[0].group_of(before) if isinstance(before, Evaluation) else None
        targets = [self.overall]
        if self.by is not None:
            targets.append(self.groups.setdefault(group, _Counts()))
        changed = self._count(before, after, targets)
        for counts in targets:
            counts.cases += 1
            counts.changed += changed

    @staticmethod
    def _evaluate(rules: CheckedRules, other: CheckedRules, case: Any, rename: dict[str, str]) -> Evaluation | CaseDataError:
        try:
            return evaluate_case(rules, _own_case(rules, other, case, rename))
        except CaseDataError as error:
            return error

    def _count(self, before, after, targets: list[_Counts]) -> bool:
        if isinstance(before, CaseDataError) or isinstance(after, CaseDataError):
            field = "now_rejected" if isinstance(after, CaseDataError) else "now_accepted"
            for counts in targets:
                setattr(counts, field, getattr(counts, field) + 1)
            return True
        was, now = before.inspection, after.inspection  # (the suffixes of the counts' fields)
        if was != INSPECTED or now != INSPECTED:  # not inspected, or not known to be: no routing to compare
            if was == now:
                return False
            for field in (f"no_longer_{was}", f"now_{now}"):
                for counts in targets:
                    if hasattr(counts, field):  # a case now inspected is counted by what it no longer is
                        setattr(counts, field, getattr(counts, field) + 1)
            return True
        changed = False
        if before.case_type != after.case_type:
            changed = True
            for counts in targets:
                counts.case_type[(before.case_type, after.case_type)] += 1
        for old_id, new_id in self.pairing.pairs.items():
            was, now = before.questions[old_id], after.questions[new_id]
            if was.status != now.status:
                changed = True
                for counts in targets:
                    counts.questions.setdefault(new_id, Counter())[(was.status, now.status)] += 1
            derived = (_derived(was), _derived(now))
            if derived[0] != derived[1]:
                changed = True
                for counts in targets:
                    counts.judgements.setdefault(new_id, Counter())[derived] += 1
        return changed

    def result(self) -> dict[str, Any]:
        old_rating, new_rating = (tally.result().to_dict() for tally in self.tallies)
        data = self.overall.to_dict()
        data["ratings"] = _rating_moves(old_rating, new_rating)
        if self.by is not None:
            old_groups = {_hashable(g["value"]): g for g in old_rating["groups"]}
            new_groups = {_hashable(g["value"]): g for g in new_rating["groups"]}
            data["by"] = self.by
            data["groups"] = []
            for key, counts in sorted(self.groups.items(), key=lambda item: (item[0] is None, str(item[0]))):
                group = {"value": json_group_value(key), **counts.to_dict()}
                empty: dict[str, Any] = {"key_questions": {}, "standards": {}}
                json_key = _hashable(json_group_value(key))
                group["ratings"] = _rating_moves(old_groups.get(json_key, empty), new_groups.get(json_key, empty))
                data["groups"].append(group)
        return data


def _derived(result) -> Any:
    return result.value if result.source == "derived" else None


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _rating_moves(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Per key question and standard, the figures under each version and whether the band moved."""
    key_questions = []
    for question in dict.fromkeys([*old["key_questions"], *new["key_questions"]]):
        before, after = old["key_questions"].get(question), new["key_questions"].get(question)
        key_questions.append({"question": question, "old": before, "new": after,
                              "band_moved": (before or {}).get("band") != (after or {}).get("band")})
    standards = []
    for name in dict.fromkeys([*old["standards"], *new["standards"]]):
        before, after = old["standards"].get(name), new["standards"].get(name)
        standards.append({"standard": name, "old": (before or {}).get("band"), "new": (after or {}).get("band"),
                          "moved": (before or {}).get("band") != (after or {}).get("band")})
    return {"key_questions": key_questions, "standards": standards}
