// The case beside the rules: a form generated from the rule set's JSON Schema for case files
// (carag_dsl.tools.schema, what `carag schema` prints), the routing of every question live as answers
// change, and `explain` for a question on click.

const NOT_KNOWN = "";

function element(tag, attributes = {}, ...children) {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") made.textContent = value;
    else made.setAttribute(name, value);
  }
  for (const child of children) made.append(child);
  return made;
}

// The non-null alternative of a nullable schema ({"anyOf": [schema, {"type": "null"}]}).
function valueSchema(schema) {
  return (schema.anyOf || [schema]).find((s) => s.type !== "null") || {};
}

function choiceControl(id, codes, value, onInput) {
  const select = element("select", { id, "data-field": id });
  select.append(element("option", { value: NOT_KNOWN, text: "— not known —" }));
  for (const code of codes) select.append(element("option", { value: JSON.stringify(code), text: String(code) }));
  select.value = value === undefined || value === null ? NOT_KNOWN : JSON.stringify(value);
  select.addEventListener("change", () => onInput(select.value === NOT_KNOWN ? null : JSON.parse(select.value)));
  return select;
}

// One control for a fact or an answer, from its schema; onInput(value) with null for "not known".
function control(id, schema, value, onInput) {
  const inner = valueSchema(schema);
  if (inner.enum) return choiceControl(id, inner.enum, value, onInput);
  if (inner.type === "boolean") return choiceControl(id, [true, false], value, onInput);
  if (inner.type === "array") {  // any of: a box per option
    const box = element("span", { "data-field": id, class: "many" });
    const chosen = new Set(value || []);
    for (const code of inner.items.enum) {
      const tick = element("input", { type: "checkbox", value: code });
      tick.checked = chosen.has(code);
      tick.addEventListener("change", () => {
        const ticked = [...box.querySelectorAll("input:checked")].map((t) => t.value);
        onInput(ticked);
      });
      box.append(element("label", {}, tick, code));
    }
    return box;
  }
  const input = element("input", {
    id, "data-field": id, type: inner.format === "date" ? "date" : inner.type === "integer" ? "number" : "text",
  });
  input.value = value ?? "";
  input.addEventListener("change", () => {
    const text = input.value.trim();
    onInput(text === "" ? null : inner.type === "integer" ? Number(text) : text);
  });
  return input;
}

export class CaseView {
  constructor(carag, { facts, questions, summary, explainBox, examples }) {
    this.carag = carag;
    this.places = { facts, questions, summary, explainBox, examples };
    this.case = { id: "studio", facts: {}, answers: {} };
    this.schema = null;
    this.rows = new Map();
    this.examples = [];
    this.pending = null;
    this.lastRouting = null;
    explainBox.querySelector("button").addEventListener("click", () => { explainBox.hidden = true; });
    examples.addEventListener("change", () => this.useExample(examples.value));
  }

  // The rules changed (and compile): a new form when the schema changed, then the routing again.
  async refresh() {
    const [schema, examples] = await Promise.all([this.carag.call("schema"), this.carag.call("examples")]);
    if (schema !== null && JSON.stringify(schema) !== JSON.stringify(this.schema)) {
      this.schema = schema;
      this.build();
    }
    this.showExamples(examples);
    await this.route();
  }

  showExamples(examples) {
    this.examples = examples;
    const select = this.places.examples;
    const chosen = select.value;
    select.replaceChildren(element("option", { value: "", text: "(a blank case)" }));
    for (const example of examples) select.append(element("option", { value: example.name, text: example.name }));
    select.value = examples.some((e) => e.name === chosen) ? chosen : "";
  }

  useExample(name) {
    const example = this.examples.find((e) => e.name === name);
    this.case = example && example.case ? structuredClone(example.case) : { id: "studio", facts: {}, answers: {} };
    this.case.facts ||= {};
    this.case.answers ||= {};
    this.build();
    this.route();
  }

  build() {
    const properties = this.schema.properties;
    const facts = properties.facts.properties;
    this.places.facts.replaceChildren();
    for (const [name, schema] of Object.entries(facts)) {
      const row = element("div", { class: "field", title: schema.description || "" });
      row.append(element("label", { for: `fact-${name}`, text: name }),
        control(`fact-${name}`, schema, this.case.facts[name], (value) => this.set("facts", name, value)));
      this.places.facts.append(row);
    }
    this.answers = properties.answers.properties;
    this.places.questions.replaceChildren();
    this.rows.clear();
  }

  set(part, name, value) {
    if (value === null) delete this.case[part][name];
    else this.case[part][name] = value;
    this.route();
  }

  // The routing of the case as it is now; a request made while one runs waits, and only the latest is sent.
  async route() {
    if (this.pending) { this.pending.again = true; return this.pending.done; }
    const pending = { again: false };
    pending.done = (async () => {
      do {
        pending.again = false;
        const answer = await this.carag.call("evaluate", this.case, null).catch((error) => ({ error: String(error) }));
        this.show(answer);
      } while (pending.again);
    })();
    this.pending = pending;
    try { await pending.done; } finally { this.pending = null; }
  }

  show(answer) {
    const summary = this.places.summary;
    summary.replaceChildren();
    if (answer.error) {
      summary.append(element("div", { class: "error", text: answer.error }));
      return;
    }
    const result = answer.result;
    this.lastRouting = result;
    summary.append(element("div", { id: "case-type", text: `Case type: ${result.case_type ?? "not known yet"}` + (result.excluded ? ` (excluded: ${result.excluded})` : "") }));
    for (const warning of result.warnings) summary.append(element("div", { class: "warning", text: `warning: ${warning}` }));
    const seen = new Set();
    for (const [id, routed] of Object.entries(result.questions)) {
      seen.add(id);
      let row = this.rows.get(id);
      if (!row) {
        row = this.questionRow(id);
        this.rows.set(id, row);
      }
      this.places.questions.append(row);  // in the rule set's order, even after an edit moved a question
      const status = row.querySelector(".status");
      status.textContent = routed.status.replace("_", " ");
      status.className = `status ${routed.status}`;
      row.dataset.status = routed.status;
    }
    for (const [id, row] of this.rows) if (!seen.has(id)) { row.remove(); this.rows.delete(id); }
  }

  questionRow(id) {
    const schema = this.answers[id];
    const row = element("div", { class: "question", "data-question": id, title: schema?.description || "" });
    const name = element("button", { class: "qid", text: id, title: "Why? (carag explain)" });
    name.addEventListener("click", () => this.explain(id));
    row.append(name, element("span", { class: "status" }));
    row.append(schema ? control(`answer-${id}`, schema, this.case.answers[id], (value) => this.set("answers", id, value))
                      : element("span", { text: "" }));
    return row;
  }

  async explain(id) {
    const answer = await this.carag.call("evaluate", this.case, id);
    const box = this.places.explainBox;
    box.querySelector("pre").textContent = answer.error || answer.explain;
    box.hidden = false;
  }
}
