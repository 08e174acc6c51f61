"""Run a command in a child process held to a memory limit and a time limit, and measure what it used.

The budget tests (issue 24) run rule sets made to be expensive through the ``carag`` commands; each must
stay under 1 GB and 30 s. The child gets an address-space limit (so a runaway is killed, never the
machine), and its peak resident memory is read from ``wait4`` for that child alone.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import attrs

REPO = Path(__file__).resolve().parent.parent
CARAG = Path(sys.executable).with_name("carag")
#: What the budget tests allow every command (issue 24's "Done when").
MEMORY_LIMIT_MB = 1024
TIME_LIMIT_S = 30.0
#: The address space the child may map: more than the resident limit, since Python and CUDD reserve
#: address space they never touch; the resident peak is what the tests compare with MEMORY_LIMIT_MB.
_ADDRESS_SPACE = 3 * 1024**3


@attrs.frozen
class Bounded:
    status: int
    stdout: str
    stderr: str
    peak_mb: float
    seconds: float


def run_bounded(args: list[str], cwd: Path | None = None, stdin: bytes | None = None, env: dict | None = None) -> Bounded:
    """Run ``args`` (``carag`` first if it is a sub-command name) with the limits; killed after TIME_LIMIT_S."""
    if not os.path.isabs(args[0]) and args[0] != sys.executable:
        args = [str(CARAG), *args]

    def limit() -> None:  # never above a limit already set (a run under prlimit, say)
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        wanted = _ADDRESS_SPACE if hard == resource.RLIM_INFINITY else min(_ADDRESS_SPACE, hard)
        resource.setrlimit(resource.RLIMIT_AS, (wanted, wanted))

    environment = {**os.environ, "CARAG_NO_CACHE": "1", **(env or {})}
    started = time.monotonic()
    child = subprocess.Popen(args, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             preexec_fn=limit, env=environment)
    outputs: dict[str, bytes] = {}

    def read(name: str, stream) -> None:
        outputs[name] = stream.read()

    readers = [threading.Thread(target=read, args=(n, s)) for n, s in (("out", child.stdout), ("err", child.stderr))]
    for reader in readers:
        reader.start()
    if stdin:
        child.stdin.write(stdin)
    child.stdin.close()
    killer = threading.Timer(TIME_LIMIT_S + 5, child.kill)
    killer.start()
    _, wait_status, usage = os.wait4(child.pid, 0)  # this child's own peak memory, not its siblings'
    killer.cancel()
    child.returncode = os.waitstatus_to_exitcode(wait_status)
    seconds = time.monotonic() - started
    for reader in readers:
        reader.join()
    child.stdout.close()
    child.stderr.close()
    if seconds > TIME_LIMIT_S + 5:
        raise AssertionError(f"{' '.join(args)} ran for more than {TIME_LIMIT_S + 5:g} s and was killed")
    return Bounded(child.returncode, outputs["out"].decode("utf-8", "replace"), outputs["err"].decode("utf-8", "replace"),
                   usage.ru_maxrss / 1024, seconds)
