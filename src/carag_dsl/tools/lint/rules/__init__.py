"""The lint rules, one function each; importing this package registers them all."""

from carag_dsl.tools.lint.rules import applicability, conditions, consistency, derive, informed, labels, late, structure

__all__ = ["applicability", "conditions", "consistency", "derive", "informed", "labels", "late", "structure"]
