"""The compiler: symbols, types and type checking, the dependency graph, lowering to Python, the checked rule set.

Second stage: takes parsed modules from :mod:`carag_dsl.language` and builds a
:class:`~carag_dsl.compiler.ruleset.CheckedRules`, or raises a RuleError with
every diagnostic. May import :mod:`carag_dsl.language`, errors and source;
never the run time, ratings or tools (they receive what it builds).
"""
