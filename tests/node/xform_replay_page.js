// Runs in a browser page: replays cases through an XForm's binds with openrosa-xpath-evaluator,
// the XPath engine of Enketo (ODK's web forms), as a form engine does at each change:
// calculations recomputed until nothing changes, then each field's relevance.
//
// The page defines MODULES (path -> source of the evaluator's CommonJS files) before this script.
// replayXForm(xformText, cases) takes the XForm (XML text) and the cases (each an object
// field name -> text value) and returns, per case, field name -> shown (true/false) for every
// field that has a carag:id and no calculation.
"use strict";

function requireFrom(modules) {
    const cache = {};
    function resolve(from, request) {
        if (!request.startsWith(".")) return request + "/src/openrosa-xpath.js";
        const parts = from.split("/").slice(0, -1);
        for (const piece of request.split("/")) {
            if (piece === "..") parts.pop();
            else if (piece !== ".") parts.push(piece);
        }
        const path = parts.join("/");
        return path.endsWith(".js") ? path : path + ".js";
    }
    function load(path) {
        if (!(path in cache)) {
            if (!(path in modules)) throw new Error("module not bundled: " + path);
            const module = { exports: {} };
            cache[path] = module;
            new Function("module", "exports", "require", modules[path])(module, module.exports, (request) => load(resolve(path, request)));
        }
        return cache[path].exports;
    }
    return (name) => load(resolve("", name));
}

function replayXForm(xformText, cases) {
    return fillXForm(xformText, cases).map((filled) => filled.shown);
}

// As replayXForm, with the instance as filled: per case {shown: {field: true|false}, values: {path: text}}, the
// values of every leaf of the instance (calculations included, a field's value whether shown or not) by its path.
function fillXForm(xformText, cases) {
    const evaluator = requireFrom(MODULES)("openrosa-xpath-evaluator")();
    const xform = new DOMParser().parseFromString(xformText, "text/xml");
    if (xform.getElementsByTagName("parsererror").length) throw new Error("the XForm is not well-formed XML");
    const model = xform.getElementsByTagNameNS("*", "model")[0];
    const instance = Array.from(model.children).find((e) => e.localName === "instance" && !e.getAttribute("id"));
    const template = instance.firstElementChild;
    const binds = Array.from(model.children).filter((e) => e.localName === "bind");
    const caragId = (bind) => bind.getAttribute("carag:id");
    const calculations = binds.filter((b) => b.hasAttribute("calculate"));
    const fields = binds.filter((b) => caragId(b) !== null && !b.hasAttribute("calculate"));
    const STRING = XPathResult.STRING_TYPE, BOOLEAN = XPathResult.BOOLEAN_TYPE;

    return cases.map((values) => {
        // The instance without the XForms namespace, so the binds' /data/... paths select it (as Enketo does).
        const doc = document.implementation.createDocument(null, null, null);
        const copy = (element) => {
            const made = doc.createElement(element.localName);
            for (const child of element.children) made.appendChild(copy(child));
            return made;
        };
        doc.appendChild(copy(template));
        const node = (path) => doc.evaluate(path, doc, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
        for (const bind of fields) {
            const path = bind.getAttribute("nodeset");
            const name = path.split("/").pop();
            node(path).textContent = name in values ? values[name] : "";
        }
        // Recalculate until nothing changes, as an XForm engine does (it orders by dependency; this reaches the same values).
        let changed = true, passes = 0;
        while (changed) {
            if (++passes > calculations.length + 2) throw new Error("the calculations do not settle");
            changed = false;
            for (const bind of calculations) {
                const target = node(bind.getAttribute("nodeset"));
                const value = evaluator.evaluate(bind.getAttribute("calculate"), target, null, STRING, null).stringValue;
                if (target.textContent !== value) { target.textContent = value; changed = true; }
            }
        }
        const relevantOf = {};
        for (const bind of binds) {
            if (bind.hasAttribute("relevant")) relevantOf[bind.getAttribute("nodeset")] = bind.getAttribute("relevant");
        }
        const shown = {};
        for (const bind of fields) {
            const path = bind.getAttribute("nodeset");
            let visible = true;
            // A field is shown when it and every group around it are relevant.
            for (const [scope, expression] of Object.entries(relevantOf)) {
                if (path === scope || path.startsWith(scope + "/")) {
                    visible = visible && evaluator.evaluate(expression, node(scope), null, BOOLEAN, null).booleanValue;
                }
            }
            shown[path.split("/").pop()] = visible;
        }
        const leaves = {};
        const walk = (element, path) => {
            if (!element.children.length) leaves[path] = element.textContent;
            for (const child of element.children) walk(child, path + "/" + child.localName);
        };
        walk(doc.documentElement, "/" + doc.documentElement.localName);
        return { shown, values: leaves };
    });
}
