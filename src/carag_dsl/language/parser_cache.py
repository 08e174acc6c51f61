"""The Lark parser, kept between processes in a private per-user folder.

Building the LALR tables from the grammar costs ~0.15 s at every start; loading
them from disk ~0.02 s. Lark's own ``cache=True`` keeps them in the shared
temporary folder and unpickles whatever file it finds there, so another local
user who planted that file would run code as whoever runs ``carag``. This
module never reads a shared location: the tables live in the private per-user
folder of :mod:`.private_cache` (ours, mode 0700, a file read only when we own
it and nobody else can write it), shared with the parsed rule files
(:mod:`.ast_cache`) and the generated routing code
(:mod:`carag_dsl.compiler.rules_cache`). Anything else, or any failure, builds
the parser in memory as if there were no cache; ``CARAG_NO_CACHE=1`` too.
"""

from __future__ import annotations

import hashlib
import io
import sys
from typing import Any

import lark
from lark import Lark

from carag_dsl.language.private_cache import private_cache_folder, read_private, write_private


def lalr_parser(grammar: str, options: dict[str, Any]) -> Lark:
    """``Lark(grammar, **options)``, loaded from the private cache when a trusted copy is there."""
    folder = private_cache_folder()
    if folder is None:
        return Lark(grammar, **options)
    path = folder / f"parser-{_cache_key(grammar, options)}.lark"
    parser = _load(read_private(path))
    if parser is None:
        parser = Lark(grammar, **options)
        saved = io.BytesIO()
        parser.save(saved)
        write_private(folder, path, saved.getvalue())
    return parser


def _cache_key(grammar: str, options: dict[str, Any]) -> str:
    described = repr(sorted(options.items())) + lark.__version__ + repr(sys.version_info[:2])
    return hashlib.sha256((grammar + "\0" + described).encode("utf-8")).hexdigest()[:32]


def _load(data: bytes | None) -> Lark | None:
    if data is None:
        return None
    try:
        return Lark.load(io.BytesIO(data))
    except Exception:  # a truncated or stale file of our own: build afresh and overwrite it
        return None
