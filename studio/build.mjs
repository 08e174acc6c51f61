// Bundles the studio's page (CodeMirror 6 and src/*.js) with esbuild and copies Pyodide's runtime beside it.
//
//     node build.mjs OUTPUT_DIR
//
// Run by `carag studio` (src/carag_dsl/tools/studio/frontend.py) after `npm ci` in a build folder; the
// Python side adds the rules, carag's package and the wheels of its dependencies.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const output = process.argv[2];
if (!output) {
  console.error("usage: node build.mjs OUTPUT_DIR");
  process.exit(2);
}
mkdirSync(join(output, "pyodide"), { recursive: true });

await build({
  entryPoints: { app: join(here, "src/main.js"), worker: join(here, "src/worker.js") },
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  outdir: output,
  logLevel: "warning",
});
for (const file of ["index.html", "studio.css"]) copyFileSync(join(here, "src", file), join(output, file));

// Only what loadPyodide() reads: the runtime, the standard library and the lock file (no packages: carag's
// come as wheels from the Python side).
const pyodide = join(here, "node_modules/pyodide");
for (const file of ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]) {
  copyFileSync(join(pyodide, file), join(output, "pyodide", file));
}
const version = JSON.parse(readFileSync(join(pyodide, "package.json"), "utf8")).version;
console.log(`built the studio's page into ${output} (Pyodide ${version})`);
