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

from carag_dsl import __version__
from carag_dsl.cli._common import printable
from carag_dsl.errors import CaragError, RuleError, UsageError
from carag_dsl.cli._common import RULES_DEFAULT

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="carag",
        description="Check, evaluate and explain CARaG rule sets (.carag files).",
        epilog="RULES is a .carag file or a folder of them; it defaults to " + RULES_DEFAULT + ". Every command says which rule set it used.",
    )
    parser.add_argument("--version", action="version", version=f"carag {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("_"):  # helpers, not commands
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
