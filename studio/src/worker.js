// The studio's Python: Pyodide in a Web Worker, so the page never freezes while carag works.
//
// Everything comes from the studio's own folder: Pyodide's runtime (pyodide/), the wheels of carag's
// dependencies and carag's package (python/, listed in manifest.json), unpacked into site-packages. Each
// request names a method of carag_dsl.studio.session.StudioSession; arguments and answers travel as JSON.

const base = new URL("./", self.location.href);
let ready = null;

const marks = {};
const mark = (name) => { marks[name] = Math.round(performance.now()); };

async function start(files, published, folder) {
  mark("worker");
  const manifest = await (await fetch(new URL("manifest.json", base))).json();
  // The wheels are fetched while Pyodide starts: both come from our folder, and neither waits for the other.
  const fetching = Promise.all(manifest.python.map(async (name) => {
    const response = await fetch(new URL(`python/${name}`, base));
    if (!response.ok) throw new Error(`python/${name}: ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  }));
  fetching.catch(() => {});  // a failed fetch is reported where it is awaited, below, not as an unhandled rejection
  // A URL built at run time: esbuild leaves this import alone, and Pyodide loads from our folder only.
  const { loadPyodide } = await import(new URL("pyodide/pyodide.mjs", base).href);
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", base).href, env: { CARAG_NO_CACHE: "1", HOME: "/home/pyodide" } });
  mark("pyodide");
  const site = pyodide.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  const archives = await fetching;
  for (const archive of archives) pyodide.unpackArchive(archive, "zip", { extractDir: site });
  mark("unpacked");
  writeTree(pyodide, `/published/${folder}`, published);
  writeTree(pyodide, `/rules/${folder}`, files);
  pyodide.globals.set("FOLDER", folder);
  pyodide.runPython(`
import json, os
os.chdir("/rules")  # diagnostics name files as the command line does: questions/...
from carag_dsl.studio.session import StudioSession
session = StudioSession("/rules/" + FOLDER, "/published/" + FOLDER)
def call(name, arguments):
    return json.dumps(getattr(session, name)(*json.loads(arguments)))
`);
  mark("imported");
  return pyodide.globals.get("call");
}

function writeTree(pyodide, root, files) {
  for (const [path, text] of Object.entries(files)) {
    const full = `${root}/${path}`;
    pyodide.FS.mkdirTree(full.slice(0, full.lastIndexOf("/")));
    pyodide.FS.writeFile(full, text);
  }
}

self.onmessage = async (event) => {
  const { id, method, args } = event.data;
  try {
    if (method === "start") {
      ready = start(...args);
      await ready;
      self.postMessage({ id, result: marks });
      return;
    }
    const call = await ready;
    const started = performance.now();
    const result = JSON.parse(call(method, JSON.stringify(args)));
    self.postMessage({ id, result, ms: performance.now() - started });
  } catch (error) {
    self.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
};
