"""The Bulletin's layout and the 2014 scores, from a rating's JSON shape: what the text, CSV and HTML reports share.

Research & Analysis Bulletin 2025/01 (Annex B, Tables B1 to B4) gives one table per key question: "All
Cases" first, then for each characteristic the rows of its groups, each with N (the cases judged), n (the
positive judgements) and % (their share), the cells significant in the logistic regression shaded.
:func:`bulletin_rows` gives those rows for one question; cases whose characteristic is not known (or in
none of a grouping's groups) have no row, as in the Bulletin, and are counted apart (:func:`left_out`).

The 2014 aggregate report gives a score with its "Range across the six Trusts" beside it ("84%
77%-89%"): :func:`score_lines` words each score so.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from carag_dsl.rating.logistic import significant_cells
from carag_dsl.rating.groups import OUTSIDE


class BulletinRow(NamedTuple):
    by: str  # "" for "All cases"
    label: str
    n_judged: int
    n_yes: int
    percent: float | None
    significant: bool  # the group's coefficient is significant (p < SIGNIFICANCE_LEVEL) in the question's model


def bulletin_rows(rated: dict[str, Any], question_id: str) -> list[BulletinRow]:
    """"All cases", then each group of each ``by`` with a known value, for one chosen question."""
    overall = rated["questions"][question_id]
    rows = [BulletinRow("", "All cases", overall["n_judged"], overall["n_yes"], overall["percent"], False)]
    significant = significant_cells(rated.get("models", {}), question_id)
    for group in rated["groups"]:
        if _left_out(group):
            continue
        entry = group["questions"][question_id]
        value = tuple(group["value"]) if isinstance(group["value"], list) else group["value"]
        rows.append(BulletinRow(group["by"], group["label"], entry["n_judged"], entry["n_yes"], entry["percent"],
                                (group["by"], value) in significant))
    return rows


def left_out(rated: dict[str, Any], question_id: str) -> dict[str, int]:
    """Per ``by``, the cases judged on the question whose value is not known or in none of the groups (no row)."""
    counts: dict[str, int] = {}
    for group in rated["groups"]:
        if _left_out(group):
            n = group["questions"][question_id]["n_judged"]
            if n:
                counts[group["by"]] = counts.get(group["by"], 0) + n
    return counts


def _left_out(group: dict[str, Any]) -> bool:
    return group["value"] is None or group["value"] == OUTSIDE


def percent_text(percent: float | None) -> str:
    return "-" if percent is None else f"{percent:.1f}%"


def model_note(rated: dict[str, Any], question_id: str) -> str | None:
    """One sentence on the question's model: what was fitted on how many cases, against which reference levels."""
    model = rated.get("models", {}).get(question_id)
    if model is None:
        return None
    dropped = f"{model['dropped']:,} dropped for a characteristic not known" if model["dropped"] else "none dropped"
    if "refused" in model:
        return f"No model: {model['refused']} ({model['cases']:,} cases with every characteristic known, {dropped})."
    reference = ", ".join(f"{by} {entry['label']}" for by, entry in model["reference"].items())
    return (f"Marked *: significant at p < {model['significance_level']:g} in a binary logistic regression with every "
            f"characteristic entered at once (forced entry), {model['cases']:,} cases ({dropped}); "
            f"reference groups: {reference}.")


def render_bulletin_text(ruleset_questions: Any, rated: dict[str, Any]) -> list[str]:
    """The Bulletin's tables for people: one per chosen question, then each score with its range."""
    out: list[str] = []
    for question_id in rated["questions"]:
        rows = bulletin_rows(rated, question_id)
        question = ruleset_questions.get(question_id)
        out += ["", f"{question_id}: {question.text}" if question is not None and question.text else question_id]
        by_width = max([len(row.by) for row in rows] + [len("All cases")])
        label_width = max(len(row.label) for row in rows)
        out.append(f"  {'':<{by_width}}  {'':<{label_width}}  {'N':>7}  {'n':>7}  {'%':>7}")
        previous = None
        for row in rows:
            by = "All cases" if not row.by else (row.by if row.by != previous else "")
            label = "" if not row.by else row.label
            previous = row.by
            mark = " *" if row.significant else ""
            out.append(f"  {by:<{by_width}}  {label:<{label_width}}  {row.n_judged:>7,}  {row.n_yes:>7,}  {percent_text(row.percent):>7}{mark}")
        missing = left_out(rated, question_id)
        if missing:
            out.append("  Not known (no row): " + ", ".join(f"{by} {n:,}" for by, n in missing.items()))
        note = model_note(rated, question_id)
        if note:
            out.append("  " + note)
    return out


def score_lines(rated: dict[str, Any]) -> list[str]:
    """'Assessment of risk of harm  84.0% (6 questions)  range across trust 77.0%-89.0% (Trust C - Trust A)'."""
    lines = []
    for name, entry in rated["standards"].items():
        if entry.get("rated_by") != "average":
            continue
        score = "no score (no question judged)" if entry["score"] is None else f"{entry['score']:.1f}%"
        text = f"    {name}: {score}"
        if entry["score"] is not None:
            text += f" (average over {entry['questions_judged']} question{'s' if entry['questions_judged'] != 1 else ''} judged)"
            if entry["band"]:
                text += f", {entry['band']}"
        for by, found in entry["ranges"].items():
            text += f"; range across {found['groups']} {by} groups {range_text(found)}"
        lines.append(text)
    return lines


def range_text(found: dict[str, Any]) -> str:
    """'77.0%-89.0% (Trust C to Trust A)': the lowest and the highest group's score, as 2014 printed it."""
    low, high = found["lowest"], found["highest"]
    return f"{low['score']:.1f}%-{high['score']:.1f}% ({low['label']} to {high['label']})"
