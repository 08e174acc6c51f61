"""Find and parse the files of a rule set: a root file and everything it includes.

A rule set is a root file (the one with the ``ruleset`` header) and the files
it includes, in include order. Given a folder, the root is the one ``.carag``
file directly in it that has a ``ruleset`` header. Syntax errors in every file
are collected, so one run reports them all.

Includes stay inside the rule set: an included file must be a regular
``.carag`` file in the root's folder or a folder below it (after following
symbolic links), of at most :data:`MAX_RULE_FILE_BYTES`. Anything else
(``/proc/self/environ``, ``../../etc/passwd``, ``/dev/zero``, a FIFO, a loop of
links) is refused with a located error that names the include and never
quotes what the refused file holds.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Callable, Iterator

import attrs

from carag_dsl.language import ast
from carag_dsl.errors import Diagnostic, RuleError
from carag_dsl.language.ast_cache import parse_cached
from carag_dsl.language.resources import bundled_rules_path
from carag_dsl.source import Source, Span


#: Largest rule file read (the whole CARaG is 120 kB over eight files).
MAX_RULE_FILE_BYTES = 4 * 1024 * 1024


class RefusedFile(OSError):
    """A file that is not read as a rule file; the message says why in words (never what it holds).

    An OSError, so code that reads files and expects OSError (the language server) keeps working.
    """

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code  # the diagnostic code: no-such-file, not-a-rule-file, include-outside, unreadable-file


def read_rule_file(path: Path) -> str:
    """The text of a rule file: a regular file of at most MAX_RULE_FILE_BYTES of UTF-8 (a BOM is allowed).

    Opened without blocking and checked on the open file, so a FIFO or a device is refused, not read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise RefusedFile("no-such-file", "there is no such file") from None
    except (OSError, ValueError) as error:  # ValueError: a NUL character in the path
        raise RefusedFile("unreadable-file", _reason(error)) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise RefusedFile("not-a-rule-file", "it is not a regular file (a folder, a device or a pipe)")
    with os.fdopen(fd, "rb") as file:
        try:
            data = file.read(MAX_RULE_FILE_BYTES + 1)
        except OSError as error:
            raise RefusedFile("unreadable-file", _reason(error)) from None
    if len(data) > MAX_RULE_FILE_BYTES:
        raise RefusedFile("unreadable-file", f"it is larger than the {MAX_RULE_FILE_BYTES // (1024 * 1024)} MB a rule file may have")
    try:
        # Universal newlines, as Path.read_text reads: the parser counts lines at '\n' only.
        return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        raise RefusedFile("unreadable-file", "it is not UTF-8 text; save it as UTF-8") from None


def _reason(error: Exception) -> str:
    """Why a file cannot be read, in words (not as Python's "[Errno 21] ..." text)."""
    if isinstance(error, UnicodeDecodeError):
        return "it is not UTF-8 text; save it as UTF-8"
    if isinstance(error, ValueError):
        return "the path contains a NUL character"
    return (getattr(error, "strerror", None) or str(error)).lower()


def _real(path: Path) -> Path:
    """The path with symbolic links followed (a loop of links is left for the open to refuse)."""
    return Path(os.path.realpath(path))


def included_path(including: Path, written: str, folder: Path) -> Path:
    """The file an ``include`` names, or RefusedFile when it is outside ``folder`` or not a ``.carag`` file."""
    if "\0" in written:
        raise RefusedFile("unreadable-file", "the path contains a NUL character")
    candidate = including.parent / written
    real = _real(candidate)
    if real != folder and folder not in real.parents:
        raise RefusedFile("include-outside", f"it is outside the rule set's folder {display_path(folder)}; a rule set includes only files in its folder and the folders below it")
    if real.suffix != ".carag":
        raise RefusedFile("not-a-rule-file", "only .carag files can be included")
    return candidate


def find_root(path: Path) -> Path:
    """The root file of a rule set given as a file or a folder."""
    if path.is_file():
        # A section file checked on its own would miss the facts and questions of the
        # others: when it belongs to a rule set in its folder, take the whole rule set.
        if not _has_header(path):
            roots = [p for p in sorted(path.parent.glob("*.carag")) if _has_header(p)]
            target = _real(path)
            for root in roots:
                if target in _walk_includes(root):  # stops reading at the target
                    return root
            # The one root of a rule folder (a root that includes other files there) leaves this file
            # out: that, not the names the file reads from the others, is the mistake to report.
            if len(roots) == 1 and any(p.is_file() and p != _real(roots[0]) for p in _walk_includes(roots[0])):
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


def _walk_includes(root: Path) -> Iterator[Path]:
    """The files a root includes, directly or not, as real paths (read with a pattern: this only picks the root).

    Lazy, so a search stops reading at what it looks for; follows only the includes that loading
    would follow (inside the root's folder, .carag files).
    """
    folder = _real(root).parent
    seen: set[Path] = set()
    pending = [root]
    while pending:
        file = pending.pop()
        try:
            text = read_rule_file(file)
        except RefusedFile:
            continue
        for name in _INCLUDE_LINE.findall(text):
            try:
                included = _real(included_path(file, name, folder))
            except RefusedFile:
                continue
            if included not in seen:
                seen.add(included)
                yield included
                pending.append(included)


def _has_header(path: Path) -> bool:
    try:
        text = read_rule_file(path)
    except RefusedFile:
        return False
    return any(line.strip().startswith("ruleset ") for line in text.split("\n"))


def load_modules(path: Path) -> list[ast.Module]:
    """Parse the root file and, depth first in order, every file it includes. Raises RuleError on any error."""
    modules, diagnostics = load_modules_partial(path)
    if diagnostics:
        raise RuleError(diagnostics)
    return modules


#: How a file is read, and how its text is parsed (:func:`~.parser.parse_partial`'s signature; the default, :func:`~.ast_cache.parse_cached`, reads unchanged files from the cache).
ReadText = Callable[[Path], str]
ParseText = Callable[[str, str], "tuple[ast.Module, list[Diagnostic]]"]


def read_file(file: Path) -> str:
    """The default reader of rule files: :func:`read_rule_file` (regular UTF-8 files under the size cap)."""
    return read_rule_file(file)


def load_modules_partial(
    path: Path, read_text: ReadText = read_file, parse_text: ParseText = parse_cached,
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
    folder = _real(root).parent
    modules: list[ast.Module] = []
    diagnostics: list[Diagnostic] = []
    loaded: dict[Path, Span | None] = {}

    def refuse(file: Path | str, included_at: Span | None, refused: RefusedFile) -> None:
        span = included_at or Span(Source(str(file), ""), 1, 1, 1, 1)
        verb = "read" if refused.code == "unreadable-file" else "include"
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(file))  # a NUL or escape code, written out
        diagnostics.append(Diagnostic(span, refused.code, f"cannot {verb} '{shown}': {refused}"))

    def visit(file: Path, included_at: Span | None) -> None:
        resolved = _real(file)
        if resolved in loaded:
            if included_at is not None:
                diagnostics.append(Diagnostic(included_at, "duplicate-include", f"'{file.name}' is included more than once (or includes itself); include each file once"))
            return
        loaded[resolved] = included_at
        try:
            text = read_text(file)
        except RefusedFile as refused:
            refuse(file, included_at, refused)
            return
        except (OSError, UnicodeDecodeError) as error:  # a reader of the caller's (the language server's)
            refuse(file, included_at, RefusedFile("unreadable-file", _reason(error)))
            return
        module, syntax = parse_text(text, display_path(file))
        diagnostics.extend(syntax)
        modules.append(module)
        for item in module.items:
            if isinstance(item, ast.Include):
                try:
                    included = included_path(file, item.path, folder)
                except RefusedFile as refused:
                    refuse(item.path, item.span, refused)
                    continue
                visit(included, item.span)

    visit(root, None)
    if path.is_dir():
        diagnostics += _not_included(path, root, set(loaded))
    return modules, diagnostics


def _not_included(folder: Path, root: Path, loaded: set[Path]) -> list[Diagnostic]:
    """A ``.carag`` file in the rule folder that the root never includes would be silently left out: say so.

    Files under the folder's ``tests/`` are test files, read by ``carag test`` and ``carag check``.
    """
    tests = _real(folder / TESTS_FOLDER)
    return [
        not_included(file, root) for file in sorted(folder.rglob("*.carag"))
        if _real(file) not in loaded and not _real(file).is_relative_to(tests)
    ]


def not_included(file: Path, root: Path) -> Diagnostic:
    """The error for a rule file its folder's root does not include: the ``include`` line to add, and where."""
    line = f'include "{Path(os.path.relpath(_real(file), _real(root).parent)).as_posix()}"'
    root_text = _read_or_empty(root)
    includes = list(_INCLUDE_LINE.finditer(root_text))
    notes: tuple[tuple[Span, str], ...] = ()
    if includes:
        start = includes[-1].start() + root_text[includes[-1].start():].index("include")  # past the indentation
        root_source = Source(display_path(root), root_text)
        number, column = root_source.position(start)
        where = Span(root_source, number, column, number, column + len(includes[-1].group().strip()))
        notes = ((where, f"the includes of {root.name} are here; add '{line}' to them"),)
    return Diagnostic(
        Span(Source(display_path(file), _read_or_empty(file)), 1, 1, 1, 1), "not-included",
        f"{root.name} does not include this file, so its rules are never read; add the line '{line}' to "
        f"{display_path(root)} (or move the file out of the folder; test blocks go under {TESTS_FOLDER}/)",
        notes=notes,
    )


def _read_or_empty(file: Path) -> str:
    try:
        return read_rule_file(file)
    except RefusedFile:
        return ""


# ------------------------------------------------------------------ test files

TESTS_FOLDER = "tests"


def test_files(path: Path) -> list[Path]:
    """The test-only files of a rule set given as a folder: ``RULES/tests/*.carag``."""
    folder = path / TESTS_FOLDER
    return sorted(folder.glob("*.carag")) if path.is_dir() and folder.is_dir() else []


def read_test_files(
    paths: list[Path], read_text: ReadText = read_file, parse_text: ParseText = parse_cached,
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
        except RefusedFile as refused:
            diagnostics.append(Diagnostic(Span(Source(display_path(path), ""), 1, 1, 1, 1), refused.code, f"cannot read '{path}': {refused}"))
            continue
        except (OSError, UnicodeDecodeError) as error:
            diagnostics.append(Diagnostic(Span(Source(display_path(path), ""), 1, 1, 1, 1), "unreadable-file", f"cannot read '{path}': {_reason(error)}"))
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
        return str(_real(file).relative_to(Path.cwd().resolve()))  # realpath: a loop of links gives no RuntimeError
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
