"""``vankien export``: the graph as RDF (Turtle, TriG, N-Triples, N-Quads, JSON-LD) or as a
property graph (GraphML, GEXF) for Gephi, Cytoscape and networkx users."""

from __future__ import annotations

import io

import networkx as nx
import pyoxigraph as ox

from vankien.graph import formats
from vankien.graph.namespaces import ID_BASE, prefixes_with_ids
from vankien.graph.netx import to_networkx

# The property-graph writers; every other export format is RDF. Triple formats merge the named
# graphs: the per-source graphs stay available in TriG and N-Quads.
PROPERTY_GRAPH_WRITERS = {formats.GRAPHML.name: nx.write_graphml, formats.GEXF.name: nx.write_gexf}


def export(store, fmt: str, base_iri: str = ID_BASE) -> bytes:
    """The whole graph in ``fmt`` (a name or alias of one of :data:`formats.EXPORTS`); RDF names
    the minted URIs under ``base_iri`` with ``vkid:``."""
    chosen = formats.named(fmt, formats.EXPORTS)
    if chosen.name in PROPERTY_GRAPH_WRITERS:
        buffer = io.BytesIO()
        PROPERTY_GRAPH_WRITERS[chosen.name](to_networkx(store), buffer)
        return buffer.getvalue()
    rdf_format = formats.rdf_format(chosen.name)
    quads = ox.parse(store.dump("nquads"), format=ox.RdfFormat.N_QUADS)
    prefixes = prefixes_with_ids(base_iri)
    if rdf_format.supports_datasets:
        return formats.in_memory(ox.serialize(quads, format=rdf_format, prefixes=prefixes))
    triples = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    return formats.in_memory(ox.serialize(triples, format=rdf_format, prefixes=prefixes))
