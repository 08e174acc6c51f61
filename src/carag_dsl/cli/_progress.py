"""A one-line progress bar on standard error for commands that read long files of cases."""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Iterable, Iterator


class Progress:
    """A one-line progress bar on standard error, for long inputs read from a file by a person at a terminal.

    It stays silent for the first second, so short runs never show it.
    """

    WIDTH = 30

    def __init__(self, total_bytes: int, verb: str, stream: IO[str] | None = None, counting: bool = False):
        self.counting_only = counting  # no bar: the total is not known
        self.total = max(total_bytes, 1)
        self.verb = verb
        self.stream = stream or sys.stderr
        self.read = 0
        self.cases = 0
        self.started = time.monotonic()
        self.last_drawn = 0.0
        self.shown = False

    @classmethod
    def for_input(cls, path: str, verb: str, streams_results: bool = False) -> "Progress | None":
        """A bar for reading ``path``, or None when nobody would see it: standard error is not a
        terminal, the input is standard input, or results stream to the terminal while reading
        (``streams_results``), where the bar would garble them."""
        if path == "-" or not sys.stderr.isatty() or (streams_results and sys.stdout.isatty()):
            return None
        try:
            return cls(os.path.getsize(path), verb)
        except OSError:
            return None

    @classmethod
    def counting(cls, verb: str) -> "Progress | None":
        """A count of cases for work whose length is not known in advance (``carag fuzz``), or None
        when standard error is not a terminal."""
        if not sys.stderr.isatty():
            return None
        return cls(0, verb, counting=True)

    def track(self, lines: Iterable[bytes]) -> Iterator[bytes]:
        """The lines of the input (bytes, as read), counted as they pass."""
        for line in lines:
            self.read += len(line)
            yield line

    def tick(self, cases: int = 1) -> None:
        self.cases += cases
        now = time.monotonic()
        if now - self.started < 1.0 or now - self.last_drawn < 0.2:
            return
        self.last_drawn = now
        if self.counting_only:
            self.stream.write(f"\r{self.verb}: {self.cases} cases tried")
            self.stream.flush()
            self.shown = True
            return
        share = min(self.read / self.total, 1.0)
        filled = int(share * self.WIDTH)
        self.stream.write(f"\r{self.verb} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%}  {self.cases} cases")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * (self.WIDTH + 40) + "\r")
            self.stream.flush()
            self.shown = False
