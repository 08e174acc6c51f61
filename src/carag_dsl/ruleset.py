"""The compiled rule set, and the compiler pipeline that builds it.

``compile_modules`` runs the passes in order: collect declarations
(:mod:`.symbols`), type-check (:mod:`.typecheck`), build the dependency graph
and find cycles (:mod:`.graph`). Every pass reports all it finds; the
diagnostics of all passes are raised together as one :class:`RuleError`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

import attrs
import networkx as nx

from . import ast, graph, symbols as symbols_pass, typecheck
from . import types as T
from .casedata import field_specs, read_case
from .errors import Diagnostic, RuleError, UsageError
from .evaluation import Evaluation
from .evaluator import run
from .logic import UNKNOWN
from .loader import load_modules
from .parser import parse
from .resources import bundled_rules_path
from .source import NOWHERE

if TYPE_CHECKING:
    from .codegen import CompiledRules

#: The evaluation back ends: the generated Python function, and the tree-walking reference evaluator.
BACKENDS = ("compiled", "reference")


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


class RuleSet:
    """A checked rule set, ready to evaluate cases.

    Build one with :func:`carag_dsl.load`. ``questions`` lists every question in
    document order; ``graph`` is the dependency graph (networkx).
    """

    def __init__(self, symbols: symbols_pass.Symbols, dependency_graph: nx.DiGraph, modules: list[ast.Module]):
        self.symbols = symbols
        self.graph = dependency_graph
        self.modules = modules
        self.order = graph.evaluation_order(dependency_graph)
        self._scales = self._scale_ranks()
        self.questions: dict[str, Question] = {qid: self._question(decl) for qid, decl in symbols.questions.items()}

    # -- description
    @property
    def name(self) -> str | None:
        return self.symbols.header.name if self.symbols.header else None

    @property
    def version(self) -> str | None:
        return self.symbols.header.version if self.symbols.header else None

    @property
    def case_types(self) -> tuple[str, ...]:
        return self.symbols.case_types()

    @property
    def facts(self) -> dict[str, ast.FactDecl]:
        return dict(self.symbols.facts)

    def _question(self, decl: ast.QuestionDecl) -> Question:
        section = self.symbols.section_of.get(decl.id)
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

    def option_order(self, question_id: str) -> tuple[str, ...]:
        return self.questions[question_id].options

    def _scale_ranks(self) -> dict[str, int]:
        """Rank of each code of each scale; scales are compared by rank, not alphabetically."""
        ranks: dict[str, int] = {}
        decls = [f.type for f in self.symbols.facts.values()] + [q.answer for q in self.symbols.questions.values() if q.answer]
        for type_expr in decls:
            if type_expr.kind == "scale":
                for index, option in enumerate(type_expr.options):
                    ranks[option.code] = index
        return ranks

    def scale_rank(self, left: Any, right: Any) -> tuple[int, int] | None:
        if isinstance(left, str) and isinstance(right, str) and left in self._scales and right in self._scales:
            return self._scales[left], self._scales[right]
        return None

    # -- evaluation
    @functools.cached_property
    def case_fields(self) -> tuple[dict, dict]:
        """What case data may hold, prepared once for reading cases fast (see casedata.field_specs)."""
        return field_specs(self)

    @functools.cached_property
    def compiled(self) -> "CompiledRules":
        """The rules compiled to a Python function (built on first use, then kept); ``compiled.source`` shows it."""
        from .codegen import CompiledRules

        return CompiledRules(self)

    def evaluate(self, case: Mapping[str, Any], backend: str = "compiled") -> Evaluation:
        """Evaluate one case (``{"id", "facts", "answers"}``). Raises CaseDataError for bad data.

        ``backend="compiled"`` (the default) runs the generated Python function;
        ``backend="reference"`` runs the tree-walking evaluator that defines the
        semantics. Both give the same results and errors.
        """
        if backend not in BACKENDS:
            raise UsageError(f"unknown backend {backend!r}; expected one of {', '.join(map(repr, BACKENDS))}")
        data = read_case(self, case)
        if backend == "compiled":
            return self.compiled.evaluate(data)
        scope, questions, warnings, case_type_source = run(self, data)
        case_type = None if scope.case_type is UNKNOWN else scope.case_type
        return Evaluation(self, data.id, case_type, case_type_source, questions, warnings, scope)

    def evaluate_many(self, cases: Iterable[Mapping[str, Any]], backend: str = "compiled") -> Iterator[Evaluation]:
        """Evaluate cases one by one, lazily (constant memory over any number of cases)."""
        for case in cases:
            yield self.evaluate(case, backend)

    def rate(self, cases: Iterable[Mapping[str, Any]], by: str | None = None) -> dict[str, Any]:
        """Rate a sample of cases: per key question the share judged 'yes' and its band, per standard its band.

        Streams ``cases`` in constant memory. ``by`` (a fact, a defined name,
        ``case_type`` or a question id) also breaks every figure down by that
        value. Returns the JSON-ready shape documented in docs/ratings.md;
        raises UsageError for an unknown ``by``, CaseDataError for bad case data.
        """
        from .rating import rate

        return rate(self, cases, by)


def compile_modules(modules: list[ast.Module]) -> RuleSet:
    """Run every compiler pass over parsed modules; raise RuleError with all diagnostics."""
    table, diagnostics = symbols_pass.collect(modules)
    try:
        _, type_diagnostics = typecheck.check(table)
    except RecursionError:  # the parser accepts deeper nesting than the checker can walk
        first = modules[0].items[0].span if modules and modules[0].items else NOWHERE
        raise RuleError([Diagnostic(first, "too-deep", "an expression is nested too deeply to check (hundreds of levels of brackets or 'not'); split it into defined names")]) from None
    diagnostics += type_diagnostics
    dependency_graph = graph.build(table)
    diagnostics += graph.cycle_diagnostics(dependency_graph, table)
    if diagnostics:
        raise RuleError(diagnostics)
    return RuleSet(table, dependency_graph, modules)


def load(path: str | Path | None = None) -> RuleSet:
    """Compile a .carag file or a folder of them; ``None`` loads the bundled CARaG V1.1 rule set."""
    root = bundled_rules_path() if path is None else Path(path)
    return compile_modules(load_modules(root))


def loads(text: str, path: str = "<string>") -> RuleSet:
    """Compile a rule set given as text (one file, no includes)."""
    return compile_modules([parse(text, path)])
