"""The `carag` command line: check, eval, explain, graph, schema; exit codes 0 / 1 / 2; no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from carag_dsl.cli import main

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "fixtures" / "sample"
SAMPLE_CASE = SAMPLE / "case_licence.json"
EXAMPLE = REPO / "questions" / "examples" / "licence_reset_day_56.json"


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def test_check_accepts_the_bundled_carag_and_the_sample(capsys):
    status, _, err = run(capsys, "check")
    assert status == 0 and "ok (58 questions, no known defect)" in err
    assert run(capsys, "check", SAMPLE)[0] == 0


def test_eval_prints_a_readable_table_by_default(capsys):
    status, out, _ = run(capsys, "eval", "--case", EXAMPLE)
    assert status == 0
    assert out.startswith("Case licence-56: case type adjusted (from the facts)")
    assert "2.3.01   does not apply" in out


def test_eval_json_follows_the_contract(capsys):
    status, out, _ = run(capsys, "eval", SAMPLE, "--case", SAMPLE_CASE, "--format", "json")
    data = json.loads(out)
    assert status == 0
    assert list(data) == ["id", "case_type", "excluded", "questions", "warnings", "reasons", "ruleset"]
    assert data["excluded"] is None and data["reasons"] == {} and set(data["ruleset"]) == {"name", "version", "hash"}
    assert data["questions"]["P 1"] == {"status": "applies", "value": "yes", "source": "derived"}
    assert data["questions"]["1.2"]["value"] == ["housing"]


def test_eval_cases_streams_one_line_per_good_case_and_reports_bad_lines(tmp_path, capsys):
    lines = [
        json.dumps({"id": "a", "facts": {"sentence": "community", "suspension": "none"}}),
        "{not json",
        "",
        json.dumps({"id": "c", "facts": {"mappa": "maybe"}}),
        json.dumps({"id": "d", "facts": {"sentence": "licence"}}),
    ]
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(lines) + "\n")
    status, out, err = run(capsys, "eval", "--cases", cases)
    assert status == 1
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["a", "d"]
    assert f"{cases}:2: error: not valid JSON" in err
    assert f"{cases}:4: error: case 'c': facts.mappa: 'maybe' is not allowed; expected true or false" in err
    assert "2 bad lines" in err


def test_explain_takes_rules_before_the_case_and_the_question_after(capsys):
    status, out, _ = run(capsys, "explain", SAMPLE, "--case", SAMPLE_CASE, "1.6")
    assert status == 0
    assert out.startswith('using rule set "Sample supervision rules" version 0.3 from tests/fixtures/sample/sample.carag\n1.6: Which programme was used?\nIt applies:')
    status, out, _ = run(capsys, "explain", "--case", EXAMPLE, "X 9")
    assert "It does not apply" in out and "the answer to X 6 is 'not_a_factor'" in out


def test_explain_an_unknown_question_is_an_error_with_a_suggestion(capsys):
    status, _, err = run(capsys, "explain", "--case", EXAMPLE, "X 99")
    assert status == 2 and "there is no question 'X 99' (did you mean 'X 9'?)" in err


@pytest.mark.parametrize("written, meant", [("x9", "X 9"), ("X 09", "X 9"), ("2.9.6", "2.9.06")])
def test_explain_suggests_the_question_id_written_with_other_case_spaces_or_zeros(capsys, written, meant):
    status, _, err = run(capsys, "explain", "--case", EXAMPLE, written)
    assert status == 2 and f"there is no question '{written}' (did you mean '{meant}'?)" in err


def test_bad_case_data_exits_1_with_the_problems(tmp_path, capsys):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"facts": {"sentense": "licence", "start_date": "2025-02-30"}}))
    status, _, err = run(capsys, "eval", "--case", case)
    assert status == 1
    assert "facts.sentense: the rule set has no fact 'sentense' (did you mean 'sentence'?)" in err
    assert "facts.start_date: '2025-02-30' is not a real date" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["eval"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["graph", "--format", "png"])
    assert caught.value.code == 2


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "json"])
def test_graph_draws_the_sample_per_case_type(capsys, fmt):
    status, out, _ = run(capsys, "graph", SAMPLE, "--case-type", "core", "--format", fmt)
    assert status == 0 and "1.4" in out


def test_schema_describes_facts_and_answers(capsys):
    status, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    facts = schema["properties"]["facts"]["properties"]
    assert facts["sentence"]["anyOf"][0] == {"enum": ["community", "licence", "pss"]}
    assert schema["properties"]["answers"]["properties"]["X 4"]["anyOf"][0]["items"]["enum"][0] == "organised_crime"


def test_the_installed_command_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "carag_dsl", "check"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr


def test_checking_one_section_file_checks_the_rule_set_it_belongs_to(capsys):
    status, _, err = run(capsys, "check", REPO / "questions" / "03_assessment.carag")
    assert status == 0
    assert "(checked with its rule set," in err and "carag.carag)" in err and "ok (58 questions, no known defect)" in err
