"""docs/tutorial.md walked end to end on a copy of questions/: every edit it asks for, every command it runs.

The examples are read from the tutorial itself, so the tutorial cannot drift from what carag does.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from carag_dsl.cli import main
from carag_dsl.tools import regenerate

REPO = Path(__file__).resolve().parent.parent
TUTORIAL = (REPO / "docs" / "tutorial.md").read_text(encoding="utf-8")
USING = 'using rule set "Dynamic inspection of public protection. Case assessment rules and guidance (CARaG)" version 1.1 from questions/carag.carag'


def carag_blocks() -> list[str]:
    return re.findall(r"```carag\n(.*?)```", TUTORIAL, re.S)


def block_starting(first_line: str, containing: str = "") -> str:
    """The first carag block of the tutorial that starts with ``first_line`` and contains ``containing``."""
    return next(b for b in carag_blocks() if b.startswith(first_line) and containing in b)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_tutorial_walked_end_to_end_on_a_copy_of_the_rules(tmp_path, monkeypatch, capsys):
    shutil.copytree(REPO / "questions", tmp_path / "questions")
    monkeypatch.chdir(tmp_path)
    assert "cp -r questions questions-before" in TUTORIAL  # the copy carag diff compares with, kept before editing
    shutil.copytree(REPO / "questions", tmp_path / "questions-before")
    section_5 = tmp_path / "questions" / "05_implementation_and_delivery_information.carag"
    section_6 = tmp_path / "questions" / "06_implementation_and_delivery.carag"

    # Before any change: the rules check, and X 9 is explained as the tutorial shows.
    assert run(capsys, "check", "questions")[2].splitlines() == [USING, "questions: ok (58 questions, no known defect)"]
    status, out, _ = run(capsys, "explain", "--case", "questions/examples/licence_reset_day_56.json", "X 9")
    assert status == 0 and out.splitlines()[1] == "X 9: Was sufficient work delivered in respect of sexually harmful behaviour?"
    assert "It does not apply: the rule 'applies when [X 6] != not_a_factor or sexual_harm_factor_in_x4'" in out

    # 1-2. Read X 9, then change its rule to core cases only.
    original = block_starting('question "X 9"', "applies when [X 6] != not_a_factor or sexual_harm_factor_in_x4")
    changed = block_starting('question "X 9"', "Core cases where this is a factor")
    text = section_5.read_text(encoding="utf-8")
    assert original in text
    section_5.write_text(text.replace(original, changed), encoding="utf-8")
    # check proves the routing too: the new label is not in the vocabulary, as the tutorial shows.
    status, _, err = run(capsys, "check", "questions")
    shown = re.search(r"```text\n(questions/05[^\n]*)\(\.\.\.\)\n```", TUTORIAL).group(1)
    where, message = re.match(r"(\S+?):\d+:\d+: (.*)", shown).groups()  # the line moves as the CARaG is edited
    assert status == 1 and re.search(re.escape(where) + r":\d+:\d+: " + re.escape(message), err), err
    assert err.splitlines()[-1] == "1 error found"
    vocabulary = tmp_path / "questions" / "applicability.carag"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "\n" + block_starting('applicability "Core cases where'), encoding="utf-8")
    assert run(capsys, "check", "questions")[2].splitlines()[-1] == "questions: ok (58 questions, no known defect)"
    status, out, _ = run(capsys, "explain", "--case", "questions/examples/licence_reset_day_56.json", "X 9")
    assert "It does not apply: the rule 'applies when case_type == core and ([X 6] != not_a_factor or sexual_harm_factor_in_x4)'" in out

    # 3. Add the two new questions: their ids are new, so the rules still check, with two more questions.
    new_questions = [block_starting('question "2.5.51"', "guidance"), block_starting('question "2.5.52"')]
    before = section_6.read_text(encoding="utf-8")
    section_6.write_text(before + "\n" + "\n".join(new_questions), encoding="utf-8")
    assert "label-contradicts-rule]: question 2.5.51 has the label" in run(capsys, "check", "questions")[2]
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "\n" + block_starting('applicability "MAPPA cases where'), encoding="utf-8")
    assert run(capsys, "check", "questions")[2].splitlines()[-1] == "questions: ok (60 questions, no known defect)"

    # 4. The mistakes the tutorial shows are found, at the new question, with the words it quotes.
    for mistake, words in (("applies when mapa", "unknown name 'mapa' (did you mean 'mappa'?)"),
                           ("applies when sentence == core", "'core' is not an option of sentence")):
        wrong = block_starting('question "2.5.51"', mistake)
        section_6.write_text(before + "\n" + wrong, encoding="utf-8")
        status, _, err = run(capsys, "check", "questions")
        line = before.count("\n") + 1 + wrong.splitlines().index(next(l for l in wrong.splitlines() if mistake in l)) + 1
        assert status == 1 and f"questions/06_implementation_and_delivery.carag:{line}:18: error: {words}" in err, err
    # An id that is already taken: the error names both questions and blames neither.
    section_6.write_text(before + "\n" + new_questions[0].replace('"2.5.51"', '"2.5.48"'), encoding="utf-8")
    status, _, err = run(capsys, "check", "questions")
    assert status == 1 and "question '2.5.48' is declared twice, here and at questions/06_implementation_and_delivery.carag:" in err
    assert "if you are adding a question, give the new one an id no other question has" in err
    section_6.write_text(before + "\n" + "\n".join(new_questions), encoding="utf-8")

    # 5. The tests of the change pass, and carag test says which rule set it tested.
    tests = "test " + block_starting('question "X 9"', '\ntest "').split("\ntest ", 1)[1]
    (tmp_path / "questions" / "tests" / "x9_core_only.carag").write_text(tests, encoding="utf-8")
    status, out, _ = run(capsys, "test")
    broken = re.search(r"```text\n(FAIL .*?)\n```", TUTORIAL, re.S).group(1)
    assert status == 1 and broken in out and "1 failed" in out, out  # the existing test the tutorial says breaks
    fix = re.search(r"on a line after its name:\n`(facts [^`]*)`", TUTORIAL).group(1)
    routes = tmp_path / "questions" / "tests" / "question_routes.carag"
    name_line = 'test "{}"'.format(broken.splitlines()[0].split("  ", 1)[1])
    routes.write_text(routes.read_text(encoding="utf-8").replace(name_line, f"{name_line}\n    {fix}"), encoding="utf-8")
    status, out, _ = run(capsys, "test")
    assert status == 0, out
    assert out.splitlines()[0] == USING + " (found from the working directory)"
    for name in re.findall(r'^test "(.*)"$', tests, re.M):
        assert re.search(rf"^PASS questions/tests/x9_core_only.carag:\d+  {re.escape(name)}$", out, re.M), name
    assert "0 failed" in out

    # 6. carag diff against the copy kept before editing says what the change does, as the tutorial shows.
    status, out, _ = run(capsys, "diff", "questions-before", "questions")
    shown = re.search(r"Among what it prints, for the change to X 9:\n\n```text\n(.*?)```", TUTORIAL, re.S).group(1)
    assert status == 1 and shown in out, out
    assert "    for example {" in out.split("X 9: applies -> not applicable (new case type: adjusted)")[1]

    # 7. The routing change shows in the graph, and the compiled outputs are regenerated.
    status, out, _ = run(capsys, "graph", "--case-type", "core", "--format", "dot")
    assert status == 0 and '  "question:X 6" -> "question:X 9";' in out.splitlines()
    assert regenerate.main(["--output", "compiler"]) == 0
    assert regenerate.main(["--output", "compiler", "--check"]) == 0
    assert (tmp_path / "compiler" / "core.dot").read_text(encoding="utf-8") != (REPO / "compiler" / "core.dot").read_text(encoding="utf-8")
