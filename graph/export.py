"""``vankien export``: the graph as RDF (Turtle, TriG, N-Triples, N-Quads, JSON-LD) or as a
property graph (GraphML, GEXF) for Gephi, Cytoscape and networkx users."""

from __future__ import annotations

import csv
import io
import zipfile

import networkx as nx
import pyoxigraph as ox

from vankien.graph import formats, queries
from vankien.graph.namespaces import ID_BASE, prefixes_with_ids
from vankien.graph.netx import to_networkx

# The property-graph writers; every other export format is RDF. Triple formats merge the named
# graphs: the per-source graphs stay available in TriG and N-Quads.
PROPERTY_GRAPH_WRITERS = {formats.GRAPHML.name: nx.write_graphml, formats.GEXF.name: nx.write_gexf}


def export(store, fmt: str, base_iri: str = ID_BASE) -> bytes:
    """The whole graph in ``fmt`` (a name or alias of one of :data:`formats.EXPORTS`); RDF names
    the minted URIs under ``base_iri`` with ``vkid:``; ``csv`` is a zip of tables (:func:`tables`)."""
    chosen = formats.named(fmt, formats.EXPORTS)
    if chosen is formats.CSV:
        return tables_zip(store)
    if chosen.name in PROPERTY_GRAPH_WRITERS:
        buffer = io.BytesIO()
        PROPERTY_GRAPH_WRITERS[chosen.name](to_networkx(store, evidence=True), buffer)
        return buffer.getvalue()
    rdf_format = formats.rdf_format(chosen.name)
    quads = ox.parse(store.dump("nquads"), format=ox.RdfFormat.N_QUADS)
    prefixes = prefixes_with_ids(base_iri)
    if rdf_format.supports_datasets:
        return formats.in_memory(ox.serialize(quads, format=rdf_format, prefixes=prefixes))
    triples = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    return formats.in_memory(ox.serialize(triples, format=rdf_format, prefixes=prefixes))


# --- tables (CSV) ---------------------------------------------------------------------------------

DOCUMENT_COLUMNS = ("iri", "number", "type", "term", "term_status", "number_status", "issuers", "titles",
                    "subjects")
RELATION_COLUMNS = ("subject", "subject_number", "predicate", "object", "object_number", "quote", "start",
                    "end", "evidence", "how", "source", "source_file", "language", "claim")
FIGURE_COLUMNS = ("obs", "measure", "measureLabel", "value", "unit", "approximation", "area", "period",
                  "periodLabel", "level", "source")


def tables(store) -> dict[str, list[dict]]:
    """The graph as three tables for spreadsheets: ``documents`` (one row each), ``relations`` (one
    row per claimed statement, with its quotes, offsets, evidence kind and source) and ``figures``
    (the reported observations). Several values in one cell are joined with " | "."""
    documents = [{**doc, "term": doc["term_ordinal"], **{key: " | ".join(doc[key]) for key in
                                                          ("issuers", "titles", "subjects")}}
                 for doc in queries.documents(store, limit=0)]
    numbers = {doc["iri"]: doc["notation"] for doc in documents}
    relations = [{**claim, "quote": " … ".join(q["quote"] for q in claim["quotes"]),
                  "subject_number": numbers.get(claim["subject"]), "object_number": numbers.get(claim["object"])}
                 for claim in queries.provenance(store)]
    figures = queries.observations(store, limit=10**9)
    return {"documents": documents, "relations": relations, "figures": figures}


def tables_zip(store) -> bytes:
    """:func:`tables` as ``documents.csv``, ``relations.csv`` and ``figures.csv`` in one zip."""
    columns = {"documents": DOCUMENT_COLUMNS, "relations": RELATION_COLUMNS, "figures": FIGURE_COLUMNS}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, found in tables(store).items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns[name], extrasaction="ignore")
            writer.writeheader()
            writer.writerows(found)
            archive.writestr(f"{name}.csv", text.getvalue())
    return buffer.getvalue()
