"""Checks of the inspection questions: the questions about the region and the case findings they read.

An inspection question is read and answered in prose, never routed; what can be
wrong is what it says about the case questions. Each link (``informed by``) must
name questions that exist and that a rating can count (a yes/no answer), and its
group of cases (``within``) must be a condition over facts, the same for a case
whatever was answered in it. An evidence list that names the case inspection data
with no link is a warning: the brief would put no case findings beside it.
"""

from __future__ import annotations

import re
from typing import Iterator

from carag_dsl.compiler import types as T
from carag_dsl.compiler.symbols import CASE_TYPE, Symbols
from carag_dsl.compiler.typecheck import check_condition
from carag_dsl.errors import Diagnostic, Suggestions
from carag_dsl.language import ast

#: How the evidence lists of the inspection questions name the case findings ("case inspection data and
#: information", "casework inspection data and information", "evidence from inspected cases").
CASE_DATA = re.compile(r"\bcase(?:work)? inspection data\b|\binspected cases\b", re.IGNORECASE)


def names_case_data(decl: ast.InspectionQuestionDecl) -> bool:
    """Whether the question's evidence list names the case inspection data."""
    return any(CASE_DATA.search(source) for source in decl.evidence)


def check_inspection_questions(symbols: Symbols) -> list[Diagnostic]:
    """Every error and warning of the inspection questions, located."""
    diagnostics: list[Diagnostic] = []
    suggestions = _LazySuggestions(symbols)
    for decl in symbols.inspection_questions.values():
        if decl.text is None:
            diagnostics.append(Diagnostic(decl.id_span, "missing-clause", f"inspection question '{decl.id}' has no 'text': give the question as printed"))
        if decl.domain is None:
            diagnostics.append(Diagnostic(decl.id_span, "missing-clause", f"inspection question '{decl.id}' has no 'domain': name the domain it sits under (e.g. \"Leadership\")"))
        for link in decl.links:
            diagnostics += _check_link(symbols, suggestions, link)
        if not decl.links and names_case_data(decl):
            diagnostics.append(Diagnostic(
                decl.id_span, "inspection-question-unlinked",
                f"inspection question '{decl.id}' names the case inspection data among its evidence but has no "
                f"'informed by' link: the brief will show no case findings beside it; link the key or case questions "
                f"that inform it", severity="warning",
            ))
    return diagnostics


class _LazySuggestions:
    """The question ids to suggest from, indexed on the first unknown id only (most checks have none)."""

    def __init__(self, symbols: Symbols):
        self._symbols = symbols
        self._index: Suggestions | None = None

    def did_you_mean(self, name: str) -> str:
        if self._index is None:
            self._index = Suggestions(list(self._symbols.questions))
        return self._index.did_you_mean(name)


def _check_link(symbols: Symbols, suggestions: _LazySuggestions, link: ast.InspectionLink) -> Iterator[Diagnostic]:
    for ref in link.questions:
        question = symbols.questions.get(ref.question_id)
        if question is None:
            yield Diagnostic(ref.span, "unknown-question", f"unknown question '{ref.question_id}'{suggestions.did_you_mean(ref.question_id)}: a link names key questions or case questions of the rule set")
        elif question.answer is None or not {"yes", "no"} <= set(T.option_codes(question.answer)):
            yield Diagnostic(ref.span, "link-not-yes-no", f"'{ref.question_id}' takes no yes/no answer, so it has no share judged 'yes' to show; link key questions or yes/no case questions")
    if link.within is None:
        return
    found = check_condition(symbols, link.within, "the group of cases a link reads ('within')")
    yield from found
    if found:
        return
    for node, reason in _not_facts(symbols, link.within, set()):
        yield Diagnostic(
            node.span, "link-group-not-facts",
            f"the group of cases a link reads is a condition over facts, but this reads {reason}: a case's group "
            f"must not depend on what was answered in it",
        )


def _not_facts(symbols: Symbols, expr: ast.Expr, seen: set[str]) -> Iterator[tuple[ast.Expr, str]]:
    """Every place in ``expr`` (through the defined names it reads) that reads something other than facts."""
    for node in ast.walk(expr):
        if isinstance(node, ast.AnswerRef):
            yield node, f"the answer to [{node.question_id}]"
        elif isinstance(node, ast.Name) and node.name == CASE_TYPE:
            yield node, "the case type, which answers can override"
        elif isinstance(node, ast.Name) and node.name in symbols.defines and node.name not in seen:
            seen.add(node.name)
            if any(True for _ in _not_facts(symbols, symbols.defines[node.name].expr, seen)):
                yield node, f"'{node.name}', which reads answers or the case type"
