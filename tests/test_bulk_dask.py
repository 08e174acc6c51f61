"""``carag rate --engine dask`` against a real scheduler (a LocalCluster on 127.0.0.1, never another address):
files sent as absolute paths, a relative glob rated from another folder than the workers', bad or unreachable
schedulers and killed workers as one-line errors with exit status 2, each rejected row named with its file."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
distributed = pytest.importorskip("distributed")

from carag_dsl.cli import _dask, main  # noqa: E402
from carag_dsl.errors import UsageError  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "sample"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as local:
        yield local


@pytest.fixture
def parts(tmp_path):
    """Two Parquet files in tmp_path/elsewhere/parts: three good rows, one bad in each."""
    folder = tmp_path / "elsewhere" / "parts"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"id": ["a1", "a2", "a3"], "mappa": ["yes", "", "maybe"]}), folder / "a.parquet")
    pq.write_table(pa.table({"id": ["b1", "b2"], "sentence": ["parole", "licence"]}), folder / "b.parquet")
    return folder


def test_a_relative_glob_is_rated_from_this_folder_not_the_workers(cluster, parts, monkeypatch, capsys):
    # The workers started in the test's folder; the glob is relative to another one, where the files are.
    monkeypatch.chdir(parts.parent)
    code, out, err = run(capsys, "rate", SAMPLE, "--engine", "dask", "--scheduler", cluster.scheduler_address,
                         "--cases", "parts/*.parquet", "--format", "json")
    assert code == 1, err
    counts = json.loads(out)["counts"]
    assert (counts["read"], counts["rejected"]) == (5, 2)
    # The rejected count names the file of each rejected row (rows are numbered within their own file).
    assert list(zip(counts["rejected_files"], counts["rejected_lines"])) == [("parts/a.parquet", 3), ("parts/b.parquet", 1)]
    assert "parts/a.parquet:3: error: " in err and "parts/b.parquet:1: error: " in err


def test_the_table_names_the_file_of_each_rejected_row(cluster, parts, capsys):
    code, out, _ = run(capsys, "rate", SAMPLE, "--engine", "dask", "--scheduler", cluster.scheduler_address,
                       "--cases", f"{parts}/*.parquet")
    assert code == 1 and f"2 rejected (rows {parts}/a.parquet:3 and {parts}/b.parquet:1)" in out  # rows of Parquet files


class _Workers:
    """A client of workers that see other files than this machine (what client.run(file_sizes, ...) answers)."""

    def __init__(self, answers):
        self.answers = answers

    def run(self, function, paths):
        return self.answers


def test_a_file_a_worker_does_not_have_is_refused_before_anything_is_rated(parts):
    files = [str(parts / "a.parquet")]  # as absolute_files sends "parts/a.parquet" from parts.parent
    with pytest.raises(UsageError, match=r"parts/a.parquet \(read as .*/elsewhere/parts/a.parquet\) does not exist on the Dask worker tcp://w:1"):
        _dask.check_workers_have(_Workers({"tcp://w:1": [None]}), files, ["parts/a.parquet"])
    with pytest.raises(UsageError, match=r"is 1 bytes there"):
        _dask.check_workers_have(_Workers({"tcp://w:1": [1]}), files, files)
    with pytest.raises(UsageError, match="has no workers"):
        _dask.check_workers_have(_Workers({}), files, files)


def _refusing_port() -> int:
    with socket.socket() as probe:  # a port nothing listens on: bound, never listening, then closed
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("address, words", [
    ("nonsense", "is not a Dask scheduler address: missing port number"),
    ("tcp://127.0.0.1:notaport", "is not a Dask scheduler address"),
    ("http://127.0.0.1:8786", "unknown scheme 'http'"),
    ("", "is not a Dask scheduler address"),
    (None, "cannot reach the Dask scheduler tcp://127.0.0.1:"),
])
def test_a_bad_or_unreachable_scheduler_is_one_line_and_exit_2(parts, address, words, capsys):
    address = f"tcp://127.0.0.1:{_refusing_port()}" if address is None else address
    code, out, err = run(capsys, "rate", SAMPLE, "--engine", "dask", "--scheduler", address, "--cases", f"{parts}/*.parquet")
    assert (code, out) == (2, "")
    assert words in err and "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("carag rate: error: ")] == err.splitlines()[-1:]


class _KillTheWorker(distributed.diagnostics.plugin.SchedulerPlugin):
    """Kills the process of the worker a rating task is sent to: the worker dies under the task."""

    def __init__(self, cluster):
        self.cluster = cluster

    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "processing" and "rate_parquet_file" in str(key):
            for nanny in self.cluster.workers.values():
                if nanny.process is not None and nanny.process.process is not None:
                    os.kill(nanny.process.process.pid, 9)


def test_a_killed_worker_is_one_line_and_exit_2(parts, capsys):
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as doomed:
        doomed.scheduler.add_plugin(_KillTheWorker(doomed))
        code, out, err = run(capsys, "rate", SAMPLE, "--engine", "dask", "--scheduler", doomed.scheduler_address,
                             "--cases", f"{parts}/*.parquet")
    assert (code, out) == (2, "")
    assert "a Dask worker died while rating" in err and "Traceback" not in err
