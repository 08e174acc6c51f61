"""The VS Code extension's TextMate grammar: generated from grammar/carag.lark, and covering every rule file.

The tokenising runs the real ``vscode-textmate`` with the Oniguruma WASM engine
(the libraries VS Code itself uses) from ``tests/node``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from carag_dsl.language.parser import parse
from carag_dsl.lsp.keywords import keywords
from carag_dsl.tools.textmate import render
from node_env import NODE_PROJECT, run_node

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "editors" / "vscode"
GRAMMAR = EXTENSION / "syntaxes" / "carag.tmLanguage.json"


def tokenise(*files: Path) -> dict:
    done = run_node(NODE_PROJECT / "tokenise_textmate.js", str(GRAMMAR), *map(str, files), timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_committed_textmate_grammar_is_the_one_generated_from_the_lark_grammar():
    assert GRAMMAR.read_text(encoding="utf-8") == render(), "run `python -m carag_dsl.tools.textmate` and commit the result"


def test_every_token_of_every_rule_file_in_questions_has_a_scope():
    files = sorted((ROOT / "questions").rglob("*.carag"))
    assert len(files) > 10
    result = tokenise(*files)
    assert result["uncovered"] == [], "text the grammar does not colour: " + ", ".join(
        f"{Path(u['file']).name}:{u['line']}:{u['column']} {u['text']!r}" for u in result["uncovered"][:20])
    for scope in ("comment.line.number-sign.carag", "string.quoted.triple.carag", "keyword.other.declaration.carag",
                  "variable.other.question.carag", "entity.name.variable.carag", "constant.numeric.date.carag",
                  "keyword.operator.comparison.carag", "storage.modifier.question-kind.carag", "keyword.other.unit.carag"):
        assert scope in result["scopes"]


def test_every_keyword_of_the_lark_grammar_is_coloured_as_a_keyword_not_as_a_name(tmp_path: Path):
    words = sorted(keywords())
    sample = tmp_path / "keywords.carag"
    sample.write_text("\n".join(words) + "\n", encoding="utf-8")
    done = run_node(NODE_PROJECT / "tokenise_textmate.js", str(GRAMMAR), str(sample), "--report-lines")
    assert done.returncode == 0, done.stderr
    per_line = json.loads(done.stdout)["lines"]
    named = [word for word, scopes in zip(words, per_line) if "variable.other.carag" in scopes or len(scopes) < 2]
    assert named == []


def _snippet_text(body: list[str]) -> str:
    """A snippet as it reads once inserted with its default values."""
    text = "\n".join(body)
    text = re.sub(r"\$\{\d+\|([^,|]+)[^}]*\|\}", r"\1", text)  # choices: the first
    while re.search(r"\$\{\d+:([^${}]*)\}", text):
        text = re.sub(r"\$\{\d+:([^${}]*)\}", r"\1", text)
    return re.sub(r"\$\d+", "", text).replace("\t", "    ")


@pytest.mark.parametrize("name", sorted(json.loads((EXTENSION / "snippets" / "carag.json").read_text(encoding="utf-8"))))
def test_each_snippet_inserts_rule_text_that_parses(name: str):
    snippet = json.loads((EXTENSION / "snippets" / "carag.json").read_text(encoding="utf-8"))[name]
    parse(_snippet_text(snippet["body"]), f"snippet {name}")
