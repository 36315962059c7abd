"""The class hierarchy of the graph (rdfs:subClassOf between IRIs), closed in Python.

vankien's own queries name the classes below a class with ``VALUES ?class { … }`` instead of a
property path: Virtuoso 7.2 answers ``rdfs:subClassOf*``/``+`` wrongly or differently from run
to run (openlink/virtuoso-opensource #127, #704, #929, #1078; here: a summary bound one document
per class, ``/bodies`` came back empty in one CI run). The direct edges are read with one plain
pattern and kept per store until its data changes (``Store.data_version``), so a lookup does not
pay an extra query.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable
from weakref import WeakKeyDictionary

import networkx as nx

from rdflib import RDFS

from vankien.graph.namespaces import sparql_iri
from vankien.graph.store_interface import solution_rows

SUBCLASS_EDGES = f"""SELECT DISTINCT ?sub ?super WHERE {{
  ?sub {sparql_iri(str(RDFS.subClassOf))} ?super FILTER(isIRI(?sub) && isIRI(?super)) }}"""

_kept: WeakKeyDictionary = WeakKeyDictionary()   # store → (data version, hierarchy)
_keeping = threading.Lock()


def hierarchy(store) -> nx.DiGraph:
    """The direct subclass edges as a DiGraph, sub → super (blank-node superclasses, i.e. OWL
    restrictions, left out; cycles allowed)."""
    version_of = getattr(store, "data_version", None)
    version: Hashable | None = version_of() if version_of else None
    if version is not None:
        with _keeping:
            kept = _kept.get(store)
        if kept is not None and kept[0] == version:
            return kept[1]
    edges = solution_rows(store.query(SUBCLASS_EDGES, union_default_graph=True), lambda term: term.value)
    graph = nx.DiGraph((row["sub"], row["super"]) for row in edges)
    if version is not None:
        with _keeping:
            _kept[store] = (version, graph)
    return graph


def classes_below(store, top: str, *, proper: bool = False) -> list[str]:
    """``top`` and every class below it (``rdfs:subClassOf*``), sorted; ``proper``: without
    ``top`` itself (``rdfs:subClassOf+``, which holds ``top`` only through a cycle)."""
    return _closed(hierarchy(store), "below", str(top), proper)


def classes_above(store, cls: str, *, proper: bool = False) -> list[str]:
    """``cls`` and every class it is below, sorted; ``proper`` as in ``classes_below``."""
    return _closed(hierarchy(store), "above", str(cls), proper)


def _closed(graph: nx.DiGraph, direction: str, node: str, proper: bool) -> list[str]:
    """The closure, memoised on the hierarchy itself (it is dropped with it)."""
    memo = graph.graph.setdefault(direction, {})
    if (node, proper) not in memo:
        reach = nx.ancestors if direction == "below" else nx.descendants
        found = reach(graph, node) if node in graph else set()
        on_cycle = node in graph and any(graph.has_edge(node, x) if direction == "below" else graph.has_edge(x, node)
                                         for x in found | {node})
        memo[node, proper] = sorted(found | ({node} if not proper or on_cycle else set()))
    return list(memo[node, proper])


def below_each(store, tops: Iterable[str]) -> list[tuple[str, str]]:
    """(class, top) for each of ``tops`` and each class below it or equal (``?class
    rdfs:subClassOf* ?top``), in the order of ``tops``."""
    return [(cls, str(top)) for top in tops for cls in classes_below(store, top)]


def values_of(classes: Iterable[str], variable: str = "class") -> str:
    """``VALUES ?class { <…> … }`` (with no classes it matches nothing)."""
    terms = " ".join(sparql_iri(c) for c in classes)
    return f"VALUES ?{variable} {{ {terms} }}"


def pairs_of(pairs: Iterable[tuple[str, str]], variables: tuple[str, str] = ("class", "top")) -> str:
    """``VALUES (?class ?top) { (<…> <…>) … }``, as ``below_each`` gives them."""
    rows = " ".join(f"({sparql_iri(a)} {sparql_iri(b)})" for a, b in pairs)
    return f"VALUES (?{variables[0]} ?{variables[1]}) {{ {rows} }}"
