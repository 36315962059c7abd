// The vankien query page: a CodeMirror SPARQL editor (static/vendor/query-editor.js), the examples,
// results as a table whose vankien IRIs link to this server's pages, downloads, a share link and
// the server's errors marked in the editor. Every value from the server is written with
// textContent, never as HTML.
"use strict";

const pageData = JSON.parse(document.getElementById("page-data").textContent);
const messages = JSON.parse(document.getElementById("messages").textContent);
const form = document.getElementById("query-form");
const textarea = document.getElementById("query");
const statusLine = document.getElementById("status");
const notice = document.getElementById("notice");
const addPrefixButton = document.getElementById("add-prefix");
const table = document.getElementById("result-table");
const resultText = document.getElementById("result-text");
const openGraph = document.getElementById("open-graph");
const downloads = document.getElementById("downloads");
const shareBox = document.getElementById("share-box");
const shareLink = document.getElementById("share-link");

function say(key, values = {}) {
  return messages[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

// The editor, or the plain textarea when the bundle did not load.
let editor = {
  get value() { return textarea.value; },
  set value(text) { textarea.value = text; },
  focus() { textarea.focus(); },
  showError() {}, clearError() {},
  addPrefix(name, iri) { textarea.value = `PREFIX ${name}: <${iri}>\n` + textarea.value; },
};
if (window.VankienEditor) {
  const parent = document.getElementById("editor");
  editor = window.VankienEditor.create(parent, {
    doc: textarea.value, prefixes: pageData.prefixes, onRun: () => run(), onChange: updateGraphButton,
  });
  textarea.hidden = true;
  parent.hidden = false;
}
window.vankienEditor = editor;   // for scripts and tests: .value, .view (the CodeMirror EditorView)

// The link rule of api/links.py, as data: IRIs under these prefixes have a page here.
function localHref(iri) {
  for (const [prefix, path] of Object.entries(pageData.linkRule)) {
    if (iri.startsWith(prefix)) return path + iri.slice(prefix.length);
  }
  return iri;
}

// A rough look at the query form: CONSTRUCT/DESCRIBE answer with a graph, the rest with a table.
function returnsGraph(query) {
  const body = query.replace(/#[^\n]*/g, "").replace(/(PREFIX|BASE)\s+[^\n]*/gi, "");
  return /^\s*(CONSTRUCT|DESCRIBE)\b/i.test(body);
}

function updateGraphButton() {
  openGraph.hidden = !returnsGraph(editor.value);
}

function clearResults() {
  notice.hidden = true;
  addPrefixButton.hidden = true;
  table.hidden = true;
  resultText.hidden = true;
  downloads.hidden = true;
  table.tHead.replaceChildren();
  table.tBodies[0].replaceChildren();
  editor.clearError();
}

function showNotice(message, isError) {
  notice.textContent = message;
  notice.className = isError ? "error" : "";
  notice.hidden = false;
}

function cell(tag, text, binding) {
  const element = document.createElement(tag);
  if (binding && binding.type === "uri") {
    const link = document.createElement("a");
    link.href = localHref(binding.value);
    link.textContent = binding.value;
    element.appendChild(link);
  } else {
    element.textContent = text;
  }
  if (binding && binding["xml:lang"]) element.title = "@" + binding["xml:lang"];
  else if (binding && binding.datatype) element.title = binding.datatype;
  return element;
}

function renderSolutions(data) {
  if (typeof data.boolean === "boolean") {
    showNotice(say("ask", { answer: data.boolean }), false);
    return null;
  }
  const vars = data.head.vars;
  const headRow = document.createElement("tr");
  vars.forEach((name) => headRow.appendChild(cell("th", "?" + name)));
  table.tHead.appendChild(headRow);
  for (const solution of data.results.bindings) {
    const row = document.createElement("tr");
    for (const name of vars) {
      const binding = solution[name];
      const text = !binding ? "" : binding.type === "bnode" ? "_:" + binding.value : binding.value;
      row.appendChild(cell("td", text, binding));
    }
    table.tBodies[0].appendChild(row);
  }
  table.hidden = false;
  return data.results.bindings.length;
}

function post(query, accept) {
  return fetch("/sparql", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
    body: new URLSearchParams({ query }),
  });
}

// The server's refusal: its message, marked at its line and column, and a fix for a missing prefix.
async function showFailure(response) {
  let problem = { error: response.status + " " + response.statusText };
  try { problem = await response.json(); } catch (_) { /* not JSON */ }
  showNotice(problem.error, true);
  editor.showError(problem.error, problem.line, problem.column);
  if (problem.prefix !== undefined && problem.prefix_iri) {
    addPrefixButton.textContent = say("add_prefix", { prefix: problem.prefix, iri: problem.prefix_iri });
    addPrefixButton.onclick = () => { editor.addPrefix(problem.prefix, problem.prefix_iri); run(); };
    addPrefixButton.hidden = false;
  }
}

async function run(event) {
  if (event) event.preventDefault();
  clearResults();
  const query = editor.value;
  const graph = returnsGraph(query);
  statusLine.textContent = messages.running;
  const started = performance.now();
  try {
    const response = await post(query, graph ? "text/turtle" : "application/sparql-results+json");
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      statusLine.textContent = say("failed", { s: seconds });
      await showFailure(response);
      return;
    }
    if (graph) {
      resultText.textContent = await response.text();
      resultText.hidden = false;
      statusLine.textContent = say("graph", { s: seconds });
    } else {
      const rows = renderSolutions(await response.json());
      statusLine.textContent = rows === null ? "" : say(rows === 1 ? "one_row" : "rows", { n: rows, s: seconds });
      downloads.hidden = rows === null;
    }
    if (response.headers.get("Vankien-Truncated") === "true") {
      showNotice(say("truncated", { n: response.headers.get("Vankien-Max-Rows") }), false);
    }
  } catch (problem) {
    statusLine.textContent = "";
    showNotice(say("request_failed", { problem }), true);
  }
}

const DOWNLOADS = {
  csv: ["text/csv", "vankien-results.csv"],
  tsv: ["text/tab-separated-values", "vankien-results.tsv"],
  json: ["application/sparql-results+json", "vankien-results.json"],
};

// The same query again in the chosen format, saved as a file (the server writes CSV/TSV/JSON).
async function download(format) {
  const [accept, file] = DOWNLOADS[format];
  const response = await post(editor.value, accept);
  if (!response.ok) { await showFailure(response); return; }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = file;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  statusLine.textContent = say("downloaded", { file });
}

function share() {
  const url = new URL("/", window.location.href);
  url.searchParams.set("query", editor.value);
  history.replaceState(null, "", url.pathname + url.search);
  shareLink.value = url.href;
  shareBox.hidden = false;
  shareLink.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(url.href).then(() => { statusLine.textContent = messages.copied; },
                                                 () => { /* the field shows it */ });
  }
}

form.addEventListener("submit", run);
textarea.addEventListener("input", updateGraphButton);
textarea.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
});
document.querySelectorAll("button.example").forEach((button) => {
  button.addEventListener("click", () => {
    editor.value = pageData.examples[Number(button.dataset.example)].query.trim();
    updateGraphButton();
    clearResults();
    editor.focus();
  });
});
document.querySelectorAll("button.download").forEach((button) => {
  button.addEventListener("click", () => download(button.dataset.format));
});
document.getElementById("share").addEventListener("click", share);
openGraph.addEventListener("click", () => {
  window.location.href = "/graph?construct=" + encodeURIComponent(editor.value);
});
updateGraphButton();
if (pageData.run) run();       // a shared link opens its query with the answer
