"""`carag brief`: the inspection brief, its figures equal to `carag rate` on the same cases, in HTML, Word and JSON."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from carag_dsl import load, loads
from carag_dsl.cli import main
from carag_dsl.errors import UsageError
from inspection_seed import inspection_items

from browser import open_page

REGIONS = ("london", "wales", "north_east", "south_west")
KEYS = ("P 2.1.3", "P 2.2.3", "P 2.3.3", "P 2.4.3")


def sample(count: int = 240, seed: int = 27):
    """Core cases over four regions (a fifth of them MAPPA cases, some with no MAPPA flag), judged at random,
    London judged worse on planning; two bad lines and some cases not inspected."""
    rng = random.Random(seed)
    for number in range(count):
        region = REGIONS[number % len(REGIONS)]
        facts = {"sentence": rng.choice(["community", "licence"]), "start_date": "2025-01-06", "suspension": "none", "region": region}
        if number % 7:
            facts["mappa"] = number % 5 == 0
        facts["terminated"] = number % 23 == 0
        if facts["terminated"]:
            facts["termination_date"] = "2025-01-08"  # within seven days: not inspected
        answers = {}
        for qid in (*KEYS, "2.4.22", "2.5.48", "2.5.47", "2.3.28", "2.5.42"):
            worse = region == "london" and qid == "P 2.2.3"
            if rng.random() < 0.9:
                answers[qid] = "yes" if rng.random() < (0.3 if worse else 0.65) else "no"
        yield {"id": f"c{number}", "facts": facts, "answers": answers}


@pytest.fixture(scope="module")
def rules():
    return load()


@pytest.fixture(scope="module")
def cases_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("brief") / "sample.jsonl"
    lines = [json.dumps(case) for case in sample()]
    lines[10] = '{"facts": {"region": "atlantis"}}'
    lines[20] = "not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def brief(cases_file, tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("brief-json") / "brief.json"
    assert main(["brief", "--cases", str(cases_file), "--region", "London", "--output", str(path), "--date", "2025-06-30"]) == 1  # two bad lines
    return json.loads(path.read_text(encoding="utf-8"))


def _rate(capsys, path: Path) -> dict:
    status, out, _ = _run(capsys, "rate", "--cases", str(path), "--by", "region", "--format", "json")
    assert status in (0, 1)
    return json.loads(out)


def _link(brief: dict, question: str, index: int = 0) -> dict:
    return next(q for q in brief["questions"] if q["id"] == question)["links"][index]


def _same(finding: dict, rated: dict) -> bool:
    keys = ("n_judged", "n_yes", "percent", "band", "small_sample")
    return all(finding[k] == rated[k] for k in keys)


def test_a_linked_key_question_has_the_figures_carag_rate_by_region_gives_for_the_cases_of_the_links_group(brief, cases_file, capsys, tmp_path):
    lines = cases_file.read_text(encoding="utf-8").splitlines()
    for question, keep in (("1.13", lambda f: f.get("mappa") is True), ("1.16", lambda f: f.get("mappa") is False), ("2.4", lambda f: True)):
        restricted = tmp_path / f"{question}.jsonl"
        kept = []
        for line in lines:
            try:
                case = json.loads(line)
            except ValueError:
                continue
            if keep(case.get("facts", {})):
                kept.append(line)
        restricted.write_text("\n".join(kept) + "\n", encoding="utf-8")
        rated = _rate(capsys, restricted)
        link = _link(brief, question)
        key_findings = [f for f in link["findings"] if f["question"] in KEYS]
        assert key_findings, question
        assert link["cases_in_group"] == rated["cases"], question
        for finding in key_findings:
            qid = finding["question"]
            assert _same(finding["sample"], rated["key_questions"][qid]), (question, qid)
            groups = {g["value"]: g for g in rated["groups"]}
            assert [g["value"] for g in finding["groups"]] == [g["value"] for g in rated["groups"]]
            for group in finding["groups"]:
                assert _same(group, groups[group["value"]]["key_questions"][qid]), (question, qid, group["value"])
            assert _same(finding["region"], groups["london"]["key_questions"][qid])
            rest_judged = finding["sample"]["n_judged"] - finding["region"]["n_judged"]
            assert (finding["rest"]["n_judged"], finding["rest"]["n_yes"]) == (rest_judged, finding["sample"]["n_yes"] - finding["region"]["n_yes"])


def test_the_brief_names_its_region_counts_and_every_question_with_its_checklist(brief):
    assert brief["region"] == {"value": "london", "label": "London", "cases": brief["region"]["cases"]} and brief["region"]["cases"] > 40
    assert brief["counts"]["rejected"] == 2 and brief["counts"]["excluded"] > 0 and brief["date"] == "2025-06-30"
    seed = inspection_items()
    assert [q["id"] for q in brief["questions"]] == [item.id for item in seed]
    assert all(q["evidence"] for q in brief["questions"])
    assert {g["value"] for g in brief["groups"]} == set(REGIONS)


def test_the_themes_come_first_lowest_shares_then_the_largest_gaps_below_the_rest(brief):
    lowest = brief["themes"]["lowest_shares"]
    shares = [t["figures"]["percent"] for t in lowest]
    assert shares == sorted(shares) and lowest and not any(t["figures"]["small_sample"] for t in lowest)
    gaps = brief["themes"]["largest_gaps"]
    assert gaps and [t["gap"] for t in gaps] == sorted(t["gap"] for t in gaps) and all(t["gap"] < 0 for t in gaps)
    # London was judged worse on planning: the planning judgement is among the largest gaps
    assert "P 2.2.3" in [t["question"] for t in gaps]
    planning = next(t for t in gaps if t["question"] == "P 2.2.3")
    assert planning["gap"] == round(planning["figures"]["percent"] - planning["rest"]["percent"], 1)


def test_the_word_brief_has_every_question_its_checklist_and_findings(cases_file, tmp_path, capsys):
    docx = pytest.importorskip("docx")
    path = tmp_path / "brief.docx"
    status, _, _ = _run(capsys, "brief", "--cases", str(cases_file), "--region", "wales", "--output", str(path))
    assert status == 1
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    for item in inspection_items():
        assert f"{item.id} {item.text}" in text
        assert all(("☐ " + source) in text for source in item.evidence)
    assert "Inspection brief: Wales" in text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "[P 2.4.3] Does reviewing focus sufficiently on keeping other people safe?" in cells and "whole sample" in cells


def test_the_format_follows_the_output_suffix_unless_given(cases_file, tmp_path, capsys):
    status, _, err = _run(capsys, "brief", "--cases", str(cases_file), "--output", str(tmp_path / "brief.txt"))
    assert status == 2 and "give --format html, docx or json" in err
    status, _, _ = _run(capsys, "brief", "--cases", str(cases_file), "--format", "json", "--output", str(tmp_path / "brief.txt"))
    assert status == 1 and json.loads((tmp_path / "brief.txt").read_text(encoding="utf-8"))["region"] is None


def test_an_unknown_region_or_by_is_a_usage_error_naming_the_values(cases_file, tmp_path, capsys):
    status, _, err = _run(capsys, "brief", "--cases", str(cases_file), "--region", "Lonon", "--output", str(tmp_path / "b.json"))
    assert status == 2 and "'Lonon' is not a value of 'region' (did you mean 'london'?)" in err and "london (London)" in err
    status, _, err = _run(capsys, "brief", "--cases", str(cases_file), "--by", "regio", "--output", str(tmp_path / "b.json"))
    assert status == 2 and "not a fact of the rule set (did you mean 'region'?)" in err
    assert not (tmp_path / "b.json").exists()


def test_without_python_docx_the_word_brief_says_which_pip_install_brings_it(cases_file, tmp_path, capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_docx(name, *args, **kwargs):
        if name == "docx":
            raise ImportError("no docx")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_docx)
    status, _, err = _run(capsys, "brief", "--cases", str(cases_file), "--output", str(tmp_path / "b.docx"))
    assert status == 2 and "pip install 'carag-dsl[brief]'" in err


HOSTILE = '''
fact region: one of north "North <b>", south "South"
fact mappa: bool
question "Q 1" judgement
    text "Good <script>alert(1)</script>?"
    applies always
    answer yes_no
inspection question "1.1"
    domain "Leadership & <i>"
    text "How <img src=x onerror=alert(1)>?"
    informed by [Q 1] within mappa because "a <b>reason</b>"
    evidence "case inspection data & <script>"
    guidance "<a href=javascript:alert(1)>x</a>"
'''


def test_the_html_brief_escapes_what_rules_and_cases_carry():
    from carag_dsl.tools.brief import build_brief
    from carag_dsl.tools.brief.html import render_brief_html

    rules = loads(HOSTILE)
    html = render_brief_html(build_brief(rules, [{"facts": {"region": "north", "mappa": True}, "answers": {"Q 1": "yes"}}], region="north"))
    for raw in ("<script>", "<img", "<a href", "<b>reason", "North <b>", "& <i>"):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "North &lt;b&gt;" in html


@pytest.mark.browser
def test_the_brief_in_chromium_shows_every_question_with_its_checklist_and_the_rated_figures(cases_file, tmp_path, capsys, brief):
    path = tmp_path / "brief.html"
    status, _, _ = _run(capsys, "brief", "--cases", str(cases_file), "--region", "London", "--output", str(path), "--date", "2025-06-30")
    assert status == 1
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "url(" not in html
    seed = {item.id: item for item in inspection_items()}
    with open_page(path) as (page, console_errors, outside_requests):
        page.set_viewport_size({"width": 1100, "height": 900})
        sections = page.locator("section.question")
        assert sections.count() == 40
        for index in range(sections.count()):
            section = sections.nth(index)
            qid = section.get_attribute("data-id")
            assert section.locator("h3").inner_text() == f"{qid} {seed[qid].text}"
            assert section.locator("ul.checklist li").all_inner_texts() == seed[qid].evidence
        assert page.locator("#themes").is_visible()
        # 1.13's link, MAPPA cases: the London row of [P 2.4.3] shows the figures carag rate gives
        finding = next(f for f in _link(brief, "1.13")["findings"] if f["question"] == "P 2.4.3")
        table = page.locator('table.finding[data-link="1.13/0"][data-question="P 2.4.3"]')
        row = table.locator("tr.region td")
        region = finding["region"]
        assert row.nth(1).inner_text() == f"{region['percent']:.1f}%"
        assert row.nth(2).inner_text() == f"{region['n_yes']} of {region['n_judged']}"
        assert row.nth(3).inner_text().startswith(region["band"])
        wales = table.locator('tr.group[data-value="wales"] td')
        group = next(g for g in finding["groups"] if g["value"] == "wales")
        assert wales.nth(2).inner_text() == f"{group['n_yes']} of {group['n_judged']}"
        page.emulate_media(media="print")
        assert page.locator("section.question").first.is_visible()
        assert page.pdf(path=str(tmp_path / "brief.pdf"))[:4] == b"%PDF"
        assert console_errors == [] and outside_requests == []
