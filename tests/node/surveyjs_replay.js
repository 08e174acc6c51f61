// Replays cases through SurveyJS surveys in survey-core, the engine SurveyJS pages run.
//
// Reads {"runs": [{"survey": <survey JSON>, "cases": [<survey data>, ...]}, ...]} on standard
// input and writes {"runs": [{"jsonErrors": [...], "lint": [...], "titles": {...},
// "visible": [{<question name>: true|false}, ...]}, ...]}: per survey its load errors, the
// findings of survey-core's own linter, each question's title as shown (after the first
// case's values are piped in), and for every case which questions the survey shows.
// One process for every survey and case.
"use strict";
const Survey = require("survey-core");
const { lintSurvey } = require("survey-core/linter");

function replay(json, cases) {
    const model = new Survey.Model(json);
    const jsonErrors = (model.jsonErrors || []).map((e) => String(e.message || e));
    const lint = lintSurvey(json).findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, path: f.path }));
    // One survey for all the cases: setting its data replaces every value and recalculates.
    const survey = new Survey.Model(json);
    const titles = {};
    const visible = cases.map((data, index) => {
        survey.data = data;
        const shown = {};
        for (const question of survey.getAllQuestions()) {
            shown[question.name] = question.isVisible && question.isParentVisible;
            if (index === 0) titles[question.name] = question.processedTitle;
        }
        return shown;
    });
    return { jsonErrors, lint, titles, visible };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
    const { runs } = JSON.parse(input);
    process.stdout.write(JSON.stringify({ runs: runs.map((run) => replay(run.survey, run.cases)) }));
});
