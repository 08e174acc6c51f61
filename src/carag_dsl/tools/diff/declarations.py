"""What changed in the declarations of two rule sets, apart from what any case comes to.

Questions are paired by id; a question that disappears while one with exactly
the same text appears under a new id is *renamed*, not removed and added (the
CARaG renumbers questions between versions). For paired questions every field
people read (text, label, guidance, kind, answer options, section, informed
by) is compared on its own, so a guidance-only edit is listed here and nowhere
else. Facts, defined names' meanings, sections, bands, standards, constraint
messages and inspection questions (their text, evidence and links to the case
findings) are compared the same way. Rules are listed as text too
(``rules``), so a reader sees which rule was edited next to what the edit does.
"""

from __future__ import annotations

from typing import Any, Iterable

import attrs

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.language import ast
from carag_dsl.language.formatter import format_expr, format_group_member


@attrs.frozen
class Rename:
    old: str
    new: str

    def to_dict(self) -> dict[str, str]:
        return {"old": self.old, "new": self.new}


@attrs.frozen
class QuestionPairing:
    """Which question of the old rule set is which of the new: ``pairs`` maps old id to new id."""

    pairs: dict[str, str]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    renamed: tuple[Rename, ...]

    def old_id(self, new_id: str) -> str | None:
        """The old rule set's id of a question of the new one (None when it is new)."""
        return next((old for old, new in self.pairs.items() if new == new_id), None)


@attrs.frozen
class FieldEdit:
    """One field of one declaration whose value changed: ``{question, field, old, new}`` for questions."""

    subject: str  # "question", "fact", "define", "section", "bands", "standard", "constraint", "ruleset", "inspection question"
    name: str | None  # the question id (new id when renamed), fact name, standard name, ...
    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        if self.subject == "question":
            return {"question": self.name, "field": self.field, "old": self.old, "new": self.new}
        return {"kind": self.subject, "name": self.name, "field": self.field, "old": self.old, "new": self.new}


def _normal_text(text: str | None) -> str:
    return " ".join((text or "").split())


def pair_questions(old: CheckedRules, new: CheckedRules) -> QuestionPairing:
    old_ids, new_ids = list(old.symbols.questions), list(new.symbols.questions)
    pairs = {qid: qid for qid in old_ids if qid in new.symbols.questions}
    gone = [qid for qid in old_ids if qid not in pairs]
    came = [qid for qid in new_ids if qid not in old.symbols.questions]
    renamed: list[Rename] = []
    for old_id in list(gone):
        text = _normal_text(old.symbols.questions[old_id].text)
        match = next((qid for qid in came if _normal_text(new.symbols.questions[qid].text) == text), None)
        if match is not None:
            renamed.append(Rename(old_id, match))
            pairs[old_id] = match
            gone.remove(old_id)
            came.remove(match)
    return QuestionPairing(pairs, tuple(came), tuple(gone), tuple(renamed))


# ------------------------------------------------------------------ words for declarations


def _options(type_expr: ast.TypeExpr | None) -> Any:
    """A type as data people can compare: its kind and its options with their labels."""
    if type_expr is None:
        return None
    if not type_expr.options:
        return type_expr.kind
    return {"kind": type_expr.kind, "options": [o.code if o.label is None else f"{o.code} \"{o.label}\"" for o in type_expr.options]}


def _expr(expr: ast.Expr | None) -> str | None:
    return None if expr is None else format_expr(expr)


def _section_title(rules: CheckedRules, qid: str) -> str | None:
    section = rules.symbols.section_of.get(qid)
    return section.title if section else None


def _question_fields(rules: CheckedRules, qid: str, rename: dict[str, str]) -> dict[str, Any]:
    decl = rules.symbols.questions[qid]
    return {
        "kind": decl.kind,
        "text": decl.text,
        "label": decl.label,
        "guidance": decl.guidance,
        "answer": _options(decl.answer),
        "section": _section_title(rules, qid),
        "informed_by": [rename.get(r.question_id, r.question_id) for r in decl.informed_by],
    }


def _question_rules(rules: CheckedRules, qid: str) -> dict[str, Any]:
    decl = rules.symbols.questions[qid]
    return {
        "applies": _expr(decl.applies) or "always",
        "derive": [f"{d.value} when {format_expr(d.condition)}" for d in decl.derive],
    }


def _edits(subject: str, name: str | None, old: dict[str, Any], new: dict[str, Any]) -> list[FieldEdit]:
    return [_edit(subject, name, field, old.get(field), new.get(field)) for field in {**old, **new} if old.get(field) != new.get(field)]


def _edit(subject: str, name: str | None, field: str, old: Any, new: Any) -> FieldEdit:
    """One edit; of two lists (rules, key questions) only the entries one has and the other has not."""
    if isinstance(old, list) and isinstance(new, list):
        gone, came = [x for x in old if x not in new], [x for x in new if x not in old]
        if gone or came:  # (a list only put in another order keeps both in full)
            old, new = gone, came
    return FieldEdit(subject, name, field, old, new)


def question_edits(old: CheckedRules, new: CheckedRules, pairing: QuestionPairing) -> list[FieldEdit]:
    """Edits to what people read of each question kept (or renamed), in the new rule set's order."""
    found: list[FieldEdit] = []
    for old_id, new_id in _in_new_order(pairing, new):
        found += _edits("question", new_id, _question_fields(old, old_id, pairing.pairs), _question_fields(new, new_id, {}))
    return found


def rule_edits(old: CheckedRules, new: CheckedRules, pairing: QuestionPairing) -> list[FieldEdit]:
    """Edits to the rules themselves, as text: each question's applicability and derivations, the case type, definitions."""
    found: list[FieldEdit] = []
    for old_id, new_id in _in_new_order(pairing, new):
        found += _edits("question", new_id, _question_rules(old, old_id), _question_rules(new, new_id))
    found += _edits("case type", None, _case_type_rules(old), _case_type_rules(new))
    old_defines, new_defines = old.symbols.defines, new.symbols.defines
    for name in _union(old_defines, new_defines):
        before = _expr(old_defines[name].expr) if name in old_defines else None
        after = _expr(new_defines[name].expr) if name in new_defines else None
        if before != after:
            found.append(FieldEdit("define", name, "expression", before, after))
    before_exclusions = [f"exclude when {format_expr(e.condition)} because {e.reason}" for e in old.symbols.exclusions]
    after_exclusions = [f"exclude when {format_expr(e.condition)} because {e.reason}" for e in new.symbols.exclusions]
    if before_exclusions != after_exclusions:
        found.append(_edit("exclusion", None, "rules", before_exclusions, after_exclusions))
    before_constraints = [_constraint_rule(c) for c in old.symbols.constraints]
    after_constraints = [_constraint_rule(c) for c in new.symbols.constraints]
    if before_constraints != after_constraints:
        found.append(_edit("constraint", None, "rules", before_constraints, after_constraints))
    return found


def _constraint_rule(decl: ast.ConstraintDecl) -> str:
    return f"{decl.field} requires {format_expr(decl.expr)}"


def _case_type_rules(rules: CheckedRules) -> dict[str, Any]:
    decl = rules.symbols.case_type
    if decl is None:
        return {}
    return {
        "rules": [f"{r.value} when {format_expr(r.condition)}" if r.condition is not None else f"{r.value} otherwise" for r in decl.rules],
        "overrides": [f"override {o.value}{' from ' + o.replaces if o.replaces else ''} when {format_expr(o.condition)}" for o in decl.overrides],
    }


def declaration_edits(old: CheckedRules, new: CheckedRules) -> list[FieldEdit]:
    """Edits outside the questions and their rules: the header, facts, groupings, meanings, sections, bands, standards,
    inspection questions, messages."""
    found: list[FieldEdit] = []
    o, n = old.symbols, new.symbols
    found += _edits("ruleset", None, _header(o.header), _header(n.header))
    for name in _union(o.facts, n.facts):
        found += _edits("fact", name, _fact(o.facts.get(name)), _fact(n.facts.get(name)))
    for name in _union(o.defines, n.defines):
        before, after = o.defines.get(name), n.defines.get(name)
        if before is not None and after is not None and before.doc != after.doc:
            found.append(FieldEdit("define", name, "meaning", before.doc, after.doc))
    old_sections = {s.title: s for s in o.sections}
    new_sections = {s.title: s for s in n.sections}
    for title in _union(old_sections, new_sections):
        found += _edits("section", title, _section(old_sections.get(title)), _section(new_sections.get(title)))
    found += _edits("bands", None, _bands(o.bands), _bands(n.bands))
    for name in _union(o.standards, n.standards):
        found += _edits("standard", name, _standard(o.standards.get(name)), _standard(n.standards.get(name)))
    for name in _union(o.groupings, n.groupings):
        found += _edits("grouping", name, _grouping(o.groupings.get(name)), _grouping(n.groupings.get(name)))
    for qid in _union(o.inspection_questions, n.inspection_questions):
        found += _edits("inspection question", qid, _inspection(o.inspection_questions.get(qid)), _inspection(n.inspection_questions.get(qid)))
    messages = lambda symbols: {f"{c.field} requires {format_expr(c.expr)}": c.message for c in symbols.constraints}  # noqa: E731
    before_messages, after_messages = messages(o), messages(n)
    for rule in before_messages.keys() & after_messages.keys():
        if before_messages[rule] != after_messages[rule]:
            found.append(FieldEdit("constraint", rule, "message", before_messages[rule], after_messages[rule]))
    return found


def _union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    """Names of both, the first's order then the second's new ones."""
    return list(dict.fromkeys([*first, *second]))


def _in_new_order(pairing: QuestionPairing, new: CheckedRules) -> list[tuple[str, str]]:
    old_of = {n: o for o, n in pairing.pairs.items()}
    return [(old_of[qid], qid) for qid in new.symbols.questions if qid in old_of]


def _header(header: ast.Header | None) -> dict[str, Any]:
    if header is None:
        return {}
    return {"name": header.name, "version": header.version, "published": header.published.isoformat()}


def _fact(decl: ast.FactDecl | None) -> dict[str, Any]:
    if decl is None:
        return {"declared": False}
    return {"declared": True, "type": _options(decl.type), "meaning": decl.doc}


def _section(decl: ast.SectionDecl | None) -> dict[str, Any]:
    if decl is None:
        return {"declared": False}
    return {"declared": True, "heading": decl.heading, "guidance": decl.guidance}


def _grouping(decl: ast.GroupingDecl | None) -> dict[str, Any]:
    """A grouping as its lines read (the groups analysts' tables break figures down by)."""
    if decl is None:
        return {"declared": False}
    return {"declared": True, "of": decl.source, "groups": [format_group_member(m) for m in decl.members], "meaning": decl.doc}


def _bands(decl: ast.BandsDecl | None) -> dict[str, Any]:
    return {"bands": [f"{b.name} from {b.lower_percent}%" for b in decl.bands] if decl else []}


def _inspection(decl: ast.InspectionQuestionDecl | None) -> dict[str, Any]:
    """What people read of an inspection question, and its links written out (a changed link is one gone, one come)."""
    if decl is None:
        return {"declared": False}
    links = [
        "informed by " + ", ".join(f"[{r.question_id}]" for r in link.questions)
        + (f" within {format_expr(link.within)}" if link.within is not None else "") + f' because "{link.because}"'
        for link in decl.links
    ]
    return {"declared": True, "domain": decl.domain, "heading": decl.heading, "text": decl.text, "guidance": decl.guidance,
            "evidence": list(decl.evidence), "links": links}


def _standard(decl: ast.StandardDecl | None) -> dict[str, Any]:
    if decl is None:
        return {"declared": False}
    return {
        "declared": True,
        "key_questions": [r.question_id for r in decl.key_questions],
        "caps": [f"at most {c.band} when {c.question.question_id} is {c.when_band}" for c in decl.caps],
    }
