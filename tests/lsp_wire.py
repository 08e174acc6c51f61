"""A raw JSON-RPC client for ``carag lsp``: bytes in, framed messages out, for hostile messages a real client never sends.

Used by ``tests/test_lsp_hostile.py`` and by ``python -m tests.fuzz_inputs --lsp`` (random JSON-RPC).
"""

from __future__ import annotations

import json
import os
import queue
import resource
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

#: The server's address space in the tests: a message it allocated in full would not fit.
ADDRESS_SPACE = 3 * 1024**3


class WireClient:
    def __init__(self, cwd: Path):
        def limit() -> None:  # never above a limit already set (a run under prlimit, say)
            hard = resource.getrlimit(resource.RLIMIT_AS)[1]
            wanted = ADDRESS_SPACE if hard == resource.RLIM_INFINITY else min(ADDRESS_SPACE, hard)
            resource.setrlimit(resource.RLIMIT_AS, (wanted, wanted))

        self.process = subprocess.Popen(
            [sys.executable, "-m", "carag_dsl", "lsp"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, preexec_fn=limit, env={**os.environ, "CARAG_NO_CACHE": "1"},
        )
        self.messages: queue.Queue = queue.Queue()
        self.published: dict[str, list] = {}  # uri -> the diagnostics published last
        self.peak_mb: float | None = None  # the server's peak resident memory, once it has exited
        self.cpu_seconds: float | None = None  # and the processor time it used
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()
        self.next_id = 0

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                elif line in (b"\r\n", b"\n") and length is not None:
                    break
            self.messages.put(json.loads(stream.read(length)))

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr = self.process.stderr.read()

    # -- sending
    def send_raw(self, data: bytes) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except BrokenPipeError:
            pass

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def request(self, method: str, params: Any = None) -> int:
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    # -- receiving
    def reply(self, message_id: Any, timeout: float = 30) -> dict[str, Any]:
        """The response to ``message_id`` (notifications and server requests before it are passed over)."""
        while True:
            message = self.messages.get(timeout=timeout)
            if message is None:
                raise AssertionError(f"the server closed its output; stderr: {self.stderr[-2000:]!r}")
            if message.get("method") == "textDocument/publishDiagnostics":
                self.published[message["params"]["uri"]] = message["params"]["diagnostics"]
            if "method" not in message and message.get("id") == message_id:
                return message

    def initialize(self, root: Path) -> None:
        # Starting takes a second or two, and much longer on a machine busy with other work.
        self.reply(self.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}), timeout=180)
        self.notify("initialized", {})

    def close(self, timeout: float = 30) -> int:
        """Shutdown and exit as a client does; the server's exit status."""
        try:
            self.reply(self.request("shutdown"), timeout=timeout)
            self.notify("exit")
        except (AssertionError, queue.Empty):
            pass
        killer = threading.Timer(timeout, self.process.kill)
        killer.start()
        _, wait_status, usage = os.wait4(self.process.pid, 0)  # the server's own peak memory
        killer.cancel()
        self.process.returncode = os.waitstatus_to_exitcode(wait_status)
        self.peak_mb = usage.ru_maxrss / 1024
        self.cpu_seconds = usage.ru_utime + usage.ru_stime
        self._stderr_reader.join(10)
        return self.process.returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
