// Evaluates SurveyJS expressions with survey-core's ExpressionRunner.
// Reads [{"expressions": [...], "values": {...}}, ...] on standard input (each group of
// expressions evaluated with its values) and writes the results, group by group.
"use strict";
const Survey = require("survey-core");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
    const groups = JSON.parse(input);
    const results = groups.map(({ expressions, values }) => expressions.map((text) => {
        const runner = new Survey.ExpressionRunner(text);
        return runner.canRun() ? runner.runValues(values || {}) : { invalid: text };
    }));
    process.stdout.write(JSON.stringify(results));
});
