"""The language: the grammar, parsing text to the AST, finding a rule set's files, and formatting.

First stage of the pipeline. May import only :mod:`carag_dsl.errors` and
:mod:`carag_dsl.source` (and lark). Knows nothing of types, graphs or cases.
"""
