// The editor: CodeMirror 6 with carag's colours, and its diagnostics, hover, completion, definitions and
// formatting from the language server's own functions (asked of the worker).
import { autocompletion } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState } from "@codemirror/state";
import { EditorView, drawSelection, highlightActiveLine, hoverTooltip, keymap, lineNumbers } from "@codemirror/view";

// A 0-based line and UTF-16 column (as the language server counts) as an offset in the document.
export function offsetOf(doc, line, character) {
  if (line >= doc.lines) return doc.length;
  const found = doc.line(line + 1);
  return Math.min(found.from + character, found.to);
}

function positionOf(doc, offset) {
  const line = doc.lineAt(offset);
  return [line.number - 1, offset - line.from];
}

export function createEditor(parent, { language, highlightStyle, carag, currentFile, onChange, goTo }) {
  const hover = hoverTooltip(async (view, offset) => {
    const [line, character] = positionOf(view.state.doc, offset);
    const text = await carag.call("hover", currentFile(), line, character, view.state.doc.toString()).catch(() => null);
    if (!text) return null;
    return {
      pos: offset,
      create() {
        const dom = document.createElement("div");
        dom.className = "carag-hover";
        dom.textContent = text.replace(/\*\*|`/g, "");  // the server's Markdown, read as plain text
        return { dom };
      },
    };
  });

  async function complete(context) {
    const word = context.matchBefore(/\[[A-Za-z0-9 .]*|[A-Za-z_][A-Za-z0-9_]*/);
    if (!word && !context.explicit) return null;
    const [line, character] = positionOf(context.state.doc, context.pos);
    const items = await carag.call("complete", currentFile(), line, character, context.state.doc.toString()).catch(() => []);
    return {
      from: word ? word.from : context.pos,
      validFor: /^(\[[A-Za-z0-9 .]*|[A-Za-z_][A-Za-z0-9_]*)$/,  // filtered here while the word goes on
      options: items.map((item) => ({
        label: item.label, detail: item.detail || undefined, type: item.kind === "keyword" ? "keyword" : "variable",
        info: item.documentation || undefined, boost: -Number(item.sort[0] || 0),
      })),
    };
  }

  async function definition(view) {
    const [line, character] = positionOf(view.state.doc, view.state.selection.main.head);
    const found = await carag.call("definition", currentFile(), line, character, view.state.doc.toString()).catch(() => []);
    if (found.length) goTo(found[0]);
    return true;
  }

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: "",
      extensions: [
        lineNumbers(), history(), drawSelection(), highlightActiveLine(), bracketMatching(), highlightSelectionMatches(),
        language, syntaxHighlighting(highlightStyle), lintGutter(), hover,
        autocompletion({ override: [complete] }),
        keymap.of([{ key: "F12", run: definition }, ...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
        EditorView.domEventHandlers({
          mousedown(event, view) {  // Ctrl- or Cmd-click: go to the definition
            if (!(event.ctrlKey || event.metaKey)) return false;
            const offset = view.posAtCoords({ x: event.clientX, y: event.clientY });
            if (offset === null) return false;
            view.dispatch({ selection: { anchor: offset } });
            definition(view);
            return true;
          },
        }),
        EditorView.updateListener.of((update) => { if (update.docChanged) onChange(update.state.doc.toString()); }),
      ],
    }),
  });
  return view;
}

// Replace the whole document (another file opened), without it counting as an edit.
export function showText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, annotations: [] });
}

export function showDiagnostics(view, found) {
  const doc = view.state.doc;
  view.dispatch(setDiagnostics(view.state, found.map((d) => {
    const from = offsetOf(doc, d.line, d.character);
    let to = offsetOf(doc, d.end_line, d.end_character);
    if (to <= from) to = Math.min(from + 1, doc.length);
    return { from, to, severity: d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "info",
             message: d.message, source: d.code };
  })));
}

// The language server's edits (ranges in the current text), applied at once.
export function applyEdits(view, edits) {
  const doc = view.state.doc;
  view.dispatch({ changes: edits.map((e) => ({
    from: offsetOf(doc, e.line, e.character), to: offsetOf(doc, e.end_line, e.end_character), insert: e.text,
  })) });
}
