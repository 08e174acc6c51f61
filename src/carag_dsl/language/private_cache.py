"""The private per-user cache folder, and reading and writing its files safely.

Everything carag keeps between processes (the parser tables, parsed rule
files, generated routing code) lives in ``$XDG_CACHE_HOME/carag-dsl``
(``~/.cache/carag-dsl``): a folder that must be ours and closed to everyone
else (mode 0700), never a shared location such as /tmp. A file in it is read
only when it is a regular file we own that nobody else can write, checked on
the open file. Whoever could plant a file there could already run code as
us (they own our home folder), so what the folder holds is as trusted as our
own files; each cache still checks its entries and ignores anything that is
not what it writes. ``CARAG_NO_CACHE=1`` turns every cache off.

Anything else found there (a folder, a FIFO, a link) is passed over without
being opened for long: a FIFO is opened without waiting for a writer. The
cache prunes itself (:func:`prune`): when it writes, at most once a day, it
removes the entries not used for :data:`PRUNE_AFTER_DAYS` and the least
recently used beyond :data:`MAX_ENTRIES`; reading an entry marks it used.
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

CACHE_FOLDER_NAME = "carag-dsl"
#: Set (to anything but "" or "0") to read and write no cache: every start parses and generates afresh.
NO_CACHE_VARIABLE = "CARAG_NO_CACHE"
#: Entries not used for this long are removed, and the least recently used beyond this many.
PRUNE_AFTER_DAYS = 30
MAX_ENTRIES = 2000
_PRUNE_MARK = ".last-pruned"
_DAY = 24 * 3600


def private_cache_folder() -> Path | None:
    """The per-user cache folder, created 0700; None when it is not private to us (or cannot be made, or caching is off)."""
    if os.environ.get(NO_CACHE_VARIABLE, "") not in ("", "0"):
        return None
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


def read_private(path: Path) -> bytes | None:
    """What ``path`` holds when it is a regular file of ours that only we can write; else None.

    Opened without following a link and without blocking (a FIFO would wait for a writer), and checked on
    the open descriptor before it is read (a folder cannot even be wrapped as a file).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)  # of the file opened, so it cannot be swapped after the check
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            return None
        with os.fdopen(os.dup(fd), "rb") as file:
            data = file.read()
        try:
            os.utime(fd)  # used now: pruning keeps what is used
        except (OSError, NotImplementedError):
            pass
        return data
    except OSError:
        return None
    finally:
        os.close(fd)


def write_private(folder: Path, path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` in the private ``folder`` at once (a reader sees the old file or the new, whole)."""
    import tempfile  # only when writing: a start with a warm cache never needs it

    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".write-", suffix=".tmp")  # created 0600
    except OSError:  # a read-only or full disk: the cache is only an optimisation
        return
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
    _prune_daily(folder)


def _prune_daily(folder: Path) -> None:
    mark = folder / _PRUNE_MARK
    try:
        if time.time() - os.lstat(mark).st_mtime < _DAY:
            return
    except OSError:
        pass
    try:
        mark.touch()
    except OSError:
        return
    prune(folder)


def prune(folder: Path, now: float | None = None) -> int:
    """Remove the entries (regular files of ours) not used for PRUNE_AFTER_DAYS, then the least recently used
    beyond MAX_ENTRIES; how many were removed. Nothing else in the folder is touched."""
    now = time.time() if now is None else now
    entries: list[tuple[float, str]] = []
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                if entry.name == _PRUNE_MARK:
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid():
                    entries.append((info.st_mtime, entry.path))
    except OSError:
        return 0
    entries.sort(reverse=True)  # most recently used first
    stale = [path for index, (used, path) in enumerate(entries) if index >= MAX_ENTRIES or now - used > PRUNE_AFTER_DAYS * _DAY]
    removed = 0
    for path in stale:
        try:
            os.unlink(path)
            removed += 1
        except OSError:
            pass
    return removed


def read_entry(path: Path, key: str) -> dict[str, Any] | None:
    """The JSON object a cache wrote to ``path`` under ``key``; None when absent, not ours, not JSON or another key's."""
    data = read_private(path)
    if data is None:
        return None
    try:
        stored = json.loads(data)
    except ValueError:
        return None
    if not isinstance(stored, dict) or stored.get("key") != key:  # e.g. a file renamed over another entry
        return None
    return stored


def write_entry(folder: Path, path: Path, key: str, fields: dict[str, Any]) -> None:
    """Keep ``fields`` (JSON) at ``path`` under ``key``, for :func:`read_entry`."""
    write_private(folder, path, json.dumps({"key": key, **fields}).encode("ascii"))
