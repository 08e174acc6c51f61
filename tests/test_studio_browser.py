"""The built studio in Chromium, served from 127.0.0.1 with every other address refused: carag running in the
page checks an edit as it is typed, routes a case, runs the tests, lint and diff, and keeps and shares edits.

The studio is built once for the module (``carag studio`` with npm, pip and Node). Starting Python in a page
takes seconds, so the tests of one page share it (:func:`studio`), each leaving the published rules behind it
(the Reset button); the test of reloading and of shared links opens pages of its own.
"""

from __future__ import annotations

import re
import zipfile

import pytest

from studio_env import REPOSITORY, build_studio, offline_page, serve

pytestmark = pytest.mark.browser

READY = "body[data-ready=true]"
START_TIMEOUT = 120_000  # ms: cold Pyodide on a loaded 2-core machine takes 10-20 s; this only bounds a hang
CHECK_TIMEOUT = 60_000
FILE = "02_assessment_information.carag"
LINE = 19  # "    applies when court_report"


@pytest.fixture(scope="module")
def studio_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("studio")
    build_studio(folder)
    with serve(folder) as url:
        yield url


@pytest.fixture(scope="module")
def shared_page(studio_url):
    with offline_page(studio_url) as opened:
        open_studio(opened[0], studio_url)
        yield opened


@pytest.fixture
def studio(shared_page):
    """The module's page, with the published rules; afterwards, nothing refused or failed, and the edits reset."""
    page, refused, _, errors = shared_page
    yield page
    assert refused == [] and errors == []
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#reset")
    wait_for_status(page, r"^ok \(58 questions\)$")


def open_studio(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(READY, timeout=START_TIMEOUT)


def open_file(page, name: str) -> None:
    page.click(f"#files button[data-file='{name}']")
    page.wait_for_function("name => document.querySelector('#file-name').textContent.endsWith(name)", arg=name)


def end_of_line(page, line: int) -> None:
    """Put the cursor at the end of a line of the editor, as a person would with the keyboard."""
    page.click(".cm-content")
    page.keyboard.press("Control+Home")
    for _ in range(line - 1):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("End")


def editor_line(page, line: int):
    return page.locator(".cm-content .cm-line").nth(line - 1)


def wait_for_status(page, pattern: str) -> None:
    page.wait_for_function("pattern => new RegExp(pattern).test(document.querySelector('#status').textContent)",
                           arg=pattern, timeout=CHECK_TIMEOUT)


def test_a_misspelt_fact_is_diagnosed_at_its_line_as_carag_check_words_it_and_clears_when_fixed(studio, shared_page):
    page, requested = studio, shared_page[2]
    assert page.text_content("#status") == "ok (58 questions)"
    open_file(page, FILE)
    assert editor_line(page, LINE).inner_text().strip() == "applies when court_report"
    end_of_line(page, LINE)
    page.keyboard.type("x")
    wait_for_status(page, "^1 error$")
    assert editor_line(page, LINE).locator(".cm-lintRange-error").inner_text() == "court_reportx"
    problem = page.inner_text("#problems")
    assert f"questions/{FILE}:{LINE}:18: error: unknown name 'court_reportx' (did you mean 'court_report'?)" in problem
    assert page.get_attribute(f"#files button[data-file='{FILE}']", "class").split().count("has-errors") == 1

    page.keyboard.press("Backspace")
    wait_for_status(page, r"^ok \(58 questions\)$")
    assert editor_line(page, LINE).locator(".cm-lintRange-error").count() == 0
    assert page.inner_text("#problems") == ""
    # The worker's own loads went through the same interception (so nothing could leave unseen).
    assert any(url.endswith("pyodide/pyodide.asm.wasm") for url in requested)
    assert any(re.search(r"python/lark-[\d.]+-py3-none-any\.whl$", url) for url in requested)


def test_answering_a_fact_moves_a_question_from_pending_to_applies_and_explain_says_why(studio):
    page = studio
    page.click("[role=tab][data-tab=case]")
    page.select_option("#examples", "")
    question = page.locator(".question[data-question='X 1']")
    question.wait_for()
    assert question.get_attribute("data-status") == "pending"
    page.select_option("#fact-terminated", "false")  # a case still running: inspected, so routed
    page.select_option("#fact-court_report", "true")
    page.wait_for_function("() => document.querySelector(\".question[data-question='X 1']\").dataset.status === 'applies'",
                           timeout=CHECK_TIMEOUT)
    assert question.locator(".status").inner_text() == "applies"
    question.locator(".qid").click()
    page.wait_for_selector("#explain:not([hidden])")
    assert "It applies" in page.inner_text("#explain pre")

    page.select_option("#examples", "community_no_suspension")
    page.wait_for_function("() => document.querySelector('#case-type').textContent === 'Case type: core'",
                           timeout=CHECK_TIMEOUT)


def test_the_tests_lint_and_diff_show_what_the_command_line_prints(studio):
    page = studio
    page.click("[role=tab][data-tab=checks]")

    page.click("#run-test")
    page.wait_for_selector("#output-test", timeout=CHECK_TIMEOUT)
    output = page.inner_text("#output-test")
    assert "PASS questions/case_facts.carag:" in output and "FAIL" not in output
    assert page.inner_text("#check-output .exit") == "carag test: exit status 0"

    page.click("#run-lint")
    page.wait_for_selector("#output-lint", timeout=CHECK_TIMEOUT)
    assert "no findings" in page.inner_text("#output-lint")

    # An edit that changes the routing: X 1 then applies to every case, whatever the court report.
    open_file(page, FILE)
    end_of_line(page, LINE)
    page.keyboard.type(" or true")
    wait_for_status(page, r"^ok \(58 questions\)$")
    page.click("#run-diff")
    page.wait_for_selector("#output-diff", timeout=CHECK_TIMEOUT)
    diff = page.inner_text("#output-diff")
    assert "X 1" in diff and "No routing change" not in diff
    assert page.inner_text("#check-output .exit") == "carag diff: exit status 1"


def test_the_zip_holds_the_rule_folder_with_the_edit_and_the_handbook_is_of_the_edited_rules(studio):
    page = studio
    open_file(page, "03_assessment.carag")
    page.click(".cm-content")
    page.keyboard.press("Control+Home")
    page.keyboard.type("# edited in the studio\n")
    wait_for_status(page, r"^ok \(58 questions\)$")
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename == "questions.zip"
    with zipfile.ZipFile(download.value.path()) as zipped:
        names = set(zipped.namelist())
        edited = zipped.read("questions/03_assessment.carag").decode("utf-8")
    assert {"questions/carag.carag", "questions/tests/question_routes.carag", "questions/examples/nothing_known_yet.json"} <= names
    assert edited == "# edited in the studio\n" + (REPOSITORY / "questions/03_assessment.carag").read_text(encoding="utf-8")

    # The handbook of the rules as edited: X 1's text changed shows in it, and its search box works.
    open_file(page, FILE)
    end_of_line(page, LINE - 2)  # the end of X 1's text "..."
    page.keyboard.press("ArrowLeft")
    page.keyboard.type(" (edited)")
    wait_for_status(page, r"^ok \(58 questions\)$")
    page.click("[role=tab][data-tab=handbook]")
    page.click("#run-handbook")
    handbook = page.frame_locator("#handbook")
    handbook.get_by_text("support public protection in this case? (edited)").wait_for(timeout=CHECK_TIMEOUT)
    handbook.locator("#search").fill("X 1")
    handbook.locator("#search-count").filter(has_text=re.compile(r"^\d+ questions? found$")).wait_for(timeout=CHECK_TIMEOUT)


def test_an_edit_is_kept_across_a_reload_and_carried_by_a_shared_link_into_another_browser(studio_url):
    with offline_page(studio_url) as (page, refused, _, errors):
        open_studio(page, studio_url)
        open_file(page, FILE)
        end_of_line(page, LINE)
        page.keyboard.type("x")
        wait_for_status(page, "^1 error$")

        page.reload()
        page.wait_for_selector(READY, timeout=START_TIMEOUT)
        assert page.text_content("#status") == "1 error"
        open_file(page, FILE)
        assert editor_line(page, LINE).inner_text().strip() == "applies when court_reportx"
        assert "edited" in page.get_attribute(f"#files button[data-file='{FILE}']", "class").split()

        page.click("#share")
        link = page.input_value("#share-link")
        assert link.startswith(studio_url + "#edit=") and "court_reportx" not in link  # compressed, in the fragment
        assert refused == [] and errors == []

    with offline_page(studio_url) as (page, refused, _, errors):  # a new context: no storage of the first
        open_studio(page, link)
        assert page.text_content("#status") == "1 error"
        open_file(page, FILE)
        assert editor_line(page, LINE).inner_text().strip() == "applies when court_reportx"
        assert "#edit=" not in page.url  # taken into this browser's storage, not left in the address bar
        assert refused == [] and errors == []


def test_hover_completion_definition_and_formatting_come_from_the_language_server(studio):
    page = studio
    page.wait_for_selector("body[data-warm=true]", timeout=START_TIMEOUT)
    open_file(page, FILE)
    word = editor_line(page, LINE).get_by_text("court_report")
    word.hover()
    tooltip = page.wait_for_selector(".cm-tooltip-hover", timeout=CHECK_TIMEOUT)
    assert "fact court_report: bool" in tooltip.inner_text()

    end_of_line(page, LINE)
    page.keyboard.type(" or mapp")
    page.keyboard.press("Control+Space")
    option = page.locator(".cm-tooltip-autocomplete li", has_text=re.compile(r"^mappa")).first
    option.wait_for(timeout=CHECK_TIMEOUT)
    option.click()  # not Enter: a list still being filled when Enter comes lets it through as a new line
    page.wait_for_function(f"() => document.querySelectorAll('.cm-content .cm-line')[{LINE - 1}].textContent.trim() === 'applies when court_report or mappa'",
                           timeout=CHECK_TIMEOUT)

    # Go to definition (F12) on court_report: case_facts.carag, at its declaration.
    word.click()
    page.keyboard.press("F12")
    page.wait_for_function("() => document.querySelector('#file-name').textContent.endsWith('case_facts.carag')",
                           timeout=CHECK_TIMEOUT)
    cursor_line = page.evaluate("() => document.querySelector('.cm-activeLine').textContent")
    assert cursor_line.startswith("fact court_report")

    # Formatting: a line indented wrongly is laid out again as carag fmt does.
    open_file(page, FILE)
    end_of_line(page, LINE)
    page.keyboard.press("Home")
    page.keyboard.type("   ")
    wait_for_status(page, r"^ok \(58 questions\)$")
    assert editor_line(page, LINE).inner_text().startswith("       applies")
    page.click("#format")
    page.wait_for_function(f"() => document.querySelectorAll('.cm-content .cm-line')[{LINE - 1}].textContent.startsWith('    applies')",
                           timeout=CHECK_TIMEOUT)
