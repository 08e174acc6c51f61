"""The Lark parser, kept between processes in a private per-user folder.

Building the LALR tables from the grammar costs ~0.15 s at every start; loading
them from disk ~0.02 s. Lark's own ``cache=True`` keeps them in the shared
temporary folder and unpickles whatever file it finds there, so another local
user who planted that file would run code as whoever runs ``carag``. This
module never reads a shared location: the cache lives in
``$XDG_CACHE_HOME/carag-dsl`` (``~/.cache/carag-dsl``), a folder that must be
ours and closed to everyone else (mode 0700), and a cache file is read only
when it is a regular file we own that nobody else can write. Anything else,
or any failure, builds the parser in memory as if there were no cache.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import lark
from lark import Lark

CACHE_FOLDER_NAME = "carag-dsl"


def lalr_parser(grammar: str, options: dict[str, Any]) -> Lark:
    """``Lark(grammar, **options)``, loaded from the private cache when a trusted copy is there."""
    folder = private_cache_folder()
    if folder is None:
        return Lark(grammar, **options)
    path = folder / f"parser-{_cache_key(grammar, options)}.lark"
    parser = _read_trusted(path)
    if parser is None:
        parser = Lark(grammar, **options)
        _write(parser, folder, path)
    return parser


def private_cache_folder() -> Path | None:
    """The per-user cache folder, created 0700; None when it is not private to us (or cannot be made)."""
    if not hasattr(os, "getuid"):  # no owners to check (Windows): do without a cache
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    folder = Path(base) / CACHE_FOLDER_NAME
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)  # lstat: a symbolic link planted in place of the folder is refused
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return folder


def _cache_key(grammar: str, options: dict[str, Any]) -> str:
    described = repr(sorted(options.items())) + lark.__version__ + repr(sys.version_info[:2])
    return hashlib.sha256((grammar + "\0" + described).encode("utf-8")).hexdigest()[:32]


def _read_trusted(path: Path) -> Lark | None:
    """The parser in ``path`` when it is a regular file of ours that only we can write; else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as file:
        info = os.fstat(file.fileno())  # of the file opened, so it cannot be swapped after the check
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            return None
        try:
            return Lark.load(file)
        except Exception:  # a truncated or stale file of our own: build afresh and overwrite it
            return None


def _write(parser: Lark, folder: Path, path: Path) -> None:
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".parser-", suffix=".tmp")  # created 0600
    except OSError:  # a read-only or full disk: the cache is only an optimisation
        return
    try:
        with os.fdopen(fd, "wb") as file:
            parser.save(file)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
