"""Where the exact analysis could not answer, the diff samples: random cases under both versions.

A sample can show that something changes (the case is the proof) but never that nothing does, so what it
finds is reported as found by sampling, and the diff stays *partial*. The cases are drawn without
Hypothesis (``carag diff`` needs only the ``analysis`` extra) from the declarations of both versions, with
values near what the rules mention: their option codes, texts, whole numbers and the numbers beside them,
their dates and their durations between dates (so a window of 56 days is tried at 55, 56 and 57 days).
"""

from __future__ import annotations

import datetime
import random
import time
from typing import Any, Callable, Iterator

from carag_dsl.compiler import types as T
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.language import ast

_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
_BASE = datetime.date(2025, 1, 6)
_OTHER_TEXTS = ("", "some other text")


class _Hints:
    """What the rules of both versions mention: texts, whole numbers, dates and durations in days."""

    def __init__(self, rules_list: list[CheckedRules]):
        texts: set[str] = set(_OTHER_TEXTS)
        ints: set[int] = {0, 1}
        dates: set[datetime.date] = {_BASE}
        days: set[int] = {0, 1}
        for rules in rules_list:
            for expr in rules.symbols.expressions():
                for node in ast.walk(expr):
                    if isinstance(node, ast.TextLit):
                        texts.add(node.value)
                    elif isinstance(node, ast.IntLit):
                        ints.update({node.value - 1, node.value, node.value + 1})
                    elif isinstance(node, ast.DateLit):
                        dates.add(node.value)
                    elif isinstance(node, ast.DurationLit) and node.unit in _UNIT_DAYS:
                        n = node.amount * _UNIT_DAYS[node.unit]
                        days.update({n - 1, n, n + 1})
        self.texts, self.ints = sorted(texts), sorted(i for i in ints if abs(i) < 10**9)
        self.dates, self.days = sorted(dates), sorted(d for d in days if abs(d) < 3 * 10**6)


def _value(kind: str, codes: list[str], hints: _Hints, rng: random.Random, dates_drawn: list[datetime.date]) -> Any:
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "int":
        return rng.choice(hints.ints)
    if kind == "text":
        return rng.choice(hints.texts)
    if kind == "date":
        anchor = rng.choice(dates_drawn) if dates_drawn and rng.random() < 0.7 else rng.choice(hints.dates)
        try:
            value = anchor + datetime.timedelta(days=rng.choice((1, -1)) * rng.choice(hints.days))
        except OverflowError:
            value = anchor
        dates_drawn.append(value)
        return value.isoformat()
    if kind == "any":
        return sorted(c for c in codes if rng.random() < 0.3)
    return rng.choice(codes) if codes else None


def sample_cases(rules_list: list[CheckedRules], seed: int = 0) -> Iterator[dict[str, Any]]:
    """Endless random cases in the input shape of ``carag eval``, every fact and answer sometimes missing."""
    rng = random.Random(seed)
    hints = _Hints(rules_list)
    facts: dict[str, tuple[str, list[str]]] = {}
    answers: dict[str, tuple[str, list[str]]] = {}
    for rules in rules_list:
        for name, decl in rules.symbols.facts.items():
            kind, codes = facts.get(name, (decl.type.kind, []))
            facts[name] = (kind, list(dict.fromkeys(codes + list(T.option_codes(decl.type)))))
        for qid, question in rules.symbols.questions.items():
            if question.answer is not None:
                kind, codes = answers.get(qid, (question.answer.kind, []))
                answers[qid] = (kind, list(dict.fromkeys(codes + list(T.option_codes(question.answer)))))
    number = 0
    while True:
        number += 1
        dates_drawn: list[datetime.date] = []
        case_facts = {name: _value(kind, codes, hints, rng, dates_drawn)
                      for name, (kind, codes) in facts.items() if rng.random() < 0.75}
        case_answers = {qid: _value(kind, codes, hints, rng, dates_drawn)
                        for qid, (kind, codes) in answers.items() if rng.random() < 0.4}
        yield {"id": f"sample-{number}", "facts": case_facts, "answers": case_answers}


def sample(rules_list: list[CheckedRules], examine: Callable[[dict[str, Any]], None], cases: int, seconds: float,
           seed: int = 0) -> int:
    """Hand up to ``cases`` sampled cases to ``examine`` within ``seconds``; how many it examined."""
    deadline = time.monotonic() + seconds
    examined = 0
    for case in sample_cases(rules_list, seed):
        if examined >= cases or time.monotonic() > deadline:
            break
        examine(case)
        examined += 1
    return examined
