"""Which rule set a command used, said the same way by every command: a line for people, a JSON object for data.

The choice itself (given, the working directory's, or the bundled CARaG) is
:func:`carag_dsl.language.loader.choose_rules`.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from carag_dsl.compiler.ruleset import CheckedRules
from carag_dsl.language.loader import RulesChoice

_WHY = {
    "given": "",
    "working directory": " (found from the working directory)",
    "bundled": " (bundled with carag-dsl: there is no rule set in the working directory or above it)",
}


def using_line(ruleset: CheckedRules, choice: RulesChoice) -> str:
    """``using rule set "NAME" version V from PATH (why this one)``."""
    named = f'rule set "{ruleset.name}" version {ruleset.version}' if ruleset.name is not None else "a rule set with no 'ruleset' header"
    return f"using {named} from {ruleset_path(ruleset)}{_WHY[choice.origin]}"


def announce(ruleset: CheckedRules, choice: RulesChoice, say: IO[str] | None = None) -> None:
    """Say which rule set a command used, on ``say`` (standard error by default: standard output is often data)."""
    print(using_line(ruleset, choice), file=say or sys.stderr)


def ruleset_path(ruleset: CheckedRules) -> str:
    """The root file of the rule set, as diagnostics show it."""
    return ruleset.modules[0].path if ruleset.modules else "<none>"


def ruleset_json(ruleset: CheckedRules) -> dict[str, Any]:
    """The rule set as JSON outputs name it (the same "ruleset" shape everywhere)."""
    return {"name": ruleset.name, "version": ruleset.version, "hash": ruleset.content_hash, "path": ruleset_path(ruleset)}
