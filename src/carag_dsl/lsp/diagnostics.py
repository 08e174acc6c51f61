"""The compiler's diagnostics as LSP diagnostics: same code, same message, exact range, notes as related places."""

from __future__ import annotations

from lsprotocol import types

from carag_dsl.errors import Diagnostic
from carag_dsl.lsp.positions import span_range
from carag_dsl.lsp.workspace import resolved

SOURCE = "carag"  # what editors show beside each diagnostic

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def to_lsp(diagnostic: Diagnostic) -> types.Diagnostic:
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=resolved(span.path).as_uri(), range=span_range(span)), message=note,
        )
        for span, note in diagnostic.notes
        if span.source is not None
    ]
    return types.Diagnostic(
        range=span_range(diagnostic.span),
        message=diagnostic.message,
        severity=_SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Error),
        code=diagnostic.code,
        source=SOURCE,
        related_information=related or None,
    )
