"""`carag rate --engine dask` against one process, and the parts a multi-machine run is made of.

Run on demand (not part of the test suite), from the repository root:

    python benchmarks/dask_run.py                     # 8 Parquet files of 100,000 cases, 3 rounds
    python benchmarks/dask_run.py --files 8 --cases 20000 --rounds 1   # a quick try

It writes the files (the generated case mix of benchmarks/cases.py, about 1% bad rows) to a temporary folder,
then times, in interleaved rounds (best of each kept):

- the whole commands, as processes: ``carag rate --cases all.parquet`` (one process, the columnar engine) and
  ``carag rate --engine dask --cases 'part-*.parquet'`` (a local cluster of two worker processes);
- the parts of a Dask run, in this process on a cluster of its own: starting the cluster, sending the rules,
  the first partition each worker rates (with the fixed cost each worker pays once: imports, the rules checked
  from their trees, lowering), the other partitions' time on their worker, the scheduler's cost per task
  (no-op tasks), closing;

and prints the table docs/bulk.md shows, with a simulation of a run on more machines made from those parts:
wall time = cluster start + the first partition + (ceil(partitions / workers) - 1) x partition time
+ partitions x per-task cost + close. Read it as a model: it assumes the files are on storage every worker reads as fast as this disk.
"""

from __future__ import annotations

import argparse
import glob
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import cases as case_mix  # noqa: E402
from bulk import wide_table  # noqa: E402

import carag_dsl  # noqa: E402

CARAG = [sys.executable, "-m", "carag_dsl"]


def write_parts(folder: Path, files: int, per_file: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rules = carag_dsl.load()
    table = wide_table(rules, list(case_mix.generate(rules, min(per_file, 100_000))))
    part = pa.concat_tables([table] * max(1, per_file // table.num_rows))
    for number in range(files):
        pq.write_table(part, folder / f"part-{number:02d}.parquet", row_group_size=65_536)
    pq.write_table(pa.concat_tables([part] * files), folder / "all.parquet", row_group_size=65_536)


def whole_commands(folder: Path, rounds: int) -> dict[str, float]:
    commands = {
        "one process": CARAG + ["rate", str(ROOT / "questions"), "--cases", str(folder / "all.parquet"), "--format", "json"],
        "dask": CARAG + ["rate", str(ROOT / "questions"), "--engine", "dask", "--cases", str(folder / "part-*.parquet"), "--format", "json"],
    }
    best = {name: math.inf for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _timed_rating(source, path):
    """A task: rate one file, with its own duration (on the worker)."""
    from carag_dsl.bulk import rate_parquet_file

    start = time.perf_counter()
    rate_parquet_file(source, path)
    return time.perf_counter() - start


def _nothing(_):
    return None


def dask_parts(folder: Path, workers: int) -> dict[str, float]:
    from distributed import Client, LocalCluster

    from carag_dsl.bulk import RulesSource

    files = sorted(glob.glob(str(folder / "part-*.parquet")))
    source = RulesSource.of(carag_dsl.load(ROOT / "questions"))
    parts: dict[str, float] = {}
    start = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster, set_as_default=False)
    parts["cluster start"] = time.perf_counter() - start
    start = time.perf_counter()
    rules = client.scatter(source, broadcast=True, hash=False)
    parts["rules sent to every worker"] = time.perf_counter() - start
    start = time.perf_counter()
    durations = client.gather(client.map(_timed_rating, [rules] * len(files), files, pure=False))
    parts["all partitions, wall"] = time.perf_counter() - start
    parts["a worker's first partition (imports, rules, lowering included)"] = max(durations[:workers])
    later = sorted(durations[workers:])
    parts["one partition on its worker (median of the others)"] = later[len(later) // 2]
    start = time.perf_counter()
    noop = client.gather(client.map(_nothing, range(200), pure=False))
    parts["scheduler cost per task (200 no-op tasks)"] = (time.perf_counter() - start) / len(noop)
    start = time.perf_counter()
    client.close()
    cluster.close()
    parts["close"] = time.perf_counter() - start
    return parts


def simulate(parts: dict[str, float], partitions: int, workers: int) -> float:
    fixed = parts["cluster start"] + parts["a worker's first partition (imports, rules, lowering included)"] + parts["close"]
    return (fixed + (math.ceil(partitions / workers) - 1) * parts["one partition on its worker (median of the others)"]
            + partitions * parts["scheduler cost per task (200 no-op tasks)"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--cases", type=int, default=100_000, help="cases per file (default 100,000)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_parts(folder, args.files, args.cases)
        whole = whole_commands(folder, args.rounds)
        parts = dask_parts(folder, workers=2)
    total = args.files * args.cases
    print(f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after; {os.cpu_count()} CPUs; {args.files} files x {args.cases:,} cases")
    print("\n| command | wall time | per case |\n|---|---:|---:|")
    for name, seconds in whole.items():
        print(f"| {name} | {seconds:.2f} s | {seconds / total * 1e6:.2f} µs |")
    print(f"\ndask / one process: {whole['dask'] / whole['one process']:.2f}x")
    print("\n| part of a Dask run (local cluster, 2 worker processes) | time |\n|---|---:|")
    for name, seconds in parts.items():
        print(f"| {name} | {seconds * 1e3:,.1f} ms |")
    per_case = parts["one partition on its worker (median of the others)"] / args.cases
    print(f"\nper case on a worker: {per_case * 1e6:.2f} µs")
    print("\n| simulated run | partitions | workers | cases | wall time |\n|---|---:|---:|---:|---:|")
    for partitions, workers in ((8, 2), (64, 8), (256, 32), (1000, 100)):
        print(f"| {partitions} files of {args.cases:,} cases | {partitions} | {workers} | {partitions * args.cases:,} | {simulate(parts, partitions, workers):.1f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
