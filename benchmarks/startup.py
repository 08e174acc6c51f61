"""Benchmarks of start-up and of the per-case path: the rules cache, the garbage collector, chunks, msgspec.

Run on demand (not part of the test suite), from the repository root:

    python benchmarks/startup.py            # prints the tables
    python benchmarks/startup.py --write    # and writes its section of docs/benchmarks.md
    python benchmarks/startup.py --quick    # small counts, to try it out

Contenders are timed in interleaved rounds (round 1 of every contender, then round 2, ...) and the
best round of each is kept (start-up: the median too), so a burst of load on a shared machine hits
them all alike; read the ratios, which come from one run. Before timing, ``carag eval --cases`` is
run with and without the msgspec fast path and the outputs compared byte for byte.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import gc
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import cases as case_mix  # noqa: E402
from report import fmt_time as fmt, profile_table  # noqa: E402
from run import generated_rule_set, machine  # noqa: E402

import carag_dsl  # noqa: E402
from carag_dsl.compiler import codegen, ruleset as ruleset_module  # noqa: E402

#: Where this script's section of docs/benchmarks.md starts (it runs to the end of the page).
STARTUP_MARKER = "## Start-up and the per-case path"
PYTHON = sys.executable
EXAMPLE = ROOT / "questions" / "examples" / "licence_reset_day_56.json"

#: A loop writing the bytes carag writes: decode each case line (the fastest JSON library installed), write its result line.
SAME_BYTES_LOOP = """
import sys
try:
    from orjson import loads
except ImportError:
    from json import loads
write = sys.stdout.buffer.write
with open(sys.argv[1], "rb") as cases, open(sys.argv[2], "rb") as results:
    for line in cases:
        loads(line)
        write(next(results, b""))
"""
SAME_BYTES = "loop: decode each case line, write carag's result line for it (same bytes)"
ECHO = "loop: echo each line (decode, encode, write)"
#: The echo loop: decode each line and write it back.
ECHO_LOOP = """
import sys
try:
    from orjson import dumps, loads
except ImportError:
    import json
    loads, dumps = json.loads, lambda value: json.dumps(value, ensure_ascii=False).encode()
write = sys.stdout.buffer.write
with open(sys.argv[1], "rb") as cases:
    for line in cases:
        write(dumps(loads(line)) + b"\\n")
"""
#: ``carag`` with msgspec hidden, so the fast decoder is not built (the usual path only).
WITHOUT_MSGSPEC = "import sys; sys.modules['msgspec'] = None; from carag_dsl.cli import main; sys.exit(main(sys.argv[1:]))"


def interleaved(rounds: int, contenders: dict, keep_all: bool = False) -> dict:
    """Wall seconds of each contender over ``rounds`` interleaved rounds: the best (or every round)."""
    times: dict = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, function in contenders.items():
            gc.collect()
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return times if keep_all else {name: min(values) for name, values in times.items()}


#: Children run as installed code runs: with their bytecode written and read (a checkout may set PYTHONDONTWRITEBYTECODE).
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
#: CPU seconds (user + system) of each start-up child, by contender: less disturbed by a busy machine than wall time.
CPU: dict[str, list[float]] = {}


def child(command: list[str], env: dict | None = None, stdout=subprocess.DEVNULL, cpu_of: str | None = None) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.DEVNULL, env=env or CHILD_ENV,
                          check=False, cwd=ROOT)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed with exit status {done.returncode}")
    if cpu_of is not None:
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        CPU.setdefault(cpu_of, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


# ------------------------------------------------------------------ start-up


def startup(rounds: int) -> dict[str, list[float]]:
    cached = dict(CHILD_ENV)
    cached.pop("CARAG_NO_CACHE", None)
    uncached = dict(cached, CARAG_NO_CACHE="1")
    eval_case = [PYTHON, "-m", "carag_dsl", "eval", "--case", str(EXAMPLE)]
    child(eval_case, cached)  # warm the cache (and write the bytecode)
    names = ["python -c pass", "python -c 'import carag_dsl'", "carag eval --case FILE (warm rules cache)",
             "carag eval --case FILE (CARAG_NO_CACHE=1: parse and generate)"]
    commands = [([PYTHON, "-c", "pass"], cached), ([PYTHON, "-c", "import carag_dsl"], cached), (eval_case, cached), (eval_case, uncached)]
    return interleaved(rounds, {
        name: (lambda command=command, env=env, name=name: child(command, env, cpu_of=name)) for name, (command, env) in zip(names, commands)
    }, keep_all=True)


def startup_imports() -> list[tuple[str, float]]:
    """The biggest imports of `carag eval --case` with a warm cache (``python -X importtime``, cumulative)."""
    done = subprocess.run([PYTHON, "-X", "importtime", "-m", "carag_dsl", "eval", "--case", str(EXAMPLE)],
                          capture_output=True, text=True, cwd=ROOT, check=False, env=CHILD_ENV)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = line[len("import time:"):].split("|")
            if name.startswith(" ") and not name.startswith("  "):  # imported by the program itself
                rows.append((name.strip(), int(cumulative) / 1e6))
    return sorted(rows, key=lambda row: -row[1])[:8]


# ------------------------------------------------------------------ the garbage collector, chunks, compiling


@contextlib.contextmanager
def no_cache():
    before = os.environ.get("CARAG_NO_CACHE")
    os.environ["CARAG_NO_CACHE"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["CARAG_NO_CACHE"]
        else:
            os.environ["CARAG_NO_CACHE"] = before


@contextlib.contextmanager
def collector_left_on():
    """compile_path and compile_text as before the change: the collector runs while parsing and compiling."""
    paused = ruleset_module.gc_paused
    ruleset_module.gc_paused = contextlib.nullcontext  # type: ignore[assignment]
    from carag_dsl.runtime import compiled

    compiled_paused = compiled.gc_paused
    compiled.gc_paused = contextlib.nullcontext  # type: ignore[assignment]
    try:
        yield
    finally:
        ruleset_module.gc_paused = paused
        compiled.gc_paused = compiled_paused


def collector_rows(rounds: int, big: int) -> dict[str, float]:
    text = generated_rule_set(big)

    def carag_load() -> None:
        carag_dsl.load(ROOT / "questions").compiled

    def with_collector(function):
        def run() -> None:
            with collector_left_on():
                function()
        return run

    with no_cache():
        return interleaved(rounds, {
            "load questions/ and compile it, collector paused": carag_load,
            "load questions/ and compile it, collector on": with_collector(carag_load),
            f"loads() {big:,} questions and compile, collector paused": lambda: carag_dsl.loads(text).compiled,
            f"loads() {big:,} questions and compile, collector on": with_collector(lambda: carag_dsl.loads(text).compiled),
        })


def chunk_rows(rounds: int, size: int) -> dict[str, float]:
    """compile() of the generated source of ``size`` questions, in chunks and as one function."""
    with no_cache():
        rules = carag_dsl.loads(generated_rule_set(size))
    chunked = codegen.generate_source(rules)
    limit = codegen.CHUNK_DECLARATIONS
    codegen.CHUNK_DECLARATIONS = 10 ** 9
    try:
        whole = codegen.generate_source(rules)
    finally:
        codegen.CHUNK_DECLARATIONS = limit
    with ruleset_module.gc_paused():
        return interleaved(rounds, {
            f"compile() {size:,} questions in chunks of {limit}": lambda: compile(chunked, "<chunks>", "exec"),
            f"compile() {size:,} questions as one function": lambda: compile(whole, "<one>", "exec"),
        })


def compile_rows(rounds: int, sizes: tuple[int, ...]) -> dict[int, float]:
    texts = {n: generated_rule_set(n) for n in sizes}
    with no_cache():
        return interleaved(rounds, {n: (lambda text=text: carag_dsl.loads(text).compiled) for n, text in texts.items()})


# ------------------------------------------------------------------ carag eval --cases


def eval_rows(folder: Path, count: int, rounds: int, seed: int) -> tuple[dict[str, float], int]:
    rules = carag_dsl.load(ROOT / "questions")
    cases_path = folder / "cases.jsonl"
    with open(cases_path, "w", encoding="utf-8") as out:
        for case in case_mix.generate(rules, count, seed=seed):
            out.write(json.dumps(case) + "\n")
    carag = [PYTHON, "-m", "carag_dsl", "eval", "--cases", str(cases_path), "--engine", "per-case"]
    without = [PYTHON, "-c", WITHOUT_MSGSPEC, "eval", "--cases", str(cases_path), "--engine", "per-case"]
    outputs = {}
    for name, command in (("jsonl", carag), ("jsonl-usual", without), ("compact", carag + ["--format", "compact"]),
                          ("compact-usual", without + ["--format", "compact"])):
        path = folder / f"{name}.out"
        with open(path, "wb") as out:
            child(command, stdout=out)
        outputs[name] = path
    for fast, usual in (("jsonl", "jsonl-usual"), ("compact", "compact-usual")):
        if outputs[fast].read_bytes() != outputs[usual].read_bytes():
            sys.exit(f"the msgspec fast path changed the {fast} output")
    commands = {
        SAME_BYTES: [PYTHON, "-c", SAME_BYTES_LOOP, str(cases_path), str(outputs["jsonl"])],
        "carag eval --cases (per-case engine, jsonl, msgspec fast path)": carag,
        "carag eval --cases (per-case engine, jsonl, msgspec hidden)": without,
        ECHO: [PYTHON, "-c", ECHO_LOOP, str(cases_path)],
        "carag eval --cases --format compact (per-case engine, msgspec fast path)": carag + ["--format", "compact"],
        "carag eval --cases --format compact (per-case engine, msgspec hidden)": without + ["--format", "compact"],
    }
    contenders = {name: (lambda command=command, name=name: child(command, cpu_of=name)) for name, command in commands.items()}
    return interleaved(rounds, contenders), outputs["jsonl"].read_bytes().count(b"\n")


def eval_profile(folder: Path, top: int = 10) -> list[str]:
    """cProfile of `carag eval --cases` (per-case engine) in this process: where the time goes."""
    from carag_dsl.cli import main

    profile = cProfile.Profile()
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(io.StringIO()):
        profile.enable()
        main(["eval", "--cases", str(folder / "cases.jsonl"), "--engine", "per-case", "--output", str(folder / "profiled.jsonl")])
        profile.disable()
    return profile_table(profile, top)


# ------------------------------------------------------------------ report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000, help="cases for the eval --cases rows (default 20,000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (start-up: 5 times as many; default 3)")
    parser.add_argument("--seed", type=int, default=20251020)
    parser.add_argument("--write", action="store_true", help="write this section of docs/benchmarks.md")
    parser.add_argument("--quick", action="store_true", help="small counts (prints only)")
    args = parser.parse_args()
    sizes = (1_000, 10_000)
    big = 2_000
    if args.quick:
        args.cases, args.rounds, sizes, big = 2_000, 1, (200, 2_000), 500

    print("start-up ...", flush=True)
    starts = startup(5 * args.rounds)
    imports = startup_imports()
    print("the garbage collector ...", flush=True)
    collector = collector_rows(args.rounds, big)
    print("chunks ...", flush=True)
    chunks = chunk_rows(max(1, args.rounds - 1), sizes[-1])
    print("compiling ...", flush=True)
    compiles = compile_rows(max(1, args.rounds - 1), sizes)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("carag eval --cases ...", flush=True)
        evals, results = eval_rows(folder, args.cases, args.rounds, args.seed)
        profile = eval_profile(folder)

    warm = "carag eval --case FILE (warm rules cache)"
    same_bytes, fast_jsonl, usual_jsonl, echo, fast_compact, usual_compact = evals.values()
    per_q = {n: t / n for n, t in compiles.items()}
    targets = [
        ("cold start of `carag eval --case` with a warm rules cache (under 120 ms)", f"{fmt(min(starts[warm]))} best, {fmt(statistics.median(starts[warm]))} median",
         min(starts[warm]) < 0.120),
        ("`carag eval --cases` (per-case engine, default format) vs a loop writing the same bytes (within 2x)", f"{fast_jsonl / same_bytes:.2f}x", fast_jsonl / same_bytes <= 2),
        ("`carag eval --cases --format compact` vs the echo loop (within 1.5x)", f"{fast_compact / echo:.2f}x", fast_compact / echo <= 1.5),
        (f"compiling: time per question at {sizes[1]:,} within 2x of that at {sizes[0]:,}", f"{per_q[sizes[1]] / per_q[sizes[0]]:.2f}x", per_q[sizes[1]] / per_q[sizes[0]] <= 2),
    ]
    lines = [
        STARTUP_MARKER, "",
        "Produced by `python benchmarks/startup.py --write` (see its `--help`). "
        f"Measured {datetime.date.today().isoformat()} on {machine()}; {args.rounds} interleaved rounds "
        f"({5 * args.rounds} for start-up), best of each unless said.", "",
        "### Targets", "", "| target | measured | met |", "|---|---:|:---:|",
        *[f"| {label} | {value} | {'yes' if met else '**no**'} |" for label, value, met in targets], "",
        "### Start-up", "",
        "Wall time of the whole process, and its CPU time (user + system, which a busy machine inflates less); "
        "`carag eval --case` evaluates `questions/examples/licence_reset_day_56.json` against the CARaG and prints its table.", "",
        "| process | wall, best | wall, median | CPU, best | CPU, median |", "|---|---:|---:|---:|---:|",
        *[f"| {label} | {fmt(min(times))} | {fmt(statistics.median(times))} | {fmt(min(CPU[label]))} | {fmt(statistics.median(CPU[label]))} |"
          for label, times in starts.items()], "",
        "The largest imports of `carag eval --case` with a warm cache (`python -X importtime`, cumulative, one run):", "",
        "| module | import time |", "|---|---:|",
        *[f"| `{name}` | {fmt(seconds)} |" for name, seconds in imports], "",
        "### The garbage collector while loading", "",
        "In-process, no cache (every file parsed, the routing code generated and compiled); the collector is paused "
        "by `compiler.ruleset.gc_paused`, or left on as before.", "",
        "| what | time |", "|---|---:|",
        *[f"| {label} | {fmt(seconds)} |" for label, seconds in collector.items()], "",
        "### Chunks of generated code", "",
        "| what | time |", "|---|---:|",
        *[f"| {label} | {fmt(seconds)} |" for label, seconds in chunks.items()], "",
        "### Compiling large rule sets (no cache: parse, check, generate, compile)", "",
        "| questions | time | per question |", "|---:|---:|---:|",
        *[f"| {n:,} | {fmt(t)} | {fmt(per_q[n])} |" for n, t in compiles.items()], "",
        "### `carag eval --cases`, per-case engine", "",
        f"{args.cases:,} generated cases of the CARaG in a JSON Lines file ({results:,} results; the others have bad "
        "data, reported on standard error), output thrown away. The msgspec fast path was checked to write "
        "exactly the bytes of the usual path, in both formats, before timing.", "",
        "| command | wall | per case | ratio | CPU | CPU ratio |", "|---|---:|---:|---:|---:|---:|",
        *[f"| {name} | {fmt(seconds)} | {fmt(seconds / args.cases)} | {seconds / evals[yardstick]:.2f}x | "
          f"{fmt(min(CPU[name]))} | {min(CPU[name]) / min(CPU[yardstick]):.2f}x |"
          for name, seconds in evals.items() for yardstick in [SAME_BYTES if "compact" not in name and name != ECHO else ECHO]],
        "",
        "Ratios are to the same-bytes loop for the jsonl rows and to the echo loop for the compact rows.",
        "",
        f"cProfile of `carag eval --cases` (per-case engine, jsonl) in one process over the same {args.cases:,} cases "
        "(profiling slows everything; read the shares):", "",
        *profile, "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write and not args.quick:
        page = ROOT / "docs" / "benchmarks.md"
        text = page.read_text(encoding="utf-8")
        before, _, after = text.partition(STARTUP_MARKER)
        notes = ""
        if NOTES_MARKER in after:  # the notes written by hand after the tables are kept
            notes = "\n" + NOTES_MARKER + after.split(NOTES_MARKER, 1)[1]
        page.write_text(before.rstrip("\n") + "\n\n" + report.rstrip("\n") + "\n" + notes, encoding="utf-8")
        print(f"wrote {page}")
    return 0


#: The notes after this section's tables (what stands in the way of a missed target), written by hand, kept.
NOTES_MARKER = "### What stands in the way of the start-up and per-case targets"


if __name__ == "__main__":
    sys.exit(main())
