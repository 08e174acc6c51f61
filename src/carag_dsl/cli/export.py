"""``carag export xlsform|surveyjs [RULES] --output FILE [--title TEXT] [--form-id ID]``: the routing as a form inspectors fill in."""

from __future__ import annotations

import json
from pathlib import Path

from carag_dsl.cli._common import add_rules_argument, load_rules
from carag_dsl.errors import UsageError
from carag_dsl.tools.forms import form_version, surveyjs_form, write_xlsform
from carag_dsl.tools.forms.xlsform import FORM_ID_LIMIT, form_id_problem

TARGETS = {
    "xlsform": ("an XLSForm workbook (.xlsx) for ODK Collect, Enketo, KoboToolbox", "FILE.xlsx"),
    "surveyjs": ("a SurveyJS survey (.json)", "FILE.json"),
}
#: The most characters of a title: ODK Collect's form list and KoboToolbox's project names show about this many.
TITLE_LIMIT = 255


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export", help="export the routing as a form: XLSForm (ODK, KoboToolbox) or SurveyJS",
        description="Write the rule set as a form whose questions show exactly when carag says they apply "
        "(hidden while pending). See docs/forms.md.",
    )
    targets = parser.add_subparsers(dest="target", metavar="TARGET", required=True)
    for target, (what, metavar) in TARGETS.items():
        sub = targets.add_parser(target, help=f"write {what}")
        add_rules_argument(sub)
        sub.add_argument("--output", "-o", metavar=metavar, required=True, help="the file to write")
        sub.add_argument("--title", metavar="TEXT", help="the form's title (default: the rule set's name)")
        if target == "xlsform":
            sub.add_argument("--form-id", metavar="ID",
                             help="the form id ODK and KoboToolbox know the form by, the same for every version of the rules "
                                  f"(default: the abbreviation in brackets that ends the rule set's name, else its first words; "
                                  f"letters, digits, '_', '-', '.', at most {FORM_ID_LIMIT} characters)")
        sub.set_defaults(run=run)


def run(args) -> int:
    output = Path(args.output)
    if output.is_dir():
        raise UsageError(f"--output {output}: this is a folder; give the file to write")
    title = _title(args.title)
    form_id = getattr(args, "form_id", None)
    if form_id is not None and form_id_problem(form_id):
        raise UsageError(f"--form-id {form_id!r}: {form_id_problem(form_id)}")
    if args.target == "xlsform":
        try:
            import openpyxl  # type: ignore[import-untyped]  # noqa: F401 -- only to say which extra brings it
        except ImportError:
            raise UsageError("carag export xlsform needs openpyxl: pip install 'carag-dsl[forms]'") from None
    rules = load_rules(args)
    try:
        if args.target == "xlsform":
            write_xlsform(rules, output, title=title, form_id=form_id)
        else:
            output.write_text(json.dumps(surveyjs_form(rules, title=title), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None
    print(f"wrote {output} ({len(rules.questions)} questions, rules version {form_version(rules)})")
    return 0


def _title(title: str | None) -> str | None:
    if title is None:
        return None
    if not title.strip() or any(character in title for character in "\r\n"):
        raise UsageError("--title: give the title as one line of text")
    if len(title) > TITLE_LIMIT:
        raise UsageError(f"--title: a title has at most {TITLE_LIMIT} characters; this one has {len(title)}")
    return title
