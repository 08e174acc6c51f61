"""Generated code and forms linear in the rules (issue 24, point 3).

A chain of defined names, each reading the one before twice (``define s{i} = if c then s{i-1} else s{i-1}``),
made the per-case code generator ask ``may_be_text`` 2^length times and the form export write 2^length copies
of the first name (12 names: 335 MB of SurveyJS). The generator now asks once per name, and the forms name
each part written more than once (``calc-shared-N``): ``tests/test_forms_replay.py`` replays such a form
through survey-core and the XForm engine against carag.
"""

from __future__ import annotations

import json

import pytest

from carag_dsl.compiler import codegen
from carag_dsl.compiler.ruleset import loads
from carag_dsl.tools.forms import surveyjs_form

import expensive_rules
from bounded_run import MEMORY_LIMIT_MB, TIME_LIMIT_S, run_bounded


def test_the_code_generator_asks_whether_a_value_may_be_text_once_per_defined_name(monkeypatch):
    rules = loads(expensive_rules.chained_defines(30, "int"))  # 's29 > 3' asks it (an ordering may compare scale levels)
    asked = []
    original = codegen._Writer.may_be_text

    def counting(self, node):
        asked.append(node)
        assert len(asked) < 10 * 30, "asked again and again: 2^30 times without the memo"
        return original(self, node)

    monkeypatch.setattr(codegen._Writer, "may_be_text", counting)
    codegen.generate_source(rules)


def test_a_surveyjs_form_of_chained_set_defines_grows_linearly_and_names_each_shared_part():
    small, large = (json.dumps(surveyjs_form(loads(expensive_rules.chained_defines(n, "set")))) for n in (10, 20))
    assert len(large) < 2.5 * len(small)  # 2^10 times larger without naming
    assert "calc-shared-" in large


EXPENSIVE = {
    "40 chained set defines": lambda: expensive_rules.chained_defines(40, "set"),
    "40 named options": lambda: expensive_rules.many_named_options(40),
    "12 numbers compared in a chain": lambda: expensive_rules.compared_chain(12),
    "a sum of 16 ifs": lambda: expensive_rules.sum_of_ifs(16),
    "3000 options": lambda: expensive_rules.many_options(3000),
}


@pytest.mark.parametrize("target", ["surveyjs", "xlsform"])
@pytest.mark.parametrize("name", list(EXPENSIVE))
def test_exporting_rule_sets_made_to_be_expensive_stays_within_1_gb_and_30_s(tmp_path, target, name):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "rules.carag").write_text(EXPENSIVE[name](), encoding="utf-8")
    output = tmp_path / ("form.json" if target == "surveyjs" else "form.xlsx")
    result = run_bounded(["export", target, str(folder), "--output", str(output)])
    assert result.status == 0, result.stderr
    assert result.peak_mb < MEMORY_LIMIT_MB and result.seconds < TIME_LIMIT_S
    assert output.stat().st_size < 2_000_000
