"""The text table of one evaluation (``carag eval --format text``)."""

from __future__ import annotations

from carag_dsl.cli._common import printable
from carag_dsl.runtime.evaluation import Evaluation

STATUS_WORDS = {"applies": "applies", "not_applicable": "does not apply", "pending": "pending"}


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(evaluation: Evaluation) -> str:
    """A readable table: one line per question with its status and value; control characters escaped."""
    ruleset = evaluation.ruleset
    case_type = evaluation.case_type or "not known yet"
    how = {"answer": " (set by an answer)", "derived": " (from the facts)"}.get(evaluation.case_type_source or "", "")
    lines = [f"Case {evaluation.id if evaluation.id is not None else '(no id)'}: case type {case_type}{how}", ""]
    if evaluation.excluded is not None:
        lines[0] = f"Case {evaluation.id if evaluation.id is not None else '(no id)'}: not inspected ({evaluation.excluded})"
    elif evaluation.exclusion_pending is not None:
        settle = ", ".join(evaluation.exclusion_pending)
        lines[0] = (f"Case {evaluation.id if evaluation.id is not None else '(no id)'}: not known whether inspected"
                    + (f" (settled by {settle})" if settle else ""))
    id_width = max(len(q) for q in ruleset.questions) if ruleset.questions else 4
    counts = {"applies": 0, "not_applicable": 0, "pending": 0}
    data = evaluation.to_dict()["questions"]
    for question_id, result in data.items():
        counts[result["status"]] += 1
        value = result["value"]
        if isinstance(value, list):
            value = ", ".join(value) if value else "(none)"
        shown = "" if value is None else f"{value}" + (" (derived)" if result["source"] == "derived" else "")
        text = _shorten(ruleset.questions[question_id].text, 60)
        lines.append(f"  {question_id:<{id_width}}  {STATUS_WORDS[result['status']]:<15} {shown:<18} {text}")
    lines.append("")
    lines.append(f"{counts['applies']} apply, {counts['not_applicable']} do not apply, {counts['pending']} pending")
    for question_id, reasons in evaluation.reasons.items():
        lines.append(f"reasons for {question_id}: {reasons}")
    for warning in evaluation.warnings:
        lines.append(f"warning: {warning}")
    return printable("\n".join(lines))  # ids, values and warnings come from case data: never terminal codes
