"""The dependency graph: edges from what each rule reads, cycles named in full, views per case type."""

from __future__ import annotations

import json

import pytest

import carag_dsl
from carag_dsl import RuleError, loads
from carag_dsl.tools.graph_export import graph_for, render


def test_edges_run_from_what_a_rule_reads_to_the_rule():
    rules = loads('''
fact mappa: bool
define serious = mappa
question "A" prompt
    text "a"
    answer yes_no
question "B" prompt
    text "b"
    answer yes_no
    applies when [A] == yes and serious
''')
    assert set(rules.graph.edges) == {("fact:mappa", "define:serious"), ("question:A", "question:B"), ("define:serious", "question:B")}


def test_a_cycle_is_reported_with_every_question_on_it():
    with pytest.raises(RuleError) as caught:
        loads('''
question "A" prompt
    text "a"
    answer yes_no
    applies when [C] == yes
question "B" prompt
    text "b"
    answer yes_no
    applies when [A] == yes
question "C" prompt
    text "c"
    answer yes_no
    applies when [B] == yes
''', "cycle.carag")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "dependency-cycle"
    assert "A -> C -> B -> A" in diagnostic.message
    assert sorted(span.line for span, _ in diagnostic.notes) == [6, 10]


def test_a_defined_name_that_reads_itself_is_a_cycle():
    with pytest.raises(RuleError, match="dependency cycle: x -> x"):
        loads("fact a: bool\ndefine x = x and a\n")


def test_the_core_graph_of_the_carag_leaves_out_adjusted_only_questions():
    rules = carag_dsl.load()
    core = graph_for(rules, "core")
    adjusted = graph_for(rules, "adjusted")
    assert "question:2.3.01" in core and "question:2.3.01" not in adjusted
    assert "question:X 11" in adjusted and "question:X 11" not in core
    assert "case_type" not in core
    assert "question:2.3.24" in core and "question:2.3.24" in adjusted


@pytest.mark.parametrize("fmt, start", [("dot", "digraph carag {"), ("mermaid", "flowchart LR"), ("json", "{")])
def test_graph_renders_in_each_format(fmt, start):
    text = render(carag_dsl.load(), "adjusted", fmt)
    assert text.startswith(start)
    if fmt == "json":
        data = json.loads(text)
        assert data["case_type"] == "adjusted"
        assert {"from": "question:X 6", "to": "question:X 9"} in data["edges"]
