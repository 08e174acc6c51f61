"""The checked rule set, and the compiler pipeline that builds it.

``compile_modules`` runs the passes in order: collect declarations
(:mod:`.symbols`), type-check (:mod:`.typecheck`), build the dependency graph
and find cycles (:mod:`.graph`). Every pass reports all it finds; the
diagnostics of all passes are raised together as one :class:`RuleError`.

:class:`CheckedRules` is what the later layers receive: immutable, and with no
knowledge of how cases are evaluated or rated. Those layers keep what they
derive from it (the compiled function, the case-field table) with
:meth:`CheckedRules.derived`, so it is built once per rule set without the
compiler importing them.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import threading
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence, TypeVar

import attrs

from carag_dsl.compiler import graph, groupings, inspection, meanings, symbols as symbols_pass, testcheck, typecheck
from carag_dsl.compiler import types as T
from carag_dsl.compiler.graph import Dependencies
from carag_dsl.compiler.follow_on import without_follow_on_errors
from carag_dsl.compiler.limits import check_limits
from carag_dsl.errors import Diagnostic, RuleError
from carag_dsl.language import ast
from carag_dsl.language.loader import ParseText, ReadText, load_modules_partial, read_file, read_test_files, test_files
from carag_dsl.language.ast_cache import parse_cached
from carag_dsl.language.resources import bundled_rules_path
from carag_dsl.source import NOWHERE

if TYPE_CHECKING:
    import networkx as nx

_Derived = TypeVar("_Derived")

#: Ratings over fewer cases than this carry a caveat unless ``bands`` declares another size.
#: No source sets it: at ten cases one case moves a share by ten points, the width of a band.
DEFAULT_SMALL_SAMPLE = 10
_Rules = TypeVar("_Rules", bound="CheckedRules")


@attrs.frozen
class Question:
    """A question as embedding code sees it (a read-only view of its declaration)."""

    id: str
    kind: str  # "prompt" | "information" | "judgement"
    text: str
    label: str | None
    answer_kind: str  # "yes_no" | "yes_no_not_a_factor" | "text" | "one" | "any" | "scale"
    options: tuple[str, ...]
    guidance: str | None
    section: str | None
    informed_by: tuple[str, ...]


class CheckedRules:
    """A rule set that passed every check: declarations, types, dependency graph, evaluation order.

    Immutable: ``questions`` and ``facts`` are read-only mappings and ``graph``
    is a frozen networkx graph (changing either raises), built on first use.
    """

    __slots__ = ("_symbols", "_dependencies", "_modules", "_tests", "_warnings", "_order", "_scales", "_questions", "_derived", "_derived_lock", "__weakref__")

    def __init__(
        self, symbols: symbols_pass.Symbols, dependencies: Dependencies, order: Sequence[str], modules: list[ast.Module],
        test_files: Sequence[ast.TestDecl] = (), warnings: Sequence[Diagnostic] = (),
    ):
        self._symbols = symbols
        self._warnings = tuple(warnings)
        self._tests = tuple(symbols.tests) + tuple(test_files)
        self._dependencies = dependencies
        self._modules = tuple(modules)
        self._order = tuple(order)
        self._scales = _scale_ranks(symbols)
        self._questions: Mapping[str, Question] = MappingProxyType(
            {qid: _question_view(symbols, decl) for qid, decl in symbols.questions.items()}
        )
        self._derived: dict[Callable[..., Any], Any] = {}
        self._derived_lock = threading.Lock()

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_derived_lock"):  # set once in __init__, never again
            raise AttributeError(f"a rule set cannot be changed once built (tried to set {name!r})")
        object.__setattr__(self, name, value)

    # -- what the compiler found
    @property
    def symbols(self) -> symbols_pass.Symbols:
        """Every declaration, by name (the compiler's symbol table)."""
        return self._symbols

    @property
    def graph(self) -> "nx.DiGraph":
        """The dependency graph (frozen): nodes ``fact:NAME``, ``define:NAME``, ``case_type``, ``question:ID``.

        Built on first use: evaluating cases never needs it (nor networkx).
        """
        return self.derived(_frozen_graph)

    @property
    def modules(self) -> tuple[ast.Module, ...]:
        """The parsed files, root first, in include order."""
        return self._modules

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """What the checks found worth a look but not wrong (severity "warning"), e.g. a stale ``meaning``."""
        return self._warnings

    @property
    def tests(self) -> tuple[ast.TestDecl, ...]:
        """The test blocks, checked: those in the rule files, then (when loaded with ``tests=True``) ``tests/*.carag``."""
        return self._tests

    @property
    def dependencies(self) -> Dependencies:
        """The dependency graph's nodes and edges as plain dicts (what reads what), without networkx."""
        return self._dependencies

    @property
    def order(self) -> tuple[str, ...]:
        """Graph nodes in an order where every node comes after what it reads."""
        return self._order

    @property
    def questions(self) -> Mapping[str, Question]:
        """Every question, in document order (read-only)."""
        return self._questions

    @property
    def name(self) -> str | None:
        return self._symbols.header.name if self._symbols.header else None

    @property
    def version(self) -> str | None:
        return self._symbols.header.version if self._symbols.header else None

    @property
    def case_types(self) -> tuple[str, ...]:
        return self._symbols.case_types()

    @property
    def facts(self) -> Mapping[str, ast.FactDecl]:
        return MappingProxyType(self._symbols.facts)

    @property
    def small_sample_below(self) -> int:
        """Ratings over fewer cases than this carry a caveat (``small sample below N cases`` in ``bands``; 10 when not declared)."""
        bands = self._symbols.bands
        return bands.small_sample if bands is not None and bands.small_sample is not None else DEFAULT_SMALL_SAMPLE

    @property
    def content_hash(self) -> str:
        """A short hash of every rule file's text, in load order: stored results can name the rules they came from."""
        return self.derived(_content_hash)

    def option_order(self, question_id: str) -> tuple[str, ...]:
        return self._questions[question_id].options

    def field_options(self, node: str) -> tuple[str, ...]:
        """The option codes, in order, of a graph node ``fact:NAME`` or ``question:ID`` (empty for other types)."""
        kind, name = node.split(":", 1)
        if kind == "question":
            return self.option_order(name)
        fact_type = self._symbols.facts[name].type
        return T.option_codes(fact_type) if fact_type.options else ()

    def scale_rank(self, left: Any, right: Any) -> tuple[int, int] | None:
        """Both values' ranks when both are codes of a scale (scales compare by rank, not alphabetically)."""
        if isinstance(left, str) and isinstance(right, str) and left in self._scales and right in self._scales:
            return self._scales[left], self._scales[right]
        return None

    @property
    def scale_ranks(self) -> Mapping[str, int]:
        """Rank of each code of each scale."""
        return MappingProxyType(self._scales)

    def derived(self, build: Callable[["CheckedRules"], _Derived]) -> _Derived:
        """``build(self)``, computed on first use and kept: how later layers attach what they derive.

        ``build`` must be a module-level function (it is the key) and must not
        change the rule set.
        """
        try:
            return self._derived[build]  # type: ignore[no-any-return]
        except KeyError:
            pass
        with self._derived_lock:
            if build not in self._derived:
                self._derived[build] = build(self)
            return self._derived[build]  # type: ignore[no-any-return]


def _question_view(symbols: symbols_pass.Symbols, decl: ast.QuestionDecl) -> Question:
    section = symbols.section_of.get(decl.id)
    return Question(
        id=decl.id,
        kind=decl.kind,
        text=decl.text or "",
        label=decl.label,
        answer_kind=decl.answer.kind if decl.answer else "text",
        options=T.option_codes(decl.answer) if decl.answer else (),
        guidance=decl.guidance,
        section=section.title if section else None,
        informed_by=tuple(ref.question_id for ref in decl.informed_by),
    )


def _scale_ranks(symbols: symbols_pass.Symbols) -> dict[str, int]:
    ranks: dict[str, int] = {}
    decls = [f.type for f in symbols.facts.values()] + [q.answer for q in symbols.questions.values() if q.answer]
    for type_expr in decls:
        if type_expr.kind == "scale":
            for index, option in enumerate(type_expr.options):
                ranks[option.code] = index
    return ranks


def _frozen_graph(rules: CheckedRules) -> "nx.DiGraph":
    import networkx as nx

    return nx.freeze(graph.build(rules.symbols, rules.dependencies))


def _content_hash(rules: CheckedRules) -> str:
    digest = hashlib.sha256()
    for module in rules.modules:
        digest.update(module.text.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (as it was after it).

    Parsing, checking and compiling allocate hundreds of thousands of objects
    that mostly stay alive; each allocation burst makes the collector walk them
    all again for little. Paused, a rule set of 10,000 questions parsed in half
    the time in one measurement; benchmarks/startup.py times 2,000 questions
    (8% faster) and the CARaG (no difference beyond noise).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compile_modules(
    modules: list[ast.Module], cls: type[_Rules], test_files: Sequence[ast.TestDecl] = (), earlier: Sequence[Diagnostic] = ()
) -> _Rules:
    """Run every compiler pass over parsed modules; raise RuleError with all diagnostics.

    ``cls`` is the class to build (:class:`CheckedRules` or a subclass, such as
    the public :class:`carag_dsl.RuleSet`). ``test_files`` are test blocks read
    from test-only files, checked with the rule files' own; ``earlier`` are
    diagnostics found while reading, reported with the compiler's.
    """
    table, diagnostics = symbols_pass.collect(modules)
    diagnostics = list(earlier) + diagnostics
    too_big = check_limits(modules)
    if too_big:  # the other passes walk expressions recursively: not past these limits
        raise RuleError(diagnostics + too_big)
    try:
        _, type_diagnostics = typecheck.check(table)
    except RecursionError:  # the parser accepts deeper nesting than the checker can walk
        first = modules[0].items[0].span if modules and modules[0].items else NOWHERE
        raise RuleError([Diagnostic(first, "too-deep", "an expression is nested too deeply to check (hundreds of levels of brackets or 'not'); split it into defined names")]) from None
    diagnostics += type_diagnostics
    table, grouping_diagnostics = groupings.lower(table)  # comparisons with groupings become conditions on facts
    diagnostics += grouping_diagnostics
    dependencies = Dependencies(table)
    order = graph.evaluation_order(dependencies)
    if order is None:  # only then is the networkx graph needed, to name every declaration on each cycle
        diagnostics += graph.cycle_diagnostics(graph.build(table, dependencies), table)
    diagnostics += testcheck.check_tests(table, [*table.tests, *test_files])
    diagnostics += meanings.meaning_warnings(table)
    diagnostics += inspection.check_inspection_questions(table)
    diagnostics = without_follow_on_errors(diagnostics)
    if any(d.severity == "error" for d in diagnostics):
        raise RuleError(diagnostics)  # the warnings too, so an editor can show everything at once
    assert order is not None  # a cycle is an error
    return cls(table, dependencies, order, modules, test_files, diagnostics)


def compile_path(
    path: str | Path | None,
    cls: type[_Rules],
    tests: bool = False,
    read_text: ReadText = read_file,
    parse_text: ParseText = parse_cached,
) -> _Rules:
    """Compile a .carag file or a folder of them; ``None`` compiles the bundled CARaG V1.1 rule set.

    With ``tests``, the test-only files of a folder (``tests/*.carag``) are read and checked too, and
    their test blocks join the rule set's ``tests``. ``read_text`` and ``parse_text`` are how files are
    read and parsed (the language server passes its unsaved buffers and kept parses).
    """
    root = bundled_rules_path() if path is None else Path(path)
    with gc_paused():
        # Syntax errors are reported with the checks of what parsed.
        modules, earlier = load_modules_partial(root, read_text, parse_text)
        extra: list[ast.TestDecl] = []
        if tests:
            try:
                extra = read_test_files(test_files(root), read_text, parse_text)
            except RuleError as error:  # reported together with whatever the rule files have
                earlier += error.diagnostics
        return compile_modules(modules, cls, extra, earlier)


def compile_text(text: str, cls: type[_Rules], path: str = "<string>") -> _Rules:
    """Compile a rule set given as text (one file, no includes)."""
    from carag_dsl.language.parser import parse  # Lark, imported when a text is parsed

    with gc_paused():
        return compile_modules([parse(text, path)], cls)


def load(path: str | Path | None = None, tests: bool = False) -> CheckedRules:
    """:func:`compile_path` to a plain :class:`CheckedRules` (what the tools work on)."""
    return compile_path(path, CheckedRules, tests)


def loads(text: str, path: str = "<string>") -> CheckedRules:
    """:func:`compile_text` to a plain :class:`CheckedRules`."""
    return compile_text(text, CheckedRules, path)
