"""The compact result shape written straight from an evaluation equals the one made from its full dict (issue 18, point 3)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import carag_dsl
from carag_dsl.errors import CaragError
from carag_dsl.runtime.result_writer import compact_evaluation, compact_result
from carag_dsl.testing import rule_sets, unchecked_cases

CARAG = carag_dsl.load()


def assert_same_compact(rules, case) -> None:
    try:
        evaluation = rules.evaluate(case)
    except CaragError:
        return
    assert compact_evaluation(evaluation) == compact_result(evaluation.to_dict())
    assert list(compact_evaluation(evaluation)) == list(compact_result(evaluation.to_dict()))  # keys in the same order


@settings(max_examples=60)
@given(data=st.data())
def test_the_compact_shape_of_carag_evaluations_is_made_without_the_full_dict(data):
    assert_same_compact(CARAG, data.draw(unchecked_cases(CARAG)))


@settings(max_examples=30)
@given(data=st.data())
def test_the_compact_shape_of_generated_rule_sets_is_made_without_the_full_dict(data):
    _, rules = data.draw(rule_sets())
    for _ in range(3):
        assert_same_compact(rules, data.draw(unchecked_cases(rules)))
