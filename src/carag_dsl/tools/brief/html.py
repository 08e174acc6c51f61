"""The inspection brief as one self-contained, printable HTML page (no script, no request leaves the file).

The themes that stand out come first, then every inspection question in document order: its
text, guidance and evidence checklist (boxes to tick on paper), and beside it the case findings
of each link in a table (the region, the rest of the sample, the whole sample, then every region),
with the group of cases the link reads and why. Everything the rules or the cases carry is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from carag_dsl.rating.report_html import CSS as RATING_CSS
from carag_dsl.tools.brief.figures import percent_text as _pct

# The rating report's page style, and the brief's own: checklists, findings tables, questions kept whole in print.
CSS = RATING_CSS + """
body { max-width: 64rem; }
tr.region td { font-weight: 600; }
ul.checklist { list-style: none; padding-left: 0; }
ul.checklist li::before { content: "\\2610\\00a0"; }
.guidance p { margin: .3rem 0; }
.because { font-size: .9rem; color: #333; }
section.question { border-top: 1px solid #eee; padding-top: .3rem; }
@media print { details.guidance > * { display: block; } }
"""


def _cells(figures: dict[str, Any] | None) -> str:
    if figures is None:
        return '<td class="num">–</td><td class="num">–</td><td>–</td>'
    caveat = ' <span class="caveat">small sample</span>' if figures["small_sample"] else ""
    return (f'<td class="num">{_pct(figures)}</td><td class="num">{figures["n_yes"]} of {figures["n_judged"]}</td>'
            f"<td>{escape(figures['band'] or '–')}{caveat}</td>")


def _finding_table(finding: dict[str, Any], region: dict[str, Any] | None, link_id: str) -> list[str]:
    qid = finding["question"]
    out = [f'<table class="finding" data-question="{escape(qid)}" data-link="{escape(link_id)}">',
           f"<caption>[{escape(qid)}] {escape(finding['text'] or '')}</caption>",
           "<thead><tr><th>cases</th><th>share judged yes</th><th>yes of judged</th><th>band</th></tr></thead><tbody>"]
    if region is not None:
        gap = "" if finding["gap"] is None else f" ({finding['gap']:+.1f} points against the rest)"
        out.append(f'<tr class="region"><td>{escape(region["label"])}{escape(gap)}</td>{_cells(finding["region"])}</tr>')
        out.append(f"<tr><td>rest of the sample</td>{_cells(finding['rest'])}</tr>")
    out.append(f'<tr class="sample"><td>whole sample</td>{_cells(finding["sample"])}</tr>')
    for group in finding["groups"]:
        out.append(f'<tr class="group" data-value="{escape(str(group["value"]))}"><td>{escape(group["label"])}</td>{_cells(group)}</tr>')
    out.append("</tbody></table>")
    return out


def _theme_rows(themes: list[dict[str, Any]], gaps: bool) -> list[str]:
    rows = []
    for theme in themes:
        where = f" ({escape(theme['within_words'])})" if theme["within"] else ""
        gap = f"<td class=\"num\">{theme['gap']:+.1f}</td>" if gaps else ""
        rows.append(f"<tr><td>[{escape(theme['question'])}] {escape(theme['text'] or '')}{where}</td>"
                    f"<td>{escape(', '.join(theme['inspection_questions']))}</td>{_cells(theme['figures'])}{gap}</tr>")
    return rows


def render_brief_html(brief: dict[str, Any]) -> str:
    region = brief["region"]
    whose = region["label"] if region else "the whole sample"
    counts = brief["counts"]
    out = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Inspection brief: {escape(whose)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
        f"<h1>Inspection brief: {escape(whose)}</h1>",
        f'<p class="meta">{escape(brief["description"])}. Rules: {escape(str(brief["ruleset"].get("name")))} version '
        f'{escape(str(brief["ruleset"].get("version")))} ({escape(str(brief["ruleset"].get("hash")))}), {escape(brief["date"])}. '
        f'{counts["rated"]} cases rated of {counts["read"]} read ({counts["excluded"]} not inspected, {counts["rejected"]} rejected as bad data)'
        + (f"; {region['cases']} in {escape(region['label'])}" if region else "") + ".</p>",
        f'<p class="note">Figures over fewer than {brief["small_sample_below"]} judged cases carry a small-sample caveat. '
        "The inspection questions are not answered yes or no; the case findings beside them are what to explore.</p>",
        '<section id="themes"><h2>Themes that stand out</h2>',
    ]
    heading = "cases" if region is None else escape(region["label"])
    lowest = brief["themes"]["lowest_shares"]
    if lowest:
        out += [f"<table><caption>Lowest shares judged yes ({heading})</caption><thead><tr><th>finding</th><th>inspection questions</th>"
                "<th>share</th><th>yes of judged</th><th>band</th></tr></thead><tbody>", *_theme_rows(lowest, False), "</tbody></table>"]
    gaps = brief["themes"]["largest_gaps"]
    if gaps:
        out += [f"<table><caption>Largest gaps below the rest of the sample ({heading})</caption><thead><tr><th>finding</th>"
                "<th>inspection questions</th><th>share</th><th>yes of judged</th><th>band</th><th>gap (points)</th></tr></thead><tbody>",
                *_theme_rows(gaps, True), "</tbody></table>"]
    if not lowest and not gaps:
        out.append('<p class="note">No finding over enough cases to stand out.</p>')
    out.append("</section>")
    domain = heading_seen = None
    for question in brief["questions"]:
        if question["domain"] != domain:
            domain, heading_seen = question["domain"], None
            out.append(f"<h2>{escape(question['domain'] or '')}</h2>")
        if question["heading"] and question["heading"] != heading_seen:
            heading_seen = question["heading"]
            out.append(f'<p class="note"><strong>{escape(heading_seen)}</strong></p>')
        out += _question(question, region)
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _question(question: dict[str, Any], region: dict[str, Any] | None) -> list[str]:
    qid = escape(question["id"])
    out = [f'<section class="question" id="q-{qid}" data-id="{qid}">', f"<h3>{qid} {escape(question['text'] or '')}</h3>"]
    if question["guidance"]:
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in question["guidance"].split("\n") if p.strip())
        out.append(f'<details class="guidance" open><summary>Guidance</summary>{paragraphs}</details>')
    out.append('<p><strong>Evidence</strong></p><ul class="checklist">')
    out += [f"<li>{escape(source)}</li>" for source in question["evidence"]]
    out.append("</ul>")
    if not question["links"]:
        out.append('<p class="note">No case findings are linked to this question.</p>')
    for link in question["links"]:
        link_id = f"{question['id']}/{link['index']}"
        group = (f"in {link['cases_in_group']} cases where {escape(link['within_words'])}"
                 f" ({link['cases_outside_group']} outside, {link['cases_group_unknown']} not known)") if link["within"] else "in all cases rated"
        out.append(f'<div class="link" data-link="{escape(link_id)}"><p><strong>Case findings</strong> {group}. '
                   f'<span class="because">Why: {escape(link["because"])}</span></p>')
        for finding in link["findings"]:
            out += _finding_table(finding, region, link_id)
        out.append("</div>")
    out.append("</section>")
    return out
