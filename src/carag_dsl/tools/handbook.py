"""The handbook of a rule set: one self-contained HTML page generated from the rules.

Inspectors read the CARaG as a long page. This module writes that page from
the checked rule set, so it always says what the engine does: the sections and
questions in document order (id, text, kind, answer options, guidance), when
each question applies in plain English (:mod:`carag_dsl.plain_english`), what
each question depends on and what depends on it (the dependency graph), the
facts, derived facts, case-type rules, summary judgements and ratings.

Everything is inline (CSS and a small search script; no font, no request
leaves the file), so the page can be mailed, archived and printed as it is.
Each question carries ``data-question-id`` and its parts carry classes
(``q-text``, ``q-applies``, ...) so tests can read the page back.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING, Iterable

from carag_dsl.language import ast
from carag_dsl.compiler import graph as G
from carag_dsl.compiler.plain_english import PlainEnglish, long_date, spaced

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

KIND_WORDS = {"prompt": "Prompt question", "information": "Information question", "judgement": "Summary judgement"}

CSS = """
:root { color-scheme: light; --ink: #1b1b1b; --muted: #505a5f; --line: #d8dde0; --accent: #1d4f91; --soft: #f4f6f8; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); background: #fff;
       margin: 0; line-height: 1.5; }
header.top { background: var(--accent); color: #fff; padding: 1.2rem 1.5rem 1rem; }
header.top h1 { margin: 0 0 .2rem; font-size: 1.5rem; line-height: 1.25; }
header.top p { margin: 0; opacity: .9; }
.searchbar { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line); padding: .6rem 1.5rem; }
.searchbar label { font-weight: 600; margin-right: .5rem; }
.searchbar input { font: inherit; padding: .35rem .6rem; width: min(32rem, 70%); border: 2px solid var(--ink); border-radius: 3px; }
.searchbar output { margin-left: .8rem; color: var(--muted); }
.layout { display: grid; grid-template-columns: 16rem minmax(0, 1fr); gap: 2rem; max-width: 78rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
nav.toc { position: sticky; top: 3.6rem; align-self: start; max-height: calc(100vh - 4.5rem); overflow: auto; font-size: .92rem; }
nav.toc ol { list-style: none; padding-left: 0; margin: 0; }
nav.toc li { margin: .25rem 0; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
main { min-width: 0; }
h2 { font-size: 1.3rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 3px solid var(--accent); }
h2 .heading { display: block; font-size: 1rem; font-weight: 500; color: var(--muted); }
article.question, article.entry { border: 1px solid var(--line); border-left: 5px solid var(--accent); border-radius: 4px;
       padding: .7rem 1rem .6rem; margin: 0 0 1rem; background: #fff; }
article.question[data-kind="judgement"] { border-left-color: #8a3b12; background: #fffaf5; }
article.question[data-kind="prompt"] { border-left-color: #3a7d44; }
article h3 { margin: 0 0 .3rem; font-size: 1.05rem; display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
.qid { font-variant-numeric: tabular-nums; background: var(--soft); border: 1px solid var(--line); border-radius: 3px; padding: 0 .4rem; }
.kind { font-size: .8rem; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.label { font-size: .85rem; color: var(--muted); }
.computed { font-size: .85rem; color: var(--muted); }
.authored { font-style: italic; }
p.q-text { font-size: 1.05rem; margin: .2rem 0 .5rem; font-weight: 500; }
dl.facts { display: grid; grid-template-columns: 9rem minmax(0, 1fr); gap: .2rem .8rem; margin: .3rem 0; font-size: .95rem; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; }
.q-applies { font-weight: 600; }
ul.options, ul.links { margin: 0; padding-left: 1.1rem; }
ul.links { list-style: none; padding-left: 0; display: flex; flex-wrap: wrap; gap: .2rem .8rem; }
a { color: var(--accent); }
details { margin: .4rem 0 .8rem; }
details summary { cursor: pointer; color: var(--accent); font-weight: 600; }
.guidance p, .section-text p { margin: .4rem 0; }
.section-text h3.subheading { margin: 1rem 0 .2rem; font-size: 1.05rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .7rem; text-align: left; vertical-align: top; }
th { background: var(--soft); }
code { font-family: ui-monospace, "SFMono-Regular", Consolas, monospace; font-size: .9em; }
p.none { color: var(--muted); font-style: italic; }
[hidden] { display: none !important; }
@media (max-width: 50rem) { .layout { grid-template-columns: 1fr; } nav.toc { position: static; max-height: none; } }
@media print {
  .searchbar, nav.toc { display: none; }
  header.top { background: none; color: var(--ink); border-bottom: 2px solid var(--ink); padding: 0 0 .5rem; }
  .layout { display: block; padding: 0; max-width: none; }
  body { font-size: 10pt; }
  article.question, article.entry { break-inside: avoid; }
  h2 { break-after: avoid; }
  details summary { display: none; }
  a { color: inherit; text-decoration: none; }
}
"""

# Filters questions (and entries) by id or text as the reader types; hides
# sections left empty. Printing opens every guidance block first.
SCRIPT = """
(function () {
  var box = document.getElementById('search');
  var count = document.getElementById('search-count');
  var items = Array.prototype.slice.call(document.querySelectorAll('[data-search]'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('section.group'));
  function filter() {
    var needle = box.value.trim().toLowerCase();
    var shown = 0;
    items.forEach(function (item) {
      var match = !needle || item.getAttribute('data-search').indexOf(needle) !== -1;
      item.hidden = !match;
      if (match && item.classList.contains('question')) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = needle !== '' && !group.querySelector('[data-search]:not([hidden])');
    });
    count.textContent = needle ? shown + (shown === 1 ? ' question' : ' questions') + ' found' : '';
  }
  box.addEventListener('input', filter);
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
  filter();
})();
"""


def anchor(node: str) -> str:
    """The HTML id of a graph node: ``question:X 6`` -> ``question-X-6``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", node.replace(":", "-"))


def _search_text(*parts: str | None) -> str:
    return escape(" ".join(p for p in parts if p).lower(), quote=True)


def _paragraphs(text: str) -> str:
    """Guidance as paragraphs: blank lines separate them, single line breaks are kept."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return "".join(f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in blocks)


def _is_subheading(block: str) -> bool:
    """A short line of its own with no closing punctuation ("Cases that have terminated"): a heading in the text."""
    return "\n" not in block and len(block) <= 60 and block[-1:] not in ".:;,?!"


def _prose(text: str) -> str:
    """A page of prose (a section without questions): paragraphs, its own headings as headings."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return "".join(
        f'<h3 class="subheading">{escape(block)}</h3>' if _is_subheading(block) else _paragraphs(block) for block in blocks
    )


class _Writer:
    def __init__(self, ruleset: "CheckedRules", studio_url: str | None = None):
        self.ruleset = ruleset
        self.studio_url = studio_url
        self.symbols = ruleset.symbols
        self.graph = ruleset.graph
        self.words = PlainEnglish(ruleset.symbols)
        # Worked out once for the whole page (per question they made 10,000 questions take 30 s).
        self._position = {kind: {name: i for i, name in enumerate(names)} for kind, names in
                          (("question", self.symbols.questions), ("fact", self.symbols.facts), ("define", self.symbols.defines))}
        self._informs: dict[str, list[str]] = {}
        for informed in self.symbols.questions.values():
            for ref in informed.informed_by:
                self._informs.setdefault(ref.question_id, []).append(G.question_node(informed.id))

    # ------------------------------------------------------------------ links
    def link(self, node: str) -> str:
        label = G.node_label(node)
        if node.startswith("question:"):
            text = label
        elif node.startswith("fact:"):
            text = f"fact {label}"
        elif node.startswith("define:"):
            text = f"derived fact {label}"
        else:
            text = label
        return f'<a href="#{anchor(node)}">{escape(text)}</a>'

    def link_list(self, nodes: Iterable[str], css: str) -> str:
        items = "".join(f"<li>{self.link(n)}</li>" for n in nodes)
        return f'<ul class="links {css}">{items}</ul>' if items else '<span class="none">nothing</span>'

    def reads(self, node: str) -> list[str]:
        return sorted(self.graph.predecessors(node), key=self._document_order) if node in self.graph else []

    def read_by(self, node: str) -> list[str]:
        return sorted(self.graph.successors(node), key=self._document_order) if node in self.graph else []

    def _document_order(self, node: str):
        kind, _, name = node.partition(":")
        order = {"fact": 0, "define": 1, "case_type": 2, "question": 3}
        return (order[kind], self._position.get(kind, {}).get(name, 0))

    # ------------------------------------------------------------------ the page
    def page(self) -> str:
        header = self.symbols.header
        title = header.name if header else "Rule set"
        meta = f"Version {escape(header.version)}, published {long_date(header.published)}." if header else ""
        body = [self.sections(), self.judgements(), self.facts(), self.defines(), self.case_type(), self.ratings(), self.inspection_questions()]
        return "\n".join([
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}: handbook</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            '<header class="top">',
            f"<h1>{escape(title)}</h1>",
            f"<p>{meta} {len(self.symbols.questions)} questions. Generated from the rule set by <code>carag docs</code>: "
            "what it says is what the engine does.</p>",
            *([f'<p class="studio"><a href="{escape(self.studio_url, quote=True)}">Open these rules in the studio</a>: '
               "edit them, route a case and run the checks in your browser.</p>"] if self.studio_url else []),
            "</header>",
            '<div class="searchbar" role="search"><label for="search">Find a question</label>'
            '<input id="search" type="search" placeholder="id or words, e.g. 2.3.24 or domestic abuse" autocomplete="off">'
            '<output id="search-count" aria-live="polite"></output></div>',
            '<div class="layout">',
            self.toc(),
            "<main>",
            *body,
            "</main>",
            "</div>",
            f"<script>{SCRIPT}</script>",
            "</body>",
            "</html>",
        ]) + "\n"

    def toc(self) -> str:
        items = [f'<li><a href="#{anchor("section:" + str(i))}">{escape(title)}</a></li>' for i, title in self._section_titles()]
        items += [
            '<li><a href="#judgements">Summary judgements</a></li>',
            '<li><a href="#facts">Facts about a case</a></li>',
            '<li><a href="#defines">Derived facts</a></li>',
            '<li><a href="#case-type">Core or adjusted</a></li>',
        ]
        if self.symbols.bands or self.symbols.standards:
            items.append('<li><a href="#ratings">Ratings</a></li>')
        if self.symbols.inspection_questions:
            items.append('<li><a href="#inspection-questions">Inspection questions</a></li>')
        return f'<nav class="toc" aria-label="Contents"><ol>{"".join(items)}</ol></nav>'

    def _grouped_questions(self):
        """(section or None, its questions) in document order, sections without questions (pages of prose) too."""
        loose = [q for q in self.symbols.questions.values() if self.symbols.section_of.get(q.id) is None]
        groups: list[tuple[ast.SectionDecl | None, list[ast.QuestionDecl]]] = [(None, loose)] if loose else []
        members: dict[int, list[ast.QuestionDecl]] = {}
        for question in self.symbols.questions.values():
            section = self.symbols.section_of.get(question.id)
            if section is not None:
                members.setdefault(id(section), []).append(question)
        groups += [(section, members.get(id(section), [])) for section in self.symbols.sections]
        return groups

    def _section_titles(self):
        for index, (section, _) in enumerate(self._grouped_questions()):
            yield index, section.title if section else "Questions"

    # ------------------------------------------------------------------ questions
    def sections(self) -> str:
        parts = []
        for index, (section, questions) in enumerate(self._grouped_questions()):
            title = section.title if section else "Questions"
            heading = f'<span class="heading">{escape(section.heading)}</span>' if section and section.heading else ""
            guidance = ""
            if section and section.guidance and not questions:  # a page of prose (the CARaG's Introduction, ...)
                guidance = f'<div class="section-text">{_prose(section.guidance)}</div>'
            elif section and section.guidance:
                guidance = f'<details class="guidance"><summary>Section guidance</summary>{_paragraphs(section.guidance)}</details>'
            parts.append(
                f'<section class="group" id="{anchor("section:" + str(index))}">'
                f"<h2>{escape(title)}{heading}</h2>{guidance}"
                + "".join(self.question(q) for q in questions)
                + "</section>"
            )
        return "\n".join(parts)

    def question(self, question: ast.QuestionDecl) -> str:
        node = G.question_node(question.id)
        rows = [("When", f'<span class="q-applies">{escape(self.words.applicability(question))}</span>')]
        rows.append(("Answer", self.answer(question.answer)))
        if question.informed_by:
            refs = [G.question_node(r.question_id) for r in question.informed_by]
            rows.append(("Informed by", self.link_list(refs, "q-informed-by")))
        for derive in question.derive:
            rows.append(("If unanswered", f'<span class="q-derive">{escape(self.words.derivation(question, derive))}</span>'))
        if question.record_reasons:
            rows.append(("Reasons", '<span class="q-reasons">Inspectors record why (give <code>reasons</code> with the answer).</span>'))
        for constraint in self.symbols.consistency:
            if constraint.on_answer and constraint.field == question.id:
                rows.append(("Check", f'<span class="q-check">{escape(self.words.constraint(constraint))}</span>'))
        standards = [name for name, s in self.symbols.standards.items() if any(r.question_id == question.id for r in s.key_questions)]
        if standards:
            rows.append(("Rates", ", ".join(f'the standard <a href="#ratings">{escape(s)}</a>' for s in standards)))
        rows.append(("Depends on", self.link_list(self.reads(node), "q-depends-on")))
        informs = self._informs.get(question.id, [])
        if informs:
            rows.append(("Informs", self.link_list(informs, "q-informs")))
        rows.append(("Affects", self.link_list(self.read_by(node), "q-used-by")))
        inspection = [i.id for i in self.symbols.inspection_questions.values() if any(r.question_id == question.id for link in i.links for r in link.questions)]
        if inspection:
            links = "".join(f'<li><a href="#{anchor("inspection:" + i)}">{escape(i)}</a></li>' for i in inspection)
            rows.append(("Informs the inspection questions", f'<ul class="links q-informs-inspection">{links}</ul>'))
        label = f'<span class="label q-label">{escape(question.label)}</span>' if question.label else ""
        guidance = f'<details class="guidance"><summary>Guidance</summary>{_paragraphs(question.guidance)}</details>' if question.guidance else ""
        return (
            f'<article class="question" id="{anchor(node)}" data-question-id="{escape(question.id, quote=True)}" '
            f'data-kind="{question.kind}" data-search="{_search_text(question.id, question.text)}">'
            f'<h3><span class="qid q-id">{escape(question.id)}</span><span class="kind q-kind">{KIND_WORDS[question.kind]}</span>{label}</h3>'
            f'<p class="q-text">{escape(question.text or "")}</p>'
            f'<dl class="facts">{"".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)}</dl>'
            f"{guidance}</article>"
        )

    def inspection_questions(self) -> str:
        """The questions about the region, with their evidence and the case findings that inform them."""
        if not self.symbols.inspection_questions:
            return ""
        articles = []
        for decl in self.symbols.inspection_questions.values():
            node = "inspection:" + decl.id
            where = " / ".join(part for part in (decl.domain, decl.heading) if part)
            rows = [("Under", escape(where))]
            for link in decl.links:
                refs = self.link_list([G.question_node(r.question_id) for r in link.questions], "i-informed-by")
                group = f' <span class="i-within">in cases where {escape(self.words.expr(link.within))}</span>' if link.within is not None else ""
                rows.append(("Informed by", f'{refs}{group} <span class="i-because">{escape(link.because)}</span>'))
            evidence = "".join(f"<li>{escape(source)}</li>" for source in decl.evidence)
            rows.append(("Evidence", f'<ul class="i-evidence">{evidence}</ul>'))
            guidance = f'<details class="guidance"><summary>Guidance</summary>{_paragraphs(decl.guidance)}</details>' if decl.guidance else ""
            articles.append(
                f'<article class="entry inspection-question" id="{anchor(node)}" data-inspection-id="{escape(decl.id, quote=True)}" '
                f'data-search="{_search_text(decl.id, decl.text)}"><h3><span class="qid">{escape(decl.id)}</span></h3>'
                f'<p class="i-text">{escape(decl.text or "")}</p>'
                f'<dl class="facts">{"".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)}</dl>{guidance}</article>'
            )
        return ('<section id="inspection-questions" class="group"><h2>Inspection questions</h2><p>The questions about the '
                'region, answered in prose, not routed; beside each, the case findings that inform it (<code>carag brief</code> '
                'puts a sample\'s figures there).</p>' + "".join(articles) + "</section>")

    def answer(self, answer: ast.TypeExpr | None) -> str:
        kind = f'<span class="q-answer-kind">{escape(self.words.answer_kind(answer))}</span>'
        labels = self.words.option_labels(answer)
        if not labels or (answer is not None and answer.kind in ("yes_no", "yes_no_not_a_factor")):
            return kind
        options = "".join(f'<li class="q-option">{escape(label)}</li>' for label in labels)
        return f'{kind}<ul class="options">{options}</ul>'

    # ------------------------------------------------------------------ the rest
    def judgements(self) -> str:
        judgements = [q for q in self.symbols.questions.values() if q.kind == "judgement"]
        if not judgements:
            return '<section id="judgements"><h2>Summary judgements</h2><p class="none">This rule set has no summary judgements.</p></section>'
        rows = []
        for q in judgements:
            fed = ", ".join(self.link(G.question_node(r.question_id)) for r in q.informed_by) or "—"
            derived = " ".join(escape(self.words.derivation(q, d)) for d in q.derive) or "—"
            rows.append(f'<tr data-search="{_search_text(q.id, q.text)}"><td>{self.link(G.question_node(q.id))}' f"</td><td>{escape(q.text or '')}</td><td>{fed}</td><td>{derived}</td></tr>")
        return (
            '<section id="judgements" class="group"><h2>Summary judgements</h2>'
            "<p>Each summary judgement weighs the prompt questions that inform it. "
            "Some have a default: the answer the engine gives when the judgement applies and the inspector has not answered it.</p>"
            "<table><thead><tr><th>Judgement</th><th>Question</th><th>Informed by</th><th>Default</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>"
        )

    def facts(self) -> str:
        entries = []
        for name, fact in self.symbols.facts.items():
            node = G.fact_node(name)
            options = self.words.option_labels(fact.type)
            kind = self.words.answer_kind(fact.type)
            if options:
                kind += ": " + ", ".join(options)
            checks: list[ast.ConstraintDecl | ast.ConsistencyDecl] = [*self.symbols.constraints, *self.symbols.consistency]
            constraints = [self.words.constraint(c) for c in checks if c.field == name and not getattr(c, "on_answer", False)]
            rows = [("Kind", escape(kind))]
            rows += [("Check", escape(text)) for text in constraints]
            rows += [("Grouped as", _grouping_words(g, fact.type)) for g in self.symbols.groupings.values() if g.source == name]
            rows.append(("Affects", self.link_list(self.read_by(node), "used-by")))
            entries.append(self.entry(node, spaced(name), f"<code>{escape(name)}</code>", fact.doc, rows))
        return f'<section id="facts" class="group"><h2>Facts about a case</h2><p>What the inspection records about a case before any question is answered. Any fact may be left out: it is then unknown.</p>{"".join(entries) or "<p class=none>No facts.</p>"}</section>'

    def defines(self) -> str:
        entries = []
        for name, define in self.symbols.defines.items():
            node = G.define_node(name)
            rows = [
                ("Rule", f'<span class="define-rule">{escape(self.words.expr(define.expr))}</span> <span class="computed">(what the engine computes, written from the rule)</span>'),
                ("Depends on", self.link_list(self.reads(node), "depends-on")),
                ("Affects", self.link_list(self.read_by(node), "used-by")),
            ]
            entries.append(self.entry(node, spaced(name), f"<code>{escape(name)}</code>", define.doc, rows))
        return f'<section id="defines" class="group"><h2>Derived facts</h2><p>Names the rules define from facts and answers, so that a rule can be written once and used in many places.</p>{"".join(entries) or "<p class=none>No derived facts.</p>"}</section>'

    def entry(self, node: str, search: str, title: str, doc: str | None, rows) -> str:
        # The `meaning` an author wrote is shown as theirs, apart from what is written from the rules.
        if doc:
            rows = [*rows[:1], ("Author's description", f'<span class="authored">{escape(doc)}</span> <span class="computed">(written by the author of the rules; the engine does not read it)</span>'), *rows[1:]]
        return (
            f'<article class="entry" id="{anchor(node)}" data-search="{_search_text(node.split(":", 1)[-1], search, doc)}">'
            f"<h3>{title}</h3>"
            f'<dl class="facts">{"".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)}</dl></article>'
        )

    def case_type(self) -> str:
        decl = self.symbols.case_type
        if decl is None:
            return '<section id="case-type"><h2>Core or adjusted</h2><p class="none">This rule set has no case types.</p></section>'
        sentences = "".join(f'<li class="case-type-rule">{escape(s)}</li>' for s in self.words.case_type_rules(decl))
        exclusions = "".join(f'<li class="exclusion">{escape(self.words.exclusion(e))}</li>' for e in self.symbols.exclusions)
        excluded = f"<p>Cases not inspected get no questions at all:</p><ul>{exclusions}</ul>" if exclusions else ""
        node = G.CASE_TYPE_NODE
        return (
            f'<section id="case-type" class="group"><h2 id="{anchor(node)}">Core or adjusted</h2>'
            "<p>Which set of questions applies to a case. The rules are tried in order; an inspector's answer named in an override "
            "decides where they do not, and replaces only the case type it names.</p>"
            f"<ol>{sentences}</ol>{excluded}"
            f'<dl class="facts"><dt>Depends on</dt><dd>{self.link_list(self.reads(node), "depends-on")}</dd>'
            f'<dt>Affects</dt><dd>{self.link_list(self.read_by(node), "used-by")}</dd></dl></section>'
        )

    def ratings(self) -> str:
        bands = self.symbols.bands.bands if self.symbols.bands else ()
        if not bands and not self.symbols.standards:
            return ""
        rows = []
        for index, band in enumerate(bands):
            upper = f"below {bands[index + 1].lower_percent}%" if index + 1 < len(bands) else "up to 100%"
            rows.append(f'<tr class="band"><td>{escape(band.name)}</td><td>from {escape(band.lower_percent)}% {upper}</td></tr>')
        standards = []
        for name, standard in self.symbols.standards.items():
            keys = ", ".join(self.link(G.question_node(r.question_id)) for r in standard.key_questions)
            caps = "".join(
                f"<li>At most {escape(cap.band)} when {self.link(G.question_node(cap.question.question_id))} is {escape(cap.when_band)}.</li>"
                for cap in standard.caps
            )
            caps_html = f"<ul>{caps}</ul>" if caps else ""
            standards.append(f'<li class="standard"><strong>{escape(name)}</strong>: the lowest band of its key questions ({keys}).{caps_html}</li>')
        return (
            '<section id="ratings" class="group"><h2>Ratings</h2>'
            "<p>Each key question is banded by the share of inspected cases where it is judged 'yes' "
            "(among the cases where it applies and is answered, or derived, yes or no). Each band starts at its figure, inclusive.</p>"
            f"<table><thead><tr><th>Band</th><th>Share judged 'yes'</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"<ul>{''.join(standards)}</ul></section>"
        )


def _grouping_words(grouping: ast.GroupingDecl, source: ast.TypeExpr | None) -> str:
    """``age_group``: 18-24 (18 to 24), ..., 60+ (60 or more): the groups analysts break figures down by."""
    labels = {o.code: o.label or o.code for o in source.options} if source is not None else {}

    def bounds(member: ast.GroupMember) -> str:
        if not member.is_band:
            return " or ".join(labels.get(code, code) for code in member.options)
        if member.lower is None:
            return f"up to {member.upper}"
        if member.upper is None:
            return f"{member.lower} or more"
        return str(member.lower) if member.lower == member.upper else f"{member.lower} to {member.upper}"

    # a group named as what it holds ("Low" of the option Low, "1" of the value 1) is not said twice
    groups = ", ".join(m.label if m.label == bounds(m) else f"{m.label} ({bounds(m)})" for m in grouping.members)
    return f"<code>{escape(grouping.name)}</code>: {escape(groups)}"


def render_handbook(ruleset: "CheckedRules", studio_url: str | None = None) -> str:
    """The handbook of a rule set as one self-contained HTML page; with ``studio_url``, a link to the studio
    built for it (``carag studio``)."""
    return _Writer(ruleset, studio_url).page()
