"""Parsed rule files kept between processes, keyed by the hash of their text (as Jinja2's bytecode cache).

Parsing is most of the time ``carag eval --case`` takes to start (0.1 s for
the CARaG; reading the tree back from JSON takes 3 ms). :func:`parse_cached`
has :func:`~.parser.parse_partial`'s signature: the loader calls it for each
file, so finding the root, following includes and refusing files outside the
rule set work exactly as without the cache.

An entry is ``ast-HASH.json`` in the private per-user cache folder
(:mod:`.private_cache`: ours, mode 0700, files only we can write), where
HASH covers the file's text and :func:`code_fingerprint` (the code that reads
and checks rule files), so editing a rule file or upgrading carag-dsl never
reads a stale tree. It holds JSON data (:mod:`.ast_json`), never a pickle, and
the file's hash again; an entry that is not ours, not private, not JSON, not
for this text or not a tree is ignored and written afresh. Only files that
parsed without a diagnostic are kept (errors are reported by parsing again).
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from carag_dsl.errors import Diagnostic
from carag_dsl.language import ast
from carag_dsl.language.ast_json import NotEncodable, decode_module, encode_module
from carag_dsl.language.private_cache import private_cache_folder, read_entry, write_entry
from carag_dsl.language.resources import grammar_path

#: The packages whose code decides what a cached entry holds (the tree, the checks, the generated code).
_CODE_FOLDERS = ("language", "compiler")
_CODE_FILES = ("source.py", "errors.py")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str | None:
    """A hash of the code that parses rule files and compiles them, and of the grammar; None when unreadable.

    Part of every cache key: a new version of carag-dsl (or an edited checkout) never
    reads entries an older one wrote. Reading these files costs about a millisecond.
    Without it (the code cannot be read back, as from a zip file) nothing is cached.
    """
    package = Path(__file__).resolve().parent.parent
    files = sorted(path for folder in _CODE_FOLDERS for path in (package / folder).glob("*.py"))
    files += [package / name for name in _CODE_FILES] + [grammar_path()]
    digest = hashlib.sha256()
    try:
        for file in files:
            digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def cache_folder() -> Path | None:
    """The private cache folder, when caching is on and the code's fingerprint can be taken; else None."""
    return private_cache_folder() if code_fingerprint() is not None else None


def text_key(text: str) -> str:
    """The hash that names a rule file's entry: of its text and of the code (:func:`code_fingerprint`)."""
    return hashlib.sha256((f"{code_fingerprint()}\0{text}").encode("utf-8", "surrogatepass")).hexdigest()


def parse_cached(text: str, path: str = "<string>") -> tuple[ast.Module, list[Diagnostic]]:
    """:func:`~.parser.parse_partial`, read from the cache when a trusted entry for this text is there."""
    folder = cache_folder()
    if folder is None:
        return _parse(text, path)
    key = text_key(text)
    entry = folder / f"ast-{key}.json"
    module = _read(entry, key, path, text)
    if module is not None:
        return module, []
    module, diagnostics = _parse(text, path)
    if not diagnostics:
        _write(folder, entry, key, module)
    return module, diagnostics


def _parse(text: str, path: str) -> tuple[ast.Module, list[Diagnostic]]:
    from carag_dsl.language.parser import parse_partial  # imports Lark: only when a file is parsed

    return parse_partial(text, path)


def _read(entry: Path, key: str, path: str, text: str) -> ast.Module | None:
    stored = read_entry(entry, key)
    if stored is None:
        return None
    try:
        return decode_module(stored["module"], path, text)
    except Exception:  # anything but a tree we wrote: parse instead (and overwrite it)
        return None


def _write(folder: Path, entry: Path, key: str, module: ast.Module) -> None:
    try:
        encoded = encode_module(module)
    except NotEncodable:
        return
    # Kept only when it reads back as the same tree (spans and comments included).
    decoded = decode_module(json.loads(json.dumps(encoded)), module.path, module.text)
    if decoded != module or decoded.comments != module.comments or encode_module(decoded) != encoded:
        return
    write_entry(folder, entry, key, {"module": encoded})
