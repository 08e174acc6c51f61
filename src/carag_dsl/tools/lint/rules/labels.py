"""Rules on applicability labels: the declared vocabulary against each question's rule."""

from __future__ import annotations

from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE, PENDING
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.finding import Expect
from carag_dsl.tools.lint.registry import lint_rule

_STATUS_OF = {True: APPLIES, False: NOT_APPLICABLE, UNKNOWN: PENDING}
_DISAGREEMENT = {
    True: "makes it apply where the label says it does not",
    False: "leaves it out where the label says it applies",
    UNKNOWN: "keeps it pending where the label already decides",
}


@lint_rule(
    "label-contradicts-rule", "error",
    "A question's label means one thing (by the rule set's 'applicability' vocabulary) and its rule another.",
    """
The rule set declares what each applicability label means, e.g.
`applicability "Core cases only" when case_type == core`. A question whose `applies when` rule differs from
the meaning of its label, in any case, is reported with such a case: the witness is a case where the rule and
the label disagree (the question applies where the label says it does not, or the reverse). A label that is
not in the vocabulary is reported too (without a witness), once the rule set declares one.
""",
    """
fact mappa: bool
applicability "All MAPPA cases" when mappa
question "Q 1" prompt
    text "Is the MAPPA level recorded?"
    label "All MAPPA cases"
    applies when not mappa
    answer yes_no
""",
)
def label_contradicts_rule(context: LintContext):
    vocabulary = context.symbols.applicability
    if not vocabulary:
        return
    space = context.space
    for question in context.symbols.questions.values():
        if question.label is None:
            continue
        entry = vocabulary.get(question.label)
        if entry is None:
            known = ", ".join(f'"{label}"' for label in vocabulary)
            yield context.finding(
                "label-contradicts-rule", question.id_span,
                f'question {question.id} has the label "{question.label}", which is not in the applicability vocabulary ({known})',
                question.id,
            )
            continue
        meaning = context.label_meaning(question)
        if meaning is None or question.applies is None:
            continue  # a label whose meaning varies; a question without a rule (no-applies-rule)
        status = space.status(question.id)
        for value in (True, False, UNKNOWN):
            differs = status[_STATUS_OF[value]] - meaning[value]
            if differs:
                # The witness is taken where the label's reading is one status, so its test can state it.
                reading, region = next((w, differs & meaning[w]) for w in (True, False, UNKNOWN) if differs & meaning[w])
                yield context.finding(
                    "label-contradicts-rule", question.applies.span,
                    f'question {question.id} is labelled "{question.label}", but its rule {_DISAGREEMENT[value]}, '
                    f"for example when {space.description(region).kinds[0]}",
                    question.id, region, Expect(question.id, _STATUS_OF[value]), prefer_given=context.reads(question.applies),
                    subject=entry, intended=Expect(question.id, _STATUS_OF[reading]),
                )
                break


@lint_rule(
    "no-applies-rule", "error",
    "A question has an applicability label but no 'applies' rule, so it applies to every case.",
    """
Without `applies when ...` a question applies to every case, whatever its label says. Write the rule the label
describes, or `applies always` when the label means every case. The witness is a case the label leaves out
(when the vocabulary says what the label means) or the empty case, where the question applies.
""",
    """
fact court_report: bool
question "Q 1" prompt
    text "Was the court report accurate?"
    label "Cases with court report only"
    answer yes_no
""",
)
def no_applies_rule(context: LintContext):
    space = context.space
    for question in context.symbols.questions.values():
        if question.label is None or question.applies is not None or _explicitly_always(context, question):
            continue
        entry = context.symbols.applicability.get(question.label)
        if entry is not None and entry.always:
            continue
        region = space.region_of({"id": "witness", "facts": {}, "answers": {}})
        if entry is not None and entry.condition is not None:
            region = space.truth(entry.condition)[False] or region
        yield context.finding(
            "no-applies-rule", question.id_span,
            f'question {question.id} is labelled "{question.label}" but has no \'applies\' rule, so it applies to every case',
            question.id, region, Expect(question.id, APPLIES), prefer_given=context.reads(entry.condition) if entry else (), subject=entry,
        )


def _explicitly_always(context: LintContext, question) -> bool:
    """``applies always`` written out (the AST keeps None for both; the source text tells them apart)."""
    span = question.span
    if span.source is None:
        return False
    lines = span.source.text.splitlines()[span.line - 1:span.end_line]
    return any(line.split("#", 1)[0].split() == ["applies", "always"] for line in lines)
