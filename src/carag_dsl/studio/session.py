"""What the studio's web worker asks of carag: one :class:`StudioSession` per page, in Pyodide.

The rule files live in Pyodide's in-memory file system (the worker writes them
there); every answer comes from the functions the command line and the language
server use: :class:`~carag_dsl.lsp.workspace.Workspace` for the diagnostics of
``carag check``, the language server's hover, completion, definition and
formatting, the evaluator and ``explain`` for the case, and the ``carag``
command line itself for the tests, lint and diff, so the studio shows what the
commands print. Every method takes and returns plain JSON-able values.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

from carag_dsl.errors import CaragError, Diagnostic
from carag_dsl.language.loader import display_path, find_root
from carag_dsl.lsp.workspace import Analysis, Workspace, resolved
from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.source import Span
from carag_dsl.tools.handbook import render_handbook
from carag_dsl.tools.schema import case_schema

if TYPE_CHECKING:
    from lsprotocol import types

# The language server's feature modules, lsprotocol and the command line are imported when first used
# (:meth:`StudioSession.warm` imports them once the page is ready): in Pyodide, where every module is compiled
# from source at each start, they would add seconds before the first diagnostics.


def _range(value: "types.Range") -> dict[str, int]:
    """An LSP range (0-based lines, UTF-16 columns, as JavaScript strings count) as a plain dict."""
    return {"line": value.start.line, "character": value.start.character,
            "end_line": value.end.line, "end_character": value.end.character}


def _utf16(line: str, column: int) -> int:
    return len(line[:column].encode("utf-16-le")) // 2


def _span_place(span: Span) -> dict[str, int]:
    """A compiler span as 0-based lines and UTF-16 columns (what ``lsp.positions.span_range`` gives, without lsprotocol)."""
    source = span.source
    if source is None or span.line < 1:
        return {"line": 0, "character": 0, "end_line": 0, "end_character": 0}
    end_line, end_column = (span.end_line, span.end_column) if span.end_line >= span.line else (span.line, span.column + 1)
    return {"line": span.line - 1, "character": _utf16(source.line(span.line), span.column - 1),
            "end_line": end_line - 1, "end_character": _utf16(source.line(end_line), end_column - 1)}


def _diagnostic(diagnostic: Diagnostic) -> dict[str, Any]:
    return {**_span_place(diagnostic.span), "severity": diagnostic.severity, "code": diagnostic.code,
            "message": diagnostic.message, "text": diagnostic.render()}


def _position(line: int, character: int) -> "types.Position":
    from lsprotocol import types

    return types.Position(line=line, character=character)


class StudioSession:
    """The rule set being edited (``folder``) and the published one it is compared with (``published``)."""

    def __init__(self, folder: str, published: str):
        self.folder = Path(folder)
        self.published = Path(published)
        self.workspace = Workspace()
        self._analysis: Analysis | None = None

    # -- the files
    def write(self, relative: str, text: str) -> None:
        """A file of the rule folder changed (or is new): the analysis is redone on the next question."""
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        is_new = not path.exists()
        path.write_text(text, encoding="utf-8")
        self.workspace.set_buffer(path, text)
        if is_new:
            self.workspace.forget_roots()
        self._analysis = None

    def _sync(self, relative: str, text: str | None) -> None:
        """The editor's text, when a request carries it: the page sends its edits to be checked one check at a
        time, so a request made while typing may be ahead of the last edit sent."""
        if text is not None and self.workspace.text(self._path(relative)) != text:
            self.write(relative, text)

    def analysis(self) -> Analysis:
        if self._analysis is None:
            root = self.workspace.root_of(self._root_file())
            self._analysis = self.workspace.analyse(root)
        return self._analysis

    def _root_file(self) -> Path:
        return resolved(find_root(self.folder))

    def _path(self, relative: str) -> Path:
        return resolved(self.folder / relative)

    # -- the editor
    def diagnostics(self) -> dict[str, Any]:
        """``carag check``'s diagnostics (errors, and warnings of rules that compile) by file, relative to the folder."""
        analysis = self.analysis()
        found: list[Diagnostic] = [d for ds in analysis.diagnostics.values() for d in ds]
        if analysis.rules is not None:
            found += list(analysis.rules.warnings)
        by_file: dict[str, list[dict[str, Any]]] = {}
        folder = self.folder.resolve()
        for diagnostic in found:
            # The span's path is as the loader shows it, relative to the working folder (not through the
            # workspace's cache of resolved paths, which outlives a change of working folder).
            file = (Path.cwd() / diagnostic.span.path).resolve()
            try:
                key = file.relative_to(folder).as_posix()
            except ValueError:
                key = display_path(file)
            by_file.setdefault(key, []).append(_diagnostic(diagnostic))
        rules = analysis.rules
        return {
            "files": by_file,
            "errors": sum(1 for d in found if d.severity == "error"),
            "questions": len(rules.questions) if rules is not None else None,
        }

    def warm(self) -> None:
        """Import what hover, completion, definitions and the checks need, ahead of the first request."""
        from carag_dsl.lsp import completion, formatting, hover, navigation  # noqa: F401
        from carag_dsl import cli  # noqa: F401

    def hover(self, relative: str, line: int, character: int, text: str | None = None) -> str | None:
        from carag_dsl.lsp import hover, navigation

        self._sync(relative, text)
        path, analysis = self._path(relative), self.analysis()
        here = navigation.symbol_at(self.workspace, analysis, path, _position(line, character))
        return hover.describe(here[1], analysis.symbols) if here is not None else None

    def complete(self, relative: str, line: int, character: int, text: str | None = None) -> list[dict[str, Any]]:
        from lsprotocol import types

        from carag_dsl.lsp import completion

        self._sync(relative, text)
        text = self.workspace.text(self._path(relative))
        items = completion.complete(text, _position(line, character), self.analysis().symbols)
        return [
            {"label": item.label, "detail": item.detail, "kind": types.CompletionItemKind(item.kind).name.lower() if item.kind else None,
             "sort": item.sort_text or item.label,
             "documentation": item.documentation if isinstance(item.documentation, str) else None}
            for item in items
        ]

    def definition(self, relative: str, line: int, character: int, text: str | None = None) -> list[dict[str, Any]]:
        from carag_dsl.lsp import navigation

        self._sync(relative, text)
        path = self._path(relative)
        locations = navigation.definition(self.workspace, self.analysis(), path, _position(line, character))
        found = []
        for location in locations:
            target = resolved(Path(location.uri.removeprefix("file://")))
            try:
                file = target.relative_to(resolved(self.folder)).as_posix()
            except ValueError:
                continue
            found.append({"file": file, **_range(location.range)})
        return found

    def format(self, relative: str) -> dict[str, Any]:
        """The language server's formatting edits, or why there are none (a file that does not parse is left as it is)."""
        from carag_dsl.lsp.formatting import format_edits

        path = self._path(relative)
        module = self.workspace.parsed(path, complete=True)
        if module is None:
            return {"edits": None, "reason": "the file has syntax errors; fix them to format it"}
        edits = format_edits(self.workspace.text(path), module)
        return {"edits": [{**_range(edit.range), "text": edit.new_text} for edit in edits]}

    # -- the case
    def schema(self) -> dict[str, Any] | None:
        rules = self.analysis().rules
        return case_schema(rules) if rules is not None else None

    def evaluate(self, case: dict[str, Any], explain: str | None = None) -> dict[str, Any]:
        """The routing of a case (``to_dict()`` of the result, as ``carag eval --format json``), and the
        explanation of one question when asked; ``{"error": ...}`` when the rules or the case data are wrong."""
        rules = self.analysis().rules
        if rules is None:
            return {"error": "the rules have errors; fix them to route a case"}
        try:
            result = evaluate_case(rules, case)
        except CaragError as error:
            return {"error": str(error)}
        answer: dict[str, Any] = {"result": json.loads(json.dumps(result.to_dict(), default=str))}
        if explain is not None:
            answer["explain"] = result.explain(explain) if explain in rules.questions else f"no question {explain}"
        return answer

    def examples(self) -> list[dict[str, Any]]:
        """The example cases of the rule set (``examples/*.json`` beside its folder, without the expected results)."""
        folder = self.folder / "examples"
        found = []
        for file in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            if file.name.endswith(".expected.json"):
                continue
            try:
                found.append({"name": file.stem, "case": json.loads(file.read_text(encoding="utf-8"))})
            except ValueError as error:
                found.append({"name": file.stem, "error": f"{file.name} is not JSON: {error}"})
        return found

    # -- the checks, as the command line prints them
    def command(self, *arguments: str) -> dict[str, Any]:
        """Run ``carag ARGUMENTS`` (paths relative to the folder's parent) and return its exit status and output."""
        from carag_dsl.cli import main as carag_main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _working_folder(self.folder.parent):
            status = carag_main(list(arguments))
        return {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}

    def test(self) -> dict[str, Any]:
        return self.command("test", self.folder.name)

    def lint(self) -> dict[str, Any]:
        return self.command("lint", self.folder.name)

    def diff(self) -> dict[str, Any]:
        return self.command("diff", str(self.published), self.folder.name)

    def handbook(self) -> dict[str, Any]:
        rules = self.analysis().rules
        if rules is None:
            return {"error": "the rules have errors; fix them to see the handbook"}
        return {"html": render_handbook(rules)}


@contextlib.contextmanager
def _working_folder(folder: Path):
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)
