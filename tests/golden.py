"""Golden outputs of ``carag check``: one way to run a fixture, compare it with its ``.expected`` file and rewrite it.

Run a golden test with UPDATE_GOLDEN=1 to rewrite the .expected files after an intended change of wording,
then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from carag_dsl.cli import main

REPO = Path(__file__).resolve().parent.parent


def fixture_names(folder: Path) -> list[str]:
    """The fixtures of a golden folder (relative to the repository): its .carag files and its subfolders."""
    return sorted(p.name for p in (REPO / folder).iterdir() if p.suffix == ".carag" or p.is_dir())


def check_matches_golden(folder: Path, name: str, monkeypatch, capsys) -> tuple[int, str]:
    """(exit status, what ``carag check`` printed) for one fixture, which must equal its .expected file."""
    monkeypatch.chdir(REPO)  # the output names paths relative to the repository
    status = main(["check", str(folder / name)])
    output = capsys.readouterr().err
    expected_file = REPO / folder / (Path(name).stem + ".expected")
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(output, encoding="utf-8")
    assert output == expected_file.read_text(encoding="utf-8")
    return status, output
