"""Rule files as they were at a git revision, read with ``git ls-tree`` and ``git show`` (no checkout).

``carag diff --git REV RULES`` compares the working copy of RULES with the
same path at REV. The revision's ``.carag`` files of the RULES folder (a rule
set includes nothing outside its folder) are written into a temporary folder
with the repository's layout, so includes resolve as they did at that revision
and the working tree (and its index) is never touched; a committed symbolic link
is written as a link (when it points inside the copy), not as a file holding
the link's target. It works in any clone, shallow or not, as long as REV is in it.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

from carag_dsl.errors import UsageError


_SYMLINK = "120000"


def _git(cwd: Path, *args: str, failure: str | None = None) -> bytes:
    """git's output; UsageError with git's last line of error, or ``failure`` when git gives none."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("--git needs the git program, and it is not installed (or not on PATH)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if message:
            raise UsageError(f"git {' '.join(args)} failed: {message[-1]}")
        raise UsageError(failure or f"git {' '.join(args)} failed (exit status {done.returncode})")
    return done.stdout


def _repository_of(path: Path) -> Path:
    folder = path if path.is_dir() else path.parent
    if not folder.exists():
        raise UsageError(f"no such file or folder: {path}")
    try:
        top = _git(folder, "rev-parse", "--show-toplevel")
    except UsageError:
        raise UsageError(f"{path} is not inside a git repository, so --git cannot read an earlier revision of it") from None
    return Path(top.decode("utf-8").strip())


@contextlib.contextmanager
def rules_at_revision(revision: str, rules: Path) -> Iterator[tuple[Path, Path, str]]:
    """(the copy's root folder, the path of RULES in it, RULES's path in the repository) as RULES was at ``revision``.

    The ``.carag`` files of the RULES folder at the revision are copied (the folder of RULES when it is a
    file). UsageError when git fails, the revision is unknown, or RULES did not exist at that revision.
    """
    repository = _repository_of(rules)
    relative = rules.resolve().relative_to(repository.resolve())
    # Resolve the revision first, so a typo gets git's own words rather than an empty listing.
    commit = _git(repository, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}",
                  failure=f"unknown revision {revision!r}: no commit of this repository has that name").decode().strip()
    prefix = "" if str(relative) == "." else relative.as_posix()
    folder_prefix = prefix if rules.is_dir() else posixpath.dirname(prefix)
    scope = [folder_prefix] if folder_prefix else []
    listing = _git(repository, "ls-tree", "-r", "-z", commit, "--", *scope).decode("utf-8", "surrogateescape")
    entries = []  # (mode, object, name) of each .carag file of the folder
    for line in filter(None, listing.split("\0")):
        meta, _, name = line.partition("\t")
        mode, _, rest = meta.partition(" ")
        if name.endswith(".carag"):
            entries.append((mode, rest.split(" ")[-1], name))
    if prefix and not any(name == prefix or name.startswith(prefix.rstrip("/") + "/") for _, _, name in entries):
        raise UsageError(f"{prefix} has no rule files at revision {revision}")
    with tempfile.TemporaryDirectory(prefix="carag-diff-") as folder:
        root = Path(folder)
        for mode, obj, name in entries:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            content = _git(repository, "cat-file", "blob", obj)
            if mode == _SYMLINK:
                _link(root, target, content.decode("utf-8", "surrogateescape"))
            else:
                target.write_bytes(content)
        yield root, root / relative, relative.as_posix()


def _link(root: Path, target: Path, points_to: str) -> None:
    """A committed link written as a link, when it stays inside the copy (else left out, as a missing file)."""
    if os.path.isabs(points_to):
        return
    inside = os.path.normpath(os.path.join(os.path.dirname(target), points_to))
    if inside == str(root) or inside.startswith(str(root) + os.sep):
        os.symlink(points_to, target)
