"""Source files and spans: where a piece of a rule file came from."""

from __future__ import annotations

from pathlib import Path

import attrs


@attrs.frozen
class Source:
    """The text of one rule file, kept so diagnostics can quote it."""

    path: str
    text: str = attrs.field(repr=False)

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""

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
        """The source line and a caret under the span (up to the end of the line)."""
        if self.source is None:
            return []
        text = self.source.line(self.line)
        if not text:
            return []
        width = (self.end_column - self.column) if self.end_line == self.line else len(text) - self.column + 1
        gutter = f"{self.line:>4} | "
        caret = " " * (len(gutter) + self.column - 1) + "^" + "~" * max(0, width - 1)
        return [gutter + text, caret]

    def one_line(self) -> str:
        """The text the span covers with its line breaks and runs of spaces folded: a rule quoted in a message."""
        return " ".join(self.source_text().split())

    def source_text(self) -> str:
        """The exact text the span covers (for quoting a rule in explanations)."""
        if self.source is None:
            return ""
        lines = self.source.text.splitlines()[self.line - 1 : self.end_line]
        if not lines:
            return ""
        if len(lines) == 1:
            return lines[0][self.column - 1 : self.end_column - 1]
        lines[0] = lines[0][self.column - 1 :]
        lines[-1] = lines[-1][: self.end_column - 1]
        return "\n".join(lines)


NOWHERE = Span(None, 0, 0, 0, 0)
