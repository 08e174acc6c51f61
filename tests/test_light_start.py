"""Start-up stays light (issue 25, point 5): what ``import carag_dsl`` and ``carag eval --case`` load.

Evaluating one case needs the AST, the checker and the generated routing code; it needs neither the
tally of ratings, nor the parser (with a warm cache), nor the bulk libraries, nor the forms. Each of those
costs milliseconds on every start, so a test fails when one of them creeps back into the start-up path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "questions" / "examples" / "licence_reset_day_56.json"

#: Modules start-up must not import: the tally, the parser (Lark), the dependency graph (networkx: only for a
#: cycle's report), the bulk libraries, the forms and their import, the language server, the analysis.
HEAVY = (
    "carag_dsl.rating.tally", "lark", "networkx", "numpy", "pyarrow", "polars", "dask", "msgspec",
    "carag_dsl.tools.forms", "carag_dsl.tools.form_import.common", "carag_dsl.lsp", "carag_dsl.analysis", "importlib.metadata",
)

_REPORT = "import sys; print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)"


def _heavy_imports(code: str, env: dict[str, str]) -> list[str]:
    script = code + "\n" + _REPORT.format(heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return eval(done.stderr.strip().splitlines()[-1], {})  # the list printed by our own script above


def test_import_carag_dsl_loads_none_of_the_heavy_modules():
    assert _heavy_imports("import carag_dsl", dict(os.environ)) == []


def test_the_rating_class_is_still_there_when_asked_for():
    found = subprocess.run(
        [sys.executable, "-c", "import sys, carag_dsl; assert 'carag_dsl.rating.tally' not in sys.modules; "
                               "from carag_dsl.api import Rating; print(carag_dsl.Rating is Rating, Rating.__module__)"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert found.stdout.split() == ["True", "carag_dsl.rating.tally"], found.stderr


def test_carag_eval_case_with_a_warm_cache_loads_none_of_the_heavy_modules(tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("CARAG_NO_CACHE", None)
    run = ("import contextlib, io\nfrom carag_dsl.cli import main\n"
           "with contextlib.redirect_stdout(io.StringIO()):\n"
           f"    assert main(['eval', '--case', {str(EXAMPLE)!r}]) == 0\n")
    _heavy_imports(run, env)  # fills the cache (parses: imports Lark)
    assert _heavy_imports(run, env) == []


def test_syntax_tree_nodes_print_as_attrs_prints_them_spans_left_out():
    """The nodes share one __repr__ (attrs compiled one per class, a third of importing the tree's classes):
    it prints what attrs printed."""
    from carag_dsl.language import ast
    from carag_dsl.language.parser import parse

    node = parse('fact a: bool\ndefine b = a and [Q 1] != "x"\n', "<test>").items[1]
    assert repr(node) == (
        "DefineDecl(name='b', expr=BoolOp(op='and', left=Name(name='a'), right=Compare(op='!=', "
        "left=AnswerRef(question_id='Q 1'), right=TextLit(value='x'))), doc=None)"
    )
    assert repr(ast.Module((), ())) == "Module(items=(), path='<string>')"
