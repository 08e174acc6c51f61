"""The rule folders the editor works on: files on disk with the unsaved buffers laid over them.

An edit re-parses only the file that changed (parses are kept by file and text),
then runs what ``carag check`` runs (:func:`compile_path` with the test files of
``tests/``, reading through the buffers), so the diagnostics are the command
line's, code for code and word for word.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from typing import Callable

import attrs
from lark.exceptions import LarkError

from carag_dsl.compiler import symbols as symbols_pass
from carag_dsl.compiler.ruleset import CheckedRules, compile_path
from carag_dsl.errors import Diagnostic, RuleError
from carag_dsl.language import ast
from carag_dsl.language.loader import display_path, find_root, read_file, test_files
from carag_dsl.language.parser import parse_partial
from carag_dsl.lsp.index import FileIndex, index_text


def resolved(path: str | Path) -> Path:
    """A path as an absolute file (a diagnostic's path is relative to the working folder, as the loader writes it).

    Kept per absolute path: resolving walks the file system, and every edit asks for the same few paths. A
    relative path is made absolute first, in the working folder of the moment (which may change).
    """
    return _resolved_absolute(os.path.join(os.getcwd(), path))


@functools.lru_cache(maxsize=4096)
def _resolved_absolute(path: str) -> Path:
    return Path(path).resolve()


class CheckStopped(Exception):
    """The check of a rule set was stopped: the text changed again while it ran."""


@attrs.frozen
class Analysis:
    """Everything known about one rule set at one moment."""

    root: Path
    rule_files: tuple[Path, ...]  # the root, then the files it includes
    test_files: tuple[Path, ...]  # tests/*.carag beside the root
    diagnostics: dict[Path, list[Diagnostic]]
    symbols: symbols_pass.Symbols  # from every file that parses, even when the rule set has errors
    rules: CheckedRules | None  # the checked rule set, when it has no errors

    @property
    def files(self) -> tuple[Path, ...]:
        return self.rule_files + self.test_files

    @staticmethod
    def unchecked(root: Path) -> "Analysis":
        """What is known of a rule set before its first check finishes: nothing (a request is still answered)."""
        return Analysis(root, (root,), (), {}, symbols_pass.Symbols(), None)


class Workspace:
    """Open buffers, kept parses and indexes, and the analysis of each rule set."""

    def __init__(self, read_disk: Callable[[Path], str] = read_file):
        self._read_disk = read_disk
        self._buffers: dict[Path, str] = {}
        self._parses: dict[Path, tuple[str, str, tuple[ast.Module, list[Diagnostic]]]] = {}
        self._indexes: dict[Path, tuple[str, FileIndex]] = {}
        self._roots: dict[Path, Path] = {}
        self._targets: dict[Path, Path] = {}
        self._indexing: set[Path] = set()  # open files a check is indexing on its thread (requests take the last index)
        self._lock = threading.RLock()

    # -- buffers
    def set_buffer(self, path: Path, text: str) -> None:
        self._buffers[resolved(path)] = text

    def close_buffer(self, path: Path) -> None:
        """The file's buffer gone, and its parse and index with it (they are rebuilt from the disk when asked)."""
        path = resolved(path)
        self._buffers.pop(path, None)
        self.forget_files([path])
        self.forget_roots()

    def forget_files(self, paths) -> None:
        """Drop the kept parses and indexes of files no longer edited (memory back on close)."""
        with self._lock:
            for path in paths:
                self._parses.pop(resolved(path), None)
                self._indexes.pop(resolved(path), None)

    def is_open(self, path: Path) -> bool:
        return resolved(path) in self._buffers

    def has_open_files(self, root: Path) -> bool:
        """Whether any open buffer belongs to the rule set of ``root``."""
        return bool(self.open_files(root))

    def open_files(self, root: Path) -> list[Path]:
        """The open files of the rule set of ``root``."""
        return [path for path in list(self._buffers) if self.root_of(path) == root]

    def text(self, path: Path) -> str:
        """The buffer when the file is open, the file on disk otherwise."""
        found = self._buffers.get(resolved(path))
        return found if found is not None else self._read_disk(path)

    def snapshot(self) -> Callable[[Path], str]:
        """:meth:`text` as it is now: the buffers copied, for a check that runs while the editing goes on."""
        buffers = dict(self._buffers)

        def text(path: Path) -> str:
            found = buffers.get(resolved(path))
            return found if found is not None else self._read_disk(path)

        return text

    # -- parsing, kept per file
    def parse(self, text: str, shown_path: str) -> tuple[ast.Module, list[Diagnostic]]:
        """:func:`parse_partial`, remembered for the last text of each file.

        ``shown_path`` is the path diagnostics show (:func:`display_path`), as the loader gives it.
        """
        key = resolved(shown_path)
        with self._lock:  # held only to look up and to keep: a parse on the checker thread never blocks a request
            kept = self._parses.get(key)
        if kept is None or kept[0] != text or kept[1] != shown_path:
            kept = (text, shown_path, parse_partial(text, shown_path))
            with self._lock:
                self._parses[key] = kept
        return kept[2]

    def parsed(self, path: Path, complete: bool = False, text: Callable[[Path], str] | None = None) -> ast.Module | None:
        """The file's module: what parsed of it, or (``complete``) only when all of it parses (``text``: how
        files are read, :meth:`text` by default)."""
        try:
            module, syntax = self.parse((text or self.text)(path), display_path(path))
        except (OSError, UnicodeDecodeError):
            return None
        return None if complete and syntax else module

    def index(self, path: Path, text: Callable[[Path], str] | None = None) -> FileIndex | None:
        """The file's index; the last one that parsed while it has a syntax error, or while a check indexes its
        text on the check's thread (places may then be a little off). ``text``: how files are read."""
        path = resolved(path)
        try:
            current = (text or self.text)(path)
        except (OSError, UnicodeDecodeError):
            return None
        with self._lock:
            kept = self._indexes.get(path)
            if kept is not None and kept[0] != current and text is None and path in self._indexing:
                return kept[1]  # a request while a check indexes the file: never an index built on the event loop
        if kept is not None and kept[0] == current:
            return kept[1]
        try:
            built = index_text(current)
        except (LarkError, RecursionError):
            return kept[1] if kept else None
        with self._lock:
            self._indexes[path] = (current, built)
        return built

    # -- rule sets
    def root_of(self, path: Path) -> Path:
        """The root file of the rule set a file belongs to (a file in tests/ belongs to the folder above).

        Kept until a file is saved, opened or closed (:meth:`forget_roots`): finding it reads the folder.
        """
        path = resolved(path)
        if path not in self._roots:
            self._roots[path] = self._find_root(path)
        return self._roots[path]

    def forget_roots(self) -> None:
        self._roots.clear()
        self._targets.clear()

    def _find_root(self, path: Path) -> Path:
        if path.parent.name == "tests" and path.parent.parent.is_dir():
            try:
                return find_root(path.parent.parent).resolve()
            except RuleError:
                pass
        try:
            return find_root(path).resolve()
        except RuleError:
            return path

    def checked_path(self, root: Path) -> Path:
        """What ``carag check`` is given for this rule set: its folder when the root is the folder's root
        (so files the root does not include, and the tests in ``tests/``, are checked too), else the root file."""
        with self._lock:
            if root not in self._targets:
                try:
                    self._targets[root] = root.parent if find_root(root.parent).resolve() == root else root
                except RuleError:  # several roots in the folder: check the one file's rule set
                    self._targets[root] = root
            return self._targets[root]

    def check(self, root: Path, files: list[Path], text: Callable[[Path], str], stop: Callable[[], bool]) -> Analysis:
        """:meth:`analyse` on a thread of its own, indexing the open ``files`` first (the requests meanwhile
        take their last index: :meth:`index`). Call :meth:`indexing` with ``files`` before handing it over."""
        try:
            for path in files:
                if stop():
                    raise CheckStopped(root)
                self.index(path, text)
        finally:
            with self._lock:
                self._indexing.difference_update(files)
        return self.analyse(root, text, stop)

    def indexing(self, files: list[Path]) -> None:
        """``files`` are about to be indexed by a :meth:`check` on its thread."""
        with self._lock:
            self._indexing.update(files)

    def analyse(self, root: Path, text: Callable[[Path], str] | None = None,
                stop: Callable[[], bool] | None = None) -> Analysis:
        """Check the rule set of ``root`` as ``carag check`` does, with the buffers as they are now (or as
        ``text`` reads them, a :meth:`snapshot`). ``stop`` is asked before each file is read: True raises
        :class:`CheckStopped` (the text changed again; this check is of a text that is gone)."""
        read = text or self.text

        def read_text(path) -> str:
            if stop is not None and stop():
                raise CheckStopped(root)
            return read(path)

        target = self.checked_path(root)
        diagnostics: list[Diagnostic] = []
        rules = None
        try:
            rules = compile_path(target, CheckedRules, tests=True, read_text=read_text, parse_text=self.parse)
        except RuleError as error:
            diagnostics += error.diagnostics
        if rules is not None:
            rule_files = tuple(resolved(m.path) for m in rules.modules)
            symbols = rules.symbols
        else:  # still know what the files that parse declare
            rule_files = self._rule_files(root, read_text)
            symbols = symbols_pass.collect([m for m in (self.parsed(f, text=read_text) for f in rule_files) if m is not None])[0]
        tests = tuple(resolved(f) for f in test_files(target)) if target.is_dir() else ()
        by_file: dict[Path, list[Diagnostic]] = {}
        for diagnostic in diagnostics:
            by_file.setdefault(resolved(diagnostic.span.path), []).append(diagnostic)
        return Analysis(root, rule_files, tests, by_file, symbols, rules)

    def _rule_files(self, root: Path, text: Callable[[Path], str]) -> tuple[Path, ...]:
        """The root and the files it includes, depth first, read from what parsed of each (when the rule set has errors).

        Confined as the loader confines them: an include that leads out of the root's folder is not followed.
        """
        files: list[Path] = []
        folder = root.parent

        def visit(file: Path) -> None:
            file = resolved(file)
            if file in files or (file != root and not file.is_relative_to(folder)):
                return
            files.append(file)
            module = self.parsed(file, text=text)
            for item in module.items if module is not None else ():
                if isinstance(item, ast.Include):
                    visit(file.parent / item.path)

        visit(root)
        return tuple(f for f in files if f == root or f.exists() or f in self._buffers)
