"""``carag rate``: JSON Lines and CSV input, bad lines, the four formats; and the rating diagnostics of ``carag check``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl.cli import main

FIXTURE = str(Path(__file__).parent / "fixtures" / "ratings" / "sample.carag")


def write_jsonl(path: Path, cases) -> Path:
    path.write_text("".join((c if isinstance(c, str) else json.dumps(c)) + "\n" for c in cases), encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def reports_by_line(err: str, path) -> dict[int, str]:
    """The bad-line reports on standard error, by line number (continuation lines joined in)."""
    reports: dict[int, str] = {}
    current = None
    prefix = f"{path}:"
    for line in err.splitlines():
        if line.startswith(prefix) and ": error: " in line:
            number, _, text = line[len(prefix):].partition(": error: ")
            current = int(number)
            reports[current] = text
        elif line.startswith("  ") and current is not None:
            reports[current] += "\n" + line.strip()
        else:
            current = None
    return reports


def answers(j1: str, **facts):
    return {"facts": facts, "answers": {"J 1": j1}}


# ---------------------------------------------------------------- JSON Lines


def test_table_is_the_default_and_shows_bands_per_key_question_and_standard(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes")] * 13 + [answers("no")] * 7)
    code, out, err = run(capsys, "rate", FIXTURE, "--cases", str(cases))
    assert code == 0, err
    assert out.startswith("Share of cases judged sufficient per key question, with the bands of the core inspection framework\n")
    assert 'Rules: "Rating fixture" version 1 (content hash ' in out
    assert "20 cases read: 20 rated, 0 excluded (not inspected), 0 rejected" in out
    assert any(line.split()[:6] == ["J", "1", "20", "13", "65.0%", "Good"] for line in out.splitlines())
    assert any(line.split() == ["Capped", "Good", "J", "1"] for line in out.splitlines())
    assert "J 3" in out and "no band (judged in no case)" in out


def test_json_format_has_the_documented_shape(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes", sentence="pss"), answers("no")])
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--format", "json", "--by", "sentence")
    assert code == 0
    rated = json.loads(out)
    assert list(rated) == ["description", "ruleset", "date", "counts", "small_sample_below", "cases", "key_questions", "standards", "groups",
                           "by", "questions", "models"]  # the last three added by issue 28, after the others
    assert rated["key_questions"]["J 1"] == {"n_judged": 2, "n_yes": 1, "percent": 50.0, "band": "Requires improvement", "small_sample": True, "left_out": {}}
    assert rated["standards"]["Both"] == {"band": "Requires improvement", "lowest": "J 1"}
    assert [list(g) for g in rated["groups"]] == [["by", "value", "label", "cases", "excluded", "small_sample", "key_questions", "standards",
                                                   "questions"]] * 2
    assert [(g["value"], g["cases"]) for g in rated["groups"]] == [("pss", 1), (None, 1)]


def test_bad_jsonl_lines_are_reported_with_their_numbers_and_left_out(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes"), "{not json", answers("maybe"), "", answers("no"), "[1, 2]"])
    report = tmp_path / "report.json"
    code, out, err = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--format", "json", "--output", str(report))
    assert code == 1
    assert out == ""
    assert f"{cases}:2: error: not valid JSON" in err
    assert f"{cases}:3: error:" in err and "answers.J 1" in err and "'maybe'" in err
    assert f"{cases}:6: error:" in err and "a case must be a JSON object" in err
    assert "3 bad lines" in err
    rated = json.loads(report.read_text(encoding="utf-8"))
    assert rated["cases"] == 2
    assert rated["key_questions"]["J 1"]["n_judged"] == 2


def test_no_progress_bar_when_standard_error_is_not_a_terminal(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes")] * 50)
    code, _, err = run(capsys, "rate", FIXTURE, "--cases", str(cases))
    assert code == 0 and "\r" not in err
    assert err.splitlines() == ['using rule set "Rating fixture" version 1 from tests/fixtures/ratings/sample.carag']


def test_a_share_shown_rounded_across_a_boundary_is_marked_with_a_footnote(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes")] * 1599 + [answers("no")] * 401)
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases))
    assert code == 0
    assert any(line.split()[:6] == ["J", "1", "2000", "1599", "80.0%*", "Good"] for line in out.splitlines())
    assert "the band is decided on the exact figure" in out


def test_unknown_case_file_extension_is_a_usage_error_naming_the_allowed_ones(tmp_path, capsys):
    cases = tmp_path / "cases.txt"
    cases.write_text("{}\n")
    code, _, err = run(capsys, "rate", FIXTURE, "--cases", str(cases))
    assert code == 2
    assert "cases.txt" in err and ".jsonl" in err and ".csv" in err


def test_unknown_by_name_is_a_usage_error_with_a_suggestion(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes")])
    code, _, err = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--by", "sentense")
    assert code == 2
    assert "did you mean 'sentence'" in err


# ---------------------------------------------------------------- CSV input

CSV_HEADER = "id,sentence,mappa,start_date,no_risk,J 1,J 2,J 3,F 1,F 2\n"


def test_csv_cells_are_converted_to_the_declared_types(tmp_path, capsys):
    rows = [
        "c1,pss,TRUE,2025-01-06,no,yes,,no,drugs;housing,high",
        "c2,community,false,,yes,no,,,(none),low",
        "c3,,yes,,,yes,no,yes, housing ; drugs ,",
    ]
    path = tmp_path / "cases.csv"
    path.write_text(CSV_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "rate", FIXTURE, "--cases", str(path), "--format", "json", "--by", "F 1")
    assert code == 0, err
    rated = json.loads(out)
    assert rated["cases"] == 3
    assert rated["key_questions"]["J 1"] == {"n_judged": 3, "n_yes": 2, "percent": 66.7, "band": "Good", "small_sample": True, "left_out": {}}
    # c2's J 2 is derived 'yes' from no_risk=yes; c3 answered 'no'; c1 unknown.
    assert rated["key_questions"]["J 2"] == {"n_judged": 2, "n_yes": 1, "percent": 50.0, "band": "Requires improvement", "small_sample": True, "left_out": {}}
    # J 3 applies only where mappa is true (c1 and c3).
    assert rated["key_questions"]["J 3"] == {"n_judged": 2, "n_yes": 1, "percent": 50.0, "band": "Requires improvement", "small_sample": True, "left_out": {}}
    assert [(g["value"], g["cases"]) for g in rated["groups"]] == [([], 1), (["drugs", "housing"], 2)]


def test_csv_and_jsonl_inputs_of_the_same_cases_rate_the_same(tmp_path, capsys):
    (tmp_path / "cases.csv").write_text(CSV_HEADER + "a,licence,false,2025-03-01,,yes,no,,debt,low\nb,pss,true,,,no,yes,yes,,\n", encoding="utf-8")
    write_jsonl(tmp_path / "cases.jsonl", [
        {"id": "a", "facts": {"sentence": "licence", "mappa": False, "start_date": "2025-03-01"}, "answers": {"J 1": "yes", "J 2": "no", "F 1": ["debt"], "F 2": "low"}},
        {"id": "b", "facts": {"sentence": "pss", "mappa": True}, "answers": {"J 1": "no", "J 2": "yes", "J 3": "yes"}},
    ])
    results = []
    for name in ("cases.csv", "cases.jsonl"):
        code, out, err = run(capsys, "rate", FIXTURE, "--cases", str(tmp_path / name), "--format", "json", "--by", "sentence")
        assert code == 0, err
        results.append(json.loads(out))
    assert results[0] == results[1]


def test_bad_csv_cells_are_reported_with_line_and_column_and_the_row_left_out(tmp_path, capsys):
    rows = [
        "ok1,pss,true,2025-01-06,,yes,,,,",
        "bad1,pss,maybe,2025-13-01,,yes,,,,",
        "bad2,prison,,,,yse,,,drugs;cars,",
        "ok2,community,,,,no,,,,",
        "short,pss",
    ]
    path = tmp_path / "cases.csv"
    path.write_text(CSV_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    report = tmp_path / "out.txt"
    code, _, err = run(capsys, "rate", FIXTURE, "--cases", str(path), "--output", str(report))
    assert code == 1
    reports = reports_by_line(err, path)
    assert reports[3].startswith("case 'bad1' has 2 problems")
    assert "column 3 ('mappa'): 'maybe' is not allowed; expected true or false" in reports[3]
    assert "column 4 ('start_date'): '2025-13-01' is not a real date" in reports[3]
    assert "column 2 ('sentence')" in reports[4] and "'prison'" in reports[4]
    assert "column 6 ('J 1')" in reports[4] and "did you mean 'yes'" in reports[4]
    assert "column 9 ('F 1'): 'cars' is not an option" in reports[4] and "separated by ';'" in reports[4]
    assert sorted(reports) == [3, 4, 6]
    assert f"{path}:6: error: the row has 2 cells but the header has 10 columns" in err
    assert "3 bad lines" in err
    assert "5 cases read: 2 rated, 0 excluded (not inspected), 3 rejected (lines 3, 4 and 6)" in report.read_text(encoding="utf-8")


def test_a_csv_header_naming_no_fact_or_question_stops_with_a_suggestion(tmp_path, capsys):
    path = tmp_path / "cases.csv"
    path.write_text("id,sentense,J 1\na,pss,yes\n", encoding="utf-8")
    code, out, err = run(capsys, "rate", FIXTURE, "--cases", str(path))
    assert code == 1
    assert out == ""
    assert f"{path}:1: column 2 ('sentense') is not a fact, a question id or 'id' (did you mean 'sentence'?)" in err
    assert "no case was read" in err


def test_csv_line_numbers_count_lines_of_quoted_multiline_cells(tmp_path, capsys):
    path = tmp_path / "cases.csv"
    path.write_text('id,J 1\n"two\nlines",yes\nb,nope\n', encoding="utf-8")
    code, _, err = run(capsys, "rate", FIXTURE, "--cases", str(path))
    assert code == 1
    assert f"{path}:4: error: case 'b': column 2 ('J 1')" in err


# ---------------------------------------------------------------- other formats


def test_csv_format_has_one_row_per_key_question_and_standard_overall_then_per_group(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes", sentence="pss"), answers("no", sentence="pss"), answers("yes")])
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--format", "csv", "--by", "sentence", "--date", "2025-03-31")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    content_hash = carag_dsl.load(FIXTURE).content_hash
    overall_j1 = next(r for r in rows if r["by"] == "" and r["name"] == "J 1")
    assert overall_j1 == {"by": "", "value": "", "cases": "3", "kind": "key question", "name": "J 1", "n_judged": "3",
                          "n_yes": "2", "percent": "66.7", "band": "Good", "lowest": "", "label": "", "small_sample": "true",
                          "ruleset": "Rating fixture", "version": "1", "hash": content_hash, "date": "2025-03-31", "left_out": "",
                          # the columns of scores and models (issue 28), empty on a key question's row
                          **dict.fromkeys(("score", "coefficient", "odds_ratio", "p_value", "ci_low", "ci_high", "significant"), "")}
    counts = {r["name"]: r["cases"] for r in rows if r["kind"] == "count"}
    assert counts == {"read": "3", "rated": "3", "excluded": "0", "rejected": "0"}
    pss_both = next(r for r in rows if r["value"] == "pss" and r["name"] == "Both")
    assert (pss_both["kind"], pss_both["band"], pss_both["lowest"]) == ("standard", "Requires improvement", "J 1")
    assert {r["value"] for r in rows if r["by"] == "sentence"} == {"pss", ""}


def test_html_format_writes_a_self_contained_report(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes")] * 3 + [answers("no")])
    report = tmp_path / "report.html"
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--format", "html", "--output", str(report))
    assert code == 0 and out == ""
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html and "75.0% (3 of 4 judged yes), Good" in html


# ---------------------------------------------------------------- carag check: rating diagnostics

RULES_HEAD = '''
question "J 1" judgement
    text "Sufficient?"
    answer yes_no

question "I 1" information
    text "Background?"
    answer yes_no
'''


def check(tmp_path, capsys, text: str):
    path = tmp_path / "rules.carag"
    path.write_text(RULES_HEAD + text, encoding="utf-8")
    code, out, err = run(capsys, "check", str(path))
    return code, err


def test_check_reports_an_unknown_key_question(tmp_path, capsys):
    code, err = check(tmp_path, capsys, 'bands\n    "Low" from 0%\n    "High" from 50%\nstandard "S"\n    key questions [J 2]\n')
    assert code == 1
    assert "rules.carag:13:" in err and "J 2" in err and "did you mean 'J 1'" in err


def test_check_reports_a_key_question_that_is_not_a_judgement(tmp_path, capsys):
    code, err = check(tmp_path, capsys, 'bands\n    "Low" from 0%\nstandard "S"\n    key questions [I 1]\n')
    assert code == 1
    assert "'I 1' is an information question; a standard is rated by summary judgements" in err


def test_check_reports_bands_out_of_order_or_overlapping(tmp_path, capsys):
    code, err = check(tmp_path, capsys, 'bands\n    "Low" from 0%\n    "High" from 65%\n    "Middle" from 50%\n    "Same" from 50%\n')
    assert code == 1
    assert "rules.carag:12:" in err and "band 'Middle' starts from 50%, which is not above the band before it" in err
    assert "rules.carag:13:" in err and "band 'Same' starts from 50%" in err


def test_check_reports_bands_not_starting_from_zero(tmp_path, capsys):
    code, err = check(tmp_path, capsys, 'bands\n    "Low" from 10%\n')
    assert code == 1
    assert "the lowest band must start from 0%" in err


def test_check_reports_a_standard_with_no_key_question(tmp_path, capsys):
    code, err = check(tmp_path, capsys, 'bands\n    "Low" from 0%\nstandard "Empty"\n    rated by lowest band\n')
    assert code == 1
    assert "rules.carag:11:" in err and "standard 'Empty' has no key question" in err


def test_check_reports_an_unknown_band_in_a_cap(tmp_path, capsys):
    code, err = check(tmp_path, capsys, 'bands\n    "Low" from 0%\n    "High" from 50%\nstandard "S"\n    key questions [J 1]\n    at most "Hihg" when [J 1] is "Low"\n')
    assert code == 1
    assert "there is no band 'Hihg' (did you mean 'High'?)" in err


@pytest.mark.parametrize("name", ["sample.carag"])
def test_the_rating_fixture_checks_clean(capsys, name):
    code, out, err = run(capsys, "check", str(Path(FIXTURE).parent / name))
    assert code == 0, err


# ---------------------------------------------------------------- what every report says about itself

DESCRIPTION = "Share of cases judged sufficient per key question, with the bands of the core inspection framework"


@pytest.mark.parametrize("fmt", ["table", "json", "html", "csv"])
def test_every_format_names_the_rules_with_their_hash_the_date_and_the_counts(tmp_path, capsys, fmt):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes"), "{bad", answers("no")])
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--format", fmt, "--date", "2025-03-31")
    assert code == 1
    content_hash = carag_dsl.load(FIXTURE).content_hash
    assert "Rating fixture" in out and content_hash in out and "2025-03-31" in out
    if fmt != "csv":  # a CSV row per figure has no room for a sentence; its columns say the rest
        assert DESCRIPTION in out
    if fmt == "json":
        rated = json.loads(out)
        assert rated["ruleset"] == {"name": "Rating fixture", "version": "1", "hash": content_hash}
        assert rated["counts"]["rejected_lines"] == [2]
    elif fmt == "csv":
        counts = {r["name"]: r["cases"] for r in csv.DictReader(io.StringIO(out)) if r["kind"] in ("count", "rejected line")}
        assert counts == {"read": "3", "rated": "2", "excluded": "0", "rejected": "1", "2": "1"}
    else:
        assert "3 cases read: 2 rated, 0 excluded (not inspected), 1 rejected (line 2)" in out or (
            "Cases rejected</dt><dd>1 rejected (line 2)</dd>" in out)


def test_source_date_epoch_makes_the_same_cases_give_the_same_report(tmp_path, capsys, monkeypatch):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes"), answers("no")])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    first = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--format", "html")
    second = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--format", "html")
    assert first == second and "2025-01-01" in first[1]
    dated = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--format", "json", "--date", "2024-06-30")
    assert json.loads(dated[1])["date"] == "2024-06-30"  # --date wins over the environment


@pytest.mark.parametrize("written", ["31/03/2025", "20250331", "2025-W14-1", "2025-02-30"])
def test_a_date_not_written_yyyy_mm_dd_is_a_usage_error(written, tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes")])
    with pytest.raises(SystemExit) as stopped:  # argparse stops with the usage status
        main(["rate", FIXTURE, "--cases", str(cases), "--date", written])
    err = capsys.readouterr().err
    assert stopped.value.code == 2
    assert f"expected a date written YYYY-MM-DD, e.g. 2025-02-28, not '{written}'" in err


def test_the_table_lists_twenty_rejected_lines_and_says_how_many_more(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes")] + ["{bad"] * 25)
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases))
    assert code == 1
    shown = ", ".join(str(n) for n in range(2, 22))
    assert f"26 cases read: 1 rated, 0 excluded (not inspected), 25 rejected (lines {shown} and 5 more)" in out
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--format", "json")
    assert json.loads(out)["counts"]["rejected_lines"] == list(range(2, 27))  # JSON lists them all


def test_excluded_cases_are_counted_apart_by_reason_in_the_table(tmp_path, capsys):
    rules = tmp_path / "rules.carag"
    rules.write_text(Path(FIXTURE).read_text(encoding="utf-8")
                     + '\nfact gone: bool\n\nexclude when gone\n    because "terminated within seven days of the order or licence commencing"\n',
                     encoding="utf-8")
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes", gone=False), {"facts": {"gone": True}, "answers": {"J 1": "no"}}])
    code, out, _ = run(capsys, "rate", str(rules), "--cases", str(cases))
    assert code == 0
    assert "2 cases read: 1 rated, 1 excluded (not inspected), 0 rejected" in out
    assert "  excluded, terminated within seven days of the order or licence commencing: 1" in out
    assert any(line.split()[:6] == ["J", "1", "1", "1", "100.0%", "Outstanding"] for line in out.splitlines())


def test_one_case_is_not_a_bare_inadequate_but_a_small_sample_with_a_caveat(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("no")])
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases))
    assert code == 0
    j1 = next(line for line in out.splitlines() if line.split()[:2] == ["J", "1"])
    assert j1.split()[-4:] == ["0.0%", "Inadequate", "(small", "sample)"]
    assert "(small sample) fewer than 10 cases, too few for the share or its band" in out


def test_band_names_are_never_cut_in_the_table(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes", sentence="pss"), answers("no", sentence="pss")])
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--by", "sentence")
    assert code == 0
    both = [line for line in out.splitlines() if line.split()[:1] == ["Both"]]
    assert both and all("Requires improvement (small sample)  J 1" in line for line in both)


def test_subgroups_are_headed_by_their_option_labels(tmp_path, capsys):
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes", sentence="pss"), answers("no")])
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--by", "sentence")
    assert code == 0
    assert "sentence: Post-sentence supervision (1 case rated, small sample)" in out
    assert "sentence: not known (1 case rated, small sample)" in out
    assert "sentence is pss" not in out
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(cases), "--by", "sentence", "--format", "csv")
    assert {(r["value"], r["label"]) for r in csv.DictReader(io.StringIO(out)) if r["by"]} == {("pss", "Post-sentence supervision"), ("", "not known")}


def test_labels_and_exclusion_reasons_from_the_rules_are_escaped_in_html_and_csv(tmp_path, capsys):
    rules = tmp_path / "rules.carag"
    text = Path(FIXTURE).read_text(encoding="utf-8").replace('pss "Post-sentence supervision"', 'pss "<b>PSS</b> & co"')
    rules.write_text(text + '\nfact gone: bool\n\nexclude when gone\n    because "=HYPERLINK(\\"http://x\\") <i>gone</i>"\n', encoding="utf-8")
    cases = write_jsonl(tmp_path / "cases.jsonl", [answers("yes", sentence="pss"), {"facts": {"gone": True}, "answers": {}}])
    code, html, err = run(capsys, "rate", str(rules), "--cases", str(cases), "--by", "sentence", "--format", "html")
    assert code == 0, err
    assert "<b>PSS</b>" not in html and "&lt;b&gt;PSS&lt;/b&gt; &amp; co" in html
    assert "<i>gone</i>" not in html and "&lt;i&gt;gone&lt;/i&gt;" in html
    code, out, _ = run(capsys, "rate", str(rules), "--cases", str(cases), "--by", "sentence", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert next(r for r in rows if r["kind"] == "excluded")["name"].startswith("'=HYPERLINK(")  # never run as a formula
    assert {r["label"] for r in rows if r["value"] == "pss"} == {"<b>PSS</b> & co"}


def test_rejected_cases_of_a_json_array_are_placed_by_element_as_their_errors_are(tmp_path, capsys):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([answers("yes"), answers("maybe"), answers("no")], indent=1), encoding="utf-8")
    code, out, err = run(capsys, "rate", FIXTURE, "--cases", str(path))
    assert code == 1 and f"{path}:element 2: error:" in err
    assert "3 cases read: 2 rated, 0 excluded (not inspected), 1 rejected (element 2)" in out
    code, out, _ = run(capsys, "rate", FIXTURE, "--cases", str(path), "--format", "json")
    counts = json.loads(out)["counts"]
    assert (counts["rejected_lines"], counts["rejected_unit"]) == ([2], "element")
