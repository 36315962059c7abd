// The vankien query page: send the editor's query to /sparql and show the answer.
// Every value from the server is written with textContent, never as HTML.
"use strict";

const editor = document.getElementById("query");
const form = document.getElementById("query-form");
const statusLine = document.getElementById("status");
const notice = document.getElementById("notice");
const table = document.getElementById("result-table");
const resultText = document.getElementById("result-text");
const openGraph = document.getElementById("open-graph");
const examples = JSON.parse(document.getElementById("examples").textContent);

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
  table.hidden = true;
  resultText.hidden = true;
  table.tHead.replaceChildren();
  table.tBodies[0].replaceChildren();
}

function showNotice(message, isError) {
  notice.textContent = message;
  notice.className = isError ? "error" : "";
  notice.hidden = false;
}

function cell(tag, text, binding) {
  const element = document.createElement(tag);
  // Only http(s) IRIs become links: a javascript: or data: IRI in a result stays text.
  if (binding && binding.type === "uri" && /^https?:\/\//i.test(binding.value)) {
    const link = document.createElement("a");
    link.href = binding.value;
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
    showNotice("ASK: " + data.boolean, false);
    return 0;
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

async function run(event) {
  if (event) event.preventDefault();
  clearResults();
  const query = editor.value;
  const graph = returnsGraph(query);
  statusLine.textContent = "Running…";
  const started = performance.now();
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": graph ? "text/turtle" : "application/sparql-results+json",
      },
      body: new URLSearchParams({ query }),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      let message = response.status + " " + response.statusText;
      try { message = (await response.json()).error || message; } catch (_) { /* not JSON */ }
      statusLine.textContent = "Failed after " + seconds + " s";
      showNotice(message, true);
      return;
    }
    let count;
    if (graph) {
      resultText.textContent = await response.text();
      resultText.hidden = false;
      count = "graph";
    } else {
      count = renderSolutions(await response.json()) + " rows";
    }
    statusLine.textContent = count + " in " + seconds + " s";
    if (response.headers.get("Vankien-Truncated") === "true") {
      showNotice("Cut at " + response.headers.get("Vankien-Max-Rows") +
                 " rows: add LIMIT/OFFSET or narrow the query.", false);
    }
  } catch (problem) {
    statusLine.textContent = "";
    showNotice("The request failed: " + problem, true);
  }
}

form.addEventListener("submit", run);
editor.addEventListener("input", updateGraphButton);
editor.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    run(event);
  } else if (event.key === "Tab" && !event.shiftKey) {
    // Tab indents instead of leaving the editor (Shift+Tab / Esc then Tab still move focus).
    event.preventDefault();
    editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
  }
});
document.querySelectorAll("button.example").forEach((button) => {
  button.addEventListener("click", () => {
    editor.value = examples[Number(button.dataset.example)].query.trim();
    updateGraphButton();
    clearResults();
    editor.focus();
  });
});
openGraph.addEventListener("click", () => {
  window.location.href = "/graph?construct=" + encodeURIComponent(editor.value);
});
updateGraphButton();
