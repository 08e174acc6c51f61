"""``carag lsp``: the language server for editors, over standard input and output."""

from __future__ import annotations

from carag_dsl.errors import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lsp",
        help="run the language server (for editors) over stdio",
        description="Run the .carag language server over standard input and output: diagnostics as you type, "
        "hover, completion, go to definition, references, outline, formatting, rename, and the example cases "
        "evaluated per question. Editors start it themselves (docs/editors.md).",
    )
    parser.add_argument("--stdio", action="store_true", help="accepted for editors that pass it; stdio is the only transport")
    parser.set_defaults(run=run)


def run(args) -> int:
    try:
        import pygls  # noqa: F401
    except ImportError:
        raise UsageError("carag lsp needs pygls: pip install 'carag-dsl[lsp]'") from None
    from carag_dsl.lsp.server import serve

    return serve()
