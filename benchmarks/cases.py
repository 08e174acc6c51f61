"""Seeded, realistic case mixes for the bundled CARaG (and any rule set): plain JSON-shaped dicts.

Realistic means: most cases have every fact, some are missing a few (an
inspection in progress), dates cluster around the start date so both sides of
the eight-week line occur, suspensions follow the sentence mix, most orders and
licences are still running (``terminated`` false, no termination date), and each
case has answered a random share of its questions (from none to all), with the
occasional case-type override answer; a judgement a derive rule decides is
answered as the rule says. About 1% of cases have bad data (a broken
constraint, an answer that is not an option), as real files do.
"""

from __future__ import annotations

import datetime
import random
from typing import Any, Iterator

from carag_dsl.compiler import types as T

_EPOCH = datetime.date(2024, 1, 1)


def _fact_value(rng: random.Random, name: str, decl, start: datetime.date) -> Any:
    kind = decl.type.kind
    if name == "terminated":
        return rng.random() < 0.1
    if kind == "bool":
        return rng.random() < 0.3
    if kind == "int":
        return rng.randint(0, 100)
    if kind == "text":
        return rng.choice(["", "note", "a longer note"])
    if kind == "date":
        if name == "start_date":
            return start.isoformat()
        return (start + datetime.timedelta(days=rng.choice([0, 7, 30, 55, 56, 57, 90, 200]))).isoformat()
    codes = T.option_codes(decl.type)
    if kind == "any":
        return [c for c in codes if rng.random() < 0.3]
    if name == "suspension":
        return rng.choices(codes, weights=[5, 3, 2][: len(codes)] + [1] * max(0, len(codes) - 3))[0]
    return rng.choice(codes)


def _answer_value(rng: random.Random, answer) -> Any:
    if answer is None or answer.kind == "text":
        return rng.choice(["", "seen on file", "see notes"])
    codes = T.option_codes(answer)
    if answer.kind == "any":
        return [c for c in codes if rng.random() < 0.25]
    return rng.choice(codes)


def generate(ruleset, count: int, seed: int = 20251020) -> Iterator[dict[str, Any]]:
    """``count`` cases, the same for the same seed."""
    rng = random.Random(seed)
    facts = ruleset.symbols.facts
    questions = ruleset.symbols.questions
    overrides = set()
    if ruleset.symbols.case_type is not None:
        from carag_dsl.language import ast

        for override in ruleset.symbols.case_type.overrides:
            overrides.update(n.question_id for n in ast.walk(override.condition) if isinstance(n, ast.AnswerRef))
    ids = list(questions)
    derived = {qid for qid, question in questions.items() if question.derive}
    for number in range(count):
        start = _EPOCH + datetime.timedelta(days=rng.randrange(700))
        case_facts = {}
        for name, decl in facts.items():
            if rng.random() < 0.9:
                case_facts[name] = _fact_value(rng, name, decl, start)
        if case_facts.get("suspension") == "none":
            case_facts.pop("suspension_date", None)  # keep the constraint satisfied in most cases
        if case_facts.get("terminated") is False:
            case_facts.pop("termination_date", None)  # given only for an order or licence that terminated
        share = rng.random()
        answers = {}
        for qid in ids:
            if qid in overrides:
                if rng.random() < 0.05:
                    answers[qid] = _answer_value(rng, questions[qid].answer)
            elif rng.random() < share:
                answers[qid] = _answer_value(rng, questions[qid].answer)
        roll = rng.random()
        if roll < 0.005 and "start_date" in case_facts and case_facts.get("suspension") not in (None, "none"):
            case_facts["suspension_date"] = (start - datetime.timedelta(days=3)).isoformat()  # breaks a constraint
        elif roll < 0.01:
            answers[rng.choice(ids)] = "maybe"  # not an option of any question
        case = {"id": f"case-{number}", "facts": case_facts, "answers": answers}
        if derived & answers.keys():
            _answer_as_derived(ruleset, case)
        yield case


def _answer_as_derived(ruleset, case: dict[str, Any]) -> None:
    """Drop the answers that differ from the value a derive rule gives (the engine rejects them; an inspector
    answers as the CARaG says there)."""
    from carag_dsl.compiler.outcomes import OVERRULED_START
    from carag_dsl.errors import CaseDataError
    from carag_dsl.runtime.evaluate import evaluate_case

    try:
        evaluate_case(ruleset, case)
    except CaseDataError as error:
        for problem in error.problems:
            if problem.field.startswith("answers.") and problem.message.startswith(OVERRULED_START):
                case["answers"].pop(problem.field[len("answers."):], None)
