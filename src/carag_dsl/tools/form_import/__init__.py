"""Submissions of the exported forms read back as carag cases (``carag import``, ``--from`` of eval and rate).

Two sources, one shape: each reader gives ``(number, case, None)`` or
``(number, None, what is wrong)`` per submission, as the case readers of
:mod:`carag_dsl.runtime.caseinput` do, so a bad submission is reported at its
place and the others are read.

- :mod:`.surveyjs`: SurveyJS results (``survey.data``), one JSON object, a JSON
  array of them or JSON Lines;
- :mod:`.odk`: the table ODK Central and KoboToolbox export for a form made by
  ``carag export xlsform`` (CSV, the ``.zip`` ODK Central downloads, or XLSX).

Names go back to carag's through :class:`~carag_dsl.tools.forms.names.FieldNames`
and values through :mod:`carag_dsl.tools.forms.values`, the same tables the
export wrote the form with.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules
    from carag_dsl.tools.form_import.common import SubmissionFileError, Submissions

#: ``carag import SOURCE`` and ``--from SOURCE``: what each reads.
SOURCES = {
    "surveyjs": "SurveyJS results (survey.data): a JSON object, a JSON array of them or JSON Lines",
    "odk": "an ODK Central or KoboToolbox export of the XLSForm (CSV, ODK Central's .zip, or XLSX)",
}

__all__ = ["SOURCES", "SubmissionFileError", "Submissions", "read_submissions"]


def __getattr__(name: str) -> Any:
    """The readers' shared classes, imported on first use: ``carag eval`` names SOURCES in its --help
    without reading any submission (the forms' tables take a while to build)."""
    if name in ("SubmissionFileError", "Submissions"):
        from carag_dsl.tools.form_import import common

        return getattr(common, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_submissions(rules: "CheckedRules", source: str, path: str, stream: IO[bytes] | None) -> Submissions:
    """The submissions of ``path`` (``stream``: the opened file, or standard input for '-') as cases.

    Raises SubmissionFileError when the file as a whole cannot be read (an XLSForm export whose columns are not
    the form's, a ZIP without its table), UsageError for an unknown source.
    """
    if source == "surveyjs":
        from carag_dsl.tools.form_import.surveyjs import read_surveyjs

        return read_surveyjs(rules, path, stream)
    if source == "odk":
        from carag_dsl.tools.form_import.odk import read_odk

        return read_odk(rules, path, stream)
    from carag_dsl.errors import UsageError

    raise UsageError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")
