"""carag-dsl: the Case Assessment Rules and Guidance of HM Inspectorate of Probation as executable rules.

The public API::

    import carag_dsl
    rules = carag_dsl.load()                 # the bundled CARaG V1.1
    result = rules.evaluate({"id": "c1", "facts": {...}, "answers": {...}})
    result.to_dict()                         # statuses, values, case type, warnings
    print(result.explain("2.3.01"))          # why it applies, does not, or is pending
    rules.rate(cases).to_dict()              # ratings over a sample

The package is layered one way (see docs/architecture.md): ``language`` (parse)
<- ``compiler`` (check, lower) <- ``runtime`` (evaluate) <- ``rating`` <-
``tools`` <- ``api`` and ``cli``.
"""

from typing import TYPE_CHECKING, Any

from carag_dsl.api import CaseFailure, RuleSet, load, loads
from carag_dsl.compiler.ruleset import Question
from carag_dsl.errors import CaragError, CaseDataError, CaseProblem, Diagnostic, RuleError, UsageError
from carag_dsl.runtime.evaluation import Evaluation, QuestionResult

if TYPE_CHECKING:
    from carag_dsl.rating.tally import Rating

__all__ = [
    "CaragError",
    "CaseDataError",
    "CaseFailure",
    "CaseProblem",
    "Diagnostic",
    "Evaluation",
    "Question",
    "QuestionResult",
    "Rating",
    "RuleError",
    "RuleSet",
    "UsageError",
    "__version__",
    "load",
    "loads",
]


__version__: str  # declared for type checkers; set by __getattr__ below on first use


def __getattr__(name: str) -> Any:
    """``__version__``, read from the package metadata (pyproject.toml) on first use: importlib.metadata
    takes longer to import than evaluating a case, so ``carag eval`` does not import it. ``Rating`` likewise,
    from the tally (which evaluating a case does not need)."""
    if name == "Rating":
        from carag_dsl.rating.tally import Rating

        return Rating
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    global __version__
    try:
        __version__ = version("carag-dsl")
    except PackageNotFoundError:  # running from a source tree that was never installed
        __version__ = "0+unknown"
    return __version__
