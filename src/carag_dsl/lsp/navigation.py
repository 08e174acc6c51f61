"""Go to definition, find references, rename, and the outline of a file."""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types

from carag_dsl.language import ast
from carag_dsl.lsp.keywords import keywords
from carag_dsl.lsp import index as ix
from carag_dsl.lsp.positions import Lines, span_range
from carag_dsl.lsp.resolve import Key, is_declaration, key_of
from carag_dsl.lsp.workspace import Analysis, Workspace

_NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")


class RenameRefused(Exception):
    """A rename that would break the rules; the message says why."""


def symbol_at(workspace: Workspace, analysis: Analysis, path: Path, position: types.Position) -> tuple[ix.Occurrence, Key] | None:
    found = workspace.index(path)
    if found is None:
        return None
    lines = Lines(workspace.text(path))
    occurrence = found.at(position.line, lines.character(position))
    if occurrence is None:
        return None
    return occurrence, key_of(occurrence, analysis.symbols)


def occurrences_of(workspace: Workspace, analysis: Analysis, key: Key) -> list[tuple[Path, ix.Occurrence]]:
    """Every place in the rule set (rule files and test files) that refers to ``key`` or declares it."""
    found = []
    for file in analysis.files:
        file_index = workspace.index(file)
        for occurrence in file_index.occurrences if file_index else ():
            if key_of(occurrence, analysis.symbols) == key:
                found.append((file, occurrence))
    return found


def _location(workspace: Workspace, file: Path, occurrence: ix.Occurrence) -> types.Location:
    lines = Lines(workspace.text(file))
    return types.Location(
        uri=file.as_uri(),
        range=lines.range(occurrence.line, occurrence.column, occurrence.end_line, occurrence.end_column),
    )


def definition(workspace: Workspace, analysis: Analysis, path: Path, position: types.Position) -> list[types.Location]:
    here = symbol_at(workspace, analysis, path, position)
    if here is None:
        return []
    return [_location(workspace, f, o) for f, o in occurrences_of(workspace, analysis, here[1]) if is_declaration(o)]


def references(workspace: Workspace, analysis: Analysis, path: Path, position: types.Position, include_declaration: bool) -> list[types.Location]:
    here = symbol_at(workspace, analysis, path, position)
    if here is None:
        return []
    return [
        _location(workspace, f, o)
        for f, o in occurrences_of(workspace, analysis, here[1])
        if include_declaration or not is_declaration(o)
    ]


def _renamable(analysis: Analysis, key: Key) -> bool:
    return key[0] == "name" and (key[1] in analysis.symbols.facts or key[1] in analysis.symbols.defines)


def prepare_rename(workspace: Workspace, analysis: Analysis, path: Path, position: types.Position) -> types.Range | None:
    here = symbol_at(workspace, analysis, path, position)
    if here is None or not _renamable(analysis, here[1]):
        return None
    occurrence = here[0]
    return Lines(workspace.text(path)).range(occurrence.line, occurrence.column, occurrence.end_line, occurrence.end_column)


def rename(workspace: Workspace, analysis: Analysis, path: Path, position: types.Position, new_name: str) -> types.WorkspaceEdit | None:
    """Rename a fact or a defined name everywhere in the rule set and its tests."""
    here = symbol_at(workspace, analysis, path, position)
    if here is None or not _renamable(analysis, here[1]):
        raise RenameRefused("only a fact or a defined name can be renamed; put the cursor on one")
    if not _NAME.match(new_name) or new_name in keywords():
        raise RenameRefused(f"'{new_name}' is not a name: use lower-case letters, digits and '_', starting with a letter, and not a keyword")
    if new_name in analysis.symbols.facts or new_name in analysis.symbols.defines or new_name == "case_type":
        raise RenameRefused(f"'{new_name}' is already declared in the rule set; choose another name")
    changes: dict[str, list[types.TextEdit]] = {}
    for file, occurrence in occurrences_of(workspace, analysis, here[1]):
        edit = types.TextEdit(range=_location(workspace, file, occurrence).range, new_text=new_name)
        changes.setdefault(file.as_uri(), []).append(edit)
    return types.WorkspaceEdit(changes=changes)


# ------------------------------------------------------------------ outline

def _symbol(name: str, detail: str | None, kind: types.SymbolKind, span, selection=None) -> types.DocumentSymbol:
    whole = span_range(span)
    return types.DocumentSymbol(
        name=name, detail=detail, kind=kind, range=whole, selection_range=span_range(selection) if selection else whole, children=[],
    )


def document_symbols(module: ast.Module) -> list[types.DocumentSymbol]:
    """The outline of a file: its declarations, with each section's questions under it."""
    outline: list[types.DocumentSymbol] = []
    section: types.DocumentSymbol | None = None
    for item in module.items:
        if isinstance(item, ast.SectionDecl):
            section = _symbol(item.title, item.heading, types.SymbolKind.Namespace, item.span)
            outline.append(section)
            continue
        if isinstance(item, ast.QuestionDecl):
            symbol = _symbol(item.id, item.text, types.SymbolKind.Field, item.span, item.id_span)
            if section is not None:
                section.children.append(symbol)  # type: ignore[union-attr]
                section.range = types.Range(start=section.range.start, end=symbol.range.end)
            else:
                outline.append(symbol)
            continue
        entry = _declaration_symbol(item)
        if entry is not None:
            outline.append(entry)
    return outline


def _declaration_symbol(item: ast.Decl) -> types.DocumentSymbol | None:
    if isinstance(item, ast.Header):
        return _symbol(item.name, f"version {item.version}", types.SymbolKind.Package, item.span)
    if isinstance(item, ast.FactDecl):
        return _symbol(item.name, item.doc, types.SymbolKind.Variable, item.span)
    if isinstance(item, ast.DefineDecl):
        return _symbol(item.name, item.doc, types.SymbolKind.Function, item.span)
    if isinstance(item, ast.GroupingDecl):
        return _symbol(item.name, f"groups of {item.source}", types.SymbolKind.Enum, item.span)
    if isinstance(item, ast.ConsistencyDecl):
        field = f"[{item.field}]" if item.on_answer else item.field
        return _symbol(f"constraint {field}", item.message, types.SymbolKind.Event, item.span)
    if isinstance(item, ast.ConstraintDecl):
        return _symbol(f"constraint {item.field}", item.message, types.SymbolKind.Event, item.span)
    if isinstance(item, ast.ApplicabilityDecl):
        return _symbol(f"applicability {item.label}", None, types.SymbolKind.Constant, item.span)
    if isinstance(item, ast.CaseTypeDecl):
        return _symbol("case type", None, types.SymbolKind.Enum, item.span)
    if isinstance(item, ast.BandsDecl):
        return _symbol("bands", ", ".join(b.name for b in item.bands), types.SymbolKind.Enum, item.span)
    if isinstance(item, ast.StandardDecl):
        return _symbol(item.name, "standard", types.SymbolKind.Class, item.span)
    if isinstance(item, ast.InspectionQuestionDecl):
        return _symbol(f"inspection question {item.id}", item.text, types.SymbolKind.Interface, item.span, item.id_span)
    if isinstance(item, ast.TestDecl):
        return _symbol(item.name, "test", types.SymbolKind.Method, item.span)
    if isinstance(item, ast.Include):
        return None
    # A declaration this outline does not know yet (the language grows): named by its kind.
    return _symbol(type(item).__name__.removesuffix("Decl").lower(), None, types.SymbolKind.Object, item.span)
