"""The rating as a table for people and as CSV for spreadsheets (the JSON shape of :meth:`Rating.to_dict` in).

Both say which rules made the rating, when, and how many cases were read, rated, excluded and rejected;
the table also says what the figures are (:data:`DESCRIPTION`) and marks every figure over a small sample.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from carag_dsl.compiler import types as T
from carag_dsl.rating.logistic import significant_cells
from carag_dsl.rating.report_bulletin import render_bulletin_text, score_lines
from carag_dsl.rating.tally import DESCRIPTION, DESCRIPTION_NOTE, cap_notes, percent_of
from carag_dsl.runtime.spreadsheet import safe_row
from carag_dsl.runtime.wide import CSV_EMPTY_SET

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules

#: Most rejected line numbers a report lists; the rest are counted ("and 12 more"). The JSON lists them all.
LINES_SHOWN = 20


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def ruleset_text(ruleset: dict[str, Any]) -> str:
    """'"CARaG" version 1.1 (hash 0123abcd...)': the rules a report came from."""
    name = f'"{ruleset["name"]}" version {ruleset["version"]}' if ruleset.get("name") else "a rule set with no 'ruleset' header"
    return f"{name} (content hash {ruleset['hash']})"


def lines_text(lines: list[Any], shown: int = LINES_SHOWN) -> str:
    """'4, 9 and 17', or the first ``shown`` numbers 'and 12 more'."""
    if len(lines) > shown:
        return ", ".join(map(str, lines[:shown])) + f" and {len(lines) - shown:,} more"
    if len(lines) > 1:
        return ", ".join(map(str, lines[:-1])) + f" and {lines[-1]}"
    return ", ".join(map(str, lines))


def counts_text(counts: dict[str, Any]) -> str:
    """'25 cases read: 20 rated, 2 excluded (not inspected), 3 rejected (lines 4, 9 and 17)'."""
    not_known = counts.get("not_known_whether_inspected", 0)
    return (f"{plural(counts['read'], 'case')} read: {counts['rated']:,} rated, {counts['excluded']:,} excluded (not inspected), "
            + (f"{not_known:,} not known whether inspected, " if not_known else "") + rejected_text(counts))


def rejected_text(counts: dict[str, Any]) -> str:
    """'3 rejected (lines 4, 9 and 17)', or with rows of several files '2 rejected (lines a.parquet:4 and b.parquet:9)'."""
    text = f"{counts['rejected']:,} rejected"
    if counts["rejected_lines"]:
        unit = counts.get("rejected_unit", "line")
        text += f" ({unit if len(counts['rejected_lines']) == 1 else unit + 's'} {lines_text(rejected_places(counts))})"
    return text


def rejected_places(counts: dict[str, Any]) -> list[Any]:
    """Where each rejected case was: its number, or ``FILE:NUMBER`` when the cases came from several files."""
    files = counts.get("rejected_files")
    return [f"{file}:{line}" for file, line in zip(files, counts["rejected_lines"])] if files else counts["rejected_lines"]


def small_sample_text(rated: dict[str, Any]) -> str:
    """What '(small sample)' means, for the footnote of the table and the HTML report."""
    return (f"fewer than {rated['small_sample_below']} cases, too few for the share or its band to be read "
            f"as a finding on its own")


def left_out_text(ruleset: "CheckedRules", question_id: str, left_out: dict[str, int]) -> str:
    """The answers left out of a question's share, in words: "left out of the share: 3 answered 'No available ...'"."""
    answer = ruleset.symbols.questions[question_id].answer
    labels = dict(T.option_choices(answer)) if answer is not None else {}
    parts = [f"{n:,} answered '{labels.get(code, code)}'" for code, n in left_out.items()]
    return "left out of the share (neither yes nor no): " + ", ".join(parts)


def band_text(entry: dict[str, Any], unbanded: str) -> str:
    """The band in full, '(small sample)' after it where the figure rests on too few cases."""
    if entry["band"] is None:
        return unbanded
    return entry["band"] + (" (small sample)" if entry.get("small_sample") else "")


def standard_small_sample(block: dict[str, Any], standard: dict[str, Any]) -> bool:
    """A standard's band rests on a small sample when the key question that gave it does."""
    lowest = standard["lowest"]
    return lowest is not None and block["key_questions"][lowest].get("small_sample", False)


def rounds_up_to_next_band(ruleset: "CheckedRules", entry: dict) -> bool:
    """True when the percentage shown reaches a band boundary the exact figure does not (79.95% shown as 80.0%)."""
    bands = ruleset.symbols.bands
    exact = percent_of(entry["n_yes"], entry["n_judged"])
    if exact is None or bands is None:
        return False
    shown = Fraction(str(entry["percent"]))
    return any(exact < Fraction(band.lower_percent) <= shown for band in bands.bands)


# ---------------------------------------------------------------- the table


def render_table(ruleset: "CheckedRules", rated: dict) -> str:
    """The report for people: what it is, which rules and when, the counts, then the figures overall and per group."""
    out: list[str] = [DESCRIPTION, DESCRIPTION_NOTE, ""]
    out.append(f"Rules: {ruleset_text(rated['ruleset'])}")
    out.append(f"Date: {rated['date']}")
    out.append(counts_text(rated["counts"]))
    for reason, n in rated["counts"]["excluded_by_reason"].items():
        out.append(f"  excluded, {reason}: {n:,}")
    small = any(entry["small_sample"] for entry in rated["key_questions"].values())
    footnote = _render_block(ruleset, rated, out)
    by = rated.get("by", [])
    if len(by) <= 1:  # one breakdown: every figure per group; several: the Bulletin's tables below, the rest in JSON or CSV
        for group in rated["groups"]:
            small |= group["small_sample"] or any(entry["small_sample"] for entry in group["key_questions"].values())
            out.append("")
            out.append(f"{group['by']}: {group['label']} ({_group_counts(group)})")
            footnote |= _render_block(ruleset, group, out)
    if by or set(rated.get("questions", {})) != set(rated["key_questions"]):
        out += ["", "Positive judgements by characteristic: N judged, n judged 'yes', %"]
        out += render_bulletin_text(ruleset.questions, rated)
    if footnote or small:
        out.append("")
    if footnote:
        out.append("* shown rounded to one decimal place; the band is decided on the exact figure, which is just below the boundary")
    if small:
        out.append(f"(small sample) {small_sample_text(rated)}")
    return "\n".join(out) + "\n"


def _group_counts(group: dict[str, Any]) -> str:
    text = f"{plural(group['cases'], 'case')} rated"
    if group["excluded"]:
        text += f", {group['excluded']:,} excluded"
    return text + (", small sample" if group["small_sample"] else "")


def _render_block(ruleset: "CheckedRules", rated: dict, out: list[str]) -> bool:
    """The key questions, the standards rated by band and the scores of the whole sample or of one group."""
    marked = False
    questions = rated["key_questions"]
    id_width = max([len("Key question")] + [len(q) for q in questions])
    if questions:  # a rule set of scores alone has none
        out.append("")
        out.append(f"  {'Key question':<{id_width}}  {'Judged':>6}  {'Yes':>6}  {'Yes %':>8}  Band")
    for question_id, entry in questions.items():
        mark = " "
        if entry["percent"] is not None and rounds_up_to_next_band(ruleset, entry):
            mark, marked = "*", True
        band = band_text(entry, "no band (judged in no case)")
        out.append(f"  {question_id:<{id_width}}  {entry['n_judged']:>6}  {entry['n_yes']:>6}  {_percent_text(entry):>7}{mark}  {band}")
    for question_id, entry in questions.items():
        if entry.get("left_out"):
            out.append(f"  {question_id}: {left_out_text(ruleset, question_id, entry['left_out'])}")
    standards = {name: entry for name, entry in rated["standards"].items() if entry.get("rated_by") != "average"}
    if standards:
        notes = cap_notes(ruleset, rated)
        bands = {name: _standard_band(rated, entry) for name, entry in standards.items()}
        name_width = max([len("Standard")] + [len(name) for name in standards])
        band_width = max([len("Band")] + [len(band) for band in bands.values()])
        out.append("")
        out.append(f"  {'Standard':<{name_width}}  {'Band':<{band_width}}  Lowest key question")
        for name, entry in standards.items():
            lowest = entry["lowest"] or "(no key question judged)"
            out.append(f"  {name:<{name_width}}  {bands[name]:<{band_width}}  {lowest}")
            for note in notes.get(name, []):
                out.append(f"  {'':<{name_width}}  {note}")
    scores = score_lines(rated)
    if scores:
        out += ["", "  Scores (each the average, over its questions judged, of the share judged 'yes')"] + scores
    return marked


def _standard_band(block: dict[str, Any], entry: dict[str, Any]) -> str:
    if entry["band"] is None:
        return "no band"
    return entry["band"] + (" (small sample)" if standard_small_sample(block, entry) else "")


def _percent_text(entry: dict) -> str:
    return "no cases" if entry["percent"] is None else f"{entry['percent']:.1f}%"


# ---------------------------------------------------------------- CSV

#: The first ten columns are those of earlier versions, in the same places; the rest were added after them.
CSV_COLUMNS = ("by", "value", "cases", "kind", "name", "n_judged", "n_yes", "percent", "band", "lowest",
               "label", "small_sample", "ruleset", "version", "hash", "date", "left_out",
               "score", "coefficient", "odds_ratio", "p_value", "ci_low", "ci_high", "significant")


def render_csv(rated: dict) -> str:
    """Count rows (kind 'count', 'excluded', 'rejected line'), then one row per key question and per standard,
    overall (empty 'by') then per group; every row names the rules and the date. No cell reads as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    ruleset = rated["ruleset"]
    source = [ruleset["name"] or "", ruleset["version"] or "", ruleset["hash"], rated["date"] or ""]

    def row(by: Any, value: Any, cases: Any, kind: str, name: Any, judged: Any = "", yes: Any = "", percent: Any = "",
            band: Any = "", lowest: Any = "", label: Any = "", small: Any = "", left_out: Any = "", score: Any = "",
            model: Any = ()) -> None:
        writer.writerow(safe_row([by, value, cases, kind, name, judged, yes, percent, band, lowest, label, small, *source, left_out,
                                  score, *(model or ("",) * 6)]))

    counts = rated["counts"]
    for name in ("read", "rated", "excluded", "rejected"):
        row("", "", counts[name], "count", name)
    if counts.get("not_known_whether_inspected"):
        row("", "", counts["not_known_whether_inspected"], "count", "not_known_whether_inspected")
    for reason, n in counts["excluded_by_reason"].items():
        row("", "", n, "excluded", reason)
    for place in rejected_places(counts):
        row("", "", 1, f"rejected {counts['rejected_unit']}", place)
    blocks = [("", "", "", rated)] + [(g["by"], _csv_value(g["value"]), g["label"], g) for g in rated["groups"]]
    for by, value, label, block in blocks:
        for question_id, entry in block["key_questions"].items():
            row(by, value, block["cases"], "key question", question_id, entry["n_judged"], entry["n_yes"],
                "" if entry["percent"] is None else f"{entry['percent']:.1f}", entry["band"] or "", "", label,
                _csv_bool(entry["small_sample"]), _csv_left_out(entry.get("left_out", {})))
        for name, entry in block["standards"].items():
            score = "" if entry.get("score") is None else f"{entry['score']:.1f}"
            row(by, value, block["cases"], "standard", name, band=entry["band"] or "", lowest=entry["lowest"] or "", label=label,
                small=_csv_bool(standard_small_sample(block, entry)), score=score)
            for range_by, found in entry.get("ranges", {}).items():
                for end in ("lowest", "highest"):
                    group = found[end]
                    row(range_by, _csv_value(group["value"]), found["groups"], f"score range {end}", name, label=group["label"],
                        score=f"{group['score']:.1f}")
        significant = {qid: significant_cells(rated.get("models", {}), qid) for qid in block.get("questions", {})}
        for question_id, entry in block.get("questions", {}).items():
            key = (by, tuple(block["value"]) if isinstance(block.get("value"), list) else block.get("value"))
            model = ("",) * 5 + (_csv_bool(key in significant[question_id]),) if by and rated.get("models") else ()
            row(by, value, block["cases"], "question", question_id, entry["n_judged"], entry["n_yes"],
                "" if entry["percent"] is None else f"{entry['percent']:.1f}", entry["band"] or "", "", label,
                _csv_bool(entry["small_sample"]), model=model)
    for question_id, model in rated.get("models", {}).items():
        if "refused" in model:
            row("", "", model["cases"], "model refused", question_id, label=model["refused"])
            continue
        terms = [("", "", "constant", model["constant"])] + [(c["by"], _csv_value(c["value"]), c["label"], c) for c in model["coefficients"]]
        for term_by, term_value, term_label, term in terms:
            row(term_by, term_value, model["cases"], "coefficient", question_id, label=term_label, model=(
                repr(term["coefficient"]), repr(term["odds_ratio"]), repr(term["p_value"]), repr(term["ci_low"]),
                repr(term["ci_high"]), _csv_bool(term["significant"])))
    return buffer.getvalue()


def _csv_left_out(left_out: dict[str, int]) -> str:
    """Answers left out of the share as one cell: "no_information=3; not_a_factor=1"."""
    return "; ".join(f"{code}={n}" for code, n in left_out.items())


def _csv_bool(value: bool) -> str:
    return "true" if value else "false"


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(value) if value else CSV_EMPTY_SET
    if isinstance(value, bool):
        return _csv_bool(value)
    return str(value)
