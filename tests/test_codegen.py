"""The compiled back end agrees with the reference evaluator, and nothing a rule author writes escapes the generated code."""

from __future__ import annotations

import datetime
import io
import json
import keyword
import re
import tokenize
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carag_dsl import CaseDataError, CaragError, load, loads
from carag_dsl.compiler import types as T
from carag_dsl.runtime.result_writer import ResultWriter

try:  # the project's strategies (carag_dsl.testing); this file's own simple one is used beside them
    from carag_dsl.testing import rule_sets as shared_rule_sets  # type: ignore[attr-defined]
    from carag_dsl.testing import unchecked_cases as shared_cases  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on what is installed
    shared_cases = shared_rule_sets = None

EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------ a simple strategy for cases

_DATES = st.one_of(
    st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2026, 12, 31)),
    st.sampled_from([datetime.date(1, 1, 1), datetime.date(1, 1, 5), datetime.date(9999, 12, 1), datetime.date(9999, 12, 31)]),
).map(datetime.date.isoformat)
_TEXT = st.sampled_from(["", "yes", "low", 'quote " here', "back\\slash", "line\nbreak", "__import__", "\x00"])
# A few wrong values of every shape, so the errors (and their messages) are compared too.
_WRONG = st.sampled_from(["maybe", 3, 2.5, True, [1], {"a": 1}, "2025-13-01", "20250101"])


def _value_for(type_expr) -> st.SearchStrategy:
    kind = type_expr.kind
    if kind == "bool":
        right = st.booleans()
    elif kind == "int":
        right = st.integers(min_value=-3, max_value=60)
    elif kind == "date":
        right = _DATES
    elif kind == "text":
        right = _TEXT
    elif kind == "any":
        right = st.lists(st.sampled_from(T.option_codes(type_expr)), unique=True)
    else:
        right = st.sampled_from(T.option_codes(type_expr))
    return st.one_of(right, right, right, right, right, right, st.none(), _WRONG)


def _section(declared: dict, type_of) -> st.SearchStrategy:
    """Any subset of the declared names, each with a value of its type (or null, or a wrong value)."""
    return st.fixed_dictionaries({}, optional={name: _value_for(type_of(decl)) for name, decl in declared.items()})


def local_cases(rules) -> st.SearchStrategy:
    """Cases for a rule set: any subset of facts and answers, mostly right values, some null, some wrong."""
    facts = _section(rules.symbols.facts, lambda d: d.type)
    answers = _section(rules.symbols.questions, lambda d: d.answer)
    return st.fixed_dictionaries({"id": st.integers(0, 9), "facts": facts, "answers": answers})


def cases_for(rules) -> st.SearchStrategy:
    """This file's cases (with wrong values, so errors are compared too) and, when present, the project's."""
    return local_cases(rules) if shared_cases is None else st.one_of(local_cases(rules), shared_cases(rules))


def outcome(rules, case, backend):
    try:
        return rules.evaluate(case, backend=backend).to_dict()
    except CaseDataError as error:
        return ("CaseDataError", error.problems, str(error))


def assert_backends_agree(rules, case):
    assert outcome(rules, case, "compiled") == outcome(rules, case, "reference")


# ------------------------------------------------------------------ rule sets written for these tests

EXPRESSIONS = '''
ruleset "expressions" version "1" published 2025-01-01
fact flag: bool
fact other: bool
fact n: int
fact m: int
fact start: date
fact end: date
fact kind: one of alpha, beta, gamma
fact level: scale low, medium, high
fact tags: any of red, green, blue
fact note: text
define near_end = end <= start + 8 weeks
define far_future = start + 3000 weeks > end
define past = start - 5 days < end
define gap = days from start to end
define pick = if flag then kind else alpha
define both_sides = if other then n + 1 else n + 1
define ranked = if flag then level else medium
constraint end requires end >= start message "the end is before the start"
constraint n requires n - m >= 0 or not flag message "n must be at least m when flagged"
question "Q1" prompt
    text "and/or"
    applies when flag and not other or kind in {beta, gamma}
    answer yes_no
question "Q2" prompt
    text "dates"
    applies when near_end and past
    answer yes_no
question "Q3" prompt
    text "overflow is unknown"
    applies when far_future or gap < 0 days
    answer yes_no
question "Q4" prompt
    text "if with an unknown condition"
    applies when pick == alpha and both_sides > 3
    answer one of a, b, c
question "Q5" prompt
    text "scales by rank"
    applies when level < high and ranked >= medium and [Q9] > low
    answer any of x, y, z
question "Q6" prompt
    text "sets"
    applies when red in tags and tags is not empty or x in [Q5] or [Q5] is empty
    answer text
question "Q7" prompt
    text "text and not in"
    applies when note == "yes" or note != "" and kind not in {alpha}
    answer yes_no_not_a_factor
question "Q8" prompt
    text "reads another answer"
    applies when [Q4] == a or [Q7] != not_a_factor or [Q6] == "__import__"
    answer yes_no
question "Q9" prompt
    text "a scale answer"
    answer scale low, medium, high
'''

CASE_TYPES = '''
ruleset "case types" version "1" published 2025-01-01
fact sentence: one of community, licence
fact risk: bool
fact started: date
fact stopped: date
define early = stopped <= started + 56 days
case type
    adjusted when early and sentence == licence
    special when risk
    core otherwise
    override core when [O1] == yes or [O2] == no
    override adjusted when [O2] == yes or [O1] == no
define calm = [R1] == no and [R2] is empty
question "O1" prompt
    text "override one"
    answer yes_no
question "O2" prompt
    text "override two"
    answer yes_no
question "R1" information
    text "risk one"
    answer yes_no
question "R2" information
    text "risk two"
    answer any of a, b
question "C1" prompt
    text "core only"
    applies when case_type == core
    answer yes_no
question "C2" prompt
    text "adjusted or special"
    applies when case_type in {adjusted, special}
    answer yes_no
question "J1" judgement
    text "a judgement"
    applies when case_type != special
    answer yes_no
    derive yes when calm
    derive no when [R1] == yes
question "J2" judgement
    text "reads a derived value"
    applies when [J1] == yes or case_type == adjusted
    answer yes_no_not_a_factor
    derive not_a_factor when [J1] == no
'''

NO_CASE_TYPE = '''
fact a: bool
question "only" prompt
    text "always"
    answer yes_no
question "then" judgement
    text "derived from a"
    applies when a
    answer yes_no
    derive yes when a
'''

# The forms the columnar engine computes its own way: a literal on either side of a comparison (a scalar, an
# ordering of scale codes read through a table), membership in many codes (a gather) or few (equality tests),
# whole sets compared and tested for emptiness (read as 64-bit words: 15 codes padded to 16 columns), the
# same condition written twice (computed once), and dates moved both ways by literal durations. (No exclusions:
# a case they might leave out is pending throughout, which would hide the rest.)
LITERALS = '''
ruleset "literals and words" version "1" published 2025-01-01
fact flag: bool
fact n: int
fact start: date
fact end: date
fact kind: one of alpha, beta, gamma, delta, epsilon, zeta
fact level: scale none, low, medium, high, very_high, extreme
fact tags: any of red, green, blue, cyan, magenta, yellow, black, white, grey, pink, brown, olive
fact note: text
define soon = start - 2 weeks <= end and end - 0 days >= start - 400 weeks
define late = start + 400 weeks >= end or 2025-06-01 < start
question "L1" prompt
    text "literals on the left"
    applies when medium <= level and 5 < n or "yes" == note or 50 < n and not flag
    answer yes_no
question "L2" prompt
    text "many members"
    applies when kind in {alpha, beta, gamma, delta, epsilon} and kind not in {zeta, alpha, beta, gamma, delta}
    answer any of red, green, blue, cyan, magenta, yellow, black, white, grey, pink, brown, olive
question "L3" prompt
    text "most of a scale, and a few"
    applies when level > none and level < very_high or extreme == level
    answer yes_no
question "L4" prompt
    text "sets compared whole"
    applies when tags == {red, olive} or {grey} != tags or [L2] == {pink, brown}
    answer yes_no
question "L5" prompt
    text "the same condition as L1, derived"
    applies when medium <= level and 5 < n or "yes" == note or 50 < n and not flag
    answer yes_no
    derive yes when soon and late
    derive no when tags is empty
question "L6" prompt
    text "empty sets"
    applies when tags is empty or [L2] is not empty and olive in [L2]
    answer yes_no
question "L7" prompt
    text "dates moved past year 1 or 9999 are unknown"
    applies when start - 2 weeks <= end or end + 3 weeks < start
    answer yes_no
'''

# Groupings (bands and merged options) are lowered by the compiler to conditions on facts: every back end must agree.
GROUPINGS = (Path(__file__).resolve().parent / "fixtures" / "groupings.carag").read_text(encoding="utf-8")

SMALL_RULE_SETS = {"expressions": EXPRESSIONS, "case types": CASE_TYPES, "no case type": NO_CASE_TYPE, "groupings": GROUPINGS,
                   "literals": LITERALS}


@pytest.fixture(scope="module")
def bundled():
    return load()


@pytest.mark.parametrize("name", sorted(SMALL_RULE_SETS))
def test_small_rule_sets_evaluate_the_same_with_both_back_ends(name):
    rules = loads(SMALL_RULE_SETS[name])

    @EXAMPLES
    @given(case=cases_for(rules))
    def check(case):
        assert_backends_agree(rules, case)

    check()


def test_the_bundled_carag_evaluates_the_same_with_both_back_ends(bundled):
    @EXAMPLES
    @given(case=cases_for(bundled))
    def check(case):
        assert_backends_agree(bundled, case)

    check()


@pytest.mark.parametrize("name", sorted(SMALL_RULE_SETS) + ["bundled"])
def test_the_fast_result_writer_writes_exactly_what_json_dumps_writes(name, bundled):
    rules = bundled if name == "bundled" else loads(SMALL_RULE_SETS[name])
    writer = ResultWriter(rules)

    @settings(max_examples=60, deadline=None)
    @given(case=cases_for(rules))
    def check(case):
        try:
            evaluation = rules.evaluate(case)
        except CaseDataError:
            return
        expected = json.dumps(evaluation.to_dict(), ensure_ascii=False)
        assert writer.line(evaluation) == expected
        assert writer.line(evaluation) == expected  # again, from its cache

    check()


@pytest.mark.skipif(shared_rule_sets is None, reason="carag_dsl.testing is not available")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_rule_sets_evaluate_the_same_with_both_back_ends(data):
    _, rules = data.draw(shared_rule_sets())
    for _ in range(5):
        assert_backends_agree(rules, data.draw(cases_for(rules)))


def test_contradicting_overrides_raise_the_same_error_with_both_back_ends():
    rules = loads(CASE_TYPES)
    case = {"id": "c", "answers": {"O1": "yes", "O2": "yes"}}
    for backend in ("compiled", "reference"):
        with pytest.raises(CaseDataError) as caught:
            rules.evaluate(case, backend=backend)
        assert "contradict" in str(caught.value)
    assert_backends_agree(rules, case)


def test_a_broken_constraint_raises_the_same_problems_with_both_back_ends():
    rules = loads(EXPRESSIONS)
    case = {"facts": {"start": "2025-02-01", "end": "2025-01-01", "n": 1, "m": 5, "flag": True}}
    compiled, reference = outcome(rules, case, "compiled"), outcome(rules, case, "reference")
    assert compiled == reference
    assert [p.field for p in compiled[1]] == ["facts.end", "facts.n"]


def test_a_date_pushed_past_year_9999_is_unknown_not_an_error():
    rules = loads(EXPRESSIONS)
    result = rules.evaluate({"facts": {"start": "9999-12-01", "end": "9999-12-31"}})
    assert result.status("Q3") == "pending"
    assert_backends_agree(rules, {"facts": {"start": "9999-12-01", "end": "9999-12-31"}})


def test_an_unknown_if_condition_gives_the_branch_value_when_both_branches_agree():
    rules = loads(EXPRESSIONS)
    # 'other' is unknown, but both branches are n + 1 = 5 > 3; 'flag' is unknown, so 'pick' is unknown.
    assert rules.evaluate({"facts": {"n": 4, "flag": False}}).status("Q4") == "applies"
    assert rules.evaluate({"facts": {"n": 4}}).status("Q4") == "pending"


def test_explain_works_on_a_compiled_evaluation(bundled):
    case = {"facts": {"sentence": "licence", "start_date": "2025-01-06", "suspension": "reset", "suspension_date": "2025-03-03"}}
    compiled = bundled.evaluate(case)
    reference = bundled.evaluate(case, backend="reference")
    assert compiled.explain("2.3.01") == reference.explain("2.3.01")


def test_an_unknown_backend_is_a_usage_error_naming_the_choices(bundled):
    with pytest.raises(CaragError, match="'compiled', 'reference'"):
        bundled.evaluate({}, backend="fast")


def test_evaluate_many_is_lazy(bundled):
    def endless():
        number = 0
        while True:
            number += 1
            yield {"id": number}

    results = bundled.evaluate_many(endless())
    assert [next(results).id for _ in range(3)] == [1, 2, 3]


def test_the_compiled_function_is_built_once_per_rule_set(bundled):
    assert bundled.compiled is bundled.compiled


# ------------------------------------------------------------------ hostile names and strings

HOSTILE = [
    '"', "'", '"""', "'''", "\\", "\\x00", "\n", "\r\n", "\t", "\x00", "\x7f", "{", "}", "{0}", "%s",
    "__import__", "__builtins__", "__class__", "os.system", 'X"); __import__("os").system("echo pwned"); ("',
    "')\nimport os\nos.system('echo pwned')\n#", "\\'; raise SystemExit #", "\u2028", "é", "🙂",
]
_NAMES = ["__import__", "__builtins__", "__class__", "__init__", "os", "system", "eval", "exec", "_u", "_m", "_ct",
          "_f0", "_d0", "_v0", "_s0", "_k0", "_t1", "_route", "facts", "answers", "case_id", "none", "true_", "print",
          "globals", "self", "lambda_", "import_"] + [k for k in keyword.kwlist if k.islower() and k.isidentifier()]
# Question ids are what the grammar allows between brackets: letters, digits, spaces and dots.
_QUESTION_IDS = ["import os", "os.system", "X 1", "route", "facts", "A.B.C", "0", "print", "exec", "None"]


# Every identifier the generated code may use: Python keywords, the few builtins it is given, its parameters,
# and names it makes up itself (an underscore, letters, an optional number: _f0, _d3, _warnings, _CaseProblem).
GENERATED_VOCABULARY = set(keyword.kwlist) | {"frozenset", "repr", "bool", "isinstance", "str", "facts", "answers", "case_id", "get", "append", "days"}
GENERATED_NAME = re.compile(r"_[A-Za-z_]+[0-9]*")


def python_identifiers(source: str) -> set[str]:
    """The NAME tokens of Python source (string literals and comments excluded)."""
    return {t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.NAME}


def test_the_generated_code_uses_only_generated_identifiers_for_the_bundled_carag(bundled):
    identifiers = python_identifiers(bundled.compiled.source)
    unexpected = {i for i in identifiers if i not in GENERATED_VOCABULARY and not GENERATED_NAME.fullmatch(i)}
    assert unexpected == set()
    assert "sentence" not in identifiers and "no_risk_of_harm_factors" not in identifiers


def _carag_string(text: str) -> str:
    """``text`` as a .carag string literal (triple-quoted when it has a newline or a quote)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if "\n" in text or "\r" in text:
        return '"""' + text.replace('"""', '""\\"') + '"""'
    return '"' + escaped + '"'


def hostile_rule_set(names: list[str], texts: list[str], qids: list[str]) -> str:
    fact_a, fact_b, code_a, code_b, define = names
    text_a, text_b, message = texts
    qid_a, qid_b = qids
    # The declarations quote the ids, which may be any text; references need the [ref] form the grammar allows.
    return f'''
fact {fact_a}: one of {code_a}, {code_b}
fact {fact_b}: text
define {define} = {fact_a} == {code_b} or {fact_b} == {_carag_string(text_a)}
constraint {fact_b} requires {fact_b} != {_carag_string(message)} message {_carag_string(message)}
question "{qid_a}" prompt
    text {_carag_string(text_a)}
    label {_carag_string(text_b)}
    applies when {define} and {fact_b} != {_carag_string(text_b)}
    answer one of {code_a}, {code_b}
question "{qid_b}" judgement
    text {_carag_string(message)}
    applies when [{qid_a}] == {code_a} or {fact_a} in {{{code_b}}}
    answer one of {code_a}, {code_b}
    derive {code_b} when {fact_b} == {_carag_string(text_b)} or [{qid_a}] != {code_b}
'''


def _usable(rules_text: str):
    try:
        return loads(rules_text)
    except CaragError:
        return None


# capfd is shared by all examples on purpose: nothing may print "pwned" in any of them.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(st.sampled_from(_NAMES), min_size=5, max_size=5, unique=True),
    texts=st.lists(st.sampled_from(HOSTILE), min_size=3, max_size=3),
    qids=st.lists(st.sampled_from(_QUESTION_IDS), min_size=2, max_size=2, unique=True),
    data=st.data(),
)
def test_hostile_names_and_strings_stay_data_in_the_generated_code(names, texts, qids, data, capfd):
    rules = _usable(hostile_rule_set(names, texts, qids))
    if rules is None:  # a name the language itself reserves (a keyword): nothing to compile
        return
    identifiers = python_identifiers(rules.compiled.source)
    assert identifiers <= GENERATED_VOCABULARY | {i for i in identifiers if GENERATED_NAME.fullmatch(i)}
    for name in names:  # no user name becomes a Python identifier (unless it happens to be one we generate)
        assert name not in identifiers or name in GENERATED_VOCABULARY or GENERATED_NAME.fullmatch(name)
    case = data.draw(local_cases(rules))
    case["facts"] = {**case["facts"], names[1]: data.draw(st.sampled_from(texts))}
    assert_backends_agree(rules, case)
    assert "pwned" not in capfd.readouterr().out


def test_a_question_id_written_as_python_is_just_an_id(capfd):
    qid = 'X"); __import__("os").system("echo pwned"); ("'
    rules = loads(f'''
fact a: bool
question "X 1" prompt
    text "the first"
    answer yes_no
question {_carag_string(qid)} judgement
    text {_carag_string(qid)}
    label {_carag_string('"""' + chr(10) + "__import__('os')")}
    applies when a or [X 1] == yes
    answer yes_no
    derive no when [X 1] == no
''')
    case = {"facts": {"a": True}, "answers": {"X 1": "no", qid: "no"}}
    assert rules.evaluate(case).to_dict() == rules.evaluate(case, backend="reference").to_dict()
    assert rules.evaluate(case).to_dict()["questions"][qid] == {"status": "applies", "value": "no", "source": "answer"}
    for backend in ("compiled", "reference"):  # an answer against the derived value: an error quoting the id as data
        with pytest.raises(CaseDataError) as caught:
            rules.evaluate({**case, "answers": {"X 1": "no", qid: "yes"}}, backend=backend)
        assert [(p.field, p.message) for p in caught.value.problems] == [
            (f"answers.{qid}", "answered 'yes' where the rule 'derive no when [X 1] == no' gives 'no'; answer 'no', "
                               "or correct the facts and answers the rule reads")]
    assert "pwned" not in capfd.readouterr().out


def test_hostile_answers_and_ids_in_case_data_are_only_data(bundled, capfd):
    case = {"id": '"); __import__("os").system("echo pwned"); ("', "facts": {"sentence": "licence"},
            "answers": {"2.5.26a": '"""\\x00\n__import__("os").system("echo pwned")', "X 1": "yes"}}
    assert_backends_agree(bundled, case)
    bad = {"answers": {'__import__("os").system("echo pwned")': "yes", "X 4": ["__class__"]}}
    assert_backends_agree(bundled, bad)
    assert "pwned" not in capfd.readouterr().out
