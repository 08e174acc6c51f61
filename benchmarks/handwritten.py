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
  value, source)}, warnings, excluded)``.
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

# (question id, applicability group, allowed answers (None: any text; "set": X 4), the defined name whose truth
# derives "yes": "no_risk_of_harm_factors" (the summary judgements), "medium_risk_to_children_without_active_concerns"
# (2.5.43 and X 11), or None)
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
    ("P 2.1.3", "always", YES_NO, "no_risk_of_harm_factors"),
    ("2.4.20", "always", YES_NO, False), ("2.4.21", "always", YES_NO, False), ("2.4.22", "always", YES_NO, False),
    ("2.4.23", "always", YES_NO, False),
    ("P 2.2.3", "always", YES_NO, "no_risk_of_harm_factors"),
    ("2.5.01a", "core", YES_NO, False), ("2.5.05a", "core", YES_NO, False), ("2.5.25a", "always", YES_NO, False),
    ("2.5.26a", "accredited", None, False), ("2.5.47", "mappa", YES_NO, False),
    ("2.5.43", "core", YES_NO, "medium_risk_to_children_without_active_concerns"), ("2.5.44", "core", YES_NO, False),
    ("X 9", "sexual_harm", YES_NO, False), ("2.5.60a", "hate", YES_NO, False), ("X 10", "x8", YES_NO, False),
    ("2.5.41", "core", YES_NO, False), ("2.5.42", "always", YES_NO, False), ("2.5.48", "always", YES_NO, False),
    ("2.5.49", "core", YES_NO, False), ("2.5.50", "core", YES_NO, False),
    ("X 11", "adjusted", YES_NO, "medium_risk_to_children_without_active_concerns"), ("X 12", "adjusted", YES_NO, False),
    ("P 2.3.3", "always", YES_NO, "no_risk_of_harm_factors"),
    ("2.6.20", "always", YES_NO, False), ("2.6.21", "always", YES_NO, False),
    ("2.6.22", "core", YES_NO, False), ("2.6.23", "core", YES_NO, False), ("2.6.25", "adjusted", YES_NO, False),
    ("2.6.26", "reset_reinstigated", YES_NO, False), ("2.6.27", "reset_reinstigated", YES_NO, False),
    ("P 2.4.3", "p243", YES_NO, "no_risk_of_harm_factors"),
    ("2.9.06", "always", frozenset(("sufficient", "insufficient", "none")), False),
)
ALLOWED = {qid: allowed for qid, _, allowed, _ in QUESTIONS}
# The order warnings are reported in (the order the rules are decided in: a question after what it reads;
# "case type" is the refused-override warning of the case-type block).
WARNING_ORDER = {qid: i for i, qid in enumerate((
    "2.0.19a", "2.0.20a", "X 4", "2.1.04a", "2.3.20", "2.3.21a", "2.1.07a", "2.1.08a", "X 5", "X 6", "X 7", "X 8",
    "2.3.29", "2.3.31", "2.3.35", "2.3.24", "2.3.27", "2.3.28", "2.4.20", "2.4.21", "2.4.22", "2.4.23", "2.5.25a",
    "2.5.42", "2.5.48", "2.6.20", "2.6.21", "2.9.06", "2.2.06", "X 3", "X 1", "X 2", "2.5.47", "2.5.26a", "2.6.26",
    "2.6.27", "2.5.60a", "X 10", "X 9", "P 2.1.3", "P 2.2.3", "P 2.3.3", "case type", "2.3.01", "2.3.02", "2.3.05",
    "2.5.01a", "2.5.05a", "2.5.43", "2.5.44", "2.5.41", "2.5.49", "2.5.50", "X 11", "X 12", "2.6.22", "2.6.23",
    "2.6.25", "P 2.4.3",
))}
SEXUAL_HARM_IN_X4 = frozenset(("registered_sex_offender", "non_registered_sex_offender", "cse_perpetrator"))
REFUSED_ADJUSTED = (
    ") would make the case adjusted, but the rules make it core ('adjusted when adjusted_by_the_rules' does not hold, "
    "so 'core otherwise'); 'override adjusted when [2.0.20a] == yes or [2.0.19a] == no' applies only where the rules "
    "do not decide the case type, so the case stays core"
)
COMMUNITY_RESET = (
    "suspension: a community sentence suspended under Probation Reset stays core: adjusted questions apply to licence "
    "and PSS cases suspended under Probation Reset or Probation Impact, and to community sentences only under "
    "Probation Impact (2.0.20a)"
)
X6_WARNING = ("X 6: X 6 is answered 'not a factor' but X 4 records Registered sex offender, Non-registered sex offender or "
              "Child Sexual Exploitation – Perpetrator, so X 9 applies; check both answers")
# questions/consistency.carag: an answer to a question whose factor neither source records.
X9_ANSWERED = "X 9: X 9 (work on sexually harmful behaviour) is answered, but neither X 6 nor X 4 records sexual harm as a factor"
X2560A_ANSWERED = "2.5.60a: 2.5.60a (work on hate-based behaviour) is answered, but neither X 7 nor X 4 records hate-based behaviour as a factor"
X10_ANSWERED = "X 10: X 10 (work on other violence) is answered, but X 8 says other violence is not a factor"
X7_WARNING = "X 7: X 7 is answered 'not a factor' but X 4 records Hate Crime, so 2.5.60a applies; check both answers"
WITHIN_SEVEN_DAYS = "terminated within seven days of the order or licence commencing"
EIGHT_TO_28_DAYS = "terminated between eight and 28 days after sentence or release, without continuity of supervision"


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


def _on_or_before(date, start, days):
    """date <= start + days, or None when either is unknown or the sum leaves the calendar."""
    if date is None or start is None:
        return None
    try:
        return date <= start + datetime.timedelta(days=days)
    except OverflowError:
        return None


def _excluded(facts):
    """The reason a case is not inspected (Inspection principles, "Cases that have terminated"), or None."""
    ended, start = facts.get("termination_date"), facts.get("start_date")
    if _on_or_before(ended, start, 7) is True:
        return WITHIN_SEVEN_DAYS
    after_seven = _on_or_before(ended, start, 7)
    continuity = facts.get("continuity_of_supervision")
    if _and(None if after_seven is None else not after_seven, _on_or_before(ended, start, 28),
            None if continuity is None else not continuity) is True:
        return EIGHT_TO_28_DAYS
    return None


def route(facts, answers):
    sentence = facts.get("sentence")
    start = facts.get("start_date")
    suspension = facts.get("suspension")
    suspended_on = facts.get("suspension_date")
    reinstigated = facts.get("contact_reinstigated")
    get = answers.get
    warnings = None

    # Core or adjusted: the dates first; then an inspector's answer decides where they do not, may make an
    # adjusted case core, and cannot make a core case adjusted (the rules stand, with a warning).
    a19, a20 = get("2.0.19a"), get("2.0.20a")
    override_core = a19 == "yes" or a20 == "no"
    override_adjusted = a20 == "yes" or a19 == "no"
    if override_core and override_adjusted:
        raise ValueError("the answers to 2.0.19a and 2.0.20a contradict each other")
    within = _on_or_before(suspended_on, start, 56)
    by_scheme = None if suspension is None else suspension in ("reset", "impact")
    if sentence is None:
        fits = None
    elif sentence in ("licence", "pss"):
        fits = True
    else:
        fits = _and(sentence == "community", None if suspension is None else suspension == "impact")
    adjusted = _and(by_scheme, within, fits)
    case_type, case_type_source = (None, None) if adjusted is None else (("adjusted" if adjusted else "core"), "derived")
    if override_core and case_type in (None, "adjusted"):
        case_type, case_type_source = "core", "answer"
    elif override_adjusted and case_type is None:
        case_type, case_type_source = "adjusted", "answer"
    elif override_adjusted and case_type == "core":
        given = "; ".join(f"{q} = {a}" for q, a in (("2.0.20a", a20), ("2.0.19a", a19)) if a is not None)
        warnings = {"case type": "case type: the answers (" + given + REFUSED_ADJUSTED}

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
        "sexual_harm": _status(_or(None if x6 is None else x6 != "not_a_factor", None if x4 is None else bool(x4 & SEXUAL_HARM_IN_X4))),
        "hate": _status(_or(None if x7 is None else x7 != "not_a_factor", None if x4 is None else "hate_crime" in x4)),
        "x8": _status(None if x8 is None else x8 != "not_a_factor"),
        "p243": _status(_or(core, _and(adjusted_type, reinstigated))),
    }

    rosh_children = facts.get("rosh_to_children")
    children_risk_only = _and(
        None if rosh_children is None else rosh_children in ("medium", "high", "very_high"),
        None if (own := facts.get("children_of_their_own")) is None else not own,
        None if (contact := facts.get("known_contact_with_children")) is None else not contact,
    )
    derives_yes = {"no_risk_of_harm_factors": no_risk_factors is True,
                   "medium_risk_to_children_without_active_concerns": children_risk_only is True}
    results = {}
    for qid, group, _, derives in QUESTIONS:
        status = groups[group]
        derived = "yes" if derives and status == APPLIES and derives_yes[derives] else None
        answer = get(qid)
        if answer is not None:
            if status == NOT_APPLICABLE:
                warnings = warnings or {}
                warnings[qid] = f"{qid}: an answer was given but the question does not apply to this case; the answer is ignored"
                results[qid] = (status, None, None)
            else:
                if derived is not None and answer != derived:
                    warnings = warnings or {}
                    warnings[qid] = f"{qid}: answered {answer!r} where the rule 'derive yes when {derives}' gives 'yes'; the answer stands"
                results[qid] = (status, answer, "answer")
        elif derived is not None:
            results[qid] = (status, derived, "derived")
        else:
            results[qid] = (status, None, None)
    ordered_warnings = [warnings[q] for q in sorted(warnings, key=WARNING_ORDER.__getitem__)] if warnings else []
    # The constraints that warn, in the order they are declared.
    if sentence == "community" and suspension == "reset" and within is True:
        ordered_warnings.append(COMMUNITY_RESET)
    if "X 9" in answers and x6 == "not_a_factor" and x4 is not None and not x4 & SEXUAL_HARM_IN_X4:
        ordered_warnings.append(X9_ANSWERED)
    if "2.5.60a" in answers and x7 == "not_a_factor" and x4 is not None and "hate_crime" not in x4:
        ordered_warnings.append(X2560A_ANSWERED)
    if "X 10" in answers and x8 == "not_a_factor":
        ordered_warnings.append(X10_ANSWERED)
    if x6 == "not_a_factor" and x4 is not None and x4 & SEXUAL_HARM_IN_X4:
        ordered_warnings.append(X6_WARNING)
    if x7 == "not_a_factor" and x4 is not None and "hate_crime" in x4:
        ordered_warnings.append(X7_WARNING)
    excluded = _excluded(facts)
    if excluded is not None:  # not inspected: no routing
        return None, None, {qid: (NOT_APPLICABLE, None, None) for qid in results}, [], excluded
    return case_type, case_type_source, results, ordered_warnings, None


# ------------------------------------------------------------------ checking the data, and the JSON result

_FACT_CODES = {
    "sentence": frozenset(("community", "licence", "pss")),
    "suspension": frozenset(("none", "reset", "impact")),
}
_BOOL_FACTS = frozenset(("court_report", "mappa", "accredited_programme", "contact_reinstigated",
                         "continuity_of_supervision", "children_of_their_own", "known_contact_with_children"))
_DATE_FACTS = frozenset(("start_date", "suspension_date", "termination_date"))
_FACT_CODES["rosh_to_children"] = frozenset(("low", "medium", "high", "very_high"))


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
    if "termination_date" in facts and "start_date" in facts and facts["termination_date"] < facts["start_date"]:
        raise ValueError("facts.termination_date: the termination date is before the start date")
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


def evaluate(case, ruleset=None):
    """A raw case in, the result JSON out (the shape of Evaluation.to_dict()); ``ruleset`` is its "ruleset" entry."""
    if not isinstance(case, dict) or not set(case) <= {"id", "facts", "answers"}:
        raise ValueError("a case is an object with id, facts and answers")
    facts = _check_facts(case.get("facts") or {})
    answers = _check_answers(case.get("answers") or {})
    case_type, _, results, warnings, excluded = route(facts, answers)
    questions = {}
    for qid, (status, value, source) in results.items():
        if value.__class__ is frozenset:
            value = sorted(value, key=X4_RANK.__getitem__)
        questions[qid] = {"status": status, "value": value, "source": source}
    return {"id": case.get("id"), "case_type": case_type, "excluded": excluded, "questions": questions,
            "warnings": warnings, "ruleset": ruleset}
