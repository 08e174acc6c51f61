"""Rules on the declarations themselves: unused facts and defined names, questions that read later ones."""

from __future__ import annotations

from carag_dsl.compiler.graph import define_node, fact_node
from carag_dsl.language import ast
from carag_dsl.tools.lint.context import LintContext
from carag_dsl.tools.lint.registry import lint_rule


def _read_outside_graph(context: LintContext) -> set[str]:
    """Names read by consistency rules, exclusions, label meanings and the groups of the inspection questions'
    links (not in the dependency graph)."""
    names: set[str] = set()
    exprs = [r.expr for r in context.symbols.consistency] + [e.condition for e in context.symbols.exclusions]
    exprs += [e.condition for e in context.symbols.applicability.values() if e.condition is not None]
    exprs += [link.within for q in context.symbols.inspection_questions.values() for link in q.links if link.within is not None]
    for expr in exprs:
        names.update(n.name for n in ast.walk(expr) if isinstance(n, ast.Name))
    return names


@lint_rule(
    "unused-fact", "warning",
    "A fact that no rule reads.",
    """
No defined name, case-type rule, question rule or consistency rule reads the fact, so recording it changes
nothing (constraints on the fact itself do not count). Remove it, or write the rule that needs it.
""",
    """
fact mappa: bool
fact court_report: bool
question "Q 1" prompt
    text "Is the MAPPA level recorded?"
    applies when mappa
    answer yes_no
""",
)
def unused_fact(context: LintContext):
    for name, decl in _unread(context, context.symbols.facts, fact_node):
        yield context.finding("unused-fact", decl.span, f"no rule reads the fact '{name}'")


@lint_rule(
    "unused-define", "warning",
    "A defined name that nothing reads.",
    """
A `define` no rule uses is dead text, and often the sign of a rule that reads the wrong name. Remove it or use it.
""",
    """
fact mappa: bool
define high_risk = mappa
question "Q 1" prompt
    text "Is the MAPPA level recorded?"
    applies when mappa
    answer yes_no
""",
)
def unused_define(context: LintContext):
    for name, decl in _unread(context, context.symbols.defines, define_node):
        yield context.finding("unused-define", decl.span, f"nothing reads the defined name '{name}'")


def _unread(context: LintContext, declared, node_of):
    """(name, declaration) of the facts or defined names that no rule reads, in the graph or outside it."""
    outside = _read_outside_graph(context)
    for name, decl in declared.items():
        if not context.rules.graph.out_degree(node_of(name)) and name not in outside:
            yield name, decl


@lint_rule(
    "reads-later-question", "warning",
    "A question's rule reads the answer to a question that comes after it in the document.",
    """
Inspectors answer in the printed order, so a question whose applicability waits for a later answer stays
pending while they work through the form. Move one of them, or read an earlier question.
""",
    """
question "Q 1" prompt
    text "Were the risks reviewed?"
    applies when [Q 2] == yes
    answer yes_no
question "Q 2" prompt
    text "Were there risks?"
    applies always
    answer yes_no
""",
)
def reads_later_question(context: LintContext):
    order = context.order
    for question in context.symbols.questions.values():
        exprs = [question.applies] + [d.condition for d in question.derive]
        for expr in exprs:
            if expr is None:
                continue
            for node in ast.walk(expr):
                if isinstance(node, ast.AnswerRef) and order.get(node.question_id, -1) > order[question.id]:
                    yield context.finding(
                        "reads-later-question", node.span,
                        f"{question.id} reads [{node.question_id}], which comes after it in the document", question.id,
                    )
