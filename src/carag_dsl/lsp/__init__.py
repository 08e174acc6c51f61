"""The language server (``carag lsp``): the compiler's own passes, answering an editor.

A thin adapter: :mod:`.workspace` runs the same loading and checking as ``carag
check`` over files with the editor's unsaved buffers laid over them; the other
modules turn what the compiler knows into LSP answers (diagnostics, hover,
completion, definitions and references, outline, formatting with ``carag fmt``,
rename, and the example cases' results as code lenses). :mod:`.server` wires
them to pygls, which is an extra: ``pip install 'carag-dsl[lsp]'``.
"""
