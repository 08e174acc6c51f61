"""Hover: what a question, fact, defined name or option code is, in the words of the rule set."""

from __future__ import annotations

from carag_dsl.compiler import types as T
from carag_dsl.compiler.plain_english import PlainEnglish
from carag_dsl.compiler.symbols import CASE_TYPE, Symbols
from carag_dsl.language import ast
from carag_dsl.language.formatter import format_expr
from carag_dsl.lsp.resolve import Key


def first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].strip()


def _options(words: PlainEnglish, type_expr: ast.TypeExpr) -> list[str]:
    return [f"- `{code}`: {words.option_label(code, type_expr)}" for code in T.option_codes(type_expr)]


def describe(key: Key, symbols: Symbols) -> str | None:
    """Markdown describing the thing a symbol key names, or None when the rule set does not declare it."""
    words = PlainEnglish(symbols)
    if key[0] == "question":
        question = symbols.questions.get(key[1])
        return _question(words, symbols, question) if question is not None else None
    if key[0] == "name":
        return _name(words, symbols, key[1])
    if key[0] == "option":
        return _option(words, symbols, key[1], key[2], key[3])
    if key[0] == "inspection" and key[1] in symbols.inspection_questions:
        return _inspection(words, symbols.inspection_questions[key[1]])
    return None


def _inspection(words: PlainEnglish, decl: ast.InspectionQuestionDecl) -> str:
    where = " / ".join(part for part in (decl.domain, decl.heading) if part)
    lines = [f"**inspection question {decl.id}**" + (f" in *{where}*" if where else "")]
    if decl.text:
        lines += ["", decl.text]
    for link in decl.links:
        refs = ", ".join(f"[{r.question_id}]" for r in link.questions)
        group = f" in cases where {words.expr(link.within)}" if link.within is not None else ""
        lines += ["", f"Informed by {refs}{group}"]
    if decl.evidence:
        lines += ["", f"Evidence: {len(decl.evidence)} sources"]
    if decl.guidance:
        lines += ["", "---", "", first_paragraph(decl.guidance)]
    return "\n".join(lines)


def _question(words: PlainEnglish, symbols: Symbols, question: ast.QuestionDecl) -> str:
    section = symbols.section_of.get(question.id)
    lines = [f"**[{question.id}]** {question.kind} question" + (f" in *{section.title}*" if section else "")]
    if question.text:
        lines += ["", question.text]
    if question.label:
        lines += ["", f"Label: *{question.label}*"]
    lines += ["", words.applicability(question)]
    lines += ["", f"Answer: {words.answer_kind(question.answer)}"]
    if question.answer is not None and question.answer.kind not in ("text",):
        lines += _options(words, question.answer)
    if question.guidance:
        lines += ["", "---", "", first_paragraph(question.guidance)]
    return "\n".join(lines)


def _name(words: PlainEnglish, symbols: Symbols, name: str) -> str | None:
    if name in symbols.facts:
        fact = symbols.facts[name]
        lines = [f"**fact** `{name}`: {T.describe_declared(fact.type)}"]
        if fact.doc:
            lines += ["", fact.doc]
        if fact.type.options:
            lines += [""] + _options(words, fact.type)
        return "\n".join(lines)
    if name in symbols.defines:
        define = symbols.defines[name]
        kind = words.define_types.get(name)
        lines = [f"**define** `{name}`" + (f": {kind.describe()}" if kind is not None and kind != T.ERROR else "")]
        lines += ["", "```carag", f"{name} = {format_expr(define.expr)}", "```"]
        if define.doc:
            lines += ["", define.doc]
        lines += ["", f"In words: {words.expr(define.expr)}."]
        return "\n".join(lines)
    if name == CASE_TYPE and symbols.case_type is not None:
        return "\n".join(["**case_type**: one of " + ", ".join(symbols.case_types()), ""] + [
            f"- {sentence}" for sentence in words.case_type_rules(symbols.case_type)
        ])
    return None


def _option(words: PlainEnglish, symbols: Symbols, owner_kind: str, owner: str, code: str) -> str | None:
    if owner_kind == "case_type":
        return f"case type `{code}`" if code in symbols.case_types() else None
    type_expr = None
    if owner_kind == "name" and owner in symbols.facts:
        type_expr, whose = symbols.facts[owner].type, f"fact `{owner}`"
    elif owner_kind == "question" and owner in symbols.questions:
        type_expr, whose = symbols.questions[owner].answer, f"the answer to [{owner}]"
    if type_expr is None or code not in T.option_codes(type_expr):
        return None
    return f"option `{code}` of {whose}: {words.option_label(code, type_expr)}"
