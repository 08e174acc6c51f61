"""What a form of a rule set holds, whatever the target: fields in groups, calculated values, checks.

:func:`build_plan` walks the checked rule set once and writes every condition
in one dialect (:mod:`.expressions`); the XLSForm and SurveyJS writers only
lay the plan out in their formats.

What a form does with each part of the rules:

- a fact is a field in the first group; a question a field in its section's
  group, shown (``relevant`` / ``visibleIf``) exactly when carag says it
  applies, hidden while that is unknown;
- defined names and the case type are calculated values, in the order carag
  evaluates them; an override answer (``override core when [2.0.19a] == yes``)
  is read by the case type's calculation as carag reads it, and answers that
  contradict each other break a constraint on the questions they come from;
  the case type, and whether the case is inspected, are blank while carag
  says they are not known (the formulas of compiler.routing);
- a judgement with ``derive`` rules gets a calculated derived value, which
  later rules read while the judgement is unanswered (as carag does); the
  judgement itself stays for the inspector to answer, required only while no
  derive rule gives its value, and an answer that differs from that value
  breaks a constraint (carag rejects it);
- a ``constraint`` is a constraint on its fact's field, checked once the field
  is filled, failing only when carag says the rule is false; a consistency
  rule (``constraint ... warn``) is a warning on its field, under the same
  terms, that keeps the value;
- every question that applies needs an answer (``required``);
- a question marked ``record reasons`` is followed by a text field for the
  inspector's reasons (the case data's ``reasons``), shown with the question
  and optional.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import attrs

from carag_dsl.compiler import types as T
from carag_dsl.compiler.graph import CASE_TYPE_NODE, expression_inputs
from carag_dsl.compiler.routing import Algebra, Kleene, case_type_decision, exclusion_decision
from carag_dsl.language import ast
from carag_dsl.tools.forms.expressions import Dialect, Lowering
from carag_dsl.tools.forms.names import FieldNames

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

FACTS_GROUP_LABEL = "Case facts"


@attrs.frozen
class Check:
    """A condition a field's value must meet, and what the form says when it does not."""

    condition: str
    message: str


@attrs.frozen
class Field:
    """A fact or a question as a form field."""

    name: str
    carag_id: str
    role: str  # "fact" | "question" | "reasons" (the reasons for the question ``carag_id``)
    type: ast.TypeExpr
    label: str
    hint: str | None  # short: a question's applicability label ("Core cases only")
    relevant: str | None  # None: always shown
    required: str | None  # None: optional; Dialect.TRUE: always when shown; else a condition
    checks: tuple[Check, ...] = ()  # errors: the value is refused until they hold
    warnings: tuple[Check, ...] = ()  # the form warns while one does not hold, and keeps the value
    guidance: str | None = None  # a question's guidance, paragraphs apart (ODK's guidance_hint, shown on demand)


@attrs.frozen
class Calculation:
    """A value the form calculates: the case type, a defined name, a judgement's derived value."""

    name: str
    carag_id: str
    expression: str


@attrs.frozen
class Group:
    name: str
    label: str
    hint: str | None
    fields: tuple[Field, ...]


@attrs.frozen
class FormPlan:
    """The case facts' group (None for a rule set without facts), a group per section, the calculated values."""

    title: str
    version: str
    facts: Group | None
    sections: tuple[Group, ...]
    calculations: tuple[Calculation, ...]

    @property
    def groups(self) -> tuple[Group, ...]:
        return ((self.facts,) if self.facts else ()) + self.sections


def form_version(rules: "CheckedRules") -> str:
    """The rule set's version and the hash of its text: a form names exactly the rules it was made from."""
    return f"{rules.version or '0'}+{rules.content_hash}"


def paragraphs(text: str | None) -> list[str]:
    """The paragraphs of a guidance text, each on one line."""
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text or "") if block.strip()]


def first_paragraph(text: str | None) -> str | None:
    found = paragraphs(text)
    return found[0] if found else None


def build_plan(rules: "CheckedRules", dialect: Dialect, names: FieldNames, refuse=None) -> FormPlan:
    return _Planner(rules, dialect, names, refuse).plan()


class _Planner:
    def __init__(self, rules: "CheckedRules", dialect: Dialect, names: FieldNames, refuse):
        self.rules = rules
        self.symbols = rules.symbols
        self.d = dialect
        self.names = names
        self.shared: list[Calculation] = []  # parts of expressions written more than once, named once
        self.lowering = Lowering(rules, dialect, names, refuse, self._share)

    def _share(self, expression: str) -> str:
        name = self.names.shared()
        self.shared.append(Calculation(name, "shared", expression))
        return name

    def plan(self) -> FormPlan:
        errors, warnings = self.rule_checks()
        facts = Group(self.names.group("facts"), FACTS_GROUP_LABEL, None, tuple(self.fact_fields(errors, warnings)))
        sections = tuple(group for group in self.section_groups(errors, warnings) if group.fields)
        calculations = tuple(self.calculations())
        # The named parts first: each is read only by what was lowered after it was named.
        return FormPlan(self.rules.name or "carag rules", form_version(self.rules), facts if facts.fields else None,
                        sections, tuple(self.shared) + calculations)

    # ------------------------------------------------------------------ checks
    def rule_checks(self) -> tuple[dict[tuple[str, str], list[Check]], dict[tuple[str, str], list[Check]]]:
        """Errors (``constraint ... message``) and warnings (``constraint ... warn``) by (role, carag id) of their field."""
        errors: dict[tuple[str, str], list[Check]] = {}
        warnings: dict[tuple[str, str], list[Check]] = {}
        for constraint in self.symbols.constraints:
            key = ("fact", constraint.field)
            errors.setdefault(key, []).append(Check(self.kept(key, constraint.expr), constraint.message))
        for rule in self.symbols.consistency:
            key = ("question" if rule.on_answer else "fact", rule.field)
            warnings.setdefault(key, []).append(Check(self.kept(key, rule.expr), rule.message))
        d = self.d
        for qid, question in self.symbols.questions.items():
            if question.derive:  # an answer must be the value a derive rule gives (an error in carag too)
                answer, derived = d.field(self.names.question(qid)), d.field(self.names.derived(qid))
                errors.setdefault(("question", qid), []).append(Check(
                    d.or_(d.blank(answer), d.blank(derived), d.compare("==", answer, derived)),
                    "this answer differs from the value the rules derive here; give that value, or correct the "
                    "answers and facts it is derived from"))
        return errors, warnings

    def kept(self, key: tuple[str, str], expr: ast.Expr) -> str:
        """Checked once the field is given; broken only when carag says the rule is false."""
        role, carag_id = key
        ref = self.d.field(self.names.fact(carag_id) if role == "fact" else self.names.question(carag_id))
        return self.d.or_(self.d.blank(ref), self.d.not_(self.lowering.condition(expr).false))

    # ------------------------------------------------------------------ facts
    def fact_fields(self, errors, warnings):
        for name, decl in self.symbols.facts.items():
            label = _sentence(decl.doc) if decl.doc else name
            key = ("fact", name)
            yield Field(self.names.fact(name), name, "fact", decl.type, label, None, None, None,
                        tuple(errors.get(key, ())), tuple(warnings.get(key, ())))

    # ------------------------------------------------------------------ questions
    def section_groups(self, errors, warnings):
        by_section: dict[int, list[ast.QuestionDecl]] = {}
        sections: dict[int, ast.SectionDecl | None] = {}
        for qid, question in self.symbols.questions.items():
            section = self.symbols.section_of.get(qid)
            key = id(section)
            sections.setdefault(key, section)
            by_section.setdefault(key, []).append(question)
        for qid, checks in self.override_checks().items():
            errors.setdefault(("question", qid), []).extend(checks)
        for number, (key, questions) in enumerate(by_section.items(), start=1):
            section = sections[key]
            label = section.title if section else "Questions"
            hint = (section.heading if section else None)
            fields: list[Field] = []
            for q in questions:
                field = self.question_field(q, errors.get(("question", q.id), ()), warnings.get(("question", q.id), ()))
                fields.append(field)
                if q.record_reasons:
                    fields.append(self.reasons_field(q, field))
            yield Group(self.names.group(str(number)), label, hint, tuple(fields))

    def question_field(self, question: ast.QuestionDecl, checks, warnings) -> Field:
        d = self.d
        relevant = None if question.applies is None else self.lowering.holds(question.applies)
        if self.symbols.exclusions:  # a case not inspected, or not known to be, has no questions
            relevant = d.and_(relevant, d.compare("==", d.field(self.names.excluded()), d.string("false")))
        required = d.TRUE
        if question.derive:  # answered by a derive rule when one holds: required only while none does
            required = d.blank(d.field(self.names.derived(question.id)))
        label = f"{question.id} {question.text or ''}".strip()
        answer = question.answer or ast.TypeExpr("text")
        guidance = "\n\n".join(paragraphs(question.guidance)) or None
        return Field(self.names.question(question.id), question.id, "question", answer, label, question.label or None, relevant,
                     required, tuple(checks), tuple(warnings), guidance)

    def reasons_field(self, question: ast.QuestionDecl, answer: Field) -> Field:
        """The inspector's reasons for a 'record reasons' question: text, shown with the question, optional."""
        return Field(self.names.reasons(question.id), question.id, "reasons", ast.TypeExpr("text"),
                     f"{question.id} Reasons: why this has or has not been completed to a sufficient standard",
                     "The guidance asks inspectors to record why.", answer.relevant, None)

    def override_checks(self) -> dict[str, list[Check]]:
        """Answers that would make the case two types at once: a check on each question an override reads."""
        decl = self.symbols.case_type
        if decl is None:
            return {}
        d = self.d
        clashes = []
        for i, first in enumerate(decl.overrides):
            for second in decl.overrides[i + 1:]:
                if first.value != second.value:
                    clashes.append(d.and_(self.lowering.holds(first.condition), self.lowering.holds(second.condition)))
        if not clashes:
            return {}
        condition = d.not_(d.or_(*clashes))
        message = "these answers contradict each other: one makes the case one type and another a different one; correct one of them"
        found: dict[str, list[Check]] = {}
        for override in decl.overrides:
            for node in expression_inputs(override.condition, self.symbols):
                if node.startswith("question:"):
                    found.setdefault(node.split(":", 1)[1], [Check(condition, message)])
        return found

    # ------------------------------------------------------------------ calculations
    def calculations(self):
        """Calculated values in carag's evaluation order (each after what it reads); then whether the case is excluded."""
        yield from self._routing_calculations()
        if self.symbols.exclusions:  # "true", "false", or blank while it is not known (compiler.routing)
            d = self.d
            decision = exclusion_decision(self.algebra, [self.kleene(e.condition) for e in self.symbols.exclusions])
            excluded = d.or_(*map(self.formula, decision.first_holding))
            inspected = d.not_(d.or_(excluded, self.formula(decision.not_known)))
            yield Calculation(self.names.excluded(), "excluded",
                              d.choose(excluded, d.string("true"), d.choose(inspected, d.string("false"), d.string(""))))

    def _routing_calculations(self):
        for node in self.rules.order:
            if node == CASE_TYPE_NODE:
                yield Calculation(self.names.case_type(), "case_type", self.case_type())
                continue
            kind, name = node.split(":", 1)
            if kind == "define":
                if not self._is_set(name):
                    yield Calculation(self.names.define(name), name, self.lowering.stored(self.symbols.defines[name].expr))
            elif self.symbols.questions[name].derive:
                yield Calculation(self.names.derived(name), name, self.derived(self.symbols.questions[name]))

    def _is_set(self, define: str) -> bool:
        return isinstance(self.lowering.type_of(self.symbols.defines[define].expr), (T.SetOf, T.CodeSet))

    def case_type(self) -> str:
        """The case type as carag decides it under unknowns (compiler.routing), blank while it is not known."""
        d = self.d
        decl = self.symbols.case_type
        assert decl is not None  # the case type is in the evaluation order only when declared
        rules = [Kleene(True, False) if r.condition is None else self.kleene(r.condition) for r in decl.rules]
        overrides = [self.kleene(o.condition) for o in decl.overrides]
        decision = case_type_decision(decl, self.algebra, rules, overrides)
        result = d.string("")
        for code, certain in reversed(decision.is_type.items()):
            result = d.choose(self.formula(certain), d.string(code), result)
        return result

    @property
    def algebra(self) -> Algebra:
        """compiler.routing's formulas written in this form's expressions."""
        d = self.d
        return Algebra(lambda a, b: d.and_(a, b), lambda a, b: d.or_(a, b), d.not_)

    def kleene(self, condition: ast.Expr) -> Kleene:
        """A condition's two expressions (certainly true, certainly false), constants as Python bools."""
        lowered = self.lowering.condition(condition)
        constants = {self.d.TRUE: True, self.d.FALSE: False}
        return Kleene(constants.get(lowered.true, lowered.true), constants.get(lowered.false, lowered.false))

    def formula(self, value) -> str:
        """A routing formula as an expression (one that folded to a constant becomes true() or false())."""
        if value is True or value is False:
            return self.d.TRUE if value else self.d.FALSE
        return value

    def derived(self, question: ast.QuestionDecl) -> str:
        """The first derive rule that holds gives the value, only while the question applies."""
        d = self.d
        applies = self.lowering.holds(question.applies)
        result = d.string("")
        for rule in reversed(question.derive):
            result = d.choose(self.lowering.holds(rule.condition), d.string(rule.value), result)
        return d.choose(applies, result, d.string(""))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
