"""Tools for authors and testers: rule tests and coverage, fuzzing, Hypothesis strategies, the handbook,
the case JSON Schema, graph export.

Each works on a checked rule set with the run time and ratings below it. May
import :mod:`carag_dsl.rating` and below; never :mod:`carag_dsl.api` or the command line.
"""
