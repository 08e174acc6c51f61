"""The ``carag`` command line.

Each sub-command lives in its own module under :mod:`carag_dsl.cli` and
registers itself with ``register(subparsers)``; this module finds them, parses
arguments and turns errors into messages and exit codes:
0 success, 1 errors in rules or case data, 2 usage.
"""

from __future__ import annotations

import argparse
import io
import os
import importlib
import pkgutil
import sys
from pathlib import Path
from typing import Sequence

import carag_dsl
from carag_dsl.cli._common import printable
from carag_dsl.errors import CaragError, RuleError, UsageError
from carag_dsl.cli._common import RULES_DEFAULT

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def command_names() -> list[str]:
    """The sub-commands: the modules of this package whose names do not start with ``_``."""
    return sorted(info.name for info in pkgutil.iter_modules([str(Path(__file__).parent)]) if not info.name.startswith("_"))


class _VersionAction(argparse.Action):
    """``--version``: the version is read from the package metadata only when asked for (importlib.metadata is slow to import)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help="show program's version number and exit"):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"carag {carag_dsl.__version__}")  # on standard output, as argparse's own "version" action
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every sub-command, or of the one named ``only``.

    Each command module imports what its command needs (the columnar engine, the
    analysis, the language server...); building the parser for the command being
    run imports only that one, which keeps ``carag eval`` quick to start.
    """
    parser = argparse.ArgumentParser(
        prog="carag",
        description="Check, evaluate and explain CARaG rule sets (.carag files).",
        epilog="RULES is a .carag file or a folder of them; it defaults to " + RULES_DEFAULT + ". Every command says which rule set it used.",
    )
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in [only] if only is not None else command_names():
        importlib.import_module(f"{__package__}.{name}").register(subparsers)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The sub-command named in ``argv`` when it is a known one (the first argument not an option), else None."""
    first = next((argument for argument in argv if not argument.startswith("-")), None)
    return first if first is not None and first in command_names() else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_command_in(sys.argv[1:] if argv is None else argv))
    # parse_known_args, because argparse cannot take a positional after an
    # option when an optional positional came first (`explain RULES --case F ID`):
    # such commands set `extra_positionals` and receive the leftovers.
    args, extras = parser.parse_known_args(argv)
    if extras:
        if not getattr(args, "extra_positionals", None) or any(e.startswith("-") and e != "-" for e in extras):
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        setattr(args, args.extra_positionals, getattr(args, args.extra_positionals) + extras)
    try:
        status = args.run(args)
        sys.stdout.flush()  # a full disk shows here, not in an exception at exit
        return status
    except RuleError as error:
        print(printable(error.render()), file=sys.stderr)
        count = len(error.errors)
        print(f"{count} error{'s' if count != 1 else ''} found", file=sys.stderr)
        return EXIT_ERRORS
    except UsageError as error:
        print(printable(f"carag {args.command}: error: {error}"), file=sys.stderr)
        return EXIT_USAGE
    except CaragError as error:
        print(printable(f"error: {error}"), file=sys.stderr)
        return EXIT_ERRORS
    except BrokenPipeError:  # `carag eval ... | head`: stop quietly
        sys.stderr.close()
        return EXIT_OK
    except OSError as error:  # the output could not be written: a full disk, a closed terminal, ...
        _discard_standard_output()
        reason = (error.strerror or str(error)).lower()
        print(printable(f"carag {args.command}: error: cannot write the output: {reason}"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _discard_standard_output() -> None:
    """Point standard output at the null device, so what is still buffered cannot fail again at exit."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):  # not a real file (tests capture it)
        pass


def entry_point() -> None:
    sys.exit(main())
