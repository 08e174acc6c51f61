"""The boundary classes of one input of the rules: finitely many values that stand for all of them.

A rule only ever compares an input with the constants of the rules (option
codes, dates, durations, numbers, texts), so between two neighbouring
constants every value behaves alike. Each :class:`Variable` lists one value
per class (index 0 is always *unknown*: the fact is not given or the question
is not answered), and words each set of classes for people.

Dates are the subtle case. A date compared with another date (``suspension_date
<= start_date + 56 days``) takes its values *relative* to that other date, its
reference: for every constant c of the rules between the two, the offsets c-1,
c and c+1 (so both ``<`` and ``<=`` are decided either way), plus 0 and -1.
Between two neighbouring offsets every whole number of days behaves alike,
which is why a run of offsets reads as "57 to 62 days after the start date".
A date compared with a date literal takes the literal's day and the days
beside it. A date that is only ever known or not takes one anchor day.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterable, Sequence

import attrs

from carag_dsl.compiler import types as T
from carag_dsl.compiler.plain_english import BUILTIN_LABELS, long_date, spaced
from carag_dsl.language import ast

#: The day a date with no date literal to be compared with is given (any day would do).
ANCHOR = datetime.date(2025, 1, 1)


def shifted(base: datetime.date, days: int) -> datetime.date:
    """``base`` moved by ``days``, kept within the calendar."""
    try:
        return base + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


@attrs.frozen
class Relative:
    """A date given as so many days after (before, when negative) the date of another fact."""

    reference: str
    days: int


@attrs.frozen
class Variable:
    """One input of the rules with its classes: ``values[0]`` is unknown (None); the others are ordered when ``ordered``.

    ``key`` is ``fact:NAME``, ``question:ID`` (the answer; the new rule set's id)
    or, for an intermediate result both versions compute alike, ``define:NAME``
    or ``case_type`` (then ``realizations`` holds, per value, facts and answers
    that give it).
    """

    key: str
    label: str
    kind: str  # "option", "bool", "date", "int", "text", "set", "node"
    values: tuple[Any, ...]
    words: tuple[str, ...]  # per value, what "the input has this value" reads as (index 0: not known)
    ordered: bool = False
    realizations: tuple[dict[str, Any] | None, ...] = ()  # per value, a case giving it (None: no case does)

    @property
    def size(self) -> int:
        return len(self.values)

    def describe(self, chosen: Sequence[int]) -> str | None:
        """The phrase for "the input is in one of these classes"; None when every class is chosen."""
        chosen = sorted(set(chosen))
        if len(chosen) == self.size:
            return None
        known = [i for i in chosen if i != 0]
        unknown = 0 in chosen
        if not known:
            return self.words[0]
        if unknown is False and len(known) == self.size - 1 and self.size > 2:
            return f"{self.label} is {'answered' if self.key.startswith('question:') else 'known'}"
        phrase = self._describe_known(known)
        if not unknown:
            return phrase
        return f"{phrase} or {'not answered' if self.key.startswith('question:') else 'not known'}"

    def _describe_known(self, known: list[int]) -> str:
        if self.kind in ("date", "int"):
            return self._describe_runs(known)
        others = [i for i in range(1, self.size) if i not in known]
        if self.kind in ("option", "text") and len(others) < len(known) and others:
            return f"{self.label} is not " + _either(self.words[i].split(" is ", 1)[-1] for i in others)
        return _either_phrases([self.words[i] for i in known])

    def _describe_runs(self, known: list[int]) -> str:
        """Runs of neighbouring classes as ranges: "57 to 62 days after the start date"."""
        runs: list[list[int]] = []
        for index in known:
            value, previous = self.values[index], self.values[runs[-1][-1]] if runs else None
            if runs and index == runs[-1][-1] + 1 and _same_scale(previous, value):
                runs[-1].append(index)
            else:
                runs.append([index])
        return _either_phrases([self._range(run[0], run[-1]) for run in runs])

    def _range(self, first: int, last: int) -> str:
        low = self._bound(first, -1)
        high = self._bound(last, +1)
        if self.kind == "int":
            return f"{self.label} is {_int_range(low, high)}"
        sample = self.values[first]
        if isinstance(sample, Relative):
            return f"{self.label} is {_day_range(low, high, spaced(sample.reference))}"
        return f"{self.label} is {_date_range(low, high)}"

    def _bound(self, index: int, step: int) -> Any:
        """The last value of the class of ``index`` towards ``step``: up to (not including) the neighbouring class's value."""
        neighbour = index + step
        value = self.values[index]
        if neighbour < 1 or neighbour >= self.size or not _same_scale(value, self.values[neighbour]):
            return None  # open-ended
        other = self.values[neighbour]
        if isinstance(value, Relative):
            return other.days - step
        if isinstance(value, datetime.date):
            return other - datetime.timedelta(days=step)
        return other - step


def _same_scale(a: Any, b: Any) -> bool:
    if isinstance(a, Relative) and isinstance(b, Relative):
        return a.reference == b.reference
    return type(a) is type(b) and not isinstance(a, Relative)


def _either(items: Iterable[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _either_phrases(phrases: list[str]) -> str:
    """Phrases about one input joined with "or", the shared subject said once: "the sentence is 'A' or 'B'"."""
    subjects = {p.split(" is ", 1)[0] for p in phrases if " is " in p}
    if len(phrases) > 1 and len(subjects) == 1 and all(" is " in p for p in phrases):
        (subject,) = subjects
        return f"{subject} is " + _either(p.split(" is ", 1)[1] for p in phrases)
    return _either(phrases)


def _days(n: int, reference: str) -> str:
    if n == 0:
        return f"on the same day as the {reference}"
    unit = "day" if abs(n) == 1 else "days"
    return f"{abs(n)} {unit} {'after' if n > 0 else 'before'} the {reference}"


def _day_range(low: int | None, high: int | None, reference: str) -> str:
    if low is not None and high is not None:
        if low == high:
            return _days(low, reference)
        if low >= 0:
            return f"{low} to {high} days after the {reference}"
        return f"between {_days(low, reference)} and {_days(high, reference)}"
    if low is not None:
        return f"{_days(low, reference)} or later" if low != 0 else f"on or after the {reference}"
    if high is not None:
        return f"{_days(high, reference)} or earlier" if high != -1 else f"before the {reference}"
    return "known"


def _date_range(low: datetime.date | None, high: datetime.date | None) -> str:
    if low is not None and high is not None:
        return f"on {long_date(low)}" if low == high else f"from {long_date(low)} to {long_date(high)}"
    if low is not None:
        return f"on or after {long_date(low)}"
    if high is not None:
        return f"on or before {long_date(high)}"
    return "known"


def _int_range(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return str(low) if low == high else f"{low} to {high}"
    if low is not None:
        return f"at least {low}"
    if high is not None:
        return f"at most {high}"
    return "known"


# ------------------------------------------------------------------ building the classes


def _label(key: str) -> str:
    kind, name = key.split(":", 1)
    return f"the {spaced(name)}" if kind == "fact" else f"the answer to {name}"


def _unknown_words(key: str) -> str:
    kind, name = key.split(":", 1)
    return f"the {spaced(name)} is not known" if kind == "fact" else f"{name} is not answered"


def _option_label(code: str, types: Sequence[ast.TypeExpr]) -> str:
    for type_expr in types:
        for option in type_expr.options:
            if option.code == code and option.label:
                return option.label
    return BUILTIN_LABELS.get(code, spaced(code))


def option_variable(key: str, types: Sequence[ast.TypeExpr]) -> Variable:
    """One class per option code of either version (a code only one version has is rejected by the other)."""
    codes = list(dict.fromkeys(code for t in types for code in T.option_codes(t)))
    label = _label(key)
    words = [_unknown_words(key)] + [f"{label} is '{_option_label(c, types)}'" for c in codes]
    return Variable(key, label, "option", (None, *codes), tuple(words))


def bool_variable(key: str) -> Variable:
    label = _label(key)
    name = spaced(key.split(":", 1)[1])
    return Variable(key, label, "bool", (None, True, False), (_unknown_words(key), f"{name} is true", f"{name} is false"))


def set_variable(key: str, types: Sequence[ast.TypeExpr], mentioned: Iterable[str]) -> Variable:
    """Sets of the codes the rules test (``code in X``) and, when there are others, one code they do not."""
    codes = list(dict.fromkeys(code for t in types for code in T.option_codes(t)))
    tested = [c for c in codes if c in set(mentioned)]
    others = [c for c in codes if c not in tested][:1]
    values: list[frozenset[str]] = []
    for mask in range(2 ** len(tested)):
        chosen = frozenset(c for i, c in enumerate(tested) if mask >> i & 1)
        values.append(chosen)
        if others:
            values.append(chosen | {others[0]})
    label = _label(key)
    words = [_unknown_words(key)]
    for value in values:
        if not value:
            words.append(f"no option is chosen in {label}")
        else:
            names = [f"'{_option_label(c, types)}'" for c in codes if c in value]
            words.append(f"{label} is {' and '.join(names)}" + ("" if len(value) == len(codes) else " only" if len(value) == 1 else ""))
    return Variable(key, label, "set", (None, *values), tuple(words))


def text_variable(key: str, literals: Iterable[str]) -> Variable:
    values = list(dict.fromkeys(literals))
    other = "other text"
    while other in values:
        other += "."
    values.append(other)
    label = _label(key)
    words = [_unknown_words(key)] + [f"{label} is \"{v}\"" for v in values[:-1]] + [f"{label} is some other text"]
    return Variable(key, label, "text", (None, *values), tuple(words))


def int_variable(key: str, constants: Iterable[int]) -> Variable:
    values = sorted({c + d for c in constants for d in (-1, 0, 1)} or {0})
    label = _label(key)
    return Variable(key, label, "int", (None, *values), tuple([_unknown_words(key)] + [f"{label} is {v}" for v in values]), ordered=True)


def date_variable(key: str, literal_days: Iterable[datetime.date], reference: str | None, offsets: Iterable[int]) -> Variable:
    """A date: the days around each date literal it meets, then (when it has a reference) offsets from that date."""
    absolute = sorted({shifted(d, s) for d in literal_days for s in (-1, 0, 1)})
    relative: list[Relative] = []
    if reference is not None:
        days = sorted({c + s for c in {0, *offsets} for s in (-1, 0, 1)})
        relative = [Relative(reference, n) for n in days]
    if not absolute and not relative:
        absolute = [ANCHOR]
    values: list[Any] = [*absolute, *relative]
    label = _label(key)
    words = [_unknown_words(key)]
    for value in values:
        if isinstance(value, Relative):
            words.append(f"{label} is {_days(value.days, spaced(value.reference))}")
        elif value == ANCHOR and len(absolute) == 1 and not literal_days:
            words.append(f"{label} is known")
        else:
            words.append(f"{label} is {long_date(value)}")
    return Variable(key, label, "date", (None, *values), tuple(words), ordered=True)


def node_variable(key: str, label: str, values: Sequence[Any], words: Sequence[str], realizations: Sequence[dict | None]) -> Variable:
    """An intermediate result both versions compute alike (a defined condition, the case type)."""
    return Variable(key, label, "node", (None, *values), tuple(words), realizations=tuple(realizations))
