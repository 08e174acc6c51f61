"""The HTML rating report: self-contained, accessible, and rendered with visible charts in headless Chromium."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl.rating.report_html import render_html

from browser import open_page

FIXTURE = Path(__file__).parent / "fixtures" / "ratings" / "sample.carag"


@pytest.fixture(scope="module")
def rules():
    return carag_dsl.load(FIXTURE)


def sample_cases():
    """20 cases over three sentences and one unknown, with a cap that bites (J 3 Inadequate for MAPPA cases)."""
    for i in range(20):
        sentence = ("community", "licence", "pss", None)[i % 4]
        facts = {"mappa": i < 10}
        if sentence:
            facts["sentence"] = sentence
        answers = {"J 1": "yes" if i % 5 else "no", "J 2": "yes" if i % 3 else "no"}
        if i < 10:
            answers["J 3"] = "yes" if i < 3 else "no"
        yield {"id": f"c{i}", "facts": facts, "answers": answers}


@pytest.fixture(scope="module")
def report(rules, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(rules, rules.rate(sample_cases(), by="sentence").to_dict(), source="cases.jsonl"), encoding="utf-8")
    return path


def test_the_report_refers_to_nothing_outside_the_file(report):
    html = report.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html
    # The only address is the SVG namespace, which is a name, never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}


def test_every_chart_writes_its_percentages_out_for_screen_readers(report, rules):
    html = report.read_text(encoding="utf-8")
    rated = rules.rate(sample_cases(), by="sentence").to_dict()
    charts = re.findall(r'<svg class="chart" role="img" aria-labelledby="(chart\d+-title) (chart\d+-desc)"', html)
    assert len(charts) == len(rated["key_questions"])
    j1 = rated["key_questions"]["J 1"]
    assert f"All cases: {j1['percent']:.1f}% ({j1['n_yes']} of {j1['n_judged']} judged yes), {j1['band']}" in html
    assert "sentence: not known:" in html
    assert "at most Requires improvement because J 3 is Inadequate" in html


@pytest.mark.browser
def test_the_report_renders_in_chromium_with_visible_charts_and_no_errors(report, tmp_path):
    with open_page(report) as (page, console_errors, outside_requests):
        page.set_viewport_size({"width": 1100, "height": 900})
        screenshot = tmp_path / "report.png"
        page.screenshot(path=str(screenshot), full_page=True)
        charts = page.locator("svg.chart")
        assert charts.count() == 3
        for index in range(charts.count()):
            box = charts.nth(index).bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0
        bars = page.locator("svg.chart rect.bar")
        assert bars.count() > 0
        first_bar = bars.first.bounding_box()
        assert first_bar is not None and first_bar["width"] > 0
        assert page.get_by_role("img", name=re.compile(r"J 1: share of cases judged yes")).count() == 1
        assert console_errors == []
        assert outside_requests == []
    assert screenshot.stat().st_size > 10_000


@pytest.mark.browser
def test_the_charts_stay_visible_when_printed(report, tmp_path):
    with open_page(report) as (page, console_errors, outside_requests):
        page.emulate_media(media="print")
        for index in range(page.locator("svg.chart").count()):
            box = page.locator("svg.chart").nth(index).bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0
        pdf = page.pdf(path=str(tmp_path / "report.pdf"))
        assert pdf[:4] == b"%PDF"
        assert console_errors == [] and outside_requests == []


EXCLUSION = '\nfact gone: bool\n\nexclude when gone\n    because "terminated within seven days of the order or licence commencing"\n'


@pytest.fixture(scope="module")
def telling_report(tmp_path_factory) -> Path:
    """A report over cases some of which were excluded (not inspected) and some rejected (bad data, positions 3 and 5)."""
    rules = carag_dsl.loads(FIXTURE.read_text(encoding="utf-8") + EXCLUSION, "sample.carag")
    cases = [{**case, "facts": {"gone": False, **case["facts"]}} for case in sample_cases()]  # inspected
    cases[2] = {"facts": {"mappa": "maybe"}, "answers": {}}
    cases[4] = {"facts": {}, "answers": {"J 1": "nope"}}
    cases += [{"facts": {"gone": True, "sentence": "pss"}, "answers": {"J 1": "no"}}] * 2
    rated = rules.rate(cases, by="sentence", on_error="collect", date=datetime.date(2025, 3, 31)).to_dict()
    path = tmp_path_factory.mktemp("telling") / "report.html"
    path.write_text(render_html(rules, rated, source="cases.jsonl"), encoding="utf-8")
    return path


@pytest.mark.browser
def test_the_report_shows_what_it_is_its_rules_date_counts_caveat_and_full_band_names_in_chromium(telling_report):
    with open_page(telling_report) as (page, console_errors, outside_requests):
        page.set_viewport_size({"width": 1100, "height": 900})
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Share of cases judged sufficient per key question, with the bands of the core inspection framework")
        about = page.get_by_label("About this report")
        assert about.is_visible()
        text = about.inner_text()
        assert '"Rating fixture" version 1 (content hash ' in text and "2025-03-31" in text
        assert "22" in page.locator("dl.about dt:text-is('Cases read') + dd").inner_text()
        excluded = page.locator("dl.about dt:text-is('Cases excluded') + dd")
        assert excluded.is_visible() and excluded.inner_text() == "2: 2 terminated within seven days of the order or licence commencing"
        rejected = page.locator("dl.about dt:text-is('Cases rejected') + dd")
        assert rejected.is_visible() and rejected.inner_text() == "2 rejected (positions 3 and 5)"
        # The caveat: explained once, and on the figures it concerns (pss has 4 cases rated).
        assert page.locator("#small-sample").is_visible()
        assert "fewer than 10 cases" in page.locator("#small-sample").inner_text()
        assert page.get_by_role("columnheader", name="sentence: Post-sentence supervision (4 cases, 2 excluded, small sample)").is_visible()
        assert page.get_by_role("cell", name=re.compile(r"\(small sample\)$")).first.is_visible()
        # Band names in full above every chart, and no two of them drawn over each other.
        first_chart = page.locator("svg.chart").first
        names = first_chart.locator("text.band-name")
        assert names.all_text_contents() == ["Inadequate", "Requires improvement", "Good", "Outstanding"]
        boxes = [names.nth(i).bounding_box() for i in range(names.count())]
        assert all(box is not None and box["width"] > 0 for box in boxes)
        for left, right in zip(boxes, boxes[1:]):
            apart = left["x"] + left["width"] <= right["x"] or left["y"] + left["height"] <= right["y"] or right["y"] + right["height"] <= left["y"]
            assert apart, "neighbouring band names overlap"
        assert page.get_by_role("cell", name="Requires improvement", exact=True).count() >= 1  # the bands table
        assert console_errors == [] and outside_requests == []
