"""Without RULES, every command uses the rule set of the working folder (found as git finds .git), else the
bundled CARaG, and says which one it used."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from carag_dsl.cli import main
from carag_dsl.language.loader import RulesChoice, choose_rules
from carag_dsl.language.resources import bundled_rules_path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "sample"


def test_a_questions_folder_above_the_working_folder_is_the_rule_set(tmp_path):
    shutil.copytree(REPO / "questions", tmp_path / "questions")
    (tmp_path / "notes" / "deeper").mkdir(parents=True)
    for start in (tmp_path, tmp_path / "notes" / "deeper", tmp_path / "questions", tmp_path / "questions" / "tests"):
        choice = choose_rules(None, cwd=start)
        assert (choice.path, choice.origin) == (tmp_path / "questions", "working directory"), start


def test_a_folder_with_a_root_file_of_its_own_is_the_rule_set(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "rules")
    assert choose_rules(None, cwd=tmp_path / "rules") == RulesChoice(tmp_path / "rules", "working directory")


def test_the_search_does_not_go_up_into_a_ceiling_folder(tmp_path, monkeypatch):
    shutil.copytree(SAMPLE, tmp_path / "rules")
    (tmp_path / "rules" / "inner").mkdir()
    monkeypatch.setenv("CARAG_CEILING_DIRECTORIES", str(tmp_path / "rules"))
    assert choose_rules(None, cwd=tmp_path / "rules" / "inner").origin == "bundled"
    assert choose_rules(None, cwd=tmp_path / "rules").origin == "working directory"  # the start is always looked at


def test_without_a_rule_set_around_the_bundled_carag_is_used_and_a_given_path_wins(tmp_path):
    assert choose_rules(None, cwd=tmp_path).path == bundled_rules_path()
    assert choose_rules(None, cwd=tmp_path).origin == "bundled"
    assert choose_rules("elsewhere.carag", cwd=tmp_path).origin == "given"


def test_check_and_test_name_the_rule_set_they_found(tmp_path, monkeypatch, capsys):
    shutil.copytree(SAMPLE, tmp_path / "rules")
    monkeypatch.chdir(tmp_path / "rules")
    assert main(["check"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines()[0] == 'using rule set "Sample supervision rules" version 0.3 from sample.carag (found from the working directory)'
    main(["test"])
    assert capsys.readouterr().out.splitlines()[0].startswith('using rule set "Sample supervision rules" version 0.3 from sample.carag')


def test_json_outputs_carry_the_rule_set_name_version_hash_and_path(tmp_path, monkeypatch, capsys):
    shutil.copytree(SAMPLE, tmp_path / "rules")
    monkeypatch.chdir(tmp_path / "rules")
    for command in (["graph", "--format", "json"], ["schema"]):
        assert main(command) == 0
        ruleset = json.loads(capsys.readouterr().out)["ruleset"]
        assert ruleset["name"] == "Sample supervision rules" and ruleset["version"] == "0.3"
        assert ruleset["path"] == "sample.carag" and len(ruleset["hash"]) == 16
