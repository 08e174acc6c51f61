"""``carag diff OLD NEW`` and ``carag diff --git REV [RULES]``: what a change to the rules does.

Exit status: 0 when every case comes to the same thing under both versions,
1 when something routes differently (so CI can ask for a review) or a line of
``--cases`` is bad, 2 on usage errors, 3 when the rules changed where the exact
analysis could not finish and the sample it fell back on saw no change (partial:
a person must look). See docs/diff.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import attrs

from carag_dsl.api import RuleSet, load
from carag_dsl.cli.rate import CsvHeaderError, feed_cases, reader_for
from carag_dsl.cli._cases import bad_count
from carag_dsl.cli._common import RULES_DEFAULT, open_input, write_report
from carag_dsl.runtime.caseinput import case_lines
from carag_dsl.errors import RuleError, UsageError
from carag_dsl.language.loader import choose_rules
from carag_dsl.tools.which_rules import announce
from carag_dsl.source import Source

FORMATS = ("text", "markdown", "json", "html")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="what a change to the rules does to routing, judgements and ratings",
        description="Compare two versions of a rule set: for every question the cases whose status changes, "
        "as a condition in plain English with an example case; the same for the case type, derived judgements "
        "and the cases rejected; and apart from that the edits that route nothing (text, guidance, questions "
        "added, removed or renamed, bands, standards). Exit 0 when nothing routes differently, 1 when something does, "
        "3 when the rules changed where the exact analysis could not finish and a sample saw no change (partial).",
    )
    parser.add_argument("paths", nargs="*", metavar="OLD NEW", help="two rule sets (a root .carag file or a folder each); with --git, at most one: RULES")
    parser.add_argument("--git", metavar="REV", help=f"compare RULES (default: {RULES_DEFAULT}) with the same path at git revision REV (read with git, no checkout)")
    parser.add_argument("--cases", metavar="FILE", help="also evaluate a sample under both versions: JSON Lines (.jsonl, .ndjson, .json; '-' for standard input) or CSV (.csv)")
    parser.add_argument("--by", metavar="NAME", help="with --cases, break the counts and ratings down by a fact, a defined name, case_type or a question id")
    parser.add_argument("--format", choices=FORMATS, default="text", help="text (the default), markdown (for a pull request), json, or html (a self-contained page)")
    parser.add_argument("--output", metavar="PATH", help="write the diff to PATH instead of standard output")
    parser.add_argument("--no-exact", action="store_true", help="skip the exact analysis of the case space (only the declarations, and --cases if given)")
    parser.set_defaults(run=run)


def run(args) -> int:
    if args.by and not args.cases:
        raise UsageError("--by breaks down the sample given with --cases; give --cases FILE too")
    if args.cases:
        reader_for(args.cases)  # an unreadable name is a usage error before any work
    if not args.no_exact:
        try:
            import carag_dsl.analysis  # noqa: F401
        except ImportError:
            raise UsageError("the exact analysis of carag diff needs the dd package: pip install 'carag-dsl[analysis]' (or give --no-exact)") from None
    old, new, old_name, new_name = _rule_sets(args)
    from carag_dsl.tools.diff.compare import diff_rules

    result = diff_rules(old, new, old_name, new_name, exact=not args.no_exact)
    bad = 0
    if args.cases:
        cases, bad = _compare_sample(args, old, new, result.pairing)
        result = attrs.evolve(result, cases=cases)
    _write(result.to_dict(), args)
    from carag_dsl.cli.lint import PARTIAL

    return 1 if result.routes_differently or bad else PARTIAL if result.partial else 0


def _rule_sets(args) -> tuple[RuleSet, RuleSet, str, str]:
    """(old, new, old's name, new's name) as the arguments give them."""
    if args.git is None:
        if len(args.paths) != 2:
            raise UsageError("give two rule sets to compare (carag diff OLD NEW), or one with a revision (carag diff --git REV [RULES])")
        old_path, new_path = args.paths
        return load(old_path), load(new_path), old_path, new_path
    if len(args.paths) > 1:
        raise UsageError("with --git, give at most one rule set: carag diff --git REV [RULES]")
    from carag_dsl.tools.diff.revision import rules_at_revision

    choice = choose_rules(args.paths[0] if args.paths else None)
    new = load(choice.path)
    if not args.paths:
        announce(new, choice)
    # Loaded rules keep their text, so the revision's temporary copy is needed only while they load.
    with rules_at_revision(args.git, choice.path) as (copy_root, old_path, in_repository):
        try:
            old = load(old_path)
        except RuleError as error:
            raise _at_revision(error, copy_root, args.git) from None
        except UsageError as error:  # no rule set there, say: named by revision, never by the temporary copy
            raise UsageError(_by_revision(str(error), copy_root, args.git)) from None
    return old, new, f"{args.git}:{in_repository}", args.paths[0] if args.paths else _shown(choice.path)


def _shown(path: Path) -> str:
    """A path found by carag as people read it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)


def _at_revision(error: RuleError, copy_root: Path, revision: str) -> RuleError:
    """The errors of the old rules, their places and words naming REV:path rather than the temporary copy."""
    prefix = str(copy_root.resolve()) + "/"

    def place(span):
        if span.source is None or not span.source.path.startswith(prefix):
            return span
        return attrs.evolve(span, source=Source(f"{revision}:{span.source.path[len(prefix):]}", span.source.text))

    def words(text: str) -> str:
        return _by_revision(text, copy_root, revision)

    return RuleError(attrs.evolve(d, span=place(d.span), message=words(d.message), notes=tuple((place(s), words(n)) for s, n in d.notes))
                     for d in error.diagnostics)


def _by_revision(text: str, copy_root: Path, revision: str) -> str:
    """``text`` with every path into the temporary copy written REV:path (and the copy itself REV:)."""
    for root in dict.fromkeys((str(copy_root.resolve()), str(copy_root))):
        text = text.replace(root + "/", f"{revision}:").replace(root, f"{revision}:.")
    return text


def _compare_sample(args, old: RuleSet, new: RuleSet, pairing) -> tuple[dict, int]:
    from carag_dsl.tools.diff.empirical import CaseComparison

    comparison = CaseComparison(old, new, pairing, args.by)  # an unknown --by fails before any reading
    reader = reader_for(args.cases)
    bad, kind = feed_cases(args.cases, lambda lines: _read_cases(reader, old, new, lines, args.cases), comparison.add, "comparing")
    if bad:
        print(f"{bad_count(bad, args.cases, kind)} left out of the comparison", file=sys.stderr)
    return comparison.result(), bad


def _read_cases(reader, old: RuleSet, new: RuleSet, lines, path: str):
    """The rows of the sample, read with the new version's columns or, for a CSV of the old one, with its columns."""
    try:
        yield from reader(new, lines, path)
    except CsvHeaderError:
        if path == "-":
            raise
        with open_input(path) as again:  # a column only the old version has (a question since removed)
            yield from reader(old, case_lines(again), path)


def _write(data: dict, args) -> None:
    if args.format == "json":
        import json

        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    elif args.format == "html":
        from carag_dsl.tools.diff.render_html import render_html

        text = render_html(data)
    else:
        from carag_dsl.tools.diff.render import RENDERERS

        text = RENDERERS[args.format](data)
    write_report(text, args.output, "the diff")
