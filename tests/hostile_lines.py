"""Case lines a hostile or broken file may hold (issue 11), each with words its located error must contain.

One list for the decoder's tests, the commands' tests and the engine-agreement tests, so a new kind of
hostile line is tried everywhere at once.
"""

from carag_dsl.runtime.caseinput import MAX_LINE_BYTES, MAX_NESTING

HOSTILE_LINES = [
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"id": "\\ud800"}', "lone surrogate"),
    (b'{"id": ' + b"9" * 5000 + b"}", "too many digits"),
    (b"[" * 100_000 + b"]" * 100_000, f"nested deeper than {MAX_NESTING}"),
    (b'{"id": NaN}', "NaN"),
    (b'{"id": Infinity}', "Infinity"),
    (b'{"id": 1e999}', "too large to be a JSON number"),
    (b'{"id": 1, "id": 2}', "given twice"),
    (b'{"id": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}', "longer than"),
    (b'{"id": 1,}', "not valid JSON"),
]
