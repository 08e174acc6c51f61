"""``carag export xlsform|surveyjs [RULES] --output FILE``: the routing as a form inspectors fill in."""

from __future__ import annotations

import json
from pathlib import Path

from carag_dsl.cli._common import add_rules_argument, load_rules
from carag_dsl.errors import UsageError
from carag_dsl.tools.forms import form_version, surveyjs_form, write_xlsform

TARGETS = {
    "xlsform": ("an XLSForm workbook (.xlsx) for ODK Collect, Enketo, KoboToolbox", "FILE.xlsx"),
    "surveyjs": ("a SurveyJS survey (.json)", "FILE.json"),
}


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
        sub.set_defaults(run=run)


def run(args) -> int:
    rules = load_rules(args)
    output = Path(args.output)
    if output.is_dir():
        raise UsageError(f"--output {output}: this is a folder; give the file to write")
    if args.target == "xlsform":
        try:
            import openpyxl  # type: ignore[import-untyped]  # noqa: F401 -- only to say which extra brings it
        except ImportError:
            raise UsageError("carag export xlsform needs openpyxl: pip install 'carag-dsl[forms]'") from None
    try:
        if args.target == "xlsform":
            write_xlsform(rules, output)
        else:
            output.write_text(json.dumps(surveyjs_form(rules), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None
    print(f"wrote {output} ({len(rules.questions)} questions, rules version {form_version(rules)})")
    return 0
