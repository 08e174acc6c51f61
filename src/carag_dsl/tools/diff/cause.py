"""Which edit makes a difference: the changed declarations a result reads, in the words of the edit.

A question's status reads its ``applies`` rule, the defined names and the case type that rule reads, and
so on down to the facts; a derived judgement reads its ``derive`` rules too. The edits of the rules
(:func:`~.declarations.rule_edits`) and of the facts' options are matched against everything a result
reads in either version's dependency graph, so a routing change is told with its cause: "because
suspended_within_eight_weeks now reads `start_date + 84 days`, not `start_date + 56 days`".
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Iterable

from carag_dsl.compiler.graph import CASE_TYPE_NODE, expression_inputs, question_node
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.tools.diff.declarations import FieldEdit

_TOKEN = re.compile(r"\[[^\]]*\]|[\w.-]+|\S")
_SHOWN = 40  # characters of each side of an edit quoted in a cause, so the line stays under 160
_WHOLE = 24  # a side longer than this is quoted by the words that differ


def edit_node(edit: FieldEdit) -> str | None:
    """The dependency-graph node an edit is to (None for edits no node stands for)."""
    if edit.subject == "question" and edit.name is not None:
        return question_node(edit.name)
    if edit.subject == "case type":
        return CASE_TYPE_NODE
    if edit.subject in ("define", "fact") and edit.name is not None:
        return f"{edit.subject}:{edit.name}"
    return None


def _can_route(edit: FieldEdit) -> bool:
    """Whether an edit can change what a case comes to (a fact's meaning or a define's, a message, cannot)."""
    if edit.subject == "fact":
        return edit.field in ("type", "declared")
    if edit.subject == "define":
        return edit.field == "expression"
    return edit.subject in ("question", "case type", "exclusion", "constraint") and edit.field != "message"


def causes(target: str, edits: Iterable[FieldEdit], versions: tuple[CheckedRules, CheckedRules]) -> list[FieldEdit]:
    """The edits a result reads: ``target`` is ``status:ID``, ``value:ID``, ``case_type``, ``exclusions`` or ``constraints``."""
    edits = [e for e in edits if _can_route(e)]
    import networkx as nx  # the graph's own library: imported when a diff has changes to explain

    if target in ("exclusions", "constraints"):
        # What accepts or excludes a case: its own rules, what their conditions read, and for acceptance the
        # facts' options (a value only one version declares) and the overrides (answers that contradict).
        kind = "exclusion" if target == "exclusions" else "constraint"
        own = [e for e in edits if e.subject == kind]
        starts: set[str] = set()
        for rules in versions:
            conditions = [x.condition for x in rules.symbols.exclusions] if kind == "exclusion" else [c.expr for c in rules.symbols.constraints]
            for condition in conditions:
                starts |= set(expression_inputs(condition, rules.symbols))
            if kind == "constraint":  # an answer the derive rules or the overrides contradict is rejected too
                starts |= {question_node(q) for q, d in rules.symbols.questions.items() if d.derive} | {CASE_TYPE_NODE}
        reads = set(starts)
        for rules in versions:
            reads |= {a for n in starts if n in rules.graph for a in nx.ancestors(rules.graph, n)}
        also = {"fact"} if kind == "constraint" else set()
        return own + [e for e in edits if e not in own and (edit_node(e) in reads or e.subject in also)]
    node = CASE_TYPE_NODE if target == "case_type" else question_node(target.split(":", 1)[1])
    reads = {node}
    for rules in versions:
        if node in rules.graph:
            reads |= nx.ancestors(rules.graph, node)
    found = [e for e in edits if edit_node(e) in reads]
    # A question's own rule edit first, then what it reads, in the order the edits are listed.
    return sorted(found, key=lambda e: edit_node(e) != node)


def cause_text(edits: list[FieldEdit]) -> str | None:
    """``because ...`` for the first edit, and how many more there are."""
    if not edits:
        return None
    first = edits[0]
    more = f" (+{len(edits) - 1} more edit{'s' if len(edits) != 2 else ''} it reads)" if len(edits) > 1 else ""
    return f"because {_subject(first)} {_change_words(first.old, first.new)}{more}"


def _subject(edit: FieldEdit) -> str:
    if edit.subject == "question":
        return f"{edit.name}'s {edit.field} rule"
    if edit.subject == "define":
        return str(edit.name)
    if edit.subject == "fact":
        return f"fact {edit.name}'s {edit.field}"
    singular = {"rules": "rule", "overrides": "override"}.get(edit.field, edit.field)
    return f"the {edit.subject} {singular}"


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(_text(v) for v in value.values() if v)
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return "" if value is None else " ".join(str(value).split())


def _options(value: Any) -> list[str] | None:
    """The option codes of a declared type (``{"kind": "one", "options": ['pss "Post-sentence supervision"', ...]}``)."""
    if isinstance(value, dict) and isinstance(value.get("options"), list):
        return [str(option).split(" ", 1)[0] for option in value["options"]]
    return None


def _change_words(old: Any, new: Any) -> str:
    old_options, new_options = _options(old), _options(new)
    if old_options is not None and new_options is not None:
        gone = [o for o in old_options if o not in new_options]
        came = [o for o in new_options if o not in old_options]
        if gone or came:
            return "now has " + " and ".join(([f"option {', '.join(came)}"] if came else []) + ([f"no option {', '.join(gone)}"] if gone else []))
    before, after = _text(old), _text(new)
    if not before:
        return f"is new: `{_cut(after)}`"
    if not after:
        return f"is removed (it read `{_cut(before)}`)"
    if len(before) > _WHOLE or len(after) > _WHOLE:  # the words that differ, not the whole rule again
        before, after = _differing(before, after)
    return f"now reads `{_cut(after)}` (was `{_cut(before)}`)"


def _differing(before: str, after: str) -> tuple[str, str]:
    """The words that differ, with a word of context either side, marked '…' where text is left out."""
    a, b = list(_TOKEN.finditer(before)), list(_TOKEN.finditer(after))
    matcher = difflib.SequenceMatcher(a=[m.group() for m in a], b=[m.group() for m in b], autojunk=False)
    blocks = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if not blocks:
        return before, after

    def piece(text: str, tokens: list, start: int, end: int) -> str:
        start, end = max(start - 1, 0), min(end + 1, len(tokens))  # a word of context either side
        if start >= end:
            return "nothing"
        quoted = text[tokens[start].start(): tokens[end - 1].end()]
        return ("… " if start > 0 else "") + quoted + (" …" if end < len(tokens) else "")

    first = blocks[0]  # the first difference, with its context; "…" says where text is left out
    return piece(before, a, first[1], first[2]), piece(after, b, first[3], first[4])


def _cut(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
