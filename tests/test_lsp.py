"""`carag lsp` driven over stdio by a real LSP client (pygls's), on a copy of the bundled CARaG rule folder."""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types

from carag_dsl import load
from carag_dsl.language.formatter import format_module
from carag_dsl.language.parser import parse
from lsp_client import BackgroundSession, apply_edits, position_of

QUESTIONS = Path(__file__).resolve().parent.parent / "questions"
MAPPA_FILE = "05_implementation_and_delivery_information.carag"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory):
    """One server for the module (starting one takes seconds), on a copy of the bundled rule folder."""
    folder = tmp_path_factory.mktemp("lsp") / "rules"
    shutil.copytree(QUESTIONS, folder)
    session = BackgroundSession(folder)
    yield session, folder
    session.close()


@pytest.fixture
def server(shared) -> BackgroundSession:
    session, _ = shared
    yield session
    session.run(session.session.close_all())  # the next test starts from the files on disk


@pytest.fixture
def rules(shared) -> Path:
    return shared[1]


def _uses_of(name: str, folder: Path) -> list[str]:
    """The file name of each place a name is written in the rule files and tests (comments aside), sorted."""
    return sorted(
        file.name
        for file in folder.rglob("*.carag")
        for line in file.read_text(encoding="utf-8").splitlines()
        for _ in re.findall(rf"\b{name}\b", line.split("#")[0])
    )


def doc(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)


def test_a_misspelt_fact_is_reported_at_its_place_with_the_did_you_mean_and_cleared_when_fixed(server: BackgroundSession, rules: Path) -> None:
    path = rules / MAPPA_FILE
    good = path.read_text(encoding="utf-8")
    bad = good.replace("applies when mappa", "applies when mapa")

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path, bad)  # unsaved: the buffer, not the file on disk, is checked
        found = await lsp.wait_diagnostics(uri, lambda d: len(d) > 0)
        assert len(found) == 1
        diagnostic = found[0]
        assert diagnostic.code == "unknown-name"
        assert diagnostic.message == "unknown name 'mapa' (did you mean 'mappa'?): it is not a fact, a defined name or an option code"
        start = position_of(bad, "mapa")
        assert (diagnostic.range.start.line, diagnostic.range.start.character) == (start.line, start.character)
        assert (diagnostic.range.end.line, diagnostic.range.end.character) == (start.line, start.character + 4)
        assert diagnostic.severity == types.DiagnosticSeverity.Error

        lsp.replace(uri, good)
        assert list(await lsp.wait_diagnostics(uri, lambda d: not d)) == []

    server.run(scenario())


def test_diagnostics_have_the_command_lines_messages_and_places_and_point_to_the_first_declaration(server: BackgroundSession, rules: Path, tmp_path: Path) -> None:
    path = rules / "case_facts.carag"
    text = path.read_text(encoding="utf-8") + "\nfact mappa: bool\n"
    on_disk = tmp_path / "saved"
    shutil.copytree(rules, on_disk)
    (on_disk / "case_facts.carag").write_text(text, encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "carag_dsl", "check", "."], capture_output=True, text=True, cwd=on_disk)
    assert cli.returncode == 1
    first_line = cli.stderr.splitlines()[0]  # case_facts.carag:LINE:COL: error: MESSAGE

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path, text)  # the same text, unsaved
        found = await lsp.wait_diagnostics(uri, lambda d: len(d) > 0)
        assert [d.code for d in found] == ["duplicate-declaration"]
        start = found[0].range.start
        assert first_line == f"case_facts.carag:{start.line + 1}:{start.character + 1}: error: {found[0].message}"
        (related,) = found[0].related_information
        assert related.message == "first declared here"
        assert related.location.uri == uri
        assert related.location.range.start.line == position_of(text, "fact mappa").line

    server.run(scenario())


def test_syntax_errors_in_one_file_leave_hover_working_in_the_others(server: BackgroundSession, rules: Path) -> None:
    broken = rules / "04_planning.carag"
    path = rules / "case_facts.carag"
    text = path.read_text(encoding="utf-8")

    async def scenario() -> None:
        lsp = server.session
        broken_uri = lsp.open(broken, broken.read_text(encoding="utf-8") + "\nquestion \"Z 1\" prompt\n    applies when (\n")
        found = await lsp.wait_diagnostics(broken_uri, lambda d: len(d) > 0)
        assert {d.code for d in found} == {"syntax"}
        uri = lsp.open(path)
        hover = await lsp.client.text_document_hover_async(types.HoverParams(
            text_document=doc(uri), position=position_of(text, "[X 6]", offset=2)))
        assert hover is not None and "X 6" in hover.contents.value

    server.run(scenario())


def test_hover_on_a_question_reference_shows_its_text_label_applicability_and_answer(server: BackgroundSession, rules: Path) -> None:
    path = rules / "case_facts.carag"
    text = path.read_text(encoding="utf-8")
    question = load(rules).questions["X 6"]

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path)
        hover = await lsp.client.text_document_hover_async(types.HoverParams(
            text_document=doc(uri), position=position_of(text, "[X 6]", offset=2)))
        shown = hover.contents.value
        assert question.text in shown
        assert "**[X 6]**" in shown
        assert "Answer: yes, no, or not a factor" in shown
        assert "Applies " in shown
        start = position_of(text, "[X 6]")
        assert (hover.range.start.line, hover.range.start.character, hover.range.end.character) == (start.line, start.character, start.character + 5)

        fact_hover = await lsp.client.text_document_hover_async(types.HoverParams(
            text_document=doc(uri), position=position_of(text, "fact sentence", offset=6)))
        assert "one of community, licence, pss" in fact_hover.contents.value
        assert "Post-sentence supervision" in fact_hover.contents.value

        option_hover = await lsp.client.text_document_hover_async(types.HoverParams(
            text_document=doc(uri), position=position_of(text, "sentence in {licence", offset=14)))
        assert option_hover.contents.value == "option `licence` of fact `sentence`: Licence"

    server.run(scenario())


def test_completion_offers_facts_after_applies_when_and_option_codes_after_a_comparison(server: BackgroundSession, rules: Path) -> None:
    path = rules / MAPPA_FILE
    text = path.read_text(encoding="utf-8") + '\nquestion "Z 1" prompt\n    text "A new question?"\n    applies when '

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path, text)
        end = position_of(text, "applies when ", occurrence=text.count("applies when ") - 1, offset=len("applies when "))
        found = await lsp.client.text_document_completion_async(types.CompletionParams(text_document=doc(uri), position=end))
        labels = {item.label for item in found.items}
        assert {"mappa", "sentence", "adjusted_by_the_rules", "case_type", "not", "[X 6]"} <= labels
        assert "answer" not in labels  # a clause keyword cannot follow 'when'
        x6 = next(item for item in found.items if item.label == "[X 6]")
        assert x6.detail == load(rules).questions["X 6"].text

        compared = text + "sentence == "
        lsp.replace(uri, compared)
        found = await lsp.client.text_document_completion_async(types.CompletionParams(
            text_document=doc(uri), position=position_of(compared, "sentence == ", offset=len("sentence == "))))
        first = sorted(found.items, key=lambda item: item.sort_text or item.label)[:3]
        assert [item.label for item in first] == ["community", "licence", "pss"]

        partial = text + "[X"
        lsp.replace(uri, partial)
        found = await lsp.client.text_document_completion_async(types.CompletionParams(
            text_document=doc(uri), position=position_of(partial, "applies when [X", occurrence=partial.count("applies when [X") - 1, offset=15)))
        assert found.items and all(item.label.startswith("[") for item in found.items)
        assert found.items[0].text_edit.range.start.character == len("    applies when ")  # replaces the '[X' typed

        clause = text[: -len("applies when ")] + "    ans"
        lsp.replace(uri, clause)
        found = await lsp.client.text_document_completion_async(types.CompletionParams(
            text_document=doc(uri), position=position_of(clause, "    ans", occurrence=clause.count("    ans") - 1, offset=7)))
        assert "answer" in {item.label for item in found.items}

    server.run(scenario())


def test_definition_of_a_fact_lands_on_its_fact_line_and_references_span_the_folder(server: BackgroundSession, rules: Path) -> None:
    path = rules / MAPPA_FILE
    text = path.read_text(encoding="utf-8")
    facts_text = (rules / "case_facts.carag").read_text(encoding="utf-8")

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path)
        where = position_of(text, "applies when mappa", offset=len("applies when m"))
        (location,) = await lsp.client.text_document_definition_async(types.DefinitionParams(text_document=doc(uri), position=where))
        assert location.uri == (rules / "case_facts.carag").resolve().as_uri()
        assert location.range.start == position_of(facts_text, "fact mappa", offset=5)

        found = await lsp.client.text_document_references_async(types.ReferenceParams(
            text_document=doc(uri), position=where, context=types.ReferenceContext(include_declaration=True)))
        assert sorted(Path(loc.uri).name for loc in found) == _uses_of("mappa", rules)

        question = await lsp.client.text_document_definition_async(types.DefinitionParams(
            text_document=doc(uri), position=position_of(text, "[X 6]", offset=1)))
        assert [Path(loc.uri).name for loc in question] == ["02_assessment_information.carag"]

    server.run(scenario())


def test_formatting_returns_the_edits_of_carag_fmt(server: BackgroundSession, rules: Path) -> None:
    path = rules / "case_facts.carag"
    messy = path.read_text(encoding="utf-8").replace("fact mappa: bool", "fact   mappa :bool").replace("    core otherwise", "  core   otherwise")

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path, messy)
        edits = await lsp.client.text_document_formatting_async(types.DocumentFormattingParams(
            text_document=doc(uri), options=types.FormattingOptions(tab_size=4, insert_spaces=True)))
        assert len(edits) == 2  # only the lines that change
        assert apply_edits(messy, edits) == format_module(parse(messy)) == path.read_text(encoding="utf-8")

    server.run(scenario())


def test_rename_of_a_fact_changes_every_use_across_rule_and_test_files(server: BackgroundSession, rules: Path, tmp_path: Path) -> None:
    path = rules / "case_facts.carag"
    text = path.read_text(encoding="utf-8")

    async def scenario() -> types.WorkspaceEdit:
        lsp = server.session
        uri = lsp.open(path)
        where = position_of(text, "fact mappa", offset=6)
        prepared = await lsp.client.text_document_prepare_rename_async(types.PrepareRenameParams(text_document=doc(uri), position=where))
        assert prepared is not None
        edit = await lsp.client.text_document_rename_async(types.RenameParams(text_document=doc(uri), position=where, new_name="mappa_case"))
        with pytest.raises(Exception, match="already declared"):
            await lsp.client.text_document_rename_async(types.RenameParams(text_document=doc(uri), position=where, new_name="sentence"))
        return edit

    edit = server.run(scenario())
    assert sorted(Path(u).name for u in edit.changes) == sorted(set(_uses_of("mappa", rules)))
    copy = tmp_path / "renamed"  # the server's folder stays as it is for the other tests
    shutil.copytree(rules, copy)
    for uri, edits in edit.changes.items():
        file = copy / Path(uri.removeprefix("file://")).relative_to(rules.resolve())
        file.write_text(apply_edits(file.read_text(encoding="utf-8"), edits), encoding="utf-8")
    renamed = load(copy)
    assert "mappa_case" in renamed.facts and "mappa" not in renamed.facts
    assert "mappa = true" not in (copy / "tests" / "question_routes.carag").read_text(encoding="utf-8")
    tests = subprocess.run([sys.executable, "-m", "carag_dsl", "test", str(copy)], capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout + tests.stderr


def test_document_symbols_outline_sections_with_their_questions(server: BackgroundSession, rules: Path) -> None:
    path = rules / "03_assessment.carag"

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path)
        outline = await lsp.client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc(uri)))
        assert [s.name for s in outline] == ["Assessment"]
        assert [q.name for q in outline[0].children] == list(load(rules).questions)[
            list(load(rules).questions).index("2.3.24"):][: len(outline[0].children)]
        assert "P 2.1.3" in [q.name for q in outline[0].children]

    server.run(scenario())


def test_evaluating_an_example_case_shows_each_questions_status_as_code_lenses(server: BackgroundSession, rules: Path) -> None:
    path = rules / MAPPA_FILE
    expected = json.loads((rules / "examples" / "mappa_accredited_programme.expected.json").read_text(encoding="utf-8"))

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path)
        lenses = await lsp.client.text_document_code_lens_async(types.CodeLensParams(text_document=doc(uri)))
        assert [lens.command.title for lens in lenses] == ["Evaluate the example cases"]
        outcome = await lsp.client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="carag.evaluateExample", arguments=["mappa_accredited_programme", uri]))
        assert outcome["case_type"] == expected["case_type"]
        assert outcome["questions"] == {qid: q["status"] for qid, q in expected["questions"].items()}
        lenses = await lsp.client.text_document_code_lens_async(types.CodeLensParams(text_document=doc(uri)))
        titles = [lens.command.title for lens in lenses]
        assert titles[0] == f"Example mappa_accredited_programme.json: {expected['case_type']} case (next example)"
        module = parse(path.read_text(encoding="utf-8"))
        questions = [item.id for item in module.items if type(item).__name__ == "QuestionDecl"]
        assert len(titles) == 1 + len(questions)
        words = {"applies": "applies", "not_applicable": "does not apply", "pending": "pending"}
        for qid, title in zip(questions, titles[1:]):
            assert title.startswith(f"mappa_accredited_programme.json: {words[expected['questions'][qid]['status']]}")

    server.run(scenario())


def test_carag_lsp_without_pygls_says_which_extra_to_install(tmp_path: Path) -> None:
    blocker = tmp_path / "pygls"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('pygls is not installed')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "carag_dsl", "lsp"], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "pip install 'carag-dsl[lsp]'" in done.stderr


def test_a_test_file_is_checked_with_its_rule_set_from_its_unsaved_buffer(server: BackgroundSession, rules: Path) -> None:
    path = rules / "tests" / "question_routes.carag"
    text = path.read_text(encoding="utf-8").replace("mappa = true", "mapa = true", 1)

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path, text)
        found = await lsp.wait_diagnostics(uri, lambda d: len(d) > 0)
        assert len(found) == 1 and "mapa" in found[0].message and "mappa" in found[0].message
        assert found[0].range.start == position_of(text, "mapa = true")

    server.run(scenario())


def test_lint_findings_follow_as_diagnostics_with_the_rule_as_code(server: BackgroundSession, rules: Path) -> None:
    pytest.importorskip("dd")  # lint's case-space analysis (the analysis extra, in the test extra)
    path = rules / MAPPA_FILE
    text = path.read_text(encoding="utf-8").replace("applies when mappa\n", "applies when mappa and not mappa\n")

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path, text)
        found = await lsp.wait_diagnostics(uri, lambda d: any(x.code == "never-applies" for x in d))
        never = next(d for d in found if d.code == "never-applies")
        assert never.message == "question 2.5.47 never applies: no case makes its rule true"
        assert never.range.start == position_of(text, "mappa and not mappa")
        assert never.severity == types.DiagnosticSeverity.Error
        lsp.replace(uri, path.read_text(encoding="utf-8"))
        assert list(await lsp.wait_diagnostics(uri, lambda d: not d)) == []

    server.run(scenario())


def test_an_edit_parses_only_the_edited_file_again(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from carag_dsl.lsp import workspace as workspace_module

    parsed: list[str] = []
    real = workspace_module.parse_partial
    monkeypatch.setattr(workspace_module, "parse_partial", lambda text, path: parsed.append(Path(path).name) or real(text, path))
    workspace = workspace_module.Workspace()
    edited = rules / "03_assessment.carag"
    root = workspace.root_of(edited)
    workspace.analyse(root)
    assert len(parsed) == len(list(rules.rglob("*.carag")))  # every rule and test file once
    for broken in (True, False, True):  # with and without an error, which takes the slower path
        parsed.clear()
        text = edited.read_text(encoding="utf-8")
        workspace.set_buffer(edited, text.replace("applies always", "applies when no_such_fact", 1) if broken else text + "\n")
        analysis = workspace.analyse(root)
        assert (analysis.rules is None) == broken
        assert parsed == ["03_assessment.carag"]


def test_inspection_questions_in_hover_outline_and_definitions(server: BackgroundSession, rules: Path) -> None:
    path = rules / "inspection_1_leadership.carag"
    text = path.read_text(encoding="utf-8")
    mappa_text = (rules / MAPPA_FILE).read_text(encoding="utf-8")

    async def scenario() -> None:
        lsp = server.session
        uri = lsp.open(path)
        hover = await lsp.client.text_document_hover_async(types.HoverParams(
            text_document=doc(uri), position=position_of(text, 'inspection question "1.13"', offset=len('inspection question "1'))))
        shown = hover.contents.value
        assert "**inspection question 1.13** in *Leadership / Operational*" in shown
        assert "How effective are the operational arrangements for MAPPA level 1?" in shown
        assert "Informed by [2.5.47], [P 2.4.3] in cases where a MAPPA case (any category and level)" in shown

        outline = await lsp.client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc(uri)))
        assert [s.name for s in outline] == [f"inspection question 1.{n}" for n in range(1, 22)]
        assert outline[12].detail == "How effective are the operational arrangements for MAPPA level 1?"

        link = position_of(text, "informed by [2.5.47], [P 2.4.3] within mappa", offset=len("informed by [2"))
        (location,) = await lsp.client.text_document_definition_async(types.DefinitionParams(text_document=doc(uri), position=link))
        assert Path(location.uri).name == MAPPA_FILE
        assert location.range.start.line == position_of(mappa_text, 'question "2.5.47"').line

    server.run(scenario())
