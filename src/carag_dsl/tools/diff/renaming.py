"""A rule set with some questions given new ids, so two versions name the same question alike.

The shared case space (:mod:`carag_dsl.analysis`) matches the answers of two
rule sets by question id. When a question is renamed (same text, new id) the
old rule set is recompiled with the new ids, in its declarations and in every
``[ID]`` its rules read, so the renamed question's answer is one input of both.
Test blocks are left out: they route nothing.
"""

from __future__ import annotations

from typing import Any, Mapping

import attrs

from carag_dsl.compiler.ruleset import CheckedRules, compile_modules
from carag_dsl.language import ast

_PLACES = ("span", "id_span")  # where a node was written: kept as it is


def _renamed(node: Any, mapping: Mapping[str, str]) -> Any:
    if isinstance(node, tuple):
        items = tuple(_renamed(item, mapping) for item in node)
        return node if all(a is b for a, b in zip(items, node)) else items
    if not attrs.has(type(node)) or not type(node).__module__.endswith("language.ast"):
        return node
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(node)):
        if field.name in _PLACES:
            continue
        value = getattr(node, field.name)
        new = _renamed(value, mapping)
        if new is not value:
            changes[field.name] = new
    if isinstance(node, ast.AnswerRef) and node.question_id in mapping:
        changes["question_id"] = mapping[node.question_id]
    if isinstance(node, ast.QuestionDecl) and node.id in mapping:
        changes["id"] = mapping[node.id]
    return attrs.evolve(node, **changes) if changes else node


def with_question_ids(rules: CheckedRules, mapping: Mapping[str, str]) -> CheckedRules:
    """``rules`` with each question id ``old`` in ``mapping`` read as ``mapping[old]`` (itself when nothing changes)."""
    mapping = {old: new for old, new in mapping.items() if old != new}
    if not mapping:
        return rules
    modules = [
        attrs.evolve(module, items=tuple(_renamed(item, mapping) for item in module.items if not isinstance(item, ast.TestDecl)))
        for module in rules.modules
    ]
    return compile_modules(modules, CheckedRules)
