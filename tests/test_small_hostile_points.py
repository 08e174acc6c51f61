"""The smaller points of issue 24 (point 8): `carag diff --git`, the private cache, Markdown diffs.

- `--git` writes a committed symbolic link as a link, never names its temporary folder, says why a revision
  is unknown, and copies only the rule folder's files;
- a FIFO or a folder in the cache folder neither hangs nor breaks a command; the cache prunes itself;
- `diff --format markdown` escapes the HTML the rules carry, and no code span can be closed early.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest

from carag_dsl.compiler.ruleset import loads
from carag_dsl.language import private_cache
from carag_dsl.tools.diff import diff_rules
from carag_dsl.tools.diff.render import render_markdown
from carag_dsl.tools.diff.revision import rules_at_revision

from test_diff import BASE, git, run_carag


def _repository(tmp_path: Path, files: dict[str, str], links: dict[str, str] = {}) -> Path:
    repository = tmp_path / "repository"
    for name, text in files.items():
        (repository / name).parent.mkdir(parents=True, exist_ok=True)
        (repository / name).write_text(text, encoding="utf-8")
    for name, target in links.items():
        os.symlink(target, repository / name)
    git("init", "-q", cwd=repository)
    git("add", ".", cwd=repository)
    git("commit", "-q", "-m", "rules", cwd=repository)
    return repository


SPLIT_ROOT = BASE.split("\nquestion", 1)[0] + '\ninclude "questions.carag"\n'
SPLIT_QUESTIONS = "question" + BASE.split("\nquestion", 1)[1]


# -- carag diff --git
def test_diff_git_keeps_a_committed_symbolic_link_a_link(tmp_path):
    repository = _repository(tmp_path, {"rules/root.carag": SPLIT_ROOT, "rules/real/questions.carag": SPLIT_QUESTIONS},
                             links={"rules/questions.carag": "real/questions.carag"})
    done = run_carag("diff", "--git", "HEAD", "rules", cwd=repository)
    assert done.returncode == 0, done.stdout + done.stderr  # a file holding "real/questions.carag" would not parse
    assert "No routing change" in done.stdout


def test_diff_git_says_why_a_revision_is_unknown(tmp_path):
    repository = _repository(tmp_path, {"rules/root.carag": BASE})
    done = run_carag("diff", "--git", "no-such-revision", "rules", cwd=repository)
    assert done.returncode == 2
    assert "unknown revision 'no-such-revision'" in done.stderr and "no reason given" not in done.stderr


def test_diff_git_never_names_its_temporary_folder(tmp_path):
    repository = _repository(tmp_path, {"rules/root.carag": BASE.replace("\nquestion", '\ninclude "../outside.carag"\nquestion', 1),
                                        "outside.carag": "fact elsewhere: bool\n"})
    (repository / "rules" / "root.carag").write_text(BASE, encoding="utf-8")
    done = run_carag("diff", "--git", "HEAD", "rules", cwd=repository)
    assert done.returncode == 1
    assert "HEAD:" in done.stderr and "carag-diff-" not in done.stderr and "/tmp" not in done.stderr


def test_diff_git_copies_only_the_rule_folders_files(tmp_path):
    repository = _repository(tmp_path, {"rules/root.carag": BASE, "other/big.carag": "fact x: bool\n" * 1000})
    with rules_at_revision("HEAD", repository / "rules") as (copy, _, _):
        copied = sorted(str(path.relative_to(copy)) for path in copy.rglob("*.carag"))
    assert copied == ["rules/root.carag"]


# -- the private cache
def _within(seconds: float, work):
    """``work()`` on a thread; its result, or a failure when it does not return in time (a hang)."""
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still waiting after {seconds} s"
    return outcome[0]


def test_a_fifo_or_a_folder_in_the_cache_is_passed_over(tmp_path):
    fifo, folder = tmp_path / "entry.json", tmp_path / "folder.json"
    os.mkfifo(fifo, 0o600)
    folder.mkdir(mode=0o700)
    assert _within(5, lambda: private_cache.read_private(fifo)) is None  # opened without waiting for a writer
    assert private_cache.read_private(folder) is None


def test_commands_run_with_a_fifo_and_a_folder_planted_over_every_cache_entry(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("CARAG_NO_CACHE", None)
    rules = tmp_path / "rules.carag"
    rules.write_text(BASE, encoding="utf-8")
    carag = Path(os.sys.executable).with_name("carag")
    first = subprocess.run([str(carag), "check", str(rules)], env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    entries = [path for path in (cache / "carag-dsl").iterdir() if path.is_file() and not path.name.startswith(".")]
    assert entries
    for number, path in enumerate(entries):
        path.unlink()
        os.mkfifo(path, 0o600) if number % 2 else path.mkdir(mode=0o700)
    again = subprocess.run([str(carag), "check", str(rules)], env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr


def test_the_cache_prunes_entries_unused_for_a_month_and_the_least_used_beyond_its_size(tmp_path, monkeypatch):
    now = time.time()
    ages = {"old.json": 40, "recent.json": 1, "newest.json": 0, "middle.json": 5}
    for name, days in ages.items():
        path = tmp_path / name
        path.write_bytes(b"{}")
        os.utime(path, (now - days * 86400, now - days * 86400))
    (tmp_path / "a-folder").mkdir()
    assert private_cache.prune(tmp_path, now) == 1
    assert not (tmp_path / "old.json").exists() and (tmp_path / "a-folder").is_dir()
    monkeypatch.setattr(private_cache, "MAX_ENTRIES", 2)
    assert private_cache.prune(tmp_path, now) == 1
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["newest.json", "recent.json"]


def test_writing_to_the_cache_prunes_it_once_a_day(tmp_path):
    stale = tmp_path / "stale.json"
    stale.write_bytes(b"{}")
    os.utime(stale, (0, 0))
    private_cache.write_private(tmp_path, tmp_path / "new.json", b"{}")
    assert not stale.exists() and (tmp_path / "new.json").exists()
    stale.write_bytes(b"{}")
    os.utime(stale, (0, 0))
    private_cache.write_private(tmp_path, tmp_path / "other.json", b"{}")
    assert stale.exists()  # pruned already today


# -- diff --format markdown
def test_a_markdown_diff_escapes_the_html_the_rules_carry(tmp_path):
    old = loads(BASE)
    new = loads(BASE.replace('text "', 'text "<img src=x onerror=alert(1)> `` <b>', 1))
    markdown = render_markdown(diff_rules(old, new).to_dict())
    outside_code = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)  # a code span shows its text as text
    assert "<img" not in outside_code and "<b>" not in outside_code
    edited = next(line for line in markdown.splitlines() if "onerror" in line)
    assert "```<img src=x onerror=alert(1)> `` <b>" in edited  # fenced by three: its two backticks cannot close it


# -- SurveyJS names (the fix is issue 26's, names one to one; tested here as issue 24 found it)
def test_a_surveyjs_form_of_ids_that_differ_only_in_case_has_no_duplicate_name():
    from carag_dsl.tools.forms import surveyjs_form

    rules = loads('ruleset "r" version "1" published 2025-01-01\nfact risk: bool\n'
                  'question "Q" prompt\n    text "q"\n    applies when risk\n    answer yes_no\n'
                  'question "q" prompt\n    text "q"\n    applies when [Q] == yes\n    answer yes_no\n')
    survey = surveyjs_form(rules)
    names = [element["name"] for page in survey["pages"] for panel in page["elements"] for element in panel.get("elements", [panel])]
    names += [value["name"] for value in survey.get("calculatedValues", [])]
    assert len({name.casefold() for name in names}) == len(names), names
    try:
        from form_replay import surveyjs_visibility
        outcome = surveyjs_visibility(survey, [{}])
    except Exception as error:  # noqa: BLE001 - survey-core needs Node.js and its modules
        pytest.skip(f"survey-core is not available: {error}")
    assert outcome["jsonErrors"] == []
