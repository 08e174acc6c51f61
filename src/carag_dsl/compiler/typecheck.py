"""Type checking: every expression has a type that fits where it is used.

Bare names are facts, defined names, ``case_type``, or option codes. A code
only means something next to the enumeration it belongs to (``sentence ==
licence``), so codes are checked where they meet one; a name that is neither
declared nor a code of anything is an unknown name, with a suggestion.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from carag_dsl.language import ast
from carag_dsl.compiler import types as T
from carag_dsl.errors import Diagnostic, Suggestions, did_you_mean, question_id_key
from carag_dsl.compiler.symbols import CASE_TYPE, Symbols
from carag_dsl.source import Span

ORDERED_PRIMS = (T.INT, T.DATE, T.DURATION)
AMBIGUOUS_UNITS = ("month", "months", "year", "years")


class _Checker:
    def __init__(self, symbols: Symbols):
        self.symbols = symbols
        self.diagnostics: list[Diagnostic] = []
        self.define_types: dict[str, T.Type] = {}
        self._in_progress: set[str] = set()
        self.all_codes = self._all_codes()
        self._name_suggestions: Suggestions | None = None
        self._question_suggestions: Suggestions | None = None

    def _all_codes(self) -> set[str]:
        codes = set(self.symbols.case_types())
        for fact in self.symbols.facts.values():
            codes.update(T.option_codes(fact.type))
        for grouping in self.symbols.groupings.values():
            codes.update(member.code for member in grouping.members)
        for question in self.symbols.questions.values():
            if question.answer is not None:
                codes.update(T.option_codes(question.answer))
        return codes

    def error(self, node, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(node.span, code, message))

    # ---------------------------------------------------------------- names
    def name_type(self, node: ast.Name) -> T.Type:
        name = node.name
        if name in self.symbols.facts:
            return T.of_declaration(self.symbols.facts[name].type, name)
        if name in self.symbols.defines:
            return self.define_type(name)
        if name in self.symbols.groupings:
            return T.Enum(name, tuple(member.code for member in self.symbols.groupings[name].members))
        if name == CASE_TYPE and self.symbols.case_type is not None:
            return T.Enum("the case type", self.symbols.case_types())
        if name in self.all_codes:
            return T.Code(name)
        if name == CASE_TYPE:
            self.error(node, "unknown-name", "'case_type' is used but the rule set has no 'case type' block")
            return T.ERROR
        return T.Code(name, declared=False)

    def unknown_name(self, node: ast.Name) -> T.Type:
        if self._name_suggestions is None:  # built once per check, for every unknown name
            self._name_suggestions = Suggestions(self.symbols.declared_names() + sorted(self.all_codes))
        hint = self._name_suggestions.did_you_mean(node.name)
        self.error(node, "unknown-name", f"unknown name '{node.name}'{hint}: it is not a fact, a defined name or an option code")
        return T.ERROR

    def define_type(self, name: str) -> T.Type:
        if name in self.define_types:
            return self.define_types[name]
        if name in self._in_progress:  # a cycle: the graph pass reports it
            return T.ERROR
        self._in_progress.add(name)
        result = self.expr(self.symbols.defines[name].expr)
        self._in_progress.discard(name)
        self.define_types[name] = result
        return result

    def answer_type(self, node: ast.AnswerRef) -> T.Type:
        question = self.symbols.questions.get(node.question_id)
        if question is None:
            if self._question_suggestions is None:
                self._question_suggestions = Suggestions(self.symbols.questions, normalise=question_id_key)
            hint = self._question_suggestions.did_you_mean(node.question_id)
            self.error(node, "unknown-question", f"there is no question '{node.question_id}'{hint}")
            return T.ERROR
        if question.answer is None:
            return T.ERROR
        return T.of_declaration(question.answer, f"the answer to {question.id}")

    # ---------------------------------------------------------------- expressions
    def expr(self, node) -> T.Type:
        """The type of an expression used where an option code alone means nothing."""
        result = self.expr_or_code(node)
        if isinstance(result, T.Code) and not result.declared:
            return self.unknown_name(node)
        return result

    def expr_or_code(self, node) -> T.Type:
        """The type of an expression that may be a bare option code (beside an enumeration)."""
        method = getattr(self, "_" + type(node).__name__)
        return method(node)

    def settle_code(self, node, result: T.Type) -> None:
        """An undeclared name that met no enumeration is an unknown name after all."""
        if isinstance(result, T.Code) and not result.declared:
            self.unknown_name(node)

    def _Name(self, node):
        return self.name_type(node)

    def _AnswerRef(self, node):
        return self.answer_type(node)

    def _IntLit(self, node):
        return T.INT

    def _DateLit(self, node):
        return T.DATE

    def _TextLit(self, node):
        return T.TEXT

    def _BoolLit(self, node):
        return T.BOOL

    def _DurationLit(self, node):
        if node.unit in AMBIGUOUS_UNITS:
            self.error(
                node, "ambiguous-duration",
                f"'{node.amount} {node.unit}' has no fixed length (a month is 28 to 31 days); write it in days or weeks, e.g. '56 days' or '8 weeks'",
            )
            return T.ERROR
        return T.DURATION

    def _SetLit(self, node):
        return T.CodeSet(node.members)

    def _Not(self, node):
        self.expect_bool(node.operand, "'not'")
        return T.BOOL

    def _BoolOp(self, node):
        self.expect_bool(node.left, f"'{node.op}'")
        self.expect_bool(node.right, f"'{node.op}'")
        return T.BOOL

    def _If(self, node):
        self.expect_bool(node.condition, "the condition of 'if'")
        then, otherwise = self.expr(node.then), self.expr(node.otherwise)
        unified = self.unify(then, otherwise, node.otherwise)
        if unified is None:
            self.error(node, "type-mismatch", f"the two branches of 'if' must have the same type: 'then' gives {then.describe()}, 'else' gives {otherwise.describe()}")
            return T.ERROR
        return unified

    def _Compare(self, node):
        left, right = self.expr_or_code(node.left), self.expr_or_code(node.right)
        if not isinstance(left, T.Enum):
            self.settle_code(node.right, right)
            right = T.ERROR if isinstance(right, T.Code) and not right.declared else right
        if not isinstance(right, T.Enum):
            self.settle_code(node.left, left)
            left = T.ERROR if isinstance(left, T.Code) and not left.declared else left
        unified = self.unify(left, right, node)
        if unified is None:
            self.error(node, "type-mismatch", f"cannot compare {left.describe()} with {right.describe()} using '{node.op}'{self._mismatch_hint(left, right, node)}")
            return T.BOOL
        if node.op not in ("==", "!=") and not isinstance(unified, T.Unknown):
            ordered = unified in ORDERED_PRIMS or (isinstance(unified, T.Enum) and unified.ordered)
            if not ordered:
                self.error(node, "not-ordered", f"'{node.op}' needs values with an order (numbers, dates, durations or scale levels), but these are {unified.describe()}")
        return T.BOOL

    def _mismatch_hint(self, left, right, node) -> str:
        if {left, right} == {T.INT, T.DURATION}:
            return "; write a duration with its unit, e.g. '56 days'"
        for enum, other in ((left, node.right), (right, node.left)):
            # `[X 6] != "not_a_factor"`: an option code written in quotes is text, not the option.
            if isinstance(enum, T.Enum) and isinstance(other, ast.TextLit) and other.value in enum.codes:
                return f"; remove the quotes: option codes are written bare, like {other.value}"
        return ""

    def _In(self, node):
        element, collection = self.expr_or_code(node.element), self.expr(node.collection)
        if not isinstance(collection, T.SetOf):
            self.settle_code(node.element, element)
            element = T.ERROR if isinstance(element, T.Code) and not element.declared else element
        if isinstance(element, T.Unknown) or isinstance(collection, T.Unknown):
            return T.BOOL
        if isinstance(collection, T.SetOf):
            self.fit_codes(element, collection.element, node.element)
        elif isinstance(collection, T.CodeSet):
            if isinstance(element, T.Enum):
                self.check_codes(collection.codes, element, node.collection)
            else:
                self.error(node.element, "type-mismatch", f"'in {{...}}' needs an option on the left, but this is {element.describe()}")
        else:
            self.error(node.collection, "type-mismatch", f"'in' needs a set on the right (a multi-choice answer or {{a, b}}), but this is {collection.describe()}")
        return T.BOOL

    def _IsEmpty(self, node):
        operand = self.expr(node.operand)
        if not isinstance(operand, (T.SetOf, T.Unknown)):
            self.error(node.operand, "type-mismatch", f"'is empty' needs a multi-choice answer, but this is {operand.describe()}")
        return T.BOOL

    def _Arith(self, node):
        left, right = self.expr(node.left), self.expr(node.right)
        if isinstance(left, T.Unknown) or isinstance(right, T.Unknown):
            return T.ERROR
        table = {
            ("+", T.DATE, T.DURATION): T.DATE,
            ("-", T.DATE, T.DURATION): T.DATE,
            ("-", T.DATE, T.DATE): T.DURATION,
            ("+", T.DURATION, T.DURATION): T.DURATION,
            ("-", T.DURATION, T.DURATION): T.DURATION,
            ("+", T.INT, T.INT): T.INT,
            ("-", T.INT, T.INT): T.INT,
        }
        result = table.get((node.op, left, right))
        if result is None:
            self.error(node, "type-mismatch", f"cannot compute {left.describe()} {node.op} {right.describe()}: allowed are date ± duration, date - date, duration ± duration and int ± int")
            return T.ERROR
        return result

    def _DaysBetween(self, node):
        for part, what in ((node.start, "start"), (node.end, "end")):
            actual = self.expr(part)
            if actual not in (T.DATE, T.ERROR):
                self.error(part, "type-mismatch", f"'days from ... to ...' needs dates; the {what} is {actual.describe()}")
        return T.DURATION

    # ---------------------------------------------------------------- helpers
    def expect_bool(self, node, where: str) -> None:
        actual = self.expr(node)
        if actual not in (T.BOOL, T.ERROR):
            self.error(node, "type-mismatch", f"expected a condition (true or false) for {where}, but this is {actual.describe()}{self._bool_hint(actual)}")

    def _bool_hint(self, actual) -> str:
        if isinstance(actual, T.Enum):
            return f"; compare it, e.g. '== {actual.codes[0]}'" if actual.codes else ""
        if isinstance(actual, T.SetOf):
            return "; test it, e.g. 'is empty' or 'CODE in ...'"
        return ""

    def unify(self, a: T.Type, b: T.Type, node) -> T.Type | None:
        """The common type of two operands, or None when they do not fit together."""
        if isinstance(a, T.Unknown) or isinstance(b, T.Unknown):
            return T.ERROR
        if isinstance(a, T.Code) and isinstance(b, T.Enum):
            a, b = b, a
        if isinstance(a, T.Enum) and isinstance(b, T.Code):
            self.check_codes((b.code,), a, node)
            return a
        if isinstance(a, T.Enum) and isinstance(b, T.Enum):
            return a if set(b.codes) <= set(a.codes) or set(a.codes) <= set(b.codes) else None
        if isinstance(a, T.SetOf) and isinstance(b, T.CodeSet):
            self.check_codes(b.codes, a.element, node)
            return a
        if isinstance(a, T.CodeSet) and isinstance(b, T.SetOf):
            return self.unify(b, a, node)
        if isinstance(a, T.Code) and isinstance(b, T.Code):
            return None
        return a if a == b else None

    def fit_codes(self, element: T.Type, enum: T.Enum, node) -> None:
        if isinstance(element, T.Code):
            self.check_codes((element.code,), enum, node)
        elif isinstance(element, T.Enum):
            if not set(element.codes) <= set(enum.codes):
                self.error(node, "type-mismatch", f"{element.describe()} cannot be in {enum.what}")
        elif not isinstance(element, T.Unknown):
            self.error(node, "type-mismatch", f"expected {enum.describe()}, but this is {element.describe()}")

    def check_codes(self, codes, enum: T.Enum, node) -> None:
        for code in codes:
            if code not in enum.codes:
                self.error(node, "unknown-option", f"'{code}' is not {enum.describe()}{did_you_mean(code, enum.codes)}")

    # ---------------------------------------------------------------- declarations
    def check(self) -> None:
        for define in self.symbols.defines.values():
            self.define_type(define.name)
        for fact in self.symbols.facts.values():
            self.check_options(fact.type)
        for grouping in self.symbols.groupings.values():
            self.check_grouping(grouping)
        for constraint in self.symbols.constraints:
            if constraint.field not in self.symbols.facts:
                hint = did_you_mean(constraint.field, self.symbols.facts)
                self.error(constraint, "unknown-name", f"a constraint must name a fact, and '{constraint.field}' is not one{hint}")
            self.expect_bool(constraint.expr, "the constraint")
        for rule in self.symbols.consistency:
            known = self.symbols.questions if rule.on_answer else self.symbols.facts
            if rule.field not in known:
                what = "question" if rule.on_answer else "fact"
                self.error(rule, "unknown-name", f"a consistency rule must name a fact or [question], and '{rule.field}' is not a {what}{did_you_mean(rule.field, known)}")
            self.expect_bool(rule.expr, "the consistency rule")
        for entry in self.symbols.applicability.values():
            if entry.condition is not None:
                self.expect_bool(entry.condition, f"the meaning of the label \"{entry.label}\"")
        for exclusion in self.symbols.exclusions:
            self.expect_bool(exclusion.condition, "the 'exclude when' condition")
        self.check_case_type()
        for question in self.symbols.questions.values():
            self.check_question(question)
        self.check_ratings()

    def check_options(self, type_expr: ast.TypeExpr) -> None:
        seen: set[str] = set()
        for option in type_expr.options:
            if option.code in seen:
                self.error(option, "duplicate-option", f"option '{option.code}' is listed twice")
            seen.add(option.code)

    def check_grouping(self, grouping: ast.GroupingDecl) -> None:
        """A grouping names a fact; its groups are all bands (of a number or date fact, in the fact's kind of
        value, not overlapping) or all merged options (of an option fact, each option in one group at most)."""
        codes: set[str] = set()
        for member in grouping.members:
            if member.code in codes:
                self.error(member, "duplicate-option", f"group '{member.code}' is listed twice in grouping '{grouping.name}'")
            codes.add(member.code)
        fact = self.symbols.facts.get(grouping.source)
        if fact is None:
            hint = did_you_mean(grouping.source, self.symbols.facts)
            self.error(grouping, "unknown-name", f"grouping '{grouping.name}' groups the values of a fact, and '{grouping.source}' is not one{hint}")
            return
        kind = fact.type.kind
        bands = [member for member in grouping.members if member.is_band]
        if bands and len(bands) < len(grouping.members):
            self.error(grouping, "mixed-grouping", f"grouping '{grouping.name}' mixes bands ('from ... to ...') with merged options ('is ...'); use one or the other")
            return
        if bands:
            if kind not in ("int", "date"):
                self.error(bands[0], "type-mismatch", f"bands ('from ... to ...') group a number or a date, but '{grouping.source}' is {T.describe_declared(fact.type)}; group its options with 'is ...'")
                return
            self.check_bands_of(grouping, kind)
            return
        if kind not in ("one", "scale"):
            self.error(grouping.members[0], "type-mismatch", f"'is ...' merges options of a fact that takes one option, but '{grouping.source}' is {T.describe_declared(fact.type)}; group a number or a date with 'from ... to ...'")
            return
        enum = T.Enum(grouping.source, T.option_codes(fact.type))
        grouped: dict[str, str] = {}
        for member in grouping.members:
            self.check_codes(member.options, enum, member)
            for option in member.options:
                if option in grouped:
                    self.error(member, "overlapping-groups", f"'{option}' is in two groups of '{grouping.name}': '{grouped[option]}' and '{member.code}'; a value belongs to one group at most")
                grouped.setdefault(option, member.code)

    def check_bands_of(self, grouping: ast.GroupingDecl, kind: str) -> None:
        """Bounds of the fact's kind (whole numbers or dates), lower not above upper, no two bands sharing a value."""
        wanted = int if kind == "int" else datetime.date
        spans = []
        for member in grouping.members:
            bounds = [bound for bound in (member.lower, member.upper) if bound is not None]
            if any(not isinstance(bound, wanted) or isinstance(bound, bool) for bound in bounds):
                self.error(member, "type-mismatch", f"the bounds of group '{member.code}' must be {'whole numbers' if kind == 'int' else 'dates written YYYY-MM-DD'}, as '{grouping.source}' is {kind}")
                return
            if member.lower is not None and member.upper is not None and member.lower > member.upper:  # type: ignore[operator]
                self.error(member, "bad-band", f"group '{member.code}' runs from {member.lower} to {member.upper}: the first bound must not be above the second")
                return
            spans.append(member)
        for index, member in enumerate(spans):
            for other in spans[:index]:
                if _bands_meet(member, other):
                    self.error(member, "overlapping-groups", f"groups '{other.code}' and '{member.code}' of '{grouping.name}' share {_shared(member, other)}; a value belongs to one group at most")

    def check_case_type(self) -> None:
        decl = self.symbols.case_type
        if decl is None:
            return
        for index, rule in enumerate(decl.rules):
            if rule.condition is None:
                if index != len(decl.rules) - 1:
                    self.error(decl.rules[index + 1], "unreachable-rule", "this rule can never be used: the 'otherwise' rule before it always decides the case type")
            else:
                self.expect_bool(rule.condition, f"the '{rule.value}' rule")
        types = self.symbols.case_types()
        for override in decl.overrides:
            self.expect_bool(override.condition, f"the override to '{override.value}'")
            if override.replaces is not None and override.replaces not in types:
                self.error(override, "unknown-option", f"'override {override.value} from {override.replaces}': '{override.replaces}' is not a case type the rules give (they give {', '.join(types)}){did_you_mean(override.replaces, types)}")
            elif override.replaces == override.value:
                self.error(override, "unknown-option", f"'override {override.value} from {override.replaces}' replaces a case type with itself; write 'from' and another case type, or leave 'from' out")

    def check_question(self, question: ast.QuestionDecl) -> None:
        if question.text is None:
            self.error(question, "missing-clause", f"question '{question.id}' has no 'text': give the question as it is asked")
        if question.answer is None:
            self.error(question, "missing-clause", f"question '{question.id}' has no 'answer': say what kind of answer it takes (yes_no, yes_no_not_a_factor, text, one of ..., any of ..., scale ...)")
        else:
            self.check_options(question.answer)
        if question.applies is not None:
            self.expect_bool(question.applies, f"'applies when' of question {question.id}")
        for ref in question.informed_by:
            self.answer_type(ref)
        for derive in question.derive:
            if question.answer is not None:
                allowed = T.option_codes(question.answer)
                if question.answer.kind in ("any", "text") or derive.value not in allowed:
                    self.error(derive, "unknown-option", f"'{derive.value}' is not an answer question '{question.id}' takes (it takes {T.describe_declared(question.answer)}){did_you_mean(derive.value, allowed)}")
            self.expect_bool(derive.condition, f"'derive {derive.value} when'")

    def check_ratings(self) -> None:
        bands = self.symbols.bands
        band_names: list[str] = []
        if bands is not None:
            previous: Fraction | None = None
            for band in bands.bands:
                lower = Fraction(band.lower_percent)
                if band.name in band_names:
                    self.error(band, "duplicate-band", f"band '{band.name}' is listed twice")
                band_names.append(band.name)
                if lower > 100:
                    self.error(band, "bad-band", f"band '{band.name}' starts at {band.lower_percent}%, above 100%")
                if previous is None and lower != 0:
                    self.error(band, "bad-band", f"the lowest band must start from 0% so that every percentage has a band; '{band.name}' starts from {band.lower_percent}%")
                if previous is not None and lower <= previous:
                    self.error(band, "bands-out-of-order", f"band '{band.name}' starts from {band.lower_percent}%, which is not above the band before it; list bands from the lowest up, each starting higher than the last")
                previous = lower
            if bands.small_sample is not None and bands.small_sample < 1:
                self.diagnostics.append(Diagnostic(
                    _last_line(bands.span), "bad-small-sample",
                    f"'small sample below {bands.small_sample} cases' would never apply; give a number of cases of at least 1"))
        elif any(not standard.average_of for standard in self.symbols.standards.values()):
            # A score ('rated by average of') is a percentage of its own; a standard rated by bands needs them.
            first = next(s for s in self.symbols.standards.values() if not s.average_of)
            self.error(first, "missing-bands", "standards are declared but there is no 'bands' block to rate them with")
        for standard in self.symbols.standards.values():
            if not standard.key_questions and not standard.average_of:
                self.error(standard, "standard-without-key-question", f"standard '{standard.name}' has no key question: add 'key questions [P ...]' (or 'rated by average of [...]')")
            if standard.average_of and (standard.key_questions or standard.lowest_band):
                self.error(standard, "two-rating-methods", f"standard '{standard.name}' is rated two ways: 'rated by average of' scores it from its own questions; leave out 'key questions' and 'rated by lowest band'")
            for ref in standard.key_questions:
                self.check_key_question(ref)
            for ref in standard.average_of:
                self.check_yes_no_question(ref)
            for cap in standard.caps:
                self.check_key_question(cap.question)
                for name in (cap.band, cap.when_band):
                    if bands is not None and name not in band_names:
                        self.error(cap, "unknown-band", f"there is no band '{name}'{did_you_mean(name, band_names)}; the bands are {', '.join(band_names)}")

    def check_yes_no_question(self, ref: ast.AnswerRef) -> None:
        """A question averaged into a score: any kind, answered yes or no (its share of 'yes' is averaged)."""
        question = self.symbols.questions.get(ref.question_id)
        if question is None:
            self.answer_type(ref)
        elif question.answer is None or "yes" not in T.option_codes(question.answer):
            self.error(ref, "key-question-not-yes-no", f"'{ref.question_id}' must take a yes/no answer to be averaged into a score")

    def check_key_question(self, ref: ast.AnswerRef) -> None:
        question = self.symbols.questions.get(ref.question_id)
        if question is None:
            self.answer_type(ref)
        elif question.kind != "judgement":
            self.error(ref, "key-question-not-judgement", f"'{ref.question_id}' is {'an' if question.kind[0] in 'aeiou' else 'a'} {question.kind} question; a standard is rated by summary judgements (kind 'judgement')")
        elif question.answer is None or "yes" not in T.option_codes(question.answer):
            self.error(ref, "key-question-not-yes-no", f"'{ref.question_id}' must take a yes/no answer to be counted in a rating")


def check(symbols: Symbols) -> tuple[dict[str, T.Type], list[Diagnostic]]:
    """Type-check every expression and declaration. Returns the types of defined names and the diagnostics."""
    checker = _Checker(symbols)
    checker.check()
    return checker.define_types, checker.diagnostics


def check_condition(symbols: Symbols, expr: ast.Expr, where: str) -> list[Diagnostic]:
    """The diagnostics of one condition checked on its own (``where`` says what it is for, in messages)."""
    checker = _Checker(symbols)
    checker.expect_bool(expr, where)
    return checker.diagnostics


class ExpressionTypes:
    """The static type of any expression of a checked rule set.

    For back ends that write the rules in another language (the form exports),
    where a comparison reads differently for dates, scale levels and sets.
    Defined names' types are worked out once and kept.
    """

    def __init__(self, symbols: Symbols):
        self._checker = _Checker(symbols)

    def __call__(self, expr: ast.Expr) -> T.Type:
        return self._checker.expr_or_code(expr)


def _bands_meet(a: ast.GroupMember, b: ast.GroupMember) -> bool:
    """Whether two bands (bounds included, None for no bound) share a value."""
    a_below_b = a.upper is not None and b.lower is not None and a.upper < b.lower  # type: ignore[operator]
    b_below_a = b.upper is not None and a.lower is not None and b.upper < a.lower  # type: ignore[operator]
    return not (a_below_b or b_below_a)


def _shared(a: ast.GroupMember, b: ast.GroupMember) -> str:
    """The values two overlapping bands share, in words: '24', 'the values from 3 to 5', 'the values from 60'."""
    lowers = [bound for bound in (a.lower, b.lower) if bound is not None]
    uppers = [bound for bound in (a.upper, b.upper) if bound is not None]
    low = max(lowers) if lowers else None  # type: ignore[type-var]
    high = min(uppers) if uppers else None  # type: ignore[type-var]
    if low is not None and low == high:
        return str(low)
    if low is None:
        return f"the values up to {high}"
    return f"the values from {low}" + ("" if high is None else f" to {high}")


def _last_line(span: Span) -> Span:
    """The last line of a block, from its first word: where ``small sample below N cases`` stands in ``bands``."""
    if span.source is None:
        return span
    text = span.source.line(span.end_line)
    column = len(text) - len(text.lstrip()) + 1
    return Span(span.source, span.end_line, column, span.end_line, len(text) + 1)
