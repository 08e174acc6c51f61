"""The inspection brief as a Word document (python-docx, the ``brief`` extra): inspection teams write in Word.

The same content as the HTML page, in the same order: the themes, then each inspection question
with its guidance, its evidence checklist and its case findings as tables, each question from
a new heading so a team can cut the document up by question.
"""

from __future__ import annotations

import io
from typing import Any

from carag_dsl.errors import UsageError
from carag_dsl.tools.brief.figures import percent_text as _pct

INSTALL = "pip install 'carag-dsl[brief]'"


def _require_docx():
    try:
        import docx
    except ImportError:
        raise UsageError(f"a Word brief needs python-docx: {INSTALL} (or write --format html or json)") from None
    return docx


def _row(table, label: str, figures: dict[str, Any] | None) -> None:
    cells = table.add_row().cells
    cells[0].text = label
    if figures is None:
        cells[1].text = cells[2].text = cells[3].text = "–"
        return
    cells[1].text = _pct(figures)
    cells[2].text = f"{figures['n_yes']} of {figures['n_judged']}"
    cells[3].text = (figures["band"] or "–") + (" (small sample)" if figures["small_sample"] else "")


def render_brief_docx(brief: dict[str, Any]) -> bytes:
    docx = _require_docx()
    document = docx.Document()
    region = brief["region"]
    whose = region["label"] if region else "the whole sample"
    counts = brief["counts"]
    document.add_heading(f"Inspection brief: {whose}", level=0)
    ruleset = brief["ruleset"]
    document.add_paragraph(
        f"{brief['description']}. Rules: {ruleset.get('name')} version {ruleset.get('version')} ({ruleset.get('hash')}), "
        f"{brief['date']}. {counts['rated']} cases rated of {counts['read']} read"
        + (f"; {region['cases']} in {region['label']}." if region else ".")
    )
    document.add_paragraph(f"Figures over fewer than {brief['small_sample_below']} judged cases carry a small-sample caveat.")
    document.add_heading("Themes that stand out", level=1)
    for title, themes in (("Lowest shares judged yes", brief["themes"]["lowest_shares"]),
                          ("Largest gaps below the rest of the sample", brief["themes"]["largest_gaps"])):
        if not themes:
            continue
        document.add_paragraph(title, style="Heading 3")
        for theme in themes:
            gap = f", {theme['gap']:+.1f} points against the rest" if theme["gap"] is not None and title.startswith("Largest") else ""
            where = f" ({theme['within_words']})" if theme["within"] else ""
            document.add_paragraph(
                f"[{theme['question']}] {theme['text']}{where}: {_pct(theme['figures'])}, {theme['figures']['n_yes']} of "
                f"{theme['figures']['n_judged']}{gap} (inspection questions {', '.join(theme['inspection_questions'])})",
                style="List Bullet",
            )
    domain = None
    for question in brief["questions"]:
        if question["domain"] != domain:
            domain = question["domain"]
            document.add_heading(domain or "", level=1)
        document.add_heading(f"{question['id']} {question['text']}", level=2)
        if question["heading"]:
            document.add_paragraph(question["heading"], style="Subtitle")
        for paragraph in (question["guidance"] or "").split("\n"):
            if paragraph.strip():
                document.add_paragraph(paragraph)
        document.add_paragraph("Evidence", style="Heading 3")
        for source in question["evidence"]:
            document.add_paragraph("☐ " + source)
        for link in question["links"]:
            group = f"in {link['cases_in_group']} cases where {link['within_words']}" if link["within"] else "in all cases rated"
            document.add_paragraph(f"Case findings {group}. Why: {link['because']}")
            for finding in link["findings"]:
                table = document.add_table(rows=1, cols=4)
                table.style = "Table Grid"
                header = table.rows[0].cells
                header[0].text = f"[{finding['question']}] {finding['text']}"
                header[1].text, header[2].text, header[3].text = "share judged yes", "yes of judged", "band"
                if region is not None:
                    gap = "" if finding["gap"] is None else f" ({finding['gap']:+.1f} points against the rest)"
                    _row(table, region["label"] + gap, finding["region"])
                    _row(table, "rest of the sample", finding["rest"])
                _row(table, "whole sample", finding["sample"])
                for group_figures in finding["groups"]:
                    _row(table, group_figures["label"], group_figures)
                document.add_paragraph()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
