"""Rules on when questions apply: never, always, never pending, blocked by a constraint."""

from __future__ import annotations

from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE, PENDING
from carag_dsl.compiler.symbols import CASE_TYPE
from carag_dsl.language import ast
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.finding import Expect
from carag_dsl.tools.lint.registry import lint_rule

_EMPTY_CASE = {"id": "witness", "facts": {}, "answers": {}}


def _conditional_questions(context: LintContext):
    return [q for q in context.symbols.questions.values() if q.applies is not None]


def _names_case_type(expr: ast.Expr) -> bool:
    return any(isinstance(n, ast.Name) and n.name == CASE_TYPE for n in ast.walk(expr))


def _blocked(context: LintContext, question: ast.QuestionDecl) -> bool:
    """Whether the question could apply but for the constraints (then blocked-by-constraint says so)."""
    return not context.space.status(question.id, assume=False)[APPLIES].is_empty


@lint_rule(
    "never-applies", "error",
    "A question's rule can never make it apply: to any case, or to a case type it does not name.",
    """
No case the engine accepts makes the question apply, so inspectors never see it. Overall this is an error;
for one case type it is reported when the question's own rule does not name the case type (a rule that says
`case_type == core` is meant to leave adjusted cases out; one that reads a defined name that happens to
exclude them is probably not). The witness is a case where the question does not apply.
""",
    """
fact mappa: bool
question "Q 1" prompt
    text "Is the MAPPA level recorded?"
    applies when mappa and not mappa
    answer yes_no
""",
)
def never_applies(context: LintContext):
    space = context.space
    case_types = {v: r for v, r in space.case_type().items() if isinstance(v, str)}
    for question in _conditional_questions(context):
        status = space.status(question.id)
        where = question.applies.span
        if status[APPLIES].is_empty:
            if _blocked(context, question):
                continue
            region = status[NOT_APPLICABLE] or status[PENDING]
            shown = NOT_APPLICABLE if status[NOT_APPLICABLE] else PENDING
            yield context.finding(
                "never-applies", where, f"question {question.id} never applies: no case makes its rule true",
                question.id, region, Expect(question.id, shown), prefer_given=context.reads(question.applies),
                intended=Expect(question.id, APPLIES),
            )
            continue
        if _names_case_type(question.applies):
            continue
        for value, case_region in case_types.items():
            if case_region and (status[APPLIES] & case_region).is_empty:
                region = (status[NOT_APPLICABLE] & case_region) or (status[PENDING] & case_region)
                shown = NOT_APPLICABLE if (status[NOT_APPLICABLE] & case_region) else PENDING
                yield context.finding(
                    "never-applies", where,
                    f"question {question.id} never applies to {value} cases, though its rule does not name the case type",
                    question.id, region, Expect(question.id, shown, case_type=value), prefer_given=context.reads(question.applies),
                    intended=Expect(question.id, APPLIES, case_type=value),
                )


@lint_rule(
    "always-applies", "warning",
    "A question has an 'applies when' rule that is true in every case, even with nothing known.",
    """
The rule never leaves the question out and never waits for data, so it says nothing: write `applies always`
(and check the label), or correct the rule. The witness is the empty case, where the question already applies.
""",
    """
fact mappa: bool
question "Q 1" prompt
    text "Is the MAPPA level recorded?"
    applies when mappa or not mappa or true
    answer yes_no
""",
)
def always_applies(context: LintContext):
    for question in _conditional_questions(context):
        status = context.space.status(question.id)
        if status[NOT_APPLICABLE].is_empty and status[PENDING].is_empty:
            yield context.finding(
                "always-applies", question.applies.span,
                f"question {question.id} applies to every case: its rule is always true",
                question.id, context.space.region_of(_EMPTY_CASE), Expect(question.id, APPLIES),
            )


@lint_rule(
    "never-not-applicable", "warning",
    "A question's rule can wait for data but can never be false: it never leaves the question out.",
    """
The question is pending until the facts its rule reads are known, and then always applies. A rule that can
only ever say "yes" once known is usually a slip (an `or` for an `and`, a negation lost); if the question
really applies to every case, write `applies always`. The witness gives what the rule reads and still applies.
""",
    """
fact mappa: bool
question "Q 1" prompt
    text "Is the MAPPA level recorded?"
    applies when mappa or not mappa
    answer yes_no
""",
)
def never_not_applicable(context: LintContext):
    for question in _conditional_questions(context):
        status = context.space.status(question.id)
        if status[NOT_APPLICABLE].is_empty and status[PENDING] and status[APPLIES]:
            yield context.finding(
                "never-not-applicable", question.applies.span,
                f"question {question.id} is never not applicable: once what its rule reads is known, it always applies",
                question.id, status[APPLIES], Expect(question.id, APPLIES), prefer_given=context.reads(question.applies),
            )


@lint_rule(
    "blocked-by-constraint", "error",
    "A question (or a case type) could apply by its rule, but only in cases a constraint rejects.",
    """
Every case in which the rule holds breaks a constraint (or gives contradicting override answers), so the engine
rejects it and the question never applies to an accepted case. The witness is such a case: evaluating it shows
the engine's error. Correct the rule or the constraint.
""",
    """
fact start_date: date
fact end_date: date
constraint end_date requires end_date >= start_date
    message "the end date is before the start date"
question "Q 1" prompt
    text "Was the early end recorded?"
    applies when end_date < start_date
    answer yes_no
""",
)
def blocked_by_constraint(context: LintContext):
    space = context.space
    for question in _conditional_questions(context):
        if space.status(question.id)[APPLIES].is_empty:
            loose = space.status(question.id, assume=False)[APPLIES]
            if loose:
                yield context.finding(
                    "blocked-by-constraint", question.applies.span,
                    f"question {question.id} never applies: every case where its rule holds is rejected by a constraint",
                    question.id, loose, Expect(question.id, error="rejected"), prefer_given=context.reads(question.applies),
                )
    decl = context.symbols.case_type
    if decl is None:
        return
    strict = space.case_type()
    for value, loose in space.case_type(assume=False).items():
        if isinstance(value, str) and loose and (value not in strict or strict[value].is_empty):
            rule = next((r for r in decl.rules if r.value == value), decl)
            yield context.finding(
                "blocked-by-constraint", rule.span,
                f"no accepted case is {value}: every case the rules make {value} is rejected by a constraint",
                None, loose, Expect(error="rejected"),
            )
