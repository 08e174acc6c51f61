"""``carag eval [RULES] --case FILE | --cases FILE.jsonl [--format text|json|jsonl]``."""

from __future__ import annotations

import json
import sys

from carag_dsl.errors import CaragError
from carag_dsl.runtime.evaluation import Evaluation
from carag_dsl.runtime.result_writer import ResultWriter
from carag_dsl.cli._common import add_rules_argument, dump_json, iter_jsonl, load_rules, open_input, read_json_case
from carag_dsl.cli._progress import Progress

STATUS_WORDS = {"applies": "applies", "not_applicable": "does not apply", "pending": "pending"}


def register(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="evaluate a case (or a file of cases) against the rules")
    add_rules_argument(parser)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--case", metavar="FILE", help="one case as JSON ('-' for standard input)")
    source.add_argument("--cases", metavar="FILE", help="JSON Lines, one case per line ('-' for standard input); streamed")
    parser.add_argument("--format", choices=("text", "json", "jsonl"), default=None, help="text (a table, the default for --case), json, or jsonl (the default for --cases)")
    parser.set_defaults(run=run)


def run(args) -> int:
    ruleset = load_rules(args)
    if args.case is not None:
        evaluation = ruleset.evaluate(read_json_case(args.case))
        output = args.format or "text"
        if output == "text":
            print(render_text(evaluation))
        else:
            dump_json(evaluation.to_dict(), indent=2 if output == "json" else None)
        return 0
    return _run_many(ruleset, args.cases, args.format or "jsonl")


def _run_many(ruleset, path: str, output: str) -> int:
    # Streams: one case in memory at a time. Output lines are joined and written in batches, and the
    # JSON encoder is built once, so the per-line cost is the evaluation and the JSON itself.
    bad = 0
    out = sys.stdout
    encode = json.JSONEncoder(ensure_ascii=False, indent=2 if output == "json" else None).encode
    jsonl_line = ResultWriter(ruleset).line  # the same text as encode(evaluation.to_dict()), faster
    evaluate = ruleset.evaluate
    batch: list[str] = []
    with open_input(path) as stream:
        progress = Progress.for_input(path, "evaluating", streams_results=True)
        for number, case, wrong in iter_jsonl(progress.track(stream) if progress else stream):
            if progress:
                progress.tick()
            if wrong is None:
                try:
                    evaluation = evaluate(case)
                except CaragError as error:
                    wrong = str(error)
            if wrong is not None:
                bad += 1
                if batch:  # keep errors and results in order when both go to a terminal
                    out.write("".join(batch))
                    batch.clear()
                    out.flush()
                if progress:
                    progress.clear()
                print(f"{path}:{number}: error: {wrong}", file=sys.stderr)
                continue
            if output == "text":
                batch.append(render_text(evaluation) + "\n\n")
            elif output == "jsonl":
                batch.append(jsonl_line(evaluation) + "\n")
            else:
                batch.append(encode(evaluation.to_dict()) + "\n")
            if len(batch) >= 256:
                out.write("".join(batch))
                batch.clear()
    if batch:
        out.write("".join(batch))
    if progress:
        progress.clear()
    if bad:
        print(f"{bad} bad line{'s' if bad != 1 else ''} in {path}; the other lines were evaluated", file=sys.stderr)
    return 1 if bad else 0


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(evaluation: Evaluation) -> str:
    """A readable table: one line per question with its status and value."""
    ruleset = evaluation.ruleset
    case_type = evaluation.case_type or "not known yet"
    how = {"answer": " (set by an answer)", "derived": " (from the facts)"}.get(evaluation.case_type_source or "", "")
    lines = [f"Case {evaluation.id if evaluation.id is not None else '(no id)'}: case type {case_type}{how}", ""]
    id_width = max(len(q) for q in ruleset.questions) if ruleset.questions else 4
    counts = {"applies": 0, "not_applicable": 0, "pending": 0}
    data = evaluation.to_dict()["questions"]
    for question_id, result in data.items():
        counts[result["status"]] += 1
        value = result["value"]
        if isinstance(value, list):
            value = ", ".join(value) if value else "(none)"
        shown = "" if value is None else f"{value}" + (" (derived)" if result["source"] == "derived" else "")
        text = _shorten(ruleset.questions[question_id].text, 60)
        lines.append(f"  {question_id:<{id_width}}  {STATUS_WORDS[result['status']]:<15} {shown:<18} {text}")
    lines.append("")
    lines.append(f"{counts['applies']} apply, {counts['not_applicable']} do not apply, {counts['pending']} pending")
    for warning in evaluation.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)
