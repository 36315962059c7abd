"""The graph view's page: the HTML/CSS/JS template and the legend (kept apart from the view logic
in ``viz.py``). Data reaches the page only as escaped JSON and is put in the DOM with textContent."""

from __future__ import annotations

import html
from string import Template

# --- the page template (string.Template: $name is filled in, $$ is a literal dollar) -------------------

LEGEND_SHAPES = {
    "diamond": '<polygon points="8,1 15,8 8,15 1,8"/>', "square": '<rect x="2" y="2" width="12" height="12"/>',
    "triangle": '<polygon points="8,1 15,15 1,15"/>', "triangleDown": '<polygon points="1,1 15,1 8,15"/>',
    "star": '<polygon points="8,0 10,6 16,6 11,10 13,16 8,12 3,16 5,10 0,6 6,6"/>',
    "hexagon": '<polygon points="4,1 12,1 16,8 12,15 4,15 0,8"/>', "dot": '<circle cx="8" cy="8" r="6"/>',
    "box": '<rect x="0" y="3" width="16" height="10" rx="2"/>', "ellipse": '<ellipse cx="8" cy="8" rx="8" ry="5"/>',
    "circle": '<circle cx="8" cy="8" r="7" stroke="#333"/>',
    "text": '<text x="1" y="13" font-size="13">A</text>',
    "database": '<path d="M2,4 v8 a6,3 0 0 0 12,0 v-8 a6,3 0 0 0 -12,0 a6,3 0 0 0 12,0"/>',
}


def legend_html(styles: dict) -> str:
    """The legend: one entry per node style, its shape drawn in its colour (static markup)."""
    items = "".join(f'<li data-style="{html.escape(key)}"><svg width="16" height="16" fill="{colour}" '
                    f'aria-hidden="true">{LEGEND_SHAPES[shape]}</svg> {html.escape(text)}</li>'
                    for key, (colour, shape, text) in styles.items())
    return f'<h2>Legend</h2><ul>{items}</ul><p>Edges are labelled with the relation; click a node or edge.</p>'


PAGE = Template("""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>$vis_css</style>
<style>
body { font-family: system-ui, sans-serif; margin: 0; color: #222; }
header { padding: .5rem 1rem; border-bottom: 1px solid #ddd; } h1 { font-size: 1.2rem; margin: 0; }
#message { background: #fff3cd; border: 1px solid #e0c36c; padding: .4rem .8rem; margin: .5rem 1rem; }
main { display: flex; height: calc(100vh - 4rem); }
#network { flex: 1; min-width: 0; border-right: 1px solid #ddd; }
aside { width: 340px; overflow: auto; padding: 0 .8rem; font-size: .9rem; }
#legend ul { list-style: none; padding: 0; margin: 0; } #legend li { margin: .15rem 0; }
#legend svg { vertical-align: middle; } h2 { font-size: 1rem; } h3 { font-size: .9rem; margin: .6rem 0 .2rem; }
.vk-quote { margin: .2rem 0 .2rem .5rem; padding-left: .5rem; border-left: 3px solid #999; font-style: italic; }
div.vis-tooltip { font-family: system-ui, sans-serif; } .vk-tip { max-width: 420px; white-space: normal; } .vk-muted { color: #666; } #details a { word-break: break-all; }
</style></head>
<body>
<header><h1>$title</h1></header>
<div id="message" role="status" $message_hidden>$message</div>
<main><div id="network"></div>
<aside><section id="legend">$legend</section>
<section id="details" aria-live="polite"><p class="vk-muted">Click a node to see its details and quotes.</p></section>
</aside></main>
<script type="application/json" id="vankien-data">$data</script>
<script>$vis_js</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("vankien-data").textContent);
  var panel = document.getElementById("details");
  // Every text from the graph goes through textContent: nothing is parsed as HTML.
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function link(url, text) {
    if (!/^https?:\\/\\//i.test(url || "")) { return el("span", text); }
    var a = el("a", text); a.href = url; a.rel = "noopener noreferrer"; a.target = "_blank"; return a;
  }
  function label(id) { return data.details[id] ? data.details[id].label : id; }
  function describeNode(d, box) {
    d.titles.forEach(function (t) { box.appendChild(el("div", (t.lang ? "[" + t.lang + "] " : "") + t.text)); });
    if (d.issuers.length) { box.appendChild(el("div", "Issued by: " + d.issuers.join("; "))); }
    if (d.period) { box.appendChild(el("div", "Period: " + d.period)); }
    return box;
  }
  function nodeTip(d) {
    var box = el("div", null, "vk-tip");
    box.appendChild(el("strong", d.label)); box.appendChild(el("div", d.typeLabel, "vk-muted"));
    return describeNode(d, box);
  }
  function evidenceInto(e, box) {
    if (!e.evidence.length) { box.appendChild(el("p", "No quote recorded for this relation.", "vk-muted")); }
    e.evidence.forEach(function (ev) {
      ev.quotes.forEach(function (q) {
        box.appendChild(el("blockquote", "\\u201c" + q.quote + "\\u201d [" + q.start + ":" + q.end + "]", "vk-quote"));
      });
      var note = el("p", ev.relation + " \\u2014 " + ev.kind + (ev.how ? " (" + ev.how + ")" : "") + " \\u2014 ", "vk-muted");
      note.appendChild(link(ev.link, ev.file || ev.link)); box.appendChild(note);
    });
    return box;
  }
  function edgeBlock(e) {
    var box = el("section", null, "vk-edge");
    box.appendChild(el("h3", label(e.from) + " \\u2014 " + e.label + " \\u2192 " + label(e.to)));
    return evidenceInto(e, box);
  }
  function clear() { while (panel.firstChild) { panel.removeChild(panel.firstChild); } }
  var edgeById = {};
  data.edgeDetails.forEach(function (e) { edgeById[e.id] = e; });
  function showNode(id) {
    var d = data.details[id]; clear();
    panel.appendChild(el("h2", d.label)); panel.appendChild(el("p", d.typeLabel + " \\u00b7 " + d.type, "vk-muted"));
    panel.appendChild(link(d.iri, d.iri)); describeNode(d, panel);
    data.edgeDetails.filter(function (e) { return e.from === id || e.to === id; })
      .forEach(function (e) { panel.appendChild(edgeBlock(e)); });
  }
  function showEdge(id) { clear(); panel.appendChild(edgeBlock(edgeById[id])); }

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return Object.assign({}, n, { title: nodeTip(data.details[n.id]) });
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    var tip = el("div", null, "vk-tip"); tip.appendChild(el("strong", e.label));
    return Object.assign({}, e, { title: evidenceInto(edgeById[e.id], tip) });
  }));
  var network = new vis.Network(document.getElementById("network"), { nodes: nodes, edges: edges }, data.options);
  window.vankienNetwork = network;
  window.vankienShowNode = showNode;
  function ready() {
    if (window.vankienReady) { return; }
    window.vankienNodeCount = nodes.length;
    window.vankienReadyMs = performance.now();   // since navigation start: first interactive frame
    window.vankienReady = true;
  }
  // Stabilise once, then stop the simulation so large graphs stay responsive.
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: false });
    network.once("afterDrawing", ready);
    network.redraw();
  });
  if (nodes.length === 0) { ready(); }
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
  });
})();
</script>
</body></html>
""")
