"""The inspection questions (seed 000) in the language: the rule set against the document, and the checks.

The document is in tests/data/inspection_questions.txt; tests/inspection_seed.py reads its 40
questions (domain, heading, text, guidance, evidence). These tests prove that questions/ has
every one, in document order, as printed, that the questions whose evidence names the case
inspection data are linked to case findings, that each link's reason quotes both documents,
and that the checker refuses bad links where they are written.
"""

from __future__ import annotations

import json
import re

import pytest

from carag_dsl import CaragError, load, loads
from carag_dsl.compiler.inspection import names_case_data
from carag_dsl.language.formatter import format_module
from carag_dsl.language.parser import parse
from inspection_seed import inspection_items, normalise, tidy

SEED = inspection_items()


@pytest.fixture(scope="module")
def rules():
    return load()


def test_the_seed_reader_finds_the_40_questions_in_their_domains_and_headings():
    assert [item.id for item in SEED] == [f"1.{n}" for n in range(1, 22)] + [f"2.{n}" for n in range(1, 11)] + [f"3.{n}" for n in range(1, 10)]
    assert {item.heading for item in SEED if item.domain == "Leadership"} == {"Strategic", "Operational", "Learning"}
    assert all(item.heading is None for item in SEED if item.domain != "Leadership")
    assert all(item.evidence and item.guidance for item in SEED)


def test_the_rule_set_has_every_inspection_question_as_printed(rules):
    declared = rules.symbols.inspection_questions
    assert list(declared) == [item.id for item in SEED]
    for item in SEED:
        decl = declared[item.id]
        assert (decl.domain, decl.heading, normalise(decl.text)) == (item.domain, item.heading, item.text), item.id
        assert tidy(decl.guidance.split("\n")) == item.guidance, item.id
        assert [normalise(source) for source in decl.evidence] == item.evidence, item.id


def test_exactly_the_questions_whose_evidence_names_case_inspection_data_are_linked(rules):
    declared = rules.symbols.inspection_questions.values()
    naming = [decl.id for decl in declared if names_case_data(decl)]
    # 23 evidence items name "case inspection data" (one says "casework"), in 19 lists; 2.5 names "evidence from inspected cases"
    assert len(naming) == 20 and "2.5" in naming
    assert [decl.id for decl in declared if decl.links] == naming
    assert not [w for w in rules.warnings if w.code == "inspection-question-unlinked"]


_QUOTED = re.compile(r"‘([^‘’]+)’")


def test_every_link_quotes_the_inspection_question_and_a_case_question_it_names(rules):
    by_id = {item.id: item for item in SEED}
    for decl in rules.symbols.inspection_questions.values():
        item = by_id[decl.id]
        own = normalise(" ".join([item.text, item.guidance, *item.evidence]))
        for link in decl.links:
            quotes = [normalise(q) for q in _QUOTED.findall(link.because)]
            case_text = normalise(" ".join(
                (rules.questions[ref.question_id].text or "") + " " + (rules.questions[ref.question_id].guidance or "")
                for ref in link.questions
            ))
            assert any(q in own for q in quotes), (decl.id, "no words of the inspection question")
            assert any(q in case_text for q in quotes), (decl.id, "no words of the case questions it links")
            assert all(q in own or q in case_text for q in quotes), (decl.id, [q for q in quotes if q not in own and q not in case_text])


RULES = '''
fact mappa: bool
question "Q 1" judgement
    text "Good?"
    applies always
    answer yes_no
question "Q 2" information
    text "Notes?"
    applies always
    answer text
'''


def _errors(text: str) -> list[tuple[int, int, str, str]]:
    with pytest.raises(CaragError) as raised:
        loads(RULES + text)
    return [(d.span.line, d.span.column, d.code, d.message) for d in raised.value.diagnostics if d.severity == "error"]


def test_a_link_to_an_unknown_question_is_refused_where_it_is_written():
    errors = _errors('inspection question "1.1"\n    domain "D"\n    text "How?"\n    informed by [Q 1], [Q 3] because "x"\n')
    assert [(line, column, code) for line, column, code, _ in errors] == [(14, 24, "unknown-question")]
    assert "did you mean 'Q 1'" in errors[0][3] or "did you mean 'Q 2'" in errors[0][3]


def test_a_link_to_an_unknown_fact_or_an_answer_in_its_group_is_refused():
    errors = _errors('inspection question "1.1"\n    domain "D"\n    text "How?"\n    informed by [Q 1] within mapa because "x"\n'
                     'inspection question "1.2"\n    domain "D"\n    text "How?"\n    informed by [Q 1] within mappa and [Q 1] == yes because "x"\n')
    assert [(line, code) for line, _, code, _ in errors] == [(14, "unknown-name"), (18, "link-group-not-facts")]
    assert "did you mean 'mappa'" in errors[0][3] and "the answer to [Q 1]" in errors[1][3]


def test_a_link_to_a_question_without_a_yes_no_answer_is_refused():
    errors = _errors('inspection question "1.1"\n    domain "D"\n    text "How?"\n    informed by [Q 2] because "x"\n')
    assert [code for _, _, code, _ in errors] == ["link-not-yes-no"]


def test_evidence_naming_case_data_without_a_link_is_a_warning():
    rules = loads(RULES + 'inspection question "1.1"\n    domain "D"\n    text "How?"\n    evidence "case inspection data and information", "focus groups."\n')
    assert [(w.code, w.span.line) for w in rules.warnings] == [("inspection-question-unlinked", 11)]


def test_fmt_writes_an_inspection_question_canonically_keeping_comments_and_is_idempotent():
    text = ('fact mappa: bool\n# why this question\ninspection question "1.13" text "How?" domain "Leadership"\n'
            '  evidence "MAPPA data", "SMB audits." informed by [P 1] within mappa because "MAPPA cases"\n')
    once = format_module(parse(text))
    assert once.endswith(
        '# why this question\ninspection question "1.13"\n    domain "Leadership"\n    text "How?"\n'
        '    informed by [P 1] within mappa\n        because "MAPPA cases"\n    evidence\n        "MAPPA data",\n        "SMB audits."\n')
    assert format_module(parse(once)) == once


def test_carag_diff_reports_edits_to_an_inspection_question_and_its_links(tmp_path, capsys):
    from carag_dsl.cli import main

    question = ('inspection question "1.1"\n    domain "D"\n    text "How?"\n    informed by [Q 1] within mappa\n        because "x"\n'
                '    evidence\n        "case inspection data and information",\n        "MAPPA data"\n')
    (tmp_path / "old.carag").write_text(RULES + question, encoding="utf-8")
    edited = question.replace("within mappa", "within not mappa").replace('"MAPPA data"', '"MAPPA data and SMB audits"')
    (tmp_path / "new.carag").write_text(RULES + edited + 'inspection question "1.2"\n    domain "D"\n    text "Who?"\n', encoding="utf-8")
    status = main(["diff", str(tmp_path / "old.carag"), str(tmp_path / "new.carag"), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert status == 0  # nothing routes differently
    edits = [(e["kind"], e["name"], e["field"], e["old"], e["new"]) for e in out["declarations"] if e["kind"] == "inspection question"]
    assert ("inspection question", "1.1", "evidence", ["MAPPA data"], ["MAPPA data and SMB audits"]) in edits
    assert ("inspection question", "1.1", "links", ['informed by [Q 1] within mappa because "x"'], ['informed by [Q 1] within not mappa because "x"']) in edits
    assert ("inspection question", "1.2", "declared", False, True) in edits


def test_a_fact_read_only_by_a_links_group_is_not_reported_unused_by_lint(tmp_path, capsys):
    pytest.importorskip("dd")
    from carag_dsl.cli import main

    (tmp_path / "rules.carag").write_text(RULES + 'inspection question "1.1"\n    domain "D"\n    text "How?"\n    informed by [Q 1] within mappa because "x"\n', encoding="utf-8")
    (tmp_path / "unlinked.carag").write_text(RULES, encoding="utf-8")
    main(["lint", str(tmp_path / "unlinked.carag"), "--format", "json"])
    assert "unused-fact" in [f["rule"] for f in json.loads(capsys.readouterr().out)]
    main(["lint", str(tmp_path / "rules.carag"), "--format", "json"])
    assert "unused-fact" not in [f["rule"] for f in json.loads(capsys.readouterr().out)]
