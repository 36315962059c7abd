"""The store interface every backend implements, and what the backends share (errors, the
union-default-graph rule, reading N-Quads). ``vankien.graph.store`` re-exports all of it; the remote
backend (``vankien.graph.remote``) builds on this module alone.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from collections.abc import Callable, Hashable, Iterator
from typing import Any

import pyoxigraph as ox

from vankien.graph import formats
from vankien.graph.errors import Unavailable, UserError
from vankien.graph.sparql_guard import QueryRefused, analyse_query

ProgressCallback = Callable[[int], None]  # called with the number of quads read so far
PROGRESS_EVERY = 100_000

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list


class StoreError(Unavailable, RuntimeError):
    """A store operation failed; the message names the file or endpoint involved."""


class StoreUnreachable(StoreError):
    """The store cannot be reached: the endpoint does not answer, or the folder is held by another
    process (the CLI's exit status 4)."""


class StoreTimeout(StoreUnreachable):
    """A remote endpoint did not answer within the time limit."""


def rdf_format(name: str | ox.RdfFormat) -> ox.RdfFormat:
    """``"nquads"`` → ``RdfFormat.N_QUADS`` (a format object passes through)."""
    try:
        return formats.rdf_format(name)
    except UserError as problem:
        raise StoreError(str(problem)) from None


def wants_union(sparql: str, default_graph, named_graphs, union_default_graph: bool | None) -> bool:
    """Whether to query the union of all graphs: an explicit dataset or a FROM clause wins."""
    if default_graph or named_graphs:
        return False
    if union_default_graph is not None:
        return union_default_graph
    try:
        return not analyse_query(sparql).has_dataset_clause
    except QueryRefused:
        return True  # let the store report the problem in its own words


def solution_rows(solutions: Any, convert: Callable[[Any], Any] = lambda term: term) -> list[dict]:
    """SELECT solutions as dicts ``{variable name: convert(term)}``, unbound variables left out
    (``Store.select`` and ``queries.rows``; any object with ``variables`` and rows will do)."""
    names = [variable.value for variable in solutions.variables]
    # zip over the solution: looking terms up by name (solution[name]) costs twice as much
    return [{name: convert(term) for name, term in zip(names, solution) if term is not None}
            for solution in solutions]


class Store(ABC):
    """The operations vankien needs from a quad store."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default_graph: bool | None = None,
    ) -> QueryResult:
        """Run a SPARQL query. ``union_default_graph=None`` means: union unless the query has FROM."""

    def select(self, sparql: str, **kw) -> list[dict[str, Term]]:
        """SELECT rows as dicts ``{variable name: term}`` (unbound variables are left out)."""
        solutions = self.query(sparql, **kw)
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        return solution_rows(solutions)

    @abstractmethod
    def replace_with(self, nquads_path: str | Path, *, progress: ProgressCallback | None = None,
                     checked: bool = False) -> None:
        """Replace ALL content with an N-Quads file; on any failure the old content stays.

        ``checked=True`` says the file was written by vankien or already parsed strictly (see
        ``CHECKED``): it is not validated again."""

    @abstractmethod
    def load(self, source: str | Path | bytes, format: str | ox.RdfFormat = "nquads", *,
             checked: bool = False) -> None:
        """Add data (a file path or bytes) to what is there (``checked``: as in ``replace_with``)."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of quads."""

    def is_empty(self) -> bool:
        """Whether the store holds no data (a first run builds it). A store where counting is slow
        answers without counting."""
        return len(self) == 0

    @abstractmethod
    def dump(self, format: str | ox.RdfFormat = "nquads") -> bytes:
        """All quads serialised (use a dataset format: nquads or trig)."""

    def data_version(self) -> Hashable | None:
        """A token that changes whenever the data may have changed, so that what is derived from
        the data (``vankien.graph.classes``: the class hierarchy) is read once per version; None:
        the store cannot tell, and nothing derived from it is kept."""
        return None

    def close(self) -> None:
        """Release files or connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# A checked file is parsed leniently: pyoxigraph then skips validating IRIs and language tags
# (the syntax is still parsed), 15–25 % faster on a national corpus. Only files that vankien wrote
# itself (the validated build artifact) or parsed strictly before (``vankien load``) are checked.
CHECKED = "written by vankien or parsed strictly before"


def check_nquads_file(path: str | Path, progress: ProgressCallback | None = None) -> int:
    """Parse an N-Quads file without storing it; return the quad count or raise StoreError."""
    count = 0
    for count, _quad in enumerate(_read_quads(path, progress, lenient=False), start=1):
        pass
    return count


def _read_quads(path: str | Path, progress: ProgressCallback | None, *,
                lenient: bool) -> Iterator[ox.Quad]:
    """Quads of an N-Quads file, reporting progress; parse errors become StoreError with the file."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    count = 0
    try:
        for quad in ox.parse(path=path, format=ox.RdfFormat.N_QUADS, lenient=lenient):
            count += 1
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(count)
            yield quad
    except SyntaxError as error:
        raise StoreError(f"{path}: {error}") from None
    if progress is not None:
        progress(count)
