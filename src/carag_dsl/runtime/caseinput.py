"""Reading bulk case data safely: bytes in, one case (or one located problem) per line out.

Every command that reads many cases (``carag eval --cases``, ``carag rate``,
``carag diff --cases``) and the single-case ``--case`` read through here, so a
hostile or broken line is reported in the same words everywhere and never
stops the run:

* :func:`case_lines` splits a binary stream at ``\\n`` only (the line numbers
  people and Lark count; U+2028, form feeds and NEL stay inside a line) and
  never holds more than :data:`MAX_LINE_BYTES` of one line in memory;
* :func:`decode_case` turns the bytes of one JSON document into a value, or
  raises :class:`CaseInputError` saying what is wrong: bad UTF-8 (with the
  byte's column), not JSON, a line past :data:`MAX_LINE_BYTES`, nesting past
  :data:`MAX_NESTING`, ``NaN``/``Infinity`` or a number too large for JSON
  output, a lone surrogate escape (``"\\ud800"``), a key given twice;
* :func:`iter_jsonl` numbers the lines of a JSON Lines stream and gives
  ``(line number, case, None)`` or ``(line number, None, what is wrong)``;
* :func:`decode_text_line` is the UTF-8 part alone, for CSV rows.

The checks cost little on good data: the hooks of :func:`json.loads` run only
for ``NaN``-like constants, decimals and objects, and the walk for nesting and
surrogates runs only on lines that could hold them.
"""

from __future__ import annotations

import json
import math
from typing import IO, Any, Iterable, Iterator

from carag_dsl.errors import CaragError

#: Longest line (or ``--case`` file) read, in bytes: a case with every CARaG question answered is ~3 kB.
MAX_LINE_BYTES = 1024 * 1024
#: Deepest nesting of arrays and objects in a case (a case needs 3: case, answers, a multi-choice list).
MAX_NESTING = 20
#: The UTF-8 byte order mark some editors and spreadsheets put at the start of a file.
BOM = b"\xef\xbb\xbf"


class CaseInputError(CaragError):
    """One line (or file) of case data that is not a case; the message says what is wrong, without the place."""


def case_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of a binary stream, split at ``\\n`` (kept), each cut to at most ``limit + 1`` bytes.

    A longer line is cut and the rest of it skipped, so a 100 MB line costs no memory; the decoders
    see the cut line is longer than ``limit`` and say so. A UTF-8 byte order mark at the start is dropped.
    """
    readline = stream.readline
    first = True
    while True:
        line = readline(limit + 1)
        if not line:
            return
        if first:
            first = False
            if line.startswith(BOM):
                line = line[len(BOM):]
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # skip the rest of the over-long line
                rest = readline(1 << 16)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line


def _content(raw: bytes, limit: int) -> bytes:
    """The line without its line break; CaseInputError when it is longer than ``limit``."""
    if raw.endswith(b"\n"):
        raw = raw[:-1]
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if len(raw) > limit:
        raise CaseInputError(f"the line is longer than {limit:,} bytes, the most a case may take")
    return raw


def decode_text_line(raw: bytes, limit: int = MAX_LINE_BYTES) -> str:
    """One line as text (without its line break); CaseInputError for bad UTF-8 or a line too long."""
    content = _content(raw, limit)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        column = len(content[: error.start].decode("utf-8", "replace")) + 1
        raise CaseInputError(f"not UTF-8 text: byte 0x{content[error.start]:02x} at column {column} is not valid UTF-8 (save the file as UTF-8)") from None


def decode_case(raw: bytes, limit: int = MAX_LINE_BYTES) -> Any:
    """The JSON value of one line (or one ``--case`` file); CaseInputError says what is wrong."""
    text = decode_text_line(raw, limit)
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float, object_pairs_hook=_object)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}" if "\n" in text else f"column {error.colno}"
        raise CaseInputError(f"not valid JSON: {error.msg} ({where})") from None
    except RecursionError:
        raise CaseInputError(f"arrays or objects are nested deeper than {MAX_NESTING} levels") from None
    except ValueError as error:  # from the hooks, or a number of thousands of digits
        message = str(error)
        if "integer string conversion" in message:
            message = "a number has too many digits"
        raise CaseInputError(message) from None
    if _could_hold_trouble(text):
        _check_value(value)
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (NaN and Infinity cannot be case data)")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {_shown(text)} is too large to be a JSON number")
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise ValueError(f"the key {_shown(twice)} is given twice in one object; give each key once")
    return value


def _could_hold_trouble(text: str) -> bool:
    """Whether the walk of :func:`_check_value` can find anything (cheap tests on the text)."""
    return text.count("[") + text.count("{") > MAX_NESTING or "\\u" in text


def _check_value(value: Any) -> None:
    """Nesting and lone surrogates, found without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > MAX_NESTING:
                raise CaseInputError(f"arrays or objects are nested deeper than {MAX_NESTING} levels")
            children = list(item.items()) if isinstance(item, dict) else item
            for child in children:
                if isinstance(child, tuple):  # a key and its value
                    _check_text(child[0])
                    stack.append((child[1], depth + 1))
                else:
                    stack.append((child, depth + 1))
        elif isinstance(item, str):
            _check_text(item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise CaseInputError(f"a string holds a lone surrogate (\\u{ord(text[error.start]):04x}), which is not text") from None


def _shown(value: Any, width: int = 80) -> str:
    """A value quoted for a message: repr, cut to ``width`` characters."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def iter_jsonl(lines: Iterable[bytes]) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, case, None) or (line number, None, what is wrong) for each non-blank line.

    ``lines`` are the lines of :func:`case_lines` (bytes, line break kept). Blank lines are skipped
    but counted, so the numbers are the file's line numbers.
    """
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            yield number, decode_case(raw), None
        except CaseInputError as error:
            yield number, None, str(error)
