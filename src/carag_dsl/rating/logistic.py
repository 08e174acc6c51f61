"""``carag rate --model logistic``: which characteristics predict a positive judgement, as the Bulletin tests it.

Research & Analysis Bulletin 2025/01 (Annex A): "Binary logistic regression was used to analyse which
variables predicted inspectors' judgements ... a forced entry method was used, entering all relevant
independent variables in the same step ... the significance level used was five per cent (p < 0.05)", and
"the number of cases contributing to each model will differ according to any missing data across any of
the variables included". So, for each question, one model: the judgement (yes = 1, no = 0) on every
``--by`` characteristic at once, each a set of indicator variables against a reference level (the first
group in the declared order, stated in the result); the cases missing any characteristic (not known, or in
none of a grouping's groups) are dropped and counted.

The model is fitted on the rating's cells (one row per combination of characteristics, with its counts of
yes and no: a binomial GLM with the logit link, which gives exactly the estimates and Wald tests of the
case-by-case model), so the cases are never kept. statsmodels (the ``stats`` extra) does the fitting.

A model that cannot be fitted is refused with its reason rather than printed: too few cases (fewer of
the rarer judgement than ten per coefficient, Peduzzi et al. 1996), a characteristic with one value only,
characteristics that determine each other, or separation (a group whose cases are all yes or all no, for
which the estimate runs off to infinity).
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Mapping, Sequence

from carag_dsl.rating.groups import OUTSIDE, group_sort_key, json_group_value

#: Shaded in the Bulletin's tables: a coefficient whose p-value is below this.
SIGNIFICANCE_LEVEL = 0.05
#: Fewest cases of the rarer judgement per coefficient (not counting the constant) before a model is refused.
EVENTS_PER_COEFFICIENT = 10
METHOD = "binary logistic regression of the positive judgement, every characteristic entered in one step (forced entry)"


class ModelRefused(Exception):
    """A model that cannot be fitted on these cases; the message says why, in words."""


def fit_models(cells: Mapping[tuple, Any], by_names: Sequence[str], codes: Sequence[tuple[str, ...]],
               question_ids: Sequence[str], groups: Sequence[Any]) -> dict[str, Any]:
    """Per question, the fitted model (JSON-ready) or ``{"refused": why, ...}``.

    ``cells``: the tally's counters per combination of the values of ``by_names`` (each with ``questions[id]``
    holding ``n_judged`` and ``n_yes``); ``codes``: each by's declared codes (the order of its groups);
    ``groups``: the rating's groups (``by``, ``value``, ``label``), for the groups' names.
    """
    labels = {(group.by, _key(group.value)): group.label for group in groups}
    return {qid: fit_question(cells, by_names, codes, qid, labels) for qid in question_ids}


def fit_question(cells: Mapping[tuple, Any], by_names: Sequence[str], codes: Sequence[tuple[str, ...]], question_id: str,
                 labels: dict[tuple[str, Any], str]) -> dict[str, Any]:
    rows: list[tuple[tuple, int, int]] = []  # (values of every by, yes, no) of the cells with every value known
    dropped = 0
    for key, cell in cells.items():
        counter = cell.questions[question_id]
        if not counter.n_judged:
            continue
        if any(value is None or value == OUTSIDE for value in key):
            dropped += counter.n_judged
            continue
        rows.append((key, counter.n_yes, counter.n_judged - counter.n_yes))
    n_yes = sum(yes for _, yes, _ in rows)
    n_no = sum(no for _, _, no in rows)
    summary: dict[str, Any] = {"method": METHOD, "cases": n_yes + n_no, "positive": n_yes, "dropped": dropped,
                               "significance_level": SIGNIFICANCE_LEVEL}
    levels = []
    for index, declared in enumerate(codes):
        present = {key[index] for key, yes, no in rows}
        levels.append(sorted(present, key=lambda value: group_sort_key(declared, value)))
    summary["reference"] = {
        name: {"value": _json(found[0]), "label": labels.get((name, _key(_json(found[0]))), str(found[0]))}
        for name, found in zip(by_names, levels) if found
    }
    try:
        summary.update(_fit(question_id, by_names, levels, rows, n_yes, n_no, labels))
    except ModelRefused as refused:
        summary["refused"] = str(refused)
    return summary


def _fit(question_id: str, by_names: Sequence[str], levels: list[list[Any]], rows: list[tuple[tuple, int, int]],
         n_yes: int, n_no: int, labels: dict[tuple[str, Any], str]) -> dict[str, Any]:
    import numpy as np
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    if not rows:
        raise ModelRefused(f"no case judged on {question_id} has every characteristic ({', '.join(by_names)}) known")
    if not n_yes or not n_no:
        raise ModelRefused(f"every case judged on {question_id} with every characteristic known was judged "
                           f"{'yes' if n_yes else 'no'}: there is nothing to predict")
    for name, found in zip(by_names, levels):
        if len(found) < 2:
            raise ModelRefused(f"'{name}' has one value only among the cases with every characteristic known: nothing to compare")
    terms = [(index, value) for index, found in enumerate(levels) for value in found[1:]]
    if min(n_yes, n_no) < EVENTS_PER_COEFFICIENT * len(terms):
        raise ModelRefused(
            f"too few cases: {min(n_yes, n_no)} judged {'yes' if n_yes <= n_no else 'no'} for {len(terms)} coefficients; "
            f"a model needs at least {EVENTS_PER_COEFFICIENT} of the rarer judgement per coefficient "
            f"({EVENTS_PER_COEFFICIENT * len(terms)} here)")
    for index, value in terms:  # a group all yes or all no: its estimate has no finite value
        yes = sum(row_yes for key, row_yes, _ in rows if key[index] == value)
        no = sum(row_no for key, _, row_no in rows if key[index] == value)
        if not yes or not no:
            name = by_names[index]
            raise ModelRefused(
                f"separation: every case in {name} '{labels.get((name, _key(_json(value))), value)}' was judged "
                f"{'yes' if yes else 'no'} ({yes + no} cases), so its odds ratio has no finite estimate; "
                f"merge that group with another (a grouping) or leave '{name}' out")
    design = np.array([[1.0] + [1.0 if key[index] == value else 0.0 for index, value in terms] for key, _, _ in rows])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise ModelRefused(f"the characteristics {', '.join(by_names)} determine one another (one is a grouping or "
                           f"a copy of another, or some combinations never occur): leave one out")
    outcome = np.array([[yes, no] for _, yes, no in rows], dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            fitted = sm.GLM(outcome, design, family=sm.families.Binomial()).fit()
        except (PerfectSeparationWarning, ConvergenceWarning, np.linalg.LinAlgError) as error:
            raise ModelRefused(f"the model cannot be fitted ({_first_line(error)}): the groups separate the judgements") from None
    params, pvalues, intervals = fitted.params, fitted.pvalues, fitted.conf_int(alpha=0.05)
    if not all(math.isfinite(float(x)) for x in [*params, *pvalues]):
        raise ModelRefused("the model cannot be fitted: its estimates are not finite (the groups separate the judgements)")

    def term(position: int) -> dict[str, Any]:
        low, high = (float(bound) for bound in intervals[position])
        return {"coefficient": float(params[position]), "odds_ratio": math.exp(params[position]),
                "p_value": float(pvalues[position]), "ci_low": math.exp(low), "ci_high": math.exp(high),
                "significant": bool(pvalues[position] < SIGNIFICANCE_LEVEL)}

    coefficients = []
    for position, (index, value) in enumerate(terms, start=1):
        name, shown = by_names[index], _json(value)
        coefficients.append({"by": name, "value": shown, "label": labels.get((name, _key(shown)), str(shown)), **term(position)})
    return {"constant": term(0), "coefficients": coefficients}


def significant_cells(models: dict[str, Any], question_id: str) -> set[tuple[str, Any]]:
    """(by, value) of every group whose coefficient is significant in the model of ``question_id``."""
    model = models.get(question_id) or {}
    return {(c["by"], _key(c["value"])) for c in model.get("coefficients", ()) if c["significant"]}


def _json(value: Any) -> Any:
    return json_group_value(value)


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
