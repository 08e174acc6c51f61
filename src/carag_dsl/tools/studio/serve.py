"""Serve a built studio on 127.0.0.1 for one person (``carag studio --serve``): any static server would do."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class StudioRequestHandler(SimpleHTTPRequestHandler):
    # Module scripts and WebAssembly need their own types (older Pythons guess neither).
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".mjs": "text/javascript",
                      ".wasm": "application/wasm", ".json": "application/json"}

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the standard library's name
        pass  # one person's page: a line per file loaded says nothing useful


def studio_server(folder: Path, port: int = 0) -> ThreadingHTTPServer:
    """A server of ``folder`` bound to 127.0.0.1 only (port 0: any free port; see ``server_address``)."""
    handler = functools.partial(StudioRequestHandler, directory=str(folder))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)
