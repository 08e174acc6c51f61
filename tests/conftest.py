"""Shared test settings: a bounded Hypothesis budget so the property suite stays fast.

Property tests run 50 examples each by default (the 'ci' profile). Run more
locally with ``pytest --hypothesis-profile=thorough`` (500 examples each).
"""

import os
import shutil
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, settings

# Tests write only in temporary folders: carag's rule cache (under XDG_CACHE_HOME) and npm's download cache go
# to one folder for the run, removed at its end, for the test process and every command it starts. Set here,
# at import, because test modules load rule sets as they are collected.
_RUN_CACHE = tempfile.mkdtemp(prefix="carag-tests-cache-")
os.environ["XDG_CACHE_HOME"] = _RUN_CACHE
os.environ["npm_config_cache"] = os.path.join(_RUN_CACHE, "npm")


def pytest_unconfigure(config):
    shutil.rmtree(_RUN_CACHE, ignore_errors=True)

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=500)
settings.load_profile("ci")


@pytest.fixture(autouse=True, scope="session")
def _rule_sets_are_not_looked_for_above_the_test_folders(tmp_path_factory):
    """Commands run without RULES in a test's folder look for a rule set there and above (see
    carag_dsl.language.loader.choose_rules); a stray .carag file in the system's temporary folder
    must not change what they find, so the search stops at pytest's base folder (subprocesses too)."""
    os.environ["CARAG_CEILING_DIRECTORIES"] = str(tmp_path_factory.getbasetemp())


def pytest_terminal_summary(terminalreporter):
    """The size of the studio the browser tests built (CI reports it: the page's weight is a number to watch)."""
    studio_env = sys.modules.get("studio_env")
    for line in getattr(studio_env, "BUILT", []):
        terminalreporter.write_line(f"carag studio: {line}")
