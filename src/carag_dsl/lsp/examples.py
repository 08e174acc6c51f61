"""The example cases (``examples/*.json`` beside the root) evaluated, per question, as code lenses.

``carag.evaluateExample`` chooses the example (by name or path; without one, the
next in turn); every question then shows whether it applies, does not, or is
pending for that case, and the first line of each rule file names the example.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lsprotocol import types

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.errors import CaragError
from carag_dsl.language import ast
from carag_dsl.lsp.positions import span_range
from carag_dsl.runtime.evaluate import evaluate_case
from carag_dsl.runtime.results import json_value

COMMAND = "carag.evaluateExample"
_STATUS_WORDS = {"applies": "applies", "not_applicable": "does not apply", "pending": "pending"}


def example_files(root: Path) -> list[Path]:
    folder = root.parent / "examples"
    return sorted(p for p in folder.glob("*.json") if not p.name.endswith(".expected.json")) if folder.is_dir() else []


def choose(root: Path, current: Path | None, wanted: str | None) -> Path | None:
    """The example named by ``wanted`` (a file name, stem or path), or the one after ``current``."""
    files = example_files(root)
    if not files:
        return None
    if wanted:
        for file in files:
            if wanted in (file.name, file.stem, str(file), file.as_uri()):
                return file
        candidate = Path(wanted)
        return candidate if candidate.is_file() else None
    if current in files:
        return files[(files.index(current) + 1) % len(files)]
    return files[0]


def evaluate(rules: CheckedRules, example: Path) -> dict[str, Any]:
    """``{"example", "case_type", "questions": {id: status}}``, or ``{"example", "error"}`` for bad case data."""
    try:
        case = json.loads(example.read_text(encoding="utf-8"))
        result = evaluate_case(rules, case, backend="reference")
    except (OSError, ValueError) as error:
        return {"example": example.name, "error": f"cannot read the example: {error}"}
    except CaragError as error:
        return {"example": example.name, "error": str(error)}
    return {
        "example": example.name,
        "case_type": result.case_type,
        "questions": {qid: r.status for qid, r in result.questions.items()},
        "values": {qid: json_value(r.value) for qid, r in result.questions.items() if r.value is not None},
    }


def code_lenses(module: ast.Module, outcome: dict[str, Any] | None, has_examples: bool, rules_ok: bool) -> list[types.CodeLens]:
    top = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    if not has_examples:
        return []
    if outcome is None:
        title = "Evaluate the example cases" if rules_ok else "Evaluate the example cases (fix the errors first)"
    elif "error" in outcome:
        title = f"Example {outcome['example']}: {outcome['error'].splitlines()[0]} (next example)"
    else:
        title = f"Example {outcome['example']}: {outcome['case_type'] or 'no'} case (next example)"
    lenses = [types.CodeLens(range=top, command=types.Command(title=title, command=COMMAND, arguments=[]))]
    if outcome is None or "error" in outcome:
        return lenses
    for item in module.items:
        if isinstance(item, ast.QuestionDecl) and item.id in outcome["questions"]:
            status = _STATUS_WORDS.get(outcome["questions"][item.id], outcome["questions"][item.id])
            value = outcome["values"].get(item.id)
            if value is not None:
                status += f" ({value if isinstance(value, str) else json.dumps(value)})"
            lenses.append(types.CodeLens(
                range=span_range(item.id_span),
                command=types.Command(title=f"{outcome['example']}: {status}", command=COMMAND, arguments=[outcome["example"]]),
            ))
    return lenses
