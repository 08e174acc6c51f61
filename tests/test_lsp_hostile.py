"""The language server under hostile input (issue 24, points 2 and 7).

Lint runs off the event loop and is stopped when the text changes; lint results are kept per rule folder;
includes are confined to the rule folder even when the rule set has errors; only .carag documents are
taken (closing ``/proc/self/environ`` reads nothing); closing a file drops what was kept of it; every bad
message is answered with a JSON-RPC error; a huge message is refused; exit is clean.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import threading
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsprotocol import types  # noqa: E402

from carag_dsl.lsp import lint_findings, server as server_module  # noqa: E402
from carag_dsl.lsp.server import CaragSession  # noqa: E402
from carag_dsl.lsp.workspace import Workspace  # noqa: E402
from carag_dsl.lsp.wire import MAX_MESSAGE  # noqa: E402

import expensive_rules  # noqa: E402
from lsp_wire import WireClient  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
LINT_CORPUS = REPO / "tests" / "fixtures" / "lint"


class _Published:
    """A stand-in for the pygls server: records what the session publishes."""

    def __init__(self):
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.event = threading.Event()

    def text_document_publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None:
        self.diagnostics[params.uri] = params.diagnostics
        self.event.set()


def _copy(folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copytree(LINT_CORPUS / "label_all_mappa_over_not_mappa", target)
    return next(target.glob("*.carag"))


# -- lint off the event loop, stopped when the text changes (point 2)
def test_lint_runs_on_a_worker_thread_and_an_edit_stops_it_and_drops_its_findings(tmp_path, monkeypatch):
    path = _copy(tmp_path, "rules")
    threads: list[str] = []
    stops = []
    real_run = lint_findings.LintCache.run

    def watched(self, root, rules, stop=lambda: False):
        threads.append(threading.current_thread().name)
        stops.append(stop)
        return real_run(self, root, rules, stop)

    monkeypatch.setattr(lint_findings.LintCache, "run", watched)
    monkeypatch.setattr(server_module, "LINT_DELAY", 0)
    published = _Published()
    session = CaragSession(published)  # type: ignore[arg-type]

    async def scenario() -> None:
        text = path.read_text(encoding="utf-8")
        session.workspace.set_buffer(path, text)
        session.refresh(path)
        for _ in range(600):
            await asyncio.sleep(0.05)
            if any(d.code == "label-contradicts-rule" for d in published.diagnostics.get(path.as_uri(), [])):
                break
        assert threads and threads[0].startswith("carag-lint")  # not the event loop's thread
        assert any(d.code == "label-contradicts-rule" for d in published.diagnostics[path.as_uri()])
        session.workspace.set_buffer(path, text + "\n# edited\n")
        running = session._stops[session.workspace.root_of(path)]
        session.refresh(path)  # a new edit: the lint of the old text is told to stop
        assert running.is_set() and stops[0]()

    _run_in_own_loop(scenario())
    session.stop_all()


def test_the_check_runs_on_its_own_thread_and_an_edit_stops_it_and_drops_its_analysis(tmp_path, monkeypatch):
    path = _copy(tmp_path, "rules")
    first, second = path.read_text(encoding="utf-8"), path.read_text(encoding="utf-8") + "fact added_later: bool\n"
    release, threads, outcomes = threading.Event(), [], []
    real_analyse = Workspace.analyse

    def held(self, root, text=None, stop=None):  # the check of the first text waits until the second edit is made
        threads.append(threading.current_thread().name)
        if len(threads) == 1:
            release.wait(60)
        try:
            analysis = real_analyse(self, root, text, stop)
        except Exception as error:
            outcomes.append(type(error).__name__)
            raise
        outcomes.append("checked")
        return analysis

    monkeypatch.setattr(Workspace, "analyse", held)
    published = _Published()
    session = CaragSession(published)  # type: ignore[arg-type]

    async def scenario() -> None:
        session.workspace.set_buffer(path, first)
        checking = session._check(session.workspace.root_of(path), path)
        session.workspace.set_buffer(path, second)
        session.edited(path)  # the text changed while the first check runs: it is told to stop
        release.set()
        await checking
        assert outcomes == ["CheckStopped"] and session.workspace.root_of(path) not in session.analyses
        analysis = await session.request_analysis(path)
        assert "added_later" in analysis.symbols.facts  # the second text's check, not the first's
        assert threads == ["carag-check_0", "carag-check_0"]  # never the event loop's thread

    _run_in_own_loop(scenario())
    session.stop_all()


def test_a_request_while_a_check_indexes_a_new_text_takes_the_last_index_never_one_built_on_the_event_loop(tmp_path, monkeypatch):
    from carag_dsl.lsp import workspace as workspace_module

    path = _copy(tmp_path, "rules")
    first = path.read_text(encoding="utf-8")
    second = first + "fact added_later: bool\n"
    release, calls = threading.Event(), []
    real_index_text = workspace_module.index_text

    def held(text):  # indexing the second text waits until the request has been answered
        calls.append((threading.current_thread().name, "added_later" in text))
        if "added_later" in text:
            release.wait(60)
        return real_index_text(text)

    monkeypatch.setattr(workspace_module, "index_text", held)
    session = CaragSession(_Published())  # type: ignore[arg-type]
    root = session.workspace.root_of(path)

    async def scenario() -> None:
        session.workspace.set_buffer(path, first)
        await session.request_analysis(path)
        before = session.workspace.index(path)
        session.workspace.set_buffer(path, second)
        session.edited(path)
        checking = session._check(root, path)
        for _ in range(3000):
            if any(new for _, new in calls):
                break
            await asyncio.sleep(0.01)
        assert any(new for _, new in calls), "the check's thread never indexed the new text"
        assert session.workspace.index(path) is before  # at once, while the check's thread indexes the new text
        release.set()
        await checking
        assert session.workspace.index(path) is not before
        assert {name for name, _ in calls} == {"carag-check_0"}

    _run_in_own_loop(scenario())
    session.stop_all()


def test_a_hover_while_a_huge_edit_is_checked_is_answered_from_the_check_before(tmp_path):
    """The hover's reply comes before the diagnostics of the new text: the check of 20,000 syntax errors (seconds of
    processor time) runs off the event loop, and the hover waits for it only REQUEST_WAIT before the last check
    answers it. Measured by the order of the messages, not the clock."""
    folder = tmp_path / "rules"
    folder.mkdir()
    path = folder / "rules.carag"
    good = expensive_rules.HEADER + 'fact a: bool\nquestion "Q1" prompt\n    text "Q1"\n    applies when a\n    answer yes_no\n'
    path.write_text(good, encoding="utf-8")
    uri = path.as_uri()
    client = WireClient(tmp_path)
    try:
        client.initialize(tmp_path)
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "carag", "version": 1, "text": good}})
        before = client.reply(client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 5}}), timeout=180)
        assert client.published[uri] == [] and "`a`" in before["result"]["contents"]["value"]  # the good text, checked
        flood = expensive_rules.syntax_error_flood(20_000).replace(expensive_rules.HEADER + "fact a: bool\n", good)
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": flood}]})
        hover = client.reply(client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 5}}), timeout=180)
        assert client.published[uri] == []  # answered before the new text's check finished
        assert hover["result"] == before["result"]  # from the check before: the fact 'a'
        symbols = client.reply(client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}}), timeout=180)
        assert "result" in symbols
        assert client.close() == 0
    finally:
        client.kill()


def test_a_relative_path_is_resolved_in_the_working_folder_of_the_moment(tmp_path, monkeypatch):
    """The kept resolutions never carry a relative path over a change of working folder (the studio changes it)."""
    from carag_dsl.lsp.workspace import resolved

    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        monkeypatch.chdir(tmp_path / name)
        assert resolved("rules.carag") == (tmp_path / name / "rules.carag").resolve()


def _outside_any_loop(work) -> None:
    """Call ``work()`` on a thread with no event loop, as a caller outside the server does (the session then lints
    at once): a test earlier in the run may leave a loop running in the main thread."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            failure.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(300)
    assert not thread.is_alive(), "the work did not finish"
    if failure:
        raise failure[0]


def _run_in_own_loop(coroutine) -> None:
    """Run ``coroutine`` on a new event loop in a thread of its own (another test may have left one running here)."""
    _outside_any_loop(lambda: asyncio.run(coroutine))


def test_lint_of_a_rule_set_past_the_budget_says_what_it_could_not_analyse(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "rules.carag").write_text(expensive_rules.many_read_options(40), encoding="utf-8")
    published = _Published()
    session = CaragSession(published)  # type: ignore[arg-type]
    path = folder / "rules.carag"
    session.workspace.set_buffer(path, path.read_text(encoding="utf-8"))
    _outside_any_loop(lambda: session.refresh(path))  # outside an event loop: lint at once
    (partial,) = [d for d in published.diagnostics[path.resolve().as_uri()] if d.code == lint_findings.PARTIAL_CODE]
    assert partial.severity == types.DiagnosticSeverity.Information
    assert "the fact 'tags'" in partial.message and "never-applies" in partial.message


# -- kept per path; confined; closing (point 7)
def test_identical_rule_sets_in_two_folders_get_lint_findings_in_their_own_files(tmp_path):
    first, second = _copy(tmp_path, "a"), _copy(tmp_path, "b")
    published = _Published()
    session = CaragSession(published)  # type: ignore[arg-type]
    for path in (first, second):
        session.workspace.set_buffer(path, path.read_text(encoding="utf-8"))
        _outside_any_loop(lambda: session.refresh(path))
    for path in (first, second):
        assert any(d.code == "label-contradicts-rule" for d in published.diagnostics[path.resolve().as_uri()]), path


def test_a_rule_set_with_errors_never_follows_an_include_out_of_its_folder(tmp_path):
    outside = tmp_path / "other" / "secret.carag"
    outside.parent.mkdir()
    outside.write_text("fact secret: bool\n", encoding="utf-8")
    folder = tmp_path / "rules"
    folder.mkdir()
    root = folder / "rules.carag"
    root.write_text('ruleset "r" version "1" published 2025-01-01\ninclude "../other/secret.carag"\nfact a: bool\n'
                    'question "Q" prompt\n    text "q"\n    applies when no_such_fact\n    answer yes_no\n', encoding="utf-8")
    workspace = Workspace()
    analysis = workspace.analyse(workspace.root_of(root))
    assert analysis.rules is None  # the rule set has errors: the include list comes from what parsed
    assert outside.resolve() not in analysis.rule_files
    assert "secret" not in analysis.symbols.facts


def test_closing_a_document_that_was_never_opened_reads_nothing_and_non_carag_documents_are_ignored(tmp_path):
    reads: list[Path] = []

    def read_disk(path: Path) -> str:
        reads.append(Path(path))
        return Path(path).read_text(encoding="utf-8")

    published = _Published()
    session = CaragSession(published)  # type: ignore[arg-type]
    session.workspace = Workspace(read_disk)
    server = server_module.build_server()
    server_session = server_module.CaragSession(server)
    environ = Path("/proc/self/environ")
    assert not server_module.is_rule_file(environ)
    assert not session.workspace.is_open(environ)
    with pytest.raises(Exception, match="not a .carag file"):
        server_module.rule_path(environ.as_uri())
    assert reads == [] and server_session.analyses == {}


def test_closing_the_last_file_of_a_rule_set_drops_its_parses_analysis_and_lint(tmp_path):
    path = _copy(tmp_path, "rules")
    published = _Published()
    session = CaragSession(published)  # type: ignore[arg-type]
    session.workspace.set_buffer(path, path.read_text(encoding="utf-8"))
    _outside_any_loop(lambda: session.refresh(path))
    root = session.workspace.root_of(path)
    assert session.analyses and session.lint.cached(root, session.analyses[root].rules)
    _outside_any_loop(lambda: session.close(path))
    assert session.analyses == {} and session.lint._kept == {}
    assert session.workspace._parses == {} and session.workspace._indexes == {}
    assert published.diagnostics[path.resolve().as_uri()] == []


# -- the wire (point 7): a real server process
@pytest.fixture
def wire(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(LINT_CORPUS / "label_all_mappa_over_not_mappa", folder)
    client = WireClient(folder)
    client.initialize(folder)
    yield client, folder
    client.kill()


def test_bad_requests_get_json_rpc_errors_and_the_server_goes_on(wire):
    client, folder = wire
    bad_params = client.request("textDocument/hover", {"textDocument": 5, "position": "here"})
    assert client.reply(bad_params)["error"]["code"] == -32602  # invalid params
    client.send_raw(b"Content-Length: 9\r\n\r\nnot json!")
    assert client.reply(None)["error"]["code"] == -32700  # parse error
    client.send({"jsonrpc": "2.0", "id": 77, "method": 12})
    assert "error" in client.reply(77)
    environ = client.request("textDocument/hover", {"textDocument": {"uri": "file:///proc/self/environ"},
                                                    "position": {"line": 0, "character": 0}})
    assert "not a .carag file" in client.reply(environ)["error"]["message"]
    client.notify("textDocument/didClose", {"textDocument": {"uri": "file:///proc/self/environ"}})
    rule_file = next(folder.glob("*.carag"))
    hover = client.request("textDocument/hover", {"textDocument": {"uri": rule_file.as_uri()}, "position": {"line": 0, "character": 0}})
    assert "result" in client.reply(hover)
    assert client.close() == 0
    assert b"Traceback" not in client.stderr


def test_a_message_larger_than_the_bound_is_refused_without_reading_it_whole(wire):
    client, _ = wire
    size = MAX_MESSAGE + 1
    client.send_raw(b"Content-Length: %d\r\n\r\n" % size)
    chunk = b" " * (1024 * 1024)
    for _ in range(size // len(chunk)):
        client.send_raw(chunk)
    client.send_raw(b" " * (size % len(chunk)))
    refused = client.reply(None)
    assert refused["error"]["code"] == -32600 and "refused" in refused["error"]["message"]
    assert "result" in client.reply(client.request("textDocument/documentSymbol", {"textDocument": {"uri": "file:///nothing.carag"}}))
    assert client.close() == 0
    assert b"refused a message of" in client.stderr and b"Traceback" not in client.stderr


def test_a_huge_content_length_at_the_end_of_the_input_ends_the_server_without_a_traceback(wire):
    client, _ = wire
    client.send_raw(b"Content-Length: 99999999999999999\r\n\r\n")
    client.process.stdin.close()
    assert client.process.wait(30) in (0, 1)
    client._stderr_reader.join(10)
    assert b"Traceback" not in client.stderr and b"MemoryError" not in client.stderr


def test_the_language_server_on_rule_sets_made_to_be_expensive_stays_within_1_gb_and_answers_in_time(tmp_path):
    """Budget test: each expensive rule set opened, a request answered within 30 s, lint saying what it left."""
    import time

    texts = {
        "options": expensive_rules.many_read_options(40),
        "chain": expensive_rules.compared_chain(12),
        "sums": expensive_rules.sum_of_ifs(16),
        "defines": expensive_rules.chained_defines(40, "set"),
        "flood": expensive_rules.syntax_error_flood(5_000),
    }
    client = WireClient(tmp_path)
    try:
        client.initialize(tmp_path)
        for name, text in texts.items():
            folder = tmp_path / name
            folder.mkdir()
            path = folder / "rules.carag"
            path.write_text(text, encoding="utf-8")
            client.notify("textDocument/didOpen", {"textDocument": {"uri": path.as_uri(), "languageId": "carag", "version": 1, "text": text}})
            # Answered (the wall clock only bounds the wait: on a busy machine it says little about the work).
            client.reply(client.request("textDocument/hover", {"textDocument": {"uri": path.as_uri()}, "position": {"line": 1, "character": 6}}), timeout=180)
        deadline = time.monotonic() + 180
        partial = {"options", "chain"}  # checked, but past the analysis's budget (the sums are analysed exactly)
        flood = (tmp_path / "flood" / "rules.carag").as_uri()
        # A request is answered before the check of its file ends, so the flood's diagnostics may come later.
        while time.monotonic() < deadline and not (len(client.published.get(flood, [])) >= 5_000 and all(
                any(d.get("code") == lint_findings.PARTIAL_CODE for d in client.published.get((tmp_path / n / "rules.carag").as_uri(), []))
                for n in partial)):
            client.reply(client.request("textDocument/documentSymbol", {"textDocument": {"uri": (tmp_path / "options" / "rules.carag").as_uri()}}))
            time.sleep(0.2)
        for name in partial:
            notes = [d for d in client.published[(tmp_path / name / "rules.carag").as_uri()] if d.get("code") == lint_findings.PARTIAL_CODE]
            assert notes and "lint could not analyse everything exactly" in notes[0]["message"], name
        assert len(client.published[flood]) >= 5_000
        assert client.close() == 0
        assert client.peak_mb is not None and client.peak_mb < 1024, client.peak_mb
        assert client.cpu_seconds is not None and client.cpu_seconds < 30, client.cpu_seconds  # the whole session's work
        assert b"Traceback" not in client.stderr
    finally:
        client.kill()
