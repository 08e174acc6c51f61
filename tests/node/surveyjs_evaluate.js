// Evaluates SurveyJS expressions with survey-core's ExpressionRunner.
// Reads {"expressions": [...], "values": {...}} on standard input; writes the list of results.
"use strict";
const Survey = require("survey-core");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
    const { expressions, values } = JSON.parse(input);
    const results = expressions.map((text) => {
        const runner = new Survey.ExpressionRunner(text);
        return runner.canRun() ? runner.runValues(values || {}) : { invalid: text };
    });
    process.stdout.write(JSON.stringify(results));
});
