"""Case data decoded and checked in one step by msgspec Structs generated per rule set (optional).

Reading a case line costs more than routing it: ``json.loads`` with the
checking hooks of :mod:`.caseinput`, then :func:`.casedata.read_case` walking
every fact and answer in Python. With msgspec installed (the ``[bulk]`` and
``[test]`` extras), :func:`fast_case_decoder` gives a function that decodes the
bytes of one line straight into a :class:`~.casedata.CaseData`, every value
checked against its declaration by msgspec in C: option codes as ``Literal``
types, ``YYYY-MM-DD`` dates, whole numbers, booleans, text, lists of codes.

It is a fast path only. It answers ``None`` ("not sure") for anything it cannot
vouch for, and the caller then reads the line the usual way, which words every
error exactly as before: so on any line the result, or the error message, is
the one :func:`.caseinput.decode_case` and :func:`.casedata.read_case` give.
``None`` is the answer whenever msgspec refuses the line (bad JSON or UTF-8,
an unknown key, a value of the wrong type, a date that is not real), and for
what msgspec accepts but carag does not, checked before or after decoding:

* a key given twice (msgspec keeps the last): the keys in the text are
  counted and must match the fields decoded. Without escapes every ``"``
  opens or closes a string, and a string is either a key or a value, so the
  keys are half the quotes less the strings among the values decoded (text,
  codes, dates, the codes of a list): exact, and far cheaper than a pattern;
* a line with a backslash is never taken (no escapes, so no ``"`` inside a
  string and no lone surrogate ``\\ud800``);
* a line longer than Python's limit on the digits of a number (a number with
  thousands of digits), or than :data:`~.caseinput.MAX_LINE_BYTES`;
* an ``id`` that is not text, a number, a boolean or null (its nesting is not
  checked by the schema), or a number too large to be a float;
* a case that records ``reasons`` (rare; its checks stay in one place).
"""

from __future__ import annotations

import datetime
import math
import operator
import sys
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Union

from carag_dsl.compiler import types as T
from carag_dsl.runtime.casedata import CaseData
from carag_dsl.runtime.caseinput import MAX_LINE_BYTES

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

FastDecoder = Callable[[bytes], Optional[CaseData]]


def fast_case_decoder(ruleset: "CheckedRules") -> FastDecoder | None:
    """The rule set's fast decoder (built once per rule set), or None when msgspec is not installed."""
    return ruleset.derived(_build)


def _build(ruleset: "CheckedRules") -> FastDecoder | None:
    try:
        import msgspec
    except ImportError:
        return None
    facts = [(name, decl.type) for name, decl in ruleset.symbols.facts.items()]
    answers = [(qid, decl.answer) for qid, decl in ruleset.symbols.questions.items() if decl.answer is not None]
    fact_struct, fact_names, fact_layout = _section(msgspec, "Facts", facts)
    answer_struct, answer_names, answer_layout = _section(msgspec, "Answers", answers)
    unset = msgspec.UNSET
    case_struct = msgspec.defstruct("Case", [
        ("id", Any, unset),
        ("facts", Union[fact_struct, None, msgspec.UnsetType], unset),
        ("answers", Union[answer_struct, None, msgspec.UnsetType], unset),
    ], forbid_unknown_fields=True)
    decode = msgspec.json.Decoder(case_struct).decode
    astuple = msgspec.structs.astuple
    digits_limit = getattr(sys, "get_int_max_str_digits", lambda: 0)() or MAX_LINE_BYTES
    longest = min(MAX_LINE_BYTES, digits_limit)

    def values(section: Any, names: tuple[str, ...], layout: tuple) -> tuple[dict[str, Any], int]:
        """The section's given values (nulls left out, lists of codes as sets), and its keys and string values counted.

        Counted with tuple methods rather than a loop over every declared field: this runs for every case.
        """
        textual, lists = layout
        row = astuple(section)
        given = {name: value for name, value in zip(names, row) if value is not unset and value is not None}
        strings = len(row) - row.count(unset)  # the keys
        texts = textual(row)  # the values of the fields whose values are strings (codes, text, dates)
        strings += len(texts) - texts.count(unset) - texts.count(None)
        for index in lists:
            codes = row[index]
            if codes is not unset and codes is not None:
                strings += len(codes)
                given[names[index]] = frozenset(codes)
        return given, strings

    def fast(raw: bytes) -> CaseData | None:
        if len(raw) > longest or b"\\" in raw:
            return None
        try:
            case: Any = decode(raw)
        except Exception:  # msgspec's errors, and UnicodeDecodeError: the usual path words them
            return None
        case_id = case.id
        strings = 0  # keys and string values decoded
        if case_id is unset:
            case_id = None
        else:
            kind = case_id.__class__
            strings += 2 if kind is str else 1
            if kind is float:
                if not math.isfinite(case_id):
                    return None
            elif case_id is not None and kind is not str and kind is not int and kind is not bool:
                return None  # a list or an object as the id: left to the usual checks
        fact_values: dict[str, Any] = {}
        answer_values: dict[str, Any] = {}
        if case.facts is not unset:
            strings += 1
            if case.facts is not None:
                fact_values, count = values(case.facts, fact_names, fact_layout)
                strings += count
        if case.answers is not unset:
            strings += 1
            if case.answers is not None:
                answer_values, count = values(case.answers, answer_names, answer_layout)
                strings += count
        if 2 * strings != raw.count(b'"'):  # a key given twice: the usual path says which
            return None
        return CaseData(case_id, fact_values, answer_values)

    return fast


def _section(msgspec: Any, name: str, fields: list) -> tuple[type, tuple[str, ...], tuple]:
    """A Struct of one field per declared fact (or answered question), its JSON names, and its layout:
    a function picking the fields whose values are strings out of a row, and the multiple-choice fields."""
    unset = msgspec.UNSET
    spec = []
    rename = {}
    textual = []
    lists = []
    for index, (declared, type_expr) in enumerate(fields):
        attribute = f"f{index}"  # names and question ids ('X 9', '2.3.01') are JSON keys, not Python names
        rename[attribute] = declared
        spec.append((attribute, Union[_value_type(type_expr), None, msgspec.UnsetType], unset))
        if type_expr.kind == "any":
            lists.append(index)
        elif type_expr.kind not in ("bool", "int"):
            textual.append(index)
    struct = msgspec.defstruct(name, spec, rename=rename, forbid_unknown_fields=True)
    pick = operator.itemgetter(*textual) if len(textual) > 1 else (lambda row: tuple(row[i] for i in textual))
    return struct, tuple(declared for declared, _ in fields), (pick, tuple(lists))


def _value_type(type_expr: Any) -> Any:
    """The msgspec type of a declared value: what casedata.convert_value accepts, and nothing more."""
    kind = type_expr.kind
    if kind == "bool":
        return bool
    if kind == "int":
        return int
    if kind == "text":
        return str
    if kind == "date":
        return datetime.date
    codes = Literal[tuple(T.option_codes(type_expr))]  # type: ignore[valid-type]
    return list[codes] if kind == "any" else codes  # type: ignore[valid-type]
