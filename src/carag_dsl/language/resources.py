"""Where the grammar and the bundled CARaG rule set live.

In an installed wheel they are package data under ``carag_dsl/_data``; in a
checkout of the repository they are the top-level ``grammar/`` and
``questions/`` folders (the wheel build copies them in, see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # carag_dsl/
_REPO = _PACKAGE.parent.parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"carag-dsl is installed without its data: none of {', '.join(map(str, candidates))} exists")


def grammar_path() -> Path:
    return _first_existing(_PACKAGE / "_data" / "carag.lark", _REPO / "grammar" / "carag.lark")


def bundled_rules_path() -> Path:
    """The folder of the CARaG V1.1 rule set shipped with carag-dsl."""
    return _first_existing(_PACKAGE / "_data" / "questions", _REPO / "questions")
