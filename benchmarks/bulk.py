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
    one = folder / "one.json"
    one.write_text(json.dumps(distinct[0]), encoding="utf-8")
    return {"jsonl": jsonl, "sample": sample, "parquet": parquet, "one": one, "distinct": distinct, "table": table,
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
    peer_contexts, peer_run, peer_name = [], None, None
    for name in ("simpleeval", "rule-engine", "json-logic"):
        try:
            run, prepare, translator = peers.build_peer(name, rules)
        except ImportError:
            continue
        ids = [q for q, d in rules.symbols.questions.items() if d.applies is not None]
        for item in valid[:2000]:  # checked to give exactly our statuses before it is timed
            evaluation = rules.compiled.evaluate(item)
            if evaluation.excluded is not None:  # reported with no routing: the peers' rules know no exclusions
                continue
            context = prepare(peers.context_values(translator, evaluation))
            if [peers.as_status(v) for v in run(context)] != [evaluation.questions[q].status for q in ids]:
                sys.exit(f"peer {name} differs from carag on case {item.id}")
            peer_contexts.append(context)
        peer_run, peer_name = run, name
        break
    engine = columnar_rules(rules)
    decoded = [engine.decode({batch.schema.field(i).name: batch.column(i) for i in range(batch.num_columns)}, batch.num_rows)
               for batch in batches]  # checked data in, as the compiled contender gets it
    contenders = {
        "compiled": lambda: [route(d.facts, d.answers, d.id) for d in sample],
        "columnar": lambda: [engine.route(batch) for batch in decoded],
        "columnar whole": lambda: [evaluate_columns(rules, batch) for batch in batches],
    }
    if peer_run is not None:
        contenders["peer"] = lambda: [peer_run(c) for c in peer_contexts]
    best = interleaved(rounds, contenders)
    rows = [
        ("carag compiled routing, one case at a time (checked data in)", best["compiled"] / len(sample), len(sample), "compiled"),
        (f"carag columnar routing over {big_rows:,} valid cases (checked data in: decoded columns; result columns out)",
         best["columnar"] / big_rows, big_rows, "columnar"),
        ("carag columnar, checking included: evaluate_columns over the same cases (Arrow columns as read from Parquet in)",
         best["columnar whole"] / big_rows, big_rows, "columnar whole"),
    ]
    if peer_run is not None:
        rows.append((f"fastest peer installed ({peer_name}): the 'applies' rules of one case, context given",
                     best["peer"] / len(peer_contexts), len(peer_contexts), "peer"))
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


def json_schema(rules):
    """The Arrow schema of a case line, generated from the rule set (dates and codes as text, multi-choice as lists)."""
    import pyarrow as pa

    def arrow_type(type_expr):
        return {"bool": pa.bool_(), "int": pa.int64()}.get(type_expr.kind, pa.list_(pa.string()) if type_expr.kind == "any" else pa.string())

    facts = [(name, arrow_type(d.type)) for name, d in rules.symbols.facts.items()]
    answers = [(qid, arrow_type(d.answer)) for qid, d in rules.symbols.questions.items() if d.answer is not None]
    return pa.schema([("id", pa.string()), ("facts", pa.struct(facts)), ("answers", pa.struct(answers))])


def limit_rows(rules, files, rounds: int, folder: Path) -> dict[str, float]:
    """Each part of a job done by the fastest library here, alone, in this process (seconds per case)."""
    import polars
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    from carag_dsl.bulk import _arrow_batches
    from carag_dsl.runtime.columnar import evaluate_columns

    valid = Path(files["parquet"]).with_name("valid.parquet")  # written by routing_rows: the valid cases
    batches = list(_arrow_batches(str(valid), 65_536))
    rows = sum(batch.num_rows for batch in batches)
    results = folder / "results.parquet"  # what `carag eval` writes for the valid cases: the shape the writers write
    child([sys.executable, "-m", "carag_dsl", "eval", "--cases", str(valid), "--engine", "columnar", "--output", str(results)])
    table = pq.read_table(results)
    options = pj.ParseOptions(explicit_schema=json_schema(rules), unexpected_field_behavior="ignore")
    # pyarrow's reader stops at the first line that does not fit the schema: it reads the valid cases (as many lines).
    lines = []
    for case in files["distinct"]:
        try:
            rules.evaluate(case)
        except CaseDataError:
            continue
        lines.append(json.dumps(case) + "\n")
    valid_jsonl = folder / "valid.jsonl"
    valid_jsonl.write_text("".join(lines) * max(1, files["count"] // len(lines)), encoding="utf-8")
    jsonl_cases = len(lines) * max(1, files["count"] // len(lines))
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


def auto_engine(path: Path, source: str) -> str:
    """The engine `--engine auto` picks for this file."""
    from carag_dsl.cli._cases import choose_engine

    return choose_engine("auto", str(path), {"parquet": "arrow"}.get(source, source))


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


def startup_rows(files, rounds: int) -> dict[str, float]:
    python = sys.executable
    contenders = {
        "python": lambda: child([python, "-c", "pass"]),
        "import carag_dsl": lambda: child([python, "-c", "import carag_dsl"]),
        "carag eval --case": lambda: child([python, "-m", "carag_dsl", "eval", "--case", str(files["one"])]),
    }
    return interleaved(rounds, contenders)


# ------------------------------------------------------------------ report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="replace the bulk section of docs/benchmarks.md with the tables")
    args = parser.parse_args()
    rules = carag_dsl.load()
    out = [f"Measured {datetime.date.today()} on {machine()}; {args.rounds} interleaved rounds, best of each.", ""]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_files(rules, folder, args.cases)
        check_columnar(rules, files["distinct"])
        count = files["count"]

        routing = routing_rows(rules, files, args.rounds)
        compiled, columnar = routing[0][1], routing[1][1]
        out += ["### Routing alone", "", "| contender | per case | CPU per case | cases timed | columnar is faster by |",
                "|---|---:|---:|---:|---:|"]
        for label, seconds, n, key in routing:
            out.append(f"| {label} | {fmt(seconds)} | {fmt(CPU[key] / n)} | {n:,} | {seconds / columnar:,.0f}x |")
        peer = routing[3][1] if len(routing) > 3 else None
        out.append("")

        jobs = job_rows(files, args.rounds, folder)
        distinct = len(files["distinct"])
        out += ["### Whole jobs (processes, start-up included)", "",
                f"`carag rate` and the decode loop read {count:,} cases; `carag eval` and the loops that write a line per case "
                f"read the {distinct:,} distinct ones (its output is about six times its input).", "",
                "| command | cases | time | CPU time | per case | ratio |", "|---|---:|---:|---:|---:|---:|"]
        rows = [
            ("`carag rate --cases cases.parquet --engine columnar`", "rate parquet columnar", None),
            ("loop: decode each JSON line (orjson), nothing else", "decode loop", "decode loop"),
            ("`carag rate --cases cases.jsonl --engine columnar`", "rate jsonl columnar", "decode loop"),
            ("loop: decode each line, write its result line (read from a file of the same bytes)", "same bytes loop", "same bytes loop"),
            ("`carag eval --cases cases.jsonl --engine per-case`", "eval jsonl per-case", "same bytes loop"),
            ("`carag eval --cases cases.jsonl --engine columnar`", "eval jsonl columnar", "same bytes loop"),
            ("loop: echo each line (orjson loads + dumps)", "echo loop", "echo loop"),
        ]
        for label, key, against in rows:
            ratio = f"{jobs[key] / jobs[against]:.2f}x {'the ' + against if against != key else ''}" if against else ""
            n = count if key in ("rate parquet columnar", "rate jsonl columnar", "decode loop") else distinct
            out.append(f"| {label} | {n:,} | {fmt(jobs[key])} | {fmt(CPU[key])} | {fmt(jobs[key] / n)} | {ratio} |")
        out.append("")

        limits = limit_rows(rules, files, args.rounds, folder)
        formats = format_rows(files, args.rounds, folder)
        per_distinct = {key: seconds / distinct for key, seconds in formats.items()}
        per_distinct["parquet to parquet"] = formats["parquet to parquet"] / count
        out += ["### Each job against its limit", "",
                "The limit of a job is the sum of its parts done alone, in this process, by the fastest library installed: "
                "pyarrow's JSON reader with a schema generated from the rules, pyarrow's Parquet reader and writer, polars' "
                "NDJSON writer, and our check and routing in columns (`evaluate_columns`). The jobs are whole processes "
                "(start-up, about 0.3 s, included).", "",
                "| part alone | per case |", "|---|---:|"]
        labels = {"json read": "read JSON Lines into Arrow (pyarrow, explicit schema)", "parquet read": "read Parquet (pyarrow)",
                  "check and route": "check and route in columns (`evaluate_columns`)", "parquet write": "write the results as Parquet (pyarrow)",
                  "ndjson write": "write the results as JSON Lines (polars)"}
        out += [f"| {labels[key]} | {fmt(seconds)} |" for key, seconds in limits.items()]
        job_limits = {
            "rate from JSON Lines": (jobs["rate jsonl columnar"] / count, limits["json read"] + limits["check and route"], 1.5),
            "eval JSON Lines to JSON Lines": (per_distinct["columnar jsonl"], limits["json read"] + limits["check and route"] + limits["ndjson write"], 1.5),
            "eval Parquet to Parquet": (per_distinct["parquet to parquet"], limits["parquet read"] + limits["check and route"] + limits["parquet write"], 2.0),
        }
        out += ["", "| job (columnar engine) | per case | its limit | ratio | target |", "|---|---:|---:|---:|---:|"]
        out += [f"| {job} | {fmt(measured)} | {fmt(limit)} | {measured / limit:.1f}x | {target:.1f}x |" for job, (measured, limit, target) in job_limits.items()]
        out += ["", f"### Both engines, every output format (`carag eval` over {distinct:,} cases from JSON Lines)", "",
                "| output format | per-case engine | columnar engine | columnar is faster by |", "|---|---:|---:|---:|"]
        for output in ("jsonl", "compact", "csv", "parquet"):
            slow, fast = formats[f"per-case {output}"], formats[f"columnar {output}"]
            out.append(f"| {output} | {fmt(slow / distinct)} | {fmt(fast / distinct)} | {slow / fast:.2f}x |")
        out.append("")

        memory = memory_rows(files, folder)
        out += ["### Memory while streaming (columnar engine)", "", "| command | cases | peak resident memory |", "|---|---:|---:|"]
        out += [f"| {label} | {count:,} | {megabytes:,} MB |" for label, count, megabytes in memory]
        out.append("")

        start = startup_rows(files, max(5, args.rounds))
        out += ["### Start-up", "", "| process | wall time |", "|---|---:|"]
        out += [f"| {label} | {fmt(seconds)} |" for label, seconds in start.items()]
        out.append("")

    compiled_sizes = compile_rows(max(2, args.rounds - 1))
    per_q = {n: t / n for n, t in compiled_sizes.items()}
    out += ["### Compiling large rule sets (load + generated code)", "", "| questions | time | per question |", "|---:|---:|---:|"]
    out += [f"| {n:,} | {fmt(t)} | {fmt(per_q[n])} |" for n, t in compiled_sizes.items()]
    out.append("")

    never_slower = min(formats[f"per-case {o}"] / formats[f"columnar {o}"] for o in ("jsonl", "compact", "csv", "parquet"))
    targets = [
        *((f"{job} within {target:.1f}x of its limit", f"{measured / limit:.1f}x", measured / limit <= target)
          for job, (measured, limit, target) in job_limits.items()),
        (f"columnar never slower than per-case, every output format ({distinct:,} cases)", f"{never_slower:.2f}x at worst", never_slower >= 1),
        ("peak memory of every job in the memory table (under 400 MB)", f"{max(mb for _, _, mb in memory):,} MB", max(mb for _, _, mb in memory) < 400),
        ("columnar routing vs compiled per-case routing (at least 100x)", f"{compiled / columnar:,.0f}x", compiled / columnar >= 100),
        ("columnar routing vs the fastest peer (at least 500x)", f"{peer / columnar:,.0f}x" if peer else "no peer installed", bool(peer and peer / columnar >= 500)),
        (f"`carag rate` over {count:,} cases from Parquet (under 5 s)",
         f"{fmt(jobs['rate parquet columnar'])} ({fmt(CPU['rate parquet columnar'])} CPU)", jobs["rate parquet columnar"] < 5),
        ("`carag rate` from JSON Lines vs the decode-only loop (within 2x)", f"{jobs['rate jsonl columnar'] / jobs['decode loop']:.2f}x", jobs["rate jsonl columnar"] / jobs["decode loop"] <= 2),
        ("`carag eval --cases` (per-case) vs the same-bytes loop (within 2x)", f"{jobs['eval jsonl per-case'] / jobs['same bytes loop']:.2f}x", jobs["eval jsonl per-case"] / jobs["same bytes loop"] <= 2),
        ("cold start of `carag eval --case` (under 120 ms)", fmt(start["carag eval --case"]), start["carag eval --case"] < 0.120),
        ("compiling: time per question at 10,000 within 2x of that at 1,000", f"{per_q[10_000] / per_q[1000]:.2f}x", per_q[10_000] / per_q[1000] <= 2),
    ]
    head = ["### Targets", "", "| target | measured | met |", "|---|---:|:---:|"]
    head += [f"| {label} | {value} | {'yes' if met else '**no**'} |" for label, value, met in targets]
    intro = (f"Produced by `python benchmarks/bulk.py --write` (see its `--help`) over {count:,} cases; the notes at the end "
             "are written by hand and kept. The per-case tables above are from `benchmarks/run.py`; start-up and the per-case "
             "path have their own section below.")
    report = "\n".join([BULK_MARKER, "", intro, "", *out[:2], *head, "", *out[2:]])
    print(report)
    if args.write:  # this section only (up to the next '## ' heading), keeping its hand-written notes
        page = ROOT / "docs" / "benchmarks.md"
        text = page.read_text(encoding="utf-8")
        start = text.find(BULK_MARKER)
        start = len(text) if start < 0 else start
        end = text.find("\n## ", start + len(BULK_MARKER))
        end = len(text) if end < 0 else end + 1
        section = text[start:end]
        notes = NOTES_MARKER + section.split(NOTES_MARKER, 1)[1].rstrip("\n") + "\n" if NOTES_MARKER in section else ""
        rest = text[end:]
        page.write_text(text[:start].rstrip("\n") + "\n\n" + report.rstrip("\n") + "\n\n" + notes + ("\n" + rest if rest else ""),
                        encoding="utf-8")
    return 0


#: The notes after the tables (written by hand: what stands in the way of a missed target) are kept.
NOTES_MARKER = "### What stands in the way"


if __name__ == "__main__":
    sys.exit(main())
