"""Rules on the derivations of summary judgements: never firing, overlapping, conflicting."""

from __future__ import annotations

from carag_dsl.compiler.outcomes import APPLIES
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.finding import Expect
from carag_dsl.tools.lint.registry import lint_rule


def _judgements_with_derive(context: LintContext):
    return [q for q in context.symbols.questions.values() if q.derive]


@lint_rule(
    "derive-never-fires", "warning",
    "A derive rule never gives its judgement a value: its condition never holds where the judgement applies.",
    """
The value a derive rule gives is used when the judgement applies and is unanswered; a rule whose condition
never holds there is dead (one that holds only where an earlier rule holds too is reported as derive-overlap
or derive-conflict). The witness is a case
where the judgement applies and the rule's condition is known, without firing.
""",
    """
fact mappa: bool
define low_risk = mappa and not mappa
question "J 1" judgement
    text "Does assessment focus on keeping people safe?"
    applies always
    answer yes_no
    derive yes when low_risk
""",
)
def derive_never_fires(context: LintContext):
    space = context.space
    for question in _judgements_with_derive(context):
        applies = space.status(question.id)[APPLIES]
        for rule, region in space.derives(question.id):
            # A rule shadowed by an earlier one is derive-overlap's or derive-conflict's to report.
            if region.is_empty and (space.truth(rule.condition)[True] & applies).is_empty:
                yield context.finding(
                    "derive-never-fires", rule.span,
                    f"'derive {rule.value}' of {question.id} never gives the value: its condition never holds where {question.id} applies",
                    question.id, applies, Expect(question.id, APPLIES), prefer_given=context.reads(rule.condition), subject=rule,
                )


def _pairs(context: LintContext, same: bool):
    space = context.space
    for question in _judgements_with_derive(context):
        applies = space.status(question.id)[APPLIES]
        holds = [(rule, space.truth(rule.condition)[True] & applies) for rule in question.derive]
        for i, (first, first_region) in enumerate(holds):
            for second, second_region in holds[i + 1:]:
                if (first.value == second.value) != same:
                    continue
                both = first_region & second_region
                if both:
                    yield question, first, second, both


@lint_rule(
    "derive-overlap", "warning",
    "Two derive rules of a judgement that give the same value both hold in some case.",
    """
The second rule adds nothing where the first already holds; merge them or narrow one. The witness is a case
where both hold (the judgement gets the value from the first).
""",
    """
fact mappa: bool
fact court_report: bool
question "J 1" judgement
    text "Does assessment focus on keeping people safe?"
    applies always
    answer yes_no
    derive yes when mappa
    derive yes when mappa and court_report
""",
)
def derive_overlap(context: LintContext):
    for question, first, second, both in _pairs(context, same=True):
        yield context.finding(
            "derive-overlap", second.span,
            f"both 'derive {first.value}' rules of {question.id} hold in some cases; the second adds nothing there",
            question.id, both, Expect(question.id, APPLIES, value=first.value),
            prefer_given=context.reads(first.condition) + context.reads(second.condition), subject=(first, second),
        )


@lint_rule(
    "derive-conflict", "error",
    "Two derive rules of a judgement that give different values both hold in some case; the first silently wins.",
    """
In a case where both conditions hold the judgement gets the value of the first rule, and the second is
ignored without a word. Make the conditions exclusive. The witness is such a case.
""",
    """
fact mappa: bool
question "J 1" judgement
    text "Does assessment focus on keeping people safe?"
    applies always
    answer yes_no
    derive yes when mappa
    derive no when mappa
""",
)
def derive_conflict(context: LintContext):
    for question, first, second, both in _pairs(context, same=False):
        yield context.finding(
            "derive-conflict", second.span,
            f"'derive {first.value}' and 'derive {second.value}' of {question.id} both hold in some cases; the first wins",
            question.id, both, Expect(question.id, APPLIES, value=first.value),
            prefer_given=context.reads(first.condition) + context.reads(second.condition), subject=(first, second),
        )
