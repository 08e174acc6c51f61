"""A rule that decides too late: pending although every way of filling in what is unknown gives one result."""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable

from carag_dsl.analysis import Region
from carag_dsl.compiler.graph import CASE_TYPE_NODE, expression_inputs
from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE, PENDING
from carag_dsl.errors import CaseDataError
from carag_dsl.language import ast
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.finding import Expect
from carag_dsl.tools.lint.registry import lint_rule

#: Most filled-in cases a finding lists (the analysis has already shown that every one agrees).
SHOWN_FILL_INS = 6


@lint_rule(
    "decides-too-late", "warning",
    "A status, the case type or a derived value stays pending although every way of filling in the unknowns gives the same result.",
    """
Three-valued logic reads a rule as written: `unknown or (unknown and true)` is unknown, even where every value
the unknown could take makes the whole true. Such a rule leaves a question (or the case type, or a derived
value) pending for cases it could already decide, so a form keeps it hidden and an inspector waits for an
answer that cannot change anything. The exact case space finds these cases; the witness is one of them,
and the finding lists the ways of filling in what it leaves out, which all give the same result. Write the
rule so that the known part decides: `suspension == impact or (suspension == reset and sentence in {licence,
pss})` instead of testing the sentence in both branches.
""",
    """
fact sentence: one of community "Community sentence", licence "Licence", pss "Post-sentence supervision"
fact suspension: one of none "Contact not suspended", reset "Probation Reset", impact "Probation Impact"
question "2.3.05" information
    text "Does assessment focus on the key structural barriers?"
    answer yes_no
    applies when suspension in {reset, impact}
        and (sentence in {licence, pss} or (sentence == community and suspension == impact))
""",
)
def decides_too_late(context: LintContext):
    space = context.space
    symbolic = space._symbolic_for(None)
    # A question that waits only because the case type does is reported once, at the case type.
    late_case_type = space.nothing
    decl = context.symbols.case_type
    if decl is not None:
        unknown = space.case_type().get(UNKNOWN, space.nothing)
        for value, node in symbolic.case_type().items():
            if value is UNKNOWN:
                continue
            region = unknown & space.settled(node)
            late_case_type |= region
            if region:
                conditions = [r.condition for r in decl.rules if r.condition is not None] + [o.condition for o in decl.overrides]
                subject = conditions[0]  # a case type that can be unknown has a condition
                yield _finding(context, subject, f"the case type is not known for the case below although it is {value} "
                               "however the unknowns the case-type rules read are filled in", None, region, None, _case_type)
    for qid, question in context.symbols.questions.items():
        if question.applies is None:
            continue
        statuses = symbolic.status(qid)
        pending = space.status(qid)[PENDING]
        if CASE_TYPE_NODE in expression_inputs(question.applies, context.symbols):
            pending -= late_case_type
        for status in (APPLIES, NOT_APPLICABLE):
            region = pending & space.settled(statuses[status])
            if region:
                shown = "applies" if status == APPLIES else "does not apply"
                yield _finding(context, question.applies, f"[{qid}] is pending for the case below although it {shown} "
                               "however the unknowns it reads are filled in", qid, region, Expect(qid, PENDING),
                               _field_of(qid, "status"))
        if question.derive:
            unknown_value = Region(space, symbolic.derived(qid).get(UNKNOWN, space.bdd.false))
            waiting = space.answer(qid)[UNKNOWN] & space.status(qid)[APPLIES] & unknown_value
            for value, node in symbolic.derived(qid).items():
                if value is UNKNOWN:
                    continue
                region = waiting & space.settled(node)
                if region:
                    yield _finding(context, question.derive[0].condition, f"[{qid}] has no derived value for the case below "
                                   f"although its derive rules give {value!r} however the unknowns they read are filled in",
                                   qid, region, Expect(qid, APPLIES), _field_of(qid, "value"))


def _case_type(result: dict) -> Any:
    return result["case_type"]


def _field_of(qid: str, field: str) -> Callable[[dict], Any]:
    """What a finding shows of each filled-in case: one field of a question's result."""
    return lambda result: result["questions"][qid][field]


def _finding(context: LintContext, subject: ast.Expr, message: str, qid: str | None, region: Region,
             expect: Expect | None, outcome: Callable[[dict], Any]):
    """The finding, its message ending with the ways of filling in the witness and what each gives."""
    reads = context.reads(subject)
    witness = context.witness(region, prefer_given=reads)
    fill_ins = _fill_ins(context, witness, reads, outcome) if witness is not None else ""
    return context.finding("decides-too-late", subject.span, message + (f" ({fill_ins})" if fill_ins else ""), qid, region,
                           expect, prefer_given=reads, subject=subject)


def _fill_ins(context: LintContext, witness: dict, reads: Iterable[str], outcome) -> str:
    """Some ways of filling in the witness's unknown facts and answers of one value each, and what each gives."""
    from carag_dsl.runtime.evaluate import evaluate_case

    symbols = context.symbols
    missing = []
    for name in reads:
        if name in symbols.facts and name not in witness["facts"]:
            values = _values(symbols.facts[name].type)
        elif name in symbols.questions and name not in witness["answers"] and symbols.questions[name].answer is not None:
            values = _values(symbols.questions[name].answer)  # type: ignore[arg-type]
        else:
            continue
        if values:
            missing.append((name, values))
    shown: list[str] = []
    if not missing:
        return ""
    for combination in itertools.product(*(values for _, values in missing)):
        facts, answers = dict(witness["facts"]), dict(witness["answers"])
        for (name, _), value in zip(missing, combination):
            (facts if name in symbols.facts else answers)[name] = value
        case = {"id": witness.get("id"), "facts": facts, "answers": answers}
        try:
            result = evaluate_case(context.rules, case, backend="reference").to_dict()
        except CaseDataError:
            continue
        given = ", ".join(f"{name} = {_shown(value)}" for (name, _), value in zip(missing, combination))
        shown.append(f"{given}: {_shown(outcome(result))}")
        if len(shown) == SHOWN_FILL_INS:
            break
    return "; ".join(shown)


def _values(type_expr: ast.TypeExpr) -> list[Any]:
    """The values worth filling in for a fact or an answer (none for dates, numbers and texts)."""
    from carag_dsl.compiler import types as T

    if type_expr.kind == "bool":
        return [True, False]
    if type_expr.kind in T.SINGLE_OPTION_KINDS:
        return list(T.option_codes(type_expr))
    return []


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
