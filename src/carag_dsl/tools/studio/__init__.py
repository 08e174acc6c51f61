"""``carag studio``: the rules, a case and the checks in one static web page that runs carag itself.

:func:`~.site.build_studio` writes the folder: the page bundled from the npm
project in ``studio/`` (:mod:`.frontend`), Pyodide's runtime from its npm
package, carag's package and the wheels of its pure-Python dependencies
(:mod:`.python_files`), the rule set and the colours of its grammar.
:mod:`.serve` serves a folder on 127.0.0.1. What runs in the page is
:mod:`carag_dsl.studio.session`.
"""
