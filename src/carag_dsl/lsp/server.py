"""The pygls wiring: LSP requests and notifications to the feature modules of :mod:`carag_dsl.lsp`.

Every open document belongs to a rule set (its root file, found as ``carag check``
finds it). Each change re-checks that rule set with the buffers as they are and
publishes the diagnostics of every file in it, clearing files that have none.
The check runs on a thread of its own once the edits pause, and lint, the slow
part, on another once the typing pauses; each is stopped when the text changes
again. A request waits for the check of the latest edits for at most
:data:`REQUEST_WAIT` seconds, then is answered from the last check that finished,
so requests are answered while a huge or hostile file is checked. Only
``.carag`` documents are taken; closing one drops what was kept of it.
Messages come and go through :mod:`.wire` (bounded, every bad request answered).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from carag_dsl.lsp import completion, examples, hover, navigation
from carag_dsl.errors import Diagnostic
from carag_dsl.lsp.diagnostics import to_lsp
from carag_dsl.lsp.lint_findings import LintCache, Stopped
from carag_dsl.lsp.formatting import format_edits
from carag_dsl.lsp.positions import Lines
from carag_dsl.lsp.workspace import Analysis, CheckStopped, Workspace, resolved

SERVER_NAME = "carag-lsp"
LINT_DELAY = 0.3  # seconds without an edit before lint runs
CHECK_DELAY = 0.05  # seconds without an edit before the rule set is checked again (a request checks at once)
REQUEST_WAIT = 1.0  # seconds a request waits for the check of the latest edits before the last check answers it


def path_of(uri: str) -> Path:
    return resolved(to_fs_path(uri) or uri)


def is_rule_file(path: Path) -> bool:
    """A document the server takes: a ``.carag`` file (never, say, ``/proc/self/environ``)."""
    return path.suffix == ".carag"


def rule_path(uri: str) -> Path:
    """The path of a request's document; a request about anything but a .carag file is refused."""
    path = path_of(uri)
    if not is_rule_file(path):
        raise JsonRpcInvalidParams(f"not a .carag file: {uri}")
    return path


class CaragSession:
    """What the server keeps between messages: the workspace, each rule set's analysis, the chosen examples."""

    def __init__(self, server: LanguageServer):
        self.server = server
        self.workspace = Workspace()
        self.analyses: dict[Path, Analysis] = {}
        self.published: dict[Path, set[Path]] = {}
        self.example: dict[Path, Path] = {}
        self.lint = LintCache()
        self.generation: dict[Path, int] = {}  # edits per rule set, so a pending lint knows it is stale
        self._linter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="carag-lint")
        self._checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="carag-check")
        self._stops: dict[Path, threading.Event] = {}  # per rule set: set to stop the lint running for it
        self._check_stops: dict[Path, threading.Event] = {}  # per rule set: set to stop the check running for it
        self._checks: dict[Path, asyncio.Future] = {}  # per rule set: done when the check of its last edits is
        self._pending: dict[Path, asyncio.TimerHandle] = {}  # per rule set: the check of its last edits, to come

    async def request_analysis(self, path: Path) -> Analysis:
        """The analysis a request about ``path`` is answered from: that of the text as it is when its check
        finishes within :data:`REQUEST_WAIT`, else the last one that finished (empty before the first)."""
        root = self.workspace.root_of(path)
        checking = self._checks.get(root)
        if root in self._pending or (checking is None and root not in self.analyses):
            checking = self._check(root, path)  # an edit not yet checked (or a rule set never checked): now
        if checking is not None and not checking.done():
            try:
                await asyncio.wait_for(asyncio.shield(checking), REQUEST_WAIT)
            except asyncio.TimeoutError:  # still checking: answered from the check before
                pass
        return self.analyses.get(root) or Analysis.unchecked(root)

    def edited(self, path: Path) -> None:
        """Re-check after an edit once the edits pause (:data:`CHECK_DELAY`): a burst of edits is checked once,
        on the checker thread; the check and lint of the text before are stopped."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not inside the server's event loop: check now
            self.refresh(path)
            return
        root = self.workspace.root_of(path)
        self._stop_work(root)
        pending = self._pending.pop(root, None)
        if pending is not None:
            pending.cancel()
        self._pending[root] = loop.call_later(CHECK_DELAY, self._check, root, path)

    def _check(self, root: Path, path: Path) -> asyncio.Future:
        """Check the rule set of ``root`` on the checker thread, with the buffers as they are now; the future
        is done when the check finished (its analysis installed, unless the text changed since)."""
        pending = self._pending.pop(root, None)
        if pending is not None:
            pending.cancel()
        self._stop_work(root)
        loop = asyncio.get_running_loop()
        generation = self._next_generation(root)
        stop = self._check_stops[root] = threading.Event()
        files = self.workspace.open_files(root)
        self.workspace.indexing(files)
        work = self._checker.submit(self.workspace.check, root, files, self.workspace.snapshot(), stop.is_set)
        checked = self._checks[root] = loop.create_future()

        def done(finished: Future) -> None:
            if not checked.done():
                checked.set_result(None)
            if finished.cancelled() or stop.is_set() or self.generation.get(root) != generation:
                return
            try:
                analysis = finished.result()
            except CheckStopped:
                return
            self._install(root, analysis, path, generation)

        work.add_done_callback(lambda finished: _hand_over(loop, done, finished))
        return checked

    def refresh(self, path: Path) -> None:
        """Re-check the rule set of ``path`` here and now, and publish the diagnostics of each of its files
        (outside the server's event loop: the tests, the studio)."""
        root = self.workspace.root_of(path)
        self._stop_work(root)
        generation = self._next_generation(root)
        self._install(root, self.workspace.analyse(root), path, generation)

    def _next_generation(self, root: Path) -> int:
        self.generation[root] = generation = self.generation.get(root, 0) + 1
        return generation

    def _stop_work(self, root: Path) -> None:
        """Stop the check and lint of the rule set's text before an edit: their results would be stale."""
        for running in (self._check_stops.pop(root, None), self._stops.pop(root, None)):
            if running is not None:
                running.set()

    def _install(self, root: Path, analysis: Analysis, path: Path, generation: int) -> None:
        """Keep a finished check and publish its diagnostics. Lint findings follow once the typing pauses
        (:data:`LINT_DELAY`), unless the rule set's text was linted before."""
        self.analyses.pop(root, None)  # keep the rule set edited last at the end
        self.analyses[root] = analysis
        findings = self.lint.cached(root, analysis.rules) if analysis.rules is not None else []
        self._publish(root, analysis, findings or [], also=path)
        if findings is None:
            try:
                asyncio.get_running_loop().call_later(LINT_DELAY, self._lint_later, root, generation)
            except RuntimeError:  # not inside the server's event loop: lint now
                self._lint_later(root, generation)

    def _lint_later(self, root: Path, generation: int) -> None:
        """Lint the rule set on the worker thread; publish when done, unless edited again since."""
        if self.generation.get(root) != generation:  # edited again since: that edit's turn will come
            return
        analysis = self.analyses[root]
        if analysis.rules is None:
            return
        stop = self._stops[root] = threading.Event()
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:  # called outside the server (the tests, the studio): lint here
            self._publish(root, analysis, self.lint.run(root, analysis.rules))
            return
        work = self._linter.submit(self.lint.run, root, analysis.rules, stop.is_set)

        def done(finished: Future) -> None:
            if finished.cancelled() or self.generation.get(root) != generation or stop.is_set():
                return
            try:
                findings = finished.result()
            except Stopped:
                return
            self._publish(root, analysis, findings)

        work.add_done_callback(lambda finished: _hand_over(loop, done, finished))

    def close(self, path: Path) -> None:
        """A document closed: the file on disk counts again, and nothing kept of the closed text remains."""
        self.workspace.close_buffer(path)
        root = self.workspace.root_of(path)
        pending = self._pending.pop(root, None)
        if pending is not None:
            pending.cancel()
        if not self.workspace.has_open_files(root):  # the rule set is no longer edited: drop what was kept of it
            self._stop_work(root)
            self._checks.pop(root, None)
            analysis = self.analyses.pop(root, None)
            if analysis is not None:
                self.workspace.forget_files(analysis.files)
            self.lint.forget(root)
            self.example.pop(root, None)
            self.generation.pop(root, None)
            for file in sorted(self.published.pop(root, set())):  # what is not open shows no diagnostics
                self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=file.as_uri(), diagnostics=[]))
            return
        self.edited(path)

    def stop_all(self) -> None:
        """Stop every check and lint, and their workers (at exit)."""
        for stop in [*self._stops.values(), *self._check_stops.values()]:
            stop.set()
        self._linter.shutdown(wait=False, cancel_futures=True)
        self._checker.shutdown(wait=False, cancel_futures=True)

    def _publish(self, root: Path, analysis: Analysis, lint: list[Diagnostic], also: Path | None = None) -> None:
        by_file = {file: list(found) for file, found in analysis.diagnostics.items()}
        for finding in lint:
            by_file.setdefault(resolved(finding.span.path), []).append(finding)
        files = set(by_file) | self.published.get(root, set()) | ({also} if also else set())
        for file in sorted(files):
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=file.as_uri(), diagnostics=[to_lsp(d) for d in by_file.get(file, [])]
            ))
        self.published[root] = set(by_file)


def _hand_over(loop: asyncio.AbstractEventLoop, done, finished: Future) -> None:
    """Give a worker's finished work to the event loop, unless the server has stopped (its loop closed: at exit,
    the work still queued is cancelled, and there is nothing left to publish it to)."""
    try:
        loop.call_soon_threadsafe(done, finished)
    except RuntimeError:  # the loop is closed
        pass


def build_server() -> LanguageServer:
    server = LanguageServer(SERVER_NAME, _version(), text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
    session = CaragSession(server)
    server.carag_session = session  # type: ignore[attr-defined]  # for serve(): stop the lint worker at exit
    workspace = session.workspace

    def document_text(uri: str) -> str:
        return server.workspace.get_text_document(uri).source

    # -- documents
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if not is_rule_file(path):
            return
        workspace.set_buffer(path, params.text_document.text)
        workspace.forget_roots()
        session.edited(path)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if not workspace.is_open(path):  # only what was opened (a .carag file) is edited here
            return
        workspace.set_buffer(path, document_text(params.text_document.uri))
        session.edited(path)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if not workspace.is_open(path):
            return
        workspace.forget_roots()  # a saved include or header can move a file to another rule set
        session.edited(path)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        if workspace.is_open(path):  # closing what was never opened reads nothing
            session.close(path)

    # -- reading the rules
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(params: types.HoverParams) -> types.Hover | None:
        path = rule_path(params.text_document.uri)
        analysis = await session.request_analysis(path)
        here = navigation.symbol_at(workspace, analysis, path, params.position)
        if here is None:
            return None
        occurrence, key = here
        text = hover.describe(key, analysis.symbols)
        if text is None:
            return None
        lines = Lines(workspace.text(path))
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=lines.range(occurrence.line, occurrence.column, occurrence.end_line, occurrence.end_column),
        )

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["[", " "]))
    async def on_completion(params: types.CompletionParams) -> types.CompletionList:
        path = rule_path(params.text_document.uri)
        analysis = await session.request_analysis(path)
        items = completion.complete(workspace.text(path), params.position, analysis.symbols)
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def on_definition(params: types.DefinitionParams) -> list[types.Location]:
        path = rule_path(params.text_document.uri)
        return navigation.definition(workspace, await session.request_analysis(path), path, params.position)

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    async def on_references(params: types.ReferenceParams) -> list[types.Location]:
        path = rule_path(params.text_document.uri)
        return navigation.references(workspace, await session.request_analysis(path), path, params.position, params.context.include_declaration)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_document_symbol(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        module = workspace.parsed(rule_path(params.text_document.uri))
        return navigation.document_symbols(module) if module is not None else []

    # -- changing the rules
    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def on_formatting(params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
        path = rule_path(params.text_document.uri)
        module = workspace.parsed(path, complete=True)
        if module is None:  # carag fmt leaves a file that does not parse as it is
            return None
        return format_edits(workspace.text(path), module)

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    async def on_prepare_rename(params: types.PrepareRenameParams) -> types.Range | None:
        path = rule_path(params.text_document.uri)
        return navigation.prepare_rename(workspace, await session.request_analysis(path), path, params.position)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    async def on_rename(params: types.RenameParams) -> types.WorkspaceEdit | None:
        path = rule_path(params.text_document.uri)
        analysis = await session.request_analysis(path)
        try:
            return navigation.rename(workspace, analysis, path, params.position, params.new_name)
        except navigation.RenameRefused as refused:
            raise JsonRpcInvalidParams(str(refused)) from None

    # -- the example cases
    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    async def on_code_lens(params: types.CodeLensParams) -> list[types.CodeLens]:
        path = rule_path(params.text_document.uri)
        module = workspace.parsed(path)
        if module is None:
            return []
        analysis = await session.request_analysis(path)
        chosen = session.example.get(analysis.root)
        outcome = examples.evaluate(analysis.rules, chosen) if chosen is not None and analysis.rules is not None else None
        return examples.code_lenses(module, outcome, bool(examples.example_files(analysis.root)), analysis.rules is not None)

    @server.command(examples.COMMAND)
    async def evaluate_example(*arguments: Any) -> dict[str, Any]:
        """Arguments: the example (name or path), or nothing for the next one; and, optionally, a document URI."""
        wanted = str(arguments[0]) if arguments and arguments[0] else None
        uri = str(arguments[1]) if len(arguments) > 1 else None
        analysis = await _analysis_for_command(session, uri)
        if analysis is None:
            raise JsonRpcInvalidParams("open a .carag file of the rule set first")
        chosen = examples.choose(analysis.root, session.example.get(analysis.root), wanted)
        if chosen is None:
            raise JsonRpcInvalidParams(f"no example case {wanted or ''} in {analysis.root.parent / 'examples'}".replace("  ", " "))
        session.example[analysis.root] = chosen
        if analysis.rules is None:
            return {"example": chosen.name, "error": "the rule set has errors; fix them to evaluate the example"}
        outcome = examples.evaluate(analysis.rules, chosen)
        try:
            server.workspace_code_lens_refresh(None)
        except Exception:  # noqa: BLE001 - a client without code lens refresh still gets the answer
            pass
        return outcome

    return server


async def _analysis_for_command(session: CaragSession, uri: str | None) -> Analysis | None:
    if uri:
        return await session.request_analysis(rule_path(uri))
    return next(reversed(session.analyses.values()), None)  # the rule set edited last


def _version() -> str:
    try:
        return version("carag-dsl")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def serve() -> int:
    """Run the server over standard input and output until the client says exit; the exit status
    (0 after a shutdown request, 1 without, as the protocol says)."""
    from carag_dsl.lsp.wire import serve_messages

    # pygls logs every refused message with its traceback; each is answered as a JSON-RPC error instead.
    logging.getLogger("pygls").setLevel(logging.CRITICAL)
    server = build_server()
    # pygls closes its output at exit: give it a stream of its own, so the command's stdout stays open to the end.
    output = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    try:
        asyncio.run(serve_messages(server, sys.stdin.buffer, output))
    except SystemExit as exiting:  # the client's exit notification
        return exiting.code if isinstance(exiting.code, int) else 0
    except (BrokenPipeError, KeyboardInterrupt):  # the client went away
        return 1
    finally:
        getattr(server, "carag_session").stop_all()
        if not output.closed:
            output.close()
    return 0
