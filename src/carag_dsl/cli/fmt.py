"""``carag fmt [--check] PATH...``: rewrite .carag files in the canonical layout."""

from __future__ import annotations

import sys
from pathlib import Path

from carag_dsl.errors import Diagnostic, RuleError, UsageError
from carag_dsl.language.formatter import format_module
from carag_dsl.language.parser import parse
from carag_dsl.source import Source, Span


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "fmt",
        help="rewrite .carag files in the canonical layout",
        description="Rewrite .carag files in place in the canonical layout (comments are kept). "
        "With --check, change nothing: list the files that would change and exit 1 if there are any; "
        "with --diff as well, show each change as a unified diff (the @@ lines give line numbers).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help=".carag files, or folders (every .carag file in them, recursively)")
    parser.add_argument("--check", action="store_true", help="only list files that are not formatted; exit 1 if any")
    parser.add_argument("--diff", action="store_true", help="print what would change as a unified diff, with line numbers, and change nothing (implies --check)")
    parser.set_defaults(run=run)


def rule_files(paths: list[str]) -> list[Path]:
    """The .carag files named, and those under the folders named, in a stable order."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.carag")))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"no such file or folder: {name}")
    return files


def layout_diff(path: Path, text: str, formatted: str) -> str:
    """The change ``carag fmt`` would make to one file, as a unified diff (``@@ -line,count +line,count @@``)."""
    import difflib  # only when a diff is asked for

    lines = difflib.unified_diff(text.splitlines(keepends=True), formatted.splitlines(keepends=True),
                                 fromfile=f"{path} (as written)", tofile=f"{path} (formatted)")
    return "".join(line if line.endswith("\n") else line + "\n\\ no newline at end of file\n" for line in lines)


def run(args) -> int:
    args.check = args.check or args.diff  # a diff is of what would change: nothing is rewritten
    changed: list[Path] = []
    diagnostics: list[Diagnostic] = []
    for path in rule_files(args.paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = "it is not UTF-8 text" if isinstance(error, UnicodeDecodeError) else (error.strerror or str(error)).lower()
            diagnostics.append(Diagnostic(Span(Source(str(path), ""), 1, 1, 1, 1), "unreadable-file", f"cannot read '{path}': {reason}"))
            continue
        try:
            formatted = format_module(parse(text, str(path)))
        except RuleError as error:  # a file that does not parse is left as it is
            diagnostics.extend(error.diagnostics)
            continue
        if formatted != text:
            changed.append(path)
            if args.diff:
                sys.stdout.write(layout_diff(path, text, formatted))
            if not args.check:
                path.write_text(formatted, encoding="utf-8")
    for path in changed if not args.diff else ():
        print(f"{'would reformat' if args.check else 'reformatted'} {path}")
    if diagnostics:
        raise RuleError(diagnostics)
    if args.check and changed:
        print(f"{len(changed)} file{'s' if len(changed) != 1 else ''} would be reformatted; run 'carag fmt' on them", file=sys.stderr)
        return 1
    return 0
