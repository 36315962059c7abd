"""What a SHACL validation reports, the same for both validators (pySHACL in ``validate`` and the
SPARQL-compiled one in ``shacl_sparql``), and the readable text of it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from vankien.graph.namespaces import PREFIXES, shorten
from vankien.shapes import VKSH


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


def parent_shapes(shapes_graph: Graph) -> dict[Node, Node]:
    """Property shape → the node shape that holds it (violations name the node shape)."""
    return {prop: node for node, prop in shapes_graph.subject_objects(SH.property)}


REPORT_PREFIXES = {**PREFIXES, "vksh": str(VKSH), "sh": str(SH)}


def _short(node: Node) -> str:
    return shorten(str(node), REPORT_PREFIXES)


def report_graph(report: ValidationReport) -> Graph:
    """The report in the SHACL vocabulary (``sh:ValidationReport`` with one ``sh:result`` each)."""
    graph = Graph()
    graph.bind("sh", SH)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("vksh", VKSH)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    graph.add((root, SH.conforms, Literal(report.conforms)))
    for violation in report.violations:
        result = BNode()
        graph.add((root, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, violation.focus))
        graph.add((result, SH.sourceShape, violation.shape))
        graph.add((result, SH.resultSeverity, SH[violation.severity]))
        graph.add((result, SH.resultMessage, Literal(violation.message)))
        if violation.path is not None:
            graph.add((result, SH.resultPath, violation.path))
        if violation.value is not None:
            graph.add((result, SH.value, violation.value))
    return graph


def report_json(report: ValidationReport) -> dict:
    """The report as plain JSON: conformance, one entry per violation, and the readable text."""
    def text(node: Node | None) -> str | None:
        return None if node is None else str(node)

    return {"conforms": report.conforms, "violations": [
        {"focus": text(v.focus), "shape": text(v.shape), "path": text(v.path), "severity": v.severity,
         "message": v.message, "value": text(v.value)} for v in report.violations],
        "text": format_report(report)}
