"""Source files and spans: where a piece of a rule file came from."""

from __future__ import annotations

import bisect

from pathlib import Path

import attrs


#: Longest piece of a source line quoted under a diagnostic; a longer line is shown around the place.
EXCERPT_WIDTH = 160
#: Control characters (but tab) shown as U+FFFD in quoted lines: one column each, so carets still line up.
_CONTROL_CHARACTERS = {code: "\ufffd" for code in (*range(0x00, 0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0))}


@attrs.frozen
class Source:
    """The text of one rule file, kept so diagnostics can quote it.

    Lines are counted at ``\n`` only, as Lark counts them (``str.splitlines``
    would also break at form feeds, U+2028 and other characters and quote the
    wrong line). Where each line starts is worked out once, on first use, so
    quoting many places of a big file costs no more than reading it.
    """

    path: str
    text: str = attrs.field(repr=False)
    _starts: list[int] = attrs.field(init=False, factory=list, eq=False, repr=False)

    def _line_starts(self) -> list[int]:
        if not self._starts:
            starts, find, at = [0], self.text.find, self.text.find("\n")
            while at != -1:
                starts.append(at + 1)
                at = find("\n", at + 1)
            self._starts.extend(starts)
        return self._starts

    def line_count(self) -> int:
        return len(self._line_starts())

    def line(self, number: int) -> str:
        """Line ``number`` (from 1) without its line break; "" past the end."""
        starts = self._line_starts()
        if not 0 < number <= len(starts):
            return ""
        end = starts[number] - 1 if number < len(starts) else len(self.text)
        text = self.text[starts[number - 1] : end]
        return text[:-1] if text.endswith("\r") else text

    def offset(self, line: int, column: int) -> int:
        """The index in ``text`` of a line and column (both from 1), kept within the text."""
        starts = self._line_starts()
        line = min(max(line, 1), len(starts))
        return min(starts[line - 1] + max(column, 1) - 1, len(self.text))

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both from 1, of the index ``offset`` in ``text`` (found by bisection in the line table)."""
        starts = self._line_starts()
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def end_position(self) -> tuple[int, int]:
        """(line, column) just after the last character, before a final line break: where "the file ends" is reported."""
        count = self.line_count()
        if count > 1 and self.text.endswith("\n"):
            count -= 1
        return count, len(self.line(count)) + 1

    @classmethod
    def read(cls, path: Path) -> "Source":
        return cls(str(path), path.read_text(encoding="utf-8"))


@attrs.frozen(eq=False)
class Span:
    """A region of a source file; lines and columns count from 1.

    Spans never take part in equality of AST nodes (``eq=False`` here and
    ``eq=False`` on every ``span`` field), so a formatted and re-parsed rule set
    compares equal to the original.
    """

    source: Source | None
    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def path(self) -> str:
        return self.source.path if self.source else "<unknown>"

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.column)

    def excerpt(self) -> list[str]:
        """The source line and a caret under the span (up to the end of the line).

        A line longer than :data:`EXCERPT_WIDTH` is cut to a window around the
        span, so a huge line (or a huge value) is never echoed whole.
        """
        if self.source is None:
            return []
        text = self.source.line(self.line)
        if not text:
            return []
        column = self.column
        width = (self.end_column - self.column) if self.end_line == self.line else len(text) - self.column + 1
        text = text.translate(_CONTROL_CHARACTERS)  # never send a NUL or a terminal escape code to a terminal
        if len(text) > EXCERPT_WIDTH:
            start = max(0, min(column - 1 - EXCERPT_WIDTH // 4, len(text) - EXCERPT_WIDTH))
            shown = text[start : start + EXCERPT_WIDTH]
            prefix = "…" if start else ""
            text = prefix + shown + ("…" if start + EXCERPT_WIDTH < len(text) else "")
            column = column - start + len(prefix)
            width = min(width, EXCERPT_WIDTH - (column - 1 - len(prefix)))
        gutter = f"{self.line:>4} | "
        caret = " " * (len(gutter) + column - 1) + "^" + "~" * max(0, width - 1)
        return [gutter + text, caret]

    def one_line(self) -> str:
        """The text the span covers with its line breaks and runs of spaces folded: a rule quoted in a message."""
        return " ".join(self.source_text().split())

    def source_text(self) -> str:
        """The exact text the span covers (for quoting a rule in explanations)."""
        if self.source is None:
            return ""
        start = self.source.offset(self.line, self.column)
        return self.source.text[start : max(start, self.source.offset(self.end_line, self.end_column))]


NOWHERE = Span(None, 0, 0, 0, 0)
