"""Running the compiled back end: the generated routing function, its run-time helpers, and its results.

:mod:`carag_dsl.compiler.codegen` writes the function's source from the checked
AST; this module compiles that source once per rule set, gives it the few
helpers it calls (Kleene-safe date arithmetic, scale ranks, result objects)
and turns what it returns into an :class:`~.evaluation.Evaluation`.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from carag_dsl.compiler import types as T
from carag_dsl.compiler.rules_cache import routing_source
from carag_dsl.compiler.ruleset import gc_paused
from carag_dsl.compiler.outcomes import APPLIES, NOT_APPLICABLE, PENDING, given_values
from carag_dsl.errors import CaseDataError, CaseProblem
from carag_dsl.runtime.evaluation import Evaluation, QuestionResult
from carag_dsl.compiler.routing import CaseTypeTable, table_key
from carag_dsl.runtime.evaluator import exclusion_of, run
from carag_dsl.runtime.logic import UNKNOWN

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules
    from carag_dsl.runtime.casedata import CaseData

class _Missing:
    """Marks a question with no answer in the case (``None`` is never an answer, but be exact)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


_MISSING = _Missing()
#: Returned by the generated function when two case-type overrides contradict each other;
#: the caller then lets the reference evaluator raise its CaseDataError with the exact message.
_CONTRADICTION = object()


# ------------------------------------------------------------------ run-time helpers of generated code


def _add(left, right):
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    try:
        return left + right
    except OverflowError:  # a date pushed past year 9999 (or before year 1): no answer can be given
        return UNKNOWN


def _sub(left, right):
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    try:
        return left - right
    except OverflowError:
        return UNKNOWN


def _given(triples):
    """The text of the (label, value, option order) triples whose value the case gives (as evaluator._given)."""
    return given_values([triple for triple in triples if triple[1] is not UNKNOWN])


def _exclusion_of(ruleset: "CheckedRules"):
    """The generated code's ``_exclusion(values, facts, answers)``: None when the case is inspected, else
    (reason or None, what would settle it or None), as the reference decides (evaluator.exclusion_of)."""
    symbols = ruleset.symbols

    def exclusion(values, facts, answers):
        if all(value is False for value in values):
            return None
        excluded, settle = exclusion_of(symbols, values, facts, answers)
        return None if excluded is None and settle is None else (excluded, settle)

    return exclusion


def _ranks(scales: dict[str, int]):
    """A function giving (left, right) by scale rank when both are scale codes (RuleSet.scale_rank)."""

    def ranked(left, right):
        if isinstance(left, str) and isinstance(right, str) and left in scales and right in scales:
            return scales[left], scales[right]
        return left, right

    return ranked


# ------------------------------------------------------------------ the compiled rule set


class _CompiledScope:
    """Stands in for the reference evaluator's Scope after a compiled evaluation.

    Facts and defined names are read from what the compiled function computed;
    anything else (explanations walk the whole Scope) re-runs the reference
    evaluator on first use, since most evaluations are never explained.
    """

    def __init__(self, ruleset: "CheckedRules", case: "CaseData", defined: dict[str, Any]):
        self._ruleset, self._case, self._defined, self._scope = ruleset, case, defined, None

    def name(self, name: str) -> Any:
        if name in self._defined:
            return self._defined[name]
        if name in self._ruleset.symbols.facts:
            return self._case.facts.get(name, UNKNOWN)
        return self._reference().name(name)

    def _reference(self) -> Any:
        if self._scope is None:
            self._scope = run(self._ruleset, self._case)[0]
        return self._scope

    def answer(self, question_id: str) -> Any:
        return self._reference().answer(question_id)

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        return getattr(self._reference(), attribute)


class CompiledRules:
    """A rule set's generated routing function. ``source`` is the generated Python, for review."""

    def __init__(self, ruleset: "CheckedRules"):
        self.ruleset = ruleset
        none = {status: QuestionResult(status, None, None) for status in (APPLIES, PENDING, NOT_APPLICABLE)}
        namespace: dict[str, Any] = {
            "__builtins__": {"frozenset": frozenset, "repr": repr, "bool": bool, "isinstance": isinstance, "str": str},
            "_U": UNKNOWN, "_M": _MISSING, "_QR": QuestionResult, "_CONTRADICTION": _CONTRADICTION,
            "_APPLIES": APPLIES, "_PENDING": PENDING, "_NOT_APPLICABLE": NOT_APPLICABLE,
            "_NONE": none,
            "_ANSWERED": _shared_option_results(ruleset, "answer"),
            "_DERIVED": _shared_option_results(ruleset, "derived"),
            "_ranked": _ranks(dict(ruleset.scale_ranks)), "_add": _add, "_sub": _sub,
            "_date": datetime.date, "_timedelta": datetime.timedelta,
            "_CaseProblem": CaseProblem, "_CaseDataError": CaseDataError,
            "_given": _given,
            # A fresh result dict for each case not routed: every question not applicable when it is excluded,
            # pending when it is not known whether it is inspected.
            "_UNROUTED": lambda exclusion: dict.fromkeys(ruleset.symbols.questions, none[NOT_APPLICABLE if exclusion[0] else PENDING]),
            "_exclusion": _exclusion_of(ruleset),
        }
        if ruleset.symbols.case_type is not None:
            table = CaseTypeTable(ruleset.symbols.case_type)  # its own (not derived(): this runs inside derived())
            namespace["_decide_case_type"] = lambda values: table.outcome(table_key(values))
        with gc_paused():  # code generation and compile() allocate much and free little (see gc_paused)
            self.source = routing_source(ruleset)  # generated by our compiler, or its verified copy in the private cache
            exec(compile(self.source, "<carag compiled rules>", "exec"), namespace)  # our own generated code only
        self._route = namespace["_route"]
        #: The results the routing function hands out again and again (one object per status, code and source):
        #: a writer may key what it derives from them by identity, as they live as long as this object.
        self.shared_results: tuple[QuestionResult, ...] = (
            *namespace["_NONE"].values(),
            *(result for key in ("_ANSWERED", "_DERIVED") for by_code in namespace[key].values() for result in by_code.values()),
        )
        self._define_names = tuple(ruleset.symbols.defines)

    def evaluate(self, case: "CaseData") -> Evaluation:
        """Evaluate one checked case; same results and errors as the reference evaluator."""
        routed = self._route(case.facts, case.answers, case.id)
        if routed is _CONTRADICTION:  # rare: let the reference evaluator word the error
            run(self.ruleset, case)
            raise AssertionError("the reference evaluator found no contradiction where the compiled code did")
        case_type, case_type_source, questions, warnings, defined, exclusion = routed
        excluded, settle = exclusion or (None, None)
        return Evaluation(
            self.ruleset, case.id, None if case_type is UNKNOWN else case_type, case_type_source,
            questions, warnings, _CompiledScope(self.ruleset, case, dict(zip(self._define_names, defined))), excluded,
            settle,
        )


def _shared_option_results(ruleset: "CheckedRules", source: str) -> dict[str, dict[str, QuestionResult]]:
    """status -> option code -> QuestionResult(status, code, source), for every code a question offers."""
    codes = {code for q in ruleset.symbols.questions.values() if q.answer is not None and q.answer.kind in T.SINGLE_OPTION_KINDS
             for code in T.option_codes(q.answer)}
    return {status: {code: QuestionResult(status, code, source) for code in codes} for status in (APPLIES, PENDING, NOT_APPLICABLE)}
