"""The graph as networkx: typed nodes, labelled edges, for path and centrality questions, the
GraphML/GEXF exports and the visualisation."""

from __future__ import annotations

import networkx as nx

from vankien.graph.classes import below_each, pairs_of
from vankien.graph.namespaces import VK, local_name
from vankien.graph.namespaces import sparql_iri
from vankien.graph.queries import provenance, rows

# Relations drawn as edges, in the order a legend lists them.
EDGE_RELATIONS = ("implements", "basedOn", "issuedBy", "advisedBy", "amends", "replaces", "setsGoal",
                  "concerns", "partOf", "issuedInTerm")
NODE_CLASSES = ("PartyDocument", "PartyBody", "Goal", "Observation", "Term")


def _node_rows(store, restrict: str) -> list[dict]:
    return rows(store, f"""SELECT ?n ?class ?top ?notation ?label ?title ?value WHERE {{
      {restrict} {pairs_of(below_each(store, [str(VK[c]) for c in NODE_CLASSES]))}
      ?n a ?class .
      OPTIONAL {{ ?n skos:notation ?notation }}
      OPTIONAL {{ ?n skos:prefLabel|rdfs:label ?label }}
      OPTIONAL {{ ?n vk:title|vk:subjectMatter ?title }}
      OPTIONAL {{ ?n vk:value ?value }} }}""")


def to_networkx(store, nodes: set[str] | None = None, *, evidence: bool = False) -> nx.DiGraph:
    """A DiGraph of documents, bodies, goals, observations and terms (optionally only ``nodes``).

    Node attributes: ``type`` (most specific class), ``kind`` (document, body, goal, observation,
    term), ``label``, ``titles``. Edge attribute ``label``: the relation(s), comma-separated. With
    ``evidence`` (the GraphML/GEXF exports), edges also carry what they rest on, so provenance
    survives in Gephi: ``quote``, ``source``, ``evidence`` (Stated/Inferred), ``how``, ``claim``
    (several claims joined with " | ")."""
    restrict = f"VALUES ?n {{ {' '.join(sparql_iri(n) for n in nodes)} }}" if nodes is not None else ""
    graph = nx.DiGraph()
    if nodes is not None and not nodes:
        return graph
    # Rows in a fixed order: the first label and the order of titles must not depend on the order
    # the store returns rows in (the embedded store, Oxigraph server and Virtuoso each differ).
    ordered = sorted(_node_rows(store, restrict), key=lambda r: tuple(str(r.get(k, "")) for k in (
        "n", "notation", "label", "title", "class", "value")))
    for row in ordered:
        node = row["n"]
        data = graph.nodes[node] if node in graph else None
        if data is None:
            graph.add_node(node, iri=node, kind=_kind(row["top"]), type=local_name(row["class"]),
                           label=row.get("notation") or row.get("label") or local_name(node), titles="")
            data = graph.nodes[node]
        if local_name(row["class"]) not in NODE_CLASSES:      # keep the most specific class
            data["type"] = local_name(row["class"])
        if "value" in row and data["kind"] == "observation":
            data["label"] = f"{row['value']} — {row.get('label') or data['label']}"
        title = row.get("title")
        if title and title not in data["titles"].split("\n"):
            data["titles"] = "\n".join(filter(None, [data["titles"], title]))
    relations = " ".join(f"vk:{r}" for r in EDGE_RELATIONS)
    for row in rows(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {relations} }} ?s ?p ?o }}"):
        s, o = row["s"], row["o"]
        if s in graph and o in graph:
            name = local_name(row["p"])
            if graph.has_edge(s, o):
                labels = graph.edges[s, o]["label"].split(", ")
                graph.edges[s, o]["label"] = ", ".join(sorted(set(labels) | {name}))
            else:
                graph.add_edge(s, o, label=name, relation=str(VK[name]))
    if evidence:
        _add_evidence(store, graph)
    return graph


def _add_evidence(store, graph: nx.DiGraph) -> None:
    """Every edge's claims as string attributes (GraphML and GEXF take no lists)."""
    found: dict[tuple[str, str], list[dict]] = {}
    for claim in provenance(store):
        if graph.has_edge(claim["subject"], claim["object"]):
            found.setdefault((claim["subject"], claim["object"]), []).append(claim)
    for (s, o), claims in found.items():
        def joined(key: str) -> str:
            return " | ".join(dict.fromkeys(str(c[key]) for c in claims if c.get(key)))
        graph.edges[s, o].update(
            quote=" | ".join(" … ".join(q["quote"] for q in c["quotes"]) for c in claims),
            source=joined("source"), evidence=joined("evidence"), how=joined("how"), claim=joined("claim"))



def _kind(top_class: str) -> str:
    return {"PartyDocument": "document", "PartyBody": "body", "Goal": "goal",
            "Observation": "observation", "Term": "term"}[local_name(top_class)]
