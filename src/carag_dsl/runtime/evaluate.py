"""Evaluating cases: one case with either back end, or a stream of cases with an error policy."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Literal, Mapping

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import CaseDataError, UsageError
from carag_dsl.runtime.casedata import CaseData, read_case
from carag_dsl.runtime.compiled import CompiledRules
from carag_dsl.runtime.evaluation import Evaluation
from carag_dsl.runtime.evaluator import run
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.runtime.results import reasons_warnings

#: The evaluation back ends: the generated Python function, and the tree-walking reference evaluator.
BACKENDS = ("compiled", "reference")
Backend = Literal["compiled", "reference"]
#: What to do with a case whose data is bad: stop with its CaseDataError, or note it and go on.
ON_ERROR = ("raise", "collect")
OnError = Literal["raise", "collect"]


@attrs.frozen
class CaseFailure:
    """A case that could not be evaluated: its position in the input (from 0), its id when it has one, the error."""

    index: int
    id: Any
    error: CaseDataError

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.id, "error": str(self.error)}


def compiled_rules(rules: CheckedRules) -> CompiledRules:
    """The rule set's generated routing function, built on first use and then kept with the rule set."""
    return rules.derived(CompiledRules)


def evaluate_case(rules: CheckedRules, case: Mapping[str, Any] | CaseData, backend: str = "compiled") -> Evaluation:
    """Evaluate one case (``{"id", "facts", "answers", "reasons"}``, or a CaseData already checked, as the
    fast decoder of :mod:`.fastcase` gives); raises CaseDataError for bad data."""
    if backend not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}; expected one of {', '.join(map(repr, BACKENDS))}")
    data = case if case.__class__ is CaseData else read_case(rules, case)
    if backend == "compiled":
        evaluation = compiled_rules(rules).evaluate(data)
    else:
        scope, questions, warnings, case_type_source, excluded, settle = run(rules, data)
        case_type = None if scope.case_type is UNKNOWN else scope.case_type
        evaluation = Evaluation(rules, data.id, case_type, case_type_source, questions, warnings, scope, excluded, settle)
    if data.reasons:  # the same for either back end: carried as given, after the rules' own warnings
        evaluation.reasons = dict(data.reasons)
        evaluation.warnings.extend(reasons_warnings(rules, data.reasons))
    return evaluation


def check_on_error(on_error: str) -> None:
    if on_error not in ON_ERROR:
        raise UsageError(f"unknown on_error {on_error!r}; expected one of {', '.join(map(repr, ON_ERROR))}")


def evaluate_stream(
    rules: CheckedRules,
    cases: Iterable[Mapping[str, Any]],
    backend: str = "compiled",
    on_error: str = "raise",
    failures: list[CaseFailure] | None = None,
) -> Iterator[Evaluation]:
    """Evaluate cases lazily. With ``on_error="collect"``, a bad case is appended to ``failures`` and skipped."""
    check_on_error(on_error)
    for index, case in enumerate(cases):
        try:
            yield evaluate_case(rules, case, backend)
        except CaseDataError as error:
            if on_error == "raise":
                raise
            if failures is not None:
                failures.append(CaseFailure(index, case_id_of(case), error))


def case_id_of(case: Any) -> Any:
    """The id a case gives itself, or None when it is not a JSON object."""
    if case.__class__ is CaseData:
        return case.id
    return case.get("id") if isinstance(case, Mapping) else None
