"""The Dask cluster of ``carag rate --engine dask``: reaching the scheduler, the files the workers open, and
what the cluster can do wrong, each as one line and exit status 2 (a usage error: the run never started, or
the cluster failed it; the data was not at fault).

- ``--scheduler`` is checked before anything is sent: a bad address, an unknown scheme, a scheduler that does
  not answer within :data:`CONNECT_SECONDS` (a refused connection is said at once);
- every file is sent as an absolute path, and with a scheduler of another machine each worker is asked
  whether it has each file, of the same size: a relative glob expanded here is never opened in another
  folder there (it once rated 24 cases of another cluster's folder instead of 9.6 million);
- a worker the scheduler gives up on (``KilledWorker``) or a scheduler lost mid-run ends the run.
"""

from __future__ import annotations

import contextlib
import gc
import os
import socket
import sys
from typing import Any, Iterator

from carag_dsl.errors import UsageError

#: Seconds to wait for the scheduler to answer.
CONNECT_SECONDS = 10.0


def absolute_files(files: list[str]) -> list[str]:
    """The paths the workers open: absolute, so no worker reads them from its own working folder."""
    return [os.path.abspath(path) for path in files]


@contextlib.contextmanager
def dask_client(address: Any) -> Iterator[Any]:
    """A Client of ``address`` (a scheduler address :func:`check_address` passed, or a LocalCluster), or a
    UsageError saying why not."""
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        _forget_failed_clients()
        raise UsageError(f"the Dask scheduler {address} did not answer as a Dask scheduler: {_reason(error)}") from None
    try:
        yield client
    finally:
        with contextlib.suppress(OSError, TimeoutError):
            client.close()


def check_address(address: str) -> None:
    """A UsageError for an address Dask cannot use, or a scheduler that refuses the connection."""
    from distributed.comm import parse_address, parse_host_port
    from distributed.comm.registry import backends

    try:
        scheme, location = parse_address(address)
        if scheme not in backends:
            raise ValueError(f"unknown scheme {scheme!r} (Dask knows {', '.join(sorted(backends))})")
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else (None, None)
    except (ValueError, TypeError) as error:
        raise UsageError(f"--scheduler {address!r} is not a Dask scheduler address: {_reason(error)} (e.g. tcp://scheduler:8786)") from None
    if host is None:
        return
    try:
        socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
    except OSError as error:
        raise UsageError(f"cannot reach the Dask scheduler {address}: {_reason(error)}") from None


def check_workers_have(client: Any, files: list[str], shown: list[str]) -> None:
    """A UsageError unless every worker has every file (absolute paths), of the size it has here."""
    from carag_dsl.bulk import file_sizes

    sizes = file_sizes(files)
    try:
        seen = client.run(file_sizes, files)
    except (OSError, TimeoutError) as error:
        raise UsageError(f"the Dask cluster failed: {_reason(error)}") from None
    if not seen:
        raise UsageError("the Dask scheduler has no workers: start some (dask worker SCHEDULER_ADDRESS) and run again")
    for worker, there in sorted(seen.items()):
        for name, path, size, size_there in zip(shown, files, sizes, there):
            if size_there != size:
                what = "does not exist" if size_there is None else f"is {size_there:,} bytes there, {size:,} here"
                relative = f" (read as {path})" if name != path else ""
                raise UsageError(f"{name}{relative} {what} on the Dask worker {worker}: the workers open the files by the paths "
                                 "given here, so give files every worker reads at the same path (a shared folder)")


def gather(client: Any, futures: Any) -> Any:
    """The tasks' results; a killed worker or a lost scheduler as a UsageError (the data was not at fault)."""
    from distributed import KilledWorker

    try:
        return client.gather(futures)
    except KilledWorker as error:
        raise UsageError(f"a Dask worker died while rating ({_reason(error)}); the rating was not made: "
                         "see the workers' logs (memory limit?)") from None
    except (OSError, TimeoutError) as error:
        raise UsageError(f"lost the Dask cluster while rating: {_reason(error)}") from None


def _reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or " ".join(str(error).split()) or type(error).__name__
    text = text[0].lower() + text[1:]
    return text if len(text) <= 300 else text[:299] + "…"


def _forget_failed_clients() -> None:
    """Collect a Client whose start failed now, without the 'Exception ignored' traceback its __del__ prints."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook
