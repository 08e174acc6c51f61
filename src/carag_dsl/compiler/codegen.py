"""The compiled back end: a checked rule set lowered to one Python function.

The reference evaluator (:mod:`.evaluator`) walks the AST for every case, which
costs 15-30 times what hand-written Python costs. This module writes, once per
rule set, the Python function a programmer would write by hand: every fact read
once, every defined name and the case type computed once in graph order, every
question's status, derived value and warnings computed in straight-line code.
The reference evaluator stays the definition of the semantics; the tests check
that both back ends agree on generated cases.

Safety: the source is generated only from the checked AST. No name a rule
author wrote ever becomes a Python identifier: facts, defined names and
questions are numbered (``_f0``, ``_d3``, ``_v12``), and every string, number
and date from the rules is written with ``repr``, so it is always data. The
generated text is compiled with ``compile()`` and run once to define the
function; nothing else is ever executed.

Three-valued logic: :data:`~.logic.UNKNOWN` has no truth value, so the code
only tests it with ``is``; Kleene ``and``/``or``, unknown operands, ``if`` with
an unknown condition, scale ranks and date overflow follow the reference
evaluator line by line (see the comments in :func:`_Writer.expr`).

Size and depth: every AST node is written once (an ``if`` with an unknown
condition reuses the values of both branches, it never copies their code), so
the source grows linearly with the rules. Derive clauses are written one after
the other behind a flag, and the case-type rules one after the other (every
condition is read, for the table of compiler.routing), not nested; a
sub-expression that is read only when needed (the right side of ``and``, the
branches of ``if``) is nested in an ``if`` only up to :data:`NEST_LIMIT`
levels, deeper ones are computed unconditionally. That is safe because an
expression of a checked rule set has no effects and raises nothing; it keeps
the generated function far from Python's limit of 100 indentation levels.

Chunks: a rule set of more than :data:`CHUNK_DECLARATIONS` defined names and
questions is written as one function per run of that many declarations (in
evaluation order) and a main function that calls them in turn. A chunk takes
the values it reads from earlier chunks as arguments and returns every value
it computes; the main function keeps them as locals for the next chunks, the
constraints and the result. So no single function holds tens of thousands
of locals and millions of characters, and CPython compiles the whole a little
faster (8% at 10,000 questions, benchmarks/startup.py); a case costs one call
per chunk more.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import TYPE_CHECKING

from carag_dsl.language import ast
from carag_dsl.compiler import types as T
from carag_dsl.compiler.graph import CASE_TYPE_NODE, given_inputs
from carag_dsl.compiler.outcomes import (
    OVERRULED_START, REFUSED_OVERRIDE_START, consistency_warning, ignored_answer_warning, overruled_answer_end,
    refused_override_end,
)
from carag_dsl.compiler.symbols import CASE_TYPE

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
_ORDERING = ("<", "<=", ">", ">=")
_INDENT = "    "
#: Levels of ``if`` nesting an expression may use for reading sub-expressions only when needed.
NEST_LIMIT = 24
#: Most declarations (defined names, questions, the case type) written in one generated function.
CHUNK_DECLARATIONS = 200
_DEFAULTS = ("_U=_U, _M=_M, _QR=_QR, _NONE=_NONE, _ANSWERED=_ANSWERED, _DERIVED=_DERIVED, _APPLIES=_APPLIES, _PENDING=_PENDING, "
             "_NOT_APPLICABLE=_NOT_APPLICABLE, _ranked=_ranked, _add=_add, _sub=_sub, _given=_given")


# ------------------------------------------------------------------ source generation


class _Writer:
    """Writes the generated module. Statements are lists of lines; nesting is by indentation."""

    def __init__(self, ruleset: "CheckedRules"):
        self.ruleset = ruleset
        self.symbols = ruleset.symbols
        self.fact_var = {name: f"_f{i}" for i, name in enumerate(self.symbols.facts)}
        self.define_var = {name: f"_d{i}" for i, name in enumerate(self.symbols.defines)}
        self.question_index = {qid: i for i, qid in enumerate(self.symbols.questions)}
        self.globals_lines: list[str] = []  # module-level constants (dates, sets, durations)
        self.constant_names: dict[tuple, str] = {}
        self.temps = 0
        self.nesting = 0  # levels of conditional nesting around the expression being written
        # Defined names read defined names: without a memo, a chain of defines each reading the one before
        # twice is asked about 2^length times.
        self._text_memo: dict[str, bool] = {}

    @contextlib.contextmanager
    def nested(self, levels: int):
        """Write what follows ``levels`` deeper when the limit allows; yields whether it does."""
        allowed = self.nesting + levels <= NEST_LIMIT
        if allowed:
            self.nesting += levels
        try:
            yield allowed
        finally:
            if allowed:
                self.nesting -= levels

    # -- names
    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def constant(self, key: tuple, source: str) -> str:
        """A module-level constant, written once; ``source`` is built only from repr of literals."""
        if key not in self.constant_names:
            name = f"_k{len(self.constant_names)}"
            self.constant_names[key] = name
            self.globals_lines.append(f"{name} = {source}")
        return self.constant_names[key]

    def named(self, stmts: list[str], atom: str) -> tuple[list[str], str]:
        """Give a literal atom a local name, so identity tests (``is _U``, ``is True``) never apply to a literal."""
        if atom.startswith("_"):
            return stmts, atom
        name = self.temp()
        return stmts + [f"{name} = {atom}"], name

    def named_expr(self, node: ast.Expr) -> tuple[list[str], str]:
        return self.named(*self.expr(node))

    def value_var(self, qid: str) -> str:
        return f"_v{self.question_index[qid]}"

    # -- static knowledge
    def may_be_unknown(self, node: ast.Expr) -> bool:
        if isinstance(node, (ast.IntLit, ast.DateLit, ast.TextLit, ast.BoolLit, ast.DurationLit, ast.SetLit)):
            return False
        if isinstance(node, ast.Name):
            return node.name in self.symbols.facts or node.name in self.symbols.defines or node.name == CASE_TYPE
        return True

    def may_be_text(self, node: ast.Expr) -> bool:
        """Whether the value may be a str (then ordering comparisons must go by scale rank)."""
        if isinstance(node, ast.TextLit):
            return True
        if isinstance(node, ast.Name):
            if node.name in self.symbols.facts:
                return self.symbols.facts[node.name].type.kind not in ("bool", "int", "date", "any")
            if node.name in self.symbols.defines:
                if node.name not in self._text_memo:
                    self._text_memo[node.name] = self.may_be_text(self.symbols.defines[node.name].expr)
                return self._text_memo[node.name]
            return True  # the case type, or an option code
        if isinstance(node, ast.AnswerRef):
            question = self.symbols.questions.get(node.question_id)
            return question is None or question.answer is None or question.answer.kind != "any"
        if isinstance(node, ast.If):
            return self.may_be_text(node.then) or self.may_be_text(node.otherwise)
        if isinstance(node, ast.Arith):
            return self.may_be_text(node.left) or self.may_be_text(node.right)
        return False

    # -- expressions: (statements, atom) where atom is a local, a constant name or a repr'd literal
    def expr(self, node: ast.Expr) -> tuple[list[str], str]:
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    def _Name(self, node: ast.Name):
        # As Scope.name: a fact, else a defined name, else the case type, else an option code.
        if node.name in self.fact_var:
            return [], self.fact_var[node.name]
        if node.name in self.define_var:
            return [], self.define_var[node.name]
        if node.name == CASE_TYPE:
            return [], "_ct"
        return [], repr(node.name)

    def _AnswerRef(self, node: ast.AnswerRef):
        if node.question_id in self.question_index:
            return [], self.value_var(node.question_id)
        return [], "_U"

    def _IntLit(self, node):
        return [], repr(node.value)

    def _TextLit(self, node):
        return [], repr(node.value)

    def _BoolLit(self, node):
        return [], repr(bool(node.value))

    def _DateLit(self, node: ast.DateLit):
        value = node.value
        return [], self.constant(("date", value), f"_date({value.year!r}, {value.month!r}, {value.day!r})")

    def _DurationLit(self, node: ast.DurationLit):
        days = node.amount * _UNIT_DAYS[node.unit]
        try:
            datetime.timedelta(days=days)
        except OverflowError:  # the reference raises when it reads the literal; so does this code
            return [], f"_timedelta(days={days!r})"
        return [], self.constant(("duration", days), f"_timedelta(days={days!r})")

    def _SetLit(self, node: ast.SetLit):
        members = tuple(sorted(set(node.members)))
        return [], self.constant(("set", members), f"frozenset(({''.join(repr(m) + ', ' for m in members)}))")

    def _Not(self, node: ast.Not):
        stmts, operand = self.expr(node.operand)
        out = self.temp()
        if not self.may_be_unknown(node.operand):
            return stmts + [f"{out} = not {operand}"], out
        return stmts + [f"{out} = _U if {operand} is _U else not {operand}"], out

    def _BoolOp(self, node: ast.BoolOp):
        # Kleene: 'false and x' is false without reading x; 'true or x' is true. Otherwise as k_and / k_or.
        left_stmts, left = self.named_expr(node.left)
        with self.nested(1) as nested:
            right_stmts, right = self.named_expr(node.right)
        out = self.temp()
        decisive, other = ("False", "True") if node.op == "and" else ("True", "False")
        if not nested:  # both sides read; the same result
            return left_stmts + right_stmts + [
                f"if {left} is {decisive} or {right} is {decisive}:",
                f"    {out} = {decisive}",
                f"elif {left} is _U or {right} is _U:",
                f"    {out} = _U",
                "else:",
                f"    {out} = {other}",
            ], out
        inner = right_stmts + [
            f"if {right} is {decisive}:",
            f"    {out} = {decisive}",
            f"elif {left} is _U or {right} is _U:",
            f"    {out} = _U",
            "else:",
            f"    {out} = {other}",
        ]
        return left_stmts + [f"if {left} is {decisive}:", f"    {out} = {decisive}", "else:"] + _indent(inner), out

    def _unknown_guard(self, parts: list[tuple[ast.Expr, list[str], str]], out: str, compute: list[str]) -> list[str]:
        """Evaluate operands in order; the first unknown one makes ``out`` unknown (right side not read after it).

        The second operand's statements end up one level deeper, so write them inside ``self.nested(1)``
        (or pass them as ``[]`` and put them before, when that was refused).
        """
        if not parts:
            return compute
        node, stmts, atom = parts[0]
        rest = self._unknown_guard(parts[1:], out, compute)
        if not self.may_be_unknown(node):
            return stmts + rest
        return stmts + [f"if {atom} is _U:", f"    {out} = _U", "else:"] + _indent(rest)

    def _Compare(self, node: ast.Compare):
        left_stmts, left = self.expr(node.left)
        with self.nested(1) as nested:
            right_stmts, right = self.expr(node.right)
        if not nested:
            left_stmts, right_stmts = left_stmts + right_stmts, []
        out = self.temp()
        if node.op in _ORDERING and self.may_be_text(node.left) and self.may_be_text(node.right):
            # Scales compare by rank, not alphabetically (RuleSet.scale_rank).
            compute = [f"_l, _r = _ranked({left}, {right})", f"{out} = _l {node.op} _r"]
        else:
            compute = [f"{out} = {left} {node.op} {right}"]
        return self._unknown_guard([(node.left, left_stmts, left), (node.right, right_stmts, right)], out, compute), out

    def _In(self, node: ast.In):
        element_stmts, element = self.named_expr(node.element)
        out = self.temp()
        test = "not in" if node.negated else "in"
        if isinstance(node.collection, ast.SetLit):
            members = sorted(set(node.collection.members))
            # A set display right of 'in' is a frozenset constant to CPython; an empty one would be a dict.
            collection = "{" + ", ".join(repr(m) for m in members) + "}" if members else "()"
            compute = [f"{out} = {element} {test} {collection}"]
            return self._unknown_guard([(node.element, element_stmts, element)], out, compute), out
        collection_stmts, collection = self.named_expr(node.collection)
        # The reference reads both sides before testing either for unknown.
        stmts = element_stmts + collection_stmts
        if self.may_be_unknown(node.element) or self.may_be_unknown(node.collection):
            return stmts + [
                f"if {element} is _U or {collection} is _U:",
                f"    {out} = _U",
                "else:",
                f"    {out} = {element} {test} {collection}",
            ], out
        return stmts + [f"{out} = {element} {test} {collection}"], out

    def _IsEmpty(self, node: ast.IsEmpty):
        stmts, operand = self.expr(node.operand)
        out = self.temp()
        compute = [f"{out} = bool({operand})" if node.negated else f"{out} = not {operand}"]
        return self._unknown_guard([(node.operand, stmts, operand)], out, compute), out

    def _Arith(self, node: ast.Arith):
        left_stmts, left = self.expr(node.left)
        right_stmts, right = self.expr(node.right)
        out = self.temp()
        helper = "_add" if node.op == "+" else "_sub"
        return left_stmts + right_stmts + [f"{out} = {helper}({left}, {right})"], out

    def _DaysBetween(self, node: ast.DaysBetween):
        start_stmts, start = self.named_expr(node.start)
        end_stmts, end = self.named_expr(node.end)
        out = self.temp()
        return start_stmts + end_stmts + [
            f"if {start} is _U or {end} is _U:",
            f"    {out} = _U",
            "else:",
            f"    {out} = {end} - {start}",
        ], out

    def _If(self, node: ast.If):
        condition_stmts, condition = self.named_expr(node.condition)
        with self.nested(1) as nested:
            then_stmts, then = self.named_expr(node.then)
            otherwise_stmts, otherwise = self.named_expr(node.otherwise)
        out = self.temp()
        # Each branch is written once and run when the condition is not against it: both run when it is
        # unknown, and the result is still known when both branches agree on a known value.
        if nested:
            branches = [f"if {condition} is not False:", *_indent(then_stmts), f"if {condition} is not True:", *_indent(otherwise_stmts)]
        else:
            branches = then_stmts + otherwise_stmts
        return condition_stmts + branches + [
            f"if {condition} is True:",
            f"    {out} = {then}",
            f"elif {condition} is False:",
            f"    {out} = {otherwise}",
            "else:",
            f"    {out} = {then} if {then} is not _U and {then} == {otherwise} else _U",
        ], out

    # -- declarations
    def define(self, name: str) -> list[str]:
        stmts, atom = self.expr(self.symbols.defines[name].expr)
        return [f"# define #{self.define_var[name][2:]}"] + stmts + [f"{self.define_var[name]} = {atom}"]

    def case_type(self) -> list[str]:
        # As decide_case_type: the overrides that certainly hold (two different ones contradict), then every
        # rule's and override's Kleene value looked up in the rule set's case-type table (compiler.routing).
        decl = self.symbols.case_type
        assert decl is not None  # called for the case-type node, which exists only when declared
        lines = ["# case type", "_ov = None"]
        atoms = []
        for override in decl.overrides:
            stmts, atom = self.named_expr(override.condition)
            atoms.append(atom)
            lines += stmts + [
                f"if {atom} is True:",
                "    if _ov is None:",
                f"        _ov = {override.value!r}",
                f"    elif _ov != {override.value!r}:",
                "        return _CONTRADICTION",
            ]
        rule_atoms = []
        for rule in decl.rules:
            if rule.condition is None:
                rule_atoms.append("True")
                continue
            stmts, atom = self.named_expr(rule.condition)
            rule_atoms.append(atom)
            lines += stmts
        lines += [
            f"_ct, _cts, _ctr = _decide_case_type(({''.join(a + ', ' for a in rule_atoms + atoms)}))",
            "if _ct is None:",
            "    _ct = _U",
            "if _ctr is not None:",
            "    _ovi, _cti = _ctr",
        ]
        for index, override in enumerate(decl.overrides):
            ends = tuple(refused_override_end(override, decl, i) for i in range(len(decl.rules)))
            refused = self.constant(("refused", index), repr(ends))
            lines += [
                f"    if _ovi == {index!r}:",
                f"        _warnings.append({REFUSED_OVERRIDE_START!r} + {self.given(override.condition)} + {refused}[_cti])",
            ]
        return lines

    def given(self, expr: ast.Expr) -> str:
        """Code for the text of the facts and answers an expression reads that the case gives (outcomes.given_values)."""
        parts = []
        for node in given_inputs(expr, self.symbols):
            kind, name = node.split(":", 1)
            read = "_fact" if kind == "fact" else "_answer"
            parts.append(f"({name!r}, {read}({name!r}, _U), {self.ruleset.field_options(node)!r}), ")
        return f"_given(({''.join(parts)}))"

    def question(self, qid: str) -> list[str]:
        decl = self.symbols.questions[qid]
        i = self.question_index[qid]
        status, derived, answer, result, value = f"_s{i}", f"_x{i}", f"_a{i}", f"_r{i}", self.value_var(qid)
        lines = [f"# question #{i}"]
        if decl.applies is None:
            lines.append(f"{status} = _APPLIES")
        else:
            stmts, atom = self.named_expr(decl.applies)
            lines += stmts + [
                f"if {atom} is _U:",
                f"    {status} = _PENDING",
                f"elif {atom}:",
                f"    {status} = _APPLIES",
                "else:",
                f"    {status} = _NOT_APPLICABLE",
            ]
        warn_na = ignored_answer_warning(qid)
        always = decl.applies is None  # statically applies: no 'does not apply' branch to write
        answered = [f"{answer} = _answer({qid!r}, _M)", f"if {answer} is not _M:", f"    {value} = {answer}"]
        if not always:
            answered += [
                f"    if {status} is _NOT_APPLICABLE:",
                f"        _warnings.append({warn_na!r})",
                f"        {result} = _NONE[{status}]",
                "    else:",
            ]
        body = []
        if decl.derive:
            body += [
                f"if {derived} is not _U and {answer} != {derived}:",
                f"    _overruled.append(_CaseProblem({'answers.' + qid!r}, {OVERRULED_START!r} + repr({answer}) + _y{i}))",
            ]
        if decl.answer is not None and decl.answer.kind in T.SINGLE_OPTION_KINDS:
            # One shared (frozen) result per status and option code; no new object per case.
            body.append(f"{result} = _ANSWERED[{status}].get({answer}) or _QR({status}, {answer}, 'answer')")
        else:
            body.append(f"{result} = _QR({status}, {answer}, 'answer')")
        answered += [(_INDENT if always else _INDENT * 2) + line for line in body]
        if decl.derive:
            lines += [f"{derived} = _U"]
            lines += [f"if {status} is _APPLIES:"] + _indent(self._derive_rules(decl.derive, derived, f"_y{i}"))
            if decl.answer is not None and decl.answer.kind in T.SINGLE_OPTION_KINDS:  # shared, as answers
                derived_result = f"_DERIVED[{status}].get({derived}) or _QR({status}, {derived}, 'derived')"
            else:
                derived_result = f"_QR({status}, {derived}, 'derived')"
            lines += answered + [
                f"elif {derived} is not _U:",
                f"    {value} = {derived}",
                f"    {result} = {derived_result}",
            ]
        else:
            lines += answered
        lines += ["else:", f"    {value} = _U", f"    {result} = _NONE[{status}]"]
        return lines

    def _derive_rules(self, rules: tuple[ast.Derive, ...], derived: str, because: str) -> list[str]:
        """The first rule that holds gives the value; ``because`` keeps the end of its warning, should an answer differ.

        One rule after the other behind the ``_open`` flag, so a long list does not nest.
        """
        lines = ["_open = True"]
        for rule in rules:
            stmts, atom = self.named_expr(rule.condition)
            lines += ["if _open:"] + _indent(stmts + [
                f"if {atom} is True:",
                f"    {derived} = {rule.value!r}",
                f"    {because} = {overruled_answer_end(rule)!r}",
                "    _open = False",
            ])
        return lines

    def constraints(self) -> list[str]:
        lines = ["_problems = None"]
        for constraint in self.symbols.constraints:
            stmts, atom = self.named_expr(constraint.expr)
            field, message = f"facts.{constraint.field}", constraint.message
            lines += [f"if {constraint.field!r} in facts:"] + _indent(stmts + [
                f"if {atom} is False:",
                "    if _problems is None:",
                "        _problems = []",
                f"    _problems.append(_CaseProblem({field!r}, {message!r}))",
            ])
        lines += [
            "if _overruled:  # answers that differ from a derived value: after the constraints, as in the reference",
            "    _problems = (_problems or []) + _overruled",
            "if _problems is not None:",
            "    raise _CaseDataError(_problems, case_id)",
        ]
        for rule in self.symbols.consistency:  # warnings, after the errors as in the reference evaluator
            stmts, atom = self.named_expr(rule.expr)
            given = "answers" if rule.on_answer else "facts"
            lines += [f"if {rule.field!r} in {given}:"] + _indent(stmts + [
                f"if {atom} is False:",
                f"    _warnings.append({consistency_warning(rule)!r})",
            ])
        return lines

    def exclusions(self) -> list[str]:
        """``_exr``: None when the case is inspected, else (reason or None, what would settle it or None), from the
        values of the 'exclude when' conditions (as evaluator.exclusion)."""
        if not self.symbols.exclusions:
            return ["_exr = None"]
        lines, atoms = [], []
        for exclusion in self.symbols.exclusions:
            stmts, atom = self.named_expr(exclusion.condition)
            lines += stmts
            atoms.append(atom)
        return lines + [f"_exr = _exclusion(({''.join(a + ', ' for a in atoms)}), facts, answers)"]

    def declaration(self, node: str) -> list[str]:
        """The code of one node of the evaluation order: a defined name, the case type or a question."""
        if node == CASE_TYPE_NODE:
            return self.case_type()
        kind, name = node.split(":", 1)
        return self.define(name) if kind == "define" else self.question(name)

    def node_var(self, node: str) -> str:
        """The local that holds a graph node's value in generated code."""
        if node == CASE_TYPE_NODE:
            return "_ct"
        kind, name = node.split(":", 1)
        if kind == "fact":
            return self.fact_var[name]
        return self.define_var[name] if kind == "define" else self.value_var(name)

    def outputs(self, node: str) -> list[str]:
        """The locals a declaration sets that code after it reads."""
        if node == CASE_TYPE_NODE:
            return ["_ct", "_cts"]
        kind, name = node.split(":", 1)
        return [self.define_var[name]] if kind == "define" else [self.value_var(name), f"_r{self.question_index[name]}"]

    def chunks(self, order: tuple[str, ...]) -> tuple[list[str], list[str]]:
        """(the chunk functions, the main function's calls of them) for a long evaluation order."""
        inputs: dict[str, list[str]] = {}
        for source, readers in self.ruleset.dependencies.readers.items():
            for reader in readers:
                inputs.setdefault(reader, []).append(source)
        functions: list[str] = []
        calls: list[str] = []
        for first in range(0, len(order), CHUNK_DECLARATIONS):
            nodes = order[first:first + CHUNK_DECLARATIONS]
            name = f"_c{first // CHUNK_DECLARATIONS}"
            # _ct and _cts go in to every chunk: a rule may read the case type when none is declared (unknown),
            # and the case type keeps _cts when no rule decides.
            params = ["_answer", "_fact", "_warnings", "_overruled", "_ct", "_cts"]
            outputs: list[str] = []
            body: list[str] = []
            for node in nodes:
                for source in inputs.get(node, ()):
                    var = self.node_var(source)
                    if var not in outputs and var not in params:
                        params.append(var)
                body += self.declaration(node)
                outputs += [var for var in self.outputs(node) if var not in outputs]
            returned = "(" + "".join(f"{var}, " for var in outputs) + ")"
            functions += ["", f"def {name}({', '.join(params)}, {_DEFAULTS}):", *_indent(body + [f"return {returned}"])]
            call = f"{name}({', '.join(params)})"
            if CASE_TYPE_NODE in nodes:  # two overrides that contradict end the evaluation from inside the chunk
                calls += [f"_res = {call}", "if _res is _CONTRADICTION:", "    return _res", f"{returned} = _res"]
            else:
                calls.append(f"{returned} = {call}")
        return functions, calls

    def module(self) -> str:
        body = ["_warnings = []", "_overruled = []", "_answer = answers.get", "_fact = facts.get", "_ct = _U", "_cts = None"]
        for name, var in self.fact_var.items():
            body.append(f"{var} = _fact({name!r}, _U)")
        functions: list[str] = []
        if len(self.ruleset.order) <= CHUNK_DECLARATIONS:
            for node in self.ruleset.order:
                body += self.declaration(node)
        else:
            functions, calls = self.chunks(self.ruleset.order)
            body += calls
        body += self.constraints()
        body += self.exclusions()
        results = ", ".join(f"{qid!r}: _r{i}" for qid, i in self.question_index.items())
        # The defined names' values go back too: ratings by a defined name read them without re-evaluating.
        defines = "".join(f"{var}, " for var in self.define_var.values())
        body += [
            "if _exr is not None:  # not inspected, or not known whether it is: no routing",
            f"    return _U, None, _UNROUTED(_exr), [], ({defines}), _exr",
            f"return _ct, _cts, {{{results}}}, _warnings, ({defines}), None",
        ]
        header = [
            "# Generated by carag_dsl.codegen from the checked AST of a rule set. Do not edit.",
            *self.globals_lines,
            *functions,
            "",
            f"def _route(facts, answers, case_id, {_DEFAULTS}):",
        ]
        return "\n".join(header + _indent(body)) + "\n"


def _indent(lines: list[str]) -> list[str]:
    return [_INDENT + line for line in lines] or [_INDENT + "pass"]


def generate_source(ruleset: "CheckedRules") -> str:
    """The Python source of the routing function of a checked rule set."""
    return _Writer(ruleset).module()


# ------------------------------------------------------------------ the result JSON, fast
