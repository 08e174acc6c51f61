"""Helpers shared by the sub-commands: the RULES argument, reading case files, JSON output."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import IO, Any

from carag_dsl.errors import UsageError
from carag_dsl.runtime.caseinput import BOM, MAX_LINE_BYTES, CaseInputError, decode_case
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


def read_json_case(path: str) -> Any:
    """One case from a JSON file, or from standard input when the path is '-', decoded as ``--cases`` decodes a
    line (:func:`~carag_dsl.runtime.caseinput.decode_case`): bad data is a CaseInputError naming the file (exit 1)."""
    try:
        if path == "-":
            data = _standard_input().read(MAX_LINE_BYTES + 1)
        else:
            with open(path, "rb") as file:
                data = file.read(MAX_LINE_BYTES + 1)
    except OSError as error:
        raise UsageError(f"cannot read case file {path}: {error.strerror}") from None
    if data.startswith(BOM):
        data = data[len(BOM):]
    try:
        return decode_case(data)
    except CaseInputError as error:
        raise CaseInputError(f"{path}: {error}") from None


def open_input(path: str) -> IO[bytes]:
    """A cases file (standard input for '-') as bytes: its lines are decoded one by one (``runtime.caseinput``)."""
    if path == "-":
        return _standard_input()
    try:
        return open(path, "rb")
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None


def _standard_input() -> IO[bytes]:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer  # type: ignore[no-any-return]
    return io.BytesIO(sys.stdin.read().encode("utf-8", "surrogateescape"))  # a text stream put in its place (tests)


def report_bad_line(where: str, wrong: str) -> None:
    """``FILE:LINE: error: what is wrong`` on standard error (``where`` is ``FILE:LINE``), control characters escaped."""
    print(printable(f"{where}: error: {wrong}"), file=sys.stderr)


def dump_json(data: Any, stream: IO[str] | None = None, indent: int | None = 2) -> None:
    stream = stream or sys.stdout  # looked up at call time, so redirection works
    json.dump(data, stream, indent=indent, ensure_ascii=False)
    stream.write("\n")


def write_report(text: str, output: str | None, what: str) -> None:
    """A report to standard output, or to the file ``--output`` names; a file that cannot be written is a usage error."""
    if output is None:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {what} to {output}: {error.strerror}") from None


_CONTROL_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}


def printable(text: str) -> str:
    """``text`` with control characters (but newline and tab) written as ``\\xNN``: case data never drives the terminal."""
    return text.translate(_CONTROL_ESCAPES)
