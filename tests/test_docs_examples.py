"""Documentation that cannot rot: every example in docs/*.md is run, and every diagnostic is catalogued.

Conventions for fenced blocks in the docs (see docs/index.md, "About these pages"):

- ```carag blocks must compile on their own. Preceded by ``<!-- with the CARaG -->`` they are
  compiled together with the bundled rule set (so they may use its facts and questions; a question, fact,
  defined name or case-type block in the example replaces the CARaG's own); preceded by
  ``<!-- expect: CODE -->`` (or ``<!-- expect: CODE with the CARaG -->``) they must be rejected with
  diagnostics of exactly that code.
  Preceded by ``<!-- excerpt: PATH -->`` they must appear, word for word, in that file of the repository.
  Test blocks (``test "..."``) in an example must pass against the rules it shows.
- ```python blocks are run, in order, as one script per page (later blocks see earlier ones); they
  assert what they show.
- ```console and ```sh blocks whose first line is ``$ carag ...`` are run from the repository root; the
  lines after a command, up to the next ``$``, are its expected output (stdout then stderr). A line
  ``...`` stands for any number of lines.
- ```json blocks must be valid JSON.
- Other blocks (```text, plain ```) are not run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

import carag_dsl
from carag_dsl.language import ast
from carag_dsl.language.loader import load_modules
from carag_dsl.language.parser import parse
from carag_dsl.language.resources import bundled_rules_path
from carag_dsl.api import RuleSet
from carag_dsl.compiler.ruleset import compile_modules

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SOURCE = ROOT / "src" / "carag_dsl"
FIXTURES = ROOT / "tests" / "fixtures" / "diagnostics"
CARAG = Path(sys.executable).parent / "carag"

FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)
MARKER = re.compile(r"<!--\s*(with the CARaG|expect:\s*[a-z-]+(?: with the CARaG)?|excerpt:\s*\S+)\s*-->\s*$")


@attrs.frozen
class Block:
    page: str
    line: int
    language: str
    body: str
    marker: str | None  # "with the CARaG", "expect: CODE", "excerpt: PATH" or None
    section: str  # the nearest heading above

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"


def blocks_of(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()]
        line = before.count("\n") + 1
        previous = before.rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(previous)
        headings = re.findall(r"^#+ (.*)$", before, re.M)
        found.append(Block(path.name, line, match.group(1), match.group(2), marker.group(1) if marker else None, headings[-1] if headings else ""))
    return found


PAGES = sorted(DOCS.glob("*.md"))
ALL_BLOCKS = [block for page in PAGES for block in blocks_of(page)]


def by_language(*languages):
    return [pytest.param(b, id=b.name) for b in ALL_BLOCKS if b.language in languages]


# ------------------------------------------------------------------ .carag examples


@pytest.fixture(scope="module")
def carag_modules():
    return load_modules(bundled_rules_path())


def declared_keys(item) -> str | None:
    """What a declaration declares, so an example can stand in for the CARaG's own declaration of it."""
    if isinstance(item, ast.QuestionDecl):
        return "question:" + item.id
    if isinstance(item, ast.InspectionQuestionDecl):
        return "inspection:" + item.id
    if isinstance(item, (ast.FactDecl, ast.DefineDecl, ast.GroupingDecl)):
        return "name:" + item.name
    if isinstance(item, ast.CaseTypeDecl):
        return "case type"
    return None


def compile_example(block: Block, carag_modules):
    """Compile an example on its own, or with the CARaG, where its declarations replace the CARaG's of the same name."""
    example = parse(block.body, f"{block.page}:{block.line}")
    if not (block.marker or "").endswith("with the CARaG"):
        return compile_modules([example], RuleSet)
    replaced = {declared_keys(item) for item in example.items} - {None}
    kept = [attrs.evolve(m, items=tuple(i for i in m.items if declared_keys(i) not in replaced)) for m in carag_modules]
    return compile_modules(kept + [example], RuleSet)


@pytest.mark.parametrize("block", by_language("carag"))
def test_carag_example_in_the_docs_compiles_gives_its_documented_error_or_matches_its_source(block, carag_modules):
    if block.marker and block.marker.startswith("excerpt:"):
        source = ROOT / block.marker.split(":", 1)[1].strip()
        assert block.body in source.read_text(encoding="utf-8"), f"{block.name} is no longer an excerpt of {source.relative_to(ROOT)}"
    elif block.marker and block.marker.startswith("expect:"):
        code = block.marker.split(":", 1)[1].split()[0]
        with pytest.raises(carag_dsl.RuleError) as raised:
            compile_example(block, carag_modules)
        assert {d.code for d in raised.value.diagnostics} == {code}, raised.value.render()
    else:
        ruleset = compile_example(block, carag_modules)
        # The example's own test blocks must pass against the rules it shows (not the CARaG's own tests).
        from carag_dsl.tools.rule_tests import run_test

        own_tests = [item for item in parse(block.body).items if isinstance(item, ast.TestDecl)]
        for test in own_tests:
            outcome = run_test(ruleset, test)
            assert outcome.passed, f"{block.name}: test {test.name!r} fails: {outcome.failures}"


# ------------------------------------------------------------------ python examples


def python_pages():
    pages = {}
    for block in ALL_BLOCKS:
        if block.language == "python":
            pages.setdefault(block.page, []).append(block)
    return [pytest.param(blocks, id=page) for page, blocks in sorted(pages.items())]


@pytest.mark.parametrize("blocks", python_pages())
def test_python_examples_in_the_docs_run(blocks, tmp_path):
    # Run as a separate program, as a reader would; the file keeps a comment per block so a
    # traceback points at the block (docs page and line).
    script = "".join(f"# --- {b.name}\n{b.body}\n" for b in blocks)
    program = tmp_path / "example.py"
    program.write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, str(program)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        lines = script.splitlines()
        failed = re.findall(r'example\.py", line (\d+)', done.stderr)
        where = ""
        if failed:
            number = int(failed[-1])
            markers = [line for line in lines[:number] if line.startswith("# --- ")]
            where = f" in the block at {markers[-1][6:]}" if markers else ""
        pytest.fail(f"python example failed{where}:\n{done.stderr}")


# ------------------------------------------------------------------ command-line examples


def parse_session(body: str) -> list[tuple[str, list[str]]]:
    """[(command, expected output lines)] from a console block."""
    session: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            session.append((line[2:], []))
        elif session:
            session[-1][1].append(line)
    return session


def output_matches(expected: list[str], actual: list[str]) -> bool:
    pattern = "".join(r"(?:[^\n]*\n)*?" if line == "..." else re.escape(line) + r"\n" for line in expected)
    return re.fullmatch(pattern, "".join(line + "\n" for line in actual)) is not None


def console_blocks():
    return [pytest.param(b, id=b.name) for b in ALL_BLOCKS if b.language in ("console", "sh") and b.body.startswith("$ carag ")]


@pytest.mark.parametrize("block", console_blocks())
def test_command_line_examples_in_the_docs_print_what_the_docs_show(block):
    for command, expected in parse_session(block.body):
        argv = shlex.split(command)
        assert argv[0] == "carag", f"{block.name}: only carag commands are run, not {argv[0]!r}"
        done = subprocess.run([str(CARAG), *argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=120)
        actual = (done.stdout + done.stderr).rstrip("\n").splitlines()
        while expected and expected[-1] == "":
            expected = expected[:-1]
        if expected:
            assert output_matches(expected, actual), f"{block.name}: `{command}` printed:\n" + "\n".join(actual)
        else:
            assert done.returncode == 0, f"{block.name}: `{command}` failed:\n{done.stderr}"


@pytest.mark.parametrize("block", by_language("json"))
def test_json_examples_in_the_docs_are_valid_json(block):
    json.loads(block.body)


def test_the_example_conventions_are_enforced_on_a_sample_page(tmp_path):
    page = tmp_path / "sample.md"
    page.write_text(
        "# Title\n\n<!-- expect: unknown-name -->\n```carag\ndefine x = nowhere\n```\n\n"
        "```console\n$ carag check\n...\n```\n"
    )
    first, second = blocks_of(page)
    assert (first.language, first.marker, first.line, first.body) == ("carag", "expect: unknown-name", 4, "define x = nowhere\n")
    assert (second.language, second.marker) == ("console", None)
    assert parse_session(second.body) == [("carag check", ["..."])]
    assert output_matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert not output_matches(["a", "d"], ["a", "b", "d"])


# ------------------------------------------------------------------ the diagnostics catalogue

CALL = re.compile(r"(?:Diagnostic|error|RefusedFile)\(")  # also self._error(...), and the loader's refusals
CODE = re.compile(r"[a-z]+(?:-[a-z]+)*")


def first_code_argument(text: str, start: int) -> str | None:
    """The first plain string argument of the call whose '(' is at ``start``, when it looks like a code."""
    depth, index = 0, start
    while index < len(text):
        char = text[index]
        if char in "\"'":
            quote = text[index:index + 3] if text[index:index + 3] in ('"""', "'''") else char
            end = text.index(quote, index + len(quote))
            literal = text[index + len(quote):end]
            prefixed = text[index - 1].isalpha()  # f"...", r"..."
            if depth == 1 and not prefixed and CODE.fullmatch(literal):
                return literal
            index = end + len(quote)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return None
        index += 1
    return None


def codes_in_source() -> set[str]:
    """Every diagnostic code the compiler can emit: the code strings given to Diagnostic(...), error(...), RefusedFile(...)."""
    codes = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in CALL.finditer(text):
            code = first_code_argument(text, match.end() - 1)
            if code is not None:
                codes.add(code)
    return codes


def catalogue() -> dict[str, list[Block]]:
    """Code -> the example blocks of its entry in docs/diagnostics.md (entries are '### `code`' headings)."""
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    entries = {}
    for code in re.findall(r"^### `([a-z-]+)`\s*$", text, re.M):
        entries[code] = [b for b in blocks_of(DOCS / "diagnostics.md") if b.section == f"`{code}`"]
    return entries


def test_the_source_scan_finds_the_codes_of_every_pass():
    found = codes_in_source()
    # one from each module that reports diagnostics, so a broken scan cannot pass silently
    assert {"syntax", "bad-date", "duplicate-declaration", "unknown-name", "dependency-cycle", "no-root", "duplicate-include"} <= found


def test_every_diagnostic_code_in_the_source_has_a_catalogue_entry():
    missing = sorted(codes_in_source() - set(catalogue()))
    assert missing == [], f"add these to docs/diagnostics.md: {missing}"


def test_the_catalogue_lists_no_code_the_compiler_cannot_emit():
    assert sorted(set(catalogue()) - codes_in_source()) == []


def test_every_catalogue_entry_shows_a_checked_example_of_its_diagnostic():
    for code, blocks in catalogue().items():
        shown = [b for b in blocks if (b.marker or "").startswith(f"expect: {code}") or (b.language == "console" and code in b.body)]
        assert shown, f"the entry for {code} in docs/diagnostics.md has no example producing it"


def fixture_of(code: str) -> Path | None:
    for candidate in (FIXTURES / f"{code}.carag", FIXTURES / code):
        if candidate.exists():
            return candidate
    return None


def test_every_diagnostic_code_in_the_source_has_a_fixture():
    missing = sorted(code for code in codes_in_source() if fixture_of(code) is None)
    assert missing == [], f"add tests/fixtures/diagnostics/<code>.carag for: {missing}"


@pytest.mark.parametrize("code", sorted(codes_in_source()))
def test_diagnostic_fixture_produces_exactly_its_code(code):
    path = fixture_of(code)
    if path is None:
        pytest.fail(f"no fixture for {code}")
    # As `carag test` reads a rule set: its files, then the test-only files in RULES/tests/.
    from carag_dsl.tools.rule_tests import load_tests

    try:
        found = load_tests(path)[0].warnings  # a warning code: the rules are valid, with the warning
    except carag_dsl.RuleError as error:
        found = error.diagnostics
    assert {d.code for d in found} == {code}, "\n".join(d.render() for d in found)


# ------------------------------------------------------------------ the site


def test_documentation_site_builds_strictly_with_every_page_in_the_nav(tmp_path):
    """`mkdocs build --strict` fails on a broken link, a missing anchor or a page left out of the nav."""
    if importlib.util.find_spec("mkdocs") is None:
        if os.environ.get("CI"):  # CI installs the docs extra: a missing mkdocs there is a failure
            pytest.fail("mkdocs is not installed, but CI must build the docs (pip install -e '.[docs]')")
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr and "warning" not in done.stderr.lower(), done.stderr
    assert (tmp_path / "site" / "diagnostics" / "index.html").exists()
    # The site works offline: no script or style sheet is fetched from elsewhere.
    for page in (tmp_path / "site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'<script[^>]+src="https?:|<link[^>]+href="https?:[^"]*\.css', html), page
