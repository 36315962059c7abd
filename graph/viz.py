"""What the interactive graph view draws (the page itself is :mod:`vankien.api.graph_page`).

``select_view`` picks what to draw (the whole graph, a document's lineage, a body's documents, some
node types), caps it at ``max_nodes`` and attaches the details the page shows: titles, issuers,
terms, periods, figures with their value and quote and, for every edge, the quotes it rests on.
``network_data`` turns such a graph into the data vis-network draws: full labels wrapped at
``LABEL_WIDTH_PX``, a seeded layout (the same picture on reload), figures hidden until asked for.
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import networkx as nx
from pyvis.network import Network

from vankien.graph.errors import BadInput, NotFound
from vankien.graph import queries, records
from vankien.graph.identifiers import IdentifierError, document_class_of
from vankien.graph.links import local_href
from vankien.graph.labels import pick_label
from vankien.graph.namespaces import local_name
from vankien.graph.netx import EDGE_RELATIONS, to_networkx
from vankien.graph.namespaces import sparql_iri
from vankien.graph.queries import evidence_rows, rows

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
LABEL_WIDTH_PX = 170        # labels are drawn whole, wrapped at this width
LAYOUT_SEED = 7             # the same picture on every reload
VALUES_CHUNK = 400          # IRIs per VALUES block in the detail queries
PHYSICS: dict[str, Any] = {
    "solver": "forceAtlas2Based",
    # avoidOverlap keeps the wrapped labels apart
    "forceAtlas2Based": {"gravitationalConstant": -120, "springLength": 150, "avoidOverlap": 1},
    # stabilise before the first frame, then the page switches physics off (api/static/graph.js)
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
                body: str | None = None, max_nodes: int = 500, lang: str = "en") -> tuple[nx.DiGraph, str | None]:
    """The graph to draw and a message for the reader (``None`` when everything is drawn).

    ``focus``: a document (any spelling of its number, or its URI): its lineage ``depth`` hops up
    and down ``vk:implements`` plus the bodies that issued or advised those documents. ``body``: a
    body URI and the documents it issued or advised. ``types``: keep only these node types (class
    names such as ``Plan``, kinds such as ``body``, or codes such as ``KH``). Names are in ``lang``
    where the graph has them."""
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
    attach_details(store, view, lang)
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

def attach_details(store, view: nx.DiGraph, lang: str = "en") -> None:
    """Titles (with languages), issuers, term and period on the nodes; value, unit, period and
    quote on figures; quotes and sources on the edges. Names (issuers, units, measures) in ``lang``
    where the graph has them."""
    nodes = [n for n in view if "://" in n]
    for node in view:
        view.nodes[node].update(title_list=[], issuers=[], period=None, bodies=[], terms=[], figure=None)
    issued: set[tuple[str, str]] = set()      # (document, the body that issued it)
    for values in _chunks(nodes):
        for row in rows(store, f"""SELECT ?n ?p ?o WHERE {{ VALUES ?n {{ {values} }} VALUES ?p {{ vk:issuedBy
              vk:advisedBy vk:issuedInTerm }} ?n ?p ?o }} ORDER BY ?o"""):
            key = "terms" if row["p"].endswith("issuedInTerm") else "bodies"
            view.nodes[row["n"]][key].append(row["o"])
            if row["p"].endswith("issuedBy"):
                issued.add((row["n"], row["o"]))
        _attach_figures(store, view, values, lang)
        for row in rows(store, f"""SELECT ?n ?t (lang(?t) AS ?lang) ?about WHERE {{ VALUES ?n {{ {values} }}
              {{ ?n vk:title ?t }} UNION {{ ?n vk:subjectMatter ?t BIND("about: " AS ?about) }} }}"""):
            view.nodes[row["n"]]["title_list"].append({"lang": row.get("lang") or "",
                                                       "text": row.get("about", "") + row["t"]})
        for row in rows(store, f"""SELECT ?n ?label ?sy ?ey WHERE {{ VALUES ?n {{ {values} }}
              ?n vk:applicablePeriod ?p OPTIONAL {{ ?p vk:periodLabel ?label }}
              OPTIONAL {{ ?p vk:startYear ?sy }} OPTIONAL {{ ?p vk:endYear ?ey }} }}"""):
            years = "–".join(str(row[k])[:4] for k in ("sy", "ey") if k in row)
            view.nodes[row["n"]]["period"] = row.get("label") or years or None
        _attach_evidence(store, view, values)
    # Names as the pages give them (the lexicon's too, for a body), read once for the nodes and
    # the bodies that issued them (with the names of their classes).
    named = records.names(store, {*nodes, *(body for _, body in issued)})
    for node, body in sorted(issued):
        name = pick_label(named[body]["labels"], lang)
        view.nodes[node]["issuers"].append(name.text if name else body)
    _name_in(view, nodes, named, lang)


def _name_in(view: nx.DiGraph, nodes: list[str], named: dict[str, dict], lang: str) -> None:
    """Each node without a notation named in ``lang`` where ``named`` (:func:`records.names`) has
    a name in it; a figure keeps its value in front."""
    for node in nodes:
        picked = None if named[node]["notation"] else pick_label(named[node]["labels"], lang)
        if picked:
            figure = view.nodes[node].get("figure")
            view.nodes[node]["label"] = f"{figure['value']} — {picked.text}" if figure else picked.text


def _attach_figures(store, view: nx.DiGraph, values: str, lang: str) -> None:
    """What a figure node shows when clicked: its value, unit, period, what it is about (names in
    ``lang`` where the graph has them) and the quote of its value."""
    names: dict[tuple[str, str], dict[str, str]] = {}    # (figure, "unit" | "measure") → language → name
    for row in rows(store, f"""SELECT ?n ?what ?name (LANG(?name) AS ?lang) WHERE {{ VALUES ?n {{ {values} }}
          {{ ?n vk:unit/skos:prefLabel ?name BIND("unit" AS ?what) }}
          UNION {{ ?n vk:measure/skos:prefLabel ?name BIND("measure" AS ?what) }} }} ORDER BY ?name"""):
        names.setdefault((row["n"], row["what"]), {}).setdefault(row.get("lang", ""), row["name"])

    def name_of(figure: str, what: str) -> str | None:
        picked = pick_label(names.get((figure, what), {}), lang)
        return picked.text if picked else None

    for row in rows(store, f"""SELECT ?n ?value ?approx ?period ?sy ?ey WHERE {{
          VALUES ?n {{ {values} }} ?n a vk:Observation ; vk:value ?value .
          OPTIONAL {{ ?n vk:approximation ?approx }}
          OPTIONAL {{ ?n vk:refPeriod ?p OPTIONAL {{ ?p vk:periodLabel ?period }}
                     OPTIONAL {{ ?p vk:startYear ?sy }} OPTIONAL {{ ?p vk:endYear ?ey }} }} }}"""):
        years = "–".join(str(row[k])[:4] for k in ("sy", "ey") if k in row)
        view.nodes[row["n"]]["figure"] = {
            "value": row["value"], "unit": name_of(row["n"], "unit"), "measure": name_of(row["n"], "measure"),
            "approximation": local_name(row["approx"]) if "approx" in row else None,
            "period": row.get("period") or years or None, "evidence": []}
    figures = [n for n in view if view.nodes[n].get("figure")]
    if not figures:
        return
    found = evidence_rows(store, f"VALUES ?s {{ {' '.join(sparql_iri(n) for n in figures)} }}", "?s", "vk:value", "?o",
                          order_by=("start",))
    for row, item in queries.claims_of(found):
        view.nodes[row["s"]]["figure"]["evidence"].append({
            "quote": item.quote, "start": item.start, "end": item.end, "kind": item.evidence,
            "how": item.how, "claim": item.claim,
            "quotes": [{"quote": p.quote, "start": p.start, "end": p.end} for p in item.quotes]})


def _attach_evidence(store, view: nx.DiGraph, subjects: str) -> None:
    relations = " ".join(f"vk:{r}" for r in EDGE_RELATIONS)
    found = evidence_rows(store, f"VALUES ?s {{ {subjects} }} VALUES ?p {{ {relations} }}",
                          order_by=("source", "start"))
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
        yield " ".join(sparql_iri(n) for n in nodes[i:i + VALUES_CHUNK])


# --- the page -----------------------------------------------------------------------------------------

def style_key(data: dict) -> str:
    return str(data.get("type") if data.get("type") in DOCUMENT_STYLES else (
        data.get("kind") if data.get("kind") in NODE_STYLES else "other"))


def network_data(graph: nx.DiGraph, base_iri: str = "") -> dict:
    """What the page draws: vis-network's nodes, edges and options, and the details the panel shows
    (node titles, issuers, terms, figures; edge quotes). With the server's ``base_iri`` the panel
    links minted IRIs to the server's pages; a written file (no server) links the IRIs themselves."""
    net = Network(directed=True, cdn_resources="in_line")   # the model only; the page is a template
    details = {}
    for node, data in graph.nodes(data=True):
        colour, shape, type_label = NODE_STYLES[style_key(data)]
        label = str(data.get("label") or local_name(str(node)))
        net.add_node(str(node), label=label, shape=shape, color=colour, hidden=data.get("kind") == "observation",
                     **({} if shape == "database" else {"widthConstraint": {"maximum": LABEL_WIDTH_PX}}),
                     font={"color": "#fff" if shape == "box" else "#222"})
        titles = data.get("title_list") or [{"lang": "", "text": t} for t in
                                            str(data.get("titles") or "").split("\n") if t]
        details[str(node)] = {"label": label, "type": data.get("type") or type_label, "typeLabel": type_label,
                              "iri": data.get("iri") or str(node), "href": local_href(str(node), base_iri),
                              "titles": titles, "style": style_key(data),
                              "issuers": data.get("issuers", []), "period": data.get("period"),
                              "bodies": data.get("bodies", []), "terms": data.get("terms", []),
                              "figure": data.get("figure")}
    edges = []
    for number, (source, target, data) in enumerate(graph.edges(data=True)):
        net.add_edge(str(source), str(target), id=f"e{number}", label=data.get("label", ""))
        edges.append({"id": f"e{number}", "from": str(source), "to": str(target),
                      "label": data.get("label", ""), "evidence": data.get("evidence", [])})
    size = max(graph.number_of_nodes(), 1)
    stabilization = {**PHYSICS["stabilization"], "iterations": max(100, min(1000, STABILISATION_WORK // size))}
    net.options = {**OPTIONS, "physics": {**PHYSICS, "stabilization": stabilization},
                   "layout": {"improvedLayout": size <= IMPROVED_LAYOUT_NODES, "randomSeed": LAYOUT_SEED}}
    nodes_data, edges_data, _, _, _, options = net.get_network_data()
    return {"nodes": nodes_data, "edges": edges_data, "options": json.loads(options),
            "details": details, "edgeDetails": edges}


