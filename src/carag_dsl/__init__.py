"""carag-dsl: the Case Assessment Rules and Guidance of HM Inspectorate of Probation as executable rules.

The public API::

    import carag_dsl
    rules = carag_dsl.load()                 # the bundled CARaG V1.1
    result = rules.evaluate({"id": "c1", "facts": {...}, "answers": {...}})
    result.to_dict()                         # statuses, values, case type, warnings
    print(result.explain("2.3.01"))          # why it applies, does not, or is pending
"""

from .errors import CaragError, CaseDataError, CaseProblem, Diagnostic, RuleError, UsageError
from .evaluation import Evaluation, QuestionResult
from .ruleset import Question, RuleSet, load, loads

__all__ = [
    "CaragError",
    "CaseDataError",
    "CaseProblem",
    "Diagnostic",
    "Evaluation",
    "Question",
    "QuestionResult",
    "RuleError",
    "RuleSet",
    "UsageError",
    "load",
    "loads",
]

__version__ = "0.1.0"
