"""A real LSP client (pygls's) driving ``carag lsp`` over stdio, for the language-server tests and benchmark.

``LspSession`` starts ``python -m carag_dsl lsp`` (the command editors run),
initialises it, and keeps every ``textDocument/publishDiagnostics`` it receives
so a test can wait for the diagnostics of a file to settle on what it expects.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path
from typing import Awaitable, Callable, TypeVar

from lsprotocol import types
from pygls.lsp.client import LanguageClient


_T = TypeVar("_T")


class LspSession:
    def __init__(self, cwd: Path):
        self.cwd = cwd
        self.client = LanguageClient("carag-tests", "1")
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.arrivals: dict[str, float] = {}
        self._changed = asyncio.Event()
        self.versions: dict[str, int] = {}
        self.opened: list[str] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = params.diagnostics
            self.arrivals[params.uri] = asyncio.get_running_loop().time()
            self._changed.set()

        @self.client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
        def on_lens_refresh(params: None) -> None:
            return None

    async def __aenter__(self) -> "LspSession":
        await self.client.start_io(sys.executable, "-m", "carag_dsl", "lsp", cwd=str(self.cwd))
        await self.client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=self.cwd.as_uri(), process_id=None)
        )
        self.client.initialized(types.InitializedParams())
        return self

    async def __aexit__(self, *exc) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    # -- documents
    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.resolve().as_uri()
        self.versions[uri] = 1
        self.opened.append(uri)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="carag", version=1,
                                                 text=path.read_text(encoding="utf-8") if text is None else text)
        ))
        return uri

    def replace(self, uri: str, text: str) -> None:
        """Send the whole new text of an open document."""
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        ))

    async def close_all(self) -> None:
        """Close every document opened so far and forget the diagnostics received.

        A request answered after the closes proves the server has sent everything
        they caused (it handles messages in order), so nothing stale arrives later.
        """
        for uri in self.opened:
            self.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        if self.opened:
            await self.client.text_document_document_symbol_async(
                types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=self.opened[0])))
        self.opened.clear()
        self.diagnostics.clear()

    async def wait_diagnostics(self, uri: str, settled: Callable[[list[types.Diagnostic]], bool], timeout: float = 30) -> list[types.Diagnostic]:
        """The diagnostics of ``uri`` once they satisfy ``settled`` (fails after ``timeout`` seconds)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (uri in self.diagnostics and settled(self.diagnostics[uri])):
            self._changed.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no diagnostics as expected for {uri} within {timeout}s; last: {self.diagnostics.get(uri)}")
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass
        return self.diagnostics[uri]


def position_of(text: str, needle: str, occurrence: int = 0, offset: int = 0) -> types.Position:
    """The position of the ``occurrence``-th ``needle`` in ``text`` (plus ``offset`` characters)."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """The text after the edits (positions as in the original; ASCII and BMP text, so UTF-16 = characters)."""
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        return min(starts[position.line] + position.character, len(text)) if position.line < len(starts) else len(text)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


class BackgroundSession:
    """An :class:`LspSession` on an event loop of its own thread, so synchronous tests can share one server."""

    def __init__(self, cwd: Path):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.session = LspSession(cwd)
        self.run(self.session.__aenter__())

    def run(self, work: Awaitable[_T], timeout: float = 120) -> _T:
        async def bounded() -> _T:
            return await asyncio.wait_for(work, timeout)
        return asyncio.run_coroutine_threadsafe(bounded(), self.loop).result()

    def close(self) -> None:
        try:
            self.run(self.session.__aexit__(None, None, None), timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
