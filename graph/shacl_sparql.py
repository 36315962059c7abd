"""A fast SHACL validator for big graphs: compile the shapes into SPARQL and run them on Oxigraph.

pySHACL walks every focus node in Python (about 75 s for 100k documents). Here each constraint of
a targeted shape becomes one SELECT query that returns the failing focus nodes (and value/path), so
Oxigraph does the work. The result is the same :class:`~vankien.graph.shacl_report.ValidationReport`.

Supported SHACL (what the vankien shapes use): sh:targetClass / targetNode / targetSubjectsOf /
targetObjectsOf; sh:property with IRI, inverse or sequence paths; sh:minCount, sh:maxCount,
sh:datatype, sh:class, sh:in, sh:pattern (+ sh:flags), sh:hasValue, sh:minLength, sh:minInclusive,
sh:lessThan, sh:or; SHACL-SPARQL constraints (sh:sparql … sh:select with $this, optional ?path and
?value). A shape using anything else raises :class:`ShapeCompileError` (use ``validate`` instead).

SPARQL constraints must bind ``$this`` with a triple pattern of their own (true of the vankien
shapes): here they run for all nodes at once, joined with the target nodes, not once per node.
In Oxigraph 0.5, NOT EXISTS over several triple patterns and a top-level UNION joined with the
targets are slow (quadratic); the shapes use OPTIONAL + !BOUND and separate constraints instead.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from vankien.shapes import load_shapes
from vankien.graph.errors import BadInput
from vankien.graph.namespaces import ONTOLOGY_GRAPH as ONTOLOGY_IRI, VK, local_name, sparql_iri, sparql_term
from vankien.graph.shacl_report import ValidationReport, Violation, parent_shapes


# Parameters the compiler understands; any other sh: parameter on a shape is an error, never ignored.
KNOWN_PARAMETERS = {SH[name] for name in (
    "path", "property", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf",
    "minCount", "maxCount", "datatype", "class", "in", "pattern", "flags", "hasValue", "minLength",
    "minInclusive", "lessThan", "or", "sparql", "message", "name", "description", "severity",
    "deactivated", "order", "group")}
TARGET_PARAMETERS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
SELECT_PARTS = re.compile(r"^\s*SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(?P<projection>.*?)\s*"
                          r"WHERE\s*\{(?P<body>.*)\}\s*$", re.DOTALL | re.IGNORECASE)
THIS_VARIABLE = re.compile(r"[$?]this\b")


class ShapeCompileError(BadInput):
    """A shape uses SHACL the SPARQL compiler does not support."""


def _integer(value: Node) -> int:
    """An integer parameter of a shape (sh:minCount 1)."""
    if isinstance(value, Literal) and isinstance(value.toPython(), int):
        return int(value.toPython())
    raise ShapeCompileError(f"expected an integer, got {value.n3()}")


@dataclass(frozen=True)
class CompiledCheck:
    """One constraint of one targeted shape as a SELECT over ?this (and ?value, ?path)."""
    shape: Node            # the node shape reported
    path: Node | None      # the property checked (None: node-level, or taken from ?path)
    message: str
    severity: str
    select: str            # "… SELECT … WHERE {": the focus-node restriction (if any) follows it
    pattern: str           # the rest of the query: the target, then the failure pattern

    def query(self, restriction: str = "") -> str:
        """The query text; ``restriction`` (``VALUES ?this {…}``) goes first in the outer pattern,
        where Oxigraph then starts from it."""
        return f"{self.select} {restriction} {self.pattern}"


@dataclass(frozen=True)
class _Failure:
    """A graph pattern that matches when a focus node violates one constraint."""
    pattern: str
    value: str | None      # variable holding the offending value, if any


class _Compiler:
    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self.parents = parent_shapes(shapes)
        self.counter = 0

    def fresh(self, name: str) -> str:
        self.counter += 1
        return f"?{name}{self.counter}"

    # --- shapes -------------------------------------------------------------------------------------

    def check_parameters(self, shape: Node) -> None:
        unknown = {p for p in self.shapes.predicates(shape) if str(p).startswith(str(SH))} - KNOWN_PARAMETERS
        if unknown:
            names = ", ".join(sorted(f"sh:{str(p)[len(str(SH)):]}" for p in unknown))
            raise ShapeCompileError(f"shape {shape} uses {names}, which the SPARQL validator cannot "
                                    "compile; validate with pySHACL (vankien.graph.validate.validate)")

    def active(self, shape: Node) -> bool:
        return self.shapes.value(shape, SH.deactivated) != Literal(True)

    def targeted_shapes(self) -> list[Node]:
        shapes: set[Node] = set()
        for target in TARGET_PARAMETERS:
            shapes.update(self.shapes.subjects(target, None))
        for kind in (RDFS.Class, OWL.Class):  # implicit class targets
            shapes.update(s for s in self.shapes.subjects(RDF.type, kind)
                          if (s, RDF.type, SH.NodeShape) in self.shapes)
        return sorted((s for s in shapes if self.active(s)), key=str)

    def target_pattern(self, shape: Node) -> str:
        branches = []
        classes = list(self.shapes.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in self.shapes or (shape, RDF.type, OWL.Class) in self.shapes:
            classes.append(shape)
        if classes:
            values = " ".join(_sparql_term(c) for c in sorted(set(classes), key=str))
            branches.append(f"VALUES ?targetClass {{ {values} }} "
                            f"?class <{RDFS.subClassOf}>* ?targetClass . ?this a ?class .")
        nodes = list(self.shapes.objects(shape, SH.targetNode))
        if nodes:
            branches.append(f"VALUES ?this {{ {' '.join(_sparql_term(n) for n in nodes)} }}")
        for predicate in self.shapes.objects(shape, SH.targetSubjectsOf):
            branches.append(f"?this {_sparql_term(predicate)} ?targetObject .")
        for predicate in self.shapes.objects(shape, SH.targetObjectsOf):
            branches.append(f"?targetSubject {_sparql_term(predicate)} ?this .")
        union = " UNION ".join(f"{{ {branch} }}" for branch in branches)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}"

    def compile(self) -> list[CompiledCheck]:
        checks = []
        for shape in self.targeted_shapes():
            target = self.target_pattern(shape)
            checks.extend(self.sparql_checks(shape, target))
            for owner, failure in self.shape_failures(shape, "?this", top_level=True):
                reported = self.parents.get(owner, owner)
                path = self.shapes.value(owner, SH.path)
                value = f" ({failure.value} AS ?value)" if failure.value else ""
                checks.append(CompiledCheck(reported, path, self.message(owner), self.severity(owner),
                                            f"SELECT DISTINCT ?this{value} WHERE {{",
                                            f"{target} {failure.pattern} }}"))
        return checks

    def message(self, shape: Node, constraint: Node | None = None) -> str:
        for node in (constraint, shape, self.parents.get(shape)):
            if node is not None and (text := self.shapes.value(node, SH.message)) is not None:
                return str(text)
        return f"{shape} is not satisfied"

    def severity(self, shape: Node) -> str:
        severity = self.shapes.value(shape, SH.severity)
        return local_name(severity) if severity is not None else "Violation"

    def shape_failures(self, shape: Node, focus: str, top_level: bool = False) -> list[tuple[Node, _Failure]]:
        """(shape that owns the constraint, failure) for every constraint of a shape, recursively
        through sh:property; SPARQL constraints are compiled separately (they need the target)."""
        self.check_parameters(shape)
        if not self.active(shape):
            return []
        path = self.shapes.value(shape, SH.path)
        if (shape, SH.sparql, None) in self.shapes and (path is not None or not top_level):
            raise ShapeCompileError(f"shape {shape}: sh:sparql is compiled only on targeted node shapes; "
                                    "validate with pySHACL (vankien.graph.validate.validate)")
        own = self.property_failures(shape, path, focus) if path is not None else \
            self.value_failures(shape, focus)
        found = [(shape, failure) for failure in own]
        for prop in sorted(self.shapes.objects(shape, SH.property), key=str):
            found.extend(self.shape_failures(prop, focus))
        return found

    # --- constraints --------------------------------------------------------------------------------

    def property_failures(self, shape: Node, path: Node, focus: str) -> list[_Failure]:
        path_text = self.sparql_path(path)
        failures = []
        min_count = self.shapes.value(shape, SH.minCount)
        if min_count is not None and _integer(min_count) > 0:
            values = [self.fresh("v") for _ in range(_integer(min_count))]
            failures.append(_Failure(f"FILTER NOT EXISTS {{ {_distinct_values(focus, path_text, values)} }}",
                                     None))
        max_count = self.shapes.value(shape, SH.maxCount)
        if max_count is not None:
            values = [self.fresh("v") for _ in range(_integer(max_count) + 1)]
            failures.append(_Failure(_distinct_values(focus, path_text, values), None))
        has_value = self.shapes.value(shape, SH.hasValue)
        if has_value is not None:
            failures.append(_Failure(
                f"FILTER NOT EXISTS {{ {focus} {path_text} {_sparql_term(has_value)} }}", None))
        for other in self.shapes.objects(shape, SH.lessThan):
            value, bound = self.fresh("v"), self.fresh("o")
            failures.append(_Failure(
                f"{focus} {path_text} {value} . {focus} {self.sparql_path(other)} {bound} . "
                f"FILTER (!COALESCE({value} < {bound}, false))", value))
        # constraints on each value node: the same tests as on a node, with the value as focus
        value = self.fresh("v")
        for failure in self.value_failures(shape, value, skip_has_value=True):
            failures.append(_Failure(f"{focus} {path_text} {value} . {failure.pattern}", value))
        return failures

    def value_failures(self, shape: Node, node: str, skip_has_value: bool = False) -> list[_Failure]:
        """Constraints that test one value node (the focus of a node shape, or each path value)."""
        g, failures = self.shapes, []

        def test(condition: str) -> None:
            failures.append(_Failure(f"FILTER ({condition})", node))

        for cls in g.objects(shape, SH["class"]):
            test(f"NOT EXISTS {{ {node} a/<{RDFS.subClassOf}>* {_sparql_term(cls)} }}")
        for datatype in g.objects(shape, SH.datatype):
            test(f"!isLiteral({node}) || !sameTerm(DATATYPE({node}), {_sparql_term(datatype)})")
        for members in g.objects(shape, SH["in"]):
            allowed = " || ".join(f"sameTerm({node}, {_sparql_term(m)})" for m in Collection(g, members))
            test(f"!({allowed or 'false'})")
        for pattern in g.objects(shape, SH.pattern):
            flags = g.value(shape, SH.flags)
            flag_text = f", {_sparql_term(Literal(str(flags)))}" if flags is not None else ""
            test(f"isBlank({node}) || !REGEX(STR({node}), {_sparql_term(Literal(str(pattern)))}{flag_text})")
        for length in g.objects(shape, SH.minLength):
            test(f"isBlank({node}) || STRLEN(STR({node})) < {_integer(length)}")
        for minimum in g.objects(shape, SH.minInclusive):
            test(f"!COALESCE({node} >= {_sparql_term(minimum)}, false)")
        if not skip_has_value:
            for value in g.objects(shape, SH.hasValue):
                test(f"!sameTerm({node}, {_sparql_term(value)})")
        for alternatives in g.objects(shape, SH["or"]):
            # fails when the node fails every alternative, i.e. each has some failing constraint
            each_fails = []
            for alternative in Collection(g, alternatives):
                inner = [f"EXISTS {{ {f.pattern} }}" for _, f in self.shape_failures(alternative, node)]
                each_fails.append(f"({' || '.join(inner) or 'false'})")
            test(" && ".join(each_fails) or "false")
        return failures

    def sparql_path(self, path: Node) -> str:
        if isinstance(path, URIRef):
            return _sparql_term(path)
        inverse = self.shapes.value(path, SH.inversePath)
        if inverse is not None:
            return f"^({self.sparql_path(inverse)})"
        if (path, RDF.first, None) in self.shapes:
            return "/".join(f"({self.sparql_path(step)})" for step in Collection(self.shapes, path))
        raise ShapeCompileError(f"path {path} is not supported by the SPARQL validator "
                                "(IRI, sh:inversePath or a sequence only)")

    # --- SHACL-SPARQL -------------------------------------------------------------------------------

    def sparql_checks(self, shape: Node, target: str) -> list[CompiledCheck]:
        checks = []
        for constraint in self.shapes.objects(shape, SH.sparql):
            if not self.active(constraint):
                continue
            select = str(self.shapes.value(constraint, SH.select))
            parts = SELECT_PARTS.match(THIS_VARIABLE.sub("?this", select))
            if not parts:
                raise ShapeCompileError(f"shape {shape}: sh:select must be 'SELECT … WHERE {{ … }}' "
                                        "without solution modifiers")
            projection = parts["projection"]
            if "?this" not in projection:
                projection = "?this " + projection
            prefixes = self.prefix_lines(constraint)
            checks.append(CompiledCheck(shape, None, self.message(shape, constraint), self.severity(shape),
                                        f"{prefixes}SELECT DISTINCT {projection} WHERE {{",
                                        f"{target} {parts['body']} }}"))
        return checks

    def prefix_lines(self, constraint: Node) -> str:
        lines = []
        for owner in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(owner, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                lines.append(f"PREFIX {prefix}: {sparql_iri(str(namespace))}\n")
        return "".join(sorted(set(lines)))


def _distinct_values(focus: str, path: str, values: list[str]) -> str:
    """Triple patterns binding len(values) pairwise different values of the path."""
    triples = " ".join(f"{focus} {path} {value} ." for value in values)
    different = " && ".join(f"!sameTerm({a}, {b})" for a, b in combinations(values, 2))
    return f"{triples} FILTER ({different})" if different else triples


def _sparql_term(term: Node) -> str:
    if isinstance(term, (URIRef, Literal)):
        return sparql_term(term)
    raise ShapeCompileError(f"{term!r}: only IRIs and literals can appear in compiled constraints")


def compile_shapes(shapes_graph: Graph) -> list[CompiledCheck]:
    """Every constraint of every targeted shape as a SPARQL check."""
    return _Compiler(shapes_graph).compile()


@lru_cache(maxsize=1)
def _default_checks() -> tuple[CompiledCheck, ...]:
    return tuple(compile_shapes(load_shapes()))


def validate_store(store: ox.Store, shapes_graph: Graph | None = None,
                   focus_nodes: set | None = None) -> ValidationReport:
    """Validate the union of a store's graphs; ``focus_nodes`` (IRIs) limits the nodes checked.

    The checks run on a small thread pool: pyoxigraph releases the GIL while it evaluates, so the
    machine's cores share the work. (For one new source, :func:`validate_source` is much faster
    than ``focus_nodes``: Oxigraph plans a VALUES-restricted check worse than a whole one.)"""
    checks = _default_checks() if shapes_graph is None else compile_shapes(shapes_graph)
    restriction = ""
    if focus_nodes is not None:
        if not focus_nodes:
            return ValidationReport(conforms=True)
        restriction = f"VALUES ?this {{ {' '.join(_sparql_term(URIRef(str(n))) for n in focus_nodes)} }}"
    with ThreadPoolExecutor(max_workers=max(1, min(len(checks), os.cpu_count() or 1))) as pool:
        found = pool.map(lambda check: _run_check(store, check, restriction), checks)
        violations = [violation for batch in found for violation in batch]
    return ValidationReport(conforms=not any(v.severity == "Violation" for v in violations),
                            violations=violations)


def _run_check(store: ox.Store, check: CompiledCheck, restriction: str) -> list[Violation]:
    query = check.query(restriction)
    try:
        solutions = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise ShapeCompileError(f"shape {check.shape}: compiled query is invalid: {exc}\n{query}") from None
    assert isinstance(solutions, ox.QuerySolutions)  # a SELECT
    names = {variable.value for variable in solutions.variables}
    violations = []
    for solution in solutions:
        path = _to_rdflib(solution["path"]) if "path" in names else None
        violations.append(Violation(
            focus=_to_rdflib(solution["this"]), shape=check.shape,
            path=path if path is not None else check.path, message=check.message,
            severity=check.severity, value=_to_rdflib(solution["value"]) if "value" in names else None))
    return violations


# Edges the shapes follow *into* a focus node (claims name their subject, quotes are reached from
# claims, an original is reached from its translation); every other check looks outwards.
INCOMING_CONTEXT = tuple(ox.NamedNode(iri) for iri in (
    str(RDF.subject), str(VK.quotation), str(VK.translationOf)))
ONTOLOGY_GRAPH = ox.NamedNode(ONTOLOGY_IRI)


def validate_source(store: ox.Store, graph: str, shapes_graph: Graph | None = None) -> ValidationReport:
    """Incremental validation of one source (named graph) against the whole store.

    The nodes the graph describes (its subjects) are the focus nodes. Everything the shapes can see
    from them — their statements in every graph, the statements of their neighbours, the claims and
    quotes that point at them, and the ontology — is copied into a scratch store, validated whole,
    and only the focus nodes' violations are kept: the same answer as a full validation restricted
    to those nodes, at the cost of the neighbourhood instead of the corpus."""
    graph_name = ox.NamedNode(graph)
    focus = {quad.subject for quad in store.quads_for_pattern(None, None, None, graph_name)
             if isinstance(quad.subject, ox.NamedNode)}
    scratch = ox.Store()
    scratch.extend(store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH))
    copied: set = set()

    def copy_statements_of(node) -> None:
        if node not in copied:
            copied.add(node)
            scratch.extend(store.quads_for_pattern(node, None, None, None))

    for node in focus:
        copy_statements_of(node)
        for quad in store.quads_for_pattern(node, None, None, None):
            if isinstance(quad.object, (ox.NamedNode, ox.BlankNode)):
                copy_statements_of(quad.object)
        for predicate in INCOMING_CONTEXT:
            for quad in store.quads_for_pattern(None, predicate, node, None):
                copy_statements_of(quad.subject)
    report = validate_store(scratch, shapes_graph)
    focus_iris = {URIRef(node.value) for node in focus}
    kept = [violation for violation in report.violations if violation.focus in focus_iris]
    return ValidationReport(conforms=not any(v.severity == "Violation" for v in kept), violations=kept)


def focus_nodes_of_graph(store: ox.Store, graph: str) -> set[URIRef]:
    """The IRIs a named graph mentions (subjects and objects): one source's nodes and neighbours."""
    query = (f"SELECT DISTINCT ?node WHERE {{ GRAPH {sparql_iri(graph)} {{ {{ ?node ?p ?o }} UNION {{ ?s ?p ?node }} }} "
             "FILTER (isIRI(?node)) }")
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)  # a SELECT
    return {URIRef(solution["node"].value) for solution in solutions}


def _to_rdflib(term) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unexpected term from the store: {term!r}")
