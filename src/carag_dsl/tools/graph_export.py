"""Drawings and data of the dependency graph: per case type, as DOT, Mermaid or JSON.

The graph for one case type leaves out the questions that can never apply to
that case type (their applicability is false whatever else is known), and the
case-type node itself, which is fixed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import networkx as nx

from carag_dsl.runtime.evaluator import NOT_APPLICABLE, Scope, status_of
from carag_dsl.runtime.casedata import CaseData
from carag_dsl.compiler.graph import CASE_TYPE_NODE, node_label

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules


def graph_for(ruleset: "CheckedRules", case_type: str | None = None) -> nx.DiGraph:
    """The dependency graph, or its part that matters for one case type."""
    if case_type is None:
        return ruleset.graph
    scope = Scope(ruleset, CaseData(None, {}, {}))
    scope.case_type = case_type
    dropped = {
        node for node in ruleset.graph
        if node.startswith("question:")
        and status_of(ruleset.symbols.questions[node_label(node)].applies, scope) == NOT_APPLICABLE
    }
    dropped.add(CASE_TYPE_NODE)
    return ruleset.graph.subgraph(n for n in ruleset.graph if n not in dropped).copy()


def _ordered_nodes(ruleset: "CheckedRules", graph: nx.DiGraph) -> list[str]:
    """Facts, defined names, case type, then questions in document order: stable output for review."""
    rank = {node: i for i, node in enumerate(
        [f"fact:{n}" for n in ruleset.symbols.facts] + [f"define:{n}" for n in ruleset.symbols.defines]
        + [CASE_TYPE_NODE] + [f"question:{q}" for q in ruleset.symbols.questions]
    )}
    return sorted(graph.nodes, key=lambda n: rank.get(n, len(rank)))


def to_json(ruleset: "CheckedRules", graph: nx.DiGraph, case_type: str | None) -> str:
    nodes = _ordered_nodes(ruleset, graph)
    rank = {n: i for i, n in enumerate(nodes)}
    edges = sorted(graph.edges, key=lambda e: (rank[e[1]], rank[e[0]]))
    data = {
        # The "ruleset" object of every JSON output; the committed compiler/ files leave out the hash
        # and path (`carag graph` adds them), so that only a change of routing changes those files.
        "ruleset": {"name": ruleset.name, "version": ruleset.version},
        "case_type": case_type,
        "nodes": [_node_json(ruleset, graph, n) for n in nodes],
        "edges": [{"from": a, "to": b} for a, b in edges],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _node_json(ruleset: "CheckedRules", graph: nx.DiGraph, node: str) -> dict:
    """A node, with the rule it computes written out, so a rule change shows in a diff."""
    data = {"id": node, "kind": graph.nodes[node].get("kind"), "label": node_label(node)}
    if node.startswith("question:"):
        applies = ruleset.symbols.questions[node_label(node)].applies
        data["applies"] = applies.span.one_line() if applies is not None else "always"
    elif node.startswith("define:"):
        data["rule"] = ruleset.symbols.defines[node_label(node)].expr.span.one_line()
    return data


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_DOT_SHAPES = {"fact": "ellipse", "define": "note", "case_type": "diamond", "question": "box"}


def to_dot(ruleset: "CheckedRules", graph: nx.DiGraph, case_type: str | None) -> str:
    title = f"{ruleset.name or 'rules'}" + (f" ({case_type} cases)" if case_type else "")
    lines = ["digraph carag {", f"  label={_quote(title)};", "  rankdir=LR;"]
    for node in _ordered_nodes(ruleset, graph):
        shape = _DOT_SHAPES.get(graph.nodes[node].get("kind", ""), "box")
        lines.append(f"  {_quote(node)} [label={_quote(node_label(node))}, shape={shape}];")
    nodes = _ordered_nodes(ruleset, graph)
    rank = {n: i for i, n in enumerate(nodes)}
    for a, b in sorted(graph.edges, key=lambda e: (rank[e[1]], rank[e[0]])):
        lines.append(f"  {_quote(a)} -> {_quote(b)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(ruleset: "CheckedRules", graph: nx.DiGraph, case_type: str | None) -> str:
    nodes = _ordered_nodes(ruleset, graph)
    ids = {n: f"n{i}" for i, n in enumerate(nodes)}
    lines = ["flowchart LR"]
    shapes = {"fact": ("([", "])"), "define": ("[/", "/]"), "case_type": ("{", "}"), "question": ("[", "]")}
    for node in nodes:
        left, right = shapes.get(graph.nodes[node].get("kind", ""), ("[", "]"))
        label = node_label(node).replace('"', "'")
        lines.append(f'  {ids[node]}{left}"{label}"{right}')
    rank = {n: i for i, n in enumerate(nodes)}
    for a, b in sorted(graph.edges, key=lambda e: (rank[e[1]], rank[e[0]])):
        lines.append(f"  {ids[a]} --> {ids[b]}")
    return "\n".join(lines) + "\n"


RENDERERS = {"json": to_json, "dot": to_dot, "mermaid": to_mermaid}


def render(ruleset: "CheckedRules", case_type: str | None, fmt: str) -> str:
    return RENDERERS[fmt](ruleset, graph_for(ruleset, case_type), case_type)
