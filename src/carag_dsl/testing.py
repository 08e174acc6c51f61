"""Hypothesis strategies for carag rule sets (the public module testers import; see docs/testing.md).

The strategies live in :mod:`carag_dsl.tools.strategies`; this module is their
stable public name, and its :func:`rule_sets` gives public :class:`carag_dsl.RuleSet` objects.
"""

from __future__ import annotations

from hypothesis import strategies as st

from carag_dsl.api import RuleSet
from carag_dsl.tools import strategies as _strategies
from carag_dsl.tools.strategies import anchor_dates, boundary_days, cases, rule_set_modules, unchecked_cases

__all__ = ["cases", "unchecked_cases", "rule_sets", "rule_set_modules", "boundary_days", "anchor_dates"]


def rule_sets(every_routing: bool = False) -> st.SearchStrategy[tuple[str, RuleSet]]:
    """Small valid rule sets as ``(text, RuleSet)``: generated ASTs printed by the formatter, then compiled.

    ``every_routing`` adds ``exclude when`` rules and case types whose rules may give no type.
    """
    return _strategies.rule_sets(RuleSet, every_routing)
