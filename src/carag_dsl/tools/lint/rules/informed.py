"""Rules on 'informed by': prompts that inform nothing, judgements informed by nothing or by non-prompts."""

from __future__ import annotations

from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.finding import Expect
from carag_dsl.tools.lint.registry import lint_rule


@lint_rule(
    "prompt-informs-nothing", "warning",
    "A prompt question is listed in no judgement's 'informed by'.",
    """
Prompt questions exist to inform a summary judgement. One that no judgement lists is either missing from an
`informed by` line or not a prompt. Reported once the rule set uses `informed by` at all. No witness: it is a
fact about the declarations, not about cases.
""",
    """
question "P 1" prompt
    text "Does assessment identify risk of harm?"
    applies always
    answer yes_no
question "P 2" prompt
    text "Does assessment draw on other sources?"
    applies always
    answer yes_no
question "J 1" judgement
    text "Does assessment focus on keeping people safe?"
    applies always
    answer yes_no
    informed by [P 1]
""",
)
def prompt_informs_nothing(context: LintContext):
    questions = context.symbols.questions.values()
    listed = {ref.question_id for q in questions for ref in q.informed_by}
    if not listed:
        return
    for question in questions:
        if question.kind == "prompt" and question.id not in listed:
            yield context.finding(
                "prompt-informs-nothing", question.id_span,
                f"prompt {question.id} informs no judgement: no 'informed by' lists it", question.id,
            )


@lint_rule(
    "informed-by-non-prompt", "warning",
    "A judgement's 'informed by' lists a question that is not a prompt.",
    """
Summary judgements are informed by prompt questions; listing an information question or another judgement is
usually a wrong id. No witness: it is a fact about the declarations.
""",
    """
question "I 1" information
    text "Which programme?"
    applies always
    answer text
question "J 1" judgement
    text "Does assessment focus on keeping people safe?"
    applies always
    answer yes_no
    informed by [I 1]
""",
)
def informed_by_non_prompt(context: LintContext):
    questions = context.symbols.questions
    for question in questions.values():
        for ref in question.informed_by:
            other = questions.get(ref.question_id)
            if other is not None and other.kind != "prompt":
                yield context.finding(
                    "informed-by-non-prompt", ref.span,
                    f"{question.id} is informed by {other.id}, which is {'an' if other.kind[0] in 'aeiou' else 'a'} {other.kind} question, not a prompt", question.id,
                )


@lint_rule(
    "judgement-informed-by-nothing", "warning",
    "A judgement lists no prompts, or applies in cases where none of its prompts does.",
    """
A summary judgement rests on its prompt questions. One with no `informed by` line is reported without a
witness; one that can apply while every prompt it lists is not applicable is reported with such a case.
""",
    """
fact mappa: bool
question "P 1" prompt
    text "Is the MAPPA level recorded?"
    applies when mappa
    answer yes_no
question "J 1" judgement
    text "Is the case managed safely?"
    applies always
    answer yes_no
    informed by [P 1]
""",
)
def judgement_informed_by_nothing(context: LintContext):
    space = context.space
    for question in context.symbols.questions.values():
        if question.kind != "judgement":
            continue
        if not question.informed_by:
            yield context.finding(
                "judgement-informed-by-nothing", question.id_span,
                f"judgement {question.id} has no 'informed by': no prompt question informs it", question.id,
            )
            continue
        alone = space.status(question.id)[APPLIES]
        for ref in question.informed_by:
            if ref.question_id in context.symbols.questions:
                alone = alone & space.status(ref.question_id)[NOT_APPLICABLE]
        if alone:
            reads = [n for ref in question.informed_by if ref.question_id in context.symbols.questions
                     for n in context.reads(context.symbols.questions[ref.question_id].applies)]
            yield context.finding(
                "judgement-informed-by-nothing", question.id_span,
                f"judgement {question.id} can apply when none of the prompts it is informed by applies",
                question.id, alone, Expect(question.id, APPLIES), prefer_given=reads,
            )
