"""One small store interface with three backends: in memory, on disk (RocksDB), remote SPARQL.

``open_store(settings)`` picks the backend. Every backend answers ``query`` with pyoxigraph
objects (``QuerySolutions`` / ``QueryBoolean`` for SELECT/ASK; for CONSTRUCT/DESCRIBE the embedded
stores give ``QueryTriples`` and the remote store a list of ``pyoxigraph.Triple``), so callers never
care where the data lives.

Queries run with the union of all graphs as the default graph (docs/data-model.md) unless the
caller names a dataset (``default_graph``/``named_graphs``) or the query has its own ``FROM``.
"""

from __future__ import annotations

import gc
import os
import shutil
import threading
import uuid
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Callable, Iterator
import pyoxigraph as ox

from vankien.graph import formats
from vankien.graph.errors import UserError
from vankien.graph.settings import Settings
from vankien.graph.sparql_guard import QueryRefused, analyse_query

ProgressCallback = Callable[[int], None]  # called with the number of quads read so far
PROGRESS_EVERY = 100_000

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list


class StoreError(RuntimeError):
    """A store operation failed; the message names the file or endpoint involved."""


class StoreTimeout(StoreError):
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
        names = [variable.value for variable in solutions.variables]
        return [
            {name: term for name, term in zip(names, row) if term is not None} for row in solutions
        ]

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

    @abstractmethod
    def dump(self, format: str | ox.RdfFormat = "nquads") -> bytes:
        """All quads serialised (use a dataset format: nquads or trig)."""

    def close(self) -> None:
        """Release files or connections."""

    def __enter__(self) -> "Store":
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


class _EmbeddedStore(Store):
    """What the memory and disk backends share: a pyoxigraph.Store."""

    _store: ox.Store

    def query(self, sparql, *, default_graph=None, named_graphs=None, union_default_graph=None):
        options: dict = {
            "use_default_graph_as_union": wants_union(
                sparql, default_graph, named_graphs, union_default_graph
            )
        }
        if default_graph:
            options["default_graph"] = [ox.NamedNode(iri) for iri in default_graph]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
        return self._store.query(sparql, **options)

    def load(self, source, format="nquads", *, checked=False):
        try:
            if isinstance(source, bytes):
                self._store.load(source, rdf_format(format), lenient=checked)
            else:
                self._store.bulk_load(path=str(source), format=rdf_format(format), lenient=checked)
        except (SyntaxError, OSError) as error:
            where = "input" if isinstance(source, bytes) else str(source)
            raise StoreError(f"{where}: {error}") from None

    def named_graphs(self):
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self):
        return len(self._store)

    def dump(self, format="nquads"):
        return self._store.dump(format=rdf_format(format))


def _fill(store: ox.Store, nquads_path: str | Path, progress: ProgressCallback | None,
          checked: bool) -> None:
    """Load an N-Quads file into a fresh store (native bulk load, or streamed when reporting)."""
    try:
        if progress is None:
            store.bulk_load(path=str(nquads_path), format=ox.RdfFormat.N_QUADS, lenient=checked)
        else:
            store.bulk_extend(_read_quads(nquads_path, progress, lenient=checked))
    except SyntaxError as error:
        raise StoreError(f"{nquads_path}: {error}") from None
    except OSError as error:
        raise StoreError(f"{nquads_path}: {error}") from None


class MemoryStore(_EmbeddedStore):
    """Everything in memory; ``replace_with`` loads a new store and swaps it in."""

    def __init__(self) -> None:
        self._store = ox.Store()

    def replace_with(self, nquads_path, *, progress=None, checked=False):
        fresh = ox.Store()
        _fill(fresh, nquads_path, progress, checked)
        self._store = fresh  # one reference swap: readers see old or new, never half


class DiskStore(_EmbeddedStore):
    """A RocksDB directory; reopening needs no re-parse. ``read_only=True`` for reader processes."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._lock = threading.Lock()
        self._store = self._open()

    def _open(self) -> ox.Store:
        try:
            if self.read_only:
                return ox.Store.read_only(str(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return ox.Store(str(self.path))
        except OSError as error:
            raise StoreError(f"{self.path}: cannot open store: {error}") from None

    def replace_with(self, nquads_path, *, progress=None, checked=False):
        """Bulk-load into a sibling directory, then swap directories; a failed load changes nothing."""
        if self.read_only:
            raise StoreError(f"{self.path}: store is open read-only")
        staging = self.path.with_name(f"{self.path.name}.new-{uuid.uuid4().hex[:8]}")
        fresh = None
        try:
            fresh = ox.Store(str(staging))
            _fill(fresh, nquads_path, progress, checked)
            fresh.flush()
        except BaseException:
            fresh = None
            gc.collect()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        fresh = None  # close the staging store before its directory moves
        gc.collect()
        retired = self.path.with_name(f"{self.path.name}.old-{uuid.uuid4().hex[:8]}")
        with self._lock:
            self._release()
            os.replace(self.path, retired)
            os.replace(staging, self.path)
            self._store = self._open()
        shutil.rmtree(retired, ignore_errors=True)

    def _release(self) -> None:
        """Drop our handle so RocksDB closes the directory (pyoxigraph closes on collection)."""
        self._store = None  # type: ignore[assignment]
        gc.collect()

    def close(self):
        if self._store is not None:
            if not self.read_only:
                self._store.flush()
            self._release()


def __getattr__(name: str):
    """``RemoteStore`` lives in ``graph/remote`` (it imports this module): loaded on first use."""
    if name == "RemoteStore":
        from .remote.store import RemoteStore
        return RemoteStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_store(settings: Settings) -> Store:
    """The backend ``settings.store`` names (memory | disk | remote)."""
    if settings.store == "memory":
        return MemoryStore()
    if settings.store == "disk":
        return DiskStore(settings.disk_store_path)
    from .remote.store import RemoteStore
    return RemoteStore(settings)

