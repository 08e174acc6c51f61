"""The embedding API: :class:`RuleSet` with ``evaluate``, ``evaluate_many`` and ``rate``, and ``load``.

This module sits above every layer (beside the command line): the compiler
builds a :class:`~carag_dsl.compiler.ruleset.CheckedRules`, and ``RuleSet``
adds the methods that evaluate and rate cases with the run-time and rating
layers, so those layers never import the class that calls them.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from carag_dsl.compiler.ruleset import CheckedRules, Question, compile_path, compile_text
from carag_dsl.rating import MAX_GROUPS
from carag_dsl.runtime.compiled import CompiledRules
from carag_dsl.runtime.evaluate import BACKENDS, Backend, CaseFailure, OnError, compiled_rules, evaluate_case, evaluate_stream
from carag_dsl.runtime.evaluation import Evaluation

if TYPE_CHECKING:
    from carag_dsl.rating.tally import Rating

__all__ = ["BACKENDS", "CaseFailure", "Question", "Rating", "RuleSet", "load", "loads"]


def __getattr__(name: str) -> Any:
    """``Rating``, imported on first use: the tally (and what it imports) is not needed to evaluate a case,
    and ``import carag_dsl`` stays light (tests/test_light_start.py)."""
    if name != "Rating":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from carag_dsl.rating.tally import Rating

    return Rating


class RuleSet(CheckedRules):
    """A checked rule set, ready to evaluate cases. Immutable: load it once and reuse it.

    Build one with :func:`carag_dsl.load`. ``questions`` maps every question id to
    a read-only :class:`Question` in document order; ``graph`` is the (frozen)
    dependency graph.
    """

    __slots__ = ()

    @property
    def compiled(self) -> CompiledRules:
        """The rules compiled to a Python function (built on first use, then kept); ``compiled.source`` shows it."""
        return compiled_rules(self)

    def evaluate(self, case: Mapping[str, Any], backend: Backend = "compiled") -> Evaluation:
        """Evaluate one case (``{"id", "facts", "answers"}``). Raises CaseDataError for bad data.

        ``backend="compiled"`` (the default) runs the generated Python function;
        ``backend="reference"`` runs the tree-walking evaluator that defines the
        semantics. Both give the same results and errors.
        """
        return evaluate_case(self, case, backend)

    def evaluate_many(
        self,
        cases: Iterable[Mapping[str, Any]],
        backend: Backend = "compiled",
        on_error: OnError = "raise",
        failures: list[CaseFailure] | None = None,
    ) -> Iterator[Evaluation]:
        """Evaluate cases one by one, lazily (constant memory over any number of cases).

        ``on_error="raise"`` (the default) stops at the first case with bad data;
        ``on_error="collect"`` leaves such a case out and, when ``failures`` is a
        list, appends a :class:`CaseFailure` (index, id, error) to it.
        """
        return evaluate_stream(self, cases, backend, on_error, failures)

    def rate(self, cases: Iterable[Mapping[str, Any]], by: str | Sequence[str] | None = None, on_error: OnError = "raise",
             max_groups: int | None = MAX_GROUPS, date: datetime.date | None = None,
             questions: str | Sequence[str] | None = None, model: str | None = None) -> Rating:
        """Rate a sample of cases: per key question the share judged 'yes' and its band, per standard its band.

        Streams ``cases`` in constant memory. ``by`` (a fact, a defined name,
        ``case_type`` or a question id) also breaks every figure down by that
        value. ``Rating.to_dict()`` gives the JSON shape documented in
        docs/ratings.md. Raises UsageError for an unknown ``by``; a case with bad
        data raises CaseDataError, or with ``on_error="collect"`` is left out and
        listed in ``Rating.failures``. More than ``max_groups`` values of ``by``
        raise UsageError (``None`` lifts the cap). The rating names these rules and carries ``date`` (today
        when not given, or the day of ``SOURCE_DATE_EPOCH`` when that is set). ``by`` may list several names (the
        groups of each, and the combinations a model is fitted on); ``questions`` is ``"key"`` (the default),
        ``"all"`` or question ids; ``model="logistic"`` fits a binary logistic regression per question on the
        ``by`` characteristics (docs/ratings.md).
        """
        from carag_dsl.rating.tally import rate

        return rate(self, cases, by, on_error, max_groups, date, questions, model)


def load(path: str | Path | None = None) -> RuleSet:
    """Compile a .carag file or a folder of them; ``None`` loads the bundled CARaG V1.1 rule set."""
    return compile_path(path, RuleSet)


def loads(text: str, path: str = "<string>") -> RuleSet:
    """Compile a rule set given as text (one file, no includes)."""
    return compile_text(text, RuleSet, path)
