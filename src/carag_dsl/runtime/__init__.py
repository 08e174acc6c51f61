"""The run time: case data, three-valued logic, the reference evaluator, the compiled back end, results, explanations.

Third stage: evaluates cases against a checked rule set. May import
:mod:`carag_dsl.compiler` and below; never ratings, tools or the command line.
"""
