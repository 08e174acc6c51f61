"""The variables of the case space and their classes, each with a concrete representative.

A variable is a fact, an answer, or a *component* of dates and whole numbers
(see :mod:`.numeric`). Its classes are the values the rules can tell apart,
class 0 always being "not given" (a missing fact, an unanswered question):

- an option fact or answer: each of its options;
- a yes/no fact: true and false;
- a text: every text the rules compare it with, the empty text, and two other texts;
- a multi-choice fact or answer: every subset of the options the rules read (:mod:`.sets`),
  with or without one option they do not read;
- a component of dates and numbers: its cells;
- a whole number added up with others: the numbers near zero, and the two spans beyond
  (:class:`numeric.Span`), as far out as the constants its comparisons write.

Every class holds the runtime value a case with it has (``datetime.date``,
``frozenset``, ...), so expressions are evaluated on real values and every
witness is a real case.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any, Iterable

import attrs

from carag_dsl.compiler import types as T
from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.language import ast
from carag_dsl.runtime.logic import UNKNOWN
from carag_dsl.analysis import numeric, sets
from carag_dsl.analysis.budget import DEFAULT_BUDGET, Budget, BudgetExceeded
from carag_dsl.analysis.numeric import AnalysisUnsupported, Form

_UNIT_DAYS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
OTHER_TEXTS = ("some other text", "another text")


@attrs.frozen
class Variable:
    """One variable: ``key`` (``("fact", name)``, ``("answer", id)`` or ``("numbers", names)``) and its classes.

    ``classes[i]`` is the runtime value (or, for a component, a :class:`numeric.Cell`);
    class 0 is always the missing value.
    """

    key: tuple
    classes: tuple[Any, ...]
    index: int
    #: For a multi-choice field: the options the rules read (the others behave alike; see :mod:`.sets`).
    named: frozenset = frozenset()

    @property
    def bits(self) -> tuple[str, ...]:
        width = max(1, (len(self.classes) - 1).bit_length())
        return tuple(f"v{self.index}b{b}" for b in range(width))


def all_expressions(rules: CheckedRules) -> Iterable[ast.Expr]:
    """Every expression of a rule set (see :meth:`Symbols.expressions`)."""
    return rules.symbols.expressions()


# ------------------------------------------------------------------ numeric forms


def _fact_kind(rules: CheckedRules, name: str) -> str | None:
    decl = rules.symbols.facts.get(name)
    return decl.type.kind if decl is not None else None


#: The forms of a sum of whole numbers (more than the difference of two): not listed, since a sum of ``if``s
#: has one per combination of branches; its numbers are split into ranges instead (:class:`numeric.Span`).
SUM = "sum"


@attrs.define
class Collected:
    """What :func:`numeric_forms` finds in the rules: the comparisons of dates and numbers as difference
    constraints (``atoms``), and the whole numbers added up (``summed``) with the largest sum of constants a
    comparison of them writes (``weight``: how far from zero their ranges need to tell numbers apart)."""

    atoms: list[Form] = attrs.Factory(list)
    summed: set[str] = attrs.Factory(set)
    weight: int = 0

    def compared(self, expr: ast.Expr, forms: list[list[Form] | str], rules: CheckedRules, seen: dict) -> None:
        """A comparison of ``forms`` (two sides, or the branches of an ``if``): atoms, or numbers added up."""
        a, b = forms
        atoms = [x.plus(y, -1).normalized() for x in a for y in b] if isinstance(a, list) and isinstance(b, list) else []
        if SUM in (a, b) or not all(_is_difference(atom) for atom in atoms):
            self.summed |= _numeric_names(expr, rules, seen)
            self.weight = max(self.weight, _literal_weight(expr, rules, seen))
        else:
            self.atoms.extend(atoms)


def _is_difference(form: Form) -> bool:
    """A form the difference constraints take: a constant, one date or number, or the difference of two."""
    coefficients = [c for _, c in form.terms]
    return len(coefficients) <= 2 and all(abs(c) == 1 for c in coefficients) and (len(coefficients) < 2 or sum(coefficients) == 0)


def numeric_forms(expr: ast.Expr, rules: CheckedRules, found: Collected, seen: dict, budget: Budget = DEFAULT_BUDGET) -> list[Form] | str | None:
    """The linear forms a date/number expression can take (one per branch of an ``if``); None if not numeric;
    :data:`SUM` for a sum of whole numbers.

    Collects into ``found`` every comparison the rules make between such forms. Sums of ``if``s multiply
    the forms, so their number is held to the budget's classes.
    """
    key = ("forms", id(expr))
    if key in seen:
        return seen[key][1]
    seen[key] = (expr, None)  # keeps expr alive so its id stays unique
    result = _forms(expr, rules, found, seen, budget)
    seen[key] = (expr, result)
    return result


def _forms(expr, rules, found: Collected, seen, budget) -> list[Form] | str | None:
    def sub(e):
        return numeric_forms(e, rules, found, seen, budget)

    def product(a: list[Form], b: list[Form]) -> None:
        if len(a) * len(b) > budget.classes:
            raise BudgetExceeded(f"a date or number expression ({_where(expr)}) can take {len(a) * len(b):,} forms "
                                 f"(one per combination of the branches of its 'if's), more than the {budget.classes:,} "
                                 "the exact analysis takes")

    if isinstance(expr, ast.Name):
        if _fact_kind(rules, expr.name) in ("int", "date"):
            return [Form.of({expr.name: 1})]
        define = rules.symbols.defines.get(expr.name)
        return sub(define.expr) if define is not None else None
    if isinstance(expr, ast.IntLit):
        return [Form.of({}, expr.value)]
    if isinstance(expr, ast.DateLit):
        return [Form.of({}, expr.value.toordinal())]
    if isinstance(expr, ast.DurationLit):
        return [Form.of({}, expr.amount * _UNIT_DAYS.get(expr.unit, 0))]
    if isinstance(expr, (ast.Arith, ast.DaysBetween)):
        first, second = (expr.left, expr.right) if isinstance(expr, ast.Arith) else (expr.end, expr.start)
        sign = -1 if isinstance(expr, ast.DaysBetween) or expr.op == "-" else 1
        a, b = sub(first), sub(second)
        if a is None or b is None:
            return None
        if SUM in (a, b):
            return SUM
        product(a, b)
        forms = list(dict.fromkeys(x.plus(y, sign) for x in a for y in b))
        return forms if all(_is_difference(f) for f in forms) else SUM
    if isinstance(expr, ast.If):
        sub(expr.condition)
        a, b = sub(expr.then), sub(expr.otherwise)
        if a is None or b is None:
            return None
        if SUM not in (a, b):
            product(a, b)
        # An unknown condition still gives a value when both branches agree: that compares them.
        found.compared(expr, [a, b], rules, seen)
        return SUM if SUM in (a, b) else list(dict.fromkeys(a + b))
    for child in ast.children(expr):
        sub(child)
    if isinstance(expr, ast.Compare):
        a, b = sub(expr.left), sub(expr.right)
        if a is not None and b is not None:
            if SUM not in (a, b):
                product(a, b)
            found.compared(expr, [a, b], rules, seen)
    return None


def _numeric_names(expr: ast.Expr, rules: CheckedRules, seen: dict) -> set[str]:
    """The dates and whole numbers a date/number expression (or a comparison of two) adds up or compares:
    through defines and the branches of ``if``s, not their conditions."""
    key = ("names", id(expr))
    if key not in seen:
        seen[key] = (expr, set())
        names: set[str] = set()
        if isinstance(expr, ast.Name):
            define = rules.symbols.defines.get(expr.name)
            if _fact_kind(rules, expr.name) in ("int", "date"):
                names = {expr.name}
            elif define is not None:
                names = _numeric_names(define.expr, rules, seen)
        elif isinstance(expr, ast.If):
            names = _numeric_names(expr.then, rules, seen) | _numeric_names(expr.otherwise, rules, seen)
        elif isinstance(expr, (ast.Arith, ast.Compare)):
            names = _numeric_names(expr.left, rules, seen) | _numeric_names(expr.right, rules, seen)
        elif isinstance(expr, ast.DaysBetween):
            names = _numeric_names(expr.start, rules, seen) | _numeric_names(expr.end, rules, seen)
        seen[key] = (expr, names)
    return seen[key][1]


def _literal_weight(expr: ast.Expr, rules: CheckedRules, seen: dict) -> int:
    """The largest sum of the sizes of the whole numbers written where :func:`_numeric_names` looks (one
    branch of each ``if``): how far from zero a sum's classes must tell numbers apart."""
    key = ("weight", id(expr))
    if key not in seen:
        seen[key] = (expr, 0)
        weight = 0
        if isinstance(expr, ast.IntLit):
            weight = abs(expr.value)
        elif isinstance(expr, ast.Name):
            define = rules.symbols.defines.get(expr.name)
            weight = _literal_weight(define.expr, rules, seen) if define is not None and _fact_kind(rules, expr.name) is None else 0
        elif isinstance(expr, ast.If):  # the value is one branch or the other
            weight = max(_literal_weight(expr.then, rules, seen), _literal_weight(expr.otherwise, rules, seen))
        elif isinstance(expr, (ast.Arith, ast.Compare)):
            weight = _literal_weight(expr.left, rules, seen) + _literal_weight(expr.right, rules, seen)
        seen[key] = (expr, weight)
    return seen[key][1]


def _where(expr: ast.Expr) -> str:
    span = getattr(expr, "span", None)
    return span.location() if span is not None else "an expression"


# ------------------------------------------------------------------ the classes of one fact or answer


def _mentioned_texts(rules_list: list[CheckedRules]) -> set[str]:
    """Every text the rules write."""
    return {node.value for rules in rules_list for expr in all_expressions(rules)
            for node in ast.walk(expr) if isinstance(node, ast.TextLit)}


def read_of(type_exprs: list[ast.TypeExpr], read: frozenset[str] | None) -> frozenset[str]:
    """The options of a multi-choice field (of these declared types) the classes tell apart: those the rules
    read (``read``, from :func:`.sets.read_options`; None: all), and those not every rule set declares (a
    case holding one is well-formed in some rule sets only)."""
    declared = [frozenset(T.option_codes(t)) for t in type_exprs]
    every = frozenset().union(*declared)
    return every if read is sets.EVERY else (read & every) | (every - frozenset.intersection(*declared))


def value_classes(type_exprs: list[ast.TypeExpr], texts: set[str], budget: Budget = DEFAULT_BUDGET,
                  what: str = "a field", read: frozenset[str] = frozenset()) -> tuple[Any, ...]:
    """The classes of a fact or answer of these declared types (several when rule sets differ), missing first.

    ``read``: for a multi-choice field, the options its classes tell apart (:func:`read_of`). Their number is
    checked against ``budget`` before they are listed (an ``any of`` field has one per subset of ``read``).
    """
    kinds = {t.kind for t in type_exprs}
    values: list[Any] = [UNKNOWN]
    options: list[str] = []
    for type_expr in type_exprs:
        options += [c for c in T.option_codes(type_expr) if c not in options]
    if kinds <= {"bool"}:
        values += [True, False]
    elif kinds <= {"text"}:
        values += list(dict.fromkeys(sorted(texts) + [""] + list(OTHER_TEXTS)))
    elif kinds <= {"any"}:
        named = [c for c in options if c in read]
        unnamed = [c for c in options if c not in read][:1]
        budget.check_classes(1 + 2 ** len(named) * (2 if unnamed else 1),
                             f"{what} (any of {len(options)} options, {len(named)} of them read by the rules)")
        for size in range(len(named) + 1):
            for subset in itertools.combinations(named, size):
                values.append(frozenset(subset))
                if unnamed:
                    values.append(frozenset(subset + tuple(unnamed)))
    elif kinds <= set(T.SINGLE_OPTION_KINDS):
        budget.check_classes(1 + len(options), f"{what} (one of {len(options)} options)")
        values += options
    else:
        raise AnalysisUnsupported(f"a field is declared with different kinds of value in the rule sets compared ({', '.join(sorted(kinds))})")
    return tuple(values)


def build_variables(rules_list: list[CheckedRules], budget: Budget = DEFAULT_BUDGET, progress=None) -> tuple[list[Variable], dict[tuple, Variable], dict[str, Variable], list[Form]]:
    """Every variable of the joint space of the rule sets, within ``budget`` (``progress``: the meter's tick).

    Returns the variables, a map from fact/answer key to its variable, a map from
    each date/number fact to its component, and every atom collected.
    """
    texts = _mentioned_texts(rules_list)
    options_read = sets.read_options(rules_list)
    variables: list[Variable] = []
    by_key: dict[tuple, Variable] = {}

    def add(key, classes, named=frozenset()):
        variable = Variable(key, tuple(classes), len(variables), named)
        variables.append(variable)
        by_key[key] = variable
        return variable

    def add_field(key, type_exprs, what):
        named = read_of(type_exprs, options_read.get(key, frozenset())) if {t.kind for t in type_exprs} == {"any"} else frozenset()
        add(key, value_classes(type_exprs, texts, budget, what, named), named)

    numeric_facts: dict[str, str] = {}
    fact_types: dict[str, list[ast.TypeExpr]] = {}
    for rules in rules_list:
        for name, decl in rules.symbols.facts.items():
            fact_types.setdefault(name, []).append(decl.type)
    for name, type_exprs in fact_types.items():
        kinds = {t.kind for t in type_exprs}
        if kinds & {"int", "date"}:
            if len(kinds) > 1:
                raise AnalysisUnsupported(f"the fact '{name}' is a {' in one rule set and a '.join(sorted(kinds))} in another")
            numeric_facts[name] = kinds.pop()
            continue
        add_field(("fact", name), type_exprs, f"the fact '{name}'")

    read_answers: dict[str, list[ast.TypeExpr]] = {}
    for rules in rules_list:
        for expr in all_expressions(rules):
            for node in ast.walk(expr):
                if isinstance(node, ast.AnswerRef):
                    read = rules.symbols.questions.get(node.question_id)
                    if read is not None and read.answer is not None:
                        read_answers.setdefault(node.question_id, [])
        for check in rules.symbols.consistency:  # a consistency rule on an answer asks whether it is given
            if check.on_answer and rules.symbols.questions[check.field].answer is not None:
                read_answers.setdefault(check.field, [])
        for qid, declared in rules.symbols.questions.items():  # an answer must agree with a derived value
            if declared.derive and declared.answer is not None:
                read_answers.setdefault(qid, [])
        for qid in read_answers:
            question = rules.symbols.questions.get(qid)
            if question is not None and question.answer is not None and question.answer not in read_answers[qid]:
                read_answers[qid].append(question.answer)
    for qid, type_exprs in read_answers.items():
        add_field(("answer", qid), type_exprs, f"the answer to [{qid}]")

    found = Collected()
    for rules in rules_list:
        seen: dict = {}
        for expr in all_expressions(rules):
            numeric_forms(expr, rules, found, seen, budget)
    summed = _added_up(found)
    if any(numeric_facts[name] == "date" for name in summed):
        raise AnalysisUnsupported(
            "a comparison of dates or numbers adds or subtracts more than two of them; the exact analysis "
            "handles comparisons of one date or number with a constant, or of the difference of two, and sums "
            "of whole numbers"
        )
    bound = max([found.weight] + [abs(a.constant) for a in found.atoms if summed.intersection(a.variables)]) + 1
    for name in sorted(summed, key=list(numeric_facts).index):
        budget.check_classes(2 * bound + 4, f"the whole number '{name}' (added up with others)")
        add(("fact", name), [UNKNOWN] + numeric.span_classes(bound))
    atoms = [a for a in found.atoms if not summed.intersection(a.variables)]
    component_of: dict[str, Variable] = {}
    date_vars = {n for n, k in numeric_facts.items() if k == "date"}
    kept = {n: k for n, k in numeric_facts.items() if n not in summed}
    for names, component_atoms in numeric.components(kept, [a for a in atoms if a.variables]):
        cells = numeric.component_cells(names, component_atoms, date_vars, budget.cells, progress)
        variable = add(("numbers", tuple(names)), cells)
        for name in names:
            component_of[name] = variable
    return variables, by_key, component_of, list(dict.fromkeys(atoms))


def _added_up(found: Collected) -> set[str]:
    """The whole numbers added up, and every number compared with one of them (their comparisons are then
    decided on ranges too)."""
    summed = set(found.summed)
    growing = True
    while growing:
        growing = False
        for atom in found.atoms:
            names = set(atom.variables)
            if names & summed and not names <= summed:
                summed |= names
                growing = True
    return summed


def json_value(value: Any) -> Any:
    """A runtime value as case data writes it (dates as text, sets as sorted lists, a span as one of its numbers)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, numeric.Span):
        return value.example
    return value
