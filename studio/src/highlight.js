// Colours for .carag files: a CodeMirror StreamLanguage that runs the TextMate grammar carag writes from
// grammar/carag.lark (carag_dsl.tools.textmate, the grammar the VS Code extension ships), so a keyword added
// to the grammar is coloured here too. `carag studio` writes that grammar into the page's folder as
// highlight.json.
import { HighlightStyle, StreamLanguage } from "@codemirror/language";
import { tags } from "@lezer/highlight";

// The first TextMate scope that names a kind of token, mapped to a tag of @lezer/highlight.
const TAGS = [
  ["comment", "comment"],
  ["string", "string"],
  ["entity.name.question", "labelName"],
  ["entity.name", "definition(variableName)"],
  ["keyword.operator", "operator"],
  ["keyword.other.unit", "unit"],
  ["keyword", "keyword"],
  ["constant.numeric", "number"],
  ["constant.language", "bool"],
  ["support.type", "typeName"],
  ["storage.modifier", "modifier"],
  ["variable.other.question", "atom"],
  ["punctuation", "punctuation"],
  ["variable", "variableName"],
];

function tagOf(scope) {
  const found = TAGS.find(([prefix]) => scope.startsWith(prefix));
  return found ? found[1] : null;
}

// The grammar's patterns in the order TextMate tries them: includes resolved, nested patterns flattened.
function flatten(grammar) {
  const rules = [];
  const add = (entry) => {
    if (entry.include) add(grammar.repository[entry.include.slice(1)]);
    else if (entry.patterns) entry.patterns.forEach(add);
    else rules.push(entry);
  };
  grammar.patterns.forEach(add);
  return rules.map((rule) => rule.begin
    ? { begin: new RegExp(rule.begin, "y"), end: new RegExp(rule.end, "g"), tag: tagOf(rule.name) }
    : { match: new RegExp(rule.match, "y"), tag: rule.name ? tagOf(rule.name) : null,
        captures: rule.captures ? Object.keys(rule.captures).sort().map((group) => tagOf(rule.captures[group].name)) : null });
}

export function caragLanguage(grammar) {
  const rules = flatten(grammar);
  return StreamLanguage.define({
    name: "carag",
    startState: () => ({ block: null, pending: [] }),
    copyState: (state) => ({ block: state.block, pending: state.pending.slice() }),
    token(stream, state) {
      if (state.pending.length) {  // the later groups of a match with captures
        const [length, tag] = state.pending.shift();
        stream.pos += length;
        return tag;
      }
      if (state.block) {  // inside a """block string""" that began on an earlier line
        state.block.end.lastIndex = stream.pos;
        const end = state.block.end.exec(stream.string);
        const tag = state.block.tag;
        if (end) { stream.pos = end.index + end[0].length; state.block = null; } else stream.skipToEnd();
        return tag;
      }
      const line = stream.string;
      for (const rule of rules) {
        if (rule.begin) {
          rule.begin.lastIndex = stream.pos;
          const begun = rule.begin.exec(line);
          if (!begun) continue;
          stream.pos += begun[0].length;
          state.block = rule;
          return rule.tag;
        }
        rule.match.lastIndex = stream.pos;
        const found = rule.match.exec(line);
        if (!found || found[0].length === 0) continue;
        if (rule.captures) {
          // Each group with its own colour; the text between groups (spaces) uncoloured.
          let at = stream.pos;
          const parts = [];
          let offset = 0;
          for (let group = 1; group < found.length; group++) {
            const index = found[0].indexOf(found[group], offset);
            if (index > offset) parts.push([index - offset, null]);
            parts.push([found[group].length, rule.captures[group - 1] ?? null]);
            offset = index + found[group].length;
          }
          const [first, ...rest] = parts;
          state.pending = rest;
          stream.pos = at + first[0];
          return first[1];
        }
        stream.pos += found[0].length;
        return rule.tag;
      }
      stream.next();
      return null;
    },
    languageData: { commentTokens: { line: "#" } },
  });
}

// A colour for every kind of token the grammar names (names too, so each is a span of its own).
export const caragHighlightStyle = HighlightStyle.define([
  { tag: tags.comment, color: "#6a737d", fontStyle: "italic" },
  { tag: tags.string, color: "#22863a" },
  { tag: tags.keyword, color: "#8e24aa", fontWeight: "600" },
  { tag: tags.operator, color: "#8e24aa" },
  { tag: tags.unit, color: "#8e24aa" },
  { tag: [tags.number, tags.bool], color: "#005cc5" },
  { tag: tags.typeName, color: "#b35900" },
  { tag: tags.modifier, color: "#b35900" },
  { tag: tags.atom, color: "#0b6e99", fontWeight: "600" },
  { tag: tags.labelName, color: "#0b6e99", fontWeight: "600" },
  { tag: tags.definition(tags.variableName), color: "#1d3557", fontWeight: "600" },
  { tag: tags.variableName, color: "#1d3557" },
  { tag: tags.punctuation, color: "#555" },
]);
