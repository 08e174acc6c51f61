"""Evaluating a batch of cases at once: the rule set's graph order, run over columns.

The engine decides every case it can decide exactly in vector form. A case it
cannot is marked and evaluated by the per-case path instead, so its result (or
its located error) is the per-case one to the letter:

- a bad cell (the per-case checker words the error),
- whole numbers beyond +-2**62 (Python's are unbounded; int64 is not),
- contradicting case-type overrides that quote a multiple-choice answer (a set's text is Python's),
- an answer that differs from the value a derive rule gives (an error).

The case type under unknowns, overrides (taken, pending, or refused with a warning), a case an ``exclude
when`` rule leaves out or may leave out (reported with no routing: no case type, every question not
applicable or pending, no warnings), and the errors of failing constraints and of other contradicting
overrides are decided here, as the reference decides them (the formulas of compiler.routing).

A batch is never filtered: every input row has exactly one result, in order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

from carag_dsl.compiler.graph import CASE_TYPE_NODE, expression_inputs, given_inputs, node_label
from carag_dsl.compiler.routing import Algebra, Kleene, case_type_decision, exclusion_decision
from carag_dsl.errors import CaseDataError, CaseProblem
from carag_dsl.compiler.outcomes import (
    REFUSED_OVERRIDE_START, consistency_warning, given_values, ignored_answer_warning, refused_override_end,
)
from carag_dsl.runtime.columnar.decode import decode_column, unknown_vec
from carag_dsl.runtime.columnar.lowering import Env, Lowering, Unsupported, declared_kind
from carag_dsl.runtime.columnar.vectors import FALSE, STR, TRUE, Strings, Vec

from carag_dsl.runtime.evaluation import excluded_json

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules
    from carag_dsl.runtime.evaluation import Evaluation

#: Status codes of the result columns, in the order of :data:`STATUSES`.
#: ``1 - applies`` for the three-valued 'applies when' (true 1, unknown 0, false -1): one pass, no lookup.
APPLIES, PENDING, NOT_APPLICABLE = 0, 1, 2
STATUSES = ("applies", "pending", "not_applicable")
#: Source codes: no value, an answer, a derived value.
SOURCES = (None, "answer", "derived")
#: ``BatchResult.excluded`` of a row that is inspected, and of one not known to be inspected or excluded
#: (an excluded row holds the index of its ``exclude when`` rule).
INSPECTED, NOT_KNOWN = -1, -2
#: compiler.routing's formulas over numpy arrays of booleans.
_NUMPY = Algebra(np.logical_and, np.logical_or, np.logical_not)


def _rows(formula: Any, n: int) -> np.ndarray:
    """A formula's rows as a bool array (a formula that folded to a constant covers every row or none)."""
    if formula is True or formula is False:
        return np.full(n, formula)
    return formula

#: How the per-case path evaluates the given rows: for each, its Evaluation or the text of its error.
#: The second argument names the bad cells: column name -> rows whose cell there is bad (columns with any).
PerCase = Callable[[list[int], Mapping[str, np.ndarray]], "list[Evaluation | str]"]


class ColumnarRules:
    """A rule set lowered to numpy (built once per rule set: ``rules.derived(ColumnarRules)``)."""

    def __init__(self, rules: "CheckedRules"):
        self.rules = rules
        self.symbols = rules.symbols
        self.lowering = Lowering(rules)
        self.unsupported: str | None = None
        try:
            self._plan = self._lower()
        except Unsupported as why:  # evaluated per case instead, every row
            self.unsupported, self._plan = str(why), []

    def _lower(self) -> list:
        symbols, lower = self.symbols, self.lowering
        plan: list = []
        for node in self.rules.order:
            if node == CASE_TYPE_NODE:
                decl = symbols.case_type
                if decl is None:
                    continue
                overrides = [(o.value, o.replaces, lower.expr(o.condition)) for o in decl.overrides]
                rules = [(r.value, None if r.condition is None else lower.expr(r.condition)) for r in decl.rules]
                plan.append(("case_type", overrides, rules))
                # What a refused override's warning quotes: the facts and answers its condition reads.
                self._override_inputs = [
                    [(kind, name, self.rules.field_options(node))
                     for node in given_inputs(o.condition, symbols) for kind, name in [node.split(":", 1)]]
                    for o in decl.overrides
                ]
                # What a contradiction's error quotes: the answers each override reads.
                self._override_questions = [
                    [node_label(node) for node in expression_inputs(o.condition, symbols) if node.startswith("question:")]
                    for o in decl.overrides
                ]
                self._override_values = [o.value for o in decl.overrides]
                continue
            kind, name = node.split(":", 1)
            if kind == "define":
                plan.append(("define", name, lower.expr(symbols.defines[name].expr)))
                lower.kind(symbols.defines[name].expr)
                continue
            question = symbols.questions[name]
            applies = None if question.applies is None else lower.expr(question.applies)
            derive = [(lower.ids[rule.value], lower.expr(rule.condition)) for rule in question.derive]
            plan.append(("question", name, applies, derive))
        self._constraints = [(c.field, lower.expr(c.expr), CaseProblem(f"facts.{c.field}", c.message)) for c in symbols.constraints]
        self._consistency = [(c.field, c.on_answer, lower.expr(c.expr), consistency_warning(c)) for c in symbols.consistency]
        self._exclusions = [lower.expr(e.condition) for e in symbols.exclusions]
        self.exclusion_reasons = tuple(e.reason for e in symbols.exclusions)
        #: Per exclusion, the facts and questions it reads (through defined names): what a row not known to be
        #: inspected waits for.
        self.exclusion_inputs = tuple(
            tuple(tuple(node.split(":", 1)) for node in given_inputs(e.condition, symbols)) for e in symbols.exclusions
        )
        return plan

    # -------------------------------------------------------------- one batch
    def evaluate(self, columns: Mapping[str, Any], n: int, per_case: PerCase, text_forms: bool = True,
                 marked: np.ndarray | None = None, read_ids: Callable[[], list[Any]] | None = None,
                 read_ids_at: Callable[[list[int]], list[Any]] | None = None) -> "BatchResult":
        """Evaluate ``n`` cases given as columns (name -> column; facts and question ids; see decode).

        ``per_case(rows, bad_cells)`` evaluates those rows the per-case way; it is called once, with the
        rows the vector form cannot decide exactly and every row marked in ``marked``. ``read_ids`` gives
        each case's id, ``read_ids_at`` those of some rows (read when an error names them).
        """
        batch = self.decode(columns, n, text_forms, marked)
        result, to_per_case = self.route(batch)
        if read_ids is not None:
            result.read_ids, result.read_ids_at = read_ids, read_ids_at
        if result.contradictions is not None:  # raised before the constraints are checked
            to_per_case |= self._contradiction_errors(result, batch.answers, to_per_case)
        if result.broken_constraints:
            worded = np.zeros(n, dtype=bool)
            worded[list(result.per_case)] = True
            to_per_case |= self._constraint_errors(result, to_per_case | worded)
        rows = np.flatnonzero(to_per_case).tolist()
        if rows:
            result.per_case.update(zip(rows, per_case(rows, batch.bad_cells)))
        return result

    def _contradiction_errors(self, result: "BatchResult", answers: dict[str, Vec], to_per_case: np.ndarray) -> np.ndarray:
        """Word the error of each row whose overrides contradict each other (and has no bad cell), as the
        reference words it: the answers each override reads, the case type it asks for; returns the rows
        left to the per-case path (and the rows with another fault, untouched)."""
        contradict, held = result.contradictions  # type: ignore[misc]
        left = np.zeros(result.n, dtype=bool)
        strings = result.strings.values
        rows = np.flatnonzero(contradict & ~to_per_case).tolist()
        for row, case_id in zip(rows, result.ids_at(rows)):
            parts: dict[str, str] = {}  # case type -> its part, the first override asking for it
            for index, holds in enumerate(held):
                value = self._override_values[index]
                if not holds[row] or value in parts:
                    continue
                quoted = [(qid, vec) for qid in self._override_questions[index]
                          for vec in [answers.get(qid)] if vec is not None and vec.is_known()[row]]
                if any(vec.kind != STR for _, vec in quoted):
                    break
                given = [f"{qid} = {strings[vec.data[row]]!r}" for qid, vec in quoted]
                parts[value] = f"{', '.join(given)} makes the case {value}"
            else:
                if _worded_in_columns(case_id):
                    text = "the answers contradict each other: " + " but ".join(parts.values()) + "; correct one of them"
                    result.per_case[row] = str(CaseDataError([CaseProblem("answers", text)], case_id))
                    continue
            left[row] = True  # a set quoted, or an odd id: the per-case path words it
        return left

    def _constraint_errors(self, result: "BatchResult", to_per_case: np.ndarray) -> np.ndarray:
        """Word the error of each row whose only fault is failing constraints, as read_case's checks and the
        reference word it (every failing constraint, in order); returns the rows left to the per-case path."""
        broken = np.zeros(result.n, dtype=bool)
        for rows, _ in result.broken_constraints:
            broken |= rows
        left = np.zeros(result.n, dtype=bool)
        wording = np.flatnonzero(broken & ~to_per_case).tolist()
        for row, case_id in zip(wording, result.ids_at(wording)):
            if not _worded_in_columns(case_id):  # an odd id: the per-case path words it
                left[row] = True
                continue
            problems = [problem for rows, problem in result.broken_constraints if rows[row]]
            result.per_case[row] = str(CaseDataError(problems, case_id))
        return left

    def decode(self, columns: Mapping[str, Any], n: int, text_forms: bool = True, marked: np.ndarray | None = None) -> "DecodedBatch":
        """The columns checked and converted to vectors (the columnar counterpart of read_case)."""
        strings = Strings(self.lowering.fixed, dict(self.rules.scale_ranks))
        batch = DecodedBatch(n, strings, np.zeros(n, dtype=bool) if marked is None else marked.copy())
        for name, decl in self.symbols.facts.items():
            batch.facts[name] = self._column(name, decl.type, columns.get(name), batch, text_forms)
        for qid, question in self.symbols.questions.items():
            if question.answer is not None:
                batch.answers[qid] = self._column(qid, question.answer, columns.get(qid), batch, text_forms)
        return batch

    def route(self, batch: "DecodedBatch") -> "tuple[BatchResult, np.ndarray]":
        """Route a decoded batch (left as it is): the results, and the rows the per-case path must decide."""
        n, answers = batch.n, batch.answers
        env = Env(n, batch.strings, self.lowering.universe_of_id)
        env.facts = dict(batch.facts)
        to_per_case = batch.to_per_case.copy()
        result = BatchResult(self, n, batch.strings)
        result.env = env
        env.case_type = Vec(STR, result.case_type, np.zeros(n, dtype=bool))  # unknown without a 'case type' block
        if self.unsupported is not None:
            to_per_case[:] = True
            return result, to_per_case
        self._run(env, answers, result)
        to_per_case |= env.to_per_case
        for field, check, problem in self._constraints:  # the case's error, unless it has another (see evaluate)
            broken = env.facts[field].is_known() & (check(env).data == FALSE)
            if broken.any():
                result.broken_constraints.append((broken, problem))
        for field, on_answer, check, warning in self._consistency:  # warnings after the questions' own
            given = (answers[field] if on_answer else env.facts[field]).is_known()
            broken = given & (check(env).data == FALSE)
            if broken.any():
                result.warning_sources.append((broken, warning, None))
        self._exclude(env, answers, result)
        return result, to_per_case

    def _column(self, name, type_expr, column, batch: "DecodedBatch", text_forms) -> Vec:
        if column is None:
            return unknown_vec(declared_kind(type_expr), batch.n, len(self.lowering.universe))
        decoded = decode_column(self.lowering, type_expr, column, batch.n, batch.strings, text_forms)
        if decoded.per_case is not None:
            batch.to_per_case |= decoded.per_case
        if decoded.bad is not None:
            batch.to_per_case |= decoded.bad
            batch.bad_cells[name] = decoded.bad
        return decoded.vec

    def _run(self, env: Env, answers: dict[str, Vec], result: "BatchResult") -> None:
        for step in self._plan:
            if step[0] == "define":
                env.defines[step[1]] = step[2](env)
            elif step[0] == "case_type":
                self._case_type(env, answers, step[1], step[2], result)
            else:
                self._question(env, answers, result, *step[1:])

    def _exclude(self, env: Env, answers: dict[str, Vec], result: "BatchResult") -> None:
        """As the reference's exclusion (compiler.routing): the first ``exclude when`` rule that certainly holds
        leaves the case out (every question not applicable), and a case none certainly leaves out while some
        may is not known to be inspected (every question pending); neither reports routing."""
        if not self._exclusions:
            return
        values = [exclusion(env).data for exclusion in self._exclusions]
        decision = exclusion_decision(_NUMPY, [Kleene(v == TRUE, v == FALSE) for v in values])
        excluded = np.full(env.n, INSPECTED, dtype=np.int16)
        for index, first in enumerate(decision.first_holding):
            excluded[_rows(first, env.n)] = index
        excluded[_rows(decision.not_known, env.n)] = NOT_KNOWN
        if (excluded == INSPECTED).all():
            return
        result.excluded = excluded
        result.exclusion_values = values
        result.given = {("fact", name): vec.is_known() for name, vec in env.facts.items()}
        result.given.update({("question", qid): vec.is_known() for qid, vec in answers.items()})
        for status, rows in ((NOT_APPLICABLE, np.flatnonzero(excluded >= 0)), (PENDING, np.flatnonzero(excluded == NOT_KNOWN))):
            result.case_type_source[rows] = 0
            for qid in result.status:  # fresh arrays of this batch; the values the rules read are left alone
                result.status[qid][rows] = status
                result.source[qid][rows] = 0

    def _case_type(self, env: Env, answers: dict[str, Vec], overrides, rules, result: "BatchResult") -> None:
        """As the reference's decide_case_type: overrides that certainly hold for different types contradict each
        other; the case type is the formulas of compiler.routing over the conditions' Kleene values."""
        n = env.n
        ids = self.lowering.ids
        decl = self.symbols.case_type
        assert decl is not None  # planned only where a case type is declared
        chosen = np.full(n, -1, dtype=np.int32)  # the case type of the first override that holds
        contradict = np.zeros(n, dtype=bool)
        held = []
        override_values: list[Kleene] = []
        for code, _, condition in overrides:
            data = condition(env).data
            holds = data == TRUE
            held.append(holds)
            override_values.append(Kleene(holds, data == FALSE))
            code_id = ids[code]
            contradict |= holds & (chosen >= 0) & (chosen != code_id)
            chosen[holds & (chosen < 0)] = code_id
        if contradict.any():  # an error, worded by evaluate (see _contradiction_errors)
            result.contradictions = (contradict, held)
        rule_values: list[Kleene] = []
        for _, condition in rules:
            if condition is None:
                rule_values.append(Kleene(True, False))
            else:
                data = condition(env).data
                rule_values.append(Kleene(data == TRUE, data == FALSE))
        decision = case_type_decision(decl, _NUMPY, rule_values, override_values)
        value = np.zeros(n, dtype=np.int32)
        source = np.zeros(n, dtype=np.int8)
        for code, certain in decision.is_type.items():
            rows = _rows(certain, n)
            value[rows] = ids[code]
            derived = rows & _rows(decision.by_rules.get(code, False), n)
            source[rows] = 1
            source[derived] = 2
        env.case_type = Vec(STR, value, source > 0)
        result.case_type, result.case_type_source = value, source
        refused = np.zeros(n, dtype=bool)
        override_index = np.full(n, -1, dtype=np.int16)
        for index, certain in enumerate(decision.refused):  # the first refused override is quoted
            rows = _rows(certain, n) & ~refused
            override_index[rows] = index
            refused |= rows
        if refused.any():
            rule_index = np.zeros(n, dtype=np.int16)  # the rule that decided
            for index, first in reversed(list(enumerate(decision.first_holding))):
                rule_index[_rows(first, n)] = index
            result.warning_sources.append((refused, None, self._refused_warning(env, answers, override_index, rule_index)))

    def _refused_warning(self, env: Env, answers: dict[str, Vec], override_index: np.ndarray, rule_index: np.ndarray):
        """The warning of a refused override for one row, as the reference words it (the case's values quoted)."""
        decl = self.symbols.case_type
        assert decl is not None  # an override is refused only where the rule set declares a case type
        strings, universe = env.strings.values, self.lowering.universe
        ends: dict[tuple[int, int], str] = {}
        inputs = [
            [(name, vec, vec.is_known(), order) for kind, name, order in quoted
             for vec in [env.facts.get(name) if kind == "fact" else answers.get(name)] if vec is not None]
            for quoted in self._override_inputs
        ]

        def warning(row: int) -> str:
            override, decided = int(override_index[row]), int(rule_index[row])
            given = [(name, vec.python_value(row, strings, universe), tuple(order))
                     for name, vec, known, order in inputs[override] if known[row]]
            if (override, decided) not in ends:
                ends[override, decided] = refused_override_end(decl.overrides[override], decl, decided)
            return REFUSED_OVERRIDE_START + given_values(given) + ends[override, decided]

        return warning

    def _question(self, env: Env, answers, result: "BatchResult", qid, applies, derive) -> None:
        n = env.n
        if applies is None:
            status = np.zeros(n, dtype=np.int8)
        else:
            status = np.subtract(1, applies(env).data, dtype=np.int8)  # 1, 0, -1 -> applies, pending, not applicable
        answer = answers.get(qid)
        answered = answer.is_known() if answer is not None else np.zeros(n, dtype=bool)
        kind = answer.kind if answer is not None else STR
        if not derive:  # [Q] reads the answer
            value = answer if answer is not None else Vec(kind, np.zeros(n, dtype=np.int32), answered)
        else:
            derived = np.zeros(n, dtype=np.int32)
            derived_known = np.zeros(n, dtype=bool)
            applying = status == APPLIES
            for code_id, condition in derive:  # the first rule that holds gives the value
                holds = applying & ~derived_known & (condition(env).data == TRUE)
                derived[holds] = code_id
                derived_known |= holds
            # What [Q] reads: the answer when given (whatever the status), else the derived value.
            if kind == STR:
                value = Vec(STR, np.where(answered, answer.data if answer is not None else 0, derived).astype(np.int32), answered | derived_known)
            else:
                value = Vec(kind, answer.data, answered) if answer is not None else Vec(kind, np.zeros(n, dtype=np.int32), answered)
        env.values[qid] = value
        # An answer counts unless the question does not apply (then it is ignored, with a warning).
        counted = answered & (status != NOT_APPLICABLE) if applies is not None else answered.copy()
        if applies is not None and np.count_nonzero(counted) != np.count_nonzero(answered):
            result.warning_sources.append((answered & ~counted, ignored_answer_warning(qid), None))
        source = counted.view(np.int8)
        if derive:
            source = source + 2 * (~answered & derived_known).view(np.int8)
        result.add_question(qid, status, source, value)
        if derive:
            # An answer that differs from the derived value is an error the per-case path words.
            env.to_per_case |= counted & derived_known & (value.data != derived)


class DecodedBatch:
    """A batch's facts and answers as vectors, with the rows the vector form cannot decide."""

    def __init__(self, n: int, strings: Strings, to_per_case: np.ndarray):
        self.n = n
        self.strings = strings
        self.facts: dict[str, Vec] = {}
        self.answers: dict[str, Vec] = {}
        self.to_per_case = to_per_case
        self.bad_cells: dict[str, np.ndarray] = {}  # column name -> rows whose cell there is bad (columns with any)


class BatchResult:
    """The results of a batch, as columns: per question a status, a source and a value column."""

    def __init__(self, engine: ColumnarRules, n: int, strings: Strings):
        self.engine = engine
        self.n = n
        self.strings = strings
        self.case_type = np.zeros(n, dtype=np.int32)
        self.case_type_source = np.zeros(n, dtype=np.int8)
        self.status: dict[str, np.ndarray] = {}
        self.source: dict[str, np.ndarray] = {}
        self.value: dict[str, Vec] = {}
        # Per question in graph order: (rows warned, the warning, or a function of the row giving it).
        # The texts are made only when results are written (a rating needs none).
        self.warning_sources: list[tuple[Any, str | None, Callable[[int], str] | None]] = []
        #: Per constraint that fails in some row: (those rows, the problem). A row that has no other fault
        #: gets them as its error (ColumnarRules.evaluate).
        self.broken_constraints: list[tuple[np.ndarray, CaseProblem]] = []
        #: (rows whose overrides contradict each other, per override the rows where it holds), or None.
        self.contradictions: tuple[np.ndarray, list[np.ndarray]] | None = None
        self._warnings: dict[int, list[str]] | None = None
        self.per_case: dict[int, Any] = {}  # row -> Evaluation or error text, from the per-case path
        self._ids: list[Any] | None = None
        #: Reads each case's id when first asked (a rating needs none); set by whoever read the columns.
        self.read_ids: Callable[[], list[Any]] = lambda: [None] * n
        self.read_ids_at: Callable[[list[int]], list[Any]] | None = None  # the same for some rows
        #: Per row, the index of the ``exclude when`` rule that leaves it out, INSPECTED or NOT_KNOWN; None when
        #: every row is inspected.
        self.excluded: np.ndarray | None = None
        #: The exclusions' Kleene columns and which facts and answers each row gives (kept for not-known rows).
        self.exclusion_values: list[np.ndarray] = []
        self.given: dict[tuple[str, str], np.ndarray] = {}
        self.env: Env | None = None  # the facts and defined names, for ratings broken down by one of them

    @property
    def ids(self) -> list[Any]:
        """Each row's case id."""
        if self._ids is None:
            self._ids = self.read_ids()
        return self._ids

    @ids.setter
    def ids(self, ids: list[Any]) -> None:
        self._ids = ids

    def ids_at(self, rows: list[int]) -> list[Any]:
        """The ids of some rows (without reading every id of the batch when it has not been read)."""
        if self._ids is None and self.read_ids_at is not None:
            return self.read_ids_at(rows)
        ids = self.ids
        return [ids[row] for row in rows]

    def excluded_reason(self, row: int) -> str | None:
        """The reason the rules give for leaving a row's case out, or None."""
        if self.excluded is None or self.excluded[row] < 0:
            return None
        return self.engine.exclusion_reasons[int(self.excluded[row])]

    def exclusion_pending(self, row: int) -> tuple[str, ...] | None:
        """For a row not known to be inspected: the facts and answers, not given, that would settle it (as the
        reference's exclusion_of); None for any other row."""
        if self.excluded is None or self.excluded[row] != NOT_KNOWN:
            return None
        found: dict[str, None] = {}
        for values, inputs in zip(self.exclusion_values, self.engine.exclusion_inputs):
            if values[row] != TRUE and values[row] != FALSE:
                for kind, name in inputs:
                    given = self.given.get((kind, name))
                    if given is None or not given[row]:
                        found[name] = None
        return tuple(found)

    def excluded_json(self, row: int) -> Any:
        """The row's ``"excluded"`` as Evaluation.to_dict() gives it."""
        return excluded_json(self.excluded_reason(row), self.exclusion_pending(row))

    def add_question(self, qid: str, status: np.ndarray, source: np.ndarray, value: Vec) -> None:
        self.status[qid], self.source[qid], self.value[qid] = status, source, value

    @property
    def warnings(self) -> dict[int, list[str]]:
        """Row -> its warnings in the order the per-case path gives them (only rows that have any)."""
        if self._warnings is None:
            found: dict[int, list[str]] = {}
            for rows, text, make in self.warning_sources:
                if self.excluded is not None:  # a case excluded, or not known to be inspected, has no warnings
                    rows = rows & (self.excluded == INSPECTED)
                for row in np.flatnonzero(rows).tolist():
                    found.setdefault(row, []).append(make(row) if make is not None else text or "")
            self._warnings = found
        return self._warnings


def _worded_in_columns(case_id: Any) -> bool:
    """Whether a row's error can be worded here: its id is missing, a string or a whole number (not a bool,
    a float or an object, which the per-case path quotes its own way)."""
    return case_id is None or case_id.__class__ in (str, int)
