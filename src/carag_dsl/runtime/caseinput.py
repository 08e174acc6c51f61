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
import re
from typing import IO, Any, Callable, Iterable, Iterator

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
        raise CaseInputError(_bad_value(error).message) from None
    if _could_hold_trouble(text):
        _check_value(value)
    return value


#: Largest JSON array file read (it is read whole; JSON Lines are read a line at a time, without limit).
MAX_ARRAY_BYTES = 256 * 1024 * 1024


class _Problem:
    """What is wrong with one array element that the decoder refused but could step over (its end is found)."""

    def __init__(self, message: str):
        self.message = message


_TOO_DEEP = _Problem(f"arrays or objects are nested deeper than {MAX_NESTING} levels")
_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, position: int) -> int:
    return _SPACE.match(text, position).end()  # type: ignore[union-attr]


def _bad_value(error: ValueError) -> "_Problem":
    message = str(error)
    return _Problem("a number has too many digits" if "integer string conversion" in message else message)


def _element_end(text: str, position: int) -> int:
    """Where the element starting at ``position`` ends, found by counting brackets (strings skipped); -1 if it does not."""
    depth = 0
    for match in _ELEMENT_TOKENS.finditer(text, position):
        token = match.group()
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
            if depth == 0:
                return match.end()
            if depth < 0:
                return match.start()
        elif token == "," and depth == 0:
            return match.start()
    return -1


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_ELEMENT_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')


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


#: The decoder of :func:`decode_case`'s checks, for the elements of a JSON array.
_ARRAY_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, parse_float=_finite_float, object_pairs_hook=_object)


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


def iter_json_array(stream: IO[bytes], limit: int = MAX_ARRAY_BYTES) -> Iterator[tuple[int, Any, str | None]]:
    """(element number, case, None) or (element number, None, what is wrong) for each element of a JSON array.

    For a ``.json`` file holding ``[{...}, {...}]`` (what many tools export): the file is read whole (at most
    ``limit`` bytes), and each element is decoded and checked as one line of JSON Lines is, so a bad element
    is its own error and the others are read. Elements are numbered from 1. A break in the array itself
    (a missing comma, the file cut short) cannot be stepped over: it is the error of the element it is in,
    and what follows is not read.
    """
    data = stream.read(limit + 1)
    if len(data) > limit:
        yield 1, None, f"the JSON array is larger than {limit:,} bytes, the most read at once; write the cases as JSON Lines (one per line) instead"
        return
    if data.startswith(BOM):
        data = data[len(BOM):]
    text = data.decode("utf-8", "surrogateescape")  # a byte that is not UTF-8 is the error of its element only
    decode = _ARRAY_DECODER.raw_decode
    position = _skip_space(text, 0)
    if not text.startswith("[", position):
        yield 1, None, "not a JSON array of cases"
        return
    position = _skip_space(text, position + 1)
    number = 0
    if text.startswith("]", position):
        if text[_skip_space(text, position + 1):]:
            yield 1, None, "not valid JSON: text after the end of the array"
        return
    while True:
        number += 1
        try:
            value, end = decode(text, position)
        except json.JSONDecodeError as error:
            yield number, None, f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}); the elements after it were not read"
            return
        except RecursionError:
            value, end = _TOO_DEEP, _element_end(text, position)
            if end < 0:
                yield number, None, f"arrays or objects are nested deeper than {MAX_NESTING} levels; the elements after it were not read"
                return
        except ValueError as error:
            value, end = _bad_value(error), _element_end(text, position)
            if end < 0:
                yield number, None, f"{value.message}; the elements after it were not read"
                return
        bad_byte = _ESCAPED_BYTE.search(text, position, end)
        if bad_byte is not None:
            column = bad_byte.start() - text.rfind("\n", 0, bad_byte.start())
            yield number, None, (f"not UTF-8 text: byte 0x{ord(bad_byte.group()) - 0xDC00:02x} at line {text.count(chr(10), 0, bad_byte.start()) + 1}, "
                                 f"column {column} is not valid UTF-8 (save the file as UTF-8)")
        elif isinstance(value, _Problem):
            yield number, None, value.message
        else:
            try:
                if _could_hold_trouble(text[position:end]):
                    _check_value(value)
            except CaseInputError as error:
                yield number, None, str(error)
            else:
                yield number, value, None
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
            continue
        if text.startswith("]", position):
            if text[_skip_space(text, position + 1):]:
                yield number + 1, None, "not valid JSON: text after the end of the array"
            return
        line = text.count("\n", 0, position) + 1
        yield number + 1, None, f"not valid JSON: expected ',' or ']' after element {number} (line {line}); the rest of the file was not read"
        return


def iter_jsonl(lines: Iterable[bytes], fast: Callable[[bytes], Any] | None = None) -> Iterator[tuple[int, Any, str | None]]:
    """(line number, case, None) or (line number, None, what is wrong) for each non-blank line.

    ``lines`` are the lines of :func:`case_lines` (bytes, line break kept). Blank lines are skipped
    but counted, so the numbers are the file's line numbers. ``fast`` (the msgspec decoder of
    :mod:`.fastcase`) is tried first on each line: a case it gives comes out as it is (already
    checked); where it gives None, the line is decoded here, so every error is worded as without it.
    """
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        if fast is not None:
            case = fast(raw)
            if case is not None:
                yield number, case, None
                continue
        try:
            yield number, decode_case(raw), None
        except CaseInputError as error:
            yield number, None, str(error)
