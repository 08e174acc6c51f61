"""The analyses analysts publish, from ``carag rate``: the Bulletin's tables (2025/01, Annex B) with the logistic
regression's significant groups marked, any set of questions, and the 2014 scores with their range across groups.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest

import carag_dsl
from carag_dsl.cli import main
from carag_dsl.compiler.groupings import group_of
from carag_dsl.rating.tally import display_percent

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "docs" / "examples" / "bulletin_b1.csv"
CHARACTERISTICS = ["age_group", "sex", "ethnicity", "likelihood_group", "rosh_group", "case_group", "sanctions_group"]
BY = [arg for name in CHARACTERISTICS for arg in ("--by", name)]

#: Table B1 of Research & Analysis Bulletin 2025/01 ("Does assessment focus sufficiently on keeping other people
#: safe?"), row by row as printed: (characteristic, group, N, n, %). In the age rows the printed n is the count of
#: negative judgements (265 - 178 = 87, and 87 / 265 is the printed 32.8%), so they are held to N and % only.
TABLE_B1 = [
    ("", "All cases", 1748, 568, 32.5),
    ("age_group", "18-24", 265, 178, 32.8), ("age_group", "25-29", 286, 198, 30.8), ("age_group", "30-39", 617, 423, 31.4),
    ("age_group", "40-59", 520, 347, 33.3), ("age_group", "60+", 50, 28, 44.0),
    ("sex", "Male", 1474, 471, 32.0), ("sex", "Female", 224, 75, 33.5),
    ("ethnicity", "White", 1317, 436, 33.1), ("ethnicity", "Ethnic minority", 313, 97, 31.0),
    ("likelihood_group", "Low", 987, 340, 34.4), ("likelihood_group", "Medium", 405, 125, 30.9),
    ("likelihood_group", "High/very high", 280, 95, 33.9),
    ("rosh_group", "Low", 346, 99, 28.6), ("rosh_group", "Medium", 1013, 310, 30.6), ("rosh_group", "High/very high", 275, 151, 54.9),
    ("case_group", "Community", 970, 302, 31.1), ("case_group", "Post-custody", 577, 201, 34.8),
    ("sanctions_group", "None", 283, 104, 36.7), ("sanctions_group", "1", 176, 64, 36.4), ("sanctions_group", "2-5", 382, 113, 29.6),
    ("sanctions_group", "6-10", 268, 87, 32.5), ("sanctions_group", "11-20", 294, 91, 31.0), ("sanctions_group", "21+", 326, 103, 31.6),
]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(rated: dict, question_id: str) -> list[tuple[str, str, int, int, float]]:
    overall = rated["questions"][question_id]
    rows = [("", "All cases", overall["n_judged"], overall["n_yes"], overall["percent"])]
    for group in rated["groups"]:
        if group["value"] is not None and group["value"] != "(outside)":
            entry = group["questions"][question_id]
            rows.append((group["by"], group["label"], entry["n_judged"], entry["n_yes"], entry["percent"]))
    return rows


@pytest.fixture(scope="module")
def b1_rated():
    """The sample rated with the seven characteristics and the model, once for the tests that read it."""
    rules = carag_dsl.load()
    cases = []
    with SAMPLE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            facts = {k: (int(v) if k in ("age", "previous_sanctions") else v == "true" if k == "terminated" else v)
                     for k, v in row.items() if v and k not in ("id", "P 2.1.3")}
            cases.append({"id": row["id"], "facts": facts, "answers": {"P 2.1.3": row["P 2.1.3"]}})
    return rules.rate(cases, by=CHARACTERISTICS, questions="P 2.1.3", model="logistic").to_dict()


@pytest.mark.parametrize("script, sample", [("bulletin_sample.py", "bulletin_b1.csv"), ("scores_2014_sample.py", "scores_2014.csv")])
def test_the_sample_files_of_the_docs_are_what_their_generators_write(script, sample):
    spec = importlib.util.spec_from_file_location(script[:-3], ROOT / "docs" / "examples" / script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = io.StringIO()
    module.write_csv(written)
    assert written.getvalue() == (ROOT / "docs" / "examples" / sample).read_text(encoding="utf-8")


def test_rate_by_the_seven_characteristics_reproduces_table_b1_to_its_printed_precision(capsys):
    code, out, err = run(capsys, "rate", "--cases", str(SAMPLE), *BY, "--questions", "P 2.1.3", "--format", "json")
    assert code == 0, err
    rows = rows_of(json.loads(out), "P 2.1.3")
    assert [(by, label) for by, label, *_ in rows] == [(by, label) for by, label, *_ in TABLE_B1]
    for (by, label, n_judged, n_yes, percent), (_, _, printed_n_judged, printed_n, printed_percent) in zip(rows, TABLE_B1):
        assert (n_judged, percent) == (printed_n_judged, printed_percent), (by, label)
        if by == "age_group":  # the printed n is the count of negative judgements
            assert n_judged - n_yes == printed_n, label
        else:
            assert n_yes == printed_n, (by, label)


def test_table_b1_reads_the_same_from_parquet_with_the_columnar_engine(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    table = pa_csv.read_csv(str(SAMPLE), convert_options=pa_csv.ConvertOptions(strings_can_be_null=True))
    pq.write_table(table, tmp_path / "b1.parquet")
    assert pa.types.is_integer(table.schema.field("age").type)  # native integers, read as the facts declare
    code, out, err = run(capsys, "rate", "--cases", str(tmp_path / "b1.parquet"), *BY, "--questions", "P 2.1.3", "--format", "json",
                         "--engine", "columnar")
    assert code == 0, err
    assert rows_of(json.loads(out), "P 2.1.3") == rows_of(json.loads(run(capsys, "rate", "--cases", str(SAMPLE), *BY, "--questions",
                                                                         "P 2.1.3", "--format", "json")[1]), "P 2.1.3")


def test_the_regression_on_the_b1_sample_states_its_references_counts_and_marks_the_significant_group(b1_rated):
    model = b1_rated["models"]["P 2.1.3"]
    assert "refused" not in model
    assert model["reference"]["rosh_group"] == {"value": "low", "label": "Low"}
    assert model["reference"]["age_group"] == {"value": "aged_18_to_24", "label": "18-24"}
    # Cases missing any characteristic are dropped and counted; the rest are the model's.
    complete = model["cases"]
    assert model["dropped"] + complete == 1748 and 0 < model["dropped"] < 1748
    assert len(model["coefficients"]) == 4 + 1 + 1 + 2 + 2 + 1 + 5
    rosh_high = next(c for c in model["coefficients"] if (c["by"], c["value"]) == ("rosh_group", "high_or_very_high"))
    # High/very high RoSH: 54.9% positive against 28.6% for Low, the one difference B1 prints that a sample
    # shuffled characteristic by characteristic keeps; it is significant, with an odds ratio well above 1.
    assert rosh_high["significant"] and rosh_high["p_value"] < 0.001 and rosh_high["ci_low"] > 1.5
    assert rosh_high["odds_ratio"] == pytest.approx(2.718281828459045 ** rosh_high["coefficient"])
    medium = next(c for c in model["coefficients"] if (c["by"], c["value"]) == ("rosh_group", "medium"))
    assert not medium["significant"] and medium["p_value"] >= 0.05


def test_the_model_fitted_on_counts_per_combination_equals_the_case_by_case_logistic_regression(b1_rated):
    np = pytest.importorskip("numpy")
    sm = pytest.importorskip("statsmodels.api")
    rules = carag_dsl.load()
    groupings = rules.symbols.groupings
    model = b1_rated["models"]["P 2.1.3"]
    terms = [(c["by"], c["value"]) for c in model["coefficients"]]
    source = {"age_group": "age", "likelihood_group": "likelihood_of_reoffending", "rosh_group": "rosh", "case_group": "sentence",
              "sanctions_group": "previous_sanctions"}
    rows, outcome = [], []
    with SAMPLE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values = {}
            for name in CHARACTERISTICS:
                cell = row[source.get(name, name)]
                if not cell:
                    break
                value = int(cell) if name in ("age_group", "sanctions_group") else cell
                values[name] = group_of(groupings[name], value) if name in groupings else value
            else:
                rows.append([1.0] + [float(values[by] == value) for by, value in terms])
                outcome.append(1.0 if row["P 2.1.3"] == "yes" else 0.0)
    fitted = sm.Logit(np.array(outcome), np.array(rows)).fit(disp=0)
    assert len(outcome) == model["cases"]
    assert [c["coefficient"] for c in model["coefficients"]] == pytest.approx(list(fitted.params[1:]), abs=1e-6)
    assert [c["p_value"] for c in model["coefficients"]] == pytest.approx(list(fitted.pvalues[1:]), rel=1e-4)


def test_the_table_html_and_csv_mark_the_significant_cells(capsys):
    common = ["rate", "--cases", str(SAMPLE), *BY, "--questions", "P 2.1.3", "--model", "logistic", "--date", "2025-01-31"]
    code, table, err = run(capsys, *common)
    assert code == 0, err
    rosh_row = next(line for line in table.splitlines() if "High/very high" in line and "54.9%" in line)
    assert rosh_row.rstrip().endswith("54.9% *")
    assert not next(line for line in table.splitlines() if "28.6%" in line).rstrip().endswith("*")
    assert "reference groups: age_group 18-24, sex Male, ethnicity White" in table
    code, html, _ = run(capsys, *common, "--format", "html")
    assert '<td class="num significant">54.9% <span aria-label="significant">*</span></td>' in html
    assert html.count('class="num significant"') == 2 * sum(
        c["significant"] for c in json.loads(run(capsys, *common, "--format", "json")[1])["models"]["P 2.1.3"]["coefficients"])
    code, text, _ = run(capsys, *common, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    coefficient = next(r for r in rows if r["kind"] == "coefficient" and r["by"] == "rosh_group" and r["value"] == "high_or_very_high")
    assert coefficient["significant"] == "true" and float(coefficient["p_value"]) < 0.001
    question = next(r for r in rows if r["kind"] == "question" and r["by"] == "rosh_group" and r["value"] == "high_or_very_high")
    assert (question["n_judged"], question["n_yes"], question["percent"], question["significant"]) == ("275", "151", "54.9", "true")


SEPARATED = """
fact group: one of a, b, c
question "Q" judgement
    text "q?"
    answer yes_no
bands
    "Low" from 0%
standard "S"
    key questions [Q]
"""


def cases_with(counts: dict[str, tuple[int, int]]) -> list[dict]:
    """Cases of each group with (yes, no) judgements on Q."""
    cases = []
    for group, (yes, no) in counts.items():
        cases += [{"facts": {"group": group}, "answers": {"Q": "yes"}}] * yes + [{"facts": {"group": group}, "answers": {"Q": "no"}}] * no
    return cases


def test_a_model_with_a_group_all_yes_is_refused_as_separation_not_printed():
    rules = carag_dsl.loads(SEPARATED)
    model = rules.rate(cases_with({"a": (40, 40), "b": (30, 50), "c": (25, 0)}), by="group", model="logistic").to_dict()["models"]["Q"]
    assert "separation: every case in group 'c' was judged yes (25 cases)" in model["refused"]
    assert "coefficients" not in model


def test_a_model_on_too_few_cases_is_refused_saying_how_many_it_needs():
    rules = carag_dsl.loads(SEPARATED)
    model = rules.rate(cases_with({"a": (5, 6), "b": (6, 4), "c": (3, 5)}), by="group", model="logistic").to_dict()["models"]["Q"]
    assert model["refused"].startswith("too few cases: 14 judged yes for 2 coefficients")
    assert "(20 here)" in model["refused"]


def test_characteristics_that_determine_each_other_are_refused():
    rules = carag_dsl.loads(SEPARATED.replace("fact group: one of a, b, c", "fact group: one of a, b, c\nfact copy: one of a, b, c"))
    cases = [dict(case, facts={"group": case["facts"]["group"], "copy": case["facts"]["group"]})
             for case in cases_with({"a": (40, 40), "b": (30, 50), "c": (35, 30)})]
    model = rules.rate(cases, by=["group", "copy"], model="logistic").to_dict()["models"]["Q"]
    assert "determine one another" in model["refused"]


def test_a_model_without_characteristics_or_without_statsmodels_is_a_usage_error_naming_the_fix(capsys, monkeypatch):
    code, _, err = run(capsys, "rate", "--cases", str(SAMPLE), "--model", "logistic")
    assert code == 2 and "name them with --by" in err
    import builtins

    real_import = builtins.__import__

    def no_statsmodels(name, *args, **kwargs):
        if name.startswith("statsmodels"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_statsmodels)
    code, _, err = run(capsys, "rate", "--cases", str(SAMPLE), "--by", "sex", "--model", "logistic")
    assert code == 2 and "pip install 'carag-dsl[stats]'" in err


def test_questions_takes_key_all_or_ids_and_refuses_what_has_no_positive_share(capsys):
    rules = carag_dsl.load()
    case = {"facts": {"sentence": "licence", "suspension": "none", "terminated": False}, "answers": {"2.3.01": "yes", "P 2.1.3": "no"}}
    rated = rules.rate([case], questions="all").to_dict()
    yes_no = [qid for qid, q in rules.questions.items() if "yes" in q.options]
    assert list(rated["questions"]) == yes_no and rated["questions"]["2.3.01"]["n_yes"] == 1
    assert list(rules.rate([case]).to_dict()["questions"]) == ["P 2.1.3", "P 2.2.3", "P 2.3.3", "P 2.4.3"]
    assert list(rules.rate([case], questions="2.3.01, P 2.1.3").to_dict()["questions"]) == ["2.3.01", "P 2.1.3"]
    code, _, err = run(capsys, "rate", "--cases", str(SAMPLE), "--questions", "P 2.1.33")
    assert code == 2 and "there is no question 'P 2.1.33'" in err and "did you mean 'P 2.1.3'" in err
    text_question = next(qid for qid, q in rules.questions.items() if q.answer_kind == "text")
    code, _, err = run(capsys, "rate", "--cases", str(SAMPLE), "--questions", text_question)
    assert code == 2 and "is not answered yes or no" in err
    code, _, err = run(capsys, "rate", "--cases", str(SAMPLE), "--by", "sex", "--by", "sex")
    assert code == 2 and "the same field twice" in err


# ---------------------------------------------------------------- 2014: scores and their range across Trusts

SCORES_2014 = """
fact trust: one of t1 "Trust 1", t2 "Trust 2", t3 "Trust 3", t4 "Trust 4", t5 "Trust 5", t6 "Trust 6"
question "Q1" prompt
    text "one"
    answer yes_no
question "Q2" prompt
    text "two"
    answer yes_no_not_a_factor
question "Q3" prompt
    text "three"
    answer yes_no
question "Q4" prompt
    text "four"
    answer yes_no
standard "Assessment"
    rated by average of [Q1], [Q2], [Q3]
standard "Protecting children"
    rated by average of [Q2], [Q4]
"""

#: Per Trust, per question, (yes, no) judgements; a question left out of a Trust is judged in none of its cases.
JUDGED = {
    "t1": {"Q1": (8, 2), "Q2": (3, 1), "Q3": (5, 5), "Q4": (2, 2)},
    "t2": {"Q1": (9, 1), "Q2": (4, 0), "Q3": (7, 3), "Q4": (1, 3)},
    "t3": {"Q1": (6, 4), "Q2": (2, 2), "Q3": (6, 4)},
    "t4": {"Q1": (10, 0), "Q2": (1, 3), "Q3": (9, 1), "Q4": (3, 1)},
    "t5": {"Q1": (7, 3), "Q3": (8, 2), "Q4": (4, 0)},
    "t6": {"Q1": (5, 5), "Q2": (2, 1), "Q3": (4, 6), "Q4": (0, 5)},
}


def six_trusts() -> list[dict]:
    cases = []
    for trust, questions in JUDGED.items():
        for qid, (yes, no) in questions.items():
            cases += [{"facts": {"trust": trust}, "answers": {qid: "yes"}}] * yes + [{"facts": {"trust": trust}, "answers": {qid: "no"}}] * no
        cases.append({"facts": {"trust": trust}, "answers": {"Q2": "not_a_factor"}})  # judged neither yes nor no: no part
    return cases


def by_hand(questions: list[str], trusts: list[str]) -> Fraction:
    """The 2014 score by hand: each question's share of yes over the cases judged, averaged over those judged."""
    shares = []
    for qid in questions:
        yes = sum(JUDGED[t].get(qid, (0, 0))[0] for t in trusts)
        judged = sum(sum(JUDGED[t].get(qid, (0, 0))) for t in trusts)
        if judged:
            shares.append(Fraction(100 * yes, judged))
    return sum(shares, Fraction(0)) / len(shares)


def test_six_trusts_give_the_average_of_questions_score_and_its_range_as_computed_by_hand():
    rules = carag_dsl.loads(SCORES_2014)
    rated = rules.rate(six_trusts(), by="trust").to_dict()
    for name, questions in (("Assessment", ["Q1", "Q2", "Q3"]), ("Protecting children", ["Q2", "Q4"])):
        standard = rated["standards"][name]
        assert standard["rated_by"] == "average" and standard["band"] is None  # a score of its own: no bands declared
        assert standard["score"] == display_percent(by_hand(questions, list(JUDGED)))
        per_trust = {t: by_hand(questions, [t]) for t in JUDGED}
        low = min(per_trust, key=lambda t: (per_trust[t], list(JUDGED).index(t)))
        high = max(per_trust, key=lambda t: (per_trust[t], -list(JUDGED).index(t)))
        found = standard["ranges"]["trust"]
        assert found["groups"] == 6
        assert (found["lowest"]["value"], found["lowest"]["score"]) == (low, display_percent(per_trust[low]))
        assert (found["highest"]["value"], found["highest"]["score"]) == (high, display_percent(per_trust[high]))
        for group in rated["groups"]:
            assert group["standards"][name]["score"] == display_percent(per_trust[group["value"]])
    # Trust 3 judged no Q4 and Trust 5 no Q2: their Protecting children scores rest on one question each.
    groups = {g["value"]: g for g in rated["groups"]}
    assert groups["t3"]["standards"]["Protecting children"]["questions_judged"] == 1
    assert rated["standards"]["Assessment"]["questions_judged"] == 3


def test_the_score_and_its_range_are_printed_as_2014_printed_them(capsys, tmp_path):
    rules = tmp_path / "scores.carag"
    rules.write_text(SCORES_2014, encoding="utf-8")
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps(case) + "\n" for case in six_trusts()), encoding="utf-8")
    code, out, err = run(capsys, "rate", str(rules), "--cases", str(cases), "--by", "trust")
    assert code == 0, err
    rated = carag_dsl.loads(SCORES_2014).rate(six_trusts(), by="trust").to_dict()["standards"]["Assessment"]
    low, high = rated["ranges"]["trust"]["lowest"], rated["ranges"]["trust"]["highest"]
    assert (f"    Assessment: {rated['score']:.1f}% (average over 3 questions judged); range across 6 trust groups "
            f"{low['score']:.1f}%-{high['score']:.1f}% ({low['label']} to {high['label']})") in out
    code, text, _ = run(capsys, "rate", str(rules), "--cases", str(cases), "--by", "trust", "--format", "csv")
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["name"] == "Assessment" and r["kind"].startswith("score range")]
    assert [(r["kind"], r["value"], r["score"]) for r in rows] == [
        ("score range lowest", low["value"], f"{low['score']:.1f}"), ("score range highest", high["value"], f"{high['score']:.1f}")]
    code, html, _ = run(capsys, "rate", str(rules), "--cases", str(cases), "--by", "trust", "--format", "html")
    assert "<h2>Scores</h2>" in html and f"{low['score']:.1f}%-{high['score']:.1f}%" in html


def test_a_standard_rated_two_ways_or_averaging_a_question_without_yes_is_refused():
    with pytest.raises(carag_dsl.CaragError, match="is rated two ways"):
        carag_dsl.loads(SCORES_2014 + "bands\n    \"Low\" from 0%\nstandard \"Both\"\n    key questions [Q1]\n    rated by average of [Q1]\n")
    with pytest.raises(carag_dsl.CaragError, match="must take a yes/no answer to be averaged"):
        carag_dsl.loads(SCORES_2014 + "question \"T\" prompt\n    text \"t\"\n    answer text\nstandard \"Text\"\n    rated by average of [T]\n")


def test_question_figures_counts_any_subset_of_evaluated_cases_as_rate_counts_them():
    rules = carag_dsl.load()
    cases = [{"facts": {"sex": sex, "terminated": False}, "answers": {"P 2.1.3": answer, "2.3.01": answer}}
             for sex, answer in [("male", "yes"), ("male", "no"), ("female", "yes"), ("female", "yes")]]
    evaluations = [rules.evaluate(case) for case in cases]
    from carag_dsl.rating.tally import question_figures

    women = question_figures(rules, [e for e, c in zip(evaluations, cases) if c["facts"]["sex"] == "female"], ["P 2.1.3"])
    assert women["P 2.1.3"].to_dict() == {"n_judged": 2, "n_yes": 2, "percent": 100.0, "band": "Outstanding", "small_sample": True,
                                          "left_out": {}}
    by_sex = rules.rate(cases, by="sex", questions="P 2.1.3").to_dict()["groups"]
    assert by_sex[1]["value"] == "female" and by_sex[1]["questions"]["P 2.1.3"] == women["P 2.1.3"].to_dict()
