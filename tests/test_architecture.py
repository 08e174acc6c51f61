"""The package's architecture: one-way layers, no import cycles, a typed and immutable embedding API."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import carag_dsl

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
BIN = Path(sys.executable).parent


def _lint_imports(source_root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter with the contract in pyproject.toml over the package found in ``source_root``."""
    env = {"PYTHONPATH": str(source_root), "PATH": str(BIN), "LANG": "C.UTF-8"}
    return subprocess.run(
        [str(BIN / "lint-imports"), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True, text=True, env=env, cwd=source_root, timeout=300,
    )


def test_the_layers_contract_is_kept():
    done = _lint_imports(SRC)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 1 kept, 0 broken." in done.stdout


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    # A copy of the package where the compiler imports the run time: the contract must catch it.
    shutil.copytree(SRC / "carag_dsl", tmp_path / "carag_dsl", ignore=shutil.ignore_patterns("__pycache__"))
    symbols = tmp_path / "carag_dsl" / "compiler" / "symbols.py"
    symbols.write_text(symbols.read_text(encoding="utf-8") + "\nfrom carag_dsl.runtime import logic  # planted\n", encoding="utf-8")
    done = _lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "carag_dsl.compiler is not allowed to import carag_dsl.runtime" in done.stdout
    assert "carag_dsl.compiler.symbols -> carag_dsl.runtime.logic" in done.stdout


def test_no_module_imports_itself_through_others_even_for_type_checking():
    grimp = pytest.importorskip("grimp")  # comes with import-linter
    graph = grimp.build_graph("carag_dsl")
    imports = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            imports.add_edge(module, imported)
    assert list(nx.simple_cycles(imports)) == []


def test_mypy_passes_on_the_package():
    done = subprocess.run([sys.executable, "-m", "mypy", str(SRC / "carag_dsl")], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_embedding_example_passes_mypy_strict_and_runs():
    example = ROOT / "docs" / "examples" / "embedding.py"
    checked = subprocess.run([sys.executable, "-m", "mypy", "--strict", str(example)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    ran = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "58 questions routed" in ran.stdout


def test_the_package_says_it_is_typed():
    assert (SRC / "carag_dsl" / "py.typed").is_file()


@pytest.fixture(scope="module")
def rules() -> carag_dsl.RuleSet:
    return carag_dsl.load()


def test_changing_the_questions_of_a_rule_set_raises(rules):
    with pytest.raises(TypeError):
        rules.questions["X 99"] = rules.questions["X 9"]
    with pytest.raises(TypeError):
        del rules.questions["X 9"]
    assert "X 99" not in rules.questions and "X 9" in rules.questions


def test_changing_the_graph_of_a_rule_set_raises(rules):
    with pytest.raises(nx.NetworkXError, match="Frozen graph"):
        rules.graph.add_edge("question:X 9", "question:X 6")
    with pytest.raises(nx.NetworkXError, match="Frozen graph"):
        rules.graph.remove_node("question:X 9")
    assert not rules.graph.has_edge("question:X 9", "question:X 6")


def test_the_attributes_and_facts_of_a_rule_set_cannot_be_replaced(rules):
    with pytest.raises(AttributeError, match="cannot be changed"):
        rules.graph = nx.DiGraph()  # type: ignore[misc]
    with pytest.raises(TypeError):
        rules.facts["new"] = rules.facts["mappa"]  # type: ignore[index]


def test_the_version_comes_from_the_package_metadata():
    from importlib.metadata import version

    assert carag_dsl.__version__ == version("carag-dsl")
    done = subprocess.run([sys.executable, "-m", "carag_dsl", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.strip() == f"carag {carag_dsl.__version__}"


def test_rate_by_a_defined_name_reads_the_compiled_values_without_the_reference_evaluator(rules, monkeypatch):
    from carag_dsl.runtime import compiled

    def no_reference(*args, **kwargs):
        raise AssertionError("rate(by=...) re-ran the reference evaluator")

    monkeypatch.setattr(compiled, "run", no_reference)
    defined = next(iter(rules.symbols.defines))
    cases = [{"id": i, "facts": {"terminated": False, "sentence": "licence", "start_date": "2025-01-06", "suspension": "none"}}
             for i in range(3)]
    rating = rules.rate(cases, by=defined)
    assert rating.cases == 3 and len(rating.groups) >= 1


def test_rate_by_a_defined_name_matches_the_reference_evaluator(rules):
    defined = list(rules.symbols.defines)
    cases = [
        {"id": 1, "facts": {"sentence": "licence", "start_date": "2025-01-06", "suspension": "reset", "suspension_date": "2025-03-03"}},
        {"id": 2, "facts": {"sentence": "community", "start_date": "2025-01-06", "suspension": "none"}},
        {"id": 3, "facts": {}},
    ]
    for name in defined:
        for case in cases:
            compiled_value = rules.evaluate(case).scope.name(name)
            reference_value = rules.evaluate(case, backend="reference").scope.name(name)
            assert compiled_value == reference_value or (compiled_value is reference_value), (name, case["id"])


def test_evaluate_many_collects_bad_cases_with_their_index_and_id(rules):
    failures: list[carag_dsl.CaseFailure] = []
    cases = [{"id": "a"}, {"id": "b", "facts": {"sentence": "prison"}}, "not a case", {"id": "d"}]
    results = list(rules.evaluate_many(cases, on_error="collect", failures=failures))
    assert [r.id for r in results] == ["a", "d"]
    assert [(f.index, f.id) for f in failures] == [(1, "b"), (2, None)]
    with pytest.raises(carag_dsl.CaseDataError):
        list(rules.evaluate_many(cases))


def test_an_unknown_error_policy_is_a_usage_error(rules):
    with pytest.raises(carag_dsl.UsageError, match="on_error"):
        rules.rate([], on_error="ignore")  # type: ignore[arg-type]
