"""The parser cache never unpickles a file another user could have written (issue 11, point 1)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from lark import Lark

from carag_dsl.language.parser import LARK_OPTIONS
from carag_dsl.language.private_cache import CACHE_FOLDER_NAME
from carag_dsl.language.resources import grammar_path

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners are a POSIX notion")


class _Planted:
    """Unpickling this creates the file named in it: proof that a planted cache file was loaded."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _plant(path: Path, marker: Path, header: bytes = b"") -> None:
    path.write_bytes(header + pickle.dumps(_Planted(marker)) + pickle.dumps(_Planted(marker)))


def _check_in_subprocess(tmp_path: Path, cache_home: Path) -> None:
    rules = tmp_path / "r.carag"
    rules.write_text("fact a: bool\n", encoding="utf-8")
    env = dict(os.environ, TMPDIR=str(tmp_path / "shared-tmp"), XDG_CACHE_HOME=str(cache_home))
    done = subprocess.run([sys.executable, "-m", "carag_dsl", "check", str(rules)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _lark_shared_cache_file(shared_tmp: Path) -> Path:
    """The file Lark's own ``cache=True`` reads for our grammar: let Lark write it once to learn its name."""
    env_before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(shared_tmp)
    import tempfile

    tempfile.tempdir = None
    try:
        Lark(grammar_path().read_text(encoding="utf-8"), **LARK_OPTIONS, cache=True)  # the order Lark hashes
    finally:
        if env_before is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = env_before
        tempfile.tempdir = None
    (written,) = shared_tmp.glob(".lark_cache_*")
    return written


def test_a_cache_file_planted_in_the_shared_tmp_folder_is_never_loaded(tmp_path):
    shared_tmp = tmp_path / "shared-tmp"
    shared_tmp.mkdir()
    planted = _lark_shared_cache_file(shared_tmp)
    marker = tmp_path / "planted-code-ran"
    # Keep Lark's header line (the grammar's hash), so Lark itself would accept the file and unpickle it.
    header = planted.read_bytes().split(b"\n", 1)[0] + b"\n"
    _plant(planted, marker, header)
    _check_in_subprocess(tmp_path, tmp_path / "cache")
    assert not marker.exists()


@pytest.mark.parametrize("opened", ["folder", "file"])
def test_a_cache_others_can_write_is_not_used(tmp_path, opened):
    cache_home = tmp_path / "cache"
    _check_in_subprocess(tmp_path, cache_home)  # writes a good cache file
    folder = cache_home / CACHE_FOLDER_NAME
    (cached,) = folder.glob("parser-*.lark")
    marker = tmp_path / "planted-code-ran"
    _plant(cached, marker)
    if opened == "folder":
        folder.chmod(0o777)
    else:
        cached.chmod(0o666)
    _check_in_subprocess(tmp_path, cache_home)
    assert not marker.exists()


def test_a_symbolic_link_in_place_of_the_cache_folder_is_not_followed(tmp_path):
    cache_home = tmp_path / "cache"
    _check_in_subprocess(tmp_path, tmp_path / "elsewhere")
    (cache_home).mkdir()
    (cache_home / CACHE_FOLDER_NAME).symlink_to(tmp_path / "elsewhere" / CACHE_FOLDER_NAME)
    (cached,) = (tmp_path / "elsewhere" / CACHE_FOLDER_NAME).glob("parser-*.lark")
    marker = tmp_path / "planted-code-ran"
    _plant(cached, marker)
    _check_in_subprocess(tmp_path, cache_home)
    assert not marker.exists()


def test_the_private_cache_is_created_closed_to_others_and_reused(tmp_path):
    cache_home = tmp_path / "cache"
    _check_in_subprocess(tmp_path, cache_home)
    folder = cache_home / CACHE_FOLDER_NAME
    assert folder.stat().st_mode & 0o777 == 0o700
    (cached,) = folder.glob("parser-*.lark")
    assert cached.stat().st_mode & 0o077 == 0
    written = cached.stat().st_mtime_ns
    _check_in_subprocess(tmp_path, cache_home)
    assert cached.stat().st_mtime_ns == written  # read, not rebuilt
