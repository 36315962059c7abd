"""Validate a vankien graph against the SHACL shapes: one pure core used by the CLI and the API.

``validate`` runs pySHACL on a graph or dataset (the union of its graphs) and returns a
:class:`ValidationReport`; ``format_report`` turns it into text a researcher can read. The fast
SPARQL-compiled validator for large stores (``shacl_sparql.validate_store``) returns the same report.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyshacl
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ..shapes import VKSH, load_shapes
from .namespaces import PREFIXES


@dataclass(frozen=True)
class Violation:
    focus: Node                # the node that fails
    shape: URIRef | Node       # the node shape (a property shape is named by its parent node shape)
    path: Node | None          # the property checked, None for node-level checks
    message: str
    severity: str = "Violation"  # Violation | Warning | Info
    value: Node | None = None  # the offending value, when there is one

    def key(self) -> tuple:
        """What identifies a violation across validators: (focus, shape, path)."""
        return (self.focus, self.shape, self.path)


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def keys(self) -> set[tuple]:
        return {violation.key() for violation in self.violations}

    def text(self) -> str:
        return format_report(self)


def format_report(report: ValidationReport) -> str:
    """A readable report grouped by shape: one line per violation."""
    if report.conforms:
        return "The graph conforms to the vankien shapes."
    by_shape: dict = defaultdict(list)
    for violation in report.violations:
        by_shape[violation.shape].append(violation)
    lines = [f"The graph does not conform: {len(report.violations)} problem(s) "
             f"in {len(by_shape)} shape(s)."]
    for shape in sorted(by_shape, key=str):
        found = sorted(by_shape[shape], key=lambda v: (str(v.focus), str(v.path), str(v.value)))
        lines.append("")
        lines.append(f"{_short(shape)} ({len(found)})")
        for violation in found:
            where = f" {_short(violation.path)}" if violation.path is not None else ""
            shown = violation.value is not None and violation.value != violation.focus
            value = f" = {violation.value.n3()}" if shown else ""
            severity = "" if violation.severity == "Violation" else f"[{violation.severity}] "
            lines.append(f"  - {severity}{violation.focus}{where}{value}: {violation.message}")
    return "\n".join(lines)


def union_graph(data: Graph | Dataset) -> Graph:
    """A plain graph with the triples of every graph of a dataset (pySHACL checks graphs one by one)."""
    if not isinstance(data, Dataset):
        return data
    union = Graph()
    for subject, predicate, obj, _ in data.quads((None, None, None, None)):
        union.add((subject, predicate, obj))
    return union


def parent_shapes(shapes_graph: Graph) -> dict[Node, Node]:
    """Property shape → the node shape that holds it (violations name the node shape)."""
    return {prop: node for node, prop in shapes_graph.subject_objects(SH.property)}


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
            severity=_local_name(severity) if severity is not None else "Violation",
            value=results.value(result, SH.value)))
    return ValidationReport(conforms=bool(conforms), violations=violations)


def _local_name(iri: Node) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# Longest namespace first, so vk: never shadows a longer IRI.
_SHORT = sorted({**{namespace: f"{prefix}:" for prefix, namespace in PREFIXES.items()},
                 str(VKSH): "vksh:", str(SH): "sh:"}.items(), key=lambda item: -len(item[0]))


def _short(node: Node) -> str:
    text = str(node)
    for namespace, prefix in _SHORT:
        if text.startswith(namespace):
            return prefix + text[len(namespace):]
    return text


ENGINES = ("sparql", "pyshacl")


def validate_dataset(data: Graph | Dataset, engine: str = "sparql") -> ValidationReport:
    """Validate with the chosen engine: ``sparql`` (the shapes compiled to SPARQL and run on an
    embedded pyoxigraph store: fast, and tested to report what pySHACL reports) or ``pyshacl``
    (the reference implementation; slow on SHACL-SPARQL constraints)."""
    if engine == "pyshacl":
        return validate(data)
    if engine != "sparql":
        raise ValueError(f"unknown validation engine '{engine}'; use one of {', '.join(ENGINES)}")
    import pyoxigraph as ox
    from .shacl_sparql import validate_store
    store = ox.Store()
    store.load(data.serialize(format="nquads" if isinstance(data, Dataset) else "nt", encoding="utf-8"),
               format=ox.RdfFormat.N_QUADS if isinstance(data, Dataset) else ox.RdfFormat.N_TRIPLES)
    return validate_store(store)

