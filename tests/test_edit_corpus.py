"""The golden corpus of realistic edits of questions/: what `carag diff` and `carag lint` say about each.

Each tests/fixtures/edits/NAME.json is one edit methodology staff might make (the window moved, a label
changed, a condition negated, a question added, an option renamed, a factor's source dropped, ...) as text
steps applied to a copy of questions/. Beside it, NAME.diff.txt and NAME.lint.txt hold the exact text of
`carag diff questions-before questions` and `carag lint questions` on the edited copy. Run with
UPDATE_GOLDEN=1 to rewrite them after an intended change (of wording, or of the CARaG), then read the diff.

Besides the exact text, every change of every diff must be readable: each line that describes it under 160
characters, at most six such lines, its cause named, and its witness routed as the change says under both
versions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("dd")  # the analysis extra

from carag_dsl import load  # noqa: E402
from carag_dsl.cli import main  # noqa: E402
from carag_dsl.runtime.evaluate import evaluate_case  # noqa: E402
from carag_dsl.tools.diff import diff_rules  # noqa: E402
from carag_dsl.tools.diff.render import description_lines  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "fixtures" / "edits"
EDITS = sorted(p.stem for p in CORPUS.glob("*.json"))
WIDTH = 160


def _question_block(text: str, question_id: str) -> tuple[int, int]:
    start = text.index(f'question "{question_id}"')
    following = re.compile(r"^(question|section|define|test|fact|applicability|exclude|constraint) ", re.M).search(text, start + 1)
    return start, following.start() if following else len(text)


def _replace_once(text: str, old: str, new: str, where: str) -> str:
    assert text.count(old) == 1, f"{where}: {old!r} is there {text.count(old)} times, not once"
    return text.replace(old, new)


def apply_edit(folder: Path, steps: list[dict]) -> None:
    """Apply an edit's steps to the rule files of ``folder`` (a copy of questions/)."""
    for step in steps:
        if "question" in step or "remove_question" in step:
            qid = step.get("question") or step["remove_question"]
            path = next(p for p in sorted(folder.glob("*.carag")) if f'question "{qid}"' in p.read_text(encoding="utf-8"))
            text = path.read_text(encoding="utf-8")
            start, end = _question_block(text, qid)
            block = "" if "remove_question" in step else _replace_once(text[start:end], step["old"], step["new"], qid)
            path.write_text(text[:start] + block + text[end:], encoding="utf-8")
        elif "file" in step:
            path = folder / step["file"]
            text = path.read_text(encoding="utf-8")
            changed = text.replace(step["old"], step["new"]) if step.get("all") else _replace_once(text, step["old"], step["new"], step["file"])
            assert changed != text, f"{step['file']}: {step['old']!r} is not there"
            path.write_text(changed, encoding="utf-8")
        elif "append" in step:
            path = folder / step["append"]
            path.write_text(path.read_text(encoding="utf-8") + step["new"], encoding="utf-8")
        elif "everywhere" in step:
            for path in sorted(folder.rglob("*.carag")):
                text = path.read_text(encoding="utf-8")
                path.write_text(re.sub(step["everywhere"], step["new"], text), encoding="utf-8")
        elif "line_starting" in step:
            path = next(p for p in sorted(folder.glob("*.carag")) if re.search("^" + re.escape(step["line_starting"]), p.read_text(encoding="utf-8"), re.M))
            lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
            kept = [line for line in lines if not line.startswith(step["line_starting"])]
            assert len(kept) == len(lines) - 1, f"{step['line_starting']!r} starts {len(lines) - len(kept)} lines"
            path.write_text("".join(kept), encoding="utf-8")
        else:
            raise AssertionError(f"unknown step {step}")


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """NAME -> the folder holding questions-before and the edited questions."""
    made: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in made:
            folder = tmp_path_factory.mktemp(name)
            shutil.copytree(REPO / "questions", folder / "questions-before", ignore=shutil.ignore_patterns("examples"))
            shutil.copytree(REPO / "questions", folder / "questions", ignore=shutil.ignore_patterns("examples"))
            apply_edit(folder / "questions", json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))["steps"])
            made[name] = folder
        return made[name]

    return make


def _golden(path: Path, output: str) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(output, encoding="utf-8")
    assert output == path.read_text(encoding="utf-8")


def test_the_corpus_holds_at_least_fifteen_realistic_edits():
    assert len(EDITS) >= 15


@pytest.mark.parametrize("name", EDITS)
def test_diff_and_lint_print_the_checked_in_text_for_each_edit(name, edited, monkeypatch, capsys):
    monkeypatch.chdir(edited(name))
    status = main(["diff", "questions-before", "questions"])
    out = capsys.readouterr().out
    _golden(CORPUS / f"{name}.diff.txt", out)
    assert status == (0 if "No routing change" in out else 1)
    main(["lint", "questions"])
    _golden(CORPUS / f"{name}.lint.txt", capsys.readouterr().out)


@pytest.mark.parametrize("name", EDITS)
def test_every_change_is_told_in_a_few_short_lines_with_its_cause_and_a_witness_true_under_both_versions(name, edited):
    folder = edited(name)
    old, new = load(folder / "questions-before"), load(folder / "questions")
    data = diff_rules(old, new).to_dict()
    for section in ("routing", "case_type", "judgements", "exclusions", "constraints"):
        for change in data[section]:
            lines = description_lines(change)
            assert len(lines) <= 6, lines
            assert all(len(line) < WIDTH for line in lines), [line for line in lines if len(line) >= WIDTH]
            assert change["cause"] and change["cause"].startswith("because "), change
            _witness_shows(section, change, old, new)


def _witness_shows(section: str, change: dict, old, new) -> None:
    """Evaluated under each version, the witness gives what the change says it gives there."""
    results = []
    for rules in (old, new):
        try:
            result = evaluate_case(rules, change["witness"], backend="reference").to_dict()
        except Exception as error:  # noqa: BLE001 -- a rejected witness: its status is "rejected"
            result = {"rejected": str(error)}
        results.append(result)
    for side, result in zip(("from", "to"), results):
        expected = change[side]
        if section == "constraints":
            assert ("rejected" in result) == (expected == "rejected"), (change, result)
        elif section == "exclusions":
            excluded = result.get("excluded")
            state = "inspected" if excluded is None else "not_known_whether_inspected" if isinstance(excluded, dict) else "excluded"
            assert state == expected, (change, result)
        elif section == "case_type":
            assert result["case_type"] == expected, (change, result)
        elif section == "routing":
            assert result["questions"][change["question"]]["status"] == expected, (change, result)
        else:
            question = result["questions"][change["question"]]
            assert (question["value"] if question["source"] == "derived" else None) == expected, (change, result)
