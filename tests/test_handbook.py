"""The handbook (`carag docs`): generated from the rule set, it says what the engine does.

The page is read back with html.parser and compared with the RuleSet; a
browser test checks it loads cleanly, self-contained, and that search works.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import carag_dsl
from carag_dsl.language import ast
from carag_dsl.cli import main
from carag_dsl.tools.handbook import anchor, render_handbook
from carag_dsl.compiler.plain_english import PlainEnglish

from browser import open_page


class QuestionReader(HTMLParser):
    """Collects, per question article, the text of its parts (by class) and its link targets."""

    PARTS = ("q-id", "q-kind", "q-text", "q-applies", "q-label", "q-derive", "q-option", "q-answer-kind")

    def __init__(self):
        super().__init__()
        self.questions: dict[str, dict] = {}
        self.current: dict | None = None
        self.capturing: list[tuple[str, int]] = []  # (part, depth at which it opened)
        self.depth = 0
        self.links_in: str | None = None
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.depth += 1
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href", "").startswith("#"):
            self.hrefs.append(attrs["href"][1:])
        if tag == "article" and "data-question-id" in attrs:
            self.current = {"id": attrs["data-question-id"], "kind": attrs["data-kind"], "depends_on": [], "used_by": []}
            self.current_depth = self.depth
            self.questions[attrs["data-question-id"]] = self.current
        if self.current is None:
            return
        classes = attrs.get("class", "").split()
        for part in self.PARTS:
            if part in classes:
                self.capturing.append((part, self.depth))
                self.current.setdefault(part, []).append("")
        if "q-depends-on" in classes:
            self.links_in = "depends_on"
        elif "q-used-by" in classes:
            self.links_in = "used_by"
        if tag == "a" and self.links_in:
            self.current[self.links_in].append(attrs["href"][1:])

    def handle_endtag(self, tag):
        if self.capturing and self.capturing[-1][1] == self.depth:
            self.capturing.pop()
        if tag == "ul":
            self.links_in = None
        if self.current is not None and tag == "article" and self.depth == self.current_depth:
            self.current = None
        self.depth -= 1

    def handle_data(self, data):
        for part, _ in self.capturing:
            self.current[part][-1] += data


def read_questions(html: str) -> QuestionReader:
    reader = QuestionReader()
    reader.feed(html)
    return reader


@pytest.fixture(scope="module")
def rules():
    return carag_dsl.load()


@pytest.fixture(scope="module")
def page(rules):
    return read_questions(render_handbook(rules))


def test_handbook_lists_every_question_in_document_order(rules, page):
    assert list(page.questions) == list(rules.questions)


def test_handbook_shows_each_questions_text_kind_and_label_as_declared(rules, page):
    for question_id, question in rules.questions.items():
        shown = page.questions[question_id]
        assert shown["q-id"] == [question_id]
        assert shown["q-text"] == [question.text]
        assert shown["kind"] == question.kind
        assert shown.get("q-label", []) == ([question.label] if question.label else [])


def test_handbook_writes_each_questions_applicability_in_plain_english(rules, page):
    words = PlainEnglish(rules.symbols)
    for question_id, decl in rules.symbols.questions.items():
        assert page.questions[question_id]["q-applies"] == [words.applicability(decl)]


def test_applicability_of_carag_questions_reads_as_the_printed_labels(page):
    assert page.questions["2.3.01"]["q-applies"] == ["Applies to core cases only."]
    assert page.questions["2.3.05"]["q-applies"] == ["Applies to adjusted cases only."]
    assert page.questions["2.3.24"]["q-applies"] == ["Applies to every case."]
    assert page.questions["X 9"]["q-applies"] == ["Applies when the answer to X 6 is not 'not a factor' or 'sexual harm factor in x4' is true."]
    assert page.questions["2.2.06"]["q-applies"] == ["Applies when the sentence is 'Licence' or 'Post-sentence supervision'."]


def test_handbook_lists_answer_options_by_their_labels(rules, page):
    for question_id, decl in rules.symbols.questions.items():
        if decl.answer is not None and decl.answer.kind in ("one", "any", "scale"):
            labels = [option.label or option.code for option in decl.answer.options]
            assert page.questions[question_id]["q-option"] == labels
    assert page.questions["2.3.29"]["q-option"] == ["Low", "Medium", "High", "Very high"]


def test_handbook_links_each_question_to_what_it_reads_and_what_reads_it(rules, page):
    for question_id in rules.questions:
        node = "question:" + question_id
        shown = page.questions[question_id]
        assert sorted(shown["depends_on"]) == sorted(anchor(n) for n in rules.graph.predecessors(node))
        assert sorted(shown["used_by"]) == sorted(anchor(n) for n in rules.graph.successors(node))
    assert page.questions["X 9"]["depends_on"] == ["define-sexual_harm_factor_in_x4", "question-X-6"]
    assert "question-X-9" in page.questions["X 6"]["used_by"]


def test_every_link_in_the_handbook_leads_to_a_place_on_the_page(page):
    missing = sorted(set(page.hrefs) - page.ids)
    assert missing == []


def test_handbook_shows_derivations_of_summary_judgements(page):
    assert page.questions["P 2.1.3"]["q-derive"] == [
        "When it applies and is not answered, the answer is 'yes' if 'no risk of harm factors' is true."
    ]


def test_a_defined_names_meaning_is_shown_as_the_authors_apart_from_the_rule_the_engine_computes():
    rules = carag_dsl.loads(
        'fact start_date: date\nfact suspension_date: date\n'
        'define suspended_early = suspension_date <= start_date + 12 weeks\n'
        '    meaning "contact was suspended within eight weeks (56 days)"\n'
        'question "1" prompt\n    text "One?"\n    applies when suspended_early\n    answer yes_no\n'
    )
    html = render_handbook(rules)
    assert "Author's description</dt><dd><span class=\"authored\">contact was suspended within eight weeks (56 days)</span>" in html
    assert "12 weeks after the start date" in html  # the rule itself, written from the AST
    assert "eight weeks" not in PlainEnglish(rules.symbols).applicability(rules.symbols.questions["1"])


def test_handbook_escapes_text_from_the_rules():
    rules = carag_dsl.loads('question "1" prompt\n    text "Is <b>this</b> & that \\"so\\"?"\n    answer yes_no\n')
    html = render_handbook(rules)
    assert "<b>this</b>" not in html
    assert read_questions(html).questions["1"]["q-text"] == ['Is <b>this</b> & that "so"?']


def test_handbook_of_a_rule_set_without_sections_facts_or_ratings_is_written():
    rules = carag_dsl.loads('question "Q1" prompt\n    text "First?"\n    answer yes_no\nquestion "Q2" prompt\n    text "Second?"\n    applies when [Q1] == yes\n    answer yes_no\n')
    page = read_questions(render_handbook(rules))
    assert list(page.questions) == ["Q1", "Q2"]
    assert page.questions["Q2"]["q-applies"] == ["Applies when the answer to Q1 is 'yes'."]


def test_plain_english_renders_every_expression_node():
    rules = carag_dsl.loads(
        """
fact d: date
fact n: int
fact flag: bool meaning "the flag is raised"
fact kind: one of a "Option A", b "Option B", c
question "Q" prompt
    text "Which?"
    answer any of x "Ex", y
question "R" prompt
    text "R?"
    applies when not flag or (d - 2 weeks > 2025-01-31 and n + 1 >= 3)
        and x in [Q] and y not in [Q] and [Q] is not empty and [Q] is empty
        and kind not in {a, b} and kind != c and days from d to d + 3 days < 5 days
        and (if flag then n else 1) == 2 and "t" == "t" and true and flag == false
    answer yes_no
"""
    )
    words = PlainEnglish(rules.symbols)
    text = words.applicability(rules.symbols.questions["R"])
    for phrase in [
        "it is not the case that the flag is raised",
        "2 weeks before the d is after 31 January 2025",
        "the n plus 1 is at least 3",
        "'Ex' is among the answer to Q",
        "'y' is not among the answer to Q",
        "at least one option is chosen in the answer to Q",
        "no option is chosen in the answer to Q",
        "the kind is neither 'Option A' nor 'Option B'",
        "the kind is not 'c'",
        "the number of days from the d to 3 days after the d is less than 5 days",
        "the n when the flag is raised, otherwise 1 is 2",
        '"t" is "t"',
        "true",
        "the flag is raised is false",
    ]:
        assert phrase in text, phrase
    more = carag_dsl.loads(
        'fact kind: one of a "Option A", b\nquestion "Q" prompt\n    text "Which?"\n    answer any of x "Ex", y\n'
        'question "S" prompt\n    text "S?"\n    applies when not ([Q] is empty) and not (kind == a) and not (x in [Q])\n    answer yes_no\n'
    )
    assert PlainEnglish(more.symbols).applicability(more.symbols.questions["S"]) == (
        "Applies when at least one option is chosen in the answer to Q, the kind is not 'Option A', and 'Ex' is not among the answer to Q."
    )
    # every node class of the AST has a renderer
    for node_class in ast.Expr.__args__:
        assert hasattr(words, "_" + node_class.__name__), node_class.__name__


def test_plain_english_writes_the_case_type_rules_and_overrides(rules):
    sentences = PlainEnglish(rules.symbols).case_type_rules(rules.symbols.case_type)
    assert sentences[0].startswith("A case is adjusted when ")
    assert sentences[1] == "Otherwise, the case is core."
    assert sentences[2] == (
        "Where the rules above do not decide, or make the case adjusted, the case is core when the answer to 2.0.19a "
        "is 'yes' or the answer to 2.0.20a is 'no'; where they make it anything else, that stands and the result warns."
    )
    assert sentences[3].startswith("Where the rules above do not decide, the case is adjusted when ")


def test_carag_docs_writes_the_handbook_into_the_output_folder(tmp_path, capsys):
    assert main(["docs", "--output", str(tmp_path / "site")]) == 0
    page = tmp_path / "site" / "index.html"
    assert "wrote" in capsys.readouterr().out
    assert list(read_questions(page.read_text(encoding="utf-8")).questions) == list(carag_dsl.load().questions)


def test_carag_docs_refuses_a_file_as_the_output_folder(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["docs", "--output", str(target)]) == 2  # a usage error
    assert "give a folder" in capsys.readouterr().err


def test_carag_docs_reports_errors_in_the_rules(tmp_path, capsys):
    bad = tmp_path / "bad.carag"
    bad.write_text('question "1" prompt\n    text "x"\n    answer yes_no\n    applies when nothing_here\n')
    assert main(["docs", str(bad), "--output", str(tmp_path / "out")]) == 1
    assert "unknown name 'nothing_here'" in capsys.readouterr().err
    assert not (tmp_path / "out" / "index.html").exists()


@pytest.fixture(scope="module")
def handbook_file(tmp_path_factory, rules):
    path = tmp_path_factory.mktemp("handbook") / "index.html"
    path.write_text(render_handbook(rules), encoding="utf-8")
    return path


@pytest.mark.browser
def test_handbook_loads_without_console_errors_or_outside_requests(handbook_file):
    with open_page(handbook_file) as (page, console_errors, outside_requests):
        assert page.locator("article.question").count() == 58
        assert console_errors == []
        assert outside_requests == []


@pytest.mark.browser
def test_handbook_search_shows_the_matching_question_and_hides_the_others(handbook_file):
    with open_page(handbook_file) as (page, console_errors, outside_requests):
        question = page.locator('article[data-question-id="2.3.24"]')
        unrelated = page.locator('article[data-question-id="2.3.01"]')
        assert question.is_visible() and unrelated.is_visible()
        page.locator("#search").type("2.3.24")
        assert question.is_visible()
        assert not unrelated.is_visible()
        assert page.locator("article.question:visible").count() == 1
        assert not page.locator("#case-type").is_visible()
        assert page.locator("#search-count").inner_text() == "1 question found"
        page.locator("#search").fill("")
        page.locator("#search").type("domestic abuse")
        visible = page.locator("article.question:visible")
        assert visible.count() >= 1
        for index in range(visible.count()):
            assert "domestic abuse" in visible.nth(index).get_attribute("data-search")
        assert console_errors == []


class SectionReader(HTMLParser):
    """The h2 title and the prose (``section-text``) of every section of the page, in order."""

    def __init__(self):
        super().__init__()
        self.sections: list[dict] = []
        self.part: str | None = None

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class", "") or ""
        if tag == "section" and "group" in classes.split():
            self.sections.append({"title": "", "text": ""})
        elif tag == "h2" and self.sections:
            self.part = "title"
        elif tag == "span" and self.part == "title":
            self.part = None  # the heading under the title
        elif "section-text" in classes.split():
            self.part = "text"

    def handle_endtag(self, tag):
        if tag in ("h2", "div"):
            self.part = None

    def handle_data(self, data):
        if self.part and self.sections:
            self.sections[-1][self.part] += data + " "


def test_the_handbook_opens_with_the_carags_introduction_key_and_inspection_principles_as_printed(rules):
    from test_carag_fidelity import cites  # the sentence is checked against the CARaG text

    reader = SectionReader()
    html = render_handbook(rules)
    reader.feed(html)
    titles = [section["title"].strip() for section in reader.sections]
    assert titles[:4] == ["Introduction", "Key", "Inspection principles", "Information about the case"]
    introduction, key, principles = (" ".join(s["text"].split()) for s in reader.sections[:3])
    assert introduction.startswith(cites("In the dynamic inspection of public protection, we specifically inspect the quality of service delivery to keep people safe."))
    assert introduction.endswith(cites("Not all questions apply to all cases, and this is explained throughout the CARaG."))
    assert "Question format: Bold text" in key and cites("A summary judgement question, answering a key question from the inspection questions.") in key
    assert cites("We do not inspect cases that were terminated within seven days of the order or licence commencing.") in principles
    assert principles.endswith(cites("themes will potentially be followed up in meetings during the second fieldwork week."))
    assert all(not s["text"] for s in reader.sections[3:])  # sections with questions keep their guidance folded
    # The headings the CARaG prints inside the Inspection principles stay headings.
    subheadings = re.findall(r'<h3 class="subheading">([^<]*)</h3>', html)
    assert subheadings == ["Resettlement cases", "Post-recall cases", "Cases transferred in or out of the region",
                           "Cases that have terminated", "Probation Reset", "Probation Impact", "Cases with multiple sentences",
                           "Dynamic inspection of public protection"]


def test_the_summary_judgements_the_carag_prints_without_a_label_show_none(rules, page):
    shown = page.questions
    assert rules.questions["P 2.1.3"].label is None and rules.questions["P 2.2.3"].label is None
    assert "q-label" not in shown["P 2.1.3"] and "q-label" not in shown["P 2.2.3"]
    assert shown["P 2.4.3"]["q-label"] == ["All core cases, and any adjusted cases where supervision should have been re-instigated"]
    assert shown["P 2.1.3"]["q-applies"] == ["Applies to every case."]  # what the engine does, not a printed label


def test_the_handbook_lists_every_inspection_question_with_its_evidence_and_the_case_questions_that_inform_it(rules):
    import re
    from html import escape

    html = render_handbook(rules)
    section = html[html.index('<section id="inspection-questions"'):]
    articles = re.findall(r'<article class="entry inspection-question" id="inspection-([0-9.]+)".*?</article>', section, re.S)
    assert articles == list(rules.symbols.inspection_questions)
    for decl in rules.symbols.inspection_questions.values():
        article = re.search(rf'<article class="entry inspection-question" id="inspection-{re.escape(decl.id)}".*?</article>', section, re.S).group(0)
        assert f'<p class="i-text">{escape(decl.text)}</p>' in article
        assert [f"<li>{escape(source)}</li>" for source in decl.evidence] == re.findall(r"<li>[^<]*</li>", article.split('class="i-evidence">')[1].split("</ul>")[0])
        for link in decl.links:
            for ref in link.questions:
                assert f'href="#question-{ref.question_id.replace(" ", "-")}"' in article
    # and each linked case question points back at the inspection questions it informs
    mappa = re.search(r'id="question-2.5.47".*?</article>', html, re.S).group(0)
    assert 'href="#inspection-1.13"' in mappa and 'href="#inspection-1.14"' in mappa
    assert 'id="inspection-questions"' in html and 'href="#inspection-questions"' in html


def test_each_fact_shows_the_groupings_analysts_break_figures_down_by_with_their_bounds():
    rules = carag_dsl.loads('''
fact age: int
fact rosh: scale low "Low", medium "Medium", high "High", very_high "Very high"
grouping age_group of age
    young "18-24" from 18 to 24
    older "60+" from 60
grouping rosh_group of rosh
    low "Low" is low
    high_or_very_high "High/very high" is high, very_high
question "Q1" information
    text "Was the case allocated promptly?"
    answer yes_no
''')
    html = render_handbook(rules)
    assert "<dt>Grouped as</dt><dd><code>age_group</code>: 18-24 (18 to 24), 60+ (60 or more)</dd>" in html
    assert "<dt>Grouped as</dt><dd><code>rosh_group</code>: Low, High/very high (High or Very high)</dd>" in html
