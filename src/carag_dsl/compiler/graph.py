"""The dependency graph of a rule set, its cycles, and the evaluation order.

Nodes are strings: ``fact:NAME``, ``define:NAME``, ``case_type`` and
``question:ID``. An edge ``a -> b`` means b's rule reads a: a defined name
reads facts, a question's applicability reads facts, defined names, the case
type and other questions' answers; a judgement's derivation reads what its
``derive`` rule reads. The graph must be acyclic; a cycle is reported with
every declaration on it.

The edges are kept as plain dicts (:class:`Dependencies`), and the evaluation
order is worked out from them: evaluating a case never imports networkx, which
costs more to import than the rest of carag together. The networkx graph
(:func:`build`) is made only where a graph is read as one: the cycle report,
``carag graph``, the handbook, lint and fuzz (``CheckedRules.graph``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from carag_dsl.language import ast
from carag_dsl.errors import Diagnostic
from carag_dsl.compiler.symbols import CASE_TYPE, Symbols

if TYPE_CHECKING:
    import networkx as nx

CASE_TYPE_NODE = "case_type"


def fact_node(name: str) -> str:
    return "fact:" + name


def define_node(name: str) -> str:
    return "define:" + name


def question_node(question_id: str) -> str:
    return "question:" + question_id


def node_label(node: str) -> str:
    """How a node reads for people: ``2.3.01``, ``sentence``, ``case type``."""
    return "case type" if node == CASE_TYPE_NODE else node.split(":", 1)[1]


def expression_inputs(expr: ast.Expr | None, symbols: Symbols) -> list[str]:
    """The graph nodes an expression reads, in the order they appear (no duplicates)."""
    found: list[str] = []
    if expr is None:
        return found
    for node in ast.walk(expr):
        target = None
        if isinstance(node, ast.Name):
            if node.name in symbols.facts:
                target = fact_node(node.name)
            elif node.name in symbols.defines:
                target = define_node(node.name)
            elif node.name == CASE_TYPE and symbols.case_type is not None:
                target = CASE_TYPE_NODE
        elif isinstance(node, ast.AnswerRef) and node.question_id in symbols.questions:
            target = question_node(node.question_id)
        if target is not None and target not in found:
            found.append(target)
    return found


def given_inputs(expr: ast.Expr | None, symbols: Symbols) -> list[str]:
    """The facts and questions an expression reads, directly or through defined names (what a case can give)."""
    found: list[str] = []
    pending = expression_inputs(expr, symbols)
    while pending:
        node = pending.pop(0)
        if node.startswith("define:"):
            pending = expression_inputs(symbols.defines[node.split(":", 1)[1]].expr, symbols) + pending
        elif node != CASE_TYPE_NODE and node not in found:
            found.append(node)
    return found


def _declaration_exprs(symbols: Symbols):
    """(node, declaration, expressions it reads) for every declaration that computes something."""
    for name, define in symbols.defines.items():
        yield define_node(name), define, [define.expr]
    if symbols.case_type is not None:
        decl = symbols.case_type
        exprs = [rule.condition for rule in decl.rules] + [override.condition for override in decl.overrides]
        yield CASE_TYPE_NODE, decl, exprs
    for question_id, question in symbols.questions.items():
        yield question_node(question_id), question, [question.applies] + [d.condition for d in question.derive]


class Dependencies:
    """The graph's nodes and edges as ordered dicts: ``readers[a]`` holds every ``b`` that reads ``a``.

    Nodes and edges are kept in the order :func:`build` adds them to the networkx
    graph, so :func:`evaluation_order` gives exactly networkx's topological order.
    """

    __slots__ = ("kinds", "readers", "edges")

    def __init__(self, symbols: Symbols):
        self.kinds: dict[str, str] = {fact_node(name): "fact" for name in symbols.facts}
        for node, decl, _ in _declaration_exprs(symbols):
            self.kinds[node] = "question" if isinstance(decl, ast.QuestionDecl) else ("case_type" if node == CASE_TYPE_NODE else "define")
        self.readers: dict[str, dict[str, None]] = {node: {} for node in self.kinds}
        self.edges: list[tuple[str, str]] = []  # (what is read, its reader), in the order the rules read them
        for node, _, exprs in _declaration_exprs(symbols):
            for expr in exprs:
                for source in expression_inputs(expr, symbols):
                    self.readers[source][node] = None
                    self.edges.append((source, node))


def build(symbols: Symbols, dependencies: Dependencies | None = None) -> "nx.DiGraph":
    """The dependency graph as a networkx graph (imported here: only commands that read a graph pay for it)."""
    import networkx as nx

    dependencies = dependencies or Dependencies(symbols)
    graph: nx.DiGraph = nx.DiGraph()
    for node, kind in dependencies.kinds.items():
        graph.add_node(node, kind=kind)
    graph.add_edges_from(dependencies.edges)
    return graph


def _decl_span(node: str, symbols: Symbols):
    if node == CASE_TYPE_NODE:
        assert symbols.case_type is not None  # the node exists only when the case type is declared
        return symbols.case_type.span
    kind, name = node.split(":", 1)
    if kind == "define":
        return symbols.defines[name].span
    return symbols.questions[name].id_span


def cycle_diagnostics(graph: "nx.DiGraph", symbols: Symbols) -> list[Diagnostic]:
    """One diagnostic per cycle (strongly connected group), naming every declaration on the cycle."""
    import networkx as nx

    diagnostics = []
    for component in nx.strongly_connected_components(graph):
        if len(component) == 1:
            (only,) = component
            if not graph.has_edge(only, only):
                continue
        # Edges run from what is read to the reader; reversed, each node depends on the next.
        cycle = [edge[0] for edge in nx.find_cycle(graph.subgraph(component))][::-1]
        # Start the cycle at the declaration that comes first in the files, for stable output.
        start = min(range(len(cycle)), key=lambda i: _decl_span(cycle[i], symbols).sort_key())
        cycle = cycle[start:] + cycle[:start]
        names = [node_label(n) for n in cycle]
        path = " -> ".join(names + [names[0]])
        notes = tuple((_decl_span(n, symbols), f"'{node_label(n)}' is on the cycle") for n in cycle[1:])
        diagnostics.append(
            Diagnostic(
                _decl_span(cycle[0], symbols), "dependency-cycle",
                f"dependency cycle: {path}; each of these depends on the next, so none can be decided",
                notes=notes,
            )
        )
    return diagnostics


def evaluation_order(dependencies: Dependencies) -> list[str] | None:
    """The computed nodes (no facts) in an order where every node comes after what it reads; None on a cycle.

    Kahn's algorithm by generations, as ``networkx.topological_sort``: the same
    order, so the generated code and the order of warnings do not depend on
    which of the two computed it.
    """
    waiting: dict[str, int] = {}
    for readers in dependencies.readers.values():
        for reader in readers:
            waiting[reader] = waiting.get(reader, 0) + 1
    ready = [node for node in dependencies.kinds if node not in waiting]
    order: list[str] = []
    while ready:
        order += ready
        generation, ready = ready, []
        for node in generation:
            for reader in dependencies.readers[node]:
                waiting[reader] -= 1
                if not waiting[reader]:
                    ready.append(reader)
                    del waiting[reader]
    if waiting:
        return None
    return [node for node in order if not node.startswith("fact:")]
