"""A parsed rule file as plain JSON data, and back: how the parse cache stores a module without pickles.

Every AST class is a frozen attrs class whose fields hold strings, numbers,
booleans, None, dates, tuples, other nodes and spans. A node is written as a
list that starts with its class name, followed by its fields in declaration
order; a tuple as ``["(", ...]``, a list as ``["[", ...]``, a date as
``["date", "YYYY-MM-DD"]`` and a span as ``["span", line, column, end_line,
end_column]`` (a span of no file, as ``NOWHERE``, as ``["nowhere", ...]``).
Spans point into the module's own file; its path and text are given when the
module is read back (the path a file is shown by depends on the working folder).

Reading builds only AST classes named in the data and the plain values above,
nothing else: a cache file altered by hand can at worst give a wrong tree, and
the cache checks what it stores (see :mod:`.ast_cache`).
"""

from __future__ import annotations

import datetime
from typing import Any

import attrs

from carag_dsl.language import ast
from carag_dsl.source import Source, Span


class NotEncodable(ValueError):
    """A value the codec does not know (the module is then not cached)."""


#: Class name -> (class, names of its fields in order); every attrs class of the AST but Module.
_CLASSES: dict[str, tuple[type, tuple[str, ...]]] = {
    name: (cls, tuple(field.name for field in attrs.fields(cls)))
    for name, cls in vars(ast).items()
    if isinstance(cls, type) and attrs.has(cls) and cls.__module__ == ast.__name__ and cls is not ast.Module
}
_SCALARS = (str, int, float, bool, type(None))


def encode_module(module: ast.Module) -> list:
    """``[items, comments]`` of a module as JSON data; NotEncodable when it holds anything else."""
    source = _module_source(module)
    return [[_encode(item, source) for item in module.items], [[c.text, c.line] for c in module.comments]]


def decode_module(data: Any, path: str, text: str) -> ast.Module:
    """The module ``encode_module`` wrote, with its spans in a file ``path`` whose text is ``text``.

    Raises ValueError (or TypeError, KeyError, IndexError) when the data is not what ``encode_module`` writes.
    """
    source = Source(path, text)
    items, comments = data
    return ast.Module(
        tuple(_decode(item, source) for item in items),
        tuple(ast.Comment(str(c_text), int(line)) for c_text, line in comments),
        path, text,
    )


def _module_source(module: ast.Module) -> Source | None:
    for item in module.items:
        span = getattr(item, "span", None)
        if isinstance(span, Span) and span.source is not None:
            return span.source
    return None


def _encode(value: Any, source: Source | None) -> Any:
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Span):
        if value.source is None:
            return ["nowhere", value.line, value.column, value.end_line, value.end_column]
        if value.source is not source:
            raise NotEncodable("a span of another file")
        return ["span", value.line, value.column, value.end_line, value.end_column]
    if isinstance(value, tuple):
        return ["(", *(_encode(v, source) for v in value)]
    if isinstance(value, list):
        return ["[", *(_encode(v, source) for v in value)]
    if type(value) is datetime.date:
        return ["date", value.isoformat()]
    name = type(value).__name__
    if name in _CLASSES and _CLASSES[name][0] is type(value):
        return [name, *(_encode(getattr(value, field), source) for field in _CLASSES[name][1])]
    raise NotEncodable(f"a {name} in the tree")


def _decode(value: Any, source: Source) -> Any:
    if not isinstance(value, list):
        if isinstance(value, _SCALARS):
            return value
        raise ValueError(f"unexpected {type(value).__name__}")
    tag = value[0]
    if tag == "span":
        return Span(source, *_ints(value[1:]))
    if tag == "(":
        return tuple(_decode(v, source) for v in value[1:])
    if tag == "[":
        return [_decode(v, source) for v in value[1:]]
    if tag == "nowhere":
        return Span(None, *_ints(value[1:]))
    if tag == "date":
        return datetime.date.fromisoformat(value[1])
    cls, fields = _CLASSES[tag]
    if len(value) != len(fields) + 1:
        raise ValueError(f"{tag} with {len(value) - 1} fields")
    node: Any = object.__new__(cls)
    for field, field_value in zip(fields, value[1:]):
        object.__setattr__(node, field, _decode(field_value, source))  # frozen: set once, as attrs' __init__ does
    return node


def _ints(values: list) -> list[int]:
    # Unrolled (a span per node: a generator here was a third of reading a cached module).
    if len(values) != 4 or type(values[0]) is not int or type(values[1]) is not int or type(values[2]) is not int or type(values[3]) is not int:
        raise ValueError("a span is four whole numbers")
    return values
