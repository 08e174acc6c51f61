"""What an occurrence refers to, given the rule set's declarations.

A *symbol key* identifies one thing across files: ``("name", "mappa")`` (a fact,
a defined name or ``case_type``), ``("question", "X 6")``, ``("inspection", "1.13")`` (an inspection question), or
``("option", "name", "sentence", "licence")`` (an option code and the fact, question
or case type it is an option of; the owner is ``("", "")`` when it cannot be told).
Bare names resolve as the type checker resolves them: a declared name first,
otherwise an option code.
"""

from __future__ import annotations

from carag_dsl.compiler.symbols import CASE_TYPE, Symbols
from carag_dsl.lsp import index as ix

Key = tuple[str, ...]


def is_declared_name(name: str, symbols: Symbols) -> bool:
    return (name in symbols.facts or name in symbols.defines or name in symbols.groupings
            or (name == CASE_TYPE and symbols.case_type is not None))


def owner_of(partner: ix.Partner | None, symbols: Symbols) -> tuple[str, str]:
    """Whose options a code beside ``partner`` is: a fact with options, a question, or the case type."""
    if partner is None:
        return ("", "")
    kind, name = partner
    if kind == "question":
        return ("question", name)
    if kind == "case_type" or (kind == "name" and name == CASE_TYPE):
        return ("case_type", "")
    if kind == "name" and (name in symbols.facts or name in symbols.groupings):
        return ("name", name)
    return ("", "")


def key_of(occurrence: ix.Occurrence, symbols: Symbols) -> Key:
    kind = occurrence.kind
    if kind == ix.NAME_DECLARATION:
        return ("name", occurrence.text)
    if kind in (ix.QUESTION, ix.QUESTION_DECLARATION):
        return ("question", occurrence.text)
    if kind == ix.INSPECTION_DECLARATION:
        return ("inspection", occurrence.text)
    if kind == ix.NAME and is_declared_name(occurrence.text, symbols):
        return ("name", occurrence.text)
    if kind == ix.OPTION_DECLARATION:
        return ("option", *(occurrence.partner or ("", "")), occurrence.text)
    return ("option", *owner_of(occurrence.partner, symbols), occurrence.text)


def is_declaration(occurrence: ix.Occurrence) -> bool:
    return occurrence.kind in (ix.NAME_DECLARATION, ix.QUESTION_DECLARATION, ix.INSPECTION_DECLARATION, ix.OPTION_DECLARATION)
