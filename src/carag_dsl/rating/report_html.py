"""The rating report as one self-contained HTML file: tables and a bar chart per key question.

Everything is inline (CSS and SVG; no script, no font, no request leaves the
file), so the report can be mailed, archived and printed as it is. Every chart
is an ``<svg role="img">`` with a title and a description that write the
percentages out, and the same figures follow it in a table, so nothing is
carried by colour or by the picture alone.
"""

from __future__ import annotations

from fractions import Fraction
from html import escape
from typing import TYPE_CHECKING, Any

from carag_dsl.rating.report_text import (
    band_text, left_out_text, plural, rejected_text, ruleset_text, small_sample_text, standard_small_sample,
)
from carag_dsl.rating.report_bulletin import bulletin_rows, left_out, model_note, percent_text, range_text
from carag_dsl.rating.tally import DESCRIPTION, DESCRIPTION_NOTE, cap_notes

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

# Colours of the usual four bands, lowest first (colour-blind safe, dark enough for white text
# is not needed: labels sit beside the bars). Rule sets with more bands reuse them in order.
BAND_COLOURS = ("#c0392b", "#e67e22", "#3a8d3a", "#1f5fa8", "#6b3fa0", "#7f8c8d")

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a;
       background: #fff; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 2px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .4rem; }
p.meta { color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .95rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: .9em; height: .9em; border: 1px solid #555; vertical-align: -.1em; margin-right: .3em; }
figure { margin: .5rem 0 1rem; }
figure svg { width: 100%; height: auto; max-width: 52rem; display: block; }
figcaption { font-size: .9rem; color: #333; }
.note { font-size: .9rem; color: #333; }
dl.about { display: grid; grid-template-columns: max-content auto; gap: .15rem 1rem; margin: .5rem 0 1rem; }
dl.about dt { font-weight: 600; }
dl.about dd { margin: 0; }
.caveat { font-style: italic; color: #7a3b00; }
td.significant { background: #c9c9c9; font-weight: 600; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  figure, table, section.question { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def render_html(ruleset: "CheckedRules", rated: dict[str, Any], source: str | None = None) -> str:
    """The whole report for a rating (the JSON shape of :func:`carag_dsl.rating.rate`)."""
    bands = list(ruleset.symbols.bands.bands) if ruleset.symbols.bands else []
    colours = {band.name: BAND_COLOURS[i % len(BAND_COLOURS)] for i, band in enumerate(bands)}
    blocks = [("All cases", rated)] + [(group_title(g), g) for g in rated["groups"]]
    small = any(_has_small_sample(block) for _, block in blocks)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(DESCRIPTION)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{escape(DESCRIPTION)}</h1>",
        f'<p class="meta">{escape(DESCRIPTION_NOTE)}</p>',
        _about(rated, source),
        _bands_table(bands, colours),
        '<p class="note">For each key question, the percentage is the share of the cases where the question applied and was '
        "judged that were judged &lsquo;yes&rsquo;. Its band is decided on the exact figure; percentages are shown rounded to one "
        "decimal place. A standard takes the lowest band of its key questions; a cap can then lower it further.</p>",
        f'<p class="note caveat" id="small-sample"><strong>(small sample)</strong>: {escape(small_sample_text(rated))}.</p>' if small else "",
        "<h2>Standards</h2>",
        _standards_table(ruleset, blocks),
        "<h2>Key questions</h2>",
    ]
    for index, question_id in enumerate(rated["key_questions"]):
        parts.append(_question_section(ruleset, question_id, index, blocks, bands, colours))
    parts.append(_scores_section(rated))
    if rated.get("by") or set(rated.get("questions", {})) != set(rated["key_questions"]):
        parts.append(_bulletin_section(ruleset, rated))
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def group_title(group: dict[str, Any]) -> str:
    """'sentence: Post-sentence supervision': the group's value by its declared label."""
    return f"{group['by']}: {group['label']}"


def _has_small_sample(block: dict[str, Any]) -> bool:
    return block.get("small_sample", False) or any(entry["small_sample"] for entry in block["key_questions"].values())


def _about(rated: dict[str, Any], source: str | None) -> str:
    """Which rules, when, from what, and what became of every case read: rated, excluded (why), rejected (where)."""
    counts = rated["counts"]
    rows = [("Rules", ruleset_text(rated["ruleset"])), ("Date", rated["date"] or "not given")]
    if source:
        rows.append(("Cases from", source))
    rows.append(("Cases read", f"{counts['read']:,}"))
    rows.append(("Cases rated", f"{counts['rated']:,}"))
    excluded = f"{counts['excluded']:,}"
    if counts["excluded_by_reason"]:
        excluded += ": " + "; ".join(f"{n:,} {reason}" for reason, n in counts["excluded_by_reason"].items())
    rows.append(("Cases excluded", excluded))
    if counts.get("not_known_whether_inspected"):
        rows.append(("Cases not known whether inspected", f"{counts['not_known_whether_inspected']:,}"))
    rows.append(("Cases rejected", rejected_text(counts)))
    if rated["groups"]:
        rows.append(("Broken down by", ", ".join(rated.get("by") or [rated["groups"][0]["by"]])))
    items = "".join(f"<dt>{escape(name)}</dt><dd>{escape(text)}</dd>" for name, text in rows)
    return f'<dl class="about" aria-label="About this report">{items}</dl>'


def band_range_text(bands: list, index: int) -> str:
    """"50% up to 65%" (the upper bound not included), "80% and above", "below 50%"."""
    lower = bands[index].lower_percent
    if index + 1 == len(bands):
        return f"{lower}% and above"
    upper = bands[index + 1].lower_percent
    if Fraction(lower) == 0:
        return f"below {upper}%"
    return f"{lower}% up to {upper}% (not included)"


def _bands_table(bands: list, colours: dict[str, str]) -> str:
    if not bands:
        return '<p class="note">This rule set declares no bands.</p>'
    rows = "".join(
        f'<tr><td><span class="swatch" style="background:{colours[band.name]}" aria-hidden="true"></span>{escape(band.name)}</td>'
        f"<td>{escape(band_range_text(bands, i))} judged &lsquo;yes&rsquo;</td></tr>"
        for i, band in enumerate(bands)
    )
    return f"<table><caption>Bands</caption><thead><tr><th scope=\"col\">Band</th><th scope=\"col\">Share of cases</th></tr></thead><tbody>{rows}</tbody></table>"


def _standards_table(ruleset: "CheckedRules", blocks: list[tuple[str, dict[str, Any]]]) -> str:
    names = list(blocks[0][1]["standards"])
    if not names:
        return '<p class="note">This rule set declares no standards.</p>'
    head = "".join(f'<th scope="col">{escape(title)} ({escape(_cases_words(block))})</th>' for title, block in blocks)
    notes = [cap_notes(ruleset, block) for _, block in blocks]
    rows = []
    for name in names:
        cells = []
        for (_, block), block_notes in zip(blocks, notes):
            entry = block["standards"][name]
            if entry.get("rated_by") == "average":
                score = "no score: no question judged" if entry["score"] is None else f"score {entry['score']:.1f}%"
                cells.append(f"<td>{escape(score)}{'<br><small>' + escape(entry['band']) + '</small>' if entry['band'] else ''}</td>")
                continue
            if entry["band"] is None:
                cells.append("<td>no band: no key question was judged</td>")
                continue
            text = f"<strong>{escape(entry['band'])}</strong>"
            if standard_small_sample(block, entry):
                text += ' <span class="caveat">(small sample)</span>'
            text += f"<br><small>lowest: {escape(entry['lowest'])}</small>"
            for note in block_notes.get(name, []):
                text += f"<br><small>{escape(note)}</small>"
            cells.append(f"<td>{text}</td>")
        rows.append(f'<tr><th scope="row">{escape(name)}</th>{"".join(cells)}</tr>')
    return f'<table><caption>The band of each standard</caption><thead><tr><th scope="col">Standard</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _scores_section(rated: dict[str, Any]) -> str:
    """Each score ('rated by average of') with its range across the groups of each --by, as 2014 printed them."""
    rows = []
    for name, entry in rated["standards"].items():
        if entry.get("rated_by") != "average":
            continue
        score = "&ndash;" if entry["score"] is None else f"{entry['score']:.1f}%"
        ranges = "; ".join(f"{escape(by)}: {escape(range_text(found))}" for by, found in entry["ranges"].items()) or "&ndash;"
        rows.append(f'<tr><th scope="row">{escape(name)}</th><td class="num">{score}</td>'
                    f'<td class="num">{entry["questions_judged"]}</td><td>{ranges}</td></tr>')
    if not rows:
        return ""
    return ('<h2>Scores</h2><p class="note">Each score is the average, over its questions judged in at least one case, of '
            "the share of cases judged &lsquo;yes&rsquo;; the range is the lowest and the highest group&rsquo;s score.</p>"
            '<table><caption>Scores and their range across groups</caption><thead><tr><th scope="col">Score</th>'
            '<th scope="col">All cases</th><th scope="col">Questions judged</th><th scope="col">Range (lowest to highest group)</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _bulletin_section(ruleset: "CheckedRules", rated: dict[str, Any]) -> str:
    """One table per chosen question in the Bulletin's layout: N, n, %, by characteristic; significant cells shaded."""
    parts = ["<h2>Positive judgements by characteristic</h2>",
             '<p class="note">N: cases judged; n: judged &lsquo;yes&rsquo;; %: their share. Cases whose characteristic is '
             "not known have no row. Shaded (and marked *): significant at p &lt; 0.05 in the question&rsquo;s model.</p>"]
    for question_id in rated["questions"]:
        question = ruleset.questions.get(question_id)
        caption = escape(question_id) + (f": {escape(question.text)}" if question is not None and question.text else "")
        body = []
        previous = None
        for row in bulletin_rows(rated, question_id):
            head = "All cases" if not row.by else (row.by if row.by != previous else "")
            previous = row.by
            shade = ' significant' if row.significant else ''
            mark = ' <span aria-label="significant">*</span>' if row.significant else ""
            body.append(f'<tr><th scope="row">{escape(head)}</th><td>{escape(row.label if row.by else "")}</td>'
                        f'<td class="num">{row.n_judged:,}</td><td class="num{shade}">{row.n_yes:,}</td>'
                        f'<td class="num{shade}">{escape(percent_text(row.percent))}{mark}</td></tr>')
        notes = []
        missing = left_out(rated, question_id)
        if missing:
            notes.append("Not known (no row): " + ", ".join(f"{by} {n:,}" for by, n in missing.items()) + ".")
        note = model_note(rated, question_id)
        if note:
            notes.append(note)
        parts.append(
            f'<table class="bulletin"><caption>{caption}</caption><thead><tr><th scope="col"></th><th scope="col"></th>'
            f'<th scope="col">N</th><th scope="col">n</th><th scope="col">%</th></tr></thead><tbody>{"".join(body)}</tbody></table>'
            + "".join(f'<p class="note">{escape(text)}</p>' for text in notes))
    return "\n".join(parts)


def _cases_words(block: dict[str, Any]) -> str:
    text = plural(block["cases"], "case")
    if block.get("excluded"):  # a group's cases not inspected (the whole sample's are counted above)
        text += f", {block['excluded']:,} excluded"
    return text + (", small sample" if block.get("small_sample") else "")


def _figure_words(entry: dict[str, Any]) -> str:
    if entry["percent"] is None:
        return "no case judged, so no percentage and no band"
    return f"{entry['percent']:.1f}% ({entry['n_yes']} of {entry['n_judged']} judged yes), {band_text(entry, '')}"


def _question_section(ruleset: "CheckedRules", question_id: str, index: int, blocks, bands: list, colours: dict[str, str]) -> str:
    question = ruleset.questions.get(question_id)
    heading = escape(question_id) + (f": {escape(question.text)}" if question and question.text else "")
    rows = []
    for title, block in blocks:
        entry = block["key_questions"][question_id]
        percent = "" if entry["percent"] is None else f"{entry['percent']:.1f}%"
        rows.append(
            f'<tr><th scope="row">{escape(title)}</th><td class="num">{entry["n_judged"]}</td><td class="num">{entry["n_yes"]}</td>'
            f'<td class="num">{percent or "&ndash;"}</td><td>{escape(band_text(entry, "no band (judged in no case)"))}</td></tr>'
        )
    table = (
        f'<table><caption>{escape(question_id)}: the figures</caption><thead><tr><th scope="col">Cases</th><th scope="col">Judged</th>'
        f'<th scope="col">Yes</th><th scope="col">Yes %</th><th scope="col">Band</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )
    left_out = blocks[0][1]["key_questions"][question_id].get("left_out")
    note = f'<p class="note left-out">{escape(left_out_text(ruleset, question_id, left_out))}.</p>' if left_out else ""
    return (
        f'<section class="question" aria-labelledby="q{index}-heading">'
        f'<h3 id="q{index}-heading">{heading}</h3>'
        f"<figure>{bar_chart_svg(question_id, index, blocks, bands, colours)}"
        f"<figcaption>Share of cases judged &lsquo;yes&rsquo; for {escape(question_id)}; the dashed lines are the band boundaries.</figcaption></figure>"
        f"{table}{note}</section>"
    )


# ---------------------------------------------------------------- the chart

# Room on the left for a subgroup's label ("sentence: Post-sentence supervision") and on the right for a
# figure with its band in full and its caveat ("57.1%  4/7  Requires improvement (small sample)").
LABEL_WIDTH, PLOT_LEFT, PLOT_WIDTH, TEXT_GAP, WIDTH = 250, 260, 380, 10, 1000
LABEL_CHARS = 38  # longer subgroup labels are shortened in the chart (the table below it has them in full)
ROW_HEIGHT, BAR_HEIGHT, BOTTOM = 30, 18, 28
#: Above the plot: the boundary percentages, then the band names in as many rows as they need.
PERCENT_ROW, NAME_ROW, NAME_CHAR_WIDTH = 22, 14, 6  # NAME_CHAR_WIDTH: a generous width of a 10px character


def band_name_rows(bands: list) -> list[int]:
    """The row of each band name: the first row where it clears the name before it, so none is cut or overlapped."""
    ends: list[float] = []  # where the last name of each row ends
    rows = []
    for band in bands:
        start = _x(Fraction(band.lower_percent)) + 3
        row = next((r for r, end in enumerate(ends) if end + 6 <= start), len(ends))
        if row == len(ends):
            ends.append(0)
        ends[row] = start + len(band.name) * NAME_CHAR_WIDTH
        rows.append(row)
    return rows


def _x(percent: Fraction | float) -> float:
    return round(PLOT_LEFT + float(percent) * PLOT_WIDTH / 100, 2)


def bar_chart_svg(question_id: str, index: int, blocks, bands: list, colours: dict[str, str]) -> str:
    """Horizontal bars (one per block: all cases, then each group) over tinted band regions, thresholds dashed."""
    name_rows = band_name_rows(bands)
    top = PERCENT_ROW + NAME_ROW * (max(name_rows, default=0) + 1) + 6
    height = top + ROW_HEIGHT * len(blocks) + BOTTOM
    plot_bottom = top + ROW_HEIGHT * len(blocks)
    title_id, desc_id = f"chart{index}-title", f"chart{index}-desc"
    description = "; ".join(f"{title}: {_figure_words(block['key_questions'][question_id])}" for title, block in blocks)
    svg = [
        f'<svg class="chart" role="img" aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, Arial, sans-serif" font-size="12">',
        f'<title id="{title_id}">{escape(question_id)}: share of cases judged yes</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    # Band regions, lightly tinted, and their boundaries.
    for i, band in enumerate(bands):
        start = Fraction(band.lower_percent)
        end = Fraction(bands[i + 1].lower_percent) if i + 1 < len(bands) else Fraction(100)
        svg.append(f'<rect x="{_x(start)}" y="{top}" width="{round(_x(end) - _x(start), 2)}" height="{plot_bottom - top}" '
                   f'fill="{colours[band.name]}" fill-opacity="0.10"/>')
    for band in bands[1:]:
        x = _x(Fraction(band.lower_percent))
        svg.append(f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{plot_bottom}" stroke="#333" stroke-dasharray="4 3" stroke-width="1"/>')
        svg.append(f'<text x="{x}" y="{PERCENT_ROW - 8}" text-anchor="middle" font-size="11" fill="#333">{escape(band.lower_percent)}%</text>')
    # Band names in full, a long one ("Requires improvement") in a row of its own where it would run into its neighbour.
    for band, name_row in zip(bands, name_rows):
        x = _x(Fraction(band.lower_percent))
        name_y = PERCENT_ROW + NAME_ROW * (name_row + 1) - 2
        svg.append(f'<text class="band-name" x="{x + 3}" y="{name_y}" font-size="10" fill="#333">{escape(band.name)}</text>')
    # Axis.
    svg.append(f'<line x1="{PLOT_LEFT}" y1="{plot_bottom}" x2="{_x(100)}" y2="{plot_bottom}" stroke="#333"/>')
    svg.append(f'<line x1="{PLOT_LEFT}" y1="{top}" x2="{PLOT_LEFT}" y2="{plot_bottom}" stroke="#333"/>')
    for tick in range(0, 101, 20):
        x = _x(tick)
        svg.append(f'<line x1="{x}" y1="{plot_bottom}" x2="{x}" y2="{plot_bottom + 4}" stroke="#333"/>')
        svg.append(f'<text x="{x}" y="{plot_bottom + 16}" text-anchor="middle" font-size="11" fill="#333">{tick}%</text>')
    # One bar per block.
    for row, (title, block) in enumerate(blocks):
        entry = block["key_questions"][question_id]
        y = top + row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        middle = y + BAR_HEIGHT / 2 + 4
        svg.append(f'<text x="{LABEL_WIDTH}" y="{middle}" text-anchor="end" fill="#1a1a1a">{escape(_clip(title, LABEL_CHARS))}</text>')
        if entry["percent"] is None:
            svg.append(f'<text x="{PLOT_LEFT + 6}" y="{middle}" fill="#555" font-style="italic">no case judged</text>')
            continue
        exact = Fraction(100 * entry["n_yes"], entry["n_judged"])
        width = round(float(exact) * PLOT_WIDTH / 100, 2)
        colour = colours.get(entry["band"], "#555")
        svg.append(f'<rect class="bar" x="{PLOT_LEFT}" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{colour}" stroke="#222" stroke-width="0.5"/>')
        label = f"{entry['percent']:.1f}%  {entry['n_yes']}/{entry['n_judged']}  {band_text(entry, '')}"
        svg.append(f'<text x="{_x(100) + TEXT_GAP}" y="{middle}" fill="#1a1a1a">{escape(label)}</text>')
    svg.append("</svg>")
    return "".join(svg)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
