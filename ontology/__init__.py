"""The vankien OWL ontology (``vankien.ttl``) and a cached loader for it."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pyoxigraph as ox
import rdflib

from vankien.graph.namespaces import ONTOLOGY_GRAPH as ONTOLOGY_IRI
from vankien.graph.namespaces import VK

# Shipped as package data (pyproject: "vankien.ontology" = ["*.ttl"]): found through the package, so
# it works from a checkout and from an installed wheel alike.
ONTOLOGY_PATH = resources.files(__name__) / "vankien.ttl"

__all__ = ["VK", "ONTOLOGY_IRI", "ONTOLOGY_PATH", "load_ontology", "ontology_nquads"]


@lru_cache(maxsize=1)
def load_ontology() -> rdflib.Graph:
    """Parse ``vankien.ttl`` once and return the graph.

    The same graph object is returned on every call: treat it as read-only and copy it
    (``graph + rdflib.Graph()``) before adding triples.
    """
    graph = rdflib.Graph(identifier=rdflib.URIRef(ONTOLOGY_IRI))
    graph.parse(data=ONTOLOGY_PATH.read_bytes(), format="turtle")
    return graph


@lru_cache(maxsize=1)
def ontology_nquads() -> bytes:
    """The ontology as N-Quads in its own named graph (``ONTOLOGY_IRI``), as the build writes it:
    data loaded without it answers vankien's queries with nothing (they use its subclass axioms)."""
    graph = ox.NamedNode(ONTOLOGY_IRI)
    quads = [ox.Quad(q.subject, q.predicate, q.object, graph)
             for q in ox.parse(ONTOLOGY_PATH.read_bytes(), format=ox.RdfFormat.TURTLE)]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
