"""A rule diff for people: plain text for the terminal, Markdown for a pull request.

Both read the JSON-ready data of :meth:`RuleDiff.to_dict` (so every output
says the same), and both group the questions whose status changes the same
way in the same region, since one edit (a case-type rule) moves many
questions at once.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any, Callable

from carag_dsl.analysis.describe import also_missing

STATUS_WORDS = {"applies": "applies", "not_applicable": "not applicable", "pending": "pending"}
MAX_TEXT = 160  # characters of an edited text shown before it is cut short
MAX_LINES = 6  # lines that describe one change (its cause, kinds of case, missing facts)
LINE_WIDTH = 150  # characters of a line of a description, before its indent


def words(value: Any) -> str:
    """A status, answer or case type as people say it; None as "none"."""
    if value is None:
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    return STATUS_WORDS.get(value, str(value))


def witness_json(case: dict[str, Any]) -> str:
    return json.dumps({"facts": case["facts"], "answers": case["answers"]}, ensure_ascii=False)


def grouped(changes: list[dict[str, Any]], every_type: list[str] | None = None) -> list[tuple[list[str], dict[str, Any]]]:
    """Changes that differ only in the question or the new case type, gathered: ([question ids], the first change
    with ``case_types``, the new case types it holds for, in order, "not known yet" for a type not known; just
    ["any"] when that is every one of ``every_type`` and not known yet)."""
    def said(change: dict[str, Any]) -> tuple:
        return (words(change["from"]), words(change["to"]), change["condition"], change.get("message"),
                change.get("cause"), tuple(change.get("also_missing") or ()))

    by_question: dict[tuple, dict[str, Any]] = {}  # the same change of one question in several case types: one
    for change in changes:
        kept = by_question.setdefault((change["question"], *said(change)), {**change, "case_types": []})
        kept["case_types"].append(change["case_type"] or ("not known yet" if change.get("case_type_not_known") else None))
    everything = set(every_type or ()) | {"not known yet"}
    groups: dict[tuple, tuple[list[str], dict[str, Any]]] = {}
    for change in by_question.values():
        if every_type and set(change["case_types"]) == everything:
            change["case_types"] = ["any"]
        key = (*said(change), tuple(t or "" for t in change["case_types"]))
        groups.setdefault(key, ([], change))[0].append(change["question"])
    return list(groups.values())


def shorten(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        text = "; ".join(value)
    else:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _headline(data: dict[str, Any]) -> str:
    def name(side: dict[str, Any]) -> str:
        version = f" version {side['version']}" if side.get("version") else ""
        return f"{side['path']}{version}"

    return f"{name(data['old'])} -> {name(data['new'])}"


def _inspection_move(before: str, after: str) -> str:
    """How a change of whether cases are inspected reads ('now excluded', 'no longer excluded', ...)."""
    if before == "inspected":
        return "now excluded" if after == "excluded" else "now not known to be inspected"
    if before == "excluded":
        return "no longer excluded" if after == "inspected" else "no longer excluded but not known to be inspected"
    return f"now {after}, where it was not known"


def change_title(questions: list[str], change: dict[str, Any], kind: str) -> str:
    moved = f"{words(change['from'])} -> {words(change['to'])}"
    if kind == "case_type":
        return f"case type {change['from'] or 'not known'} -> {change['to'] or 'not known'}"
    if kind == "exclusions":
        return f"cases {_inspection_move(change['from'], change['to'])}" + (f" ({change['message']})" if change.get("message") else "")
    if kind == "constraints":
        return f"cases {'now rejected' if change['to'] == 'rejected' else 'now accepted'}" + (f" ({change['message']})" if change.get("message") else "")
    subject = ", ".join(questions)
    where = _case_types_words([t for t in change.get("case_types", [change.get("case_type")]) if t])
    if kind == "judgements":
        return f"{subject}: derived answer {moved}{where}"
    return f"{subject}: {moved}{where}"


def _case_types_words(types: list[str]) -> str:
    if not types:
        return ""
    if types == ["not known yet"]:
        return " (case type not known yet)"
    if types == ["any"]:
        return " (any case type)"
    listed = types[0] if len(types) == 1 else ", ".join(types[:-1]) + " or " + types[-1]
    return f" (new case type: {listed})"


SECTIONS = (
    ("routing", "Routing: where questions apply differently"),
    ("case_type", "Case type"),
    ("judgements", "Derived judgements"),
    ("exclusions", "Cases excluded from inspection"),
    ("constraints", "Cases rejected or accepted"),
)


_CODE_START, _CODE_END = "\ue000", "\ue001"  # private-use characters around code while a line is built


class _Writer:
    """The one layout, written as text or as Markdown.

    Markdown renders HTML, and the rules' texts are the authors' (a guidance may hold ``<img onerror=...>``):
    so in Markdown every line is escaped (``& < >`` as entities) outside code spans, and a code span is
    fenced with more backticks than it holds, so nothing it carries can end it.
    """

    def __init__(self, markdown: bool):
        self.markdown = markdown
        self.lines: list[str] = []

    def heading(self, text: str, level: int = 2) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.lines.append(("#" * level + " " + self._safe(text)) if self.markdown else text)
        if self.markdown:
            self.lines.append("")

    def item(self, text: str, depth: int = 0) -> None:
        self.lines.append(("  " * depth + "- " + self._safe(text)) if self.markdown else ("  " * (depth + 1) + text))

    def code(self, text: str) -> str:
        if not self.markdown:
            return text
        return _CODE_START + text.replace(_CODE_START, "").replace(_CODE_END, "") + _CODE_END

    def text(self, line: str) -> None:
        self.lines.append(self._safe(line) if self.markdown else line)

    @staticmethod
    def _safe(line: str) -> str:
        """A Markdown line: text outside code escaped, each code span fenced so it cannot be closed early."""
        parts = []
        for number, piece in enumerate(line.replace(_CODE_END, _CODE_START).split(_CODE_START)):
            if number % 2:  # inside code
                longest = max((len(run) for run in re.findall("`+", piece)), default=0)
                fence = "`" * (longest + 1)
                pad = " " if piece.startswith("`") or piece.endswith("`") else ""
                parts.append(f"{fence}{pad}{piece}{pad}{fence}")
            else:
                parts.append(html.escape(piece, quote=False))
        return "".join(parts)


def render_text(data: dict[str, Any]) -> str:
    return _render(data, _Writer(markdown=False))


def render_markdown(data: dict[str, Any]) -> str:
    return _render(data, _Writer(markdown=True))


def _render(data: dict[str, Any], out: _Writer) -> str:
    out.heading(f"carag diff: {_headline(data)}", 1)
    if not data["exact"] and not data["not_analysed"]:
        out.text("The case space was not analysed (--no-exact): only the declarations are compared.")
    elif not data["routes_differently"] and not data.get("partial"):
        out.text("No routing change: every case gets the same questions, case type, derived judgements, exclusion and acceptance.")
    for key, title in SECTIONS:
        if data[key]:
            _changes(out, data[key], key, title, data.get("case_types"))
    for number, line in enumerate(partial_note(data)):
        (out.text if number == 0 else out.item)(line)
    _declarations(out, data)
    if "cases" in data:
        _cases(out, data["cases"])
    return "\n".join(out.lines) + "\n"


_TARGET_WORDS = {"status": "routing of", "value": "derived answer of"}
_SHOWN_TARGETS = 8


def partial_note(data: dict[str, Any]) -> list[str]:
    """What the exact analysis could not finish (a headline, then one line per reason), or nothing."""
    entries = data.get("not_analysed_exactly") or []
    if not entries:
        return []
    by_reason: dict[str, list[str]] = {}
    for entry in entries:
        kind, _, question = entry["target"].partition(":")
        by_reason.setdefault(entry["reason"], []).append(f"{_TARGET_WORDS[kind]} {question}" if question else kind.replace("_", " "))
    count = len(entries)
    lines = [f"Partial: {count} comparison{'s' if count != 1 else ''} could not be analysed exactly; compared instead over "
             f"{data['sampled_cases']} sampled cases, which can show a change (marked \"found by sampling\") but cannot prove there is none."]
    for reason, targets in by_reason.items():
        more = len(targets) - _SHOWN_TARGETS
        lines.append(", ".join(targets[:_SHOWN_TARGETS]) + (f" and {more} more" if more > 0 else "") + f": {reason}")
    return lines


def _changes(out: _Writer, changes: list[dict[str, Any]], kind: str, title: str, every_type: list[str] | None = None) -> None:
    gathered = grouped(changes, every_type)
    count = len({c["question"] for c in changes}) if kind in ("routing", "judgements") else len(changes)
    unit = "question" if kind in ("routing", "judgements") else "change"
    out.heading(f"{title} ({count} {unit}{'s' if count != 1 else ''})")
    for questions, change in gathered:
        out.item(change_title(questions, change, kind))
        for line in description_lines(change, width=10_000 if out.markdown else LINE_WIDTH):
            if out.markdown and line.startswith("- "):  # a kind of case: an item of its own, one level down
                out.item(line[2:], 2)
            else:
                out.item(line, 1)
        out.item(f"for example {out.code(witness_json(change['witness']))}", 1)


def description_lines(change: dict[str, Any], most: int = MAX_LINES, width: int = LINE_WIDTH) -> list[str]:
    """A change for people, in at most ``most`` lines of at most ``width`` characters: its cause, its kinds of
    case one per bullet (a long one goes on over lines at its 'and's), as many as fit and then how many more,
    and the facts whose absence brings in the cases the kinds leave out."""
    head = [change["cause"]] if change.get("cause") else []
    tail = [also_missing(tuple(change["also_missing"]))] if change.get("also_missing") else []
    kinds = change.get("kinds") or [change["condition"]]
    room = most - len(head) - len(tail)
    body: list[str] = []
    for number, kind in enumerate(kinds):
        lines = _wrapped(("- " if len(kinds) > 1 else "when ") + kind, width)
        left = len(kinds) - number - 1
        if len(body) + len(lines) + (1 if left else 0) > room:
            shown_more = len(kinds) - number
            body.append(f"- and {shown_more} more kind{'s' if shown_more != 1 else ''} of case" if body else f"- {shown_more} kinds of case (see --format json)")
            break
        body += lines
    return head + body + tail


def _wrapped(text: str, width: int) -> list[str]:
    """A kind of case over as many lines as it needs, each break before an 'and'."""
    lines: list[str] = []
    while len(text) > width and " and " in text[:width]:
        cut = text.rindex(" and ", 0, width)
        lines.append(text[:cut])
        text = "  " + text[cut + 1:]
    return lines + [text]


def _declarations(out: _Writer, data: dict[str, Any]) -> None:
    if data["added"] or data["removed"] or data["renamed"] or data["text"] or data["declarations"]:
        out.heading("Not routing: what was edited")
    if data["added"]:  # (the heading above is written when any of these is there)
        out.item("added: " + ", ".join(data["added"]))
    if data["removed"]:
        out.item("removed: " + ", ".join(data["removed"]))
    for rename in data["renamed"]:
        out.item(f"renamed: {rename['old']} -> {rename['new']} (same text)")
    for edit in data["text"] + data["declarations"]:
        out.item(f"{subject(edit)} {edit['field']}: {_edit(out, edit)}")
    if data["rules"]:
        out.heading("Rules edited (what they do is listed above)", 2)
        for edit in data["rules"]:
            out.item(f"{subject(edit)} {edit['field']}: {_edit(out, edit)}")


def subject(edit: dict[str, Any]) -> str:
    """What an edit is to: a question id, or the kind and name of another declaration."""
    if "question" in edit:
        return str(edit["question"])
    return f"{edit['kind']} {edit['name']}" if edit["name"] else edit["kind"]


def _edit(out: _Writer, edit: dict[str, Any]) -> str:
    if edit["old"] is None or edit["old"] == [] or edit["old"] == {}:
        return f"set to {out.code(shorten(edit['new']))}"
    if edit["new"] is None or edit["new"] == [] or edit["new"] == {}:
        return f"removed (was {out.code(shorten(edit['old']))})"
    return f"{out.code(shorten(edit['old']))} -> {out.code(shorten(edit['new']))}"


def _cases(out: _Writer, cases: dict[str, Any]) -> None:
    out.heading(f"In the sample ({cases['cases']} case{'s' if cases['cases'] != 1 else ''})")
    _case_block(out, cases, 0)
    for group in cases.get("groups", []):
        value = "not known" if group["value"] is None else words(group["value"])
        out.heading(f"Where {cases['by']} is {value} ({group['cases']} case{'s' if group['cases'] != 1 else ''})", 3)
        _case_block(out, group, 0)


def _case_block(out: _Writer, block: dict[str, Any], depth: int) -> None:
    out.item(f"{block['changed_cases']} case{'s' if block['changed_cases'] != 1 else ''} come to something different", depth)
    if block["now_rejected"] or block["now_accepted"]:
        out.item(f"{block['now_rejected']} now rejected, {block['now_accepted']} now accepted", depth)
    if block["now_excluded"] or block["no_longer_excluded"]:
        out.item(f"{block['now_excluded']} now excluded from inspection, {block['no_longer_excluded']} no longer excluded", depth)
    if block["now_not_known_whether_inspected"] or block["no_longer_not_known_whether_inspected"]:
        out.item(f"{block['now_not_known_whether_inspected']} now not known to be inspected, "
                 f"{block['no_longer_not_known_whether_inspected']} now known to be inspected or excluded", depth)
    for move in block["case_type"]:
        out.item(f"case type {words(move['from'])} -> {words(move['to'])}: {move['count']}", depth)
    for entry in block["questions"]:
        moves = ", ".join(f"{words(m['from'])} -> {words(m['to'])}: {m['count']}" for m in entry["changes"])
        out.item(f"{entry['question']}: {moves}", depth)
    for entry in block["judgements"]:
        moves = ", ".join(f"{words(m['from'])} -> {words(m['to'])}: {m['count']}" for m in entry["changes"])
        out.item(f"{entry['question']} derived answer: {moves}", depth)
    ratings = block["ratings"]
    for entry in ratings["key_questions"]:
        out.item(f"{entry['question']}: {_figures(entry['old'])} -> {_figures(entry['new'])}" + ("  (band moves)" if entry["band_moved"] else ""), depth)
    for entry in ratings["standards"]:
        out.item(f"standard {entry['standard']}: {entry['old'] or 'no band'} -> {entry['new'] or 'no band'}" + ("  (band moves)" if entry["moved"] else ""), depth)


def _figures(figures: dict[str, Any] | None) -> str:
    if not figures or figures["percent"] is None:
        return "not judged"
    return f"{figures['percent']:.1f}% of {figures['n_judged']} {figures['band'] or ''}".rstrip()


RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {"text": render_text, "markdown": render_markdown}
