"""The language server's wire: JSON-RPC messages framed by ``Content-Length`` over stdin and stdout, bounded.

pygls reads whatever a header announces (a ``Content-Length`` of a terabyte is a terabyte to allocate) and
answers nothing to a request it cannot read. Here:

- a header line is read up to :data:`MAX_HEADER_LINE` bytes, a message up to :data:`MAX_MESSAGE`; a larger one
  is read through in chunks and dropped, answered with an "invalid request" error (its id is unknown: null);
- a body that is not JSON is answered with a parse error, one that is not a JSON-RPC message with an invalid
  request, and a request whose parameters do not fit its method with "invalid params", with the request's id;
- stdin is read by a daemon thread, so ``exit`` ends the process at once and cleanly (no reader to wait for).
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import threading
from typing import Any, BinaryIO

from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidRequest, JsonRpcParseError

#: The longest header line read, and the largest message (a rule file of a few MB is a large one).
MAX_HEADER_LINE = 4096
MAX_MESSAGE = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
_CONTENT_LENGTH = re.compile(rb"content-length:[ \t]*(\d+)[ \t]*\r?\n?", re.IGNORECASE)


class _StdinThread:
    """Reads stdin on a daemon thread; the event loop awaits what it asks for."""

    def __init__(self, stdin: BinaryIO, loop: asyncio.AbstractEventLoop):
        self.stdin = stdin
        self.loop = loop

    def _run(self, work) -> asyncio.Future:
        future = self.loop.create_future()

        def target() -> None:
            try:
                result = work()
            except Exception as error:  # noqa: BLE001 - handed to the loop, which decides
                self.loop.call_soon_threadsafe(_settle, future, None, error)
            else:
                self.loop.call_soon_threadsafe(_settle, future, result, None)

        threading.Thread(target=target, daemon=True, name="carag-lsp-stdin").start()
        return future

    def readline(self) -> asyncio.Future:
        return self._run(lambda: self.stdin.readline(MAX_HEADER_LINE))

    def read(self, count: int) -> asyncio.Future:
        return self._run(lambda: self.stdin.read(count))


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _write_error(stdout: BinaryIO, message_id: Any, error: JsonRpcException) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": message_id, "error": {"code": error.code, "message": error.message}}).encode()
    stdout.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stdout.flush()


async def serve_messages(server, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Read framed messages from ``stdin`` and hand each to the server's protocol until EOF or ``exit``."""
    from pygls.io_ import StdoutWriter

    protocol = server.protocol
    stop = threading.Event()
    server._stop_event = stop  # pygls's shutdown() sets it; there is no public way to hand it one
    protocol.set_writer(StdoutWriter(stdout))
    reader = _StdinThread(stdin, asyncio.get_running_loop())
    length: int | None = None
    while not stop.is_set():
        line = await reader.readline()
        if not line:
            return
        if not line.endswith(b"\n"):  # a header line longer than any real one: read past it
            while line and not line.endswith(b"\n"):
                line = await reader.readline()
            continue
        match = _CONTENT_LENGTH.fullmatch(line)
        if match:
            length = int(match.group(1))
            continue
        if line.strip() or length is None:  # another header, or a blank line with no length before it
            continue
        size, length = length, None
        if size > MAX_MESSAGE:
            sys.stderr.write(f"carag lsp: refused a message of {size:,} bytes (the most is {MAX_MESSAGE:,})\n")
            if not await _skip(reader, size):
                return
            _write_error(stdout, None, JsonRpcInvalidRequest(f"message of {size:,} bytes refused: the most is {MAX_MESSAGE:,}"))
            continue
        body = await reader.read(size)
        if len(body) < size:
            return
        _handle(protocol, stdout, body)


async def _skip(reader: _StdinThread, size: int) -> bool:
    """Read ``size`` bytes and keep none; False at the end of the input."""
    while size > 0:
        chunk = await reader.read(min(size, _CHUNK))
        if not chunk:
            return False
        size -= len(chunk)
    return True


def _protocol_notification(data: dict) -> bool:
    """A ``$/`` message as the protocol writes it: a notification; ``$/cancelRequest`` with the id to cancel."""
    if "id" in data:
        return False
    params = data.get("params")
    if data["method"] == "$/cancelRequest":
        return isinstance(params, dict) and isinstance(params.get("id"), (int, str)) and not isinstance(params.get("id"), bool)
    return True


def _handle(protocol, stdout: BinaryIO, body: bytes) -> None:
    try:
        data = json.loads(body)
    except ValueError:
        _write_error(stdout, None, JsonRpcParseError("the message is not JSON"))
        return
    if not isinstance(data, dict) or data.get("jsonrpc") != "2.0":
        _write_error(stdout, data.get("id") if isinstance(data, dict) else None,
                     JsonRpcInvalidRequest("not a JSON-RPC 2.0 message"))
        return
    request_id = data.get("id") if "method" in data else None
    if str(data.get("method", "")).startswith("$/") and not _protocol_notification(data):
        if request_id is not None:  # "$/..." are notifications, with their own parameters
            _write_error(stdout, request_id, JsonRpcInvalidRequest(f"{data['method']} is a notification with other parameters"))
        return
    try:
        message = protocol.structure_message(data)
    except JsonRpcException as error:  # parameters that do not fit the method
        if request_id is not None:
            _write_error(stdout, request_id, error)
        return
    try:
        protocol.handle_message(message)
    except Exception as error:  # noqa: BLE001 - pygls answers a handler's own errors; this is anything around them
        sys.stderr.write(f"carag lsp: could not handle a {data.get('method', 'message')!r}: {type(error).__name__}\n")
        if request_id is not None:
            _write_error(stdout, request_id, JsonRpcInternalError(f"{type(error).__name__}: {error}"))
