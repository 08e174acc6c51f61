"""The on-disk cache of parsed rule files and generated routing code (issue 18, point 4).

Entries live in the private per-user folder, hold JSON (never pickles), and are
used only when they are ours, private, for this exact text and code, and (for
generated code) match their own hash; anything else is ignored and rebuilt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl.compiler import rules_cache
from carag_dsl.compiler.codegen import generate_source
from carag_dsl.language import ast_cache
from carag_dsl.language.parser import parse_partial
from carag_dsl.language.private_cache import CACHE_FOLDER_NAME, NO_CACHE_VARIABLE

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners are a POSIX notion")

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "questions" / "examples" / "licence_reset_day_56.json"
RULES = """ruleset "Cache test" version "1" published 2025-01-01
fact a: bool
question "Q" prompt
    text "Is it so?"
    applies when a
    answer yes_no
"""


@pytest.fixture
def cache_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(NO_CACHE_VARIABLE, raising=False)
    return home


@pytest.fixture
def rules_file(tmp_path) -> Path:
    path = tmp_path / "rules" / "root.carag"
    path.parent.mkdir()
    path.write_text(RULES, encoding="utf-8")
    return path


def entries(cache_home: Path, prefix: str) -> list[Path]:
    return sorted((cache_home / CACHE_FOLDER_NAME).glob(f"{prefix}-*.json"))


def status_of_q(rules_path: Path, a: bool) -> str:
    return carag_dsl.load(rules_path).evaluate({"id": "c", "facts": {"a": a}}).questions["Q"].status


def test_a_warm_cache_gives_the_same_tree_spans_and_routing_code(cache_home, rules_file):
    cold = carag_dsl.load(rules_file)
    assert len(entries(cache_home, "ast")) == 1 and len(entries(cache_home, "routing")) == 0
    cold_source = cold.compiled.source
    assert len(entries(cache_home, "routing")) == 1
    warm = carag_dsl.load(rules_file)
    assert warm.modules == cold.modules
    spans = lambda rules: [(q.span.location(), q.span.end_line, q.span.end_column, q.id_span.location()) for q in rules.symbols.questions.values()]
    assert spans(warm) == spans(cold)
    assert warm.compiled.source == cold_source == generate_source(cold)


def test_editing_a_rule_file_changes_the_key_so_the_old_entries_are_not_read(cache_home, rules_file):
    assert status_of_q(rules_file, True) == "applies"
    rules_file.write_text(RULES.replace("applies when a", "applies when not a"), encoding="utf-8")
    assert status_of_q(rules_file, True) == "not_applicable"
    assert len(entries(cache_home, "ast")) == 2 and len(entries(cache_home, "routing")) == 2


def test_a_change_of_the_compiler_code_changes_every_key(cache_home, rules_file, monkeypatch):
    rules = carag_dsl.load(rules_file)
    before = (ast_cache.text_key(RULES), rules_cache.rules_key(rules))
    monkeypatch.setattr(ast_cache, "code_fingerprint", lambda: "another version of carag")
    monkeypatch.setattr(rules_cache, "code_fingerprint", lambda: "another version of carag")
    assert ast_cache.text_key(RULES) != before[0] and rules_cache.rules_key(rules) != before[1]


PLANTED = "raise SystemExit('planted code ran')\n"


def _plant_routing(entry: Path, source: str, sha256: str | None = None) -> None:
    stored = json.loads(entry.read_text())
    stored["source"] = source
    if sha256 is not None:
        stored["sha256"] = sha256
    entry.write_text(json.dumps(stored))


@pytest.mark.parametrize("hostile", ["hash-mismatch", "wrong-key", "not-json", "others-can-write", "symlink", "foreign-owner"])
def test_a_hostile_or_corrupt_routing_entry_is_never_run_and_is_rebuilt(cache_home, rules_file, tmp_path, hostile):
    rules = carag_dsl.load(rules_file)
    good = rules.compiled.source
    (entry,) = entries(cache_home, "routing")
    if hostile == "hash-mismatch":  # the source changed after it was written: its hash no longer matches
        _plant_routing(entry, PLANTED)
    elif hostile == "wrong-key":  # a valid entry of another rule set copied in under this name
        stored = {"key": "0" * 64, "sha256": rules_cache._sha256(PLANTED), "source": PLANTED}
        entry.write_text(json.dumps(stored))
    elif hostile == "not-json":
        entry.write_bytes(b"\x80\x04 not json at all")
    elif hostile == "others-can-write":
        _plant_routing(entry, PLANTED, rules_cache._sha256(PLANTED))
        entry.chmod(0o666)
    elif hostile == "symlink":
        elsewhere = tmp_path / "elsewhere.json"
        elsewhere.write_text(entry.read_text())
        _plant_routing(elsewhere, PLANTED, rules_cache._sha256(PLANTED))
        entry.unlink()
        entry.symlink_to(elsewhere)
    elif hostile == "foreign-owner":
        if os.getuid() != 0:
            pytest.skip("giving a file to another user needs root")
        _plant_routing(entry, PLANTED, rules_cache._sha256(PLANTED))
        os.chown(entry, 65534, 65534)
    again = carag_dsl.load(rules_file)
    assert again.compiled.source == good
    assert again.evaluate({"facts": {"a": True}}).questions["Q"].status == "applies"
    if hostile in ("hash-mismatch", "wrong-key", "not-json"):  # ours but wrong: written afresh
        assert json.loads(entry.read_text())["source"] == good


@pytest.mark.parametrize("hostile", ["another-tree", "not-json", "others-can-write"])
def test_a_hostile_or_corrupt_parse_entry_is_not_used(cache_home, rules_file, hostile):
    carag_dsl.load(rules_file)
    (entry,) = entries(cache_home, "ast")
    stored = json.loads(entry.read_text())
    other, _ = parse_partial(RULES.replace("applies when a", "applies when not a"), "x.carag")
    if hostile == "another-tree":  # a tree of another text, stored under this text's name
        from carag_dsl.language.ast_json import encode_module

        stored["module"] = encode_module(other)
        stored["key"] = "f" * 64
        entry.write_text(json.dumps(stored))
    elif hostile == "not-json":
        entry.write_text('{"key": ')
    else:
        stored["module"] = __import__("carag_dsl.language.ast_json", fromlist=["x"]).encode_module(other)
        entry.write_text(json.dumps(stored))
        entry.chmod(0o666)
    assert status_of_q(rules_file, True) == "applies"


def test_a_cache_folder_others_can_open_is_not_used(cache_home, rules_file):
    folder = cache_home / CACHE_FOLDER_NAME
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    carag_dsl.load(rules_file).compiled
    assert not list(folder.iterdir())


def test_the_cache_can_be_turned_off(cache_home, rules_file, monkeypatch):
    monkeypatch.setenv(NO_CACHE_VARIABLE, "1")
    assert status_of_q(rules_file, True) == "applies"
    assert not (cache_home / CACHE_FOLDER_NAME).exists()


def test_a_file_with_syntax_errors_is_not_cached_and_still_reports_them(cache_home, tmp_path):
    broken = tmp_path / "broken.carag"
    broken.write_text("fact a: bool\nfact b bool\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(carag_dsl.RuleError, match="b"):
            carag_dsl.load(broken)
    assert not entries(cache_home, "ast")


def _evaluate_in_a_subprocess(env: dict, *argv: str) -> dict:
    script = (
        "import sys, io, contextlib\n"
        "from carag_dsl.cli import main\n"
        f"status = main({list(argv) or ['eval', '--case', str(EXAMPLE), '--format', 'json']!r})\n"
        "print({'status': status, 'networkx': 'networkx' in sys.modules, 'lark': 'lark' in sys.modules,"
        " 'importlib.metadata': 'importlib.metadata' in sys.modules}, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return eval(done.stderr.strip().splitlines()[-1], {})  # the dict printed by our own script above


def test_evaluating_a_case_with_a_warm_cache_imports_neither_networkx_nor_lark(cache_home):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    env.pop(NO_CACHE_VARIABLE, None)
    cold = _evaluate_in_a_subprocess(env)
    assert cold["status"] == 0 and cold["lark"]  # parsed: the cache was empty
    warm = _evaluate_in_a_subprocess(env)
    assert warm == {"status": 0, "networkx": False, "lark": False, "importlib.metadata": False}


def test_evaluating_cases_with_the_generated_code_from_a_warm_cache_imports_neither_networkx_nor_lark(cache_home, tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache_home))
    env.pop(NO_CACHE_VARIABLE, None)
    cases = tmp_path / "cases.jsonl"
    cases.write_text(EXAMPLE.read_text(encoding="utf-8").replace("\n", " ") + "\n", encoding="utf-8")
    argv = ("eval", "--cases", str(cases), "--engine", "per-case", "--output", str(tmp_path / "out.jsonl"))
    assert _evaluate_in_a_subprocess(env, *argv)["status"] == 0  # fills the cache, routing code included
    assert entries(cache_home, "routing")
    warm = _evaluate_in_a_subprocess(env, *argv)
    assert warm == {"status": 0, "networkx": False, "lark": False, "importlib.metadata": False}


def test_nothing_is_cached_when_the_code_cannot_be_fingerprinted(cache_home, rules_file, monkeypatch):
    monkeypatch.setattr(ast_cache, "code_fingerprint", lambda: None)  # e.g. the package read from a zip file
    assert status_of_q(rules_file, True) == "applies"
    assert not entries(cache_home, "ast") and not entries(cache_home, "routing")
