"""Ratings over a sample of cases: the share of cases judged sufficient, banded.

HM Inspectorate of Probation rates case supervision "on consolidated results
of all the cases inspected": for each key question (a yes/no summary
judgement) the percentage of cases judged 'yes' falls in a band; a standard
takes the lowest band of its key questions; caps (``at most "Good" when
[P 2.2.3] is "Inadequate"``) then lower a standard's band further.

The arithmetic is exact: counts are whole numbers, the band is decided on the
exact fraction ``n_yes / n_judged`` (1599 of 2000 is 79.95%, which is below
80% and so "Good"), and the percentage shown is that fraction rounded half up
to one decimal place, for display only.

Cases are streamed: :class:`RatingTally` keeps counters, never cases, so a
sample of any size rates in constant memory (one set of counters per
subgroup). See docs/ratings.md for the rules in plain English.

A rating says what it is (:data:`DESCRIPTION`), which rules made it, when,
and how many cases it read, rated, left out as not inspected (``exclude
when``, by reason) and rejected as bad data; a figure over fewer cases than
the rule set's ``small sample below N cases`` carries a caveat.
"""

from __future__ import annotations

import datetime
import math
import os
from collections import Counter
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import attrs

from carag_dsl.language import ast
from carag_dsl.compiler import types as T
from carag_dsl.errors import UsageError, did_you_mean_question
from carag_dsl.compiler.groupings import group_of
from carag_dsl.rating import MAX_GROUPS
from carag_dsl.rating.groups import OUTSIDE, group_sort_key, json_group_value
from carag_dsl.compiler.symbols import CASE_TYPE
from carag_dsl.compiler.ruleset import DEFAULT_SMALL_SAMPLE, CheckedRules
from carag_dsl.runtime.evaluate import CaseFailure, case_id_of, check_on_error, evaluate_case
from carag_dsl.errors import CaseDataError
from carag_dsl.runtime.evaluation import ruleset_identity
from carag_dsl.runtime.logic import UNKNOWN

if TYPE_CHECKING:
    from carag_dsl.runtime.columnar import BatchResult
    from carag_dsl.runtime.evaluation import Evaluation


#: What every rating output calls itself. The CARaG's dynamic inspections do not rate regions
#: ("Dynamic inspections of public protection differ from our core probation inspections", inspection
#: questions); the bands are those the core inspections use (consultation, May 2021, paragraph 4.13).
DESCRIPTION = "Share of cases judged sufficient per key question, with the bands of the core inspection framework"
DESCRIPTION_NOTE = (
    "Dynamic inspections of public protection do not rate regions: these bands are the ones the core probation "
    "inspections use (2021 consultation, paragraph 4.13), applied to each key question's share of cases judged 'yes'."
)


def run_date(environ: Mapping[str, str] = os.environ) -> datetime.date:
    """The date a rating carries: today, or the day of ``SOURCE_DATE_EPOCH`` when it is set (reproducible reports).

    ``SOURCE_DATE_EPOCH`` is the reproducible-builds.org convention: whole seconds since 1970-01-01 UTC.
    """
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch is None or epoch == "":
        return datetime.date.today()
    try:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH is {epoch!r}; expected whole seconds since 1970-01-01 UTC, e.g. 1735689600") from None


def percent_of(n_yes: int, n_judged: int) -> Fraction | None:
    """The exact percentage, or None when no case was judged (never 0%)."""
    return None if n_judged == 0 else Fraction(100 * n_yes, n_judged)


def display_percent(percent: Fraction | None) -> float | None:
    """Round an exact percentage half up to one decimal place (79.95 -> 80.0).

    Rounded on the exact fraction with whole numbers, so no binary float ever
    decides a digit; the float returned has the shortest repr of that decimal.
    """
    if percent is None:
        return None
    tenths = math.floor(percent * 10 + Fraction(1, 2))
    return tenths / 10


def band_of(percent: Fraction | None, bands: ast.BandsDecl | None) -> str | None:
    """The band whose inclusive lower bound is the highest one not above ``percent``."""
    if percent is None or bands is None:
        return None
    chosen = None
    for band in bands.bands:  # the type checker guarantees ascending order from 0%
        if percent >= Fraction(band.lower_percent):
            chosen = band.name
    return chosen


def rated_questions(ruleset: CheckedRules) -> tuple[str, ...]:
    """Every question a rating reads: the key questions of each standard, then those its caps name."""
    seen: dict[str, None] = {}
    for standard in ruleset.symbols.standards.values():
        for ref in standard.key_questions:
            seen.setdefault(ref.question_id, None)
        for cap in standard.caps:
            seen.setdefault(cap.question.question_id, None)
    return tuple(seen)


def averaged_questions(ruleset: CheckedRules) -> tuple[str, ...]:
    """Every question a score averages (``rated by average of``), in the order the standards list them."""
    return tuple(dict.fromkeys(ref.question_id for s in ruleset.symbols.standards.values() for ref in s.average_of))


#: What ``--questions`` takes besides ids: the questions that rate the standards, or every yes/no question.
QUESTION_SETS = ("key", "all")


def chosen_questions(ruleset: CheckedRules, spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """The questions a rating gives figures for: ``"key"`` (None: the key questions, those caps name and those
    scores average), ``"all"`` (every question answered yes or no, in document order), or question ids
    (a sequence, or one text with ids separated by commas). UsageError for an id that is not a question
    answered yes or no."""
    if spec is None or spec == "key":
        return tuple(dict.fromkeys([*rated_questions(ruleset), *averaged_questions(ruleset)]))
    questions = ruleset.symbols.questions
    yes_no = [qid for qid, q in questions.items() if q.answer is not None and "yes" in T.option_codes(q.answer)]
    if spec == "all":
        return tuple(yes_no)
    ids = [part.strip() for part in spec.split(",")] if isinstance(spec, str) else [str(part).strip() for part in spec]
    for qid in ids:
        if qid not in questions:
            raise UsageError(f"--questions: there is no question '{qid}'{did_you_mean_question(qid, questions)}; give key, all or question ids separated by commas")
        if qid not in yes_no:
            raise UsageError(f"--questions: question '{qid}' is not answered yes or no, so it has no share of positive judgements")
    if not ids or "" in ids:
        raise UsageError("--questions: give key, all or question ids separated by commas, e.g. 'P 2.1.3,2.1.1'")
    return tuple(dict.fromkeys(ids))


#: What ``--model`` takes: binary logistic regression of the positive judgement on the ``--by`` characteristics.
MODELS = ("logistic",)


def check_model(model: str | None, by: Sequence[str]) -> str | None:
    """``model`` when it can be fitted here (statsmodels installed, characteristics given); UsageError otherwise."""
    if model is None:
        return None
    if model not in MODELS:
        raise UsageError(f"unknown model '{model}'; the models are {', '.join(MODELS)}")
    if not by:
        raise UsageError("--model logistic fits the judgement on characteristics: name them with --by (one or more)")
    try:
        import statsmodels.api  # noqa: F401
    except ImportError:
        raise UsageError("--model logistic needs statsmodels: pip install 'carag-dsl[stats]'") from None
    return model


# ---------------------------------------------------------------- counting


@attrs.define
class _Counter:
    n_judged: int = 0
    n_yes: int = 0
    # Answers the question applied to but that are neither yes nor no ("not_a_factor", "no_information"),
    # by answer code: left out of the share, and counted so the report can say how many.
    left_out: Counter[str] = attrs.Factory(Counter)


@attrs.define
class _Counters:
    """Counts for one set of cases (the whole sample, or one subgroup): rated, and left out as not inspected."""

    cases: int = 0
    questions: dict[str, _Counter] = attrs.Factory(dict)
    excluded: Counter[str] = attrs.Factory(Counter)  # by the reason of the 'exclude when' rule
    not_known: int = 0  # not known whether inspected: the case does not say enough for the 'exclude when' rules


class TooManyGroups(UsageError):
    """``by`` gives more subgroups than allowed (``max_groups``)."""


class RatingTally:
    """Accumulates evaluated cases into counters; :meth:`result` rates what was added.

    ``by`` names one or more facts, groupings, defined names, ``case_type`` or question ids to break
    every figure down by (see :func:`group_value` for the value of a case). The counters are kept per
    *cell*, one combination of the values of every ``by``: the groups of each ``by`` are sums of cells,
    and the cells are what a model (``model="logistic"``) is fitted on. More than ``max_groups``
    different values of one ``by`` raise :class:`TooManyGroups` (``None`` lifts the cap).

    ``questions`` says which questions get figures of their own besides the key questions the standards
    need: ``"key"`` (the default), ``"all"`` (every question answered yes or no) or question ids.
    """

    def __init__(self, ruleset: CheckedRules, by: str | Sequence[str] | None = None, max_groups: int | None = MAX_GROUPS,
                 questions: str | Sequence[str] | None = None, model: str | None = None):
        self.ruleset = ruleset
        self.max_groups = max_groups
        self.by_names: tuple[str, ...] = (by,) if isinstance(by, str) else tuple(by or ())
        if len(set(self.by_names)) < len(self.by_names):
            raise UsageError(f"--by names the same field twice: {', '.join(self.by_names)}")
        self.by = self.by_names[0] if self.by_names else None  # the first: what one-breakdown callers read
        self._kinds = tuple(_resolve_by(ruleset, name) for name in self.by_names)
        self._codes = tuple(_declared_codes(ruleset, name, kind) for name, kind in zip(self.by_names, self._kinds))
        self.chosen = chosen_questions(ruleset, questions)
        self.questions = tuple(dict.fromkeys([*rated_questions(ruleset), *averaged_questions(ruleset), *self.chosen]))  # counted
        self.model = check_model(model, self.by_names)
        self.overall = self._new_counters()
        self.cells: dict[tuple, _Counters] = {}
        self._values: list[set[Any]] = [set() for _ in self.by_names]  # the values of each by seen so far
        self.rejected_lines: list[int] = []  # where the bad cases were, counted in rejected_unit
        #: What the numbers of rejected_lines count: "line" of a file, "element" of a JSON array, "row" of a form export,
        #: "position" in an iterable.
        self.rejected_unit = "line"
        self.rejected_files: list[str] = []  # with rows from several files (carag rate --engine dask): each one's file

    def _cell(self, key: tuple) -> _Counters:
        """The counters of one combination of values, made on first use; TooManyGroups past ``max_groups`` values of a by."""
        cell = self.cells.get(key)
        if cell is None:
            for name, seen, value in zip(self.by_names, self._values, key):
                if value not in seen and self.max_groups is not None and len(seen) >= self.max_groups:
                    raise TooManyGroups(
                        f"'{name}' has more than {self.max_groups:,} different values in these cases, too many groups "
                        f"to report; break the figures down by a field with fewer values, or allow more groups "
                        f"(carag rate --max-groups N)")
                seen.add(value)
            cell = self.cells[key] = self._new_counters()
        return cell

    def _new_counters(self) -> _Counters:
        return _Counters(0, {qid: _Counter() for qid in self.questions})

    def add_case(self, case: Mapping[str, Any]) -> None:
        """Evaluate one case and count it. Raises CaseDataError (counting nothing) for bad data."""
        self.add(evaluate_case(self.ruleset, case))

    def group_of(self, evaluation: "Evaluation") -> Any:
        """The subgroup of the first ``by`` an evaluated case is counted in (None without ``by``, or when not known)."""
        if not self.by_names:
            return None
        return group_value(self.ruleset, evaluation, self.by_names[0], self._kinds[0], self._codes[0])

    def cell_of(self, evaluation: "Evaluation") -> tuple:
        """The values of every ``by`` for an evaluated case (the cell it is counted in)."""
        return tuple(group_value(self.ruleset, evaluation, name, kind, codes)
                     for name, kind, codes in zip(self.by_names, self._kinds, self._codes))

    def add(self, evaluation: "Evaluation") -> None:
        """Count one evaluated case: rated, or (``exclude when``) counted apart by the reason it is not inspected."""
        targets = [self.overall]
        if self.by_names:
            targets.append(self._cell(self.cell_of(evaluation)))
        if evaluation.excluded is not None:
            for counters in targets:
                counters.excluded[evaluation.excluded] += 1
            return
        if evaluation.exclusion_pending is not None:  # every question pending: nothing to rate
            for counters in targets:
                counters.not_known += 1
            return
        for counters in targets:
            counters.cases += 1
        for question_id in self.questions:
            result = evaluation.questions[question_id]
            # Judged: the question applies and says yes or no (answered or derived). Any other answer
            # ('not_a_factor', 'no_information') is neither, so it is left out of the share and counted apart.
            if result.status != "applies" or result.value is None or result.value is UNKNOWN:
                continue
            for counters in targets:
                counter = counters.questions[question_id]
                if result.value in ("yes", "no"):
                    counter.n_judged += 1
                    counter.n_yes += result.value == "yes"
                else:
                    counter.left_out[result.value] += 1

    def add_batch(self, batch: "BatchResult") -> None:
        """Count every case of a columnar batch that has a result (error rows are the caller's to report).

        The counts are those :meth:`add` makes case by case: judged where the question applies
        and its value is yes or no, counted with a few numpy sums per question and cell.
        """
        import numpy as np

        from carag_dsl.runtime.columnar.engine import INSPECTED, NOT_KNOWN

        rows = np.ones(batch.n, dtype=bool)
        for row, done in batch.per_case.items():
            rows[row] = False
            if not isinstance(done, str):
                self.add(done)
        # Rows an 'exclude when' rule leaves out are counted apart, by reason, and rate nothing.
        excluded = batch.excluded if batch.excluded is not None else np.full(batch.n, INSPECTED)
        rated = rows & (excluded == INSPECTED)
        yes_id, no_id = batch.strings.ids.get("yes", -1), batch.strings.ids.get("no", -1)
        judged, said_yes, other = {}, {}, {}
        for qid in self.questions:
            value = batch.value[qid].data
            valued = rated & (batch.status[qid] == 0) & (batch.source[qid] != 0)
            judged[qid] = valued & ((value == yes_id) | (value == no_id))
            said_yes[qid] = judged[qid] & (value == yes_id)
            other[qid] = valued & ~judged[qid]  # left out of the share: 'not_a_factor', 'no_information'
        parts = [(self.overall, rows)]
        if self.by_names:
            columns = [batch_group_keys(self.ruleset, batch, name, kind, codes)
                       for name, kind, codes in zip(self.by_names, self._kinds, self._codes)]
            chosen: dict[tuple, list[int]] = {}
            for row in np.flatnonzero(rows).tolist():
                chosen.setdefault(tuple(column[row] for column in columns), []).append(row)
            for key, members in chosen.items():
                mask = np.zeros(batch.n, dtype=bool)
                mask[members] = True
                parts.append((self._cell(key), mask))
        for counters, mask in parts:
            counters.cases += int((rated & mask).sum())
            for index, reason in enumerate(batch.engine.exclusion_reasons):
                if n_excluded := int((rows & mask & (excluded == index)).sum()):
                    counters.excluded[reason] += n_excluded
            counters.not_known += int((rows & mask & (excluded == NOT_KNOWN)).sum())
            for qid in self.questions:
                counter = counters.questions[qid]
                counter.n_judged += int((judged[qid] & mask).sum())
                counter.n_yes += int((said_yes[qid] & mask).sum())
                codes, counts = np.unique(batch.value[qid].data[other[qid] & mask], return_counts=True)
                for code, n in zip(codes.tolist(), counts.tolist()):
                    counter.left_out[batch.strings.values[code]] += n

    def reject(self, line: int, file: str | None = None) -> None:
        """Note a case left out for bad data, by its line number (or position from 1) and, when the cases come
        from several files, its file: reports list them."""
        self.rejected_lines.append(line)
        if file is not None:
            self.rejected_files.append(file)

    def counts(self) -> dict[str, Any]:
        """The counters as plain data (to send between processes; :meth:`merge` adds them up)."""
        def plain(counters: _Counters) -> tuple[int, dict[str, tuple[int, int, dict[str, int]]], dict[str, int], int]:
            questions = {qid: (c.n_judged, c.n_yes, dict(c.left_out)) for qid, c in counters.questions.items()}
            return counters.cases, questions, dict(counters.excluded), counters.not_known

        return {"overall": plain(self.overall), "groups": [(key, plain(cell)) for key, cell in self.cells.items()]}

    def merge(self, counts: Mapping[str, Any]) -> None:
        """Add counters made elsewhere (another process, another machine) by :meth:`counts`."""
        def add(target: _Counters, plain: tuple[int, Mapping[str, tuple[int, int, Mapping[str, int]]], Mapping[str, int], int]) -> None:
            target.cases += plain[0]
            for qid, (n_judged, n_yes, left_out) in plain[1].items():
                target.questions[qid].n_judged += n_judged
                target.questions[qid].n_yes += n_yes
                target.questions[qid].left_out.update(left_out)
            target.excluded.update(plain[2])
            target.not_known += plain[3]

        add(self.overall, counts["overall"])
        for key, plain in counts["groups"]:
            add(self._cell(tuple(key)), plain)

    def marginal(self, index: int) -> dict[Any, _Counters]:
        """The counters of each value of the ``index``-th ``by``: the sums of the cells that have it."""
        groups: dict[Any, _Counters] = {}
        for key, cell in self.cells.items():
            total = groups.get(key[index])
            if total is None:
                total = groups[key[index]] = self._new_counters()
            total.cases += cell.cases
            total.excluded.update(cell.excluded)
            for qid, counter in cell.questions.items():
                total.questions[qid].n_judged += counter.n_judged
                total.questions[qid].n_yes += counter.n_yes
                total.questions[qid].left_out.update(counter.left_out)
        return groups

    def result(self, failures: Iterable[CaseFailure] = (), date: datetime.date | None = None) -> "Rating":
        """The rating of what was added (``failures``: the cases left out, when they were collected;
        ``date``: the date it carries, :func:`run_date` when not given)."""
        small = self.ruleset.small_sample_below
        figures, standards = self._rate(self.overall)
        groups: list[RatingGroup] = []
        for index, (name, kind, codes) in enumerate(zip(self.by_names, self._kinds, self._codes)):
            labels = _option_labels(self.ruleset, name, kind)
            marginal = self.marginal(index)
            for key in sorted(marginal, key=lambda key: group_sort_key(codes, key)):
                group = marginal[key]
                group_figures, group_standards = self._rate(group)
                value = json_group_value(key)
                groups.append(RatingGroup(
                    name, value, group.cases, self._key(group_figures), group_standards,
                    label=group_label(value, labels), excluded=sum(group.excluded.values()), small_sample=group.cases < small,
                    questions=self._chosen(group_figures),
                ))
        models: dict[str, Any] = {}
        if self.model is not None:
            from carag_dsl.rating.logistic import fit_models

            models = fit_models(self.cells, self.by_names, self._codes, self.chosen, groups)
        return Rating(
            self.overall.cases, self._key(figures), score_ranges(standards, groups), tuple(groups), tuple(failures),
            ruleset=ruleset_identity(self.ruleset), date=date or run_date(),
            excluded=dict(sorted(self.overall.excluded.items(), key=lambda item: (-item[1], item[0]))),
            not_known_whether_inspected=self.overall.not_known,
            rejected_lines=tuple(self.rejected_lines), rejected_unit=self.rejected_unit, small_sample_below=small,
            rejected_files=tuple(self.rejected_files),
            by=self.by_names, questions=self._chosen(figures), models=models,
        )

    def _key(self, figures: Mapping[str, "KeyQuestionFigures"]) -> dict[str, "KeyQuestionFigures"]:
        return {qid: figures[qid] for qid in rated_questions(self.ruleset)}

    def _chosen(self, figures: Mapping[str, "KeyQuestionFigures"]) -> dict[str, "KeyQuestionFigures"]:
        return {qid: figures[qid] for qid in self.chosen}

    def _rate(self, counters: _Counters) -> tuple[dict[str, "KeyQuestionFigures"], dict[str, "StandardFigures"]]:
        return rate_counters(self.ruleset, counters)


def rate_counters(ruleset: CheckedRules, counters: _Counters) -> tuple[dict[str, "KeyQuestionFigures"], dict[str, "StandardFigures"]]:
    """The figures of every counted question, and of every standard, over one set of counters."""
    bands = ruleset.symbols.bands
    exact: dict[str, Fraction | None] = {}
    figures: dict[str, KeyQuestionFigures] = {}
    for question_id, counter in counters.questions.items():
        percent = percent_of(counter.n_yes, counter.n_judged)
        exact[question_id] = percent
        figures[question_id] = KeyQuestionFigures(
            counter.n_judged, counter.n_yes, display_percent(percent), band_of(percent, bands),
            small_sample=0 < counter.n_judged < ruleset.small_sample_below,
            left_out=_in_answer_order(ruleset, question_id, counter.left_out),
        )
    standards = {}
    for name, decl in ruleset.symbols.standards.items():
        if decl.average_of:
            standards[name] = average_score(decl, exact, bands)
        else:
            rated = rate_standard(decl, exact, bands)
            standards[name] = StandardFigures(rated["band"], rated["lowest"])
    return figures, standards


def _in_answer_order(ruleset: CheckedRules, question_id: str, left_out: Counter[str]) -> dict[str, int]:
    """The left-out counts in the order the question declares its answers."""
    answer = ruleset.symbols.questions[question_id].answer
    order = {code: i for i, code in enumerate(T.option_codes(answer))} if answer is not None else {}
    return {code: left_out[code] for code in sorted(left_out, key=lambda code: (order.get(code, len(order)), code))}

def question_figures(ruleset: CheckedRules, evaluations: Iterable["Evaluation"], question_ids: Sequence[str]) -> dict[str, "KeyQuestionFigures"]:
    """Each question's count judged, count 'yes', share and band over some evaluated cases (any subset: the
    cases of one region, one inspection), counted as ``carag rate`` counts them; for callers that choose the cases."""
    tally = RatingTally(ruleset, questions=list(question_ids))
    for evaluation in evaluations:
        tally.add(evaluation)
    figures, _ = rate_counters(ruleset, tally.overall)
    return {qid: figures[qid] for qid in question_ids}




def rate_standard(decl: ast.StandardDecl, exact: Mapping[str, Fraction | None], bands: ast.BandsDecl | None) -> dict[str, Any]:
    """Lowest banding over the key questions, then the caps.

    Key questions judged in no case have no band and take no part; a standard
    none of whose key questions was judged has no band. Of several key
    questions in the lowest band, ``lowest`` names the one with the lowest
    percentage (the first declared, on a tie).
    """
    rank = {band.name: index for index, band in enumerate(bands.bands)} if bands else {}
    lowest_id: str | None = None
    lowest_key: tuple | None = None
    for position, ref in enumerate(decl.key_questions):
        percent = exact.get(ref.question_id)
        band = band_of(percent, bands)
        if band is None:
            continue
        key = (rank[band], percent, position)
        if lowest_key is None or key < lowest_key:
            lowest_id, lowest_key = ref.question_id, key
    if lowest_id is None:
        return {"band": None, "lowest": None}
    band = band_of(exact[lowest_id], bands)
    for cap in applied_caps(decl, exact, bands):
        if band is None or rank[cap.band] < rank[band]:
            band = cap.band
    return {"band": band, "lowest": lowest_id}


def applied_caps(decl: ast.StandardDecl, exact: Mapping[str, Fraction | None], bands: ast.BandsDecl | None) -> list[ast.Cap]:
    """The caps of a standard whose condition holds (the named judgement is in the named band)."""
    return [cap for cap in decl.caps if band_of(exact.get(cap.question.question_id), bands) == cap.when_band]


def cap_notes(ruleset: CheckedRules, rated: Mapping[str, Any]) -> dict[str, list[str]]:
    """For reports: per standard, the caps that lowered its band below its lowest banding, in words."""
    bands = ruleset.symbols.bands
    rank = {band.name: index for index, band in enumerate(bands.bands)} if bands else {}
    notes: dict[str, list[str]] = {}
    for name, decl in ruleset.symbols.standards.items():
        standard = rated["standards"][name]
        if standard["lowest"] is None:
            continue
        from_lowest = rated["key_questions"][standard["lowest"]]["band"]
        if standard["band"] == from_lowest:
            continue
        for cap in decl.caps:
            question = rated["key_questions"].get(cap.question.question_id, {})
            if question.get("band") == cap.when_band and rank[cap.band] < rank[from_lowest]:
                notes.setdefault(name, []).append(
                    f"at most {cap.band} because {cap.question.question_id} is {cap.when_band} (lowest banding alone gave {from_lowest})"
                )
    return notes


def rate(rules: CheckedRules, cases: Iterable[Mapping[str, Any]], by: str | Sequence[str] | None = None, on_error: str = "raise",
         max_groups: int | None = MAX_GROUPS, date: datetime.date | None = None, questions: str | Sequence[str] | None = None,
         model: str | None = None) -> "Rating":
    """Rate a sample of cases (see the module docstring and docs/ratings.md); ``date`` is the date the rating
    carries (:func:`run_date` when not given).

    More than ``max_groups`` values of ``by`` raise :class:`TooManyGroups` (``None``: no cap). ``by`` may name
    several fields; ``questions`` and ``model`` are those of :class:`RatingTally`.

    Streams ``cases`` (any iterable, read once, never kept) through the compiled
    back end. Raises UsageError for an unknown ``by``. A case with bad data
    raises its CaseDataError (``on_error="raise"``), or is left out and listed
    in ``Rating.failures`` with its index and id (``on_error="collect"``).
    """
    check_on_error(on_error)
    tally = RatingTally(rules, by, max_groups, questions, model)
    tally.rejected_unit = "position"
    failures: list[CaseFailure] = []
    for index, case in enumerate(cases):
        try:
            tally.add_case(case)
        except CaseDataError as error:
            if on_error == "raise":
                raise
            failures.append(CaseFailure(index, case_id_of(case), error))
            tally.reject(index + 1)
    return tally.result(failures, date)


# ---------------------------------------------------------------- the result


@attrs.frozen
class KeyQuestionFigures:
    """One key question over a set of cases: how many were judged, how many 'yes', the share and its band."""

    n_judged: int
    n_yes: int
    percent: float | None  # rounded half up to one decimal place; None when no case was judged
    band: str | None
    small_sample: bool = False  # judged in some cases, but fewer than the rule set's small-sample size
    # Cases where the question applied with an answer that is neither yes nor no, by answer code
    # ({"no_information": 3}): left out of the share, counted so that reports can say how many.
    left_out: Mapping[str, int] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"n_judged": self.n_judged, "n_yes": self.n_yes, "percent": self.percent, "band": self.band,
                "small_sample": self.small_sample, "left_out": dict(self.left_out)}


@attrs.frozen
class StandardFigures:
    """One standard's band, and the key question that gave the lowest band; for a standard ``rated by average
    of`` its questions, its score (the mean of their shares), how many were judged, and its range by group."""

    band: str | None
    lowest: str | None
    score: float | None = None  # rounded half up to one decimal place; None when no question was judged
    questions_judged: int = 0
    averaged: bool = False
    ranges: Mapping[str, Any] = attrs.field(factory=dict)  # per --by: the lowest and the highest group's score
    exact: Fraction | None = attrs.field(default=None, eq=False, repr=False)  # the score unrounded, to compare groups

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"band": self.band, "lowest": self.lowest}
        if self.averaged:
            data.update(rated_by="average", score=self.score, questions_judged=self.questions_judged, ranges=dict(self.ranges))
        return data


@attrs.frozen
class RatingGroup:
    """The figures for the cases of one subgroup (``by`` has the value ``value``)."""

    by: str
    value: Any  # JSON-ready: a code, a number, a date as text, a list for a multi-choice value, or None
    cases: int  # rated (not counting those excluded)
    key_questions: Mapping[str, KeyQuestionFigures]
    standards: Mapping[str, StandardFigures]
    label: str = ""  # the value in words: the option labels the rules declare ("Post-sentence supervision")
    excluded: int = 0  # cases of this group not inspected ('exclude when')
    small_sample: bool = False  # fewer cases rated than the rule set's small-sample size
    questions: Mapping[str, KeyQuestionFigures] = attrs.field(factory=dict)  # the questions chosen (--questions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "value": self.value,
            "label": self.label,
            "cases": self.cases,
            "excluded": self.excluded,
            "small_sample": self.small_sample,
            "key_questions": {qid: f.to_dict() for qid, f in self.key_questions.items()},
            "standards": {name: s.to_dict() for name, s in self.standards.items()},
            "questions": {qid: f.to_dict() for qid, f in self.questions.items()},
        }


@attrs.frozen
class Rating:
    """The rating of a sample: what it is and which rules made it when, the counts of cases read, rated,
    excluded and rejected, the figures per key question and standard, per subgroup, and the cases left out."""

    cases: int  # rated: read, less those excluded and those rejected
    key_questions: Mapping[str, KeyQuestionFigures]
    standards: Mapping[str, StandardFigures]
    groups: tuple[RatingGroup, ...] = ()
    failures: tuple[CaseFailure, ...] = ()
    ruleset: Mapping[str, Any] = attrs.field(factory=dict)  # {"name", "version", "hash"}, as every result carries
    date: datetime.date | None = None
    excluded: Mapping[str, int] = attrs.field(factory=dict)  # cases not inspected, by reason, most first
    #: cases that do not say enough for the 'exclude when' rules (every question pending): counted apart, not rated
    not_known_whether_inspected: int = 0
    rejected_lines: tuple[int, ...] = ()  # bad cases left out: where they were, counted in rejected_unit (from 1)
    rejected_unit: str = "line"  # "line" of a file, "element" of a JSON array, "row" of a form export, "position" in the cases given
    small_sample_below: int = DEFAULT_SMALL_SAMPLE
    rejected_files: tuple[str, ...] = ()  # with cases from several files: the file of each of rejected_lines
    by: tuple[str, ...] = ()  # the fields the groups break the figures down by, in order
    questions: Mapping[str, KeyQuestionFigures] = attrs.field(factory=dict)  # the questions chosen (--questions)
    models: Mapping[str, Any] = attrs.field(factory=dict)  # per question, the fitted model (or why none could be)

    @property
    def description(self) -> str:
        return DESCRIPTION

    def counts(self) -> dict[str, Any]:
        """Cases read, rated, excluded (and by reason) and rejected (and where)."""
        excluded = sum(self.excluded.values())
        return {
            "read": self.cases + excluded + self.not_known_whether_inspected + len(self.rejected_lines),
            "rated": self.cases,
            "excluded": excluded,
            "not_known_whether_inspected": self.not_known_whether_inspected,
            "rejected": len(self.rejected_lines),
            "excluded_by_reason": dict(self.excluded),
            "rejected_lines": list(self.rejected_lines),
            "rejected_unit": self.rejected_unit,
            **({"rejected_files": list(self.rejected_files)} if self.rejected_files else {}),
        }

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape (docs/ratings.md); ``failures`` only when cases were left out."""
        data: dict[str, Any] = {
            "description": DESCRIPTION,
            "ruleset": dict(self.ruleset),
            "date": None if self.date is None else self.date.isoformat(),
            "counts": self.counts(),
            "small_sample_below": self.small_sample_below,
            "cases": self.cases,
            "key_questions": {qid: f.to_dict() for qid, f in self.key_questions.items()},
            "standards": {name: s.to_dict() for name, s in self.standards.items()},
            "groups": [group.to_dict() for group in self.groups],
            "by": list(self.by),
            "questions": {qid: f.to_dict() for qid, f in self.questions.items()},
            "models": dict(self.models),
        }
        if self.failures:
            data["failures"] = [failure.to_dict() for failure in self.failures]
        return data


# ---------------------------------------------------------------- subgroups


def _resolve_by(ruleset: CheckedRules, by: str) -> str:
    """What ``by`` names: "fact", "define", "case_type" or "question"; UsageError otherwise."""
    symbols = ruleset.symbols
    if by in symbols.facts:
        return "fact"
    if by in symbols.groupings:
        return "grouping"
    if by in symbols.defines:
        return "define"
    if by == CASE_TYPE:
        return "case_type"
    if by in symbols.questions:
        return "question"
    candidates = [*symbols.facts, *symbols.groupings, *symbols.defines, CASE_TYPE, *symbols.questions]
    raise UsageError(
        f"cannot break the rating down by '{by}': it is not a fact, a grouping, a defined name, case_type or a question id"
        f"{did_you_mean_question(by, candidates)}; the facts are {', '.join(symbols.facts) or '(none)'}"
    )


def _declared_codes(ruleset: CheckedRules, by: str | None, kind: str | None) -> tuple[str, ...]:
    symbols = ruleset.symbols
    if by is None:
        return ()
    if kind == "fact":
        return T.option_codes(symbols.facts[by].type)
    if kind == "grouping":
        return tuple(member.code for member in symbols.groupings[by].members)
    answer = symbols.questions[by].answer if kind == "question" else None
    if answer is not None:
        return T.option_codes(answer)
    if kind == "case_type":
        return tuple(symbols.case_types())
    return ()




def group_value(ruleset: CheckedRules, evaluation: "Evaluation", by: str, kind: str, codes: tuple[str, ...] = ()) -> Any:
    """The subgroup of a case: a hashable value, or None when it is not known.

    A question's value counts only when the question applies. A multi-choice
    value is one group: the tuple of its codes in option order (so every case
    is in exactly one group and the groups add up to the whole sample). A
    grouping's value is the code of the group its fact's value falls in
    (:data:`OUTSIDE` when it falls in none).
    """
    if kind == "grouping":
        grouping = ruleset.symbols.groupings[by]
        source = evaluation.scope.name(grouping.source)
        if source is UNKNOWN or source is None:
            return None
        return group_of(grouping, source) or OUTSIDE
    if kind == "question":
        result = evaluation.questions[by]
        value = result.value if result.status == "applies" else None
    elif kind == "case_type":
        value = evaluation.case_type
    else:
        value = evaluation.scope.name(by)
    if value is UNKNOWN or value is None:
        return None
    if isinstance(value, frozenset):
        rank = {code: i for i, code in enumerate(codes)}
        return tuple(sorted(value, key=lambda code: (rank.get(code, len(rank)), code)))
    return value


#: How the fixed answers of yes/no questions read (they declare no labels).
def _option_labels(ruleset: CheckedRules, by: str | None, kind: str | None) -> dict[str, str]:
    """The declared label of each option code of ``by`` (a fact or a question), for naming subgroups."""
    symbols = ruleset.symbols
    declared: ast.TypeExpr | None = None
    if kind == "grouping" and by is not None:
        return {**{member.code: member.label for member in symbols.groupings[by].members}, OUTSIDE: "in none of the groups"}
    if kind == "fact" and by is not None:
        declared = symbols.facts[by].type
    elif kind == "question" and by is not None:
        declared = symbols.questions[by].answer
    if declared is None:
        return {}
    return dict(T.option_choices(declared))


def group_label(value: Any, labels: Mapping[str, str]) -> str:
    """A subgroup's JSON value in words: option labels where declared, "not known" for null."""
    if value is None:
        return "not known"
    if isinstance(value, list):
        return " + ".join(labels.get(code, code) for code in value) if value else "none of the options"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return labels.get(value, value)
    return str(value)




def batch_group_keys(ruleset: CheckedRules, batch: "BatchResult", by: str, kind: str, codes: tuple[str, ...]) -> list[Any]:
    """Each row's subgroup in a columnar batch: the value :func:`group_value` gives case by case."""
    from carag_dsl.runtime.columnar import group_keys

    if kind != "grouping":
        return group_keys(batch, by, kind, codes)
    grouping = ruleset.symbols.groupings[by]
    return [None if value is None else group_of(grouping, value) or OUTSIDE
            for value in group_keys(batch, grouping.source, "fact", _declared_codes(ruleset, grouping.source, "fact"))]


# ---------------------------------------------------------------- scores (2014: an average over questions)


def average_score(decl: ast.StandardDecl, exact: Mapping[str, Fraction | None], bands: ast.BandsDecl | None) -> StandardFigures:
    """A standard ``rated by average of`` its questions: the mean of the exact shares of those judged in at
    least one case (a question judged in none takes no part: 2014's "average, over all the relevant
    questions"), banded when the rule set has bands; no score when none was judged."""
    shares = [share for share in (exact.get(ref.question_id) for ref in decl.average_of) if share is not None]
    if not shares:
        return StandardFigures(None, None, None, 0, averaged=True)
    score = Fraction(sum(shares, Fraction(0)), len(shares))
    return StandardFigures(band_of(score, bands), None, display_percent(score), len(shares), averaged=True, exact=score)


def score_ranges(standards: Mapping[str, StandardFigures], groups: Sequence[RatingGroup]) -> dict[str, StandardFigures]:
    """Each score with, per ``by``, its range across the groups: the lowest and the highest group's score
    (2014: "Range across the six Trusts"). Groups whose value is not known or in none of the groups,
    and groups with no score, take no part; on a tie the first group in order is named."""
    ranged: dict[str, StandardFigures] = {}
    for name, figures in standards.items():
        if not figures.averaged:
            ranged[name] = figures
            continue
        ranges: dict[str, Any] = {}
        for group in groups:
            if group.value is None or group.value == OUTSIDE:
                continue
            score = group.standards[name].exact
            if score is None:
                continue
            entry = {"value": group.value, "label": group.label, "score": display_percent(score), "_exact": score}
            found = ranges.setdefault(group.by, {"groups": 0, "lowest": entry, "highest": entry})
            found["groups"] += 1
            if score < found["lowest"]["_exact"]:
                found["lowest"] = entry
            if score > found["highest"]["_exact"]:
                found["highest"] = entry
        for found in ranges.values():
            found["lowest"] = {k: v for k, v in found["lowest"].items() if k != "_exact"}
            found["highest"] = {k: v for k, v in found["highest"].items() if k != "_exact"}
        ranged[name] = attrs.evolve(figures, ranges=ranges)
    return ranged
