"""Helpers shared by the sub-commands: the RULES argument, reading case files, JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

from carag_dsl.errors import CaragError, UsageError
from carag_dsl.api import RuleSet, load
from carag_dsl.language.loader import choose_rules
from carag_dsl.tools.which_rules import announce

RULES_DEFAULT = ("the rule set of the working directory (a questions/ folder or a root .carag file, "
                 "looked for here and in the folders above), else the bundled CARaG V1.1")


def add_rules_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rules", nargs="?", metavar="RULES", help=f"a .carag file or folder (default: {RULES_DEFAULT})")


def load_rules(args: argparse.Namespace, say: IO[str] | None = None) -> RuleSet:
    """The rule set named by ``args.rules`` (or found, see :func:`choose_rules`), announced on ``say``
    (standard error unless given: standard output is data for many commands)."""
    choice = choose_rules(args.rules)
    ruleset = load(choice.path)
    announce(ruleset, choice, say)
    return ruleset


class BadLine(CaragError):
    """A line of a JSON Lines file that is not a case: not JSON, or not a JSON object."""


def read_json_case(path: str) -> Any:
    """One case from a JSON file, or from standard input when the path is '-'."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read case file {path}: {error.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}") from None


def iter_jsonl(stream: Iterable[str]) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, case, None) or (line number, None, what is wrong) for each non-blank line."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), None
        except json.JSONDecodeError as error:
            yield number, None, f"not valid JSON ({error.msg} at column {error.colno})"


def open_input(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None


def dump_json(data: Any, stream: IO[str] | None = None, indent: int | None = 2) -> None:
    stream = stream or sys.stdout  # looked up at call time, so redirection works
    json.dump(data, stream, indent=indent, ensure_ascii=False)
    stream.write("\n")


_CONTROL_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}


def printable(text: str) -> str:
    """``text`` with control characters (but newline and tab) written as ``\\xNN``: case data never drives the terminal."""
    return text.translate(_CONTROL_ESCAPES)
