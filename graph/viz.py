"""The interactive graph view: one standalone HTML page (vis-network via pyvis) that works offline.

``select_view`` picks what to draw (the whole graph, a document's lineage, a body's documents, some
node types), caps it at ``max_nodes`` and attaches the details the page shows: titles, issuers,
periods and, for every edge, the quotes it rests on. ``render_html`` turns such a graph into a page;
``write_view`` writes it. The vis-network script and stylesheet are inlined from the copy pyvis ships,
so the page loads nothing from the network. Every text from the graph travels as JSON data (with
``<``, ``>`` and ``&`` escaped) and reaches the DOM through ``textContent`` only.
"""

from __future__ import annotations

import html
import json
from collections import deque
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis
from pyvis.network import Network

from vankien.graph.errors import BadInput, NotFound
from vankien.graph import queries
from vankien.graph.identifiers import IdentifierError, document_class_of
from vankien.graph.namespaces import local_name
from vankien.graph.netx import EDGE_RELATIONS, to_networkx
from vankien.graph.queries import EVIDENCE_PATTERN, iri, rows
from vankien.graph.viz_page import PAGE, legend_html

VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
DOCUMENT_STYLES = ("Directive", "Resolution", "Plan", "Project", "Guidance", "Regulation")
# style key: (fill colour, vis-network shape, legend text)
NODE_STYLES = {
    "Directive": ("#d62728", "diamond", "Directive (CT)"),
    "Resolution": ("#ff7f0e", "square", "Resolution (NQ)"),
    "Plan": ("#2ca02c", "triangle", "Plan (KH)"),
    "Project": ("#17becf", "triangleDown", "Project (ĐA)"),
    "Guidance": ("#1f77b4", "star", "Guidance (HD)"),
    "Regulation": ("#9467bd", "hexagon", "Regulation (QĐi)"),
    "document": ("#7f7f7f", "ellipse", "Other document"),
    "body": ("#8c564b", "box", "Party body"),
    "goal": ("#bcbd22", "circle", "Goal"),
    "observation": ("#e377c2", "dot", "Observation (figure)"),
    "term": ("#aec7e8", "database", "Committee term"),
    "other": ("#c7c7c7", "text", "Other resource"),
}
LABEL_CHARS = 40            # drawn labels are cut; the tooltip and the details panel show all
INSIDE_LABEL_CHARS = 24     # shapes that grow around their label (box, ellipse, circle, database)
INSIDE_LABEL_SHAPES = {"box", "ellipse", "circle", "database"}
VALUES_CHUNK = 400          # IRIs per VALUES block in the detail queries
PHYSICS: dict[str, Any] = {
    "solver": "forceAtlas2Based",
    "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120},
    # stabilise before the first frame, then the page switches physics off (see PAGE)
    "stabilization": {"enabled": True, "iterations": 1000, "updateInterval": 1000, "fit": True},
}
STABILISATION_WORK = 100_000   # iterations × nodes: big graphs get fewer iterations (≥ 100)
IMPROVED_LAYOUT_NODES = 150    # vis' Kamada-Kawai seeding costs seconds on bigger graphs
OPTIONS = {
    "physics": PHYSICS,
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.6}}, "smooth": False,
              "font": {"size": 10, "align": "middle", "color": "#555"}, "color": {"color": "#9a9a9a"}},
    "nodes": {"font": {"size": 13}, "size": 14},
    "interaction": {"hover": True, "tooltipDelay": 150},
}


# --- choosing what to draw ----------------------------------------------------------------------------

def select_view(store, focus: str | None = None, depth: int = 2, types: list[str] | None = None,
                body: str | None = None, max_nodes: int = 500) -> tuple[nx.DiGraph, str | None]:
    """The graph to draw and a message for the reader (``None`` when everything is drawn).

    ``focus``: a document (any spelling of its number, or its URI): its lineage ``depth`` hops up
    and down ``vk:implements`` plus the bodies that issued or advised those documents. ``body``: a
    body URI and the documents it issued or advised. ``types``: keep only these node types (class
    names such as ``Plan``, kinds such as ``body``, or codes such as ``KH``)."""
    if max_nodes < 1:
        raise BadInput(f"max_nodes: must be at least 1, got {max_nodes}")
    if depth < 0:
        raise BadInput(f"depth: must be 0 or more, got {depth}")
    full = to_networkx(store)
    centre = None
    keep = set(full)
    if focus:
        centre = queries.resolve_document(store, focus)
        keep = _lineage_nodes(store, full, centre, depth)
    elif body:
        if body not in full or full.nodes[body]["kind"] != "body":
            raise NotFound(f"body: no party body {body} in the graph")
        centre = body
        keep = {body} | {doc for doc, _, label in full.in_edges(body, data="label")
                         if {"issuedBy", "advisedBy"} & set(label.split(", "))}
    if types:
        wanted = _wanted_types(types, full)
        keep = {n for n in keep if n == centre or {full.nodes[n]["type"].lower(),
                                                   full.nodes[n]["kind"]} & wanted}
    view, message = cap(full.subgraph(keep).copy(), max_nodes, centre)
    attach_details(store, view)
    return view, message


def _lineage_nodes(store, full: nx.DiGraph, document: str, depth: int) -> set[str]:
    found = queries.lineage(store, document, max_depth=depth)
    documents = {document} | {e["document"] for key in ("implements", "implemented_by") for e in found[key]}
    bodies = {target for doc in documents if doc in full
              for _, target, label in full.out_edges(doc, data="label")
              if {"issuedBy", "advisedBy"} & set(label.split(", "))}
    return (documents | bodies) & set(full) | {document}


def _wanted_types(types: list[str], full: nx.DiGraph) -> set[str]:
    known = {d["type"].lower() for _, d in full.nodes(data=True)} | {d["kind"] for _, d in full.nodes(data=True)}
    known |= {t.lower() for t in queries.DOCUMENT_TYPES} | {"document", "body", "goal", "observation", "term"}
    wanted = set()
    for name in types:
        token = name.strip()
        try:                                   # a type code such as KH or QĐi
            token = document_class_of(token)
        except IdentifierError:
            pass
        if token.lower() not in known:
            raise BadInput(f"type: unknown node type '{name}'; use one of {', '.join(sorted(known))} "
                             "or a document code such as CT, NQ, KH")
        wanted.add(token.lower())
    return wanted


def cap(view: nx.DiGraph, max_nodes: int, centre: str | None = None) -> tuple[nx.DiGraph, str | None]:
    """At most ``max_nodes`` nodes: nearest to ``centre`` first, then the best connected."""
    total = view.number_of_nodes()
    if total <= max_nodes:
        return view, None
    distance = _distances(view, centre)
    ranked = sorted(view, key=lambda n: (distance.get(n, len(view)), -view.degree(n), str(n)))
    kept = view.subgraph(ranked[:max_nodes]).copy()
    message = (f"Showing {max_nodes} of {total} nodes: {total - max_nodes} left out. Narrow the view "
               "with a focus document (focus= / --focus), node types (type= / --type), a body (body=) "
               "or a smaller depth, or raise max_nodes.")
    return kept, message


def _distances(view: nx.DiGraph, centre: str | None) -> dict[str, int]:
    if centre is None or centre not in view:
        return {}
    undirected, distance, queue = view.to_undirected(as_view=True), {centre: 0}, deque([centre])
    while queue:
        node = queue.popleft()
        for nxt in undirected[node]:
            if nxt not in distance:
                distance[nxt] = distance[node] + 1
                queue.append(nxt)
    return distance


# --- details shown in tooltips and the details panel --------------------------------------------------

def attach_details(store, view: nx.DiGraph) -> None:
    """Titles (with languages), issuers and period on the nodes; quotes and sources on the edges."""
    nodes = [n for n in view if "://" in n]
    for node in view:
        view.nodes[node].update(title_list=[], issuers=[], period=None)
    for values in _chunks(nodes):
        for row in rows(store, f"""SELECT ?n ?t (lang(?t) AS ?lang) ?about WHERE {{ VALUES ?n {{ {values} }}
              {{ ?n vk:title ?t }} UNION {{ ?n vk:subjectMatter ?t BIND("about: " AS ?about) }} }}"""):
            view.nodes[row["n"]]["title_list"].append({"lang": row.get("lang") or "",
                                                       "text": row.get("about", "") + row["t"]})
        issuers: dict[tuple[str, str], dict[str, str]] = {}
        for row in rows(store, f"""SELECT ?n ?b ?l (lang(?l) AS ?lang) WHERE {{ VALUES ?n {{ {values} }}
              ?n vk:issuedBy ?b OPTIONAL {{ ?b skos:prefLabel ?l }} }}"""):
            issuers.setdefault((row["n"], row["b"]), {})[row.get("lang", "")] = row.get("l")
        for (node, body), names in sorted(issuers.items()):   # English name first, else any
            view.nodes[node]["issuers"].append(names.get("en") or next(filter(None, names.values()), body))
        for row in rows(store, f"""SELECT ?n ?label ?sy ?ey WHERE {{ VALUES ?n {{ {values} }}
              ?n vk:applicablePeriod ?p OPTIONAL {{ ?p vk:periodLabel ?label }}
              OPTIONAL {{ ?p vk:startYear ?sy }} OPTIONAL {{ ?p vk:endYear ?ey }} }}"""):
            years = "–".join(str(row[k])[:4] for k in ("sy", "ey") if k in row)
            view.nodes[row["n"]]["period"] = row.get("label") or years or None
        _attach_evidence(store, view, values)


def _attach_evidence(store, view: nx.DiGraph, subjects: str) -> None:
    relations = " ".join(f"vk:{r}" for r in EDGE_RELATIONS)
    found = rows(store, f"SELECT * WHERE {{ VALUES ?s {{ {subjects} }} VALUES ?p {{ {relations} }} "
                        f"{EVIDENCE_PATTERN} }} ORDER BY ?source ?start")
    for row, item in queries.claims_of(found):
        s, o, name = row["s"], row["o"], local_name(row["p"])
        if not view.has_edge(s, o) or name not in view.edges[s, o]["label"].split(", "):
            continue
        view.edges[s, o].setdefault("evidence", []).append({
            "relation": name, "quote": item.quote, "start": item.start, "end": item.end,
            "quotes": [{"quote": p.quote, "start": p.start, "end": p.end} for p in item.quotes],
            "kind": item.evidence, "how": item.how, "source": item.source,
            "link": item.source_url or item.source, "file": item.source_file})


def _chunks(nodes: list[str]):
    for i in range(0, len(nodes), VALUES_CHUNK):
        yield " ".join(iri(n) for n in nodes[i:i + VALUES_CHUNK])


# --- the page -----------------------------------------------------------------------------------------

def style_key(data: dict) -> str:
    return str(data.get("type") if data.get("type") in DOCUMENT_STYLES else (
        data.get("kind") if data.get("kind") in NODE_STYLES else "other"))


def render_html(graph: nx.DiGraph, *, title: str, message: str | None = None) -> str:
    """One standalone HTML page drawing ``graph`` (nodes with ``label``/``type``/``kind``; details
    from :func:`attach_details` when present)."""
    net = Network(directed=True, cdn_resources="in_line")   # the model; the page is our own template
    details = {}
    for node, data in graph.nodes(data=True):
        colour, shape, type_label = NODE_STYLES[style_key(data)]
        label = str(data.get("label") or local_name(str(node)))
        limit = INSIDE_LABEL_CHARS if shape in INSIDE_LABEL_SHAPES else LABEL_CHARS
        net.add_node(str(node), label=label if len(label) <= limit else label[:limit - 1] + "…",
                     shape=shape, color=colour, font={"color": "#fff" if shape == "box" else "#222"})
        titles = data.get("title_list") or [{"lang": "", "text": t} for t in
                                            str(data.get("titles") or "").split("\n") if t]
        details[str(node)] = {"label": label, "type": data.get("type") or type_label, "typeLabel": type_label,
                              "iri": data.get("iri") or str(node), "titles": titles,
                              "issuers": data.get("issuers", []), "period": data.get("period")}
    edges = []
    for number, (source, target, data) in enumerate(graph.edges(data=True)):
        net.add_edge(str(source), str(target), id=f"e{number}", label=data.get("label", ""))
        edges.append({"id": f"e{number}", "from": str(source), "to": str(target),
                      "label": data.get("label", ""), "evidence": data.get("evidence", [])})
    size = max(graph.number_of_nodes(), 1)
    stabilization = {**PHYSICS["stabilization"], "iterations": max(100, min(1000, STABILISATION_WORK // size))}
    net.options = {**OPTIONS, "physics": {**PHYSICS, "stabilization": stabilization},
                   "layout": {"improvedLayout": size <= IMPROVED_LAYOUT_NODES}}
    nodes_data, edges_data, _, _, _, options = net.get_network_data()
    payload = {"nodes": nodes_data, "edges": edges_data, "options": json.loads(options),
               "details": details, "edgeDetails": edges}
    return PAGE.substitute(
        title=html.escape(title), message=html.escape(message or ""),
        message_hidden="" if message else "hidden", legend=legend_html(NODE_STYLES),
        vis_css=_inline((VIS_DIR / "vis-network.css").read_text(encoding="utf-8"), "style"),
        vis_js=_inline((VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"), "script"),
        data=_json_for_html(payload))


def _inline(text: str, tag: str) -> str:
    if f"</{tag}" in text.lower():
        raise ValueError(f"cannot inline {tag}: it contains </{tag}")
    return text


def _json_for_html(value) -> str:
    """JSON safe inside <script type="application/json">: no <, > or & left raw."""
    return (json.dumps(value, ensure_ascii=False).replace("&", "\\u0026")
            .replace("<", "\\u003c").replace(">", "\\u003e"))


def write_view(store, output_path, *, focus: str | None = None, depth: int = 2,
               types: list[str] | None = None, max_nodes: int = 500, settings=None) -> Path:
    """Select, render and write the view to ``output_path``; return the path. (``settings`` is
    accepted for the CLI's call; the view needs nothing from it.)"""
    view, message = select_view(store, focus=focus, depth=depth, types=types, max_nodes=max_nodes)
    heading = f"vankien — lineage of {focus}" if focus else "vankien — document graph"
    path = Path(output_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(view, title=heading, message=message), encoding="utf-8")
    return path


