// The graph view's script (inlined into the page, so a written file works offline): the network,
// the details panel, the filters and the search. Texts from the graph reach the DOM through
// textContent only; the interface texts come translated in #vankien-messages.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("vankien-data").textContent);
  var panel = document.getElementById("details");
  var msg = JSON.parse(document.getElementById("vankien-messages").textContent);   // interface texts
  // Every text from the graph goes through textContent: nothing is parsed as HTML.
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function link(url, text) {
    if (/^\/(id|ontology)/.test(url || "")) { var local = el("a", text); local.href = url; return local; }
    if (!/^https?:\/\//i.test(url || "")) { return el("span", text); }
    var a = el("a", text); a.href = url; a.rel = "noopener noreferrer"; a.target = "_blank"; return a;
  }
  function figureInto(f, box) {
    // vk:Nearly ("fast 2.500") is close to and not above the value: shown as \u2272, not as exact
    var value = ({Approximately: "\u2248 ", Nearly: "\u2272 ", MoreThan: "> "}[f.approximation] || "")
      + Number(f.value).toLocaleString() + (f.unit ? " " + f.unit : "");
    box.appendChild(el("p", value, "vk-figure-value"));
    if (f.measure) { box.appendChild(el("div", f.measure)); }
    if (f.period) { box.appendChild(el("div", msg.period + ": " + f.period)); }
    f.evidence.forEach(function (ev) {
      (ev.quotes && ev.quotes.length ? ev.quotes : [ev]).forEach(function (q) {
        box.appendChild(el("blockquote", "\u201c" + q.quote + "\u201d", "vk-quote"));
      });
      box.appendChild(el("p", ev.kind + (ev.how ? " (" + ev.how + ")" : ""), "vk-muted"));
    });
    return box;
  }
  function label(id) { return data.details[id] ? data.details[id].label : id; }
  function describeNode(d, box) {
    d.titles.forEach(function (t) { box.appendChild(el("div", (t.lang ? "[" + t.lang + "] " : "") + t.text)); });
    if (d.issuers.length) { box.appendChild(el("div", msg.issuedBy + ": " + d.issuers.join("; "))); }
    if (d.period) { box.appendChild(el("div", msg.period + ": " + d.period)); }
    return box;
  }
  function nodeTip(d) {
    var box = el("div", null, "vk-tip");
    box.appendChild(el("strong", d.label)); box.appendChild(el("div", d.typeLabel, "vk-muted"));
    return describeNode(d, box);
  }
  function evidenceInto(e, box) {
    if (!e.evidence.length) { box.appendChild(el("p", msg.noQuote, "vk-muted")); }
    e.evidence.forEach(function (ev) {
      ev.quotes.forEach(function (q) {
        box.appendChild(el("blockquote", "\u201c" + q.quote + "\u201d [" + q.start + ":" + q.end + "]", "vk-quote"));
      });
      var note = el("p", ev.relation + " \u2014 " + ev.kind + (ev.how ? " (" + ev.how + ")" : "") + " \u2014 ", "vk-muted");
      note.appendChild(link(ev.link, ev.file || ev.link)); box.appendChild(note);
    });
    return box;
  }
  function edgeBlock(e) {
    var box = el("section", null, "vk-edge");
    box.appendChild(el("h3", label(e.from) + " \u2014 " + e.label + " \u2192 " + label(e.to)));
    return evidenceInto(e, box);
  }
  function clear() { while (panel.firstChild) { panel.removeChild(panel.firstChild); } }
  var edgeById = {};
  data.edgeDetails.forEach(function (e) { edgeById[e.id] = e; });
  function showNode(id) {
    var d = data.details[id]; clear();
    panel.appendChild(el("h2", d.label)); panel.appendChild(el("p", d.typeLabel + " \u00b7 " + d.type, "vk-muted"));
    panel.appendChild(link(d.href || d.iri, d.iri)); describeNode(d, panel);
    if (d.figure) { figureInto(d.figure, panel); }
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
  // The forces keep nodes apart, not their labels: push apart the boxes (shape and label) that
  // still overlap, along the shorter way out, in a fixed order (the same picture on every load).
  var GAP = 6, ROUNDS = 60;
  function separateLabels() {
    var shown = nodes.get().filter(function (n) { return !n.hidden; }).map(function (n) { return n.id; }).sort();
    var at = network.getPositions(shown), extent = {};
    // a box relative to its node (shape and label); vis only refreshes boxes when it draws
    shown.forEach(function (id) {
      var box = network.getBoundingBox(id), p = at[id];
      extent[id] = { left: box.left - p.x, right: box.right - p.x, top: box.top - p.y, bottom: box.bottom - p.y };
    });
    function edge(id, side) { return (side === "left" || side === "right" ? at[id].x : at[id].y) + extent[id][side]; }
    for (var round = 0; round < ROUNDS; round++) {
      var moved = false;
      for (var i = 0; i < shown.length; i++) {
        for (var j = i + 1; j < shown.length; j++) {
          var a = shown[i], b = shown[j];
          var dx = Math.min(edge(a, "right"), edge(b, "right")) - Math.max(edge(a, "left"), edge(b, "left")) + GAP;
          var dy = Math.min(edge(a, "bottom"), edge(b, "bottom")) - Math.max(edge(a, "top"), edge(b, "top")) + GAP;
          if (dx <= 0 || dy <= 0) { continue; }
          if (dx < dy) { var sx = at[a].x <= at[b].x ? -1 : 1; at[a].x += sx * dx / 2; at[b].x -= sx * dx / 2; }
          else { var sy = at[a].y <= at[b].y ? -1 : 1; at[a].y += sy * dy / 2; at[b].y -= sy * dy / 2; }
          moved = true;
        }
      }
      if (!moved) { break; }
    }
    shown.forEach(function (id) { network.moveNode(id, at[id].x, at[id].y); });
  }
  window.vankienSeparateLabels = separateLabels;
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: false });
    separateLabels();
    network.fit();
    network.once("afterDrawing", ready);
    network.redraw();
  });
  if (nodes.length === 0) { ready(); }
  // Filters: node types (the legend's boxes; figures start unticked), a body, a committee term.
  function names(ids) { return ids.map(function (id) { return [id, label(id)]; }); }
  function fill(select, ids) {
    names(ids).sort(function (a, b) { return a[1].localeCompare(b[1]); }).forEach(function (pair) {
      var option = el("option", pair[1]); option.value = pair[0]; select.appendChild(option);
    });
  }
  var ids = Object.keys(data.details);
  var bodySelect = document.getElementById("filter-body"), termSelect = document.getElementById("filter-term");
  fill(bodySelect, ids.filter(function (id) { return data.details[id].style === "body"; }));
  fill(termSelect, ids.filter(function (id) { return data.details[id].style === "term"; }));
  function ticked() {
    var on = {};
    document.querySelectorAll("input.vk-type").forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }
  function applyFilters() {
    var on = ticked(), body = bodySelect.value, term = termSelect.value;
    nodes.update(ids.map(function (id) {
      var d = data.details[id], keep = on[d.style] !== false;
      var isDocument = d.bodies.length || d.terms.length || /^(Directive|Resolution|Plan|Project|Guidance|Regulation|document)$/.test(d.style);
      if (keep && body && isDocument && d.bodies.indexOf(body) < 0) { keep = false; }
      if (keep && term && isDocument && d.terms.indexOf(term) < 0) { keep = false; }
      return { id: id, hidden: !keep };
    }));
    separateLabels();
  }
  document.querySelectorAll("input.vk-type").forEach(function (box) { box.addEventListener("change", applyFilters); });
  bodySelect.addEventListener("change", applyFilters);
  termSelect.addEventListener("change", applyFilters);
  // Search: a number, a name or words of a title; the first match is focused and described.
  var list = document.getElementById("search-names");
  names(ids).forEach(function (pair) { var option = el("option"); option.value = pair[1]; list.appendChild(option); });
  function fold(text) { return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/\u0111/g, "d").replace(/\u0110/g, "D").toLowerCase(); }
  function find(text) {
    var wanted = fold(text.trim()); if (!wanted) { return null; }
    var exact = ids.filter(function (id) { return fold(label(id)) === wanted; });
    if (exact.length) { return exact[0]; }
    return ids.filter(function (id) {
      var d = data.details[id];
      return [d.label].concat(d.titles.map(function (t) { return t.text; })).some(function (t) { return fold(t).indexOf(wanted) >= 0; });
    }).sort(function (a, b) { return label(a).length - label(b).length; })[0] || null;
  }
  window.vankienFocus = function (id) {
    var d = data.details[id], box = document.querySelector('input.vk-type[value="' + d.style + '"]');
    if (box && !box.checked) { box.checked = true; }
    if (bodySelect.value || termSelect.value) { bodySelect.value = ""; termSelect.value = ""; }
    applyFilters();
    network.selectNodes([id]);
    network.focus(id, { scale: 1.3, animation: false });
    showNode(id);
  };
  var status = document.getElementById("search-status");
  document.getElementById("tools").addEventListener("submit", function (event) {
    event.preventDefault();
    var found = find(document.getElementById("search").value);
    status.textContent = found ? "" : msg.nothingFound;
    if (found) { window.vankienFocus(found); }
  });
  document.getElementById("search").addEventListener("change", function () {
    var found = find(this.value); if (found) { status.textContent = ""; window.vankienFocus(found); }
  });
  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
  });
})();
