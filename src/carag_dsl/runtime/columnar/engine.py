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

Each question is one fused pass: its 'applies when' is computed once per batch however many questions share it
(lowering), its status column is made once per distinct condition and shared read-only, and its source is the
answer's mask and'ed with the rows where an answer counts. The cases an ``exclude when`` rule leaves out (or may
leave out) are kept as masks and folded into those shared columns at the end, not written into every question's
columns row by row. Row choices are arithmetic on masks (``value += rows * code``), never boolean-mask
assignment, which costs a branch per row. The garbage collector is paused while a batch is evaluated: a batch
makes few Python objects, and a collection in the middle would walk every object of the process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping

import numpy as np

from carag_dsl.compiler.graph import CASE_TYPE_NODE, expression_inputs, given_inputs, node_label
from carag_dsl.compiler.routing import Algebra, Kleene, case_type_decision, exclusion_decision
from carag_dsl.compiler.ruleset import gc_paused
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
        with gc_paused():
            return self._evaluate(columns, n, per_case, text_forms, marked, read_ids, read_ids_at)

    def _evaluate(self, columns, n, per_case, text_forms, marked, read_ids, read_ids_at) -> "BatchResult":
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
        routed = self._run(env, answers, result)
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
        inspected = self._exclude(env, answers, result, routed)
        self._statuses(result, routed, inspected)
        env.memo.clear()  # the values of expressions were needed while the batch ran only
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

    def _run(self, env: Env, answers: dict[str, Vec], result: "BatchResult") -> "_Routed":
        routed = _Routed()
        for step in self._plan:
            if step[0] == "define":
                env.defines[step[1]] = step[2](env)
            elif step[0] == "case_type":
                self._case_type(env, answers, step[1], step[2], result)
            else:
                self._question(env, answers, result, routed, *step[1:])
        return routed

    def _exclude(self, env: Env, answers: dict[str, Vec], result: "BatchResult", routed: "_Routed") -> np.ndarray | None:
        """As the reference's exclusion (compiler.routing): the first ``exclude when`` rule that certainly holds
        leaves the case out (every question not applicable), and a case none certainly leaves out while some
        may is not known to be inspected (every question pending); neither reports routing.

        Returns the rows inspected (None when every row is)."""
        if not self._exclusions:
            return None
        n = env.n
        values = [exclusion(env).data for exclusion in self._exclusions]
        decision = exclusion_decision(_NUMPY, [Kleene(v == TRUE, v == FALSE) for v in values])
        firsts = [(index, _rows(first, n)) for index, first in enumerate(decision.first_holding) if first is not False]
        not_known = _rows(decision.not_known, n)
        left_out = np.zeros(n, dtype=bool)
        for _, rows in firsts:
            left_out |= rows
        any_not_known = bool(not_known.any())
        if not any_not_known and not left_out.any():
            return None
        # The rules' rows are disjoint (the first that holds, or none holds and one may): a sum, not a choice per row.
        excluded = np.full(n, INSPECTED, dtype=np.int16)
        for index, rows in firsts:
            excluded += np.multiply(rows, index - INSPECTED, dtype=np.int16)
        excluded += np.multiply(not_known, NOT_KNOWN - INSPECTED, dtype=np.int16)
        result.excluded = excluded
        result.exclusion_values = values
        if any_not_known:  # what a row not known to be inspected waits for (exclusion_pending, read when written)
            result.given_from = (env.facts, answers)
        # Status of a row left out: not applicable (2); of one not known to be inspected: pending (1).
        inspected = ~(left_out | not_known)
        routed.exclusion_status = left_out.view(np.int8) * NOT_APPLICABLE + not_known.view(np.int8)
        result.case_type_source *= inspected.view(np.int8)
        return inspected

    def _case_type(self, env: Env, answers: dict[str, Vec], overrides, rules, result: "BatchResult") -> None:
        """As the reference's decide_case_type: overrides that certainly hold for different types contradict each
        other; the case type is the formulas of compiler.routing over the conditions' Kleene values."""
        n = env.n
        ids = self.lowering.ids
        decl = self.symbols.case_type
        assert decl is not None  # planned only where a case type is declared
        held = []
        override_values: list[Kleene] = []
        asking: dict[str, np.ndarray] = {}  # case type -> rows where an override asking for it certainly holds
        for code, _, condition in overrides:
            data = condition(env).data
            holds = data == TRUE
            held.append(holds)
            override_values.append(Kleene(holds, data == FALSE))
            asking[code] = asking[code] | holds if code in asking else holds
        if len(asking) > 1:  # overrides asking for two types in one row contradict each other
            contradict = np.zeros(n, dtype=bool)
            seen = np.zeros(n, dtype=bool)
            for rows in asking.values():
                contradict |= seen & rows
                seen |= rows
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
        # At most one type is certain in a row: the value is a sum over the types, the source 1 (+1 when derived).
        value = np.zeros(n, dtype=np.int32)
        known = np.zeros(n, dtype=bool)
        derived = np.zeros(n, dtype=bool)
        for code, certain in decision.is_type.items():
            if certain is False:
                continue
            rows = _rows(certain, n)
            value += np.multiply(rows, ids[code], dtype=np.int32)
            known |= rows
            by_rules = decision.by_rules.get(code, False)
            if by_rules is not False:
                derived |= rows & _rows(by_rules, n)
        source = known.view(np.int8) + derived.view(np.int8)  # (bool viewed as int8: no cast per element)
        env.case_type = Vec(STR, value, known)
        result.case_type, result.case_type_source = value, source
        if not any(refused is True or (refused is not False and refused.any()) for refused in decision.refused):
            return
        refused = np.zeros(n, dtype=bool)
        override_index = np.full(n, -1, dtype=np.int16)
        for index, certain in enumerate(decision.refused):  # the first refused override is quoted
            if certain is False:
                continue
            rows = _rows(certain, n) & ~refused
            override_index += np.multiply(rows, index + 1, dtype=np.int16)
            refused |= rows
        rule_index = np.zeros(n, dtype=np.int16)  # the rule that decided (the first that certainly holds: disjoint rows)
        for index, first in enumerate(decision.first_holding):
            if first is not False and index:
                rule_index += np.multiply(_rows(first, n), index, dtype=np.int16)
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

    def _question(self, env: Env, answers, result: "BatchResult", routed: "_Routed", qid, applies, derive) -> None:
        """A question's value (what [Q] reads) and the warning of an answer ignored; its status and source are made
        with the others once the exclusions are known (_statuses)."""
        n = env.n
        condition = None if applies is None else applies(env).data  # 1, 0, -1: applies, pending, not applicable
        answer = answers.get(qid)
        answered = answer.is_known() if answer is not None else None
        # An answer counts unless the question does not apply (then it is ignored, with a warning).
        if condition is not None and answered is not None:
            ignored = answered & routed.not_applicable(condition)
            if ignored.any():
                result.warning_sources.append((ignored, ignored_answer_warning(qid), None))
        derived_known = None
        if not derive:  # [Q] reads the answer
            value = answer if answer is not None else Vec(STR, np.zeros(n, dtype=np.int32), np.zeros(n, dtype=bool))
        else:
            applying = None if condition is None else routed.applying(condition)
            derived = np.zeros(n, dtype=np.int32)
            for code_id, rule in derive:  # the first rule that holds gives the value
                holds = rule(env).data == TRUE
                if applying is not None:
                    holds &= applying
                if derived_known is None:
                    derived_known = holds
                else:
                    holds &= ~derived_known
                    derived_known = derived_known | holds
                derived += np.multiply(holds, code_id, dtype=np.int32)
            assert derived_known is not None  # a derive block has a rule
            if answer is None:
                value = Vec(STR, derived, derived_known)
            elif answer.kind == STR:  # the answer when given (whatever the status), else the derived value
                assert answered is not None
                data = np.multiply(answer.data, answered, dtype=np.int32)
                data += derived * ~answered
                value = Vec(STR, data, answered | derived_known)
                # An answer that differs from the derived value is an error the per-case path words.
                both = answered & derived_known
                if both.any():
                    env.to_per_case |= both & (answer.data != derived)
            else:
                value = Vec(answer.kind, answer.data, answered)
        env.values[qid] = value
        routed.questions.append((qid, condition, answered, derived_known, value))

    def _statuses(self, result: "BatchResult", routed: "_Routed", inspected: np.ndarray | None) -> None:
        """Every question's status and source columns, the exclusions folded in. A status column is made once per
        distinct 'applies when' and shared (read-only) by the questions it opens."""
        n = result.n
        fold = routed.exclusion_status  # 2 where left out, 1 where not known to be inspected, else 0
        statuses: dict[int, np.ndarray] = {}
        counts: dict[int, np.ndarray | None] = {}  # rows where an answer counts, per condition
        for qid, condition, answered, derived_known, value in routed.questions:
            key = id(condition)
            status = statuses.get(key)
            if status is None:
                if condition is None:
                    status = np.zeros(n, dtype=np.int8) if fold is None else fold.copy()
                    counts[key] = inspected
                else:
                    status = np.subtract(1, condition, dtype=np.int8)  # 1, 0, -1 -> applies, pending, not applicable
                    keep = ~routed.not_applicable(condition)
                    if fold is not None and inspected is not None:  # (set together by _exclude)
                        status *= inspected.view(np.int8)  # (one byte each: no cast per element)
                        status += fold
                        keep &= inspected
                    counts[key] = keep
                status.flags.writeable = False
                statuses[key] = status
            count = counts[key]
            if answered is None:
                source = np.zeros(n, dtype=np.int8)
            else:
                source = (answered & count if count is not None else answered.copy()).view(np.int8)
            if derived_known is not None:
                by_rule = derived_known & ~answered if answered is not None else derived_known.copy()
                if inspected is not None:
                    by_rule &= inspected
                source += by_rule.view(np.int8) * 2
            result.add_question(qid, status, source, value)


class _Routed:
    """What the questions' pass leaves for their status and source columns (ColumnarRules._statuses), and the
    masks of each 'applies when' column, made once per distinct condition."""

    def __init__(self) -> None:
        #: Per question in order: (id, its 'applies when' column or None, its answer's mask or None,
        #: the rows where a derive rule gave its value or None, its value).
        self.questions: list[tuple[str, Any, Any, Any, Vec]] = []
        #: 2 where an exclusion leaves the row out, 1 where it is not known to be inspected, 0 else; None when
        #: every row is inspected.
        self.exclusion_status: np.ndarray | None = None
        self._not_applicable: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._applying: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def not_applicable(self, condition: np.ndarray) -> np.ndarray:
        return self._mask(self._not_applicable, condition, FALSE)

    def applying(self, condition: np.ndarray) -> np.ndarray:
        return self._mask(self._applying, condition, TRUE)

    @staticmethod
    def _mask(masks: dict, condition: np.ndarray, value: int) -> np.ndarray:
        found = masks.get(id(condition))
        if found is None:  # kept with the column, so its id is not reused by another while the batch runs
            found = masks[id(condition)] = (condition, condition == value)
        return found[1]


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
        #: The exclusions' Kleene columns and the facts and answers given (kept for not-known rows).
        self.exclusion_values: list[np.ndarray] = []
        self.given_from: tuple[Mapping[str, Vec], Mapping[str, Vec]] = ({}, {})
        self._given: dict[tuple[str, str], np.ndarray] | None = None
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

    @property
    def given(self) -> dict[tuple[str, str], np.ndarray]:
        """("fact" or "question", name) -> the rows that give it (made when a not-known row is first written)."""
        if self._given is None:
            facts, answers = self.given_from
            self._given = {("fact", name): vec.is_known() for name, vec in facts.items()}
            self._given.update({("question", qid): vec.is_known() for qid, vec in answers.items()})
        return self._given

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
