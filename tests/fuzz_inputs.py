"""Fuzzing hostile and broken input: mutated rule sets and mutated case data (issue 11).

Run on demand from the repository root::

    python -m tests.fuzz_inputs                       # 10,000 rule-set and 100,000 case-data mutations
    python -m tests.fuzz_inputs --rule-sets 500 --cases 5000 --seed 7
    python -m tests.fuzz_inputs --minutes 10          # every kind in turn, for ten minutes

Two more kinds (issue 24): rule sets made to be expensive (``--expensive N``: many options, chained
defines, sums of ifs, numbers compared in chains, syntax-error floods, each sometimes mutated), put
through check, both back ends, lint, diff and both form exports within the analysis's budget (lint and
diff must say what they could not analyse); and the language server (``--lsp N``: random JSON-RPC
messages, well-formed and not, to one ``carag lsp`` process, every request answered, no traceback).

Case-data mutations are files of JSON Lines, CSV (in spreadsheet forms) or JSON arrays, read by the
readers of ``carag eval --cases`` and ``carag rate`` (``cli._cases``), per case and with the columnar engine.
It reports counts: mutants tried, mutants ``check`` refused (a CaragError: fine),
non-CaragError exceptions (crashes), back-end disagreements, runs slower than
2 s (hangs) and case lines lost (a line that gave neither a result nor a located
error). Every count but the first two must be 0; the exit status is 1 otherwise.
The test suite runs a short fuzz through :func:`fuzz_rule_sets` and
:func:`fuzz_case_lines`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

import attrs

from carag_dsl import CaragError, loads

REPO = Path(__file__).resolve().parent.parent
#: A run that takes more CPU time than this counts as a hang. CPU time, not wall time: on a machine
#: shared with other work a run may wait for the processor much longer than it computes.
HANG_SECONDS = 2.0
_clock = time.process_time

SEED_RULES = [
    "".join((REPO / "tests" / "fixtures" / "sample" / name).read_text(encoding="utf-8").replace('include "questions.carag"', "")
            for name in ("sample.carag", "questions.carag")),
    '''ruleset "fuzz" version "1" published 2025-01-01
fact flag: bool
fact n: int
fact start: date
fact end: date
fact kind: one of alpha, beta, gamma
fact level: scale low, medium, high
fact tags: any of red, green, blue
fact note: text
define near = end <= start + 8 weeks
define pick = if flag then kind else alpha
define gap = days from start to end
constraint end requires end >= start message "the end is before the start"
case type
    adjusted when near and flag
    core otherwise
    override core when [Q1] == yes
question "Q1" prompt
    text "first"
    applies when flag and not (kind in {beta, gamma}) or level >= medium
    answer yes_no
question "Q2" judgement
    text "second"
    applies when case_type == core or gap < 10 days
    answer yes_no_not_a_factor
    derive yes when pick == beta
    derive no when n > 3
question "Q3" information
    text "third"
    applies when red in tags or note == "x"
    answer scale low, medium, high
''',
]

#: Fragments spliced into rule text: keywords, operators, limits, encodings, paths.
RULE_FRAGMENTS = [
    " and ", " or ", " not ", "(", ")", "{", "}", ",", "==", "<=", " + ", " - ", " if flag then ", " then ", " else ",
    " 8 weeks", " 200000000 weeks", " 999999999 days", " 9" * 30, "9" * 5000, " 2025-02-30", " 0001-01-01", " 9999-12-31",
    "\n", "\u2028", "\x0c", "\x85", "\ufeff", "\x00", "\x1b[31m", "\ud800", "é", '"', '"""', "#", "[Q1]", "[Q9]",
    "\ninclude \"/proc/self/environ\"\n", "\ninclude \"../../../../etc/passwd\"\n", "\ninclude \"/dev/zero\"\n",
    "\ndefine x = " + "(flag or " * 300 + "flag" + ")" * 300 + "\n",
    "\ndefine y = " + "not " * 250 + "flag\n",
    "\ndefine z = " + "if flag then " * 40 + "1" + " else 2" * 40 + "\n",
    "\ncase type\n" + "".join(f"    t{i} when n == {i}\n" for i in range(130)) + "    rest otherwise\n",
    '\nquestion "QD" judgement\n    text "d"\n    answer yes_no\n' + "".join(f"    derive yes when n == {i}\n" for i in range(130)),
    "\ndefine w = flag" + " and flag" * 260 + "\n",
]


def mutate_rules(text: str, rng: random.Random) -> str:
    """Up to three random edits: delete, duplicate or move a span, splice a fragment, nest an expression."""
    for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
        kind = rng.randrange(6)
        a = rng.randrange(len(text) + 1)
        b = min(len(text), a + rng.randint(0, 40))
        if kind == 0:
            text = text[:a] + text[b:]
        elif kind == 1:
            text = text[:b] + text[a:b] * rng.randint(1, 50) + text[b:]
        elif kind == 2:
            text = text[:a] + rng.choice(RULE_FRAGMENTS) + text[a:]
        elif kind == 3:
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif kind == 4:
            depth = rng.choice((5, 50, 150, 220, 400))
            text = text.replace("applies when ", "applies when " + "(" * depth, 1).replace("\n    answer", ")" * depth + "\n    answer", 1)
        else:
            text = text[:a] + "".join(rng.choice(" \n\t(){}[]=<>+-,\"#abc0129") for _ in range(rng.randint(1, 12))) + text[a:]
    return text


def random_value(rng: random.Random) -> Any:
    """Any JSON value a careless or hostile case could hold."""
    return rng.choice([
        None, True, False, 0, -1, 3, 10**30, 2.5, float("nan"), "", "yes", "no", "not_a_factor", "low", "high", "alpha",
        "beta", "2025-01-01", "2025-02-30", "2025-W01-1", "20250101XX", "9999-12-31", "0001-01-01", "\x1b[2J", "\ud800",
        ["red"], ["red", "red"], ["nope"], [1], {"a": 1}, "x" * 10_000,
    ])


def random_case(rules, rng: random.Random) -> dict:
    names = list(rules.facts) + ["nosuchfact"]
    questions = list(rules.questions) + ["Q99"]
    case: dict = {"id": rng.choice([1, "a", None, [1], "\x1b]0;x\x07"])}
    if rng.random() < 0.9:
        case["facts"] = {rng.choice(names): random_value(rng) for _ in range(rng.randint(0, len(names)))}
    if rng.random() < 0.9:
        case["answers"] = {rng.choice(questions): random_value(rng) for _ in range(rng.randint(0, len(questions)))}
    if rng.random() < 0.05:
        case["extra"] = 1
    return case


@attrs.define
class Report:
    """Counts of one fuzz run; ``samples`` keeps the first few crashes to reproduce them."""

    tried: int = 0
    refused: int = 0
    crashes: int = 0
    mismatches: int = 0
    hangs: int = 0
    lost_lines: int = 0
    samples: list[str] = attrs.field(factory=list)
    keep: Path | None = None  # a folder to save the input of every problem in, to reproduce it
    current: str = ""  # the rule text being tried (saved with its problem)

    def problem(self, what: str, detail: str) -> None:
        if len(self.samples) < 5:
            self.samples.append(f"{what}: {detail}")
        if self.keep is not None and self.current:
            self.keep.mkdir(parents=True, exist_ok=True)
            (self.keep / f"problem-{self.crashes + self.hangs + self.mismatches:05d}.carag").write_text(
                f"# {what}: {detail}\n" + self.current, encoding="utf-8", errors="surrogatepass")

    @property
    def ok(self) -> bool:
        return self.crashes == self.mismatches == self.hangs == self.lost_lines == 0


def _outcome(rules, case, backend):
    try:
        evaluation = rules.evaluate(case, backend=backend)
    except CaragError as error:
        return ("error", str(error))
    json.dumps(evaluation.to_dict(), allow_nan=False)  # a result must always be writable as JSON
    for question_id in list(rules.questions)[:3]:
        evaluation.explain(question_id)
    return evaluation.to_dict()


def _timed(report: Report, what: str, action: Callable[[], Any], limit: float = HANG_SECONDS) -> Any:
    start = _clock()
    try:
        return action()
    except CaragError:
        raise
    except Exception as error:  # the finding this fuzz looks for
        report.crashes += 1
        report.problem(what, "".join(traceback.format_exception_only(type(error), error)).strip()[:300])
        return None
    finally:
        if _clock() - start > limit:
            report.hangs += 1
            report.problem(what, f"took {_clock() - start:.1f} s")


def check_and_evaluate(text: str, cases: list[dict] | None, rng: random.Random, report: Report,
                       check_limit: float = HANG_SECONDS) -> None:
    """``check`` the text; when accepted, evaluate cases with both back ends. Only CaragError may escape the engine.

    ``check_limit``: the CPU seconds ``check`` may take (more for rule sets made to be expensive: 20,000
    syntax errors are 20,000 located diagnostics, linear work that takes a few seconds)."""
    report.tried += 1
    report.current = text
    try:
        rules = _timed(report, "check", lambda: loads(text), check_limit)
    except CaragError:
        report.refused += 1
        return
    if rules is None:
        return
    for case in cases if cases is not None else [random_case(rules, rng) for _ in range(3)]:
        try:
            compiled = _timed(report, "evaluate (compiled)", lambda: _outcome(rules, case, "compiled"))
            reference = _timed(report, "evaluate (reference)", lambda: _outcome(rules, case, "reference"))
        except CaragError as error:  # explain's usage errors and the like: fine
            del error
            continue
        if compiled is not None and reference is not None and compiled != reference:
            report.mismatches += 1
            report.problem("back ends disagree", repr(case)[:200])


def fuzz_rule_sets(count: int, seed: int = 0, keep: Path | None = None) -> Report:
    rng = random.Random(seed)
    report = Report(keep=keep)
    for _ in range(count):
        check_and_evaluate(mutate_rules(rng.choice(SEED_RULES), rng), None, rng, report)
    return report


#: Fragments spliced into case lines: encodings, sizes, nesting, numbers JSON cannot carry, separators.
CASE_FRAGMENTS = [
    b"\xff", b"\xc3", b"\\ud800", b"\\udfff", b"9" * 5000, b"-" + b"9" * 400, b"[" * 3000, b"{\"a\":" * 50, b"NaN",
    b"Infinity", b"-Infinity", b"1e999", b'"id": 1, "id": 2, ', b"\xef\xbb\xbf", "\u2028".encode(), b"\x0c",
    "\x85".encode(), b"\x1b[2J", b'"', b"\n", b"\r", b"{", b"}", b"[", b"]", b",", b":", b"null", b"true",
    b'"2025-W01-1"', b'"20250101XX"', b'"0001-01-01"', b'"9999-12-31"', b'"' + b"x" * 20_000 + b'"', b"\x00",
]


def mutate_line(line: bytes, rng: random.Random) -> bytes:
    """Up to three random byte edits of one case line."""
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        a = rng.randrange(len(line) + 1)
        b = min(len(line), a + rng.randint(0, 12))
        kind = rng.randrange(4)
        if kind == 0:
            line = line[:a] + line[b:]
        elif kind == 1:
            line = line[:a] + rng.choice(CASE_FRAGMENTS) + line[a:]
        elif kind == 2:
            line = line[:a] + bytes([rng.randrange(256)]) + line[a + 1:]
        else:
            line = line[:a] + rng.choice(CASE_FRAGMENTS) + line[b:]
    return line


def fuzz_case_lines(count: int, seed: int = 0, batch: int = 500) -> Report:
    """``count`` mutated case lines, in files of ``batch`` lines (JSON Lines, CSV, or a JSON array), read by the
    readers of ``carag eval --cases`` and ``carag rate`` (cli._cases) as those commands read them.

    Every non-blank line must give a result (written as JSON) or a located error: a line that gives
    neither is lost. The compiled and reference back ends must agree on every line that is a case, and
    the columnar engine (when the bulk extra is installed) must give every line the same result or error.
    """
    import io

    from carag_dsl import load
    from carag_dsl.cli._cases import bulk_installed, columnar_chunks, per_case_rows
    from carag_dsl.runtime.result_writer import ResultWriter

    rng = random.Random(seed)
    rules = load(REPO / "tests" / "fixtures" / "sample")
    writer = ResultWriter(rules)
    base = [json.dumps(json.loads((REPO / "tests" / "fixtures" / "sample" / "case_licence.json").read_text(encoding="utf-8")))]
    base += [json.dumps(random_case(rules, rng), ensure_ascii=rng.random() < 0.5) for _ in range(200)]
    header, csv_base = _csv_base(rules, rng)
    columnar = bulk_installed()
    report = Report()
    done = 0
    while done < count:
        kind = rng.choice(("jsonl", "jsonl", "csv", "array"))
        size = min(batch, count - done)
        if kind == "csv":
            lines = [mutate_line(rng.choice(csv_base), rng) for _ in range(size)]
            blob = header + b"\n" + b"\n".join(lines) + b"\n"
            expected = sum(1 for line in blob.split(b"\n")[1:] if not _blank_csv_row(line))
        elif kind == "array":  # elements of a JSON array, one in five broken the ways lines are
            lines = [rng.choice(base).encode("utf-8", "surrogatepass") for _ in range(size)]
            lines = [mutate_line(line, rng).replace(b"\n", b" ") if rng.random() < 0.2 else line for line in lines]
            blob = b"[" + b",\n".join(lines) + b"]"
            expected = None  # a break in the array itself ends the reading there, with its error
        else:
            lines = [mutate_line(rng.choice(base).encode("utf-8", "surrogatepass"), rng) for _ in range(size)]
            blob = b"\n".join(lines) + b"\n"
            expected = sum(1 for line in (blob[3:] if blob.startswith(b"\xef\xbb\xbf") else blob).split(b"\n") if line.strip())
        path = {"jsonl": "fuzz.jsonl", "csv": "fuzz.csv", "array": "fuzz.json"}[kind]
        outcomes: dict[int, Any] = {}
        try:
            rows = per_case_rows(rules, path, kind, io.BytesIO(blob))
        except CaragError:  # pragma: no cover - the readers raise lazily, on the first row
            report.refused += 1
            done += size
            continue
        while True:
            start = _clock()
            try:
                number, case, wrong = next(rows)
            except StopIteration:
                break
            except CaragError:
                report.refused += 1
                break
            except Exception as error:  # reading must never raise: every problem belongs to a line
                report.crashes += 1
                report.problem(f"reading case lines ({kind})", "".join(traceback.format_exception_only(type(error), error)).strip()[:300])
                break
            finally:
                if _clock() - start > HANG_SECONDS:
                    report.hangs += 1
                    report.problem("reading one line", f"took {_clock() - start:.1f} s")
            report.tried += 1
            if wrong is not None:
                report.refused += 1
                outcomes[number] = ("error", wrong)
                continue
            compiled = _timed(report, "case line (compiled)", lambda: _line_outcome(rules, writer, case, "compiled"))
            reference = _timed(report, "case line (reference)", lambda: _line_outcome(rules, writer, case, "reference"))
            if compiled is not None and reference is not None and compiled != reference:
                report.mismatches += 1
                report.problem("back ends disagree", repr(case)[:200])
            outcomes[number] = compiled
        done += size if expected is not None else max(1, len(outcomes))  # an array counts the elements read
        if expected is not None and len(outcomes) != expected:
            report.lost_lines += abs(expected - len(outcomes))
            report.problem("lines lost", f"{expected} non-blank lines, {len(outcomes)} read ({kind})")
        if columnar and outcomes:
            _compare_columnar(report, rules, kind, path, blob, outcomes, columnar_chunks)
    return report


def _blank_csv_row(line: bytes) -> bool:
    """A line the CSV reader skips: empty, or a well-formed row of empty cells (``,,""``)."""
    import csv

    if not line.strip():
        return True
    try:
        cells = next(csv.reader((line.decode("utf-8"),), strict=True))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return False
    return not any(cell.strip() for cell in cells)


def _csv_base(rules, rng: random.Random) -> tuple[bytes, list[bytes]]:
    """A CSV header of every fact and answer column, and rows of random cases in spreadsheet forms."""
    names = ["id", *rules.facts, *(q for q, d in rules.symbols.questions.items() if d.answer is not None)]
    cells = ["", "yes", "No", "TRUE", "2025-01-06", "06/01/2025", "31/02/2025", "2025-W01-1", "Licence", "licence", "Not a factor",
             "not_a_factor", "Housing;Health", "(none)", "medium", "High", "3", "9" * 50, "x" * 300, '"quoted, cell"', '"open', "\x1b[2J"]
    rows = [",".join(rng.choice(cells) for _ in names).encode("utf-8") for _ in range(200)]
    return ",".join(names).encode("utf-8"), rows


def _compare_columnar(report: Report, rules, kind: str, path: str, blob: bytes, outcomes: dict[int, Any], columnar_chunks) -> None:
    """The columnar engine reads the same file: each line's result or error must be the per-case one."""
    import io

    from carag_dsl.runtime.columnar import result_dicts

    found: dict[int, Any] = {}
    try:
        for chunk in columnar_chunks(rules, path, kind, io.BytesIO(blob)):
            errors = dict(chunk.unread)
            found.update((number, ("error", wrong)) for number, wrong in errors.items())
            if chunk.result is not None:
                for number, row in zip(chunk.numbers, result_dicts(chunk.result)):
                    found[number] = ("error", row) if isinstance(row, str) else json.dumps(row, ensure_ascii=False)
    except CaragError:
        return
    except Exception as error:
        report.crashes += 1
        report.problem(f"columnar engine ({kind})", "".join(traceback.format_exception_only(type(error), error)).strip()[:300])
        return
    for number, expected in outcomes.items():
        got = found.get(number)
        if got != expected and not (isinstance(got, str) and isinstance(expected, str) and json.loads(got) == json.loads(expected)):
            report.mismatches += 1
            report.problem(f"columnar engine disagrees ({kind}, line {number})", f"{str(expected)[:100]} / {str(got)[:100]}")
            return


def _line_outcome(rules, writer, case, backend):
    try:
        evaluation = rules.evaluate(case, backend=backend)
    except CaragError as error:
        return ("error", str(error))
    line = writer.line(evaluation)
    json.loads(line)  # what eval --cases writes must be JSON
    line.encode("utf-8")  # and writable as UTF-8
    return line


# ------------------------------------------------------------------ rule sets made to be expensive (issue 24)

#: The analysis's budget in the fuzz, and how long (CPU) one command may take on an expensive rule set:
#: the budget, the sample diff falls back on, and the rest.
EXPENSIVE_BUDGET_SECONDS = 2.0
EXPENSIVE_SECONDS = 8.0


def _sibling(name: str):
    """A helper module of tests/, whether this runs as ``python -m tests.fuzz_inputs`` or is imported by a test."""
    import importlib

    try:
        return importlib.import_module(f"tests.{name}")
    except ImportError:
        return importlib.import_module(name)


def expensive_rules_text(rng: random.Random) -> str:
    make = _sibling("expensive_rules")

    text = rng.choice([
        lambda: make.many_named_options(rng.randint(2, 60)),
        lambda: make.many_read_options(rng.randint(2, 60)),
        lambda: make.many_options(rng.choice((5, 300, 3000))),
        lambda: make.compared_chain(rng.randint(2, 14)),
        lambda: make.sum_of_ifs(rng.randint(2, 20)),
        lambda: make.chained_defines(rng.randint(2, 80), rng.choice(("set", "int"))),
        lambda: make.syntax_error_flood(rng.choice((1, 10, 500, 5000, 20000))),
    ])()
    return mutate_rules(text, rng) if rng.random() < 0.3 else text


def fuzz_expensive(count: int, seed: int = 0, keep: Path | None = None) -> Report:
    """Expensive rule sets through check, both back ends, lint, diff and the form exports, within the budget."""
    from carag_dsl.analysis import Budget
    from carag_dsl.tools.diff import diff_rules
    from carag_dsl.tools.diff import exact as exact_diff
    from carag_dsl.tools.forms import surveyjs_form, xlsform_plan
    from carag_dsl.tools.lint import lint

    exact_diff.SAMPLE_SECONDS, exact_diff.SAMPLE_CASES = 1.0, 2000
    budget = Budget(seconds=EXPENSIVE_BUDGET_SECONDS)
    rng = random.Random(seed)
    report = Report(keep=keep)
    for _ in range(count):
        text = expensive_rules_text(rng)
        check_and_evaluate(text, None, rng, report, EXPENSIVE_SECONDS)
        try:
            rules = loads(text)
        except CaragError:
            continue
        other = rules
        try:
            other = loads(mutate_rules(text, rng))
        except CaragError:
            pass
        for what, action in (
            ("lint", lambda: lint(rules, budget=budget)),
            ("diff", lambda: diff_rules(rules, other, budget=budget)),
            ("export surveyjs", lambda: json.dumps(surveyjs_form(rules))),
            ("export xlsform", lambda: xlsform_plan(rules)),
        ):
            try:
                result = _timed(report, what, action, EXPENSIVE_SECONDS)
            except CaragError:
                continue
            _says_what_it_could_not_analyse(report, what, result)
    return report


def _says_what_it_could_not_analyse(report: Report, what: str, result: Any) -> None:
    """A partial lint or diff names each rule or comparison it left, with a reason."""
    entries = getattr(result, "not_analysed", None) if what == "lint" else getattr(getattr(result, "exact", None), "not_analysed", None)
    if entries and not all(entry.reason.strip() for entry in entries):
        report.mismatches += 1
        report.problem(f"{what} left something unanalysed without a reason", repr(entries)[:200])


# ------------------------------------------------------------------ the language server (issue 24)

_LSP_METHODS = [
    "textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/references",
    "textDocument/documentSymbol", "textDocument/formatting", "textDocument/prepareRename", "textDocument/rename",
    "textDocument/codeLens", "workspace/executeCommand", "no/such/method", "$/cancelRequest",
]
_LSP_NOTIFICATIONS = ["textDocument/didOpen", "textDocument/didChange", "textDocument/didSave", "textDocument/didClose"]


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    if depth > 3 or rng.random() < 0.5:
        return random_value(rng)
    if rng.random() < 0.5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    keys = ["textDocument", "position", "uri", "line", "character", "text", "newName", "context", "command", "arguments", "x"]
    return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _lsp_params(rng: random.Random, uris: list[str], texts: list[str]) -> Any:
    """Parameters that are right, nearly right, or anything."""
    if rng.random() < 0.2:
        return _random_json(rng)
    document = {"uri": rng.choice(uris), "version": rng.randint(-1, 10**12), "text": rng.choice(texts), "languageId": "carag"}
    position = {"line": rng.choice((0, 3, 40, -1, 10**9)), "character": rng.choice((0, 5, 80, -1, 10**9))}
    params = {"textDocument": document, "position": position, "newName": rng.choice(("x", "", "2bad", "a b")),
              "context": {"includeDeclaration": rng.random() < 0.5}, "options": {"tabSize": 4, "insertSpaces": True},
              "contentChanges": [{"text": rng.choice(texts)}], "command": "carag.evaluateExample",
              "arguments": [_random_json(rng) for _ in range(rng.randint(0, 2))], "id": rng.randint(0, 5)}
    for key in list(params):
        if rng.random() < 0.1:
            params[key] = _random_json(rng)
    return params


def fuzz_lsp(count: int, seed: int = 0) -> Report:
    """``count`` random messages to one ``carag lsp``: every request answered in time, no traceback, a clean exit."""
    import queue
    import shutil
    import tempfile

    WireClient = _sibling("lsp_wire").WireClient

    rng = random.Random(seed)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="carag-fuzz-lsp-") as folder:
        rules = Path(folder) / "rules"
        shutil.copytree(REPO / "tests" / "fixtures" / "sample", rules)
        files = sorted(rules.glob("*.carag"))
        uris = [f.as_uri() for f in files] + ["file:///proc/self/environ", "file:///dev/zero", "not a uri", (rules / "new.carag").as_uri()]
        texts = [f.read_text(encoding="utf-8") for f in files] + [expensive_rules_text(rng) for _ in range(4)]
        texts = [mutate_rules(rng.choice(texts), rng) if rng.random() < 0.5 else rng.choice(texts) for _ in range(20)]
        client = WireClient(rules)
        try:
            try:
                client.initialize(rules)
            except queue.Empty:
                report.hangs += 1
                report.problem("lsp", "no reply to initialize")
                return report
            for _ in range(count):
                report.tried += 1
                roll = rng.random()
                if roll < 0.05:  # not JSON-RPC at all
                    client.send_raw(b"Content-Length: 7\r\n\r\n{oops!}")
                    waited = None
                elif roll < 0.4:
                    client.notify(rng.choice(_LSP_NOTIFICATIONS), _lsp_params(rng, uris, texts))
                    continue
                else:
                    waited = client.request(rng.choice(_LSP_METHODS), _lsp_params(rng, uris, texts))
                try:
                    reply = client.reply(waited, timeout=HANG_SECONDS * 10)
                except queue.Empty:
                    report.hangs += 1
                    report.problem("lsp", "a request got no reply in time")
                    continue
                except AssertionError as error:
                    report.crashes += 1
                    report.problem("lsp", f"the server stopped: {error}")
                    return report
                if "error" in reply:
                    report.refused += 1
            status = client.close()
            if status != 0:
                report.crashes += 1
                report.problem("lsp", f"exit status {status}")
        finally:
            client.kill()
        for line in client.stderr.decode("utf-8", "replace").splitlines():
            if "Traceback" in line or "could not handle" in line:
                report.crashes += 1
                report.problem("lsp stderr", line[:200])
    return report


def _print(name: str, report: Report, seconds: float) -> None:
    print(f"{name}: {report.tried} tried, {report.refused} refused with a located error, {report.crashes} non-CaragError "
          f"exceptions, {report.mismatches} back-end disagreements, {report.hangs} over {HANG_SECONDS:g} s, "
          f"{report.lost_lines} lines lost ({seconds:.0f} s of CPU)")
    for sample in report.samples:
        print("  " + sample)


def _add(total: Report, part: Report) -> None:
    for field in ("tried", "refused", "crashes", "mismatches", "hangs", "lost_lines"):
        setattr(total, field, getattr(total, field) + getattr(part, field))
    total.samples += part.samples[: max(0, 5 - len(total.samples))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz_inputs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rule-sets", type=int, default=10_000, metavar="N", help="rule-set mutations (default 10,000)")
    parser.add_argument("--cases", type=int, default=100_000, metavar="N", help="case-data line mutations (default 100,000)")
    parser.add_argument("--expensive", type=int, default=200, metavar="N", help="rule sets made to be expensive (default 200)")
    parser.add_argument("--lsp", type=int, default=2000, metavar="N", help="random JSON-RPC messages to the language server (default 2,000)")
    parser.add_argument("--minutes", type=float, metavar="M", help="instead of counts: every kind in turn, in small rounds, for M minutes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="save the rule text of every problem found in DIR")
    args = parser.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    kinds: list[tuple[str, Callable[[int, int], Report], int]] = [
        ("rule sets", lambda n, seed: fuzz_rule_sets(n, seed, args.keep), args.rule_sets),
        ("case lines", lambda n, seed: fuzz_case_lines(n, seed), args.cases),
        ("expensive rule sets", lambda n, seed: fuzz_expensive(n, seed, args.keep), args.expensive),
        ("language server", lambda n, seed: fuzz_lsp(n, seed), args.lsp),
    ]
    totals = {name: Report() for name, _, _ in kinds}
    spent = {name: 0.0 for name, _, _ in kinds}
    if args.minutes is None:
        for name, run, count in kinds:
            start = _clock()
            _add(totals[name], run(count, args.seed))
            spent[name] = _clock() - start
    else:
        rounds = {"rule sets": 200, "case lines": 2000, "expensive rule sets": 5, "language server": 200}
        deadline = time.monotonic() + args.minutes * 60
        seed = args.seed
        while time.monotonic() < deadline:
            for name, run, _ in kinds:
                if time.monotonic() >= deadline:
                    break
                start = _clock()
                _add(totals[name], run(rounds[name], seed))
                spent[name] += _clock() - start
            seed += 1
    for name, _, _ in kinds:
        _print(name, totals[name], spent[name])
    return 0 if all(report.ok for report in totals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
