"""What evaluating the rules can say about a question, worded once for every back end.

The reference evaluator returns these statuses and warnings; the code
generator writes the same strings into the compiled function, so both back
ends (and any later one) agree to the letter.
"""

from __future__ import annotations

from carag_dsl.language import ast

APPLIES, NOT_APPLICABLE, PENDING = "applies", "not_applicable", "pending"


def consistency_warning(rule: ast.ConsistencyDecl) -> str:
    """The warning of a consistency rule (``constraint FIELD requires ... warn "..."``) a case breaks."""
    return f"{rule.field}: {rule.message}"


def ignored_answer_warning(question_id: str) -> str:
    return f"{question_id}: an answer was given but the question does not apply to this case; the answer is ignored"


# The warning for an answer that differs from the derived value reads
# start + repr(answer) + end; the compiled back end writes start and end into its code.
def overruled_warning_start(question_id: str) -> str:
    return f"{question_id}: answered "


def overruled_warning_end(rule: ast.Derive) -> str:
    return f" where the rule 'derive {rule.value} when {rule.condition.span.one_line()}' gives {rule.value!r}; the answer stands"
