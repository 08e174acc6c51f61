// Fills SurveyJS surveys in survey-core with cases, and gives back what the survey submits.
//
// Reads {"runs": [{"survey": <survey JSON>, "cases": [<answers by question name>, ...]}, ...]} on standard
// input. Each case's answers are given to the survey, then every answer to a question the survey does not
// show is taken away, pass after pass (taking one away may hide another), until the survey shows every
// question it holds an answer to: a hidden question is blank, as it is in a real survey, and an answer is
// kept only where the survey asks for it. (carag's routing has no cycles, so this reaches what filling the
// survey from the top, one shown question at a time, reaches.) Writes {"runs": [{"jsonErrors": [...],
// "data": [<survey.data>, ...]}, ...]}. One process for every survey and case.
"use strict";
const Survey = require("survey-core");

function fill(json, cases) {
    const survey = new Survey.Model(json);
    const jsonErrors = (survey.jsonErrors || []).map((e) => String(e.message || e));
    const questions = survey.getAllQuestions();
    const data = cases.map((answers) => {
        let given = answers;
        for (let pass = 0; pass <= questions.length; pass++) {
            survey.data = given;
            const shown = {};
            for (const question of questions) {
                if (question.name in given && question.isVisible && question.isParentVisible) shown[question.name] = given[question.name];
            }
            if (Object.keys(shown).length === Object.keys(given).length) break;
            given = shown;
        }
        return JSON.parse(JSON.stringify(survey.data));  // what survey.onComplete hands the page, as JSON
    });
    return { jsonErrors, data };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
    const { runs } = JSON.parse(input);
    process.stdout.write(JSON.stringify({ runs: runs.map((run) => fill(run.survey, run.cases)) }));
});
