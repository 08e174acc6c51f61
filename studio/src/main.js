// carag studio: the rule files in an editor, a case beside them, and the checks, with carag itself running
// in the page (Pyodide in a web worker). Everything it loads comes from its own folder.
import { Carag } from "./carag.js";
import { CaseView } from "./case.js";
import { applyEdits, createEditor, showDiagnostics, showText } from "./editor.js";
import { caragHighlightStyle, caragLanguage } from "./highlight.js";
import { applyChanges, changes, fromFragment, load, save, shareLink, storageKey, zipOf } from "./keep.js";

const $ = (selector) => document.querySelector(selector);
const status = (text, errors = false) => { $("#status").textContent = text; $("#status").classList.toggle("errors", errors); };

async function json(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${response.statusText}`);
  return response.json();
}

async function main() {
  const started = performance.now();
  const [manifest, rules, grammar] = await Promise.all([json("manifest.json"), json("rules.json"), json("highlight.json")]);
  const folder = manifest.rules.folder;
  const published = rules.files;
  const key = storageKey(manifest);
  $("#ruleset").textContent = `${manifest.rules.name || folder}${manifest.rules.version ? ` version ${manifest.rules.version}` : ""}`;

  // The edits: those kept in this browser, then those a shared link carries (which win, and are kept).
  let kept = load(key);
  try {
    const shared = fromFragment(location.hash);
    if (shared) {
      kept = { ...kept, ...shared };
      save(key, kept);
      history.replaceState(null, "", location.pathname + location.search);
    }
  } catch (error) {
    status(`The link's edits cannot be read (${error.message}); showing the published rules.`, true);
  }
  let files = applyChanges(published, kept);

  const carag = new Carag();
  window.caragStudio = { carag, timings: {} };  // for the benchmark (benchmarks/studio.py) and the tests
  const startingPython = carag.call("start", files, published, folder);

  // -- the file tree
  let current = files[`${manifest.rules.root}`] !== undefined ? manifest.rules.root : Object.keys(files).sort()[0];
  let diagnostics = { files: {} };
  function drawTree() {
    const tree = $("#files");
    tree.replaceChildren();
    let lastFolder = "";
    for (const path of Object.keys(files).sort((a, b) => (a.includes("/") - b.includes("/")) || a.localeCompare(b))) {
      const at = path.lastIndexOf("/");
      const parent = at < 0 ? "" : path.slice(0, at);
      if (parent !== lastFolder) {
        tree.append(Object.assign(document.createElement("div"), { className: "folder", textContent: `${parent}/` }));
        lastFolder = parent;
      }
      const button = document.createElement("button");
      button.textContent = path.slice(at + 1);
      button.dataset.file = path;
      button.classList.toggle("open", path === current);
      button.classList.toggle("edited", published[path] !== files[path]);
      button.classList.toggle("has-errors", (diagnostics.files[path] || []).some((d) => d.severity === "error"));
      button.addEventListener("click", () => open(path));
      tree.append(button);
    }
  }

  // -- the editor
  let showing = false;  // true while a file is being put in the editor (not an edit)
  const editor = createEditor($("#editor"), {
    language: caragLanguage(grammar), highlightStyle: caragHighlightStyle, carag, currentFile: () => current,
    onChange: (text) => { if (!showing) edited(text); },
    goTo: (place) => open(place.file, place),
  });

  window.caragStudio.editor = editor;
  window.caragStudio.open = (path) => open(path);

  function open(path, place = null) {
    current = path;
    $("#file-name").textContent = `${folder}/${path}`;
    showing = true;
    showText(editor, files[path]);
    showing = false;
    showProblems();
    drawTree();
    if (place) {
      const line = editor.state.doc.line(Math.min(place.line + 1, editor.state.doc.lines));
      const anchor = Math.min(line.from + place.character, line.to);
      editor.dispatch({ selection: { anchor }, scrollIntoView: true });
      editor.focus();
    }
  }

  function showProblems() {
    showDiagnostics(editor, diagnostics.files[current] || []);
    const list = $("#problems");
    list.replaceChildren();
    for (const [path, found] of Object.entries(diagnostics.files)) {
      for (const d of found) {
        const row = document.createElement("div");
        row.className = d.severity;
        row.textContent = d.text;
        row.addEventListener("click", () => open(path, d));
        list.append(row);
      }
    }
  }

  function showStatus() {
    const errors = diagnostics.errors;
    status(errors ? `${errors} error${errors === 1 ? "" : "s"}` : `ok (${diagnostics.questions} questions)`, errors > 0);
  }

  // -- checking as you type: one check at a time; edits made meanwhile are checked together next
  let checking = null;  // the check running now, as a promise; edits made meanwhile are checked when it ends
  let again = false;
  let dirty = new Set();
  function edited(text) {
    files[current] = text;
    dirty.add(current);
    save(key, changes(files, published));
    status("checking…");
    check();
  }

  function check() {
    if (checking) { again = true; return checking; }
    checking = (async () => {
      do {
        again = false;
        const typed = performance.now();
        const sent = [...dirty];
        dirty = new Set();
        for (const path of sent) await carag.call("write", path, files[path]);
        diagnostics = await carag.call("diagnostics");
        window.caragStudio.timings.diagnostics = performance.now() - typed;
        showProblems();
        drawTree();
        if (!again) showStatus();
        if (!diagnostics.errors && !again) await caseView.refresh();
      } while (again);
    })().finally(() => { checking = null; });
    return checking;
  }

  // The rules as typed so far, checked: what the checks, the handbook and formatting work on.
  async function settled() {
    while (checking) await checking;
  }

  // -- the case
  const caseView = new CaseView(carag, {
    facts: $("#facts"), questions: $("#questions"), summary: $("#case-summary"), explainBox: $("#explain"), examples: $("#examples"),
  });

  // -- the checks and the handbook
  async function runCheck(name) {
    const output = $("#check-output");
    output.replaceChildren(Object.assign(document.createElement("p"), { textContent: `Running carag ${name}…` }));
    await settled();
    const ran = await carag.call(name).catch((error) => ({ status: "?", stdout: "", stderr: String(error) }));
    const pre = document.createElement("pre");
    pre.id = `output-${name}`;
    pre.textContent = ran.stderr + ran.stdout;
    const exit = Object.assign(document.createElement("div"), { className: "exit", textContent: `carag ${name}: exit status ${ran.status}` });
    output.replaceChildren(exit, pre);
  }
  $("#run-test").addEventListener("click", () => runCheck("test"));
  $("#run-lint").addEventListener("click", () => runCheck("lint"));
  $("#run-diff").addEventListener("click", () => runCheck("diff"));
  $("#run-handbook").addEventListener("click", async () => {
    await settled();
    const made = await carag.call("handbook");
    $("#handbook").srcdoc = made.html || `<p>${made.error}</p>`;
  });
  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => {
      for (const other of document.querySelectorAll("[role=tab]")) {
        other.setAttribute("aria-selected", String(other === tab));
        $(`#tab-${other.dataset.tab}`).hidden = other !== tab;
      }
    });
  }

  // -- keeping and sharing
  $("#format").addEventListener("click", async () => {
    await settled();
    const made = await carag.call("format", current);
    if (made.edits) applyEdits(editor, made.edits);
    else status(made.reason, true);
  });
  $("#download").addEventListener("click", () => {
    const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(zipOf(folder, files)), download: `${folder}.zip` });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });
  $("#share").addEventListener("click", async () => {
    const link = shareLink(changes(files, published));
    $("#share-link").value = link;
    $("#share-box").hidden = false;
    $("#share-link").select();
    await navigator.clipboard?.writeText(link).catch(() => {});
  });
  $("#reset").addEventListener("click", async () => {
    if (!confirm("Forget your edits and go back to the published rules?")) return;
    for (const path of new Set([...Object.keys(files), ...Object.keys(published)])) {
      if (files[path] !== published[path]) dirty.add(path);
    }
    files = { ...published };
    save(key, {});
    open(current in files ? current : manifest.rules.root);
    await check();
  });

  open(current);
  window.caragStudio.timings.worker = await startingPython;
  window.caragStudio.timings.python = performance.now() - started;
  diagnostics = await carag.call("diagnostics");
  showProblems();
  drawTree();
  showStatus();
  if (!diagnostics.errors) await caseView.refresh();
  window.caragStudio.timings.ready = performance.now() - started;
  document.body.dataset.ready = "true";
  await carag.call("warm");  // hover, completion and the checks, imported while the person reads
  document.body.dataset.warm = "true";
}

main().catch((error) => {
  status(`The studio could not start: ${error.message}`, true);
  console.error(error);
});
