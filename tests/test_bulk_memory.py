"""Memory stays flat however many cases a run has: ``carag eval --cases`` with either engine, every output
format, to a file and to standard output, from JSON Lines and from Parquet.

tests/memory_probe.py runs each at N and 4N clean cases (with small batches and flushes, so N is many of them)
and measures the peak of Python's allocations; a run that keeps something per case (a result line, a row, a
dict) peaks about four times higher at 4N, a bounded one the same (within what one batch holds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from memory_probe import RUNS  # noqa: E402

CASES = 150
SLACK = 512 * 1024


@pytest.fixture(scope="module")
def peaks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("memory")
    done = subprocess.run([sys.executable, str(REPO / "tests" / "memory_probe.py"), str(folder), str(CASES)],
                          capture_output=True, text=True, timeout=600, cwd=folder, env={**os.environ, "CARAG_NO_CACHE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    found = {}
    for line in done.stdout.splitlines():
        run = json.loads(line)
        found[(run["engine"], run["input"], run["format"], run["to"])] = run["peaks"]
    return found


@pytest.mark.parametrize("engine, source, fmt, dest", RUNS, ids=["-".join(run) for run in RUNS])
def test_a_run_of_clean_cases_holds_no_more_memory_at_four_times_the_cases(peaks, engine, source, fmt, dest):
    at_n, at_4n = peaks[(engine, source, fmt, dest)]
    # Keeping the 450 more cases' results would add megabytes (a compact line is about 1 kB, a JSON Lines one 5 kB);
    # what the garbage collector has not yet freed moves the peak by a few hundred kB either way.
    assert at_4n - at_n <= max(0.5 * at_n, SLACK), f"peak {at_n:,} bytes at {CASES} cases, {at_4n:,} at {4 * CASES}: memory grows with the cases"
