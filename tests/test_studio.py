"""The studio's Python, without a browser: the session the web worker calls (run here in CPython, on the same
files), the parts of the build that need no npm, the server, and the command's errors.

The page itself, built by ``carag studio`` and run in Chromium, is tested in tests/test_studio_browser.py.
"""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest

from carag_dsl.cli import main
from carag_dsl.errors import UsageError
from carag_dsl.studio.session import StudioSession
from carag_dsl.tools.studio import frontend
from carag_dsl.tools.studio.python_files import BROWSER_REQUIREMENTS, carag_archive
from carag_dsl.tools.studio.serve import studio_server
from carag_dsl.tools.studio.site import rule_folder_files

REPOSITORY = Path(__file__).resolve().parent.parent
FILE = "02_assessment_information.carag"


@pytest.fixture
def session(tmp_path, monkeypatch):
    """A session on a copy of questions/ (edited) and another (published), working in their folder as the worker does."""
    for name in ("rules", "published"):
        shutil.copytree(REPOSITORY / "questions", tmp_path / name / "questions")
    monkeypatch.chdir(tmp_path / "rules")
    return StudioSession(str(tmp_path / "rules" / "questions"), str(tmp_path / "published" / "questions"))


def edit(session: StudioSession, old: str, new: str, file: str = FILE) -> None:
    text = (session.folder / file).read_text(encoding="utf-8")
    assert old in text
    session.write(file, text.replace(old, new, 1))


def test_the_sessions_diagnostics_are_carag_checks_at_their_line_and_column(session):
    assert session.diagnostics() == {"files": {}, "errors": 0, "questions": 58}
    edit(session, "applies when court_report", "applies when court_reportx")
    found = session.diagnostics()
    assert found["errors"] == 1 and found["questions"] is None
    [diagnostic] = found["files"][FILE]
    assert (diagnostic["line"], diagnostic["character"], diagnostic["end_line"], diagnostic["end_character"]) == (18, 17, 18, 30)
    assert diagnostic["code"] == "unknown-name" and "did you mean 'court_report'?" in diagnostic["message"]
    checked = main(["check", "questions"])  # the command line, on the same files, says the same
    assert checked == 1
    assert diagnostic["text"].startswith(f"questions/{FILE}:19:18: error: unknown name 'court_reportx'")


def test_diagnostic_columns_count_utf16_units_as_the_browser_does(session):
    # An astral character (two UTF-16 units, one Python character) before the mistake moves it one unit right.
    edit(session, "applies when court_report", 'applies when "\U0001F600" == court_reportx')
    [diagnostic] = session.diagnostics()["files"][FILE]
    line = (session.folder / FILE).read_text(encoding="utf-8").split("\n")[diagnostic["line"]]
    assert line.index("court_reportx") + 1 == diagnostic["character"]


def test_hover_completion_definition_and_formatting_are_the_language_servers(session):
    assert session.hover(FILE, 18, 20).startswith("**fact** `court_report`: bool")
    labels = {item["label"] for item in session.complete(FILE, 18, 17)}
    assert {"court_report", "mappa", "not", "[X 1]"} <= labels
    assert session.definition(FILE, 18, 20) == [{"file": "case_facts.carag", "line": 37, "character": 5, "end_line": 37, "end_character": 17}]
    assert session.format(FILE) == {"edits": []}
    # A request may carry the editor's text, ahead of the last edit sent for checking: it is answered on that text.
    typed = (session.folder / FILE).read_text(encoding="utf-8").replace("applies when court_report", "applies when court_report or mapp", 1)
    assert "mappa" in {item["label"] for item in session.complete(FILE, 18, 37, typed)}
    assert session.diagnostics()["errors"] == 1  # "mapp" is no name: the text the request carried is the one checked
    session.write(FILE, (REPOSITORY / "questions" / FILE).read_text(encoding="utf-8"))
    edit(session, "    applies when court_report", "       applies when court_report")
    assert session.format(FILE)["edits"] == [{"line": 18, "character": 0, "end_line": 19, "end_character": 0, "text": "    applies when court_report\n"}]
    edit(session, "applies when court_report", "applies when (court_report")
    assert session.format(FILE) == {"edits": None, "reason": "the file has syntax errors; fix them to format it"}


def test_a_case_is_routed_and_explained_and_the_examples_are_offered(session):
    before = session.evaluate({"facts": {"terminated": False}})["result"]
    after = session.evaluate({"facts": {"terminated": False, "court_report": True}}, "X 1")
    assert before["questions"]["X 1"]["status"] == "pending"
    assert after["result"]["questions"]["X 1"]["status"] == "applies"
    assert after["explain"].startswith("X 1:") and "It applies" in after["explain"]
    assert session.evaluate({"facts": {"sentence": "prison"}}) == {
        "error": "the case: facts.sentence: 'prison' is not allowed; expected one of \"community\", \"licence\", \"pss\""}
    examples = {example["name"]: example["case"] for example in session.examples()}
    assert "licence_reset_day_56" in examples and not any(name.endswith(".expected") for name in examples)
    expected = json.loads((REPOSITORY / "questions/examples/licence_reset_day_56.expected.json").read_text())
    assert session.evaluate(examples["licence_reset_day_56"])["result"]["case_type"] == expected["case_type"]
    edit(session, "applies when court_report", "applies when court_reportx")
    assert session.evaluate({"facts": {}}) == {"error": "the rules have errors; fix them to route a case"}
    assert session.schema() is None


def test_the_checks_print_what_the_commands_print(session, capsys):
    tested = session.test()
    assert tested["status"] == main(["test", "questions"]) == 0
    assert tested["stdout"] == capsys.readouterr().out
    assert session.diff()["status"] == 0
    edit(session, "applies when court_report", "applies when court_report or true")
    diffed = session.diff()
    assert diffed["status"] == 1 and "X 1" in diffed["stdout"]


def test_the_handbook_is_of_the_edited_rules(session):
    edit(session, 'heading "Does assessment focus', 'heading "Edited: does assessment focus', "03_assessment.carag")
    assert "Edited: does assessment focus" in session.handbook()["html"]


def test_the_page_gets_the_rule_folder_with_its_tests_and_examples():
    files = rule_folder_files(REPOSITORY / "questions")
    assert "carag.carag" in files and "tests/question_routes.carag" in files and "examples/nothing_known_yet.json" in files
    assert not any(name.startswith("compiler") for name in files)


def test_carags_archive_holds_the_package_and_its_grammar_and_nothing_compiled(tmp_path):
    archive = carag_archive(tmp_path)
    names = zipfile.ZipFile(archive).namelist()
    assert "carag_dsl/_data/carag.lark" in names and "carag_dsl/studio/session.py" in names
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)
    assert not any(name.startswith("carag_dsl/_data/questions") for name in names)


def test_the_browser_wheels_are_pinned():
    assert all("==" in requirement for requirement in BROWSER_REQUIREMENTS)


def test_without_node_the_build_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UsageError, match="apt-get install nodejs npm"):
        frontend.build_page(tmp_path / "out", tmp_path / "cache")


def test_the_front_end_sources_are_found_in_the_checkout():
    assert (frontend.sources_folder() / "src" / "main.js").exists()


def test_the_server_answers_on_127_0_0_1_with_types_module_scripts_and_webassembly_need(tmp_path):
    for name in ("app.js", "pyodide.asm.wasm", "pyodide.mjs"):
        (tmp_path / name).write_bytes(b"x")
    server = studio_server(tmp_path, 0)
    assert server.server_address[0] == "127.0.0.1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        types = {name: urllib.request.urlopen(base + name).headers["Content-Type"] for name in ("app.js", "pyodide.asm.wasm", "pyodide.mjs")}
    finally:
        server.shutdown()
        server.server_close()
    assert types == {"app.js": "text/javascript", "pyodide.asm.wasm": "application/wasm", "pyodide.mjs": "text/javascript"}


@pytest.mark.parametrize("arguments, message", [
    (["studio", "questions"], "give --output DIR"),
    (["studio", "questions", "--output", " "], "--output is empty"),
])
def test_studio_usage_errors_exit_2(arguments, message, capsys):
    assert main(arguments) == 2
    assert message in capsys.readouterr().err


def test_the_handbook_links_to_a_studio_only_by_a_web_address(tmp_path, capsys):
    assert main(["docs", "questions", "--output", str(tmp_path), "--studio", "https://example.org/studio/"]) == 0
    assert '<a href="https://example.org/studio/">Open these rules in the studio</a>' in (tmp_path / "index.html").read_text()
    assert main(["docs", "questions", "--output", str(tmp_path), "--studio", "javascript:alert(1)"]) == 2
    assert "--studio 'javascript:alert(1)'" in capsys.readouterr().err
