"""The rdflib baseline for bench/run.py: a plain ``rdflib.Dataset`` behind the store interface that
``vankien.graph.queries`` uses, so the SAME competency query functions run on rdflib's engine.

``RdflibStore(dataset).query(sparql)`` answers a SELECT with an object shaped like pyoxigraph's
``QuerySolutions``: ``.variables`` (``pyoxigraph.Variable``) and solutions where
``solution[name]`` is a pyoxigraph term or None. The conversion is per bound value and costs far
less than the rdflib query it follows, so timings stay rdflib's.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef


def load_dataset(nquads_path: str | Path) -> Dataset:
    """The N-Quads file parsed into a Dataset whose default graph is the union of all graphs."""
    dataset = Dataset(default_union=True)
    dataset.parse(str(nquads_path), format="nquads")
    return dataset


def to_oxigraph(term):
    """An rdflib term as the pyoxigraph term with the same value (None stays None)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unexpected rdflib term in a query result: {term!r}")


class Solution:
    """One row: ``solution["name"]`` → pyoxigraph term or None; iterates terms in variable order."""

    __slots__ = ("_names", "_terms")

    def __init__(self, names: dict[str, int], terms: tuple):
        self._names, self._terms = names, terms

    def __getitem__(self, name: str):
        return self._terms[self._names[name]]

    def __iter__(self):
        return iter(self._terms)


class Solutions:
    """A SELECT result with pyoxigraph's shape: ``.variables`` and iteration over solutions."""

    def __init__(self, variables: list[str], solutions: list[Solution]):
        self.variables = [ox.Variable(name) for name in variables]
        self._solutions = solutions

    def __iter__(self):
        return iter(self._solutions)

    def __len__(self) -> int:
        return len(self._solutions)


class RdflibStore:
    """The read side of ``vankien.graph.store.Store`` over an rdflib Dataset (SELECT only)."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset

    def query(self, sparql: str, **_options) -> Solutions:
        # The dataset's default graph is already the union; no option changes that here.
        result = self.dataset.query(sparql)
        if result.type != "SELECT":
            raise ValueError(f"the rdflib baseline answers SELECT only, not {result.type}")
        names = [str(variable) for variable in result.vars]
        positions = {name: index for index, name in enumerate(names)}
        solutions = [Solution(positions, tuple(to_oxigraph(term) for term in row)) for row in result]
        return Solutions(names, solutions)

    def close(self) -> None:
        pass
