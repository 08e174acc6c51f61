"""Peak memory of ``carag eval --cases`` at N and 4N clean cases, for each engine, input and output: run as a
subprocess by tests/test_bulk_memory.py (``python tests/memory_probe.py FOLDER N``), it prints one JSON line per run.

Python's allocations are measured with tracemalloc (numpy's arrays included), peak reset between runs, so a
run that keeps something per case shows it as a peak growing with the number of cases. The batch and flush
sizes are made small here, so a few thousand cases are many batches and many flushes: memory that grows with
the number of cases then stands out from what one batch holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from cases import generate  # noqa: E402

from carag_dsl import CaragError, bulk, load  # noqa: E402
from carag_dsl.cli import _output, main  # noqa: E402
from carag_dsl.cli import eval as eval_command  # noqa: E402

#: What each run is: (engine, input format, output format, to a file or standard output).
RUNS = [
    *((engine, "jsonl", fmt, dest) for engine in ("per-case", "columnar") for fmt in ("jsonl", "compact", "csv", "parquet")
      for dest in ("file", "stdout") if not (fmt == "parquet" and dest == "stdout")),  # Parquet is written to a file only
    *(("columnar", "parquet", fmt, "file") for fmt in ("jsonl", "compact", "csv", "parquet")),
]


def clean_cases(ruleset, count: int) -> list[dict]:
    """``count`` cases none of which is refused (a refused one makes the sink flush: not what is measured)."""
    found = []
    for case in generate(ruleset, count * 2, seed=11):
        try:
            ruleset.evaluate(case)
        except CaragError:
            continue
        found.append(case)
        if len(found) == count:
            return found
    raise AssertionError("the generator gave too few clean cases")


def write_inputs(ruleset, folder: Path, count: int) -> dict[str, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cases = clean_cases(ruleset, count)
    jsonl = folder / f"cases-{count}.jsonl"
    jsonl.write_text("".join(json.dumps(case) + "\n" for case in cases), encoding="utf-8")
    columns: dict[str, list] = {"id": [case["id"] for case in cases]}
    for section in ("facts", "answers"):
        names = ruleset.symbols.facts if section == "facts" else [q for q, d in ruleset.symbols.questions.items() if d.answer is not None]
        for name in names:
            values = [case[section].get(name) for case in cases]
            columns[name] = [None if v is None else ";".join(v) or "(none)" if isinstance(v, list) else v if isinstance(v, str) else json.dumps(v)
                             for v in values]  # the text forms of CSV (Parquet reads them as CSV cells are read)
    parquet = folder / f"cases-{count}.parquet"
    pq.write_table(pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()}), parquet)
    return {"jsonl": jsonl, "parquet": parquet}


def peak_of(argv: list[str]) -> int:
    """tracemalloc's peak during one run of the command, in bytes (standard output thrown away)."""
    with open(os.devnull, "w", encoding="utf-8") as nowhere, contextlib.redirect_stdout(nowhere):
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        code = main(argv)
        peak = tracemalloc.get_traced_memory()[1] - start
    if code != 0:
        raise SystemExit(f"carag {' '.join(argv)} exited {code}")
    return peak


def main_probe(folder: Path, count: int) -> None:
    # Small batches and flushes: the many batches of a large file, at the size of a test.
    bulk.BATCH_ROWS = bulk.JSONL_BATCH_ROWS = 64
    _output.FLUSH_BYTES = 32 * 1024
    _output.FLUSH_ROWS = 64
    os.environ["CARAG_NO_CACHE"] = "1"
    ruleset = load()
    eval_command.load_rules = lambda args: ruleset  # loaded once: its peak is not the run's
    inputs = {size: write_inputs(ruleset, folder, size) for size in (16, count, 4 * count)}
    tracemalloc.start()
    for engine, source, fmt, dest in RUNS:
        peaks = []
        for size in (16, count, 4 * count):  # 16 first: what is built on first use (compiled rules, caches) is not per case
            argv = ["eval", "--cases", str(inputs[size][source]), "--engine", engine, "--format", fmt]
            if dest == "file":
                argv += ["--output", str(folder / f"out-{size}.{fmt}")]
            peaks.append(peak_of(argv))
        del peaks[0]
        print(json.dumps({"engine": engine, "input": source, "format": fmt, "to": dest, "peaks": peaks}), flush=True)


if __name__ == "__main__":
    main_probe(Path(sys.argv[1]), int(sys.argv[2]))
