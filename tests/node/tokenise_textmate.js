// Tokenise files with a TextMate grammar as VS Code does (vscode-textmate + the Oniguruma WASM engine).
// Usage: node tokenise_textmate.js GRAMMAR.json FILE... [--report-lines]
// Prints JSON: {"tokens": N, "uncovered": [{file, line, column, text}], "scopes": [every scope seen]},
// and with --report-lines "lines": the scopes of the visible text of each non-blank line.
// A token is uncovered when it holds visible text but no scope beyond the grammar's own (source.carag).
const fs = require("fs");
const path = require("path");
const oniguruma = require("vscode-oniguruma");
const textmate = require("vscode-textmate");

async function main() {
  const args = process.argv.slice(2);
  const reportLines = args.includes("--report-lines");
  const [grammarPath, ...files] = args.filter((arg) => arg !== "--report-lines");
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const grammarJson = JSON.parse(fs.readFileSync(grammarPath, "utf8"));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === grammarJson.scopeName ? textmate.parseRawGrammar(JSON.stringify(grammarJson), grammarPath) : null,
  });
  const grammar = await registry.loadGrammar(grammarJson.scopeName);
  const uncovered = [];
  const scopes = new Set();
  const perLine = [];
  let count = 0;
  for (const file of files) {
    const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
    let state = textmate.INITIAL;
    lines.forEach((line, index) => {
      const result = grammar.tokenizeLine(line, state);
      const lineScopes = new Set();
      for (const token of result.tokens) {
        const text = line.slice(token.startIndex, token.endIndex);
        count += 1;
        token.scopes.forEach((scope) => scopes.add(scope));
        if (text.trim() !== "") token.scopes.forEach((scope) => lineScopes.add(scope));
        if (text.trim() !== "" && token.scopes.length < 2) {
          uncovered.push({ file, line: index + 1, column: token.startIndex + 1, text });
        }
      }
      if (line.trim() !== "") perLine.push([...lineScopes].sort());
      state = result.ruleStack;
    });
  }
  const report = { tokens: count, uncovered, scopes: [...scopes].sort() };
  if (reportLines) report.lines = perLine;
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
