"""``diff_rules(old, new)``: what a change to the rules does, as data the formatters render.

The result lists, apart from each other: the routing changes (where a
question's status differs, by case type, each with a plain-English condition
and a witness case), the case-type changes, the changes to derived judgements,
the cases now rejected or now accepted, and the edits that route nothing
(questions added, removed and renamed, text, labels, guidance, options,
sections, bands, standards). With a sample of cases (:mod:`.empirical`) it
also says how many cases change and which ratings move.
"""

from __future__ import annotations

from typing import Any

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.tools.which_rules import ruleset_json
from carag_dsl.tools.diff.declarations import FieldEdit, QuestionPairing, declaration_edits, pair_questions, question_edits, rule_edits
from carag_dsl.tools.diff.cause import cause_text, causes
from carag_dsl.tools.diff.exact import CASE_TYPE, CONSTRAINTS, EXCLUSIONS, Change, ExactResult, compare


@attrs.frozen
class RuleDiff:
    old: CheckedRules
    new: CheckedRules
    old_name: str
    new_name: str
    pairing: QuestionPairing
    exact: ExactResult | None
    text: tuple[FieldEdit, ...]
    rules: tuple[FieldEdit, ...]
    declarations: tuple[FieldEdit, ...]
    cases: dict[str, Any] | None = None  # the empirical comparison over a sample (see empirical.py)

    def changes(self, kind: str) -> list[Change]:
        """``routing``, ``case_type``, ``judgements``, ``exclusions`` or ``constraints``."""
        if self.exact is None:
            return []
        prefix = {"routing": "status:", "judgements": "value:"}.get(kind)
        if prefix is not None:
            return [c for c in self.exact.changes if c.target.startswith(prefix)]
        target = {"case_type": CASE_TYPE, "exclusions": EXCLUSIONS, "constraints": CONSTRAINTS}[kind]
        return [c for c in self.exact.changes if c.target == target]

    @property
    def routes_differently(self) -> bool:
        """Something a case comes to differs (shown by the exact analysis, a sampled case or --cases): exit 1."""
        if self.exact is not None and self.exact.changes:
            return True
        return bool(self.cases and self.cases.get("changed_cases"))

    @property
    def partial(self) -> bool:
        """The rules changed where the exact analysis could not finish, and nothing was seen to change there:
        that nothing changes is not proven, so a person must look (``carag diff`` exits 3)."""
        return self.exact is not None and self.exact.partial and bool(self.rules) and not self.routes_differently

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "old": _describe(self.old, self.old_name),
            "new": _describe(self.new, self.new_name),
            "routing": [_change(c) for c in self.changes("routing")],
            "case_type": [_change(c) for c in self.changes("case_type")],
            "judgements": [_change(c) for c in self.changes("judgements")],
            "exclusions": [_change(c) for c in self.changes("exclusions")],
            "constraints": [_change(c) for c in self.changes("constraints")],
            "text": [e.to_dict() for e in self.text],
            "rules": [e.to_dict() for e in self.rules],
            "declarations": [e.to_dict() for e in self.declarations],
            "added": list(self.pairing.added),
            "removed": list(self.pairing.removed),
            "renamed": [r.to_dict() for r in self.pairing.renamed],
            "exact": self.exact is not None and self.exact.unanalysed is None,
            "not_analysed": self.exact.unanalysed if self.exact else None,
            "not_analysed_exactly": [entry.to_dict("target") for entry in self.exact.not_analysed] if self.exact else [],
            "sampled_cases": self.exact.sampled if self.exact else 0,
            "partial": self.exact is not None and self.exact.partial,
            "routes_differently": self.routes_differently,
            "case_types": list(self.new.case_types),
        }
        if self.cases is not None:
            data["cases"] = self.cases
        return data


def _describe(rules: CheckedRules, name: str) -> dict[str, Any]:
    """A version as JSON outputs name a rule set (``ruleset_json``), its path as the command was given it."""
    return {**ruleset_json(rules), "path": name, "questions": len(rules.questions)}


def _change(change: Change) -> dict[str, Any]:
    data: dict[str, Any] = {
        "question": change.question,
        "from": change.before,
        "to": change.after,
        "case_type": change.case_type,
        "case_type_not_known": change.case_type_not_known,
        "condition": change.condition,
        "kinds": list(change.kinds),
        "also_missing": list(change.missing_only),
        "cause": change.cause,
        "witness": change.witness,
    }
    if change.message is not None:
        data["message"] = change.message
    if change.sampled:
        data["sampled"] = True
    return data


def diff_rules(
    old: CheckedRules,
    new: CheckedRules,
    old_name: str = "old",
    new_name: str = "new",
    exact: bool = True,
    budget=None,
) -> RuleDiff:
    """Compare two checked rule sets. ``exact=False`` leaves out the case-space analysis (declarations only);
    ``budget``: the analysis's (:data:`carag_dsl.analysis.DEFAULT_BUDGET` by default)."""
    pairing = pair_questions(old, new)
    result = compare(old, new, pairing, budget) if exact else None
    rules, declarations = tuple(rule_edits(old, new, pairing)), tuple(declaration_edits(old, new))
    if result is not None:  # each change with the edit it reads
        edits = rules + declarations
        result = attrs.evolve(result, changes=tuple(
            attrs.evolve(c, cause=cause_text(causes(c.target, edits, (old, new)))) for c in result.changes))
    return RuleDiff(
        old, new, old_name, new_name, pairing, result,
        tuple(question_edits(old, new, pairing)),
        rules,
        declarations,
    )
