"""``carag studio [RULES] --output DIR [--serve]``: the rules, a case and the checks in one web page, offline."""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path

from carag_dsl.errors import UsageError
from carag_dsl.language.loader import choose_rules
from carag_dsl.tools.studio.serve import studio_server
from carag_dsl.tools.studio.site import build_studio
from carag_dsl.cli._common import add_rules_argument, load_rules

DEFAULT_PORT = 8765


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "studio", help="write the studio: the rules in an editor, a case and the checks, in a web page that runs offline",
        description="Write a static web app that runs carag in the browser (Pyodide): an editor for the rule folder "
        "with carag check's diagnostics as you type, a case routed live, carag test, lint and diff, and the handbook. "
        "Building it needs Node.js and npm, and fetches npm packages and Python wheels into carag's cache the first "
        "time; the page then loads nothing from outside its folder (docs/studio.md).",
    )
    add_rules_argument(parser)
    parser.add_argument("--output", "-o", metavar="DIR", help="folder to write the studio into (created when missing)")
    parser.add_argument("--serve", action="store_true", help="then serve it on http://127.0.0.1 until Ctrl-C "
                        "(without --output, from a temporary folder)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the port for --serve (default {DEFAULT_PORT}; 0: any free port)")
    parser.set_defaults(run=run)


def run(args) -> int:
    if args.output is None and not args.serve:
        raise UsageError("give --output DIR to write the studio into, or --serve to serve it from a temporary folder")
    if args.output is not None and not args.output.strip():
        raise UsageError("--output is empty; give the folder to write the studio into (e.g. --output studio)")
    ruleset = load_rules(args, sys.stdout)
    rules_path = choose_rules(args.rules).path
    if args.output is None:
        with tempfile.TemporaryDirectory(prefix="carag-studio-") as temporary:
            return _build_and_serve(ruleset, rules_path, Path(temporary), args)
    return _build_and_serve(ruleset, rules_path, Path(args.output), args)


def _build_and_serve(ruleset, rules_path: Path, folder: Path, args) -> int:
    built = build_studio(ruleset, rules_path, folder)
    parts = ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in sorted(built.bytes_by_part.items()))
    print(f"wrote the studio into {folder} ({built.total_bytes / 1e6:.1f} MB: {parts})")
    if not args.serve:
        print(f"open {folder / 'index.html'} through any static web server, or run: carag studio --serve --output {folder}")
        return 0
    try:
        server = studio_server(folder, args.port)
    except OSError as error:
        raise UsageError(f"cannot serve on 127.0.0.1:{args.port}: {error.strerror}; choose another --port") from None
    print(f"serving the studio on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    signal.signal(signal.SIGTERM, _stop)  # stopped by kill too: the temporary folder is still removed
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt
