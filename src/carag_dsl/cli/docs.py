"""``carag docs [RULES] --output DIR``: write the handbook of a rule set as a static HTML page."""

from __future__ import annotations

import sys

from pathlib import Path
from urllib.parse import urlsplit

from carag_dsl.errors import UsageError
from carag_dsl.tools.handbook import render_handbook
from carag_dsl.cli._common import add_rules_argument, load_rules

PAGE_NAME = "index.html"


def register(subparsers) -> None:
    parser = subparsers.add_parser("docs", help="write the handbook of the rules: one self-contained HTML page")
    add_rules_argument(parser)
    parser.add_argument("--output", "-o", metavar="DIR", required=True, help=f"folder to write {PAGE_NAME} into (created when missing)")
    parser.add_argument("--studio", metavar="URL", help="link the page to the studio built for these rules (carag studio), "
                        "at this address: http(s)://... or a path relative to the page")
    parser.set_defaults(run=run)


def run(args) -> int:
    if not args.output.strip():  # Path("") is the working folder: an empty option is a mistake, not a choice
        raise UsageError(f"--output is empty; give the folder to write {PAGE_NAME} into (e.g. --output handbook)")
    if args.studio is not None and not _is_link(args.studio):
        raise UsageError(f"--studio {args.studio!r}: give the studio's address, http://... or https://..., or a path relative to the page")
    ruleset = load_rules(args, sys.stdout)
    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--output {folder}: this is a file; give a folder to write {PAGE_NAME} into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        page = folder / PAGE_NAME
        page.write_text(render_handbook(ruleset, studio_url=args.studio), encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write the handbook into {folder}: {error.strerror}") from None
    print(f"wrote {page} ({len(ruleset.questions)} questions)")
    return 0


def _is_link(url: str) -> bool:
    """An http(s) address or a relative path: never javascript:, data: or another scheme a link could run."""
    scheme = urlsplit(url).scheme.lower()
    return bool(url.strip()) and (scheme in ("http", "https") or (scheme == "" and not url.startswith("//")))
