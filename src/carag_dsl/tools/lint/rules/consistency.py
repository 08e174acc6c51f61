"""Rules on consistency rules (``constraint FIELD requires ... warn "..."``)."""

from __future__ import annotations

from carag_dsl.compiler.outcomes import APPLIES, consistency_warning
from carag_dsl.language import ast
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.finding import Expect
from carag_dsl.tools.lint.registry import lint_rule


@lint_rule(
    "answers-contradict", "warning",
    "The routing accepts a combination of answers (each to a question that applies) that a consistency rule forbids.",
    """
A consistency rule, `constraint [Q] requires CONDITION warn "..."`, says which answers contradict each other.
Where every question whose answer the rule reads applies, the engine takes those answers and only warns: the
routing lets the contradiction through. Make one of the questions not apply in those cases, or accept the
warning (and suppress this finding with the reason). The witness is such a case; evaluated, it gives the warning.
""",
    """
question "X 6" prompt
    text "Is sexual harm a factor?"
    applies always
    answer yes_no
question "X 6.1" prompt
    text "Does the plan address sexual harm?"
    applies always
    answer yes_no
constraint [X 6.1] requires [X 6] == yes
    warn "X 6.1 is answered, but X 6 says sexual harm is not a factor"
""",
)
def answers_contradict(context: LintContext):
    space = context.space
    questions = context.symbols.questions
    for rule in context.symbols.consistency:
        # (A case the rules exclude is outside lint's space: it gets no routing and no warnings.)
        region = space.given(rule.field, rule.on_answer) & space.truth(rule.expr)[False]
        read = {n.question_id for n in ast.walk(rule.expr) if isinstance(n, ast.AnswerRef)}
        if rule.on_answer:
            read.add(rule.field)
        for qid in read:
            if qid in questions:
                region = region & space.status(qid)[APPLIES] & space.given(qid, on_answer=True)
        if region:
            yield context.finding(
                "answers-contradict", rule.span,
                f"the routing accepts answers that this consistency rule forbids ({rule.message})",
                rule.field if rule.on_answer else None, region, Expect(warning=consistency_warning(rule)), subject=rule,
            )
