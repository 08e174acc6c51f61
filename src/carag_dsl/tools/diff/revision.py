"""Rule files as they were at a git revision, read with ``git ls-tree`` and ``git show`` (no checkout).

``carag diff --git REV RULES`` compares the working copy of RULES with the
same path at REV. The revision's ``.carag`` files are written into a
temporary folder with the repository's layout, so includes resolve as they did
at that revision and the working tree (and its index) is never touched. It
works in any clone, shallow or not, as long as REV is in it.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

from carag_dsl.errors import UsageError


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("--git needs the git program, and it is not installed (or not on PATH)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {' '.join(args)} failed: {message[-1] if message else 'no reason given'}")
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

    Every ``.carag`` file of the revision is copied (rule files are small, and an
    include may reach outside the RULES folder). UsageError when git fails, the
    revision is unknown, or RULES did not exist at that revision.
    """
    repository = _repository_of(rules)
    relative = rules.resolve().relative_to(repository.resolve())
    # Resolve the revision first, so a typo gets git's own words rather than an empty listing.
    commit = _git(repository, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
    listing = _git(repository, "ls-tree", "-r", "-z", "--name-only", commit).decode("utf-8", "surrogateescape")
    files = [name for name in listing.split("\0") if name.endswith(".carag")]
    prefix = "" if str(relative) == "." else relative.as_posix()
    if prefix and not any(name == prefix or name.startswith(prefix.rstrip("/") + "/") for name in files):
        raise UsageError(f"{prefix} has no rule files at revision {revision}")
    with tempfile.TemporaryDirectory(prefix="carag-diff-") as folder:
        root = Path(folder)
        for name in files:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_git(repository, "show", f"{commit}:{name}"))
        yield root, root / relative, relative.as_posix()
