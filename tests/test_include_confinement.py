"""Includes read only regular .carag files inside the rule set's folder, and refusals never show the file (issue 11, points 3, 6, 12)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from carag_dsl import RuleError, load
from carag_dsl.language import loader

HEADER = 'ruleset "R" version "1" published 2025-01-01\n'
posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX files (FIFOs, /proc, /dev)")


def rule_set(folder: Path, include: str, root_text: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    root = folder / "root.carag"
    root.write_text(HEADER + f'include "{include}"\n' + root_text, encoding="utf-8")
    return root


def refusal(root: Path) -> tuple[str, str]:
    """(code, rendered text) of the one error loading ``root`` gives."""
    with pytest.raises(RuleError) as raised:
        load(root)
    (diagnostic,) = raised.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 1)  # at the include
    return diagnostic.code, raised.value.render()


@posix_only
def test_an_include_of_proc_self_environ_is_refused_without_printing_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CARAG_TEST_SECRET", "s3cr3t-value-never-printed")
    code, text = refusal(rule_set(tmp_path, "/proc/self/environ"))
    assert code == "include-outside" and "s3cr3t" not in text


def test_an_include_climbing_out_of_the_folder_is_refused_without_printing_the_file(tmp_path):
    outside = tmp_path / "private.carag"
    outside.write_text("this is private text, not rules\n", encoding="utf-8")
    code, text = refusal(rule_set(tmp_path / "rules", "../private.carag"))
    assert code == "include-outside" and "private text" not in text
    code, _ = refusal(rule_set(tmp_path / "rules", "../../../../../../../../etc/passwd"))
    assert code == "include-outside"


@posix_only
def test_a_symbolic_link_leading_out_of_the_folder_is_refused(tmp_path):
    (tmp_path / "secret.carag").write_text("fact leaked: bool\n", encoding="utf-8")
    root = rule_set(tmp_path / "rules", "inner.carag")
    (tmp_path / "rules" / "inner.carag").symlink_to(tmp_path / "secret.carag")
    assert refusal(root)[0] == "include-outside"


@posix_only
def test_devices_and_files_that_are_not_carag_are_refused(tmp_path):
    assert refusal(rule_set(tmp_path, "/dev/zero"))[0] == "include-outside"
    (tmp_path / "notes.txt").write_text("fact a: bool\n", encoding="utf-8")
    assert refusal(rule_set(tmp_path, "notes.txt"))[0] == "not-a-rule-file"
    (tmp_path / "folder.carag").mkdir()
    assert refusal(rule_set(tmp_path, "folder.carag"))[0] == "not-a-rule-file"


def _check_with_timeout(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "carag_dsl", "check", str(path)], capture_output=True, text=True, timeout=60)


@posix_only
def test_a_fifo_named_carag_is_refused_not_waited_on(tmp_path):
    root = rule_set(tmp_path, "pipe.carag")
    os.mkfifo(tmp_path / "pipe.carag")
    done = _check_with_timeout(root)  # reading the FIFO hung for ever before
    assert done.returncode == 1 and "not-a-rule-file" not in done.stderr  # codes are not printed, words are
    assert "it is not a regular file" in done.stderr and "Traceback" not in done.stderr


def test_a_file_past_the_size_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_RULE_FILE_BYTES", 1000)
    root = rule_set(tmp_path, "big.carag")
    (tmp_path / "big.carag").write_text("# filler\n" * 200, encoding="utf-8")
    code, text = refusal(root)
    assert code == "unreadable-file" and "larger than" in text and "filler" not in text


def test_a_nul_character_in_an_include_path_is_a_located_error(tmp_path):
    code, text = refusal(rule_set(tmp_path, "a\\0b.carag".replace("\\0", "\0")))  # ValueError escaped before
    assert code == "unreadable-file" and "NUL" in text and "\0" not in text


@posix_only
def test_a_loop_of_symbolic_links_is_a_located_error(tmp_path):
    root = rule_set(tmp_path, "a.carag")
    os.symlink("b.carag", tmp_path / "a.carag")
    os.symlink("a.carag", tmp_path / "b.carag")
    code, text = refusal(root)  # RuntimeError ("Symlink loop") escaped before
    assert code == "unreadable-file" and "symbolic links" in text


def test_a_utf8_byte_order_mark_at_the_start_of_a_rule_file_is_accepted(tmp_path):
    (tmp_path / "part.carag").write_text("\ufefffact b: bool\n", encoding="utf-8")
    root = rule_set(tmp_path, "part.carag")
    root.write_text("\ufeff" + root.read_text(encoding="utf-8"), encoding="utf-8")
    assert set(load(root).facts) == {"b"}


def test_includes_inside_subfolders_are_read(tmp_path):
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "one.carag").write_text("fact c: bool\n", encoding="utf-8")
    assert set(load(rule_set(tmp_path, "sections/one.carag")).facts) == {"c"}


@posix_only
def test_finding_the_root_of_a_section_file_reads_no_more_than_it_needs(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "a_root.carag").write_text(HEADER + 'include "section.carag"\n', encoding="utf-8")
    (folder / "section.carag").write_text("fact s: bool\n", encoding="utf-8")
    # A second root, after the first, whose include is a FIFO: reading it would wait for ever.
    (folder / "b_root.carag").write_text(HEADER + 'include "pipe.carag"\ninclude "../../../etc/passwd"\n', encoding="utf-8")
    os.mkfifo(folder / "pipe.carag")
    done = _check_with_timeout(folder / "section.carag")
    assert "Traceback" not in done.stderr
    assert "a_root.carag" in done.stderr or "ok" in done.stderr


def test_find_root_stops_reading_includes_at_the_file_it_looks_for(tmp_path, monkeypatch):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "a_root.carag").write_text(HEADER + 'include "section.carag"\n', encoding="utf-8")
    (folder / "section.carag").write_text("fact s: bool\n", encoding="utf-8")
    (folder / "b_root.carag").write_text(HEADER + 'include "sub/other.carag"\n', encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "other.carag").write_text("fact o: bool\n", encoding="utf-8")
    read: list[str] = []
    real_read = loader.read_rule_file
    monkeypatch.setattr(loader, "read_rule_file", lambda path: read.append(Path(path).name) or real_read(path))
    assert loader.find_root(folder / "section.carag").name == "a_root.carag"
    assert "other.carag" not in read
