"""Places in LSP terms: 0-based lines, and columns in UTF-16 code units as the protocol counts them.

The compiler counts columns in characters from 1 (:class:`~carag_dsl.source.Span`);
a character outside the Basic Multilingual Plane is two UTF-16 units, so columns are
converted with the line's text.
"""

from __future__ import annotations

from lsprotocol import types

from carag_dsl.source import Span


def utf16_column(line_text: str, column: int) -> int:
    """A 0-based character column as UTF-16 units."""
    prefix = line_text[:column]
    return column + sum(1 for char in prefix if ord(char) > 0xFFFF)


def character_column(line_text: str, units: int) -> int:
    """A UTF-16 column as a 0-based character column."""
    counted = 0
    for index, char in enumerate(line_text):
        if counted >= units:
            return index
        counted += 2 if ord(char) > 0xFFFF else 1
    return len(line_text)


class Lines:
    """One file's lines, to convert positions."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.split("\n")

    def line(self, number: int) -> str:
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def position(self, line: int, column: int) -> types.Position:
        """A 0-based line and character column as an LSP position."""
        return types.Position(line=max(line, 0), character=utf16_column(self.line(line), max(column, 0)))

    def range(self, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        return types.Range(start=self.position(line, column), end=self.position(end_line, end_column))

    def character(self, position: types.Position) -> int:
        """An LSP position's 0-based character column."""
        return character_column(self.line(position.line), position.character)

    def offset(self, position: types.Position) -> int:
        """An LSP position as an index into the text."""
        before = sum(len(line) + 1 for line in self.lines[: position.line])
        return min(before + self.character(position), len(self.text))

    def end(self) -> types.Position:
        return self.position(len(self.lines) - 1, len(self.lines[-1]))


def span_range(span: Span) -> types.Range:
    """A compiler span as an LSP range (a span with no place is the start of the file).

    The lines come from the source's own line table, built once per file: converting every diagnostic of a
    file costs the length of their lines, not the length of the file each time.
    """
    source = span.source
    if source is None or span.line < 1:
        return types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    end_line, end_column = (span.end_line, span.end_column) if span.end_line >= span.line else (span.line, span.column + 1)

    def position(line: int, column: int) -> types.Position:  # both from 1, as the compiler counts
        return types.Position(line=max(line - 1, 0), character=utf16_column(source.line(line), max(column - 1, 0)))

    return types.Range(start=position(span.line, span.column), end=position(end_line, end_column))
