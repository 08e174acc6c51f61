"""How fast the studio is in Chromium: start-up cold, diagnostics after a keystroke, routing after an answer.

    python benchmarks/studio.py [--site DIR] [--edits N] [--answers N] [--write]

Builds the studio of questions/ (`carag studio`, or takes a built one with --site), serves it from 127.0.0.1
and opens it in headless Chromium (the system's, through Playwright), every other address refused:

- start-up: from opening the page in a fresh browser context (no cache: cold) until it is interactive with
  the CARaG loaded (checked, the case form routed), per run, and the parts the page records (Pyodide loaded,
  the wheels unpacked, carag imported);
- diagnostics: from an edit of questions/02_assessment_information.carag (one character typed, alternately
  misspelling a fact and fixing it) until the page shows the new diagnostics;
- routing: from an answer to a fact (court_report: yes, then not known) until the question it routes
  (X 1) shows its new status.

Targets (issue 29): interactive in under 6 s cold, diagnostics within 300 ms, routing within 100 ms.
--write puts the figures in their section of docs/benchmarks.md. Not part of the test run.
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from studio_env import build_studio, offline_page, serve  # noqa: E402

TARGETS_MS = {"start-up": 6000, "diagnostics": 300, "routing": 100}
SECTION = "## The studio"
FILE = "02_assessment_information.carag"

# One edit in the page, timed from the transaction to the diagnostics shown (the status line changes).
EDIT = """async ([insert]) => {
  const studio = window.caragStudio, view = studio.editor, doc = view.state.doc;
  const line = doc.line(19);
  const want = insert ? /^1 error$/ : /^ok /;
  const shown = () => want.test(document.querySelector('#status').textContent);
  const started = performance.now();
  view.dispatch(insert ? { changes: { from: line.to, insert: 'x' } } : { changes: { from: line.to - 1, to: line.to } });
  while (!shown()) await new Promise((resolve) => requestAnimationFrame(resolve));
  return performance.now() - started;
}"""

# One answer, timed from the change event to X 1's new status.
ANSWER = """async ([value, status]) => {
  const select = document.querySelector('#fact-court_report');
  const row = () => document.querySelector(".question[data-question='X 1']");
  const started = performance.now();
  select.value = value;
  select.dispatchEvent(new Event('change'));
  while (row().dataset.status !== status) await new Promise((resolve) => setTimeout(resolve, 1));
  return performance.now() - started;
}"""


def start_up(url: str, runs: int) -> list[dict[str, float]]:
    found = []
    for _ in range(runs):
        with offline_page(url) as (page, refused, _, errors):
            started = time.perf_counter()
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]", timeout=180_000)
            wall = (time.perf_counter() - started) * 1000
            timings = page.evaluate("window.caragStudio.timings")
            assert not refused and not errors, (refused, errors)
            found.append({"wall": wall, "ready": timings["ready"], **{f"worker {k}": v for k, v in timings["worker"].items()}})
    return found


def interactions(url: str, edits: int, answers: int) -> tuple[list[float], list[float]]:
    with offline_page(url) as (page, refused, _, errors):
        page.goto(url)
        page.wait_for_selector("body[data-warm=true]", timeout=180_000)
        page.evaluate(f"window.caragStudio.open('{FILE}')")
        diagnostics = [page.evaluate(EDIT, [index % 2 == 0]) for index in range(edits + 2)][2:]  # 2 warm-up edits
        routing = [page.evaluate(ANSWER, ["true", "applies"] if index % 2 == 0 else ["", "pending"]) for index in range(answers + 2)][2:]
        assert not refused and not errors, (refused, errors)
    return diagnostics, routing


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.strip() or "Chromium"
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    return f"{cpu}, {len(__import__('os').sched_getaffinity(0))} logical CPUs; {chromium}; load average {load} when it started"


def report(starts: list[dict[str, float]], diagnostics: list[float], routing: list[float], size: str) -> str:
    def row(name: str, values: list[float]) -> str:
        target = TARGETS_MS[name]
        median = statistics.median(values)
        return (f"| {name} | {median:,.0f} ms | {min(values):,.0f} ms | {max(values):,.0f} ms | {target:,} ms | "
                f"{'met' if median <= target else 'missed'} |")

    parts = ("worker pyodide", "worker unpacked", "worker imported", "ready")
    split = ", ".join(f"{name.removeprefix('worker ')} {statistics.median(s[name] for s in starts) / 1000:.1f} s" for name in parts)
    return "\n".join([
        SECTION,
        "",
        "Produced by `python benchmarks/studio.py --write`: the studio of `questions/` built by `carag studio`, served "
        "from 127.0.0.1 and driven in headless Chromium by Playwright, every other address refused.",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}. The studio's folder: {size}.",
        "",
        "| what | median | best | worst | target | |",
        "|---|---:|---:|---:|---:|---|",
        row("start-up", [s["wall"] for s in starts]),
        row("diagnostics", diagnostics),
        row("routing", routing),
        "",
        f"- **start-up**: {len(starts)} cold starts, each in a fresh browser context (nothing cached), from opening "
        "the page until it is interactive with the CARaG checked and the case form routed. Where the time goes "
        f"(medians, from the page's start): {split}. Pyodide's own start (the WebAssembly runtime and the standard "
        "library) is most of it; importing carag compiles its modules from source, as Pyodide has no bytecode cache.",
        f"- **diagnostics**: {len(diagnostics)} edits of `questions/{FILE}`, one character each, alternately misspelling "
        "a fact and fixing it, from the edit until the page shows the new diagnostics (the whole rule set is checked, "
        "as `carag check` does; only the edited file is parsed again).",
        f"- **routing**: {len(routing)} answers (court_report yes, then not known), from the answer until question X 1 "
        "shows its new status.",
        "- The machine is shared with other work; a busy machine moves the start-up most.",
        "",
    ])


def write_section(text: str) -> None:
    page = ROOT / "docs" / "benchmarks.md"
    content = page.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    content = pattern.sub(lambda _: text + "\n", content) if pattern.search(content) else content.rstrip("\n") + "\n\n" + text
    page.write_text(content, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a studio built already (default: build one into a temporary folder)")
    parser.add_argument("--starts", type=int, default=3, help="cold starts (default 3)")
    parser.add_argument("--edits", type=int, default=20, help="timed edits (default 20)")
    parser.add_argument("--answers", type=int, default=20, help="timed answers (default 20)")
    parser.add_argument("--write", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="carag-studio-bench-") as temporary:
        site = args.site or Path(temporary)
        if args.site is None:
            built = build_studio(site)
            print(built.stdout.strip().splitlines()[-2])
        size = f"{sum(f.stat().st_size for f in site.rglob('*') if f.is_file()) / 1e6:.1f} MB"
        with serve(site) as url:
            starts = start_up(url, args.starts)
            diagnostics, routing = interactions(url, args.edits, args.answers)
    text = report(starts, diagnostics, routing, size)
    print(text)
    if args.write:
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
