"""A small program that embeds carag-dsl, as a developer would: load, evaluate, explain, rate, errors.

It is type-checked with ``mypy --strict`` and run by the tests (tests/test_architecture.py),
so it shows the typed API as it is.
"""

from __future__ import annotations

import carag_dsl


def route(rules: carag_dsl.RuleSet, case: dict[str, object]) -> dict[str, str]:
    """Question id -> status for one case."""
    result: carag_dsl.Evaluation = rules.evaluate(case)
    return {question_id: answer.status for question_id, answer in result.questions.items()}


def main() -> None:
    rules = carag_dsl.load()
    case: dict[str, object] = {
        "id": "case-1",
        "facts": {"terminated": False, "sentence": "licence", "start_date": "2025-01-06", "suspension": "reset",
                  "suspension_date": "2025-03-03"},
        "answers": {"2.0.20a": "yes", "X 6": "not_a_factor"},
    }
    statuses = route(rules, case)
    assert statuses["2.3.01"] == "not_applicable"

    evaluation = rules.evaluate(case)
    why: str = evaluation.explain("2.3.01")
    assert "adjusted" in why
    case_type: str | None = evaluation.case_type
    assert case_type == "adjusted"

    try:
        rules.evaluate({"id": "bad", "facts": {"sentence": "prison"}})
    except carag_dsl.CaseDataError as error:
        fields = [problem.field for problem in error.problems]
        assert fields == ["facts.sentence"]

    try:
        carag_dsl.loads('question "1" prompt\n    text "Q?"\n    applies when mapa\n    answer yes_no\n')
    except carag_dsl.RuleError as error:
        codes = [diagnostic.code for diagnostic in error.diagnostics]
        assert codes == ["unknown-name"]

    failures: list[carag_dsl.CaseFailure] = []
    sample: list[dict[str, object]] = [case, {"id": "bad", "facts": {"sentence": "prison"}}]
    rating: carag_dsl.Rating = rules.rate(sample, by="sentence", on_error="collect")
    percent: float | None = rating.key_questions["P 2.1.3"].percent
    assert percent is None  # nobody answered P 2.1.3 yet
    assert [failure.id for failure in rating.failures] == ["bad"]
    assert rating.to_dict()["cases"] == 1
    list(rules.evaluate_many(sample, on_error="collect", failures=failures))
    assert len(failures) == 1

    version: str = carag_dsl.__version__
    print(f"carag-dsl {version}: {len(statuses)} questions routed")


if __name__ == "__main__":
    main()
