"""The progress bar of `carag eval --cases` and `carag rate`: shown to a person at a terminal, never in pipes."""

from __future__ import annotations

import io
import time

from carag_dsl.cli._progress import Progress


def test_the_bar_shows_the_share_read_and_the_cases_after_the_first_second():
    stream = io.StringIO()
    progress = Progress(100, "evaluating", stream)
    progress.started = time.monotonic() - 2  # as if the run had gone on for two seconds
    for _ in progress.track(["x" * 49 + "\n"]):
        progress.tick()
    assert stream.getvalue() == "\revaluating [###############...............]  50%  1 cases"
    progress.clear()
    assert stream.getvalue().endswith("\r")


def test_short_runs_show_nothing():
    stream = io.StringIO()
    progress = Progress(100, "rating", stream)
    for _ in progress.track(["line\n"]):
        progress.tick()
    progress.clear()
    assert stream.getvalue() == ""


def test_no_bar_when_standard_error_is_not_a_terminal(tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text("{}\n")
    assert Progress.for_input(str(cases), "rating") is None  # pytest captures stderr: not a terminal
    assert Progress.for_input("-", "rating") is None


def test_a_count_without_a_bar_for_work_of_unknown_length():
    stream = io.StringIO()
    progress = Progress(0, "fuzzing", stream, counting=True)
    progress.started = time.monotonic() - 2
    progress.tick()
    progress.tick()  # drawn at most five times a second
    assert stream.getvalue() == "\rfuzzing: 1 cases tried"
    progress.clear()
    assert stream.getvalue().endswith("\r")
    assert Progress.counting("fuzzing") is None  # pytest captures stderr: not a terminal
