"""SurveyJS results read back as cases: ``survey.data`` objects, one per submission.

A file holds one result object, a JSON array of them, or JSON Lines (one per
line); each is decoded and checked as case files are
(:mod:`carag_dsl.runtime.caseinput`: bad UTF-8, duplicate keys, ...). Keys are
the survey's question names (:class:`~carag_dsl.tools.forms.names.FieldNames`
with the SurveyJS spelling); a key the survey does not have is an error, as
is a value its question could not have given. SurveyJS data carries no case
id: a case is named by its place in the file (``results.json:element 3``).
"""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING, Any, Iterator

from carag_dsl.errors import did_you_mean, quoted
from carag_dsl.runtime.caseinput import BOM, MAX_ARRAY_BYTES, CaseInputError, case_lines, decode_case, iter_json_array, iter_jsonl
from carag_dsl.tools.form_import.common import CaseBuilder, Row, SubmissionFileError, Submissions, place_id
from carag_dsl.tools.forms.surveyjs import surveyjs_plan
from carag_dsl.tools.forms.values import surveyjs_value

if TYPE_CHECKING:
    from carag_dsl.compiler.ruleset import CheckedRules


def read_surveyjs(rules: "CheckedRules", path: str, stream: IO[bytes] | None) -> Submissions:
    if stream is None:
        raise SubmissionFileError(f"{path}: SurveyJS results are JSON; give a .json or .jsonl file")
    data = stream.read(MAX_ARRAY_BYTES + 1)
    if len(data) > MAX_ARRAY_BYTES:
        raise SubmissionFileError(f"{path}: larger than {MAX_ARRAY_BYTES:,} bytes, the most read at once; write the results as JSON Lines and split the file")
    kind, objects = _objects(data.removeprefix(BOM))
    _, names = surveyjs_plan(rules)
    fields = {field.form_name: field for field in names.fields()}
    calculated = names.calculated()
    return Submissions(kind, (_case(number, value, wrong, fields, calculated, path, kind) for number, value, wrong in objects))


def _objects(data: bytes) -> tuple[str, Iterator[Row]]:
    """("array", elements) for a JSON array; ("jsonl", [(1, object)]) for one object, even over many lines; else JSON Lines."""
    if data.lstrip().startswith(b"["):
        return "array", iter_json_array(io.BytesIO(data))
    try:
        return "jsonl", iter([(1, decode_case(data, limit=len(data)), None)])
    except CaseInputError:
        return "jsonl", iter_jsonl(case_lines(io.BytesIO(data)))


def _case(number: int, data: Any, wrong: str | None, fields, calculated: set[str], path: str, kind: str) -> Row:
    if wrong is not None:
        return number, None, wrong
    if not isinstance(data, dict):
        return number, None, f"a SurveyJS result is a JSON object of question name → value (survey.data), not {quoted(data, 40)}"
    built = CaseBuilder(place_id(path, kind, number))
    for name, value in data.items():
        field = fields.get(name)
        if field is not None:
            built.put(field, *surveyjs_value(field.type, value))
        elif name not in calculated:  # a calculated value kept in the result (includeIntoResult) is the form's, not data
            built.wrong(f"{name!r} is not a question or fact of the survey made from these rules{did_you_mean(name, fields)}")
    return built.row(number)
