"""The bundled rule set (questions/) against the published CARaG V1.1 text.

The CARaG text is in tests/data/carag_v1.1.txt; tests/carag_seed.py reads its
58 items (id, label, question text, section, guidance). These tests prove that
the rule set has every item, in document order, with the printed text, label
and guidance, so any drift from the source document fails here.

Texts are compared with runs of whitespace collapsed to one space: the plain
text rendering of the CARaG has stray double spaces and glued words at the
edges of its table cells, which are not part of the wording.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lark import Lark

from carag_seed import normalise, seed_items

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "questions"
GRAMMAR = REPO / "grammar" / "carag.lark"

SUMMARY_JUDGEMENTS = ("P 2.1.3", "P 2.2.3", "P 2.3.3", "P 2.4.3")

#: The kind of question in each section. The plain-text CARaG lost the italics
#: (information) and bold (summary judgement) formatting, so the rule set takes
#: the kind from the section; summary judgements ("P ...") are judgements.
SECTION_KINDS = {
    "Information about the case": "information",
    "Assessment information": "information",
    "Assessment": "prompt",
    "Planning": "prompt",
    "Implementation and delivery information": "information",
    "Implementation and delivery": "prompt",
    "Reviewing": "prompt",
    "Case summary": "information",
}

SEED = seed_items()


def expected_label(item) -> str | None:
    # P 2.1.3 and P 2.2.3 print no label, and have none in the rule set (they apply to all cases).
    return item.label


@pytest.fixture(scope="module")
def ruleset():
    # The compiler (src/carag_dsl) loads the bundled rule set from questions/.
    import carag_dsl

    return carag_dsl.load()


def test_seed_extractor_finds_all_58_items_in_document_order():
    ids = [item.id for item in SEED]
    assert len(ids) == 58
    assert len(set(ids)) == 58
    assert ids[:2] == ["2.0.19a", "2.0.20a"]
    assert ids[-1] == "2.9.06"
    assert [i for i in ids if i.startswith("P ")] == list(SUMMARY_JUDGEMENTS)
    assert all(item.text.endswith("?") for item in SEED)
    # Only the first two summary judgements print no applicability label.
    assert [item.id for item in SEED if item.label is None] == ["P 2.1.3", "P 2.2.3"]


def test_every_rule_file_parses_with_the_grammar():
    parser = Lark(GRAMMAR.read_text(encoding="utf-8"), parser="lalr")
    files = sorted(QUESTIONS.glob("*.carag"))
    assert files, "no rule files in questions/"
    for path in files:
        parser.parse(path.read_text(encoding="utf-8"))


def test_bundled_rule_set_has_every_carag_item_in_document_order_with_its_text_and_label(ruleset):
    questions = ruleset.questions
    assert list(questions) == [item.id for item in SEED]
    for item in SEED:
        question = questions[item.id]
        assert question.id == item.id
        assert normalise(question.text) == item.text, item.id
        assert (normalise(question.label) if question.label is not None else None) == expected_label(item), item.id


def test_summary_judgements_are_judgements_and_case_type_questions_are_information(ruleset):
    for qid in SUMMARY_JUDGEMENTS:
        assert ruleset.questions[qid].kind == "judgement", qid
    for qid in ("2.0.19a", "2.0.20a"):
        assert ruleset.questions[qid].kind == "information", qid


def test_every_question_is_in_its_carag_section_with_the_kind_of_that_section(ruleset):
    for item in SEED:
        question = ruleset.questions[item.id]
        assert question.section == item.section, item.id
        expected = "judgement" if item.id in SUMMARY_JUDGEMENTS else SECTION_KINDS[item.section]
        assert question.kind == expected, item.id


def test_bundled_guidance_is_the_carag_guidance(ruleset):
    for item in SEED:
        guidance = ruleset.questions[item.id].guidance
        assert (normalise(guidance) if guidance else None) == (normalise(item.guidance) if item.guidance else None), item.id
