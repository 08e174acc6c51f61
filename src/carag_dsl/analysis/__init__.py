"""Exact analysis of rule sets over their finite case space (shared by ``carag lint`` and ``carag diff``).

Usage::

    from carag_dsl.analysis import CaseSpace

    space = CaseSpace(rules)                         # or CaseSpace(old_rules, new_rules)
    never = space.status("2.3.01")["applies"] & space.case_type()["adjusted"]
    if never.is_empty: ...                           # 2.3.01 never applies to an adjusted case
    space.witness(region)                            # a case dict for `carag eval`, or None
    space.describe(region)                           # "sentence is licence and ..."

Needs the ``dd`` package (``pip install 'carag-dsl[analysis]'``).
"""

from carag_dsl.analysis.budget import DEFAULT_BUDGET, UNTIMED, Budget, BudgetExceeded
from carag_dsl.analysis.numeric import AnalysisUnsupported
from carag_dsl.analysis.space import STATUSES, CaseSpace, Region

__all__ = ["AnalysisUnsupported", "Budget", "BudgetExceeded", "CaseSpace", "DEFAULT_BUDGET", "Region", "STATUSES", "UNTIMED"]
