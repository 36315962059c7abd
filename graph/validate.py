"""Validate a vankien graph against the SHACL shapes: one pure core used by the CLI and the API.

``validate`` runs pySHACL on a graph or dataset (the union of its graphs) and returns a
:class:`ValidationReport`; ``format_report`` turns it into text a researcher can read. The fast
SPARQL-compiled validator for large stores (``shacl_sparql.validate_store``) returns the same report.
"""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
from rdflib import Dataset, Graph
from rdflib.namespace import SH

from vankien.graph.errors import BadInput
from vankien.graph.namespaces import local_name
from vankien.graph.shacl_report import ValidationReport, Violation, format_report, parent_shapes
from vankien.graph.shacl_sparql import validate_store
from vankien.shapes import load_shapes

__all__ = ["ENGINES", "ValidationReport", "Violation", "format_report", "validate", "validate_dataset"]


def union_graph(data: Graph | Dataset) -> Graph:
    """A plain graph with the triples of every graph of a dataset (pySHACL checks graphs one by one)."""
    if not isinstance(data, Dataset):
        return data
    union = Graph()
    for subject, predicate, obj, _ in data.quads((None, None, None, None)):
        union.add((subject, predicate, obj))
    return union


def validate(data_graph: Graph | Dataset, shapes_graph: Graph | None = None,
             ontology_graph: Graph | None = None) -> ValidationReport:
    """Validate with pySHACL. The shapes target every concrete class, so no inference is run; an
    ontology graph, when given, is mixed into the data (pySHACL ``ont_graph``)."""
    shapes_graph = shapes_graph if shapes_graph is not None else load_shapes()
    conforms, results, _ = pyshacl.validate(
        union_graph(data_graph), shacl_graph=shapes_graph, ont_graph=ontology_graph,
        inference="none", abort_on_first=False, allow_warnings=True, allow_infos=True)
    parents = parent_shapes(shapes_graph)
    violations = []
    for result in results.objects(None, SH.result):
        shape = results.value(result, SH.sourceShape)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        violations.append(Violation(
            focus=results.value(result, SH.focusNode),
            shape=parents.get(shape, shape),
            path=results.value(result, SH.resultPath),
            message=str(message) if message is not None else "",
            severity=local_name(severity) if severity is not None else "Violation",
            value=results.value(result, SH.value)))
    return ValidationReport(conforms=bool(conforms), violations=violations)




ENGINES = ("sparql", "pyshacl")


def validate_dataset(data: Graph | Dataset, engine: str = "sparql") -> ValidationReport:
    """Validate with the chosen engine: ``sparql`` (the shapes compiled to SPARQL and run on an
    embedded pyoxigraph store: fast, and tested to report what pySHACL reports) or ``pyshacl``
    (the reference implementation; slow on SHACL-SPARQL constraints)."""
    if engine == "pyshacl":
        return validate(data)
    if engine != "sparql":
        raise BadInput(f"unknown validation engine '{engine}'; use one of {', '.join(ENGINES)}")
    store = ox.Store()
    store.load(data.serialize(format="nquads" if isinstance(data, Dataset) else "nt", encoding="utf-8"),
               format=ox.RdfFormat.N_QUADS if isinstance(data, Dataset) else ox.RdfFormat.N_TRIPLES)
    return validate_store(store)

