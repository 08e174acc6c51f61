"""The studio's Python side, run in the browser by Pyodide (``carag studio`` builds the page).

The top layer: it calls the language server's functions and the command line
itself, so what the page shows is what ``carag check``, ``carag test``,
``carag lint`` and ``carag diff`` show. The page and its build are in
:mod:`carag_dsl.tools.studio`.
"""
