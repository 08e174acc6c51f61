"""The ``carag`` command line: the top layer, which may import every other.

One module per sub-command (``check``, ``eval``, ``rate``...), each defining
``register(subparsers)``, which adds its parser and sets ``run`` (a function of
the parsed arguments returning the exit code). Modules whose names start with
``_`` are helpers shared by the commands, not commands; :mod:`._main` finds the
commands, parses arguments and turns errors into messages and exit codes.
"""

from carag_dsl.cli._main import entry_point, main

__all__ = ["entry_point", "main"]
