"""The keywords of the language, read from the grammar (so new grammar brings new keywords here)."""

from __future__ import annotations

import functools
import re

from carag_dsl.language.parser import lark_parser

_WORD = re.compile(r"[a-z_]+\Z")


@functools.lru_cache(maxsize=1)
def keyword_terminals() -> dict[str, str]:
    """Terminal name -> keyword, for every terminal of the grammar that is a fixed word (``APPLIES`` -> ``applies``)."""
    found = {}
    for terminal in lark_parser().terminals:
        pattern = terminal.pattern
        if pattern.type == "str" and _WORD.match(pattern.value):
            found[terminal.name] = pattern.value
    return found


def keywords() -> frozenset[str]:
    return frozenset(keyword_terminals().values())
