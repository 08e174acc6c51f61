"""What evaluating the rules can say about a question, worded once for every back end.

The reference evaluator returns these statuses and warnings; the code
generator writes the same strings into the compiled function, so both back
ends (and any later one) agree to the letter.
"""

from __future__ import annotations

import datetime
from typing import Any

from carag_dsl.language import ast

APPLIES, NOT_APPLICABLE, PENDING = "applies", "not_applicable", "pending"


def consistency_warning(rule: ast.ConsistencyDecl) -> str:
    """The warning of a consistency rule (``constraint FIELD requires ... warn "..."``) a case breaks."""
    return f"{rule.field}: {rule.message}"


def ignored_answer_warning(question_id: str) -> str:
    return f"{question_id}: an answer was given but the question does not apply to this case; the answer is ignored"


# An answer that differs from the value a derive rule gives is an error in the case data (the CARaG says what
# inspectors answer there, and a value the rules derived must not change when the answer arrives). Its problem
# is on f"answers.{question_id}" and reads OVERRULED_START + repr(answer) + end; the compiled back end writes
# both parts into its code.
OVERRULED_START = "answered "


def overruled_answer_end(rule: ast.Derive) -> str:
    return (f" where the rule 'derive {rule.value} when {rule.condition.span.one_line()}' gives {rule.value!r}; "
            f"answer {rule.value!r}, or correct the facts and answers the rule reads")


# ------------------------------------------------------------------ values given in the case, quoted in warnings


def shown_value(value: Any, option_order: tuple[str, ...] = ()) -> str:
    """A given fact or answer as a warning quotes it: codes as written, sets in option order, dates as YYYY-MM-DD."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (frozenset, set)):
        rank = {code: i for i, code in enumerate(option_order)}
        members = sorted(value, key=lambda code: (rank.get(code, len(rank)), code))
        return "{" + ", ".join(members) + "}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def given_values(given: list[tuple[str, Any, tuple[str, ...]]]) -> str:
    """``X 4 = {hate_crime}; X 7 = not_a_factor``: (label, value, option order) of the values given in the case."""
    return "; ".join(f"{label} = {shown_value(value, order)}" for label, value, order in given)


# An override whose answers ask for a case type the rules do not allow it to replace:
# the warning reads start + given values + end, as the overruled-answer warning does.
REFUSED_OVERRIDE_START = "case type: the answers ("


def refused_override_end(override: ast.CaseOverride, decl: ast.CaseTypeDecl, rule_index: int) -> str:
    """The end of the warning: the rules that decided (quoted), the override (quoted), and what stands."""
    decided = decl.rules[rule_index]
    tried = [f"'{_rule_text(rule)}' does not hold" for rule in decl.rules[:rule_index]]
    because = ", so ".join(tried + [f"'{_rule_text(decided)}'"])
    where = "only where the rules do not decide the case type"
    if override.replaces is not None:
        where += f" or make it {override.replaces}"
    replaces = f" from {override.replaces}" if override.replaces is not None else ""
    return (
        f") would make the case {override.value}, but the rules make it {decided.value} ({because}); "
        f"'override {override.value}{replaces} when {override.condition.span.one_line()}' applies {where}, "
        f"so the case stays {decided.value}"
    )


def _rule_text(rule: ast.CaseRule) -> str:
    return f"{rule.value} otherwise" if rule.condition is None else f"{rule.value} when {rule.condition.span.one_line()}"
