"""Formatting: ``carag fmt``'s canonical layout, sent as edits of the lines that change."""

from __future__ import annotations

import difflib

from lsprotocol import types

from carag_dsl.language import ast
from carag_dsl.language.formatter import format_module
from carag_dsl.lsp.positions import Lines


def format_edits(text: str, module: ast.Module) -> list[types.TextEdit]:
    """The edits that turn ``text`` (which parsed to ``module``) into its formatted text; none when it is formatted."""
    formatted = format_module(module)
    if formatted == text:
        return []
    old, new = text.splitlines(keepends=True), formatted.splitlines(keepends=True)
    lines = Lines(text)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        start = types.Position(line=i1, character=0)
        end = types.Position(line=i2, character=0) if i2 < len(old) or text.endswith("\n") else lines.end()
        edits.append(types.TextEdit(range=types.Range(start=start, end=end), new_text="".join(new[j1:j2])))
    return edits
