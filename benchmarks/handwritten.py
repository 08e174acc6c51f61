"""The routing of the bundled CARaG V1.1, written by hand in plain Python: the practical limit in CPython.

This is what a developer would write without carag-dsl: a table of the
questions with their applicability, the case-type rules as ``if`` statements,
three-valued logic with ``None`` for unknown. The benchmark checks it gives
exactly the answers of ``carag_dsl.load()`` on every generated case before it
times anything, so it is a fair yardstick (it is written to be fast, not slow).

Two entry points:

* :func:`route` takes facts and answers already checked and converted (dates
  as ``datetime.date``, ``X 4`` as a frozenset), like the compiled back end's
  routing function, and returns ``(case_type, case_type_source, {id: (status,
  value, source)}, warnings)``.
* :func:`evaluate` takes a raw case (parsed JSON), checks it as a careful
  hand-written service would (keys, types, option codes, dates), routes it and
  returns the result JSON of ``Evaluation.to_dict()``. Bad data raises
  ``ValueError``.
"""

from __future__ import annotations

import datetime

APPLIES, NOT_APPLICABLE, PENDING = "applies", "not_applicable", "pending"
EIGHT_WEEKS = datetime.timedelta(days=56)
YES_NO = frozenset(("yes", "no"))
YES_NO_NAF = frozenset(("yes", "no", "not_a_factor"))
X4_CODES = (
    "organised_crime", "cse_perpetrator", "registered_sex_offender", "non_registered_sex_offender", "risk_to_adults",
    "terrorism_act_offender", "modern_slavery_perpetrator", "street_gangs", "joint_intelligence_programme",
    "cce_perpetrator", "county_lines_perpetrator", "hate_crime",
)
X4_RANK = {code: i for i, code in enumerate(X4_CODES)}

# (question id, applicability group, allowed answers (None: any text; "set": X 4), derives "yes" when no risk factors)
QUESTIONS = (
    ("2.0.19a", "always", YES_NO, False), ("2.0.20a", "always", YES_NO, False),
    ("X 1", "court_report", YES_NO, False), ("X 2", "court_report", YES_NO, False),
    ("2.2.06", "resettlement", YES_NO, False), ("X 3", "resettlement", YES_NO, False),
    ("X 4", "always", "set", False),
    ("2.3.01", "core", YES_NO, False), ("2.3.02", "core", YES_NO, False), ("2.3.05", "adjusted", YES_NO, False),
    ("2.1.04a", "always", YES_NO, False), ("2.3.20", "always", YES_NO, False), ("2.3.21a", "always", YES_NO, False),
    ("2.1.07a", "always", YES_NO, False), ("2.1.08a", "always", YES_NO, False), ("X 5", "always", YES_NO, False),
    ("X 6", "always", YES_NO_NAF, False), ("X 7", "always", YES_NO_NAF, False), ("X 8", "always", YES_NO_NAF, False),
    ("2.3.29", "always", frozenset(("low", "medium", "high", "very_high")), False),
    ("2.3.31", "always", YES_NO, False), ("2.3.35", "always", YES_NO, False), ("2.3.24", "always", YES_NO, False),
    ("2.3.27", "always", YES_NO, False), ("2.3.28", "always", YES_NO, False),
    ("P 2.1.3", "always", YES_NO, True),
    ("2.4.20", "always", YES_NO, False), ("2.4.21", "always", YES_NO, False), ("2.4.22", "always", YES_NO, False),
    ("2.4.23", "always", YES_NO, False),
    ("P 2.2.3", "always", YES_NO, True),
    ("2.5.01a", "core", YES_NO, False), ("2.5.05a", "core", YES_NO, False), ("2.5.25a", "always", YES_NO, False),
    ("2.5.26a", "accredited", None, False), ("2.5.47", "mappa", YES_NO, False),
    ("2.5.43", "core", YES_NO, False), ("2.5.44", "core", YES_NO, False),
    ("X 9", "x6", YES_NO, False), ("2.5.60a", "x7", YES_NO, False), ("X 10", "x8", YES_NO, False),
    ("2.5.41", "core", YES_NO, False), ("2.5.42", "always", YES_NO, False), ("2.5.48", "always", YES_NO, False),
    ("2.5.49", "core", YES_NO, False), ("2.5.50", "core", YES_NO, False),
    ("X 11", "adjusted", YES_NO, False), ("X 12", "adjusted", YES_NO, False),
    ("P 2.3.3", "always", YES_NO, True),
    ("2.6.20", "always", YES_NO, False), ("2.6.21", "always", YES_NO, False),
    ("2.6.22", "core", YES_NO, False), ("2.6.23", "core", YES_NO, False), ("2.6.25", "adjusted", YES_NO, False),
    ("2.6.26", "reset_reinstigated", YES_NO, False), ("2.6.27", "reset_reinstigated", YES_NO, False),
    ("P 2.4.3", "p243", YES_NO, True),
    ("2.9.06", "always", frozenset(("sufficient", "insufficient", "none")), False),
)
ALLOWED = {qid: allowed for qid, _, allowed, _ in QUESTIONS}
# The order warnings are reported in (the order the rules are decided in: a question after what it reads).
WARNING_ORDER = {qid: i for i, qid in enumerate((
    "2.0.19a", "2.0.20a", "X 4", "2.1.04a", "2.3.20", "2.3.21a", "2.1.07a", "2.1.08a", "X 5", "X 6", "X 7", "X 8",
    "2.3.29", "2.3.31", "2.3.35", "2.3.24", "2.3.27", "2.3.28", "2.4.20", "2.4.21", "2.4.22", "2.4.23", "2.5.25a",
    "2.5.42", "2.5.48", "2.6.20", "2.6.21", "2.9.06", "2.2.06", "X 3", "X 1", "X 2", "2.5.47", "2.5.26a", "2.6.26",
    "2.6.27", "X 9", "2.5.60a", "X 10", "P 2.1.3", "P 2.2.3", "P 2.3.3", "2.3.01", "2.3.02", "2.3.05", "2.5.01a",
    "2.5.05a", "2.5.43", "2.5.44", "2.5.41", "2.5.49", "2.5.50", "X 11", "X 12", "2.6.22", "2.6.23", "2.6.25", "P 2.4.3",
))}


def _status(condition):
    return PENDING if condition is None else (APPLIES if condition else NOT_APPLICABLE)


def _and(*values):
    """Kleene and with None for unknown."""
    if False in values:
        return False
    return None if None in values else True


def _or(left, right):
    """Kleene or with None for unknown."""
    if left is True or right is True:
        return True
    return None if left is None or right is None else False


def route(facts, answers):
    sentence = facts.get("sentence")
    start = facts.get("start_date")
    suspension = facts.get("suspension")
    suspended_on = facts.get("suspension_date")
    reinstigated = facts.get("contact_reinstigated")
    get = answers.get

    # Core or adjusted: an inspector's override answer first, then the dates.
    a19, a20 = get("2.0.19a"), get("2.0.20a")
    override_core = a19 == "yes" or a20 == "no"
    override_adjusted = a20 == "yes" or a19 == "no"
    if override_core and override_adjusted:
        raise ValueError("the answers to 2.0.19a and 2.0.20a contradict each other")
    if override_core or override_adjusted:
        case_type, case_type_source = ("core" if override_core else "adjusted"), "answer"
    else:
        if suspended_on is None or start is None:
            within = None
        else:
            try:
                within = suspended_on <= start + EIGHT_WEEKS
            except OverflowError:
                within = None
        by_scheme = None if suspension is None else suspension in ("reset", "impact")
        if sentence is None:
            fits = None
        elif sentence in ("licence", "pss"):
            fits = True
        else:
            fits = _and(sentence == "community", None if suspension is None else suspension == "impact")
        adjusted = _and(by_scheme, within, fits)
        if adjusted is None:
            case_type, case_type_source = None, None
        else:
            case_type, case_type_source = ("adjusted" if adjusted else "core"), "derived"

    x4, x6, x7, x8 = get("X 4"), get("X 6"), get("X 7"), get("X 8")
    no_risk_factors = _and(
        None if (a := get("2.1.04a")) is None else a == "no",
        None if (a := get("2.1.07a")) is None else a == "no",
        None if x4 is None else not x4,
        None if x6 is None else x6 == "not_a_factor",
        None if x7 is None else x7 == "not_a_factor",
        None if x8 is None else x8 == "not_a_factor",
    )
    core = None if case_type is None else case_type == "core"
    adjusted_type = None if case_type is None else case_type == "adjusted"
    court_report, mappa, programme = facts.get("court_report"), facts.get("mappa"), facts.get("accredited_programme")
    groups = {
        "always": APPLIES,
        "court_report": _status(court_report),
        "resettlement": _status(None if sentence is None else sentence in ("licence", "pss")),
        "core": _status(core),
        "adjusted": _status(adjusted_type),
        "mappa": _status(mappa),
        "accredited": _status(programme),
        "reset_reinstigated": _status(_and(None if suspension is None else suspension == "reset", reinstigated)),
        "x6": _status(None if x6 is None else x6 != "not_a_factor"),
        "x7": _status(None if x7 is None else x7 != "not_a_factor"),
        "x8": _status(None if x8 is None else x8 != "not_a_factor"),
        "p243": _status(_or(core, _and(adjusted_type, reinstigated))),
    }

    results = {}
    warnings = None
    for qid, group, _, derives in QUESTIONS:
        status = groups[group]
        derived = "yes" if derives and status == APPLIES and no_risk_factors is True else None
        answer = get(qid)
        if answer is not None:
            if status == NOT_APPLICABLE:
                warnings = warnings or {}
                warnings[qid] = f"{qid}: an answer was given but the question does not apply to this case; the answer is ignored"
                results[qid] = (status, None, None)
            else:
                if derived is not None and answer != derived:
                    warnings = warnings or {}
                    warnings[qid] = f"{qid}: answered {answer!r} where the rule 'derive yes when no_risk_of_harm_factors' gives 'yes'; the answer stands"
                results[qid] = (status, answer, "answer")
        elif derived is not None:
            results[qid] = (status, derived, "derived")
        else:
            results[qid] = (status, None, None)
    ordered_warnings = [warnings[q] for q in sorted(warnings, key=WARNING_ORDER.__getitem__)] if warnings else []
    return case_type, case_type_source, results, ordered_warnings


# ------------------------------------------------------------------ checking the data, and the JSON result

_FACT_CODES = {
    "sentence": frozenset(("community", "licence", "pss")),
    "suspension": frozenset(("none", "reset", "impact")),
}
_BOOL_FACTS = frozenset(("court_report", "mappa", "accredited_programme", "contact_reinstigated"))
_DATE_FACTS = frozenset(("start_date", "suspension_date"))


def _check_facts(given):
    facts = {}
    for name, value in given.items():
        if value is None:
            continue
        if name in _FACT_CODES:
            if not (isinstance(value, str) and value in _FACT_CODES[name]):
                raise ValueError(f"facts.{name}: {value!r} is not allowed")
        elif name in _BOOL_FACTS:
            if not isinstance(value, bool):
                raise ValueError(f"facts.{name}: {value!r} is not allowed")
        elif name in _DATE_FACTS:
            if not (isinstance(value, str) and len(value) == 10):
                raise ValueError(f"facts.{name}: {value!r} is not a date")
            value = datetime.date.fromisoformat(value)
        else:
            raise ValueError(f"facts.{name}: no such fact")
        facts[name] = value
    if "suspension_date" in facts:
        if facts.get("suspension") == "none":
            raise ValueError("facts.suspension_date: a suspension date was given, but suspension is 'none'")
        if "start_date" in facts and facts["suspension_date"] < facts["start_date"]:
            raise ValueError("facts.suspension_date: the suspension date is before the start date")
    return facts


def _check_answers(given):
    answers = {}
    for qid, value in given.items():
        if value is None:
            continue
        if qid not in ALLOWED:
            raise ValueError(f"answers.{qid}: no such question")
        allowed = ALLOWED[qid]
        if allowed is None:
            if not isinstance(value, str):
                raise ValueError(f"answers.{qid}: {value!r} is not text")
        elif allowed == "set":
            if not isinstance(value, list) or not all(isinstance(v, str) and v in X4_RANK for v in value):
                raise ValueError(f"answers.{qid}: {value!r} is not a list of options")
            value = frozenset(value)
        elif not (isinstance(value, str) and value in allowed):
            raise ValueError(f"answers.{qid}: {value!r} is not an option")
        answers[qid] = value
    return answers


def evaluate(case):
    """A raw case in, the result JSON out (the shape of Evaluation.to_dict())."""
    if not isinstance(case, dict) or not set(case) <= {"id", "facts", "answers"}:
        raise ValueError("a case is an object with id, facts and answers")
    facts = _check_facts(case.get("facts") or {})
    answers = _check_answers(case.get("answers") or {})
    case_type, _, results, warnings = route(facts, answers)
    questions = {}
    for qid, (status, value, source) in results.items():
        if value.__class__ is frozenset:
            value = sorted(value, key=X4_RANK.__getitem__)
        questions[qid] = {"status": status, "value": value, "source": source}
    return {"id": case.get("id"), "case_type": case_type, "questions": questions, "warnings": warnings}
