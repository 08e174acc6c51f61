"""``carag diff``: what a change to the rules does to routing, judgements and ratings (docs/diff.md).

:func:`diff_rules` compares two checked rule sets and returns a :class:`RuleDiff`
(``to_dict()`` is the JSON of ``carag diff --format json``); the formatters in
:mod:`.render` and :mod:`.render_html` write it for people.
"""

from carag_dsl.tools.diff.compare import RuleDiff, diff_rules

__all__ = ["RuleDiff", "diff_rules"]
