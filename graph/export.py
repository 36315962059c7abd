"""``vankien export``: the graph as RDF (Turtle, TriG, N-Triples, N-Quads, JSON-LD) or as a
property graph (GraphML, GEXF) for Gephi, Cytoscape and networkx users."""

from __future__ import annotations

import io

import networkx as nx
import pyoxigraph as ox

from vankien.graph.netx import to_networkx

# Triple formats merge the named graphs: the per-source graphs stay available in TriG and N-Quads.
RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES,
               "nquads": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
GRAPH_FORMATS = {"graphml": nx.write_graphml, "gexf": nx.write_gexf}
PREFIXES = {"vk": "https://w3id.org/vankien/ontology#", "vkid": "https://w3id.org/vankien/id/",
            "eli": "http://data.europa.eu/eli/ontology#", "skos": "http://www.w3.org/2004/02/skos/core#",
            "oa": "http://www.w3.org/ns/oa#", "prov": "http://www.w3.org/ns/prov#",
            "dcterms": "http://purl.org/dc/terms/", "qb": "http://purl.org/linked-data/cube#",
            "time": "http://www.w3.org/2006/time#", "org": "http://www.w3.org/ns/org#"}


def export(store, fmt: str) -> bytes:
    if fmt in GRAPH_FORMATS:
        buffer = io.BytesIO()
        GRAPH_FORMATS[fmt](to_networkx(store), buffer)
        return buffer.getvalue()
    if fmt not in RDF_FORMATS:
        raise ValueError(f"unknown export format '{fmt}'; use one of {', '.join([*RDF_FORMATS, *GRAPH_FORMATS])}")
    quads = ox.parse(store.dump("nquads"), format=ox.RdfFormat.N_QUADS)
    rdf_format = RDF_FORMATS[fmt]
    if not rdf_format.supports_datasets:
        quads = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    return ox.serialize(quads, format=rdf_format, prefixes=PREFIXES)
