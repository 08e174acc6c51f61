"""A rule diff as one self-contained HTML page (no scripts, no outside requests; every text escaped)."""

from __future__ import annotations

import html
from typing import Any

from carag_dsl.tools.diff.render import SECTIONS, change_title, description_lines, grouped, partial_note, shorten, subject, witness_json, words

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #e4e4e4; padding: .35rem .5rem; }
code { background: #f4f4f4; padding: 0 .2rem; white-space: pre-wrap; word-break: break-word; }
.none { color: #2e7d32; font-weight: bold; } .moved { color: #b71c1c; font-weight: bold; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def render_html(data: dict[str, Any]) -> str:
    old, new = data["old"], data["new"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>carag diff: {_e(old['path'])} → {_e(new['path'])}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>carag diff: {_e(old['path'])} → {_e(new['path'])}</h1>",
    ]
    if data["exact"] and not data["routes_differently"] and not data["partial"]:
        parts.append('<p class="none">No routing change: every case gets the same questions, case type, derived judgements, exclusion and acceptance.</p>')
    for key, title in SECTIONS:
        if data[key]:
            parts.append(_changes(data[key], key, title, data.get("case_types")))
    note = partial_note(data)
    if note:
        parts.append(f"<p>{_e(note[0])}</p><ul>{''.join(f'<li>{_e(line)}</li>' for line in note[1:])}</ul>")
    parts.append(_declarations(data))
    if "cases" in data:
        parts.append(_cases(data["cases"]))
    parts.append("</body></html>")
    return "\n".join(p for p in parts if p) + "\n"


def _changes(changes: list[dict[str, Any]], kind: str, title: str, every_type: list[str] | None = None) -> str:
    rows = []
    for questions, change in grouped(changes, every_type):
        rows.append(
            f"<tr><td>{_e(change_title(questions, change, kind))}</td><td>{'<br>'.join(_e(line) for line in description_lines(change))}</td>"
            f"<td><code>{_e(witness_json(change['witness']))}</code></td></tr>"
        )
    return (f'<section id="{_e(kind)}"><h2>{_e(title)}</h2><table><thead><tr><th>Change</th><th>When</th><th>For example</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></section>")


def _declarations(data: dict[str, Any]) -> str:
    rows = [f"<tr><td>added</td><td colspan=\"3\">{_e(', '.join(data['added']))}</td></tr>"] if data["added"] else []
    if data["removed"]:
        rows.append(f"<tr><td>removed</td><td colspan=\"3\">{_e(', '.join(data['removed']))}</td></tr>")
    for rename in data["renamed"]:
        rows.append(f"<tr><td>renamed</td><td colspan=\"3\">{_e(rename['old'])} → {_e(rename['new'])} (same text)</td></tr>")
    for edit in data["text"] + data["declarations"] + data["rules"]:
        rows.append(f"<tr><td>{_e(subject(edit))}</td><td>{_e(edit['field'])}</td>"
                    f"<td><code>{_e(shorten(edit['old']))}</code></td><td><code>{_e(shorten(edit['new']))}</code></td></tr>")
    if not rows:
        return ""
    return ('<section id="edits"><h2>Not routing: what was edited</h2><table><thead><tr><th>What</th><th>Field</th><th>Old</th><th>New</th>'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>")


def _cases(cases: dict[str, Any]) -> str:
    parts = [f'<section id="cases"><h2>In the sample ({_e(cases["cases"])} cases)</h2>', _case_block(cases)]
    for group in cases.get("groups", []):
        value = "not known" if group["value"] is None else words(group["value"])
        parts.append(f"<h3>Where {_e(cases['by'])} is {_e(value)} ({_e(group['cases'])} cases)</h3>")
        parts.append(_case_block(group))
    parts.append("</section>")
    return "\n".join(parts)


def _case_block(block: dict[str, Any]) -> str:
    rows = [f"<tr><td>cases that come to something different</td><td>{_e(block['changed_cases'])}</td></tr>",
            f"<tr><td>now rejected / now accepted</td><td>{_e(block['now_rejected'])} / {_e(block['now_accepted'])}</td></tr>"]
    rows.append(f"<tr><td>now excluded / no longer excluded</td><td>{_e(block['now_excluded'])} / {_e(block['no_longer_excluded'])}</td></tr>")
    rows.append("<tr><td>now not known to be inspected / now known to be inspected or excluded</td>"
                f"<td>{_e(block['now_not_known_whether_inspected'])} / {_e(block['no_longer_not_known_whether_inspected'])}</td></tr>")
    for move in block["case_type"]:
        rows.append(f"<tr><td>case type {_e(words(move['from']))} → {_e(words(move['to']))}</td><td>{_e(move['count'])}</td></tr>")
    for entry in block["questions"] + block["judgements"]:
        for move in entry["changes"]:
            rows.append(f"<tr><td>{_e(entry['question'])}: {_e(words(move['from']))} → {_e(words(move['to']))}</td><td>{_e(move['count'])}</td></tr>")
    for entry in block["ratings"]["key_questions"]:
        moved = ' class="moved"' if entry["band_moved"] else ""
        rows.append(f"<tr{moved}><td>{_e(entry['question'])}</td><td>{_e(_band(entry['old']))} → {_e(_band(entry['new']))}</td></tr>")
    for entry in block["ratings"]["standards"]:
        moved = ' class="moved"' if entry["moved"] else ""
        rows.append(f"<tr{moved}><td>standard {_e(entry['standard'])}</td><td>{_e(entry['old'] or 'no band')} → {_e(entry['new'] or 'no band')}</td></tr>")
    return f"<table><tbody>{''.join(rows)}</tbody></table>"


def _band(figures: dict[str, Any] | None) -> str:
    if not figures or figures["percent"] is None:
        return "not judged"
    return f"{figures['percent']:.1f}% {figures['band'] or ''}".rstrip()
