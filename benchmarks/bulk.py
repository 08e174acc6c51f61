"""Benchmarks of the bulk jobs (issue 25): each job against its limit on this machine, in one run.

Run on demand (not part of the test suite), from the repository root, on a quiet machine:

    python benchmarks/bulk.py --write       # 1,000,000 cases; writes its section of docs/benchmarks.md
    python benchmarks/bulk.py --cases 50000 --rounds 2   # a quick try (prints the tables only)

The limit of a job is the sum of its parts done alone, in this process, by the
fastest library installed: the reader (pyarrow's JSON reader with a schema
generated from the rules, or its Parquet reader), the evaluation in columns
(``evaluate_columns`` over Arrow batches) and the writer (polars' NDJSON
writer, pyarrow's Parquet writer). The jobs are whole ``carag`` processes.

Contenders are timed in interleaved rounds (round 1 of every contender, then
round 2, ...) and the best round of each is kept, so a burst of load on a
shared machine hits them all alike; read the ratios, which come from one run,
and the load average printed with them. Before timing, the columnar engine is
checked to give exactly the per-case results on every case of the sample
(lines compared byte for byte).

The 1,000,000 cases are the first 100,000 generated cases (benchmarks/cases.py,
about 1% with bad data) repeated ten times; the jobs that write a result per
case read the 100,000 distinct ones, and the table of engines and formats
20,000 of them (--engine-cases).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import cases as case_mix  # noqa: E402
import peers  # noqa: E402
from report import fmt_time as fmt  # noqa: E402
from run import BULK_MARKER, machine  # noqa: E402

import carag_dsl  # noqa: E402
from carag_dsl.errors import CaseDataError  # noqa: E402
from carag_dsl.runtime.casedata import read_case  # noqa: E402

DISTINCT = 100_000


#: Best CPU seconds (user + system, this process and its children) of each contender of the last run.
CPU: dict[str, float] = {}


def _cpu() -> float:
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def interleaved(rounds: int, contenders: dict[str, callable]) -> dict[str, float]:
    """Best wall seconds of each contender over ``rounds`` interleaved rounds (best CPU seconds in CPU)."""
    best = {name: float("inf") for name in contenders}
    for _ in range(rounds):
        for name, function in contenders.items():
            gc.collect()
            cpu, start = _cpu(), time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
            CPU[name] = min(CPU.get(name, float("inf")), _cpu() - cpu)
    return best


def child(command: list[str], stdin_path: str | None = None) -> None:
    with open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb") as stdin:
        done = subprocess.run(command, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed with exit status {done.returncode}")


# ------------------------------------------------------------------ the data


def wide_table(rules, cases):
    """The cases in the wide layout with native Arrow types (a value that does not fit its column's type stays bad)."""
    import pyarrow as pa

    symbols = rules.symbols
    names = ["id", *symbols.facts, *(q for q, d in symbols.questions.items() if d.answer is not None)]
    columns = {}
    for name in names:
        values = []
        kind = symbols.facts[name].type.kind if name in symbols.facts else (symbols.questions[name].answer.kind if name != "id" else "id")
        for case in cases:
            value = case.get("facts", {}).get(name) if name in symbols.facts else case.get("answers", {}).get(name) if name != "id" else case.get("id")
            if kind == "date" and isinstance(value, str):
                try:
                    value = datetime.date.fromisoformat(value)
                except ValueError:
                    value = None  # (the bad dates of the mix become unknown in Parquet)
            elif kind == "any" and value is not None and not isinstance(value, list):
                value = [str(value)]  # a bad code inside the list: the row stays bad
            elif kind == "bool" and not isinstance(value, bool):
                value = None
            elif kind not in ("date", "any", "bool") and value is not None and not isinstance(value, str):
                value = json.dumps(value)
            values.append(value)
        columns[name] = pa.array(values)
    return pa.table(columns)


def write_files(rules, folder: Path, count: int) -> dict[str, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    distinct = list(case_mix.generate(rules, min(count, DISTINCT)))
    repeats = max(1, count // len(distinct))
    lines = "".join(json.dumps(case) + "\n" for case in distinct)
    jsonl = folder / "cases.jsonl"
    with open(jsonl, "w", encoding="utf-8") as stream:
        for _ in range(repeats):
            stream.write(lines)
    sample = folder / "sample.jsonl"  # the distinct cases once: for the eval jobs, whose output is large
    sample.write_text(lines, encoding="utf-8")
    table = wide_table(rules, distinct)
    parquet = folder / "cases.parquet"
    pq.write_table(pa.concat_tables([table] * repeats), parquet, row_group_size=65_536)
    return {"jsonl": jsonl, "sample": sample, "parquet": parquet, "distinct": distinct, "table": table,
            "count": len(distinct) * repeats}


def engine_files(rules, files, folder: Path, count: int) -> dict[str, Path]:
    """The first ``count`` distinct cases as JSON Lines, CSV (the text forms) and Parquet (native types)."""
    import csv

    import pyarrow.parquet as pq

    cases = files["distinct"][:count]
    found = {"jsonl": folder / "engines.jsonl", "csv": folder / "engines.csv", "parquet": folder / "engines.parquet"}
    found["jsonl"].write_text("".join(json.dumps(case) + "\n" for case in cases), encoding="utf-8")
    table = files["table"].slice(0, len(cases))
    pq.write_table(table, found["parquet"], row_group_size=65_536)
    symbols = rules.symbols
    names = ["id", *symbols.facts, *(q for q, d in symbols.questions.items() if d.answer is not None)]

    def cell(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            return ";".join(map(str, value)) or "(none)"
        return value if isinstance(value, str) else json.dumps(value)

    with open(found["csv"], "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(names)
        for case in cases:
            given = {"id": case.get("id"), **(case.get("facts") or {}), **(case.get("answers") or {})}
            writer.writerow([cell(given.get(name)) for name in names])
    return found


# ------------------------------------------------------------------ checks before timing


def check_columnar(rules, distinct) -> None:
    from carag_dsl.runtime.columnar import evaluate_cases
    from carag_dsl.runtime.columnar.encode import result_lines
    from carag_dsl.runtime.result_writer import ResultWriter

    writer = ResultWriter(rules)
    sample = distinct[:20_000]
    lines = result_lines(evaluate_cases(rules, sample), writer.line)
    for case, line in zip(sample, lines):
        try:
            expected = writer.line(rules.evaluate(case))
        except CaseDataError:
            expected = None
        if line != expected:
            sys.exit(f"the columnar engine differs from the per-case path on case {case.get('id')}")


# ------------------------------------------------------------------ the parts


def routing_rows(rules, files, rounds: int) -> list[tuple[str, float, int]]:
    """Routing alone, per case: compiled (checked data in), columnar (native Arrow columns in), the fastest peer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from carag_dsl.bulk import _arrow_batches
    from carag_dsl.runtime.columnar import columnar_rules, evaluate_columns

    valid = []
    valid_cases = []
    for case in files["distinct"]:
        try:
            rules.evaluate(case)
        except CaseDataError:
            continue
        valid.append(read_case(rules, case))
        valid_cases.append(case)
    route = rules.compiled._route
    sample = valid[:20_000]
    # The valid cases as `carag rate` reads them from Parquet: text columns as dictionaries (categorical).
    table = wide_table(rules, valid_cases)
    repeats = max(1, files["count"] // table.num_rows)
    valid_parquet = Path(files["parquet"]).with_name("valid.parquet")
    pq.write_table(pa.concat_tables([table] * repeats), valid_parquet, row_group_size=65_536)
    batches = list(_arrow_batches(str(valid_parquet), 65_536))
    big_rows = sum(batch.num_rows for batch in batches)
    # Every peer installed, each checked to give exactly our statuses before it is timed; the fastest is the yardstick.
    peer_runs: dict[str, tuple[Any, list]] = {}
    ids = [q for q, d in rules.symbols.questions.items() if d.applies is not None]
    for name in ("simpleeval", "zen-engine", "rule-engine", "json-logic"):
        try:
            run, prepare, translator = peers.build_peer(name, rules)
        except ImportError:
            continue
        contexts = []
        for item in valid[:2000]:
            evaluation = rules.compiled.evaluate(item)
            # Reported with no routing (excluded, or not known to be inspected): the peers' rules know no exclusions.
            if evaluation.excluded is not None or evaluation.exclusion_pending is not None:
                continue
            context = prepare(peers.context_values(translator, evaluation))
            if [peers.as_status(v) for v in run(context)] != [evaluation.questions[q].status for q in ids]:
                sys.exit(f"peer {name} differs from carag on case {item.id}")
            contexts.append(context)
        peer_runs[name] = (run, contexts)
    engine = columnar_rules(rules)
    decoded = [engine.decode({batch.schema.field(i).name: batch.column(i) for i in range(batch.num_columns)}, batch.num_rows)
               for batch in batches]  # checked data in, as the compiled contender gets it
    contenders = {
        "compiled": lambda: [route(d.facts, d.answers, d.id) for d in sample],
        "columnar": lambda: [engine.route(batch) for batch in decoded],
        "columnar whole": lambda: [evaluate_columns(rules, batch) for batch in batches],
    }
    for name, (run, contexts) in peer_runs.items():
        contenders[f"peer {name}"] = lambda run=run, contexts=contexts: [run(c) for c in contexts]
    best = interleaved(rounds, contenders)
    rows = [
        ("carag compiled routing, one case at a time (checked data in)", best["compiled"] / len(sample), len(sample), "compiled"),
        (f"carag columnar routing over {big_rows:,} valid cases (checked data in: decoded columns; result columns out)",
         best["columnar"] / big_rows, big_rows, "columnar"),
        ("carag columnar, checking included: evaluate_columns over the same cases (Arrow columns as read from Parquet in)",
         best["columnar whole"] / big_rows, big_rows, "columnar whole"),
    ]
    if peer_runs:
        name = min(peer_runs, key=lambda n: best[f"peer {n}"] / len(peer_runs[n][1]))
        best["peer"], CPU["peer"] = best[f"peer {name}"], CPU[f"peer {name}"]
        count = len(peer_runs[name][1])
        rows.append((f"fastest peer installed ({name}, of {', '.join(peer_runs)}): the 'applies' rules of one case, context given",
                     best["peer"] / count, count, "peer"))
    return rows


def job_rows(files, rounds: int, folder: Path) -> dict[str, float]:
    """The jobs of the targets as whole processes, with the columnar engine."""
    carag = [sys.executable, "-m", "carag_dsl"]
    contenders = {
        "rate parquet": lambda: child(carag + ["rate", "--cases", str(files["parquet"]), "--engine", "columnar"]),
        "rate jsonl": lambda: child(carag + ["rate", "--cases", str(files["jsonl"]), "--engine", "columnar"]),
        "eval jsonl to jsonl": lambda: child(carag + ["eval", "--cases", str(files["sample"]), "--engine", "columnar",
                                                      "--output", str(folder / "job.jsonl")]),
        "eval parquet to parquet": lambda: child(carag + ["eval", "--cases", str(files["parquet"]), "--engine", "columnar",
                                                          "--output", str(folder / "job.parquet")]),
    }
    return interleaved(rounds, contenders)


# ------------------------------------------------------------------ limits: what this machine does for the same job


def limit_rows(rules, files, rounds: int, folder: Path) -> dict[str, float]:
    """Each part of a job done by the fastest library here, alone, in this process (seconds per case)."""
    import polars
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    from carag_dsl.bulk import _arrow_batches
    from carag_dsl.runtime.columnar import evaluate_columns
    from carag_dsl.runtime.columnar.jsonl_in import case_schema

    valid = Path(files["parquet"]).with_name("valid.parquet")  # written by routing_rows: the valid cases
    batches = list(_arrow_batches(str(valid), 65_536))
    rows = sum(batch.num_rows for batch in batches)
    results = folder / "results.parquet"  # what `carag eval` writes for the valid cases: the shape the writers write
    child([sys.executable, "-m", "carag_dsl", "eval", "--cases", str(valid), "--engine", "columnar", "--output", str(results)])
    table = pq.read_table(results)
    options = pj.ParseOptions(explicit_schema=case_schema(rules), unexpected_field_behavior="error")
    # pyarrow's reader stops at the first line that does not fit the schema: it reads the valid cases (once: the
    # table of a million would take gigabytes), with its own defaults (threads, 1 MB blocks).
    lines = []
    for case in files["distinct"]:
        try:
            rules.evaluate(case)
        except CaseDataError:
            continue
        lines.append(json.dumps(case) + "\n")
    valid_jsonl = folder / "valid.jsonl"
    valid_jsonl.write_text("".join(lines), encoding="utf-8")
    jsonl_cases = len(lines)
    sink = folder / "limit.out"
    contenders = {
        "json read": lambda: pj.read_json(valid_jsonl, parse_options=options),
        "parquet read": lambda: pq.read_table(valid),
        "check and route": lambda: [evaluate_columns(rules, batch) for batch in batches],
        "parquet write": lambda: pq.write_table(table, sink),
        "ndjson write": lambda: polars.from_arrow(table).write_ndjson(sink),
    }
    best = interleaved(rounds, contenders)
    per = {"json read": jsonl_cases, "parquet read": rows, "check and route": rows, "parquet write": table.num_rows, "ndjson write": table.num_rows}
    return {name: seconds / per[name] for name, seconds in best.items()}


INPUTS = ("jsonl", "csv", "parquet")
OUTPUTS = ("jsonl", "compact", "csv", "parquet")


def engine_rows(inputs: dict[str, Path], rounds: int, folder: Path) -> dict[tuple[str, str, str], float]:
    """`carag eval` with each engine, from each input format to each output format (processes)."""
    carag = [sys.executable, "-m", "carag_dsl"]
    contenders = {}
    for source in INPUTS:
        for fmt in OUTPUTS:
            for engine in ("per-case", "columnar"):
                out = folder / f"engines-{engine}-{source}.{fmt}"
                contenders[(engine, source, fmt)] = (lambda engine=engine, source=source, fmt=fmt, out=out: child(
                    carag + ["eval", "--cases", str(inputs[source]), "--engine", engine, "--format", fmt, "--output", str(out)]))
    return interleaved(rounds, contenders)


def auto_engine(path: Path, source: str, output: str) -> str:
    """The engine `carag eval --engine auto` picks for this file and output format."""
    from carag_dsl.cli._cases import choose_engine

    return choose_engine("auto", str(path), {"parquet": "arrow"}.get(source, source), output)


PEAK_MEMORY = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def memory_rows(files, folder: Path) -> list[tuple[str, int, int]]:
    """Peak resident memory of whole jobs: rating a tenth of the Parquet cases and all, evaluating all of them
    with either engine into files of each format (flat memory: the peak does not grow with the cases)."""
    import pyarrow.parquet as pq

    whole = pq.read_table(files["parquet"])
    tenth = folder / "tenth.parquet"
    pq.write_table(whole.slice(0, max(1, whole.num_rows // 10)), tenth, row_group_size=65_536)
    carag = [sys.executable, "-m", "carag_dsl"]
    jobs = [
        ("`carag rate --engine columnar` from Parquet", max(1, whole.num_rows // 10), carag + ["rate", "--cases", str(tenth), "--engine", "columnar"]),
        ("`carag rate --engine columnar` from Parquet", whole.num_rows, carag + ["rate", "--cases", str(files["parquet"]), "--engine", "columnar"]),
        ("`carag eval --engine columnar`, Parquet to Parquet", whole.num_rows,
         carag + ["eval", "--cases", str(files["parquet"]), "--engine", "columnar", "--output", str(folder / "m.parquet")]),
    ]
    jobs.append(("`carag eval --engine columnar`, JSON Lines to jsonl", files["count"],
                 carag + ["eval", "--cases", str(files["jsonl"]), "--engine", "columnar", "--output", str(folder / "m.jsonl")]))
    for engine in ("columnar", "per-case"):
        for fmt in OUTPUTS:
            jobs.append((f"`carag eval --engine {engine}`, JSON Lines to {fmt}", len(files["distinct"]),
                         carag + ["eval", "--cases", str(files["sample"]), "--engine", engine, "--format", fmt, "--output", str(folder / f"m.{fmt}")]))
    rows = []
    for label, count, command in jobs:
        done = subprocess.run([sys.executable, "-c", PEAK_MEMORY, *command], capture_output=True, text=True, check=True)
        rows.append((label, count, int(done.stdout.strip()) // 1024))
    return rows


# ------------------------------------------------------------------ report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--engine-cases", type=int, default=20_000, help="cases of the table of engines and formats")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="replace the bulk section of docs/benchmarks.md with the tables")
    args = parser.parse_args()
    rules = carag_dsl.load()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_files(rules, folder, args.cases)
        check_columnar(rules, files["distinct"])
        count, distinct = files["count"], len(files["distinct"])
        inputs = engine_files(rules, files, folder, min(args.engine_cases, distinct))
        engine_count = min(args.engine_cases, distinct)

        routing = routing_rows(rules, files, args.rounds)
        jobs = job_rows(files, args.rounds, folder)
        limits = limit_rows(rules, files, args.rounds, folder)
        engines = engine_rows(inputs, args.rounds, folder)
        picks = {(source, output): auto_engine(inputs[source], source, output) for source in INPUTS for output in OUTPUTS}
        memory = memory_rows(files, folder)
    load_after = os.getloadavg()

    # ---- each job against its limit
    job_limits = [  # job, its time per case, the parts of its limit, target
        ("`carag rate` from JSON Lines", jobs["rate jsonl"] / count, ("json read", "check and route"), 1.5),
        ("`carag eval`, JSON Lines to JSON Lines", jobs["eval jsonl to jsonl"] / distinct, ("json read", "check and route", "ndjson write"), 1.5),
        ("`carag eval`, Parquet to Parquet", jobs["eval parquet to parquet"] / count, ("parquet read", "check and route", "parquet write"), 2.0),
    ]
    part_labels = {"json read": "read JSON Lines into Arrow (pyarrow's reader, schema from the rules)", "parquet read": "read Parquet (pyarrow)",
                   "check and route": "check and route in columns (`evaluate_columns` over Arrow batches)",
                   "parquet write": "write the results as Parquet (pyarrow)", "ndjson write": "write the results as JSON Lines (polars)"}
    limit_table = ["| job (columnar engine) | per case | its limit | ratio | target | met |", "|---|---:|---:|---:|---:|:---:|"]
    for job, measured, parts, target in job_limits:
        limit = sum(limits[part] for part in parts)
        limit_table.append(f"| {job} | {fmt(measured)} | {fmt(limit)} ({' + '.join(parts)}) | {measured / limit:.2f}x | {target:.1f}x | "
                           f"{'yes' if measured / limit <= target else '**no**'} |")
    part_table = ["| part alone | per case |", "|---|---:|"] + [f"| {part_labels[key]} | {fmt(seconds)} |" for key, seconds in limits.items()]

    # ---- both engines, every input and output format
    engine_table = ["| input | output | per-case engine | columnar engine | columnar is faster by | `auto` picks | the faster? |",
                    "|---|---|---:|---:|---:|---|:---:|"]
    slowest, wrong_picks = float("inf"), []
    for source in INPUTS:
        for output in OUTPUTS:
            slow, fast = engines[("per-case", source, output)], engines[("columnar", source, output)]
            slowest = min(slowest, slow / fast)
            faster = "columnar" if fast <= slow else "per-case"
            pick = picks[(source, output)]
            if pick != faster:
                wrong_picks.append(f"{source} to {output}")
            engine_table.append(f"| {source} | {output} | {fmt(slow / engine_count)} | {fmt(fast / engine_count)} | {slow / fast:.2f}x | "
                                f"{pick} | {'yes' if pick == faster else '**no**'} |")

    # ---- memory, routing
    memory_table = ["| command | cases | peak resident memory |", "|---|---:|---:|"]
    memory_table += [f"| {label} | {n:,} | {megabytes:,} MB |" for label, n, megabytes in memory]
    compiled, columnar = routing[0][1], routing[1][1]
    peer = routing[3][1] if len(routing) > 3 else None
    routing_table = ["| contender | per case | CPU per case | cases timed | columnar is faster by |", "|---|---:|---:|---:|---:|"]
    routing_table += [f"| {label} | {fmt(seconds)} | {fmt(CPU[key] / n)} | {n:,} | {seconds / columnar:,.0f}x |" for label, seconds, n, key in routing]

    peak = max(mb for _, _, mb in memory)
    targets = [(f"{job} within {target:.1f}x of its limit", f"{measured / sum(limits[p] for p in parts):.2f}x",
                measured / sum(limits[p] for p in parts) <= target) for job, measured, parts, target in job_limits]
    targets += [
        (f"`carag rate` over {count:,} cases from Parquet (under 5 s)", f"{fmt(jobs['rate parquet'])} ({fmt(CPU['rate parquet'])} CPU)", jobs["rate parquet"] < 5),
        (f"columnar never slower than per-case, every input and output format ({engine_count:,} cases)", f"{slowest:.2f}x at worst", slowest >= 1),
        (f"`--engine auto` picks the faster engine ({engine_count:,} cases)", "every time" if not wrong_picks else "not for " + ", ".join(wrong_picks),
         not wrong_picks),
        ("peak memory of every job in the memory table (under 400 MB)", f"{peak:,} MB", peak < 400),
        ("columnar routing under 150 ns per case", fmt(columnar), columnar < 150e-9),
        ("columnar routing vs compiled per-case routing (at least 100x)", f"{compiled / columnar:,.0f}x", compiled / columnar >= 100),
        ("columnar routing vs the fastest peer (at least 500x)", f"{peer / columnar:,.0f}x" if peer else "no peer installed", bool(peer and peer / columnar >= 500)),
    ]
    report = [
        BULK_MARKER, "",
        f"Produced by `python benchmarks/bulk.py --write` (see its `--help`) over {count:,} cases. Measured {datetime.date.today()} on "
        f"{machine()}; load average {load_before[0]:.2f} when it started, {load_after[0]:.2f} when it ended; {args.rounds} interleaved rounds, "
        "best of each. The notes at the end are written by hand and kept.", "",
        "### Targets of the bulk jobs", "",
        "| target | measured | met |", "|---|---:|:---:|",
        *(f"| {label} | {value} | {'yes' if met else '**no**'} |" for label, value, met in targets), "",
        "### Each job against its limit", "",
        "A job's limit is the sum of its parts done alone, in this process, by the fastest library installed; the jobs are whole "
        f"`carag` processes (start-up included) with the columnar engine: `rate` over the {count:,} cases, `eval` from JSON Lines over "
        f"the {distinct:,} distinct ones (its output is about six times its input), Parquet to Parquet over all {count:,}.", "",
        *limit_table, "", *part_table, "",
        f"### Both engines, every input and output format (`carag eval` over {engine_count:,} cases)", "",
        "Whole processes, per case; `auto` is the engine `--engine auto` picks for that input file and output format.", "",
        *engine_table, "",
        "### Memory while streaming", "",
        *memory_table, "",
        "### Routing", "",
        "Routing alone: the compiled per-case function, the columnar engine (fused conditions, statuses shared per "
        "condition, exclusions as masks) and every peer installed, each checked to give carag's statuses first; the "
        "fastest peer is shown. Start-up (the cold start of `carag eval --case`) is measured in its own section, "
        "[Start-up](#start-up-and-the-per-case-path).", "",
        *routing_table, "",
    ]
    text = "\n".join(report)
    print(text)
    if args.write:  # this section only (up to the next '## ' heading), keeping its hand-written notes
        page = ROOT / "docs" / "benchmarks.md"
        whole = page.read_text(encoding="utf-8")
        begin = whole.find(BULK_MARKER)
        begin = len(whole) if begin < 0 else begin
        end = whole.find("\n## ", begin + len(BULK_MARKER))
        end = len(whole) if end < 0 else end + 1
        section = whole[begin:end]
        notes = NOTES_MARKER + section.split(NOTES_MARKER, 1)[1].rstrip("\n") + "\n" if NOTES_MARKER in section else ""
        rest = whole[end:]
        page.write_text(whole[:begin].rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n\n" + notes + ("\n" + rest if rest else ""),
                        encoding="utf-8")
    return 0


#: The notes after the tables (written by hand: what stands in the way of a missed target) are kept.
NOTES_MARKER = "### What stands in the way"


if __name__ == "__main__":
    sys.exit(main())
