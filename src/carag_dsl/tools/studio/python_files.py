"""The Python the page runs: carag's own package, and wheels of its pure-Python dependencies.

Pyodide's packages normally come from a CDN; the studio takes none of them.
The dependencies are pinned here and fetched by pip into the build cache when
the studio is built (never when the page runs); packages published only as
source or with compiled wheels (dd, astutils) are built by pip as pure-Python
wheels. carag itself is archived from the package this command runs, with its
grammar, so the page checks with the very code of the command line.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from carag_dsl.errors import UsageError
from carag_dsl.language.resources import grammar_path

# The core (lark, attrs, networkx), the language server's types (lsprotocol, cattrs) for hover, completion and
# definitions, and dd's pure-Python BDDs (with astutils and ply) for lint and diff.
BROWSER_REQUIREMENTS = (
    "lark==1.3.1", "attrs==26.1.0", "networkx==3.6.1",
    "lsprotocol==2025.0.0", "cattrs==26.2.1", "typing_extensions==4.16.0",
    "dd==0.6.0", "astutils==0.0.6", "ply==3.11",
)
_BUILT_FROM_SOURCE = ("dd", "astutils")  # dd's wheels carry CUDD compiled for one platform; astutils has none
_PACKAGE = Path(__file__).resolve().parents[2]  # carag_dsl/


def dependency_wheels(cache: Path) -> list[Path]:
    """The wheels of :data:`BROWSER_REQUIREMENTS`, from the cache or fetched by pip into it; all pure Python."""
    folder = cache / ("studio-wheels-" + hashlib.sha256("\n".join(BROWSER_REQUIREMENTS).encode()).hexdigest()[:16])
    done = folder / ".carag-complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-binary", ",".join(_BUILT_FROM_SOURCE),
                   "--wheel-dir", str(folder), *BROWSER_REQUIREMENTS]
        ran = subprocess.run(command, capture_output=True, text=True)
        if ran.returncode != 0:
            raise UsageError("pip could not fetch the wheels the studio's page runs (" + ", ".join(BROWSER_REQUIREMENTS)
                             + f"):\n{ran.stderr[-3000:]}")
        done.touch()
    wheels = sorted(folder.glob("*.whl"))
    compiled = [w.name for w in wheels if not w.name.endswith("-none-any.whl")]
    if compiled:
        raise UsageError(f"these wheels are not pure Python and cannot run in the page: {', '.join(compiled)}")
    return wheels


def carag_archive(output: Path) -> Path:
    """carag's package as a zip to unpack into the page's site-packages: its modules and its grammar."""
    try:
        release = version("carag-dsl")
    except PackageNotFoundError:
        release = "0+unknown"
    archive = output / f"carag_dsl-{release}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in sorted(_PACKAGE.rglob("*")):
            relative = file.relative_to(_PACKAGE)
            if file.is_dir() or "__pycache__" in relative.parts or relative.parts[0] == "_data" or file.suffix == ".pyc":
                continue
            zipped.write(file, f"carag_dsl/{relative.as_posix()}")
        zipped.write(grammar_path(), "carag_dsl/_data/carag.lark")
    return archive
