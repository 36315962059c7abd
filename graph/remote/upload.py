"""Streaming an N-Quads file into staging graphs, in chunks, through standard SPARQL 1.1 writes.

Each graph of the file goes to its own staging graph (``STAGING/<run>/<n>``), so nothing vankien
serves changes while the upload runs; the caller verifies the counts and only then switches. A
chunk is N-Triples, sent by Graph Store Protocol POST (``?graph=``) or, for engines without it, as
``INSERT DATA``. Blank node labels are scoped to one request, so a graph holding blank nodes is
sent whole in its last request (vankien's own graphs keep them small: the ontology's lists).
Default-graph quads go to a graph of vankien's own (the caller's ``default_graph``), which queries
include in their default graph and never list as a named graph.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from collections.abc import Callable, Iterable

import pyoxigraph as ox


STAGING = "https://w3id.org/vankien/store/staging/"


@dataclass
class Staged:
    """What one upload wrote: final graph IRI → its staging graph, and the triples sent per graph."""
    staging: dict[str, str] = field(default_factory=dict)
    sent: Counter = field(default_factory=Counter)

    def staging_graph(self, run: str, graph: str) -> str:
        if graph not in self.staging:
            self.staging[graph] = f"{STAGING}{run}/{len(self.staging)}"
        return self.staging[graph]


Writer = Callable[[str, bytes], None]   # (staging graph IRI, N-Triples chunk) → one write request


def stage_quads(quads: Iterable[ox.Quad], write: Writer, staged: Staged, *, chunk_triples: int,
                default_graph: str) -> None:
    """Send every quad to its graph's staging graph (default-graph quads: to ``default_graph``'s),
    recording in ``staged`` what was sent."""
    run = uuid.uuid4().hex[:12]
    buffers: dict[str, list[str]] = {}
    with_bnodes: set[str] = set()
    buffered = 0
    for quad in quads:
        name = graph_of(quad, default_graph)
        buffers.setdefault(name, []).append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            with_bnodes.add(name)
        buffered += 1
        if buffered >= chunk_triples:
            for ready in [n for n in buffers if n not in with_bnodes]:
                buffered -= _flush(ready, buffers.pop(ready), staged, run, write)
    for ready in list(buffers):
        _flush(ready, buffers.pop(ready), staged, run, write)


def graph_of(quad: ox.Quad, default_graph: str) -> str:
    graph = quad.graph_name
    return graph.value if isinstance(graph, ox.NamedNode) else default_graph


def _flush(graph: str, lines: list[str], staged: Staged, run: str, write: Writer) -> int:
    write(staged.staging_graph(run, graph), "".join(lines).encode())
    staged.sent[graph] += len(lines)
    return len(lines)


def distinct_triples(quads: Iterable[ox.Quad], graphs: set[str], default_graph: str) -> Counter:
    """Distinct triples per graph among ``graphs`` (input may repeat a quad; the store keeps one)."""
    seen: dict[str, set[ox.Triple]] = {graph: set() for graph in graphs}
    for quad in quads:
        name = graph_of(quad, default_graph)
        if name in seen:
            seen[name].add(ox.Triple(quad.subject, quad.predicate, quad.object))
    return Counter({graph: len(triples) for graph, triples in seen.items()})


def mismatches(expected: Counter, found: Counter) -> list[str]:
    """One line per graph whose count differs (the graph, expected and found), most missing first."""
    differing = [g for g in expected.keys() | found.keys() if expected[g] != found[g]]
    differing.sort(key=lambda g: (found[g] - expected[g], g))
    return [f"graph <{g}>: expected {expected[g]} triples, found {found[g]}" for g in differing]
