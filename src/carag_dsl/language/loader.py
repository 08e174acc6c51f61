"""Find and parse the files of a rule set: a root file and everything it includes.

A rule set is a root file (the one with the ``ruleset`` header) and the files
it includes, in include order. Given a folder, the root is the one ``.carag``
file directly in it that has a ``ruleset`` header. Syntax errors in every file
are collected, so one run reports them all.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable

import attrs

from carag_dsl.language import ast
from carag_dsl.errors import Diagnostic, RuleError
from carag_dsl.language.parser import parse_partial
from carag_dsl.language.resources import bundled_rules_path
from carag_dsl.source import Source, Span


def find_root(path: Path) -> Path:
    """The root file of a rule set given as a file or a folder."""
    if path.is_file():
        # A section file checked on its own would miss the facts and questions of the
        # others: when it belongs to a rule set in its folder, take the whole rule set.
        if not _has_header(path):
            roots = [p for p in sorted(path.parent.glob("*.carag")) if _has_header(p)]
            for root in roots:
                if path.resolve() in _reached_by_includes(root):
                    return root
            # The one root of a rule folder (a root that includes other files there) leaves this file
            # out: that, not the names the file reads from the others, is the mistake to report.
            if len(roots) == 1 and any(p.is_file() and p != roots[0].resolve() for p in _reached_by_includes(roots[0])):
                raise RuleError([not_included(path, roots[0])])
        return path
    if not path.is_dir():
        raise RuleError([Diagnostic(Span(Source(str(path), ""), 1, 1, 1, 1), "no-such-file", f"no such file or folder: {path}")])
    candidates = sorted(path.glob("*.carag"))
    roots = [p for p in candidates if _has_header(p)]
    if len(roots) == 1:
        return roots[0]
    where = Span(Source(str(path), ""), 1, 1, 1, 1)
    if not roots:
        if len(candidates) == 1:
            return candidates[0]
        raise RuleError([Diagnostic(where, "no-root", f"no .carag file in {path} starts a rule set: one file must begin with 'ruleset \"NAME\" version \"V\" published YYYY-MM-DD' and include the others")])
    names = ", ".join(p.name for p in roots)
    raise RuleError([Diagnostic(where, "several-roots", f"more than one file in {path} has a 'ruleset' header ({names}); keep it in one file and include the others from it")])


_INCLUDE_LINE = re.compile(r'^\s*include\s+"([^"]+)"', re.MULTILINE)


def _reached_by_includes(root: Path) -> set[Path]:
    """The files a root includes, directly or not (read with a pattern: this only picks the root)."""
    reached: set[Path] = set()
    pending = [root]
    while pending:
        file = pending.pop()
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for name in _INCLUDE_LINE.findall(text):
            included = (file.parent / name).resolve()
            if included not in reached:
                reached.add(included)
                pending.append(included)
    return reached


def _has_header(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.strip().startswith("ruleset ") for line in text.splitlines())


def load_modules(path: Path) -> list[ast.Module]:
    """Parse the root file and, depth first in order, every file it includes. Raises RuleError on any error."""
    modules, diagnostics = load_modules_partial(path)
    if diagnostics:
        raise RuleError(diagnostics)
    return modules


#: How a file is read, and how its text is parsed (:func:`parse_partial`'s signature).
ReadText = Callable[[Path], str]
ParseText = Callable[[str, str], "tuple[ast.Module, list[Diagnostic]]"]


def read_file(file: Path) -> str:
    return file.read_text(encoding="utf-8")


def load_modules_partial(
    path: Path, read_text: ReadText = read_file, parse_text: ParseText = parse_partial,
) -> tuple[list[ast.Module], list[Diagnostic]]:
    """Every file of the rule set, parsed as far as it goes, and every error met while reading them.

    A file with syntax errors still gives the declarations that parsed, so the
    compiler can check them (and the other files) in the same run. A missing
    root raises RuleError at once: there is nothing to read. ``read_text`` and
    ``parse_text`` are how files are read and parsed: the language server lays
    the editor's unsaved buffers over the files on disk and keeps the parses of
    files that did not change.
    """
    root = find_root(path)
    modules: list[ast.Module] = []
    diagnostics: list[Diagnostic] = []
    loaded: dict[Path, Span | None] = {}

    def visit(file: Path, included_at: Span | None) -> None:
        resolved = file.resolve()
        if resolved in loaded:
            if included_at is not None:
                diagnostics.append(Diagnostic(included_at, "duplicate-include", f"'{file.name}' is included more than once (or includes itself); include each file once"))
            return
        loaded[resolved] = included_at
        try:
            text = read_text(file)
        except FileNotFoundError:
            span = included_at or Span(Source(str(file), ""), 1, 1, 1, 1)
            diagnostics.append(Diagnostic(span, "no-such-file", f"cannot include '{file}': there is no such file"))
            return
        except (OSError, UnicodeDecodeError) as error:
            span = included_at or Span(Source(str(file), ""), 1, 1, 1, 1)
            # Say why in words, not as Python's "[Errno 21] ..." text.
            reason = "it is not UTF-8 text; save it as UTF-8" if isinstance(error, UnicodeDecodeError) else (error.strerror or str(error)).lower()
            diagnostics.append(Diagnostic(span, "unreadable-file", f"cannot read '{file}': {reason}"))
            return
        module, syntax = parse_text(text, display_path(file))
        diagnostics.extend(syntax)
        modules.append(module)
        for item in module.items:
            if isinstance(item, ast.Include):
                visit(file.parent / item.path, item.span)

    visit(root, None)
    if path.is_dir():
        diagnostics += _not_included(path, root, set(loaded))
    return modules, diagnostics


def _not_included(folder: Path, root: Path, loaded: set[Path]) -> list[Diagnostic]:
    """A ``.carag`` file in the rule folder that the root never includes would be silently left out: say so.

    Files under the folder's ``tests/`` are test files, read by ``carag test`` and ``carag check``.
    """
    tests = (folder / TESTS_FOLDER).resolve()
    return [
        not_included(file, root) for file in sorted(folder.rglob("*.carag"))
        if file.resolve() not in loaded and not file.resolve().is_relative_to(tests)
    ]


def not_included(file: Path, root: Path) -> Diagnostic:
    """The error for a rule file its folder's root does not include: the ``include`` line to add, and where."""
    line = f'include "{Path(os.path.relpath(file.resolve(), root.resolve().parent)).as_posix()}"'
    root_text = _read_or_empty(root)
    includes = list(_INCLUDE_LINE.finditer(root_text))
    notes: tuple[tuple[Span, str], ...] = ()
    if includes:
        start = includes[-1].start() + root_text[includes[-1].start():].index("include")  # past the indentation
        number = root_text.count("\n", 0, start) + 1
        column = start - (root_text.rfind("\n", 0, start) + 1) + 1
        where = Span(Source(display_path(root), root_text), number, column, number, column + len(includes[-1].group().strip()))
        notes = ((where, f"the includes of {root.name} are here; add '{line}' to them"),)
    return Diagnostic(
        Span(Source(display_path(file), _read_or_empty(file)), 1, 1, 1, 1), "not-included",
        f"{root.name} does not include this file, so its rules are never read; add the line '{line}' to "
        f"{display_path(root)} (or move the file out of the folder; test blocks go under {TESTS_FOLDER}/)",
        notes=notes,
    )


def _read_or_empty(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


# ------------------------------------------------------------------ test files

TESTS_FOLDER = "tests"


def test_files(path: Path) -> list[Path]:
    """The test-only files of a rule set given as a folder: ``RULES/tests/*.carag``."""
    folder = path / TESTS_FOLDER
    return sorted(folder.glob("*.carag")) if path.is_dir() and folder.is_dir() else []


def read_test_files(
    paths: list[Path], read_text: ReadText = read_file, parse_text: ParseText = parse_partial,
) -> list[ast.TestDecl]:
    """The test blocks of test-only files; anything else in them is an error (all errors raised together).

    ``read_text`` and ``parse_text`` as for :func:`load_modules_partial`.
    """
    tests: list[ast.TestDecl] = []
    diagnostics: list[Diagnostic] = []
    for path in paths:
        try:
            module, syntax = parse_text(read_text(path), display_path(path))
            if syntax:
                diagnostics.extend(syntax)
                continue
        except (OSError, UnicodeDecodeError):
            diagnostics.append(Diagnostic(Span(Source(display_path(path), ""), 1, 1, 1, 1), "unreadable-file", f"cannot read '{path}' as UTF-8 text"))
            continue
        for item in module.items:
            if isinstance(item, ast.TestDecl):
                tests.append(item)
            else:
                diagnostics.append(Diagnostic(item.span, "not-a-test", "a file in a tests/ folder holds only test blocks ('test \"...\"'); move this declaration into the rule files"))
    if diagnostics:
        raise RuleError(diagnostics)
    return tests


def display_path(file: Path) -> str:
    """A path as people want to read it in diagnostics: relative to the working folder when inside it."""
    try:
        return str(file.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(file)


# ------------------------------------------------------------------ which rule set, when none is named


@attrs.frozen
class RulesChoice:
    """The rule set a command uses and why: ``origin`` is "given", "working directory" or "bundled"."""

    path: Path
    origin: str


def choose_rules(given: str | Path | None, cwd: Path | None = None) -> RulesChoice:
    """The rule set named on the command line; else the working directory's; else the bundled CARaG.

    The working directory's rule set is found the way git finds ``.git``: from
    ``cwd`` upwards, the first folder that has a ``questions/`` folder with a
    root file in it, or a root ``.carag`` file of its own. So a member of staff
    who edits ``questions/`` and runs ``carag test`` tests the edit, however
    carag-dsl was installed.
    """
    if given is not None:
        return RulesChoice(Path(given), "given")
    start = (cwd or Path.cwd()).resolve()
    # As GIT_CEILING_DIRECTORIES for git: folders the search does not go up into (the start is always looked at).
    ceilings = {Path(p).resolve() for p in os.environ.get("CARAG_CEILING_DIRECTORIES", "").split(os.pathsep) if p}
    for folder in (start, *start.parents):
        if folder != start and folder in ceilings:
            break
        for candidate in (folder / "questions", folder):
            if candidate.is_dir() and any(_has_header(p) for p in candidate.glob("*.carag")):
                return RulesChoice(candidate, "working directory")
    return RulesChoice(bundled_rules_path(), "bundled")
