"""The figures of the inspection brief, as JSON-ready data (the HTML and the Word document render it).

For every inspection question: its text, guidance and evidence checklist, and for each of its
links (``informed by ... within ... because``) the case findings it names: per linked question,
the share of cases judged 'yes' with its counts, band and small-sample caveat, in the region
(``--region``), in the rest of the sample and in the whole sample, and per region (every value
of ``--by``). The counting is the rating's own (:class:`~carag_dsl.rating.tally.RatingTally`, one
per link, fed the cases of the link's group), so each figure is the one ``carag rate --by
region`` gives for the same cases restricted as the link says. The themes that stand out (the
lowest shares in the region, the largest gaps between the region and the rest) are listed first.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterable, Mapping, cast

from carag_dsl.compiler import types as T
from carag_dsl.compiler.inspection import names_case_data
from carag_dsl.compiler.plain_english import PlainEnglish
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import UsageError, did_you_mean
from carag_dsl.language import ast
from carag_dsl.language.formatter import format_expr
from carag_dsl.rating.tally import RatingTally, band_of, display_percent, percent_of, run_date
from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.runtime.evaluation import Evaluation, ruleset_identity
from carag_dsl.runtime.evaluator import Scope, evaluate

DESCRIPTION = "Inspection questions with the case findings that inform them: share of cases judged 'yes', per linked question"
#: How many themes of each kind the brief lists first.
THEMES = 5


class BriefError(UsageError):
    """The brief cannot be made as asked (a region the rules do not know, a --by that is not a fact)."""


class _LinkTally:
    """The counts of one link: a RatingTally of its questions (figures under ``questions``) over the cases of its group."""

    def __init__(self, ruleset: CheckedRules, link: ast.InspectionLink, by: str):
        self.link = link
        self.tally = RatingTally(ruleset, by, max_groups=None, questions=tuple(ref.question_id for ref in link.questions))
        self.outside = 0  # cases not in the link's group
        self.unknown = 0  # cases whose group could not be told (a fact the condition reads was not given)

    def add(self, evaluation: Evaluation) -> None:
        if self.link.within is not None:
            inside = evaluate(self.link.within, cast(Scope, evaluation.scope))
            if inside is not True:
                self.unknown += inside is not False
                self.outside += inside is False
                return
        self.tally.add(evaluation)


class BriefTally:
    """The brief's counts: the whole sample per value of ``by``, and one tally per link (document order)."""

    def __init__(self, ruleset: CheckedRules, by: str = "region"):
        _by_fact(ruleset, by)
        self.ruleset, self.by = ruleset, by
        self.sample = RatingTally(ruleset, by, max_groups=None)  # the cases per value of ``by``; its figures are not read
        self.links = [[_LinkTally(ruleset, link, by) for link in decl.links] for decl in ruleset.symbols.inspection_questions.values()]

    def add_case(self, case: Mapping[str, Any]) -> None:
        """Evaluate one case (once) and count it everywhere. Raises CaseDataError (counting nothing) for bad data."""
        evaluation = evaluate_case(self.ruleset, case)
        self.sample.add(evaluation)
        for links in self.links:
            for tally in links:
                tally.add(evaluation)

    def reject(self, line: int) -> None:
        """Note a case left out for bad data, by its line number: the brief says how many."""
        self.sample.reject(line)

    def region_code(self, region: str) -> str:
        """The code of a value of ``by`` given as its code or its label; BriefError naming the values otherwise."""
        return _region_code(self.ruleset.symbols.facts[self.by], region)

    def result(self, region: str | None = None, date: datetime.date | None = None) -> dict[str, Any]:
        """The brief as JSON-ready data; ``region`` a value of ``by`` (its code or label), None for the whole sample."""
        return brief_data(self, None if region is None else self.region_code(region), date or run_date())


def build_brief(ruleset: CheckedRules, cases: Iterable[Mapping[str, Any]], region: str | None = None,
                by: str = "region", date: datetime.date | None = None) -> dict[str, Any]:
    """The brief over ``cases`` (any iterable of case dicts; a bad one raises its CaseDataError), as JSON-ready data."""
    tally = BriefTally(ruleset, by)
    if region is not None:
        tally.region_code(region)  # a bad region fails before any case is read
    for case in cases:
        tally.add_case(case)
    return tally.result(region, date)


def _by_fact(ruleset: CheckedRules, by: str) -> ast.FactDecl:
    facts = ruleset.symbols.facts
    if by not in facts:
        raise BriefError(f"cannot split the sample by '{by}': it is not a fact of the rule set{did_you_mean(by, facts)}")
    if facts[by].type.kind != "one":
        raise BriefError(f"cannot split the sample by '{by}': the brief splits by a fact with one of a list of options (such as 'region')")
    return facts[by]


def _region_code(fact: ast.FactDecl, region: str) -> str:
    choices = T.option_choices(fact.type)
    for code, label in choices:
        if region == code or region.casefold() == (label or "").casefold():
            return code
    written = ", ".join(f"{code} ({label})" if label else code for code, label in choices)
    raise BriefError(f"'{region}' is not a value of '{fact.name}'{did_you_mean(region, [c for c, _ in choices])}; the values are {written}")


def percent_text(figures: Mapping[str, Any] | None) -> str:
    """A share as the documents print it ("47.1%"), or "no case judged"."""
    if figures is None or figures["percent"] is None:
        return "no case judged"
    return f"{figures['percent']:.1f}%"


def _figures(n_judged: int, n_yes: int, small_below: int, bands) -> dict[str, Any]:
    percent = percent_of(n_yes, n_judged)
    return {"n_judged": n_judged, "n_yes": n_yes, "percent": display_percent(percent), "band": band_of(percent, bands),
            "small_sample": 0 < n_judged < small_below}


def brief_data(tally: BriefTally, region: str | None, date: datetime.date) -> dict[str, Any]:
    ruleset, by = tally.ruleset, tally.by
    symbols = ruleset.symbols
    words = PlainEnglish(symbols)
    labels = dict(T.option_choices(symbols.facts[by].type))  # code -> label
    small = ruleset.small_sample_below
    questions = []
    for decl, links in zip(symbols.inspection_questions.values(), tally.links):
        linked = []
        for index, link_tally in enumerate(links):
            rating = link_tally.tally.result(date=date).to_dict()
            groups = {group["value"]: group for group in rating["groups"]}
            findings = []
            for ref in link_tally.link.questions:
                qid = ref.question_id
                overall = rating["questions"][qid]
                finding: dict[str, Any] = {
                    "question": qid, "text": ruleset.questions[qid].text, "kind": ruleset.questions[qid].kind,
                    "sample": overall,
                    "groups": [{"value": g["value"], "label": g["label"], "cases": g["cases"], **g["questions"][qid]} for g in rating["groups"]],
                    "region": None, "rest": None, "gap": None,
                }
                if region is not None:
                    inside = groups.get(region, {}).get("questions", {}).get(qid, {"n_judged": 0, "n_yes": 0})
                    finding["region"] = _figures(inside["n_judged"], inside["n_yes"], small, symbols.bands)
                    finding["rest"] = _figures(overall["n_judged"] - inside["n_judged"], overall["n_yes"] - inside["n_yes"], small, symbols.bands)
                    a, b = finding["region"]["percent"], finding["rest"]["percent"]
                    finding["gap"] = None if a is None or b is None else round(a - b, 1)
                findings.append(finding)
            linked.append({
                "index": index,
                "questions": [ref.question_id for ref in link_tally.link.questions],
                "within": None if link_tally.link.within is None else format_expr(link_tally.link.within),
                "within_words": None if link_tally.link.within is None else words.expr(link_tally.link.within),
                "because": link_tally.link.because,
                "cases_in_group": rating["cases"],
                "cases_outside_group": link_tally.outside,
                "cases_group_unknown": link_tally.unknown,
                "findings": findings,
            })
        questions.append({
            "id": decl.id, "domain": decl.domain, "heading": decl.heading, "text": decl.text, "guidance": decl.guidance,
            "evidence": list(decl.evidence), "names_case_data": names_case_data(decl), "links": linked,
        })
    sample = tally.sample.result(date=date).to_dict()
    in_region = next((g["cases"] for g in sample["groups"] if g["value"] == region), 0) if region is not None else None
    return {
        "description": DESCRIPTION,
        "ruleset": ruleset_identity(ruleset),
        "date": date.isoformat(),
        "by": by,
        "region": None if region is None else {"value": region, "label": labels.get(region) or region, "cases": in_region},
        "counts": sample["counts"],
        "groups": [{"value": g["value"], "label": g["label"], "cases": g["cases"], "small_sample": g["small_sample"]} for g in sample["groups"]],
        "small_sample_below": small,
        "themes": _themes(questions, region is not None),
        "questions": questions,
    }


def _themes(questions: list[dict[str, Any]], with_region: bool) -> dict[str, list[dict[str, Any]]]:
    """The findings that stand out: the lowest shares (the region's, else the sample's), and the largest gaps
    below the rest of the sample; small samples left out, each finding once (at its first question)."""
    seen: dict[tuple, dict[str, Any]] = {}
    for question in questions:
        for link in question["links"]:
            for finding in link["findings"]:
                key = (finding["question"], link["within"])
                if key in seen:
                    seen[key]["inspection_questions"].append(question["id"])
                    continue
                figures = finding["region"] if with_region else finding["sample"]
                seen[key] = {
                    "inspection_questions": [question["id"]], "question": finding["question"], "text": finding["text"],
                    "within": link["within"], "within_words": link["within_words"], "figures": figures, "gap": finding["gap"],
                    "rest": finding["rest"],
                }
    usable = [t for t in seen.values() if t["figures"]["percent"] is not None and not t["figures"]["small_sample"]]
    lowest = sorted(usable, key=lambda t: (t["figures"]["percent"], t["question"]))[:THEMES]
    gaps = sorted((t for t in usable if t["gap"] is not None and t["gap"] < 0 and not t["rest"]["small_sample"]),
                  key=lambda t: (t["gap"], t["question"]))[:THEMES] if with_region else []
    return {"lowest_shares": lowest, "largest_gaps": gaps}
